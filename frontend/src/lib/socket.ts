/**
 * The one module that owns the mediation's websocket (docs/protocol.md).
 *
 * - Connects to /ws/mediations/<id>/, waits for `hello`, then `sync`s every room from its
 *   last applied seq; a gap in a room syncs that room again.
 * - Reconnects by itself with exponential backoff and jitter; a `ping` that gets no
 *   `pong` within 10 s counts as a dead socket. The `pong` carries each room's last seq:
 *   a room this client is behind in (its live events lost) is synced.
 * - Commands wait in a queue until their `ack` or `error` comes: each has a UUID, is sent
 *   when online and sent again, with the same id, after every reconnect (the server
 *   answers a repeat with the first result). The queue lives in sessionStorage, per
 *   mediation, so it also survives a reload.
 * - Frames go out at a pace below the server's rate limit, so a long queue replayed after
 *   a reconnect does not trip it; a `rate_limited` refusal is not an answer: the command
 *   stays queued, in its place, and goes again after a pause.
 * - Presence: what this tab views and edits goes out (throttled); everyone's comes in,
 *   per room.
 * - Rooms come and go: `rooms` adds one (synced from scratch), `revoked` drops one and its
 *   state at once. Close code 4403 (access ended) and 4401 (signed out) end the socket for
 *   good: it does not reconnect. A handshake the server refuses shows in a browser only as
 *   1006, like a server that is down, so then the REST API is asked whether access is gone
 *   (someone removed while their phone slept) before trying again.
 *
 * Components never touch the socket: they read the stores and call `command()`.
 */
import { writable, type Readable, type Writable } from 'svelte/store';
import type { Outcome, RoomFrame } from './board';
import { CommandStore, SendPacer } from './outbox';
import { presenceApplied } from './presence';
import type { PendingCommand } from './pendingOverlay';
import type { Rights } from './rights';
import { accessProbe } from './api';
import {
  CLOSE_ACCESS_ENDED,
  CLOSE_SIGNED_OUT,
  CommandError,
  type ConnectionStatus,
  type ConnectionInfo,
  type HelloParticipant,
  type Presence,
  type PresenceEntry,
  type NotificationFrame,
  type RoomStore,
  type SocketOptions,
} from './socketProtocol';

export * from './socketProtocol';

/** At most this many commands are on the wire unanswered. */
const IN_FLIGHT_MAX = 16;
/**
 * The client's own pace, a token bucket for every frame it sends, set below the server's
 * (20 a second, bursts of 60; negotiation/consumers.py) so that replaying a long offline
 * queue never trips the limit, even when frames arrive bunched up.
 */
const SEND_RATE_PER_SECOND = 16;
const SEND_BURST = 48;
/** The server refuses frames above 64 KB; a bigger command would never be answered. */
const COMMAND_MAX_BYTES = 60 * 1024;
/** After this many failed attempts in a row the app says it is offline. */
const OFFLINE_AFTER = 3;

interface Waiter {
  resolve: (result: unknown) => void;
  reject: (error: CommandError) => void;
}

