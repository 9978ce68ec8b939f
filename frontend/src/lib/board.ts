/**
 * The joint board as the client holds it, and the pure functions that keep it in step
 * with the server (docs/protocol.md, "Keeping a client in step").
 *
 * Nothing here talks to the network or touches the DOM: socket.ts feeds frames in, the
 * screens read the state out through the selectors at the bottom.
 */

export type Lane = 'agenda' | 'discussing' | 'parked' | 'agreed' | 'struck';

export const LANES: readonly Lane[] = ['agenda', 'discussing', 'parked', 'agreed', 'struck'];

export const LANE_LABELS: Record<Lane, string> = {
  agenda: 'Agenda',
  discussing: 'Discussing',
  parked: 'Parked',
  agreed: 'Agreed',
  struck: 'Struck',
};

export type Answer = 'accept' | 'reject' | 'counter' | 'considering';

/** Set on objects the client shows before the server has them (see withPending). */
interface MaybePending {
  pending?: true;
}

export interface IssueCard extends MaybePending {
  id: number;
  title: string;
  description: string;
  lane: Lane;
  order: number;
  parked_reason: string;
  version: number;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface Position extends MaybePending {
  id: number;
  issue: number;
  side: number;
  text: string;
  version: number;
  updated_at: string;
}

export interface Interest extends MaybePending {
  id: number;
  issue: number;
  side: number;
  text: string;
  struck: boolean;
  version: number;
  created_by: number | null;
  created_at: string;
}

export interface Option extends MaybePending {
  id: number;
  issue: number;
  text: string;
  struck: boolean;
  version: number;
  created_by: number | null;
  created_at: string;
}

export interface Criterion extends Option {
  source: string;
}

export interface ProposalResponse extends MaybePending {
  id: number;
  proposal: number;
  side: number;
  answer: Answer;
  note: string;
  counter: number | null;
  responded_by: number | null;
  responded_at: string;
  version: number;
}

export interface Proposal extends MaybePending {
  id: number;
  issue: number;
  /** null: the mediator's proposal. */
  side: number | null;
  terms: string;
  amount: string | null;
  counter_to: number | null;
  status: 'open' | 'withdrawn';
  created_by: number | null;
  created_at: string;
  version: number;
  responses: ProposalResponse[];
}

export interface Comment extends MaybePending {
  id: number;
  issue: number;
  body: string;
  author: number | null;
  created_at: string;
}

export interface Issue extends IssueCard {
  positions: Position[];
  interests: Interest[];
  options: Option[];
  criteria: Criterion[];
  proposals: Proposal[];
  comments: Comment[];
}

export type CaucusStatus = 'called' | 'open' | 'closed';

/** A private meeting of the mediator with one side. Public: everyone sees a side step out. */
export interface CaucusSession {
  id: number;
  side: number;
  status: CaucusStatus;
  called_at: string;
  opened_at: string | null;
  closed_at: string | null;
}

export type ConfidentialityRule = 'confidential_unless_released' | 'shareable_unless_marked';

/** The session's state everyone at the table shares. */
export interface MediationState {
  id: string;
  stage: string;
  on_break: boolean;
  joint_paused: boolean;
  confidentiality_rule: ConfidentialityRule;
  status: string;
}

/** What a party released from a caucus into the joint room, worded and attributed as chosen. */
export interface SharedStatement {
  id: number;
  issue: number | null;
  text: string;
  attribution: 'side' | 'mediator';
  /** The side it is attributed to; null when it comes through the mediator. */
  side: number | null;
  created_at: string;
}

export interface BoardState {
  /** The last sequence number of the joint room applied to the state. */
  seq: number;
  issues: Readonly<Record<number, Issue>>;
  /** Null until a snapshot or a `mediation.updated` event said what it is. */
  mediation: MediationState | null;
  caucuses: Readonly<Record<number, CaucusSession>>;
  statements: Readonly<Record<number, SharedStatement>>;
}

export interface EventFrame {
  type: 'event';
  room: string;
  seq: number;
  name: string;
  data: unknown;
}

/** The joint room's snapshot `data` (a caucus room's has other keys; see caucus.ts). */
export interface JointData {
  mediation?: MediationState | null;
  caucuses?: CaucusSession[];
  issues?: Issue[];
  statements?: SharedStatement[];
}

export interface SnapshotFrame {
  type: 'snapshot';
  room: string;
  seq: number;
  data: JointData;
}

export type RoomFrame = EventFrame | SnapshotFrame;

/**
 * applied: the state moved on; duplicate: at or below the last seq, ignored;
 * gap: ahead of the last seq + 1, ignored, and the room must be synced again.
 */
export type Outcome = 'applied' | 'duplicate' | 'gap';

export function emptyBoard(): BoardState {
  return { seq: 0, issues: {}, mediation: null, caucuses: {}, statements: {} };
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
    case 'statement.released':
      if (typeof data.id !== 'number') return state;
      return { ...state, statements: { ...state.statements, [data.id]: data as unknown as SharedStatement } };
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

const NESTED: Record<string, keyof Pick<Issue, 'positions' | 'interests' | 'options' | 'criteria' | 'comments' | 'proposals'>> = {
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

// --- commands not yet acknowledged ---------------------------------------------------

export interface PendingCommand {
  id: string;
  name: string;
  data: Record<string, unknown>;
}

export interface Author {
  participant: number;
  side: number | null;
  role: string;
}

/**
 * The board as it will be once the pending commands are through, for display: a change
 * made offline shows at once, marked `pending`. A pending edit whose version is no longer
 * the one shown (already applied, or about to conflict) is left out. Editing on top of
 * this view sends the version the server will have after the earlier commands, so two
 * offline edits in a row do not conflict with each other.
 */
export function withPending(state: BoardState, pending: readonly PendingCommand[], author: Author): BoardState {
  if (pending.length === 0) return state;
  const issues: Record<number, Issue> = { ...state.issues };
  let placeholder = -1;
  const now = new Date(0).toISOString();

  const change = (issueId: unknown, edit: (issue: Issue) => Issue | null): void => {
    if (typeof issueId !== 'number') return;
    const issue = issues[issueId];
    if (!issue) return;
    const next = edit(issue);
    if (next) issues[issueId] = next;
  };
  const findItem = <K extends 'interests' | 'options' | 'criteria'>(list: K, itemId: unknown) => {
    for (const issue of Object.values(issues)) {
      const item = (issue[list] as Issue[K][number][]).find((i) => i.id === itemId);
      if (item) return { issue, item };
    }
    return null;
  };
  const findProposal = (proposalId: unknown) => {
    for (const issue of Object.values(issues)) {
      const proposal = issue.proposals.find((p) => p.id === proposalId);
      if (proposal) return { issue, proposal };
    }
    return null;
  };
  const str = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

  for (const { name, data } of pending) {
    switch (name) {
      case 'issue.create': {
        const lane = (LANES as readonly string[]).includes(str(data.lane)) ? (str(data.lane) as Lane) : 'agenda';
        const last = Math.max(-1, ...Object.values(issues).filter((i) => i.lane === lane).map((i) => i.order));
        const id = placeholder--;
        issues[id] = {
          id,
          title: str(data.title),
          description: str(data.description),
          lane,
          order: last + 1,
          parked_reason: '',
          version: 0,
          created_by: author.participant,
          created_at: now,
          updated_at: now,
          positions: [],
          interests: [],
          options: [],
          criteria: [],
          proposals: [],
          comments: [],
          pending: true,
        };
        break;
      }
      case 'issue.update':
        change(data.issue, (issue) => {
          if (issue.version !== data.version) return null;
          const edited: Issue = { ...issue, version: issue.version + 1, pending: true };
          if (typeof data.title === 'string') edited.title = data.title.trim();
          if (typeof data.description === 'string') edited.description = data.description.trim();
          return edited;
        });
        break;
      case 'issue.move':
        change(data.issue, (issue) => {
          if (issue.version !== data.version || !(LANES as readonly string[]).includes(str(data.lane))) return null;
          const lane = str(data.lane) as Lane;
          const siblings = Object.values(issues)
            .filter((i) => i.lane === lane && i.id !== issue.id)
            .sort(byPlace);
          const index = typeof data.index === 'number' ? Math.min(data.index, siblings.length) : siblings.length;
          siblings.splice(index, 0, issue);
          siblings.forEach((card, order) => {
            if (card.id !== issue.id && card.order !== order) issues[card.id] = { ...card, order };
          });
          return {
            ...issue,
            lane,
            order: index,
            parked_reason: lane === 'parked' ? str(data.reason) : '',
            version: issue.version + 1,
            pending: true,
          };
        });
        break;
      case 'position.set':
        change(data.issue, (issue) => {
          const held = issue.positions.find((p) => p.side === data.side);
          if ((held?.version ?? 0) !== data.version || typeof data.side !== 'number') return null;
          const position: Position = held
            ? { ...held, text: str(data.text), version: held.version + 1, pending: true }
            : { id: placeholder--, issue: issue.id, side: data.side, text: str(data.text), version: 1, updated_at: now, pending: true };
          return { ...issue, positions: replaceOrAdd(issue.positions, position, held) };
        });
        break;
      case 'interest.add':
        change(data.issue, (issue) => {
          if (typeof data.side !== 'number') return null;
          const interest: Interest = {
            id: placeholder--,
            issue: issue.id,
            side: data.side,
            text: str(data.text),
            struck: false,
            version: 0,
            created_by: author.participant,
            created_at: now,
            pending: true,
          };
          return { ...issue, interests: [...issue.interests, interest] };
        });
        break;
      case 'option.add':
      case 'criterion.add':
        change(data.issue, (issue) => {
          const option: Option = {
            id: placeholder--,
            issue: issue.id,
            text: str(data.text),
            struck: false,
            version: 0,
            created_by: author.participant,
            created_at: now,
            pending: true,
          };
          return name === 'option.add'
            ? { ...issue, options: [...issue.options, option] }
            : { ...issue, criteria: [...issue.criteria, { ...option, source: str(data.source) }] };
        });
        break;
      case 'interest.update':
      case 'option.update':
      case 'criterion.update': {
        const [kind] = name.split('.') as ['interest' | 'option' | 'criterion'];
        const list = NESTED[kind] as 'interests' | 'options' | 'criteria';
        const found = findItem(list, data[kind]);
        if (!found || found.item.version !== data.version) break;
        const edited = { ...found.item, version: found.item.version + 1, pending: true as const };
        if (typeof data.struck === 'boolean') edited.struck = data.struck;
        if (typeof data.text === 'string') edited.text = data.text.trim();
        if (typeof data.source === 'string' && 'source' in edited) (edited as Criterion).source = data.source.trim();
        issues[found.issue.id] = { ...found.issue, [list]: replaceOrAdd(found.issue[list] as Option[], edited, found.item) };
        break;
      }
      case 'comment.add':
        change(data.issue, (issue) => ({
          ...issue,
          comments: [
            ...issue.comments,
            { id: placeholder--, issue: issue.id, body: str(data.body), author: author.participant, created_at: now, pending: true },
          ],
        }));
        break;
      case 'proposal.create':
        change(data.issue, (issue) => ({
          ...issue,
          proposals: [...issue.proposals, pendingProposal(placeholder--, issue.id, data.terms, data.amount, null, author, now)],
        }));
        break;
      case 'proposal.respond': {
        const found = findProposal(data.proposal);
        if (!found || author.side === null) break;
        const { issue, proposal } = found;
        const held = proposal.responses.find((r) => r.side === author.side);
        if ((held?.version ?? 0) !== data.version) break;
        const answer = str(data.answer) as Answer;
        const extra: Proposal[] = [];
        let counter: number | null = null;
        if (answer === 'counter') {
          counter = placeholder--;
          extra.push(pendingProposal(counter, issue.id, data.counter_terms, data.counter_amount, proposal.id, author, now));
        }
        const response: ProposalResponse = {
          id: held?.id ?? placeholder--,
          proposal: proposal.id,
          side: author.side,
          answer,
          note: str(data.note),
          counter,
          responded_by: author.participant,
          responded_at: now,
          version: (held?.version ?? 0) + 1,
          pending: true,
        };
        const responses = replaceOrAdd(proposal.responses, response, held);
        const proposals = issue.proposals.map((p) => (p.id === proposal.id ? { ...p, responses } : p));
        issues[issue.id] = { ...issue, proposals: [...proposals, ...extra] };
        break;
      }
      case 'proposal.withdraw': {
        const found = findProposal(data.proposal);
        if (!found || found.proposal.version !== data.version) break;
        const { issue, proposal } = found;
        const withdrawn: Proposal = { ...proposal, status: 'withdrawn', version: proposal.version + 1, pending: true };
        issues[issue.id] = { ...issue, proposals: issue.proposals.map((p) => (p.id === proposal.id ? withdrawn : p)) };
        break;
      }
      default:
        break;
    }
  }
  return { ...state, issues };
}

function pendingProposal(
  id: number,
  issue: number,
  terms: unknown,
  amount: unknown,
  counterTo: number | null,
  author: Author,
  now: string,
): Proposal {
  return {
    id,
    issue,
    side: author.role === 'party' ? author.side : null,
    terms: typeof terms === 'string' ? terms.trim() : '',
    amount: typeof amount === 'string' && amount !== '' ? amount : null,
    counter_to: counterTo,
    status: 'open',
    created_by: author.participant,
    created_at: now,
    version: 0,
    responses: [],
    pending: true,
  };
}

function replaceOrAdd<T>(items: readonly T[], item: T, held: T | undefined): T[] {
  return held ? items.map((i) => (i === held ? item : i)) : [...items, item];
}

// --- selectors -------------------------------------------------------------------------

function byPlace(a: IssueCard, b: IssueCard): number {
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
export function normalisedBoard(state: BoardState, keys: readonly (keyof JointData)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (key === 'issues') out.issues = normalisedIssues(state.issues);
    else if (key === 'mediation') out.mediation = normalised(state.mediation);
    else out[key] = normalised(Object.values(state[key]));
  }
  return out;
}

/** The same shape from a snapshot's `data`. */
export function normalisedData(data: JointData, keys: readonly (keyof JointData)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    out[key] = key === 'issues' ? normalisedIssues(data.issues ?? []) : normalised(data[key] ?? (key === 'mediation' ? null : []));
  }
  return out;
}

function normalised(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalised);
    if (items.every((item) => isRecord(item) && 'id' in item)) {
      items.sort((a, b) => Number((a as { id: number }).id) - Number((b as { id: number }).id));
    }
    return items;
  }
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) if (key !== 'pending') out[key] = normalised(value[key]);
    return out;
  }
  return value;
}

/**
 * Issues and everything on them sorted by id, without client-only marks: two boards
 * compare equal when they hold the same things, whatever order they were listed in.
 */
export function normalisedIssues(issues: Readonly<Record<number, Issue>> | readonly Issue[]): unknown[] {
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const items = value.map(sort);
      if (items.every((item) => isRecord(item) && 'id' in item)) {
        items.sort((a, b) => Number((a as { id: number }).id) - Number((b as { id: number }).id));
      }
      return items;
    }
    if (isRecord(value)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) out[key] = sort(value[key]);
      return out;
    }
    return value;
  };
  const list = Array.isArray(issues) ? issues : Object.values(issues);
  return sort(list) as unknown[];
}
