/**
 * Commands not yet acknowledged, laid over the board for display: what a person did
 * offline shows at once, marked `pending`, and what they edit next builds on it.
 */
import { byPlace, NESTED } from './board';
import { LANES, NOT_PARKED } from './boardTypes';
import type { Lane, Answer, Position, Interest, Option, Criterion, ProposalResponse, Proposal, Issue, BoardState } from './boardTypes';

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
  const overlay = new Overlay({ ...state.issues }, author);
  for (const { name, data } of pending) OVERLAYS[name]?.(overlay, data, name);
  return { ...state, issues: overlay.issues };
}

type Data = Record<string, unknown>;

/** The board being laid over: its issues, and what the commands' handlers share. */
class Overlay {
  readonly now = new Date(0).toISOString();
  private placeholder = -1;

  constructor(
    readonly issues: Record<number, Issue>,
    readonly author: Author,
  ) {}

  /** A temporary id for something shown before the server has numbered it. */
  nextId(): number {
    return this.placeholder--;
  }

  change(issueId: unknown, edit: (issue: Issue) => Issue | null): void {
    if (typeof issueId !== 'number') return;
    const issue = this.issues[issueId];
    if (!issue) return;
    const next = edit(issue);
    if (next) this.issues[issueId] = next;
  }

  findItem<K extends 'interests' | 'options' | 'criteria'>(list: K, itemId: unknown) {
    for (const issue of Object.values(this.issues)) {
      const item = (issue[list] as Issue[K][number][]).find((i) => i.id === itemId);
      if (item) return { issue, item };
    }
    return null;
  }

  findProposal(proposalId: unknown) {
    for (const issue of Object.values(this.issues)) {
      const proposal = issue.proposals.find((p) => p.id === proposalId);
      if (proposal) return { issue, proposal };
    }
    return null;
  }
}

const str = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
const isLane = (value: unknown): value is Lane => (LANES as readonly string[]).includes(str(value));

function issueCreate(o: Overlay, data: Data): void {
  const lane = isLane(data.lane) ? (str(data.lane) as Lane) : 'agenda';
  const last = Math.max(-1, ...Object.values(o.issues).filter((i) => i.lane === lane).map((i) => i.order));
  const id = o.nextId();
  o.issues[id] = {
    id,
    title: str(data.title),
    description: str(data.description),
    lane,
    order: last + 1,
    ...NOT_PARKED,
    decisions: [],
    version: 0,
    created_by: o.author.participant,
    created_at: o.now,
    updated_at: o.now,
    positions: [],
    interests: [],
    options: [],
    criteria: [],
    proposals: [],
    comments: [],
    pending: true,
  };
}

function issueUpdate(o: Overlay, data: Data): void {
  o.change(data.issue, (issue) => {
    if (issue.version !== data.version) return null;
    const edited: Issue = { ...issue, version: issue.version + 1, pending: true };
    if (typeof data.title === 'string') edited.title = data.title.trim();
    if (typeof data.description === 'string') edited.description = data.description.trim();
    return edited;
  });
}

function issueMove(o: Overlay, data: Data): void {
  o.change(data.issue, (issue) => {
    if (issue.version !== data.version || !isLane(data.lane)) return null;
    const lane = str(data.lane) as Lane;
    const siblings = Object.values(o.issues)
      .filter((i) => i.lane === lane && i.id !== issue.id)
      .sort(byPlace);
    const index = typeof data.index === 'number' ? Math.min(data.index, siblings.length) : siblings.length;
    siblings.splice(index, 0, issue);
    siblings.forEach((card, order) => {
      if (card.id !== issue.id && card.order !== order) o.issues[card.id] = { ...card, order };
    });
    return {
      ...issue,
      ...parkingAfterMove(issue, lane, data),
      lane,
      order: index,
      version: issue.version + 1,
      pending: true,
    };
  });
}

/**
 * A card's parking after a move, as the server makes it: leaving Parked clears it all;
 * parking records where the card came from; a move within Parked keeps what the move
 * does not give anew.
 */
function parkingAfterMove(issue: Issue, lane: Lane, data: Data): Partial<Issue> {
  if (lane !== 'parked') return { ...NOT_PARKED };
  const staying = issue.lane === 'parked';
  const held = staying ? issue : { ...issue, ...NOT_PARKED };
  return {
    parked_reason: str(data.reason) || held.parked_reason,
    parked_condition: str(data.condition) || held.parked_condition,
    parked_until: str(data.until) || held.parked_until,
    parked_from_lane: staying ? issue.parked_from_lane : issue.lane,
    parked_due_told_at: staying ? issue.parked_due_told_at : null,
  };
}

function positionSet(o: Overlay, data: Data): void {
  o.change(data.issue, (issue) => {
    const held = issue.positions.find((p) => p.side === data.side);
    if ((held?.version ?? 0) !== data.version || typeof data.side !== 'number') return null;
    const position: Position = held
      ? { ...held, text: str(data.text), version: held.version + 1, pending: true }
      : { id: o.nextId(), issue: issue.id, side: data.side, text: str(data.text), version: 1, updated_at: o.now, pending: true };
    return { ...issue, positions: replaceOrAdd(issue.positions, position, held) };
  });
}

