/**
 * Documents and the party's word on the information they have, as the screens show them.
 * Pure: the server decides (services/documents.py, acceptance_check) and refuses an
 * acceptance it holds back with a clear error; `acceptHeldReason` and `wordStands` only
 * say so ahead, from the same data the server sent: the Accept choice is shown disabled
 * with its reason, and the "I have the information I need" box ticked when the party's
 * word is already on record.
 */
import type { BoardState, Issue, SharedDocument } from './board';
import type { CaucusState, InformationCheck } from './caucus';

export const DOCUMENT_ACCEPT = '.pdf,.png,.jpg,.jpeg,.webp,.docx,.xlsx,.pptx,.odt,.ods,.txt,.csv';

/** The documents on an issue that this person sees: the joint room's and their private rooms'. */
export function documentsOn(
  board: BoardState,
  rooms: Readonly<Record<string, CaucusState>>,
  issue: number,
): SharedDocument[] {
  const all = [
    ...Object.values(board.documents ?? {}),
    ...Object.values(rooms).flatMap((room) => Object.values(room.documents ?? {})),
  ];
  return all.filter((d) => d.issue === issue && d.withdrawn_at === null).sort((a, b) => a.id - b.id);
}

/** The documents of one room still shared, on an issue or on none, oldest first. */
export function roomDocuments(documents: Readonly<Record<number, SharedDocument>> | undefined): SharedDocument[] {
  return Object.values(documents ?? {})
    .filter((d) => d.withdrawn_at === null)
    .sort((a, b) => a.id - b.id);
}

/** The latest word of a person on an issue, if any. */
export function latestCheck(
  room: CaucusState | undefined,
  participant: number | null,
  issue: number,
): InformationCheck | null {
  if (!room || participant === null) return null;
  const mine = Object.values(room.information ?? {}).filter((c) => c.participant === participant && c.issue === issue);
  mine.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id - b.id));
  return mine[mine.length - 1] ?? null;
}

/** The requests for more information in the rooms the mediator sees, newest first. */
export function informationRequests(rooms: Readonly<Record<string, CaucusState>>, issue: number): InformationCheck[] {
  const latest = new Map<number, InformationCheck>();
  for (const room of Object.values(rooms)) {
    for (const check of Object.values(room.information ?? {})) {
      if (check.issue !== issue) continue;
      const held = latest.get(check.participant);
      if (!held || held.created_at <= check.created_at) latest.set(check.participant, check);
    }
  }
  return [...latest.values()].filter((c) => c.status === 'more_wanted').sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
}

function jointDocumentsOn(board: BoardState, issue: number): SharedDocument[] {
  return Object.values(board.documents ?? {}).filter((d) => d.issue === issue && d.room === 'joint' && d.withdrawn_at === null);
}

/**
 * Why this party cannot accept anything on `issue` yet, or null: the issue's documents
 * rule (every side's party opens its joint-room documents first).
 */
export function acceptHeldReason(
  issue: Pick<Issue, 'id' | 'documents_required'>,
  board: BoardState,
  sides: readonly { id: number; name: string }[],
  mySide: number | null,
): string | null {
  if (!issue.documents_required) return null;
  const joint = jointDocumentsOn(board, issue.id);
  const waiting = sides.filter((side) => joint.some((d) => !d.opened_sides.includes(side.id)));
  if (waiting.some((side) => side.id === mySide)) return 'Open this issue’s documents before accepting: every side reads them first.';
  if (waiting.length > 0) return `Every side opens this issue’s documents first: waiting for ${waiting.map((s) => s.name).join(', ')}.`;
  return null;
}

/**
 * Whether the party's word "I have the information I need to decide" on `issue` still
 * stands: it is their latest, and no joint-room document was shared on the issue since.
 * Otherwise an acceptance gives it again.
 */
export function wordStands(issue: number, board: BoardState, check: InformationCheck | null): boolean {
  if (!check || check.status !== 'informed') return false;
  const newest = jointDocumentsOn(board, issue).reduce<string | null>(
    (acc, d) => (acc === null || d.created_at > acc ? d.created_at : acc),
    null,
  );
  return newest === null || check.created_at >= newest;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Where a document is shared, in words. */
export function roomLabel(room: string, sides: readonly { id: number; name: string }[]): string {
  if (room === 'joint') return 'Everyone';
  const side = sides.find((s) => `caucus:${s.id}` === room);
  return side ? `Private: ${side.name}’s room` : 'Private room';
}
