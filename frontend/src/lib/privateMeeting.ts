/**
 * Where the mediator is, as the rest of the table sees it: while the mediator meets one
 * side privately, everyone of another side is told so, with how long it has been going,
 * and never more. That a side is in caucus is public (the joint room's caucus sessions);
 * what is said there is not, and the line reads the same whichever side it is.
 */
import type { BoardState, CaucusSession } from './boardTypes';

export const MEETING_ELSEWHERE = 'The mediator is meeting privately with the other side';

/**
 * When the mediator's private meeting with another side than `mySide` began (the
 * earliest, if several run), or null: none runs, or this person has no side (the
 * mediator, an observer), or the meeting is with their own side.
 */
export function meetingElsewhereSince(state: BoardState, mySide: number | null): number | null {
  if (mySide === null) return null;
  const began = Object.values(state.caucuses)
    .filter((c: CaucusSession) => c.status === 'open' && c.side !== mySide && c.opened_at !== null)
    .map((c) => Date.parse(c.opened_at ?? ''))
    .filter((t) => !Number.isNaN(t));
  return began.length > 0 ? Math.min(...began) : null;
}

/** "under a minute", "12 min", "1 h 05 min": how long something has gone on. */
export function formatElapsed(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
