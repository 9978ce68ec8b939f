/**
 * The rounds on an issue (docs/protocol.md, "Rounds on an issue"): a brainstorm round,
 * during which options are added without names and nobody judges them, and sealed
 * positions, which nobody but their own side sees until every side has submitted.
 *
 * Pure: the board's state holds the rounds as everyone sees them (board.ts applies
 * their events); a side's own sealed submissions come to that side alone
 * (`sealed.mine` frames and `GET …/sealed/mine/`), and boardSession.ts holds them.
 */

export type BrainstormStatus = 'open' | 'ended';

export interface BrainstormRound {
  id: number;
  issue: number;
  status: BrainstormStatus;
  started_at: string;
  ended_at: string | null;
}

export type SealedStatus = 'waiting' | 'revealed' | 'cancelled';
export type SealedAsks = 'figure' | 'text' | 'either';

export interface SealedRevealed {
  side: number;
  amount: string | null;
  text: string;
}

export interface SealedRound {
  id: number;
  issue: number;
  asks: SealedAsks;
  prompt: string;
  status: SealedStatus;
  asked_at: string;
  closed_at: string | null;
  /** Empty until the round is revealed: then every side's, in side order. */
  submissions: SealedRevealed[];
}

/** This side's own submission to a round still waiting. */
export interface SealedOwn {
  round: number;
  side: number;
  amount: string | null;
  text: string;
  version: number;
}

export const SEALED_ASKS: Record<SealedAsks, string> = {
  either: 'A figure, words, or both',
  figure: 'A figure',
  text: 'A position in words',
};

const BRAINSTORM_STEP: Record<BrainstormStatus, number> = { open: 0, ended: 1 };
const SEALED_STEP: Record<SealedStatus, number> = { waiting: 0, revealed: 1, cancelled: 1 };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A round only moves on (open, ended; waiting, revealed or cancelled). */
export function upsertBrainstorm(
  held: Readonly<Record<number, BrainstormRound>>,
  data: unknown,
): Readonly<Record<number, BrainstormRound>> {
  if (!isRecord(data) || typeof data.id !== 'number') return held;
  const incoming = data as unknown as BrainstormRound;
  const old = held[incoming.id];
  if (old && BRAINSTORM_STEP[old.status] > BRAINSTORM_STEP[incoming.status]) return held;
  return { ...held, [incoming.id]: incoming };
}

export function upsertSealed(
  held: Readonly<Record<number, SealedRound>>,
  data: unknown,
): Readonly<Record<number, SealedRound>> {
  if (!isRecord(data) || typeof data.id !== 'number') return held;
  const incoming = data as unknown as SealedRound;
  const old = held[incoming.id];
  if (old && SEALED_STEP[old.status] > SEALED_STEP[incoming.status]) return held;
  return { ...held, [incoming.id]: incoming };
}

/** The brainstorm round open on an issue, if any. */
export function openBrainstorm(
  rounds: Readonly<Record<number, BrainstormRound>> | undefined,
  issue: number,
): BrainstormRound | null {
  return Object.values(rounds ?? {}).find((r) => r.issue === issue && r.status === 'open') ?? null;
}

/** The latest sealed round on an issue (waiting, or how the last one ended), if any. */
export function latestSealed(
  rounds: Readonly<Record<number, SealedRound>> | undefined,
  issue: number,
): SealedRound | null {
  const mine = Object.values(rounds ?? {}).filter((r) => r.issue === issue);
  return mine.sort((a, b) => b.id - a.id)[0] ?? null;
}

/** The own submissions held, with one more from a `sealed.mine` frame or an answer. */
export function withOwn(held: Readonly<Record<number, SealedOwn>>, data: unknown): Readonly<Record<number, SealedOwn>> {
  if (!isRecord(data) || typeof data.round !== 'number' || typeof data.version !== 'number') return held;
  const incoming: SealedOwn = {
    round: data.round,
    side: Number(data.side),
    amount: typeof data.amount === 'string' ? data.amount : null,
    text: typeof data.text === 'string' ? data.text : '',
    version: data.version,
  };
  const old = held[incoming.round];
  if (old && old.version > incoming.version) return held;
  return { ...held, [incoming.round]: incoming };
}