function interestAdd(o: Overlay, data: Data): void {
  o.change(data.issue, (issue) => {
    if (typeof data.side !== 'number') return null;
    const interest: Interest = {
      id: o.nextId(),
      issue: issue.id,
      side: data.side,
      text: str(data.text),
      struck: false,
      version: 0,
      created_by: o.author.participant,
      created_at: o.now,
      pending: true,
    };
    return { ...issue, interests: [...issue.interests, interest] };
  });
}

function optionAdd(o: Overlay, data: Data, name: string): void {
  o.change(data.issue, (issue) => {
    const option: Option = {
      id: o.nextId(),
      issue: issue.id,
      text: str(data.text),
      struck: false,
      version: 0,
      created_by: o.author.participant,
      created_at: o.now,
      pending: true,
    };
    return name === 'option.add'
      ? { ...issue, options: [...issue.options, option] }
      : { ...issue, criteria: [...issue.criteria, { ...option, source: str(data.source) }] };
  });
}

function itemUpdate(o: Overlay, data: Data, name: string): void {
  const [kind] = name.split('.') as ['interest' | 'option' | 'criterion'];
  const list = NESTED[kind] as 'interests' | 'options' | 'criteria';
  const found = o.findItem(list, data[kind]);
  if (!found || found.item.version !== data.version) return;
  const edited = { ...found.item, version: found.item.version + 1, pending: true as const };
  if (typeof data.struck === 'boolean') edited.struck = data.struck;
  if (typeof data.text === 'string') edited.text = data.text.trim();
  if (typeof data.source === 'string' && 'source' in edited) (edited as Criterion).source = data.source.trim();
  o.issues[found.issue.id] = { ...found.issue, [list]: replaceOrAdd(found.issue[list] as Option[], edited, found.item) };
}

function commentAdd(o: Overlay, data: Data): void {
  o.change(data.issue, (issue) => ({
    ...issue,
    comments: [
      ...issue.comments,
      { id: o.nextId(), issue: issue.id, body: str(data.body), author: o.author.participant, created_at: o.now, pending: true },
    ],
  }));
}

function proposalCreate(o: Overlay, data: Data): void {
  o.change(data.issue, (issue) => ({
    ...issue,
    proposals: [...issue.proposals, pendingProposal(o.nextId(), issue.id, data.terms, data.amount, null, o.author, o.now)],
  }));
}

function proposalRespond(o: Overlay, data: Data): void {
  const found = o.findProposal(data.proposal);
  const side = o.author.side;
  if (!found || side === null) return;
  const { issue, proposal } = found;
  const held = proposal.responses.find((r) => r.side === side);
  if ((held?.version ?? 0) !== data.version) return;
  const answer = str(data.answer) as Answer;
  const extra: Proposal[] = [];
  let counter: number | null = null;
  if (answer === 'counter') {
    counter = o.nextId();
    extra.push(pendingProposal(counter, issue.id, data.counter_terms, data.counter_amount, proposal.id, o.author, o.now));
  }
  const response: ProposalResponse = {
    id: held?.id ?? o.nextId(),
    proposal: proposal.id,
    side,
    answer,
    note: str(data.note),
    counter,
    responded_by: o.author.participant,
    responded_at: o.now,
    version: (held?.version ?? 0) + 1,
    pending: true,
  };
  const responses = replaceOrAdd(proposal.responses, response, held);
  const proposals = issue.proposals.map((p) => (p.id === proposal.id ? { ...p, responses } : p));
  o.issues[issue.id] = { ...issue, proposals: [...proposals, ...extra] };
}

function proposalWithdraw(o: Overlay, data: Data): void {
  const found = o.findProposal(data.proposal);
  if (!found || found.proposal.version !== data.version) return;
  const { issue, proposal } = found;
  const withdrawn: Proposal = { ...proposal, status: 'withdrawn', version: proposal.version + 1, pending: true };
  o.issues[issue.id] = { ...issue, proposals: issue.proposals.map((p) => (p.id === proposal.id ? withdrawn : p)) };
}

/** How each command shows before its answer; commands not named here show nothing. */
const OVERLAYS: Record<string, (o: Overlay, data: Data, name: string) => void> = {
  'issue.create': issueCreate,
  'issue.update': issueUpdate,
  'issue.move': issueMove,
  'position.set': positionSet,
  'interest.add': interestAdd,
  'option.add': optionAdd,
  'criterion.add': optionAdd,
  'interest.update': itemUpdate,
  'option.update': itemUpdate,
  'criterion.update': itemUpdate,
  'comment.add': commentAdd,
  'proposal.create': proposalCreate,
  'proposal.respond': proposalRespond,
  'proposal.withdraw': proposalWithdraw,
};

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
