/**
 * An impasse on an issue, as the mediator's screens show it, and the perspective round
 * as everyone at the table sees it. What fits which cause, and what a round waits on,
 * are read from the server's data: nothing here decides a right.
 */
import type { PerspectiveRound, PerspectiveStatement } from './boardTypes';

export type Cause =
  | 'communication_breakdown'
  | 'lack_of_trust'
  | 'misunderstanding'
  | 'power_imbalance'
  | 'unrealistic_expectations'
  | 'emotional_barriers';

export type StrategyKind = 'perspective' | 'break' | 'park' | 'reality_check' | 'criteria' | 'alternatives' | 'professional';

export const CAUSES: readonly { value: Cause; label: string }[] = [
  { value: 'communication_breakdown', label: 'Communication breakdown' },
  { value: 'lack_of_trust', label: 'Lack of trust' },
  { value: 'misunderstanding', label: 'Misunderstanding' },
  { value: 'power_imbalance', label: 'Power imbalance' },
  { value: 'unrealistic_expectations', label: 'Unrealistic expectations' },
  { value: 'emotional_barriers', label: 'Emotional barriers' },
];

export const STRATEGY_LABELS: Record<StrategyKind, string> = {
  perspective: 'Each side’s perspective',
  break: 'Take a break',
  park: 'Set the issue aside',
  reality_check: 'Reality check',
  criteria: 'Objective criteria',
  alternatives: 'Generating alternatives',
  professional: 'Bring in a professional',
};

export const STRATEGY_HINTS: Record<StrategyKind, string> = {
  perspective: 'Each side writes the other’s view in its own words, until the other says “that’s right”.',
  break: 'A break for everyone: the board waits.',
  park: 'Park the issue with a way back.',
  reality_check: 'Open a side’s worksheet in its private room.',
  criteria: 'Standards neither side controls, with their sources.',
  alternatives: 'Options without names, judged only after the round.',
  professional: 'An expert on this issue, for a set time.',
};

/** What everyone but the mediators sees of an impasse. */
export const TRYING_ANOTHER_WAY = 'We are trying another way';

export interface StrategyAttempt {
  id: number;
  kind: StrategyKind;
  side: number | null;
  invitation: number | null;
  expert: number | null;
  perspective: number | null;
  started_by: number | null;
  started_at: string;
  ended_by: number | null;
  ended_at: string | null;
  outcome: '' | 'helped' | 'did_not_help';
  note: string;
}

export interface Impasse {
  id: number;
  issue: number;
  causes: Cause[];
  note: string;
  suggestions: StrategyKind[];
  started_by: number | null;
  started_at: string;
  cleared_by: number | null;
  cleared_at: string | null;
  version: number;
  attempts: StrategyAttempt[];
}

export interface PerspectiveDraft {
  id: number;
  round: number;
  text: string;
  updated_at: string;
}

export const ALL_STRATEGIES: readonly StrategyKind[] = ['perspective', 'break', 'park', 'reality_check', 'criteria', 'alternatives', 'professional'];

/** The suggested strategies first (the server's order), then the others. */
export function strategiesInOrder(impasse: Impasse): { kind: StrategyKind; suggested: boolean }[] {
  const rest = ALL_STRATEGIES.filter((kind) => !impasse.suggestions.includes(kind));
  return [...impasse.suggestions.map((kind) => ({ kind, suggested: true })), ...rest.map((kind) => ({ kind, suggested: false }))];
}

/** The open impasse on an issue, if any (the newest wins). */
export function openImpasseOf(impasses: readonly Impasse[], issue: number): Impasse | null {
  const open = impasses.filter((i) => i.issue === issue && i.cleared_at === null);
  return open[open.length - 1] ?? null;
}

/** Upsert an impasse by id, keeping a newer version held. */
export function mergeImpasse(list: readonly Impasse[], incoming: Impasse): Impasse[] {
  const index = list.findIndex((i) => i.id === incoming.id);
  if (index < 0) return [...list, incoming];
  const held = list[index];
  if (held && held.version > incoming.version) return [...list];
  const copy = [...list];
  copy[index] = incoming;
  return copy;
}

/** Where one side's statement of the other's view stands. */
export type TurnState =
  | { step: 'write'; turn: number; last: PerspectiveStatement | null }
  | { step: 'answer'; statement: PerspectiveStatement }
  | { step: 'confirmed'; statement: PerspectiveStatement };

export function latestOf(round: PerspectiveRound, writerSide: number): PerspectiveStatement | null {
  let latest: PerspectiveStatement | null = null;
  for (const statement of round.statements) {
    if (statement.writer_side === writerSide && (latest === null || statement.turn > latest.turn)) latest = statement;
  }
  return latest;
}

/** Writer side `side`'s turn: write (first, or again after a correction), wait for the answer, or done. */
export function turnOf(round: PerspectiveRound, side: number): TurnState {
  const last = latestOf(round, side);
  if (last === null) return { step: 'write', turn: 1, last: null };
  if (last.answer === 'confirmed') return { step: 'confirmed', statement: last };
  if (last.answer === 'corrected') return { step: 'write', turn: last.turn + 1, last };
  return { step: 'answer', statement: last };
}

export function otherSide(round: PerspectiveRound, side: number): number {
  return round.sides[0] === side ? round.sides[1] : round.sides[0];
}

export function roundsOf(rounds: Readonly<Record<number, PerspectiveRound>>, issue: number): PerspectiveRound[] {
  return Object.values(rounds)
    .filter((round) => round.issue === issue)
    .sort((a, b) => a.started_at.localeCompare(b.started_at) || a.id - b.id);
}