export function socketUrl(mediationId: string, location: Location = window.location): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws/mediations/${encodeURIComponent(mediationId)}/`;
}

export function newCommandId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  // randomUUID needs a secure context; plain http on a LAN address has only getRandomValues.
  const bytes = c.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The delay before reconnect attempt `attempt` (0-based): doubling, capped, jittered. */
export function backoffDelay(attempt: number, base: number, max: number, random: () => number): number {
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling * (0.5 + random() / 2));
}

export class MediationSocket {
  readonly connection: Readable<ConnectionInfo>;
  readonly pending: Readable<readonly PendingCommand[]>;
  readonly presence: Readable<ReadonlyMap<string, PresenceEntry>>;
  readonly me: Readable<HelloParticipant | null>;
  /** What this participant may do now, as the server last said (`hello`, `rights`). */
  readonly rights: Readable<Rights | null>;
  /** The rooms this participant may see now, as the server last said. */
  readonly rooms: Readable<readonly string[]>;

  private readonly options: Required<
    Pick<
      SocketOptions,
      'heartbeatMs' | 'pongTimeoutMs' | 'backoffBaseMs' | 'backoffMaxMs' | 'presenceThrottleMs' | 'sendRatePerSecond' | 'sendBurst'
    >
  > &
    SocketOptions;
  private readonly connectionStore: Writable<ConnectionInfo>;
  private readonly pendingStore: Writable<readonly PendingCommand[]>;
  private readonly presenceStore: Writable<ReadonlyMap<string, PresenceEntry>>;
  private readonly meStore: Writable<HelloParticipant | null>;
  private readonly rightsStore: Writable<Rights | null>;
  private readonly roomsStore: Writable<readonly string[]>;
  private readonly dynamicRooms = new Map<string, RoomStore>();
  private readonly commands: CommandStore;
  private readonly pacer: SendPacer;

  private ws: WebSocket | null = null;
  private status: ConnectionStatus = 'connecting';
  private ready = false; // hello received on the current socket
  private everOnline = false;
  private started = false;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryAt: number | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;
  private helloTimer: ReturnType<typeof setTimeout> | null = null;
  /** Due when the pace allows the next command, or a rate-limit pause ends. */
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  /** A frame without an id was refused: syncs and presence go again after the pause. */
  private resendOthers = false;

  private queue: PendingCommand[] = [];
  private readonly waiters = new Map<string, Waiter>();
  /** Ids sent on the current socket and not yet answered. */
  private readonly inFlight = new Set<string>();
  /** Commands refused because a break is on: they wait, queued, until it ends. */
  private readonly held = new Set<string>();
  private readonly seqs = new Map<string, number>();
  private readonly syncing = new Set<string>();
  private presenceMap = new Map<string, PresenceEntry>();

  private presenceWanted: Presence = { viewing: null, editing: null };
  private presenceSent: string = JSON.stringify({ viewing: null, editing: null });
  private presenceTimer: ReturnType<typeof setTimeout> | null = null;
  private presenceLastAt = 0;

  private readonly onOnline = (): void => this.retryNow();
  /** The device lost its network: the socket will not notice soon, so start over now. */
  private readonly onOffline = (): void => {
    if (this.started && !this.isFinal()) this.dead();
  };
  /** Back to a tab that slept: check the socket at once rather than at the next beat. */
  private readonly onVisible = (): void => {
    if (document.visibilityState !== 'visible' || !this.started) return;
    if (this.ready) this.heartbeat();
    else this.retryNow();
  };

  constructor(options: SocketOptions) {
    this.options = {
      heartbeatMs: 15_000,
      pongTimeoutMs: 10_000,
      backoffBaseMs: 500,
      backoffMaxMs: 8_000,
      presenceThrottleMs: 300,
      sendRatePerSecond: SEND_RATE_PER_SECOND,
      sendBurst: SEND_BURST,
      ...options,
    };
    this.commands = new CommandStore(`parley:pending:${options.mediationId}`, options.storage);
    this.pacer = new SendPacer(this.options.sendRatePerSecond, this.options.sendBurst, this.options.backoffMaxMs);
    this.queue = this.commands.load();
    this.connectionStore = writable(this.info());
    this.pendingStore = writable([...this.queue]);
    this.presenceStore = writable(new Map());
    this.meStore = writable(null);
    this.rightsStore = writable<Rights | null>(null);
    this.rights = { subscribe: this.rightsStore.subscribe };
    this.roomsStore = writable([]);
    this.connection = { subscribe: this.connectionStore.subscribe };
    this.pending = { subscribe: this.pendingStore.subscribe };
    this.presence = { subscribe: this.presenceStore.subscribe };
    this.me = { subscribe: this.meStore.subscribe };
    this.rooms = { subscribe: this.roomsStore.subscribe };
  }

  // --- lifecycle ---------------------------------------------------------------------

  start(): void {
    if (this.started) return;
    this.started = true;
    if (typeof window !== 'undefined') {
      window.addEventListener('online', this.onOnline);
      window.addEventListener('offline', this.onOffline);
      document.addEventListener('visibilitychange', this.onVisible);
    }
    this.open();
  }

  stop(): void {
    this.started = false;
    if (typeof window !== 'undefined') {
      window.removeEventListener('online', this.onOnline);
      window.removeEventListener('offline', this.onOffline);
      document.removeEventListener('visibilitychange', this.onVisible);
    }
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    if (ws) {
      detach(ws);
      ws.close(1000);
    }
  }

  /** Connect now instead of waiting for the next attempt. */
  retryNow(): void {
    if (!this.started || this.ready || this.isFinal()) return;
    if (this.ws && this.ws.readyState === 0) return; // already trying
    this.failures = Math.min(this.failures, 1);
    this.open();
  }

  // --- commands ----------------------------------------------------------------------

  /** Send a command; resolves with its result on `ack`, rejects with CommandError on `error`. */
  command(name: string, data: Record<string, unknown>): Promise<unknown> {
    const command: PendingCommand = { id: this.options.uuid?.() ?? newCommandId(), name, data };
    if (JSON.stringify({ type: 'command', ...command }).length > COMMAND_MAX_BYTES) {
      return Promise.reject(new CommandError('too_large', 'That is too long to send. Shorten it and try again.'));
    }
    return new Promise((resolve, reject) => {
      this.waiters.set(command.id, { resolve, reject });
      this.queue.push(command);
      this.queueChanged();
      this.flush();
    });
  }

  // --- presence ----------------------------------------------------------------------

  /** What this tab looks at and edits. Sent throttled, and again after a reconnect. */
  setPresence(presence: Presence): void {
    this.presenceWanted = { viewing: presence.viewing, editing: presence.editing };
    this.schedulePresence();
  }

  // --- internals: the socket -----------------------------------------------------------

  private open(): void {
    this.clearTimers();
    if (this.ws) {
      detach(this.ws);
      this.ws.close();
    }
    this.ready = false;
    this.retryAt = null;
    if (this.status !== 'offline') this.setStatus(this.failures === 0 && !this.everOnline ? 'connecting' : 'reconnecting');
    const Impl = this.options.WebSocket ?? WebSocket;
    let ws: WebSocket;
    try {
      ws = new Impl(this.options.url ?? socketUrl(this.options.mediationId));
    } catch {
      this.closed();
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onmessage = (event: MessageEvent) => {
      if (this.ws === ws) this.receive(event.data);
    };
    ws.onclose = (event: CloseEvent) => {
      if (this.ws !== ws) return;
      if (event.code === CLOSE_ACCESS_ENDED) this.ended('ended');
      else if (event.code === CLOSE_SIGNED_OUT) this.ended('signed-out');
      else if (!opened) this.refused();
      else this.closed();
    };
    ws.onerror = () => {
      // onclose follows; nothing to do here.
    };
    ws.onopen = () => {
      opened = true;
      if (this.ws !== ws) return;
      // The server speaks first; a socket that never says hello is as good as dead.
      this.helloTimer = setTimeout(() => this.dead(), this.options.pongTimeoutMs);
    };
  }

  private closed(): void {
    const ws = this.ws;
    this.ws = null;
    if (ws) detach(ws);
    this.ready = false;
    this.inFlight.clear();
    // A new connection sends everything again; an edit still refused waits again.
    this.held.clear();
    this.syncing.clear();
    this.clearTimers();
    if (this.presenceMap.size > 0) {
      this.presenceMap = new Map();
      this.presenceStore.set(this.presenceMap);
    }
    if (!this.started || this.isFinal()) return;
    this.failures += 1;
    const offline = this.failures >= OFFLINE_AFTER || (typeof navigator !== 'undefined' && navigator.onLine === false);
    this.setStatus(offline ? 'offline' : this.everOnline ? 'reconnecting' : 'connecting');
    const delay = backoffDelay(this.failures - 1, this.options.backoffBaseMs, this.options.backoffMaxMs, this.options.random ?? Math.random);
    this.retryAt = Date.now() + delay;
    this.publishInfo();
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  /** The handshake failed: refused, or no server. Retry as usual, and meanwhile ask
   *  whether access is gone for good; if so, end unless a socket got through since. */
  private refused(): void {
    this.closed();
    const probe = this.options.probe ?? (() => accessProbe(this.options.mediationId));
    void probe().then((state) => {
      if (state !== 'ok' && this.started && !this.isFinal() && !this.ready) this.ended(state);
    });
  }

  private isFinal(): boolean {
    return this.status === 'ended' || this.status === 'signed-out';
  }

  /**
   * The server closed for good. Nothing of the mediation stays: every room's state is
   * dropped, and the commands waiting for it are abandoned (no server would take them).
   */
  private ended(status: 'ended' | 'signed-out'): void {
    const ws = this.ws;
    this.ws = null;
    if (ws) detach(ws);
    this.ready = false;
    this.inFlight.clear();
    this.syncing.clear();
    this.clearTimers();
    for (const room of this.knownRooms()) this.dropRoom(room);
    this.roomsStore.set([]);
    this.presenceMap = new Map();
    this.presenceStore.set(this.presenceMap);
    const error = new CommandError(status === 'ended' ? 'access_ended' : 'signed_out', status === 'ended' ? 'Your access to this mediation has ended.' : 'You are signed out.');
    const waiting = [...this.waiters.values()];
    this.waiters.clear();
    this.queue = [];
    this.queueChanged();
    for (const waiter of waiting) waiter.reject(error);
    this.setStatus(status);
  }

  /** No pong, or no hello: close without waiting for TCP to notice, and start again. */
  private dead(): void {
    const ws = this.ws;
    if (ws) {
      detach(ws);
      try {
        ws.close(4000, 'heartbeat');
      } catch {
        // already closing
      }
    }
    this.closed();
  }

  private clearTimers(): void {
    for (const timer of [this.retryTimer, this.pongTimer, this.helloTimer, this.flushTimer]) {
      if (timer !== null) clearTimeout(timer);
    }
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.retryTimer = this.pongTimer = this.helloTimer = this.flushTimer = this.heartbeatTimer = null;
  }

  /** Send a frame now. Every frame counts against the pace; only commands wait for it. */
  private send(frame: Record<string, unknown>): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return false;
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      return false;
    }
    this.pacer.spend();
    return true;
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let frame: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null) return;
      frame = parsed as Record<string, unknown>;
    } catch {
      return;
    }
    switch (frame.type) {
      case 'hello':
        this.hello(frame);
        break;
      case 'event':
      case 'snapshot':
        this.roomFrame(frame as unknown as RoomFrame);
        break;
      case 'synced': {
        const rooms = Object.keys(isRecord(frame.rooms) ? frame.rooms : {});
        for (const room of rooms) this.syncing.delete(room);
        this.options.onSynced?.(rooms);
        break;
      }
      case 'rights':
        if (isRecord(frame.rights)) this.rightsStore.set(frame.rights as unknown as Rights);
        break;
      case 'rooms':
        this.roomsAdded(isRecord(frame.rooms) ? Object.keys(frame.rooms) : []);
        break;
      case 'revoked':
        if (typeof frame.room === 'string') this.revoked(frame.room);
        break;
      case 'notification':
        if (typeof frame.id === 'number' && typeof frame.text === 'string') {
          const { type: _type, ...notification } = frame;
          this.options.onNotification?.(notification as unknown as NotificationFrame);
        }
        break;
      case 'impasse':
        if (isRecord(frame.impasse)) this.options.onImpasse?.(frame.impasse);
        break;
      case 'sealed.mine':
        // This side's own sealed submission: it comes to this side's people alone.
        this.options.onSealedMine?.(frame);
        break;
      case 'ack':
        this.answered(frame.id, (waiter, command) => {
          this.options.onResult?.(command, frame.result);
          waiter?.resolve(frame.result);
        });
        break;
      case 'error':
        this.error(frame);
        break;
      case 'presence':
        this.presenceFrames([frame]);
        break;
      case 'presences':
        // Several presence frames of one room, heard close together, in order.
        if (Array.isArray(frame.entries)) this.presenceFrames(frame.entries.filter(isRecord));
        break;
      case 'pong':
        if (this.pongTimer !== null) clearTimeout(this.pongTimer);
        this.pongTimer = null;
        if (isRecord(frame.rooms)) this.syncBehind(frame.rooms);
        break;
      default:
        break;
    }
  }

  private hello(frame: Record<string, unknown>): void {
    if (this.helloTimer !== null) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    this.ready = true;
    this.everOnline = true;
    this.failures = 0;
    this.retryAt = null;
    if (isRecord(frame.participant)) this.meStore.set(frame.participant as unknown as HelloParticipant);
    if (isRecord(frame.rights)) this.rightsStore.set(frame.rights as unknown as Rights);
    if (isRecord(frame.mediation)) this.options.onMediation?.(frame.mediation);
    const rooms = isRecord(frame.rooms) ? Object.keys(frame.rooms) : [];
    // Rooms held from before that the server no longer names were lost while away.
    for (const room of this.knownRooms()) if (!rooms.includes(room)) this.dropRoom(room);
    this.roomsStore.set(rooms);
    this.syncRooms(rooms);
    this.setStatus('online');
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.options.heartbeatMs);
    // A new connection is a new bucket on the server, full.
    this.pacer.reset();
    this.resendOthers = false;
    this.presenceSent = JSON.stringify({ viewing: null, editing: null });
    this.schedulePresence();
    this.flush();
  }

  private heartbeat(): void {
    if (this.pongTimer !== null) return; // still waiting for the last one
    if (!this.send({ type: 'ping' })) return;
    this.pongTimer = setTimeout(() => this.dead(), this.options.pongTimeoutMs);
  }

  /** The heartbeat's answer says where each room's log stands. A room this client is
   *  behind in lost its live events (the server's channel layer restarted, say): sync it. */
  private syncBehind(rooms: Record<string, unknown>): void {
    const wanted: Record<string, number> = {};
    for (const [room, seq] of Object.entries(rooms)) {
      const followed = this.storeOf(room, false) !== undefined || this.seqs.has(room);
      if (typeof seq !== 'number' || !followed || this.syncing.has(room)) continue;
      if (seq > this.seqOf(room)) {
        wanted[room] = this.seqOf(room);
        this.syncing.add(room);
      }
    }
    if (Object.keys(wanted).length > 0) this.send({ type: 'sync', rooms: wanted });
  }

  private syncRooms(rooms: readonly string[]): void {
    const wanted: Record<string, number> = {};
    for (const room of rooms) {
      this.storeOf(room, true);
      wanted[room] = this.seqOf(room);
      this.syncing.add(room);
    }
    this.send({ type: 'sync', rooms: wanted });
  }

  /** Access to new rooms was granted (an expert let into an open caucus): sync them. */
  private roomsAdded(rooms: string[]): void {
    this.roomsStore.update((list) => [...list, ...rooms.filter((r) => !list.includes(r))]);
    if (rooms.length > 0 && this.ready) this.syncRooms(rooms);
  }

  /** Access to a room ended: stop following it and forget what it held, now. */
  private revoked(room: string): void {
    this.dropRoom(room);
    this.roomsStore.update((list) => list.filter((r) => r !== room));
    if (this.presenceMap.size > 0) {
      const next = new Map([...this.presenceMap].filter(([, entry]) => entry.room !== room));
      this.presenceMap = next;
      this.presenceStore.set(next);
    }
  }

  private dropRoom(room: string): void {
    this.syncing.delete(room);
    this.seqs.delete(room);
    const store = this.storeOf(room, false);
    store?.drop?.();
    this.dynamicRooms.delete(room);
  }

  private knownRooms(): string[] {
    return [...new Set([...Object.keys(this.options.rooms ?? {}), ...this.dynamicRooms.keys(), ...this.seqs.keys()])];
  }

  private storeOf(room: string, create: boolean): RoomStore | undefined {
    const fixed = this.options.rooms?.[room];
    if (fixed) return fixed;
    let store = this.dynamicRooms.get(room);
    if (!store && create && this.options.createRoom) {
      store = this.options.createRoom(room) ?? undefined;
      if (store) this.dynamicRooms.set(room, store);
    }
    return store;
  }

  private seqOf(room: string): number {
    const store = this.storeOf(room, false);
    return store ? store.seq() : (this.seqs.get(room) ?? 0);
  }

  private roomFrame(frame: RoomFrame): void {
    if (typeof frame.room !== 'string' || typeof frame.seq !== 'number') return;
    const store = this.storeOf(frame.room, false);
    let outcome: Outcome;
    if (store) {
      outcome = store.apply(frame);
    } else {
      const seq = this.seqs.get(frame.room) ?? 0;
      if (frame.type === 'snapshot') outcome = 'applied';
      else outcome = frame.seq <= seq ? 'duplicate' : frame.seq === seq + 1 ? 'applied' : 'gap';
      if (outcome === 'applied') this.seqs.set(frame.room, frame.seq);
    }
    if (outcome === 'gap' && !this.syncing.has(frame.room)) {
      this.syncing.add(frame.room);
      this.send({ type: 'sync', rooms: { [frame.room]: this.seqOf(frame.room) } });
    }
  }

  private error(frame: Record<string, unknown>): void {
    const code = typeof frame.code === 'string' ? frame.code : 'internal';
    const message = typeof frame.message === 'string' ? frame.message : 'Something went wrong.';
    if (code === 'rate_limited' || code === 'unavailable') {
      // The server could not take it now (too fast, or its database away for a moment):
      // not an answer; it goes again, same id, after the pause.
      this.rateLimited(frame);
      return;
    }
    if (code === 'on_break' && typeof frame.id === 'string' && this.queue.some((c) => c.id === frame.id)) {
      // Not an answer either: the edit waits out the break, in its place, and goes again
      // (same id) when the break ends.
      this.inFlight.delete(frame.id);
      this.held.add(frame.id);
      return;
    }
    if (typeof frame.id === 'string' && this.queue.some((c) => c.id === frame.id)) {
      const error = new CommandError(code, message, frame.details);
      this.answered(frame.id, (waiter, command) => {
        if (waiter) waiter.reject(error);
        else this.options.onOrphanError?.(command, error);
      });
    }
  }

  /**
   * The server refused a frame unread because it came too fast. That is never an answer:
   * a refused command stays queued, in its place, and goes again with the same id once a
   * pause is over (the server's `retry_after` if it gives one, else a doubling backoff).
   * A refusal without an id may have been any frame: everything unanswered goes again,
   * and so do the unfinished syncs and this tab's presence. Repeats are harmless.
   */
  private rateLimited(frame: Record<string, unknown>): void {
    if (typeof frame.id === 'string') this.inFlight.delete(frame.id);
    else this.inFlight.clear();
    const now = Date.now();
    const until = this.pacer.refused(frame, now);
    if (typeof frame.id !== 'string') this.resendOthers = true;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(() => this.resume(), until - now);
  }

  /** A pause is over: send again what may have been refused, then the queue. */
  private resume(): void {
    this.flushTimer = null;
    if (!this.ready) return;
    if (this.resendOthers) {
      this.resendOthers = false;
      const rooms: Record<string, number> = {};
      for (const room of this.syncing) rooms[room] = this.seqOf(room);
      if (Object.keys(rooms).length > 0) this.send({ type: 'sync', rooms });
      this.presenceSent = '';
      this.schedulePresence();
    }
    this.flush();
  }

  private answered(id: unknown, settle: (waiter: Waiter | undefined, command: PendingCommand) => void): void {
    if (typeof id !== 'string') return;
    const index = this.queue.findIndex((c) => c.id === id);
    if (index === -1) return; // a late repeat of something already settled
    const [command] = this.queue.splice(index, 1);
    this.inFlight.delete(id);
    this.pacer.answered();
    const waiter = this.waiters.get(id);
    this.waiters.delete(id);
    if (command) settle(waiter, command);
    this.queueChanged();
    this.flush();
  }

  /**
   * Send queued commands, oldest first, up to the in-flight limit and at the client's
   * pace; when the pace (or a rate-limit pause) holds the next one back, come back when
   * it allows.
   */
  private flush(): void {
    if (!this.ready || this.flushTimer !== null) return;
    const now = Date.now();
    if (now < this.pacer.pausedUntil) {
      this.flushTimer = setTimeout(() => this.resume(), this.pacer.pausedUntil - now);
      return;
    }
    for (const command of this.queue) {
      if (this.inFlight.size >= IN_FLIGHT_MAX) break;
      if (this.inFlight.has(command.id) || this.held.has(command.id)) continue;
      const wait = this.pacer.waitMs();
      if (wait > 0) {
        this.flushTimer = setTimeout(() => {
          this.flushTimer = null;
          this.flush();
        }, wait);
        break;
      }
      if (!this.send({ type: 'command', id: command.id, name: command.name, data: command.data })) break;
      this.inFlight.add(command.id);
    }
  }

  /** The break is over: the edits that waited for it go now. */
  releaseHeld(): void {
    if (this.held.size === 0) return;
    this.held.clear();
    this.flush();
  }

  /** How many commands wait for a break to end. */
  get heldCount(): number {
    return this.held.size;
  }

  private presenceFrames(frames: readonly Record<string, unknown>[]): void {
    const next = presenceApplied(this.presenceMap, frames);
    if (next === this.presenceMap) return;
    this.presenceMap = next;
    this.presenceStore.set(next);
  }

  private schedulePresence(): void {
    if (this.presenceTimer !== null) return;
    const wait = Math.max(0, this.presenceLastAt + this.options.presenceThrottleMs - Date.now());
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = null;
      const body = JSON.stringify(this.presenceWanted);
      if (!this.ready || body === this.presenceSent) return;
      if (this.send({ type: 'presence', room: 'joint', ...this.presenceWanted })) {
        this.presenceSent = body;
        this.presenceLastAt = Date.now();
      }
    }, wait);
  }

  // --- internals: state out ------------------------------------------------------------

  private info(): ConnectionInfo {
    return { status: this.status, pending: this.queue.length, retryAt: this.retryAt };
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    this.publishInfo();
  }

  private publishInfo(): void {
    this.connectionStore?.set(this.info());
  }

  private queueChanged(): void {
    this.commands.save(this.queue);
    this.pendingStore.set([...this.queue]);
    this.publishInfo();
  }
}

function detach(ws: WebSocket): void {
  ws.onopen = ws.onclose = ws.onmessage = ws.onerror = null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
