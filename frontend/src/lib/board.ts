/**
 * The joint board as the client holds it, and the pure functions that keep it in step
 * with the server (docs/protocol.md, "Keeping a client in step").
 *
 * Nothing here talks to the network or touches the DOM: socket.ts feeds frames in, the
 * screens read the state out through the selectors at the bottom.
 */

export * from './boardTypes';
import { LANES } from './boardTypes';
import { upsertBrainstorm, upsertSealed } from './rounds';
import type {
  Lane,
  IssueCard,
  ProposalResponse,
  Proposal,
  Issue,
  CaucusStatus,
  CaucusSession,
  MediationState,
  SharedStatement,
  OpeningStatement,
  SharedDocument,
  PerspectiveRound,
  BoardState,
  JointData,
  RoomFrame,
  Outcome,
} from './boardTypes';

export function emptyBoard(): BoardState {
  return {
    seq: 0, issues: {}, mediation: null, caucuses: {}, statements: {}, openings: {}, documents: {},
    perspectives: {}, brainstorms: {}, sealed: {},
  };
}

/** Where a frame stands against a room's last applied seq (docs/protocol.md, step 3). */
export function frameOutcome(seq: number, frame: RoomFrame): Outcome {
  if (frame.type === 'snapshot') return 'applied';
  if (frame.seq <= seq) return 'duplicate';
  return frame.seq === seq + 1 ? 'applied' : 'gap';
}

/**
 * The state after `frame`, and what became of it. Never mutates `state`. An event this
 * client does not know (a newer server's) still moves `seq` on, or the room would stall.
 */
export function applyFrame(state: BoardState, frame: RoomFrame): { state: BoardState; outcome: Outcome } {
  const outcome = frameOutcome(state.seq, frame);
  if (outcome !== 'applied') return { state, outcome };
  if (frame.type === 'snapshot') {
    const data: JointData = isRecord(frame.data) ? frame.data : {};
    const issues: Record<number, Issue> = {};
    for (const issue of data.issues ?? []) issues[issue.id] = normaliseIssue(issue);
    return {
      state: {
        seq: frame.seq,
        issues,
        mediation: isRecord(data.mediation) ? data.mediation : null,
        caucuses: byId(data.caucuses ?? []),
        statements: byId(data.statements ?? []),
        openings: byId(data.openings ?? []),
        documents: byId(data.documents ?? []),
        perspectives: byId(data.perspectives ?? []),
        brainstorms: byId(data.brainstorms ?? []),
        sealed: byId(data.sealed ?? []),
      },
      outcome,
    };
  }
  return { state: { ...applyJointEvent(state, frame.name, frame.data), seq: frame.seq }, outcome };
}

/** Events about the session rather than the issues; the rest go to applyEvent. */
function applyJointEvent(state: BoardState, name: string, data: unknown): BoardState {
  if (!isRecord(data)) return state;
  switch (name) {
    case 'caucus.updated': {
      const caucuses = upsertCaucus(state.caucuses, data);
      return caucuses === state.caucuses ? state : { ...state, caucuses };
    }
    case 'mediation.updated':
      return { ...state, mediation: data as unknown as MediationState };
    case 'openings.shown':
      return { ...state, openings: byId(Array.isArray(data.openings) ? (data.openings as OpeningStatement[]) : []) };
    case 'opening.saved': {
      if (typeof data.id !== 'number') return state;
      const held = state.openings[data.id];
      if (held && held.version >= numberOr(data.version, 0)) return state;
      return { ...state, openings: { ...state.openings, [data.id]: data as unknown as OpeningStatement } };
    }
    case 'perspective.updated': {
      if (typeof data.id !== 'number') return state;
      const held = state.perspectives[data.id];
      if (held && held.version > numberOr(data.version, 0)) return state;
      return { ...state, perspectives: { ...state.perspectives, [data.id]: data as unknown as PerspectiveRound } };
    }
    case 'brainstorm.started':
    case 'brainstorm.ended':
      return { ...state, brainstorms: upsertBrainstorm(state.brainstorms, data) };
    case 'sealed.asked':
    case 'sealed.revealed':
    case 'sealed.cancelled':
      return { ...state, sealed: upsertSealed(state.sealed, data) };
    case 'statement.released':
      if (typeof data.id !== 'number') return state;
      return { ...state, statements: { ...state.statements, [data.id]: data as unknown as SharedStatement } };
    case 'document.shared':
    case 'document.updated':
    case 'document.withdrawn':
      if (typeof data.id !== 'number') return state;
      return { ...state, documents: { ...(state.documents ?? {}), [data.id]: data as unknown as SharedDocument } };
    // Who is at the table and who left it: the screens hear of these (boardSession.ts),
    // the board's state holds none of it.
    case 'participant.joined':
    case 'participant.updated':
    case 'side.added':
    case 'access.revoked':
      return state;
    default: {
      const issues = applyEvent(state.issues, name, data);
      return issues === state.issues ? state : { ...state, issues };
    }
  }
}

