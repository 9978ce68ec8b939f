/**
 * One caucus room (`caucus:<side id>`) as the client holds it: the chat, private notes on
 * issues, the reality-check worksheets and the requests to share. Pure, like board.ts:
 * socket.ts feeds frames in, the screens read through the selectors.
 *
 * Everything here stays on the devices of that room's members. It is dropped the moment
 * the server says access ended (`revoked`), and never copied anywhere else.
 */
import { frameOutcome, type OpeningStatement, type Outcome, type RoomFrame, type SharedDocument } from './board';

/** A party's word on an issue: they have what they need to decide, or ask for more. */
export interface InformationCheck {
  id: number;
  issue: number;
  participant: number;
  side: number | null;
  status: 'informed' | 'more_wanted';
  text: string;
  created_at: string;
}

export interface CaucusMessage {
  id: number;
  author: number | null;
  body: string;
  confidential: boolean;
  /** Who set the confidential mark (null when unmarked). */
  marked_by?: number | null;
  /** The confidentiality rule in force when it was said. */
  rule?: string;
  created_at: string;
}

export type NoteKind = 'interest' | 'priority' | 'bottom_line' | 'other';

export const NOTE_KINDS: readonly NoteKind[] = ['interest', 'priority', 'bottom_line', 'other'];

export const NOTE_KIND_LABELS: Record<NoteKind, string> = {
  interest: 'Interest',
  priority: 'Priority',
  bottom_line: 'Bottom line',
  other: 'Note',
};

export type NoteVisibility = 'room' | 'own';

