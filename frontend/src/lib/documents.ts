/**
 * Documents and the party's word on the information they have, as the screens show them.
 * Pure: the server decides (services/documents.py) and refuses an acceptance the rule
 * holds back with a clear error; `acceptHeldReason` only says so ahead, from the same
 * data the server sent, so the Accept choice is shown disabled with its reason.
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

/**
 * Why this party cannot accept a proposal on `issue` yet, or null: the issue's rule
 * (every side opens its joint documents; the party says they have what they need since
 * the last was shared). Mirrors services/documents.acceptance_check, which decides.
 */
export function acceptHeldReason(
  issue: Pick<Issue, 'id' | 'documents_required'>,
  board: BoardState,
  sides: readonly { id: number; name: string }[],
  mySide: number | null,
  check: InformationCheck | null,
): string | null {
  if (!issue.documents_required) return null;
  const joint = Object.values(board.documents ?? {}).filter(
    (d) => d.issue === issue.id && d.room === 'joint' && d.withdrawn_at === null,
  );
  const waiting = sides.filter((side) => joint.some((d) => !d.opened_sides.includes(side.id)));
  if (waiting.some((side) => side.id === mySide)) return 'Open this issue’s documents before accepting: every side reads them first.';
  if (waiting.length > 0) return `Every side opens this issue’s documents first: waiting for ${waiting.map((s) => s.name).join(', ')}.`;
  const newest = joint.reduce<string | null>((acc, d) => (acc === null || d.created_at > acc ? d.created_at : acc), null);
  if (!check || check.status !== 'informed' || (newest !== null && check.created_at < newest)) {
    return 'Say you have the information you need to decide, or ask for more, first.';
  }
  return null;
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
