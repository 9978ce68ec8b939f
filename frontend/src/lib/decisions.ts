/**
 * Agreed and Struck take every side (docs/protocol.md, "Agreed and Struck take every
 * side"), and a parked card carries its way back. What a move to a lane means for this
 * person, what a card's decisions say, and when a parked card is due: pure functions over
 * the card and the rights the server published.
 */
import type { Decision, IssueCard, Lane } from './boardTypes';
import { LANE_LABELS } from './boardTypes';
import { canMarkAgreed, canReopen, strikeRight, type Rights } from './rights';

/** What a move of a card to a lane takes for this person. */
export type MoveIntent =
  | { kind: 'move' }
  | { kind: 'park' }
  | { kind: 'mark_agreed' }
  | { kind: 'ask_strike' }
  | { kind: 'reopen'; lane: Lane }
  | { kind: 'refused'; message: string };

export const AGREED_TAKES_EVERY_SIDE =
  'An issue is agreed when every side accepts a proposal on it, or confirms the mediator’s wording.';

export function moveIntent(issue: Pick<IssueCard, 'lane'>, lane: Lane, rights: Rights | null | undefined): MoveIntent {
  if (lane === issue.lane) return { kind: 'move' };
  if (issue.lane === 'agreed' || issue.lane === 'struck') {
    if (!canReopen(rights)) {
      return {
        kind: 'refused',
        message: issue.lane === 'agreed' ? 'Only the mediator reopens an agreed issue.' : 'Only the mediator restores a struck issue.',
      };
    }
    if (lane === 'agreed') return { kind: 'refused', message: AGREED_TAKES_EVERY_SIDE };
    return { kind: 'reopen', lane };
  }
  if (lane === 'agreed') {
    return canMarkAgreed(rights) ? { kind: 'mark_agreed' } : { kind: 'refused', message: AGREED_TAKES_EVERY_SIDE };
  }
  if (lane === 'struck') {
    const right = strikeRight(rights);
    if (right === 'now') return { kind: 'move' };
    if (right === 'ask') return { kind: 'ask_strike' };
    return { kind: 'refused', message: 'Striking an issue takes the mediator or every side.' };
  }
  if (lane === 'parked') return { kind: 'park' };
  return { kind: 'move' };
}

/** How the move menu names a move to `lane`, or null when this person cannot make it. */
export function moveLabel(issue: Pick<IssueCard, 'lane'>, lane: Lane, rights: Rights | null | undefined): string | null {
  const intent = moveIntent(issue, lane, rights);
  switch (intent.kind) {
    case 'refused':
      return null;
    case 'park':
      return 'Parked…';
    case 'mark_agreed':
      return 'Mark as agreed…';
    case 'ask_strike':
      return 'Ask to strike…';
    case 'reopen':
      return `Reopen, to ${LANE_LABELS[lane]}…`;
    default:
      return LANE_LABELS[lane];
  }
}

/** The decision that put the card in Agreed or Struck, if it is there by one. */
export function standingDecision(issue: Pick<IssueCard, 'lane' | 'decisions'>): Decision | undefined {
  const kind = issue.lane === 'agreed' ? 'agree' : issue.lane === 'struck' ? 'strike' : null;
  if (kind === null) return undefined;
  return [...issue.decisions].reverse().find((d) => d.kind === kind && d.status === 'done');
}

/** Decisions waiting for every side, oldest first. */
export function waitingDecisions(issue: Pick<IssueCard, 'decisions'>): Decision[] {
  return issue.decisions.filter((d) => d.status === 'open');
}

/** Decisions no longer standing or waiting: declined, withdrawn, reopened. Newest first. */
export function pastDecisions(issue: Pick<IssueCard, 'lane' | 'decisions'>): Decision[] {
  const standing = standingDecision(issue);
  return issue.decisions.filter((d) => d.status !== 'open' && d !== standing).reverse();
}

export interface WayBack {
  reason: string;
  condition: string;
  /** The time to come back, as an ISO string, or null. */
  until: string | null;
  /** Its time has come. */
  due: boolean;
}

/** A parked card's reason and way back, or null for a card not parked. */
export function wayBack(issue: IssueCard, now: number = Date.now()): WayBack | null {
  if (issue.lane !== 'parked') return null;
  const until = issue.parked_until;
  const at = until === null ? NaN : Date.parse(until);
  return {
    reason: issue.parked_reason,
    condition: issue.parked_condition,
    until,
    due: issue.parked_due_told_at !== null || (Number.isFinite(at) && at <= now),
  };
}

/** A time as a person reads it: "Tue 3 Dec, 10:00". */
export function whenText(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/**
 * The value of a `datetime-local` input as an ISO time with its offset (the browser's
 * own zone), or null when empty or not a time.
 */
export function localInputToIso(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** An ISO time as a `datetime-local` input's value, in the browser's zone. */
export function isoToLocalInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
