/**
 * The socket's outbox: the pace commands go out at, and where unacknowledged commands
 * are kept across a reload. Plain state; socket.ts decides when to send.
 */
import type { PendingCommand } from './pendingOverlay';

/** A pause after a `rate_limited` refusal that says nothing of its own: doubled per repeat. */
const RATE_LIMIT_PAUSE_MS = 1000;

/**
 * A token bucket below the server's own (20 a second, bursts of 60), so that replaying a
 * long queue after a reconnect does not trip it; and the pause the server asks for when
 * a frame came too fast all the same.
 */
export class SendPacer {
  /** Tokens left, and when the bucket was last filled up to now. */
  private tokens = 0;
  private tokensAt = 0;
  /** No commands go out before this (ms since epoch): the server said slow down. */
  pausedUntil = 0;
  /** `rate_limited` refusals since the last answer that was not one. */
  private refusals = 0;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly backoffMaxMs: number,
  ) {}

  /** A new connection is a new bucket on the server, full. */
  reset(now = Date.now()): void {
    this.tokens = this.burst;
    this.tokensAt = now;
    this.pausedUntil = 0;
    this.refusals = 0;
  }

  /** One frame went out. */
  spend(now = Date.now()): void {
    this.refill(now);
    this.tokens -= 1;
  }

  /** How long until the next command may go (0: now). */
  waitMs(now = Date.now()): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }

  /** An answer that was not a refusal: the next refusal starts the backoff afresh. */
  answered(): void {
    this.refusals = 0;
  }

  /**
   * The server refused a frame as too fast: pause for what it says (`retry_after`), or a
   * doubling backoff. The frames of one burst are refused together: only a refusal after
   * a pause is over makes the next pause longer. Returns when sending may resume.
   */
  refused(frame: Record<string, unknown>, now = Date.now()): number {
    if (now >= this.pausedUntil) this.refusals += 1;
    const backoff = Math.min(this.backoffMaxMs, RATE_LIMIT_PAUSE_MS * 2 ** Math.min(this.refusals - 1, 16));
    this.pausedUntil = Math.max(this.pausedUntil, now + (retryAfterMs(frame) ?? backoff));
    // The server's bucket is empty: start ours empty too, so what follows goes out slowly.
    this.tokens = Math.min(this.tokens, 0);
    this.tokensAt = now;
    return this.pausedUntil;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.tokensAt) / 1000) * this.ratePerSecond);
    this.tokensAt = now;
  }
}

/** How long the server asks us to wait, if it says: `retry_after` seconds, on the
 *  frame or in its details. */
export function retryAfterMs(frame: Record<string, unknown>): number | null {
  const details = isRecord(frame.details) ? frame.details : {};
  const value = typeof frame.retry_after === 'number' ? frame.retry_after : details.retry_after;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.min(value * 1000, 60_000) : null;
}

/** Unacknowledged commands, kept per mediation in sessionStorage (or what the options
 *  give), so a reload or a closed tab loses nothing the person did. */
export class CommandStore {
  constructor(
    private readonly key: string,
    private readonly given: Storage | null | undefined,
  ) {}

  private get storage(): Storage | null {
    if (this.given !== undefined) return this.given;
    try {
      return typeof sessionStorage === 'undefined' ? null : sessionStorage;
    } catch {
      return null; // storage disabled
    }
  }

  load(): PendingCommand[] {
    try {
      const raw = this.storage?.getItem(this.key);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? parsed.filter(isPendingCommand) : [];
    } catch {
      return [];
    }
  }

  save(queue: readonly PendingCommand[]): void {
    try {
      if (queue.length === 0) this.storage?.removeItem(this.key);
      else this.storage?.setItem(this.key, JSON.stringify(queue));
    } catch {
      // Full or disabled storage: the queue still lives in memory.
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPendingCommand(value: unknown): value is PendingCommand {
  return isRecord(value) && typeof value.id === 'string' && typeof value.name === 'string' && isRecord(value.data);
}
