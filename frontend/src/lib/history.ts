/**
 * The board's history in words: one sentence per change between two snapshots, or per
 * change in an issue's history (the server lists them: negotiation/history.py).
 */
import type { Change, SnapshotItem, SnapshotReason } from './api';
import { LANE_LABELS, type Lane } from './boardTypes';
import { whenText } from './decisions';

export const REASON_LABELS: Record<SnapshotReason, string> = {
  periodic: 'Every few minutes',
  stage: 'Stage changed',
  agreed: 'Issue agreed',
  session_end: 'Session ended',
  on_demand: 'On demand',
};

const STAGES: Record<string, string> = {
  opening: 'Opening statements',
  joint_discussion: 'Joint discussion',
  caucus: 'Private caucus',
  joint_negotiation: 'Joint negotiation',
  closing: 'Closing',
};

const ANSWERS: Record<string, string> = {
  accept: 'accepted',
  reject: 'rejected',
  counter: 'countered',
  considering: 'is considering',
};

/** A snapshot in a picker: when, why, and its place in the log (two taken in one minute differ). */
export function snapshotLabel(snapshot: SnapshotItem): string {
  return `${whenText(snapshot.created_at)} · #${snapshot.seq} · ${REASON_LABELS[snapshot.reason] ?? snapshot.reason}`;
}

function lane(value: unknown): string {
  return typeof value === 'string' && value in LANE_LABELS ? LANE_LABELS[value as Lane] : String(value ?? '');
}

function quoted(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  return text ? `“${text}”` : 'nothing';
}

/** One change in words. `sideName` names a side by its id. */
export function changeText(change: Change, sideName: (side: number | null | undefined) => string): string {
  const side = sideName(change.side);
  switch (change.what) {
    case 'stage.changed':
      return `The stage moved from ${STAGES[String(change.before)] ?? change.before} to ${STAGES[String(change.after)] ?? change.after}.`;
    case 'issue.added':
      return `Issue added to ${lane(change.lane)}.`;
    case 'issue.edited':
      return `${change.field === 'title' ? 'Title' : 'Description'} changed from ${quoted(change.before)} to ${quoted(change.after)}.`;
    case 'issue.moved':
      return `Moved from ${lane(change.before)} to ${lane(change.after)}.`;
    case 'issue.parked': {
      const way = [change.parked_condition, change.parked_until ? `until ${whenText(change.parked_until)}` : '']
        .filter(Boolean)
        .join(', ');
      return `Parked: ${change.parked_reason || 'no reason given'}${way ? ` (back: ${way})` : ''}.`;
    }
    case 'issue.agreed':
      return 'Agreed by every side.';
    case 'issue.struck':
      return 'Struck from the board.';
    case 'position.set':
      return `${side}’s position: ${quoted(change.after)}${change.before ? ` (was ${quoted(change.before)})` : ''}.`;
    case 'proposal.added':
      return `${change.side ? side : 'The mediator'} proposed ${quoted(change.terms)}.`;
    case 'proposal.withdrawn':
      return `Proposal ${quoted(change.terms)} withdrawn.`;
    case 'proposal.accepted':
      return `Proposal ${quoted(change.terms)} accepted by every side.`;
    case 'response.set':
      return `${side} ${ANSWERS[String(change.after)] ?? change.after} a proposal.`;
    case 'comment.added':
      return `Comment: ${quoted(change.body)}.`;
    case 'statement.released':
      return `Shared from a private room: ${quoted(change.text)}.`;
    default: {
      const [kind, verb] = change.what.split('.');
      const noun = kind === 'criterion' ? 'Criterion' : kind ? kind[0]!.toUpperCase() + kind.slice(1) : 'Item';
      if (verb === 'added') return `${noun} added${change.text ? `: ${quoted(change.text)}` : ''}.`;
      if (verb === 'edited') return `${noun} changed to ${quoted(change.after)}.`;
      if (verb === 'struck') return `${noun} struck through: ${quoted(change.text)}.`;
      if (verb === 'restored') return `${noun} back in: ${quoted(change.text)}.`;
      if (verb === 'changed') return `${noun} changed (${(change.fields ?? []).join(', ')}).`;
      return change.what;
    }
  }
}

/** Changes grouped by issue, in the order they came; changes of no issue come first. */
export function byIssue(changes: readonly Change[]): { issue: number | null; title: string; changes: Change[] }[] {
  const groups: { issue: number | null; title: string; changes: Change[] }[] = [];
  for (const change of changes) {
    const issue = typeof change.issue === 'number' ? change.issue : null;
    let group = groups.find((g) => g.issue === issue);
    if (!group) {
      group = { issue, title: change.title ?? '', changes: [] };
      if (issue === null) groups.unshift(group);
      else groups.push(group);
    }
    group.changes.push(change);
  }
  return groups;
}
