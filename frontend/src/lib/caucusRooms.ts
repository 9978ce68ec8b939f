/**
 * The caucus rooms this participant may see, kept in step by the board session's socket:
 * their state, what is unread in each, and the commands the private-room screens send.
 * A room's state lives here only while the server lets this participant see it.
 */
import { derived, get, writable, type Readable, type Writable } from 'svelte/store';
import {
  applyCaucusFrame,
  applyCaucusResult,
  emptyCaucus,
  newestMessageId,
  sideOfRoom,
  unreadCount,
  type Attribution,
  type CaucusState,
  type NoteKind,
  type NoteVisibility,
  type ReleaseMode,
} from './caucus';
import type { PendingCommand } from './pendingOverlay';
import type { HelloParticipant, MediationSocket, RoomStore } from './socket';

export type CaucusRoomsState = Readonly<Record<string, CaucusState>>;

/** The worksheet's fields as the form sends them. */
export interface WorksheetFields {
  best_alternative: string;
  worst_alternative: string;
  likely_court_outcome: string;
  court_cost: string | null;
  court_months: number | null;
  confidence: number | null;
  range_low: string | null;
  range_high: string | null;
}

export type ReleaseAnswer =
  | { decision: 'decline' }
  | { decision: 'release'; mode: ReleaseMode; text?: string; attribution: Attribution };

/** Where "seen up to" marks are kept: ids only, never content. */
export function seenStorageKey(mediationId: string): string {
  return `parley:seen:${mediationId}`;
}

export class CaucusRooms {
  readonly state: Writable<CaucusRoomsState>;
  /** Per room, the id of the newest message this person has looked at. */
  readonly seen: Writable<Readonly<Record<string, number>>>;
  /** Per room, messages from others since the person last looked. */
  readonly unread: Readable<Readonly<Record<string, number>>>;

  private socket: MediationSocket | null = null;

  constructor(
    private readonly mediationId: string,
    me: Readable<HelloParticipant | null>,
    private readonly storage: Storage | null = defaultStorage(),
  ) {
    this.state = writable({});
    this.seen = writable(this.loadSeen());
    this.unread = derived([this.state, this.seen, me], ([$state, $seen, $me]) => {
      const out: Record<string, number> = {};
      for (const [room, caucus] of Object.entries($state)) out[room] = unreadCount(caucus, $seen[room] ?? 0, $me?.id ?? null);
      return out;
    });
  }

  attach(socket: MediationSocket): void {
    this.socket = socket;
  }

  /** The socket's store for a caucus room, made when the server first names the room. */
  roomStore(room: string): RoomStore | null {
    if (sideOfRoom(room) === null) return null;
    this.state.update((all) => ({ ...all, [room]: emptyCaucus() }));
    return {
      seq: () => get(this.state)[room]?.seq ?? 0,
      apply: (frame) => {
        const held = get(this.state)[room];
        if (!held) return 'duplicate'; // dropped: nothing more is taken in
        const { state, outcome } = applyCaucusFrame(held, frame);
        if (outcome === 'applied') this.state.update((all) => ({ ...all, [room]: state }));
        return outcome;
      },
      drop: () => this.drop(room),
    };
  }

  /** Forget a room at once: access to it ended. */
  drop(room: string): void {
    this.state.update((all) => {
      if (!(room in all)) return all;
      const { [room]: _gone, ...rest } = all;
      return rest;
    });
  }

  /** A command's result, ahead of its event. */
  result(command: PendingCommand, result: unknown): void {
    const side = command.data.side;
    const rooms = get(this.state);
    // The result names no room: the command did (side), or the object is in exactly one.
    const room =
      typeof side === 'number' ? `caucus:${side}` : Object.keys(rooms).find((key) => holds(rooms[key], command, result));
    if (!room || !rooms[room]) return;
    const next = applyCaucusResult(rooms[room], command.name, result);
    if (next !== rooms[room]) this.state.update((all) => ({ ...all, [room]: next }));
  }

  /** The person is looking at `room` now: everything in it counts as read. */
  markSeen(room: string): void {
    const newest = newestMessageId(get(this.state)[room]);
    if (newest <= (get(this.seen)[room] ?? 0)) return;
    this.seen.update((all) => ({ ...all, [room]: newest }));
    try {
      this.storage?.setItem(seenStorageKey(this.mediationId), JSON.stringify(get(this.seen)));
    } catch {
      // Storage full or off: the count still resets for this visit.
    }
  }

  // --- commands -------------------------------------------------------------------------

  postMessage(side: number, body: string, confidential: boolean): Promise<unknown> {
    return this.command('caucus_message.post', { side, body, confidential });
  }

  markMessage(message: number, confidential: boolean): Promise<unknown> {
    return this.command('caucus_message.mark', { message, confidential });
  }

  addNote(side: number, issue: number, kind: NoteKind, text: string, confidential: boolean, visibility: NoteVisibility = 'room'): Promise<unknown> {
    return this.command('caucus_note.add', { side, issue, kind, text, confidential, visibility });
  }

  updateNote(note: number, version: number, changes: { text?: string; kind?: NoteKind; confidential?: boolean }): Promise<unknown> {
    return this.command('caucus_note.update', { note, version, ...changes });
  }

  setWorksheet(side: number, issue: number, version: number, fields: WorksheetFields): Promise<unknown> {
    return this.command('reality_check.set', { side, issue, version, ...fields });
  }

  /** Ask the side's party to let `text` be shared; naming the item it is about binds their answer to it. */
  requestRelease(
    side: number,
    text: string,
    issue: number | null,
    item: { message: number } | { note: number } | null = null,
  ): Promise<unknown> {
    const data: Record<string, unknown> = { side, text, ...(item ?? {}) };
    if (issue !== null) data.issue = issue;
    return this.command('release.request', data);
  }

  answerRelease(release: number, version: number, answer: ReleaseAnswer): Promise<unknown> {
    return this.command('release.answer', { release, version, ...answer });
  }

  /** Under "the mediator may share unless marked": carry an unmarked item out directly. */
  shareDirectly(item: { message: number } | { note: number }, text: string, issue: number | null): Promise<unknown> {
    const data: Record<string, unknown> = { ...item, text };
    if (issue !== null) data.issue = issue;
    return this.command('release.share', data);
  }

  private command(name: string, data: Record<string, unknown>): Promise<unknown> {
    if (!this.socket) return Promise.reject(new Error('Not connected yet.'));
    return this.socket.command(name, data);
  }

  private loadSeen(): Record<string, number> {
    try {
      const parsed: unknown = JSON.parse(this.storage?.getItem(seenStorageKey(this.mediationId)) ?? '{}');
      if (typeof parsed !== 'object' || parsed === null) return {};
      const out: Record<string, number> = {};
      for (const [room, id] of Object.entries(parsed)) if (typeof id === 'number') out[room] = id;
      return out;
    } catch {
      return {};
    }
  }
}

/** Whether a command's result is about something already held in this room. */
function holds(state: CaucusState | undefined, command: PendingCommand, result: unknown): boolean {
  if (!state || typeof result !== 'object' || result === null) return false;
  const id = (result as { id?: unknown }).id;
  if (typeof id !== 'number') return false;
  if (command.name.startsWith('caucus_message.')) return id in state.messages;
  if (command.name.startsWith('caucus_note.')) return id in state.notes;
  if (command.name === 'release.answer') return id in state.releases;
  if (command.name === 'release.share') {
    const { message, note } = command.data;
    if (typeof message === 'number') return message in state.messages;
    return typeof note === 'number' && note in state.notes;
  }
  return false;
}

function defaultStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