const CAUCUS_STEP: Record<CaucusStatus, number> = { called: 0, open: 1, closed: 2 };

/** A caucus only moves on (called, open, closed): an older word about it never wins. */
function upsertCaucus(
  caucuses: Readonly<Record<number, CaucusSession>>,
  data: Record<string, unknown>,
): Readonly<Record<number, CaucusSession>> {
  if (typeof data.id !== 'number') return caucuses;
  const incoming = data as unknown as CaucusSession;
  const held = caucuses[incoming.id];
  if (held && (CAUCUS_STEP[held.status] ?? 0) > (CAUCUS_STEP[incoming.status] ?? 0)) return caucuses;
  return { ...caucuses, [incoming.id]: incoming };
}

function byId<T extends { id: number }>(items: readonly T[]): Record<number, T> {
  const out: Record<number, T> = {};
  for (const item of items) out[item.id] = item;
  return out;
}

/**
 * Fold a command's result (from its `ack`) into the state, ahead of its event: the ack
 * can arrive before the event does, and a client composing its next command needs the
 * version the server has now. An object already held at a newer version is kept, so a
 * stored result replayed for a repeated command never rolls anything back. `seq` does
 * not move: the event still comes and is applied as usual.
 */
export function applyResult(state: BoardState, name: string, result: unknown): BoardState {
  if (!isRecord(result)) return state;
  if (name === 'perspective.submit' || name === 'perspective.answer') {
    return applyJointEvent(state, 'perspective.updated', result);
  }
  if (name === 'caucus.call' || name === 'caucus.open' || name === 'caucus.close') {
    const caucuses = upsertCaucus(state.caucuses, result);
    return caucuses === state.caucuses ? state : { ...state, caucuses };
  }
  // Mediation state carries no version to tell an old result from a new one: its
  // event, which comes in order, is what changes it.
  const issues = applyUpsert(state.issues, RESULT_AS_EVENT[name], result);
  return issues === state.issues ? state : { ...state, issues };
}

/** Which event a command's result looks like. */
const RESULT_AS_EVENT: Record<string, string> = {
  'issue.create': 'issue.created',
  'issue.update': 'issue.updated',
  'issue.move': 'issue.updated',
  'issue.park_edit': 'issue.updated',
  'issue.unpark': 'issue.updated',
  'decision.propose': 'issue.updated',
  'decision.answer': 'issue.updated',
  'decision.withdraw': 'issue.updated',
  'position.set': 'position.set',
  'interest.add': 'interest.added',
  'interest.update': 'interest.updated',
  'option.add': 'option.added',
  'option.update': 'option.updated',
  'criterion.add': 'criterion.added',
  'criterion.update': 'criterion.updated',
  'comment.add': 'comment.added',
  'proposal.create': 'proposal.created',
  'proposal.respond': 'response.set',
  'proposal.withdraw': 'proposal.withdrawn',
};

type Issues = Readonly<Record<number, Issue>>;

export const NESTED: Record<string, keyof Pick<Issue, 'positions' | 'interests' | 'options' | 'criteria' | 'comments' | 'proposals'>> = {
  position: 'positions',
  interest: 'interests',
  option: 'options',
  criterion: 'criteria',
  comment: 'comments',
  proposal: 'proposals',
};

function applyEvent(issues: Issues, name: string, data: unknown): Issues {
  if (!isRecord(data)) return issues;
  if (name === 'issue.moved') {
    const card = data.issue;
    let next = isRecord(card) ? applyUpsert(issues, 'issue.updated', card) : issues;
    // A card already held at a newer version (from an ack) keeps its place too.
    const stale = isRecord(card) && next === issues && typeof card.id === 'number' ? card.id : null;
    const orders = isRecord(data.orders) ? data.orders : {};
    for (const [key, order] of Object.entries(orders)) {
      const id = Number(key);
      if (id === stale) continue;
      const held = next[id];
      if (held && typeof order === 'number' && held.order !== order) {
        next = { ...next, [id]: { ...held, order } };
      }
    }
    return next;
  }
  return applyUpsert(issues, name, data);
}