export interface CaucusNote {
  id: number;
  issue: number;
  kind: NoteKind;
  /** "room": read by the caucus room, the mediator included; "own": by its author alone. */
  visibility?: NoteVisibility;
  text: string;
  confidential: boolean;
  /** Who set the confidential mark (null when unmarked). */
  marked_by?: number | null;
  /** The strictest confidentiality rule it was written under. */
  rule?: string;
  author: number | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface Worksheet {
  id: number;
  issue: number;
  best_alternative: string;
  worst_alternative: string;
  likely_court_outcome: string;
  /** Money as strings with two decimals, as the server sends them. */
  court_cost: string | null;
  court_months: number | null;
  confidence: number | null;
  range_low: string | null;
  range_high: string | null;
  /** Whether the sides' ranges overlapped when the mediator last checked; null: never checked. */
  overlap: boolean | null;
  overlap_checked_at: string | null;
  updated_by: number | null;
  version: number;
  updated_at: string;
}

export type ReleaseStatus = 'pending' | 'released' | 'declined';
export type ReleaseMode = 'as_worded' | 'paraphrase' | 'existence';
export type Attribution = 'side' | 'mediator';

export interface ReleaseRequest {
  id: number;
  issue: number | null;
  /** The caucus message or note it asks about, if it names one. */
  message?: number | null;
  note?: number | null;
  text: string;
  drafted_by: number | null;
  status: ReleaseStatus;
  mode: ReleaseMode | '';
  attribution: Attribution | '';
  released_text: string;
  answered_by: number | null;
  answered_at: string | null;
  version: number;
  created_at: string;
}

export interface CaucusState {
  seq: number;
  messages: Readonly<Record<number, CaucusMessage>>;
  notes: Readonly<Record<number, CaucusNote>>;
  worksheets: Readonly<Record<number, Worksheet>>;
  releases: Readonly<Record<number, ReleaseRequest>>;
  /** The side's opening statement (one at most), before and after it is shown. */
  openings: Readonly<Record<number, OpeningStatement>>;
  documents?: Readonly<Record<number, SharedDocument>>;
  information?: Readonly<Record<number, InformationCheck>>;
}

export interface CaucusData {
  messages?: CaucusMessage[];
  notes?: CaucusNote[];
  worksheets?: Worksheet[];
  releases?: ReleaseRequest[];
  openings?: OpeningStatement[];
  documents?: SharedDocument[];
  information?: InformationCheck[];
}

type Part = 'messages' | 'notes' | 'worksheets' | 'releases' | 'openings' | 'documents' | 'information';

/** Which part of the room each event (and each command's result) upserts. */
const EVENT_PART: Record<string, Part> = {
  'caucus_message.posted': 'messages',
  'caucus_message.updated': 'messages',
  'caucus_note.added': 'notes',
  'caucus_note.updated': 'notes',
  'reality_check.updated': 'worksheets',
  'release.requested': 'releases',
  'release.answered': 'releases',
  'opening.saved': 'openings',
  'document.shared': 'documents',
  'document.updated': 'documents',
  'document.withdrawn': 'documents',
  'information.checked': 'information',
};

const RESULT_PART: Record<string, Part> = {
  'caucus_message.post': 'messages',
  'caucus_message.mark': 'messages',
  'caucus_note.add': 'notes',
  'caucus_note.update': 'notes',
  'reality_check.set': 'worksheets',
  'release.request': 'releases',
  'release.answer': 'releases',
  'release.share': 'releases',
  'opening.set': 'openings',
};

/** The room key of a side's caucus, and the side of a caucus room key. */
export function caucusKey(side: number): string {
  return `caucus:${side}`;
}

export function sideOfRoom(room: string): number | null {
  const match = /^caucus:(\d+)$/.exec(room);
  return match ? Number(match[1]) : null;
}

export function emptyCaucus(): CaucusState {
  return { seq: 0, messages: {}, notes: {}, worksheets: {}, releases: {}, openings: {}, documents: {}, information: {} };
}

/** The state after `frame`, and what became of it. Never mutates `state`. */
export function applyCaucusFrame(state: CaucusState, frame: RoomFrame): { state: CaucusState; outcome: Outcome } {
  const outcome = frameOutcome(state.seq, frame);
  if (outcome !== 'applied') return { state, outcome };
  if (frame.type === 'snapshot') {
    const data = (isRecord(frame.data) ? frame.data : {}) as CaucusData;
    return {
      state: {
        seq: frame.seq,
        messages: byId(data.messages ?? []),
        notes: byId(data.notes ?? []),
        worksheets: byId(data.worksheets ?? []),
        releases: byId(data.releases ?? []),
        openings: byId(data.openings ?? []),
        documents: byId(data.documents ?? []),
        information: byId(data.information ?? []),
      },
      outcome,
    };
  }
  // `access.revoked` (someone else left the room) and names this client does not know
  // change nothing but the seq.
  const part = EVENT_PART[frame.name];
  const next = part && isRecord(frame.data) ? upsert(state, part, frame.data) : state;
  return { state: { ...next, seq: frame.seq }, outcome };
}

/** Fold a command's result into the room ahead of its event; `seq` does not move. */
export function applyCaucusResult(state: CaucusState, name: string, result: unknown): CaucusState {
  const part = RESULT_PART[name];
  return part && isRecord(result) ? upsert(state, part, result) : state;
}

/** Insert or replace by id; an object held at a newer version is kept. */
function upsert(state: CaucusState, part: Part, data: Record<string, unknown>): CaucusState {
  const id = data.id;
  if (typeof id !== 'number') return state;
  const items = (state[part] ?? {}) as Readonly<Record<number, { version?: number }>>;
  const held = items[id];
  if (held && typeof held.version === 'number' && typeof data.version === 'number' && held.version > data.version) {
    return state;
  }
  return { ...state, [part]: { ...items, [id]: data } };
}

// --- selectors ---------------------------------------------------------------------------

export function messagesOf(state: CaucusState): CaucusMessage[] {
  return sorted(state.messages);
}

export function notesOf(state: CaucusState, issue?: number): CaucusNote[] {
  return sorted(state.notes).filter((n) => issue === undefined || n.issue === issue);
}

export function worksheetOf(state: CaucusState, issue: number): Worksheet | null {
  return Object.values(state.worksheets).find((w) => w.issue === issue) ?? null;
}

/** The side's opening statement in its private room, if one was written. */
export function openingOf(state: CaucusState | undefined): OpeningStatement | null {
  return state ? (sorted(state.openings)[0] ?? null) : null;
}

export function releasesOf(state: CaucusState, status?: ReleaseStatus): ReleaseRequest[] {
  return sorted(state.releases).filter((r) => status === undefined || r.status === status);
}

/**
 * Messages someone else wrote after the last one this person saw: the unread count of a
 * room. `lastSeen` is the id of the newest message seen (0: none yet).
 */
export function unreadCount(state: CaucusState | undefined, lastSeen: number, me: number | null): number {
  if (!state) return 0;
  let count = 0;
  for (const message of Object.values(state.messages)) {
    if (message.id > lastSeen && message.author !== me) count += 1;
  }
  return count;
}

/** The id of the newest message in the room (0 when there is none): what "seen" records. */
export function newestMessageId(state: CaucusState | undefined): number {
  if (!state) return 0;
  let newest = 0;
  for (const id of Object.keys(state.messages)) newest = Math.max(newest, Number(id));
  return newest;
}

/**
 * What the overlap check says to this side, in words, or null when the mediator has not
 * checked. The other side's figures are never here: the server sends only yes or no.
 */
export function overlapSentence(sheet: Worksheet | null): string | null {
  if (!sheet || sheet.overlap === null || sheet.overlap === undefined) return null;
  return sheet.overlap ? 'Your ranges overlap.' : 'Your ranges do not overlap.';
}

/** True when the range was edited after the mediator's last check, so the answer may be old. */
export function overlapIsStale(sheet: Worksheet | null): boolean {
  if (!sheet?.overlap_checked_at) return false;
  return Date.parse(sheet.updated_at) > Date.parse(sheet.overlap_checked_at) + 1000;
}

/** "A paraphrase", "As worded", … for a release already answered. */
export function releaseOutcome(request: ReleaseRequest): string {
  if (request.status === 'pending') return 'Waiting for the party to decide';
  if (request.status === 'declined') return 'Not shared';
  const how = { as_worded: 'Shared as worded', paraphrase: 'Shared as a paraphrase', existence: 'Shared only that an option exists' };
  const mode = request.mode === '' ? 'as_worded' : request.mode;
  const through = request.attribution === 'mediator' ? ', through the mediator' : ', from the side';
  return `${how[mode]}${through}`;
}

function sorted<T extends { id: number }>(items: Readonly<Record<number, T>>): T[] {
  return Object.values(items).sort((a, b) => a.id - b.id);
}

function byId<T extends { id: number }>(items: readonly T[]): Record<number, T> {
  const out: Record<number, T> = {};
  for (const item of items) if (typeof item?.id === 'number') out[item.id] = item;
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
