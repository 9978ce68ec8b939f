/**
 * The socket protocol's shapes as the client sees them (docs/protocol.md): connection
 * states and close codes, what `hello` says, presence, notifications, a refused
 * command, and the options a socket is made with.
 */
import type { Outcome, RoomFrame } from './board';
import type { AccessState, NotificationItem } from './api';
import type { PendingCommand } from './pendingOverlay';

/** `ended`: access to the mediation ended (close 4403); `signed-out`: close 4401. Final. */
export type ConnectionStatus = 'connecting' | 'online' | 'offline' | 'reconnecting' | 'ended' | 'signed-out';

/** Close codes the server ends a socket with for good. */
export const CLOSE_ACCESS_ENDED = 4403;
export const CLOSE_SIGNED_OUT = 4401;

export interface ConnectionInfo {
  status: ConnectionStatus;
  /** Commands not yet acknowledged. */
  pending: number;
  /** When the next attempt to connect is due (ms since epoch), while not online. */
  retryAt: number | null;
}

export interface HelloParticipant {
  id: number;
  name: string;
  role: 'mediator' | 'party' | 'attorney' | 'expert' | 'observer';
  side: { id: number; name: string } | null;
  /** The confidentiality rule this person last accepted ('' for none). */
  rule_acknowledged?: string;
}

export interface Editing {
  issue: number;
  field: string;
}

export interface Presence {
  viewing: number | null;
  editing: Editing | null;
}

export interface PresenceEntry extends Presence {
  /** The room this presence is in: looking at something in a caucus stays in the caucus. */
  room: string;
  connection: string;
  participant: number;
}

/** A `notification` frame: only fixed words and where to go, never what was said; the
 *  same item the notification list's REST answer holds. */
export type NotificationFrame = NotificationItem;

/** A command the server refused: `code` as in docs/protocol.md, `details` as sent. */
export class CommandError extends Error {
  readonly code: string;
  readonly details: unknown;

  constructor(code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'CommandError';
    this.code = code;
    this.details = details;
  }

  /** Messages for one field of an `invalid` error. */
  field(name: string): string[] {
    const details = this.details;
    if (typeof details !== 'object' || details === null) return [];
    const value = (details as Record<string, unknown>)[name];
    return Array.isArray(value) ? value.filter((m): m is string => typeof m === 'string') : [];
  }
}

/** A room the app keeps state for. Rooms without one are followed by seq only. */
export interface RoomStore {
  seq(): number;
  apply(frame: RoomFrame): Outcome;
  /** Access to the room ended: forget everything in it. */
  drop?(): void;
}

export interface SocketOptions {
  mediationId: string;
  rooms?: Record<string, RoomStore>;
  /** A store for a room not in `rooms`, made when the server first names it (caucus rooms). */
  createRoom?: (room: string) => RoomStore | null;
  /** A room's sync finished (its `synced`): the room is in step with the server. */
  onSynced?: (rooms: string[]) => void;
  /** The session's state as `hello` gives it, before any room is synced. */
  onMediation?: (state: Record<string, unknown>) => void;
  /** A `notification` frame for this participant. */
  onNotification?: (notification: NotificationFrame) => void;
  /** An `impasse` frame: an impasse's causes and strategies, sent to mediators alone. */
  onImpasse?: (impasse: Record<string, unknown>) => void;
  /** A `sealed.mine` frame: this side's own sealed submission, for this side alone. */
  onSealedMine?: (frame: Record<string, unknown>) => void;
  /** Every successful command's result, before its promise resolves. */
  onResult?: (command: PendingCommand, result: unknown) => void;
  /** A refused command nobody waits for any more (it was queued before a reload). */
  onOrphanError?: (command: PendingCommand, error: CommandError) => void;
  /** Asked after a refused handshake; defaults to `accessProbe` on this mediation. */
  probe?: () => Promise<AccessState>;
  url?: string;
  WebSocket?: new (url: string) => WebSocket;
  storage?: Storage | null;
  random?: () => number;
  uuid?: () => string;
  heartbeatMs?: number;
  pongTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  presenceThrottleMs?: number;
  /** The client's pace for frames it sends (see SEND_RATE_PER_SECOND). */
  sendRatePerSecond?: number;
  sendBurst?: number;
}