/** Every event carries the full object: insert it, or replace the one with its id. */
function applyUpsert(issues: Issues, name: string | undefined, data: Record<string, unknown>): Issues {
  if (name === undefined) return issues;
  const id = data.id;
  if (typeof id !== 'number') return issues;

  if (name === 'issue.created') {
    const held = issues[id];
    if (held && held.version > numberOr(data.version, 0)) return issues;
    return { ...issues, [id]: normaliseIssue(data as unknown as Issue) };
  }
  if (name === 'issue.updated') {
    const held = issues[id];
    const card = cardOf(data);
    if (!held) return { ...issues, [id]: normaliseIssue(card as Issue) };
    if (held.version > card.version) return issues;
    return { ...issues, [id]: { ...held, ...card } };
  }
  if (name === 'response.set') {
    const proposalId = data.proposal;
    for (const issue of Object.values(issues)) {
      const proposal = issue.proposals.find((p) => p.id === proposalId);
      if (!proposal) continue;
      const responses = upsertById(proposal.responses, data as unknown as ProposalResponse);
      if (responses === proposal.responses) return issues;
      const proposals = upsertById(issue.proposals, { ...proposal, responses });
      return { ...issues, [issue.id]: { ...issue, proposals } };
    }
    return issues;
  }

  const [kind] = name.split('.');
  const list = kind === undefined ? undefined : NESTED[kind];
  const issueId = data.issue;
  if (list === undefined || typeof issueId !== 'number') return issues;
  const issue = issues[issueId];
  if (!issue) return issues;
  let item = data as unknown as Issue[typeof list][number];
  if (list === 'proposals') item = { ...(item as Proposal), responses: sortById((item as Proposal).responses ?? []) };
  const updated = upsertById(issue[list] as (typeof item)[], item);
  if (updated === issue[list]) return issues;
  return { ...issues, [issueId]: { ...issue, [list]: updated } };
}

const CARD_FIELDS = [
  'id',
  'title',
  'description',
  'lane',
  'order',
  'parked_reason',
  'parked_until',
  'parked_condition',
  'parked_from_lane',
  'parked_due_told_at',
  'documents_required',
  'impasse_since',
  'decisions',
  'version',
  'created_by',
  'created_at',
  'updated_at',
] as const;

function cardOf(data: Record<string, unknown>): IssueCard {
  const card: Record<string, unknown> = {};
  for (const field of CARD_FIELDS) if (field in data) card[field] = data[field];
  return card as unknown as IssueCard;
}

/** Insert `item`, or replace the one with its id unless that one is newer. Sorted by id. */
function upsertById<T extends { id: number }>(items: readonly T[], item: T): T[] {
  const index = items.findIndex((existing) => existing.id === item.id);
  if (index === -1) return sortById([...items, item]);
  const held = items[index] as T & { version?: number };
  const incoming = item as T & { version?: number };
  if (typeof held.version === 'number' && typeof incoming.version === 'number' && held.version > incoming.version) {
    return items as T[];
  }
  const next = [...items];
  next[index] = item;
  return next;
}

function sortById<T extends { id: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.id - b.id);
}

function normaliseIssue(issue: Issue): Issue {
  return {
    ...issue,
    positions: sortById(issue.positions ?? []),
    interests: sortById(issue.interests ?? []),
    options: sortById(issue.options ?? []),
    criteria: sortById(issue.criteria ?? []),
    proposals: sortById((issue.proposals ?? []).map((p) => ({ ...p, responses: sortById(p.responses ?? []) }))),
    comments: sortById(issue.comments ?? []),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

export function byPlace(a: IssueCard, b: IssueCard): number {
  return a.order - b.order || a.id - b.id;
}

/** Cards per lane, in lane order, each lane sorted by (order, id). */
export function lanes(state: BoardState): Record<Lane, Issue[]> {
  const result: Record<Lane, Issue[]> = { agenda: [], discussing: [], parked: [], agreed: [], struck: [] };
  for (const issue of Object.values(state.issues)) {
    (result[issue.lane] ?? result.agenda).push(issue);
  }
  for (const lane of LANES) result[lane].sort(byPlace);
  return result;
}

/** Where a card sits: its lane and its index there. */
export function placeOf(state: BoardState, issueId: number): { lane: Lane; index: number; count: number } | null {
  const issue = state.issues[issueId];
  if (!issue) return null;
  const lane = lanes(state)[issue.lane];
  return { lane: issue.lane, index: lane.findIndex((i) => i.id === issueId), count: lane.length };
}

/** Options and proposals that count on a card: struck options and withdrawn proposals do not. */
export function cardCounts(issue: Issue): { options: number; proposals: number } {
  return {
    options: issue.options.filter((o) => !o.struck).length,
    proposals: issue.proposals.filter((p) => p.status === 'open').length,
  };
}

/** Statements shared from private rooms, oldest first; `issue` narrows them to one issue. */
export function statementsOf(state: BoardState, issue?: number): SharedStatement[] {
  return Object.values(state.statements)
    .filter((s) => issue === undefined || s.issue === issue)
    .sort((a, b) => a.id - b.id);
}

/** The latest caucus session of each side (by side id): what the switcher shows. */
export function latestCaucusBySide(state: BoardState): Record<number, CaucusSession> {
  const out: Record<number, CaucusSession> = {};
  for (const session of Object.values(state.caucuses)) {
    const held = out[session.side];
    if (!held || session.id > held.id) out[session.side] = session;
  }
  return out;
}

/**
 * The joint room's state in the shape of its snapshot `data`, sorted by id at every level
 * and without client-only marks: two states compare equal when they hold the same things.
 * `keys` picks the parts to compare (those a recorded snapshot has).
 */
