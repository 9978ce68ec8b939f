/**
 * The mediator's balance view, kept live: read again over REST shortly after anything
 * happens in the joint room or a break is asked for (several changes close together make
 * one read), and every minute besides, since private time grows while nothing happens.
 * Between reads the clock runs on from the answer's own `now`, so the figures count up.
 */
import { writable, type Readable, type Writable } from 'svelte/store';
import { messageOf, type Balance, type BalanceSide } from './api';
import { formatElapsed } from './privateMeeting';

export interface Held {
  balance: Balance;
  /** This browser's clock when the answer came: what `balance.now` was here. */
  receivedAt: number;
}

export interface FeedOptions {
  debounceMs?: number;
  refreshMs?: number;
  clock?: () => number;
}

export class BalanceFeed {
  readonly held: Readable<Held | null>;
  readonly error: Readable<string>;
  private readonly heldStore: Writable<Held | null> = writable(null);
  private readonly errorStore: Writable<string> = writable('');
  private readonly debounceMs: number;
  private readonly refreshMs: number;
  private readonly clock: () => number;
  private debounce: ReturnType<typeof setTimeout> | null = null;
  private refresh: ReturnType<typeof setInterval> | null = null;
  private asked = 0;
  private running = false;

  constructor(
    private readonly load: () => Promise<Balance>,
    options: FeedOptions = {},
  ) {
    this.held = this.heldStore;
    this.error = this.errorStore;
    this.debounceMs = options.debounceMs ?? 1500;
    this.refreshMs = options.refreshMs ?? 60_000;
    this.clock = options.clock ?? Date.now;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.read();
    this.refresh = setInterval(() => void this.read(), this.refreshMs);
  }

  stop(): void {
    this.running = false;
    if (this.debounce !== null) clearTimeout(this.debounce);
    if (this.refresh !== null) clearInterval(this.refresh);
    this.debounce = this.refresh = null;
  }

  /** Something changed: read again soon (once, however many changes come meanwhile). */
  poke(): void {
    if (!this.running || this.debounce !== null) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      void this.read();
    }, this.debounceMs);
  }

  private async read(): Promise<void> {
    const ask = ++this.asked;
    try {
      const balance = await this.load();
      // An older answer arriving after a newer one is not shown over it.
      if (ask !== this.asked || !this.running) return;
      this.heldStore.set({ balance, receivedAt: this.clock() });
      this.errorStore.set('');
    } catch (error) {
      if (ask === this.asked && this.running) this.errorStore.set(messageOf(error));
    }
  }
}

/** A side's private time at `nowMs` on this browser's clock, counting a running session on. */
export function privateSecondsAt(row: BalanceSide, held: Held, nowMs: number): number {
  const running = row.in_private_since !== null ? Math.max(0, nowMs - held.receivedAt) / 1000 : 0;
  return row.private_seconds + running;
}

/** "none", "under a minute", "35 min", "1 h 05 min": time in private session. */
export function formatPrivateTime(seconds: number): string {
  return seconds <= 0 ? 'none' : formatElapsed(seconds * 1000);
}

/** "12 min ago", or "not yet": how long since `iso`, on the server's clock run on here. */
export function sinceLabel(iso: string | null, held: Held, nowMs: number): string {
  if (iso === null) return 'not yet';
  const at = Date.parse(iso);
  const serverNow = Date.parse(held.balance.now);
  if (Number.isNaN(at) || Number.isNaN(serverNow)) return '';
  return `${formatElapsed(serverNow - at + Math.max(0, nowMs - held.receivedAt))} ago`;
}

/** "first", "last", "first and last", or "": where a side stands in the order of meetings. */
export function metLabel(balance: Balance, side: number): string {
  const first = balance.first_met === side;
  const last = balance.last_met === side;
  if (first && last) return 'first and last';
  return first ? 'first' : last ? 'last' : '';
}
