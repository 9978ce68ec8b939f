import { describe, expect, it } from 'vitest';
import {
  NOT_PARKED,
  applyFrame,
  applyResult,
  cardCounts,
  emptyBoard,
  latestCaucusBySide,
  lanes,
  placeOf,
  statementsOf,
  type BoardState,
  type EventFrame,
  type Issue,
  type IssueCard,
  type Proposal,
  type RoomFrame,
  type SnapshotFrame,
} from '../src/lib/board';
import { withPending, type PendingCommand } from '../src/lib/pendingOverlay';
import { normalisedBoard, normalisedData, normalisedIssues } from './normalise';

const T = '2030-01-01T10:00:00Z';

function card(id: number, over: Partial<IssueCard> = {}): IssueCard {
  return {
    id,
    title: `Issue ${id}`,
    description: '',
    lane: 'agenda',
    order: id,
    ...NOT_PARKED,
    decisions: [],
    version: 1,
    created_by: 1,
    created_at: T,
    updated_at: T,
    ...over,
  };
}

function issue(id: number, over: Partial<Issue> = {}): Issue {
  return {
    ...card(id),
    positions: [],
    interests: [],
    options: [],
    criteria: [],
    proposals: [],
    comments: [],
    ...over,
  };
}

function proposal(id: number, issueId: number, over: Partial<Proposal> = {}): Proposal {
  return {
    id,
    issue: issueId,
    side: 3,
    terms: 'Sell and split',
    amount: null,
    counter_to: null,
    status: 'open',
    created_by: 2,
    created_at: T,
    version: 1,
    responses: [],
    ...over,
  };
}

function snapshot(seq: number, issues: Issue[]): SnapshotFrame {
  return { type: 'snapshot', room: 'joint', seq, data: { issues } };
}

function event(seq: number, name: string, data: unknown): EventFrame {
  return { type: 'event', room: 'joint', seq, name, data };
}

/** Apply frames one by one, expecting each to apply. */
function play(state: BoardState, ...frames: RoomFrame[]): BoardState {
  for (const frame of frames) {
    const result = applyFrame(state, frame);
    expect(result.outcome, `frame ${frame.type} #${frame.seq}`).toBe('applied');
    state = result.state;
  }
  return state;
}

const start = (): BoardState => play(emptyBoard(), snapshot(5, [issue(1), issue(2, { order: 1 })]));

describe('applyFrame: sequence numbers', () => {
  it('applies the event right after the last seq and moves the seq on', () => {
    const state = play(start(), event(6, 'issue.created', issue(3)));
    expect(state.seq).toBe(6);
    expect(state.issues[3]?.title).toBe('Issue 3');
  });

  it('ignores a duplicate: an event at or below the last seq', () => {
    const state = play(start(), event(6, 'issue.updated', card(1, { title: 'New', version: 2 })));
    for (const seq of [6, 5, 1]) {
      const result = applyFrame(state, event(seq, 'issue.updated', card(1, { title: 'Old again', version: 1 })));
      expect(result.outcome).toBe('duplicate');
      expect(result.state).toBe(state);
    }
    expect(state.issues[1]?.title).toBe('New');
  });

  it('reports a gap and changes nothing, so the client syncs again', () => {
    const state = start();
    const result = applyFrame(state, event(7, 'issue.created', issue(3)));
    expect(result.outcome).toBe('gap');
    expect(result.state).toBe(state);
    expect(result.state.issues[3]).toBeUndefined();
  });

  it('replaces the whole state with a snapshot, whatever the seq', () => {
    let state = play(start(), event(6, 'issue.created', issue(3)));
    state = play(state, snapshot(2, [issue(9, { title: 'Only this' })]));
    expect(state.seq).toBe(2);
    expect(Object.keys(state.issues)).toEqual(['9']);
    // and a snapshot further ahead too
    state = play(state, snapshot(400, [issue(1)]));
    expect(state.seq).toBe(400);
    expect(Object.keys(state.issues)).toEqual(['1']);
  });

  it('moves the seq on for an event it does not know, without changing the board', () => {
    const before = start();
    const after = play(before, event(6, 'stage.changed', { stage: 'caucus' }));
    expect(after.seq).toBe(6);
    expect(after.issues).toBe(before.issues);
  });

  it('never mutates the state it was given', () => {
    const before = start();
    const frozen = JSON.stringify(before);
    play(
      before,
      event(6, 'issue.updated', card(1, { title: 'X', version: 2 })),
      event(7, 'option.added', { id: 1, issue: 1, text: 'Lease', struck: false, version: 1, created_by: 1, created_at: T }),
    );
    expect(JSON.stringify(before)).toBe(frozen);
  });
});

describe('applyFrame: every event of the protocol is an upsert by id', () => {
  it('issue.created adds the full card; a repeat with the same id replaces it', () => {
    let state = play(start(), event(6, 'issue.created', issue(3, { title: 'Car', options: [] })));
    expect(state.issues[3]).toMatchObject({ title: 'Car', positions: [], proposals: [] });
    state = play(state, event(7, 'issue.created', issue(3, { title: 'Car (2)', version: 2 })));
    expect(state.issues[3]?.title).toBe('Car (2)');
  });

  it('issue.updated replaces the card and keeps what hangs on it', () => {
    let state = play(
      start(),
      event(6, 'option.added', { id: 4, issue: 1, text: 'Lease', struck: false, version: 1, created_by: 1, created_at: T }),
    );
    state = play(state, event(7, 'issue.updated', card(1, { title: 'The house', description: 'Main home', version: 2 })));
    expect(state.issues[1]).toMatchObject({ title: 'The house', description: 'Main home', version: 2 });
    expect(state.issues[1]?.options.map((o) => o.id)).toEqual([4]);
  });

  it('issue.moved applies the card and the new order of the cards it passed', () => {
    // agenda: 1, 2, 3   →   move 3 to the top of agenda: 3, 1, 2
    let state = play(emptyBoard(), snapshot(1, [issue(1, { order: 0 }), issue(2, { order: 1 }), issue(3, { order: 2 })]));
    state = play(
      state,
      event(2, 'issue.moved', { issue: card(3, { order: 0, version: 2 }), orders: { '3': 0, '1': 1, '2': 2 } }),
    );
    expect(lanes(state).agenda.map((i) => i.id)).toEqual([3, 1, 2]);
    // then park 1 with a reason: agenda 3, 2 (2 keeps order 2) | parked 1
    state = play(
      state,
      event(3, 'issue.moved', {
        issue: card(1, { lane: 'parked', order: 0, parked_reason: 'Appraisal', version: 2 }),
        orders: { '1': 0 },
      }),
    );
    expect(lanes(state).agenda.map((i) => i.id)).toEqual([3, 2]);
    expect(lanes(state).parked.map((i) => i.id)).toEqual([1]);
    expect(state.issues[1]?.parked_reason).toBe('Appraisal');
    expect(state.issues[2]?.order).toBe(2);
  });

  it('position.set adds a side’s position, then replaces it', () => {
    const position = { id: 7, issue: 1, side: 3, text: 'Keep the house', version: 1, updated_at: T };
    let state = play(start(), event(6, 'position.set', position));
    state = play(state, event(7, 'position.set', { ...position, side: 4, id: 8, text: 'Sell it' }));
    state = play(state, event(8, 'position.set', { ...position, text: 'Keep it, buy Sam out', version: 2 }));
    expect(state.issues[1]?.positions.map((p) => [p.id, p.text])).toEqual([
      [7, 'Keep it, buy Sam out'],
      [8, 'Sell it'],
    ]);
  });

  it.each([
    ['interest', 'interests', { side: 3 }],
    ['option', 'options', {}],
    ['criterion', 'criteria', { source: 'Appraisal, May' }],
  ] as const)('%s.added and %s.updated add and strike through', (kind, list, extra) => {
    const item = { id: 11, issue: 2, text: 'Stability for the kids', struck: false, version: 1, created_by: 1, created_at: T, ...extra };
    let state = play(start(), event(6, `${kind}.added`, item));
    state = play(state, event(7, `${kind}.added`, { ...item, id: 10, text: 'Earlier id' }));
    state = play(state, event(8, `${kind}.updated`, { ...item, struck: true, version: 2 }));
    const items = state.issues[2]?.[list] ?? [];
    expect(items.map((i) => [i.id, i.struck])).toEqual([
      [10, false],
      [11, true],
    ]);
  });

  it('comment.added appends comments in id order', () => {
    const comment = { id: 5, issue: 1, body: 'Noted', author: 2, created_at: T };
    const state = play(start(), event(6, 'comment.added', comment), event(7, 'comment.added', { ...comment, id: 6, body: 'Agreed' }));
    expect(state.issues[1]?.comments.map((c) => c.body)).toEqual(['Noted', 'Agreed']);
  });

  it('proposal.created, response.set and proposal.withdrawn', () => {
    let state = play(start(), event(6, 'proposal.created', proposal(20, 1)));
    const response = {
      id: 30,
      proposal: 20,
      side: 4,
      answer: 'considering',
      note: '',
      counter: null,
      responded_by: 3,
      responded_at: T,
      version: 1,
    };
    state = play(state, event(7, 'response.set', response));
    expect(state.issues[1]?.proposals[0]?.responses.map((r) => r.answer)).toEqual(['considering']);

    // A counter tables a new proposal, then changes the answer.
    state = play(
      state,
      event(8, 'proposal.created', proposal(21, 1, { side: 4, counter_to: 20, terms: 'Keep and pay out', amount: '120000.00' })),
      event(9, 'response.set', { ...response, answer: 'counter', counter: 21, version: 2 }),
    );
    const [first, counter] = state.issues[1]?.proposals ?? [];
    expect(first?.responses).toHaveLength(1);
    expect(first?.responses[0]).toMatchObject({ answer: 'counter', counter: 21 });
    expect(counter).toMatchObject({ id: 21, counter_to: 20, amount: '120000.00' });

    state = play(state, event(10, 'proposal.withdrawn', { ...proposal(20, 1), status: 'withdrawn', version: 2, responses: [{ ...response, answer: 'counter', counter: 21, version: 2 }] }));
    expect(state.issues[1]?.proposals.map((p) => [p.id, p.status])).toEqual([
      [20, 'withdrawn'],
      [21, 'open'],
    ]);
    expect(state.issues[1]?.proposals[0]?.responses[0]?.answer).toBe('counter');
  });
});

describe('applyResult: an ack ahead of its event', () => {
  it('puts the newer version in at once, and the event later changes nothing', () => {
    const updated = card(1, { title: 'The house', version: 2 });
    let state = applyResult(start(), 'issue.update', updated);
    expect(state.seq).toBe(5);
    expect(state.issues[1]).toMatchObject({ title: 'The house', version: 2 });
    state = play(state, event(6, 'issue.updated', updated));
    expect(state.issues[1]?.title).toBe('The house');
  });

  it('never rolls back: a stored result for a repeated command is older than what is held', () => {
    const state = play(start(), event(6, 'issue.updated', card(1, { title: 'Newest', version: 3 })));
    expect(applyResult(state, 'issue.update', card(1, { title: 'Older', version: 2 }))).toBe(state);
  });

  it('an event older than an ack already applied does not roll the card back, but its orders apply', () => {
    // ack for v3 (a move) arrives before the v2 event that renumbered its neighbours
    let state = applyResult(start(), 'issue.move', card(1, { lane: 'discussing', order: 0, version: 3 }));
    state = play(state, event(6, 'issue.moved', { issue: card(1, { order: 5, version: 2 }), orders: { '1': 5, '2': 9 } }));
    expect(state.issues[1]).toMatchObject({ lane: 'discussing', version: 3 });
    expect(state.issues[2]?.order).toBe(9);
  });
});

describe('lanes', () => {
  it('sorts each lane by (order, id)', () => {
    const state = play(
      emptyBoard(),
      snapshot(1, [
        issue(5, { order: 1 }),
        issue(4, { order: 1 }),
        issue(9, { order: 0 }),
        issue(2, { lane: 'struck', order: 0 }),
        issue(3, { lane: 'agreed', order: 3 }),
        issue(1, { lane: 'agreed', order: 2 }),
      ]),
    );
    const result = lanes(state);
    expect(result.agenda.map((i) => i.id)).toEqual([9, 4, 5]);
    expect(result.agreed.map((i) => i.id)).toEqual([1, 3]);
    expect(result.struck.map((i) => i.id)).toEqual([2]);
    expect(result.discussing).toEqual([]);
    expect(result.parked).toEqual([]);
    expect(placeOf(state, 5)).toEqual({ lane: 'agenda', index: 2, count: 3 });
  });

  it('counts live options and open proposals on a card', () => {
    const option = { id: 1, issue: 1, text: 'a', struck: false, version: 1, created_by: 1, created_at: T };
    const counted = issue(1, {
      options: [option, { ...option, id: 2, struck: true }],
      proposals: [proposal(1, 1), proposal(2, 1, { status: 'withdrawn' })],
    });
    expect(cardCounts(counted)).toEqual({ options: 1, proposals: 1 });
  });
});

describe('withPending: changes waiting to be sent', () => {
  const author = { participant: 2, side: 4, role: 'party' };
  const command = (id: string, name: string, data: Record<string, unknown>): PendingCommand => ({ id, name, data });

  it('shows an offline title edit at once, marked, with the version the server will have', () => {
    const state = start();
    const view = withPending(state, [command('a', 'issue.update', { issue: 1, version: 1, title: 'The house' })], author);
    expect(view.issues[1]).toMatchObject({ title: 'The house', version: 2, pending: true });
    expect(state.issues[1]?.title).toBe('Issue 1');
  });

  it('chains two offline edits of one card, and drops an edit the server already has', () => {
    const pending = [
      command('a', 'issue.update', { issue: 1, version: 1, title: 'One' }),
      command('b', 'issue.update', { issue: 1, version: 2, title: 'Two' }),
    ];
    expect(withPending(start(), pending, author).issues[1]).toMatchObject({ title: 'Two', version: 3 });
    // 'a' was acknowledged: the state is at version 2 and only 'b' remains
    const after = applyResult(start(), 'issue.update', card(1, { title: 'One', version: 2 }));
    expect(withPending(after, pending.slice(1), author).issues[1]).toMatchObject({ title: 'Two', version: 3 });
    // a stale edit is not shown over what the server has
    expect(withPending(after, pending.slice(0, 1), author).issues[1]?.title).toBe('One');
  });

  it('moves a card and renumbers its new lane', () => {
    const view = withPending(start(), [command('m', 'issue.move', { issue: 2, version: 1, lane: 'agenda', index: 0 })], author);
    expect(lanes(view).agenda.map((i) => i.id)).toEqual([2, 1]);
    const parked = withPending(start(), [command('p', 'issue.move', { issue: 1, version: 1, lane: 'parked', reason: 'Later' })], author);
    expect(lanes(parked).parked.map((i) => [i.id, i.parked_reason])).toEqual([[1, 'Later']]);
  });

  it('keeps a parked card’s reason when it is only reordered inside Parked', () => {
    const parkedBoth = play(
      emptyBoard(),
      snapshot(5, [issue(1, { lane: 'parked', parked_reason: 'After the valuation' }), issue(2, { lane: 'parked', order: 1 })]),
    );
    const view = withPending(parkedBoth, [command('r', 'issue.move', { issue: 1, version: 1, lane: 'parked', index: 1, reason: '' })], author);
    expect(lanes(view).parked.map((i) => [i.id, i.parked_reason])).toEqual([
      [2, ''],
      [1, 'After the valuation'],
    ]);
  });

  it('shows new issues, positions, items, comments, proposals and answers as placeholders', () => {
    let state = play(start(), event(6, 'proposal.created', proposal(20, 1, { side: 3 })));
    state = withPending(
      state,
      [
        command('1', 'issue.create', { title: 'Pension' }),
        command('2', 'position.set', { issue: 1, side: 4, text: 'Sell', version: 0 }),
        command('3', 'interest.add', { issue: 1, side: 4, text: 'Cash' }),
        command('4', 'option.add', { issue: 1, text: 'Lease' }),
        command('5', 'criterion.add', { issue: 1, text: 'Valuation', source: 'Bank' }),
        command('6', 'comment.add', { issue: 1, body: 'Hi' }),
        command('7', 'proposal.create', { issue: 1, terms: 'Split', amount: '10' }),
        command('8', 'proposal.respond', { proposal: 20, version: 0, answer: 'counter', counter_terms: 'No', note: '' }),
      ],
      author,
    );
    const created = Object.values(state.issues).find((i) => i.id < 0);
    expect(created).toMatchObject({ title: 'Pension', lane: 'agenda', pending: true });
    const house = state.issues[1]!;
    expect(house.positions[0]).toMatchObject({ side: 4, text: 'Sell', pending: true });
    expect(house.interests[0]).toMatchObject({ text: 'Cash', pending: true });
    expect(house.options[0]).toMatchObject({ text: 'Lease', pending: true });
    expect(house.criteria[0]).toMatchObject({ text: 'Valuation', source: 'Bank' });
    expect(house.comments[0]).toMatchObject({ body: 'Hi', author: 2 });
    expect(house.proposals.map((p) => p.terms)).toEqual(['Sell and split', 'Split', 'No']);
    expect(house.proposals[0]?.responses[0]).toMatchObject({ side: 4, answer: 'counter', pending: true });
  });

  it('strikes items and withdraws proposals', () => {
    const option = { id: 4, issue: 1, text: 'Lease', struck: false, version: 1, created_by: 1, created_at: T };
    let state = play(start(), event(6, 'option.added', option), event(7, 'proposal.created', proposal(20, 1, { side: 4 })));
    state = withPending(
      state,
      [command('s', 'option.update', { option: 4, version: 1, struck: true }), command('w', 'proposal.withdraw', { proposal: 20, version: 1 })],
      author,
    );
    expect(state.issues[1]?.options[0]).toMatchObject({ struck: true, version: 2, pending: true });
    expect(state.issues[1]?.proposals[0]).toMatchObject({ status: 'withdrawn', pending: true });
  });

  it('returns the very same state when nothing waits', () => {
    const state = start();
    expect(withPending(state, [], author)).toBe(state);
  });
});

describe('normalisedIssues', () => {
  it('sorts issues and nested lists by id and ignores key order', () => {
    const a = [issue(2), issue(1, { options: [{ id: 9, issue: 1, text: 'b', struck: false, version: 1, created_by: 1, created_at: T }, { id: 3, issue: 1, text: 'a', struck: false, version: 1, created_by: 1, created_at: T }] })];
    const b = [{ ...issue(1), options: [...(a[1]?.options ?? [])].reverse() }, issue(2)];
    expect(normalisedIssues(a)).toEqual(normalisedIssues(b));
  });
});

describe('applyFrame: the session around the board', () => {
  const mediationState = {
    id: 'm1',
    stage: 'caucus' as const,
    on_break: false,
    joint_paused: false,
    confidentiality_rule: 'confidential_unless_released' as const,
    status: 'active',
  };
  const caucus = (id: number, side: number, status: 'called' | 'open' | 'closed') => ({
    id,
    side,
    status,
    called_at: T,
    opened_at: status === 'called' ? null : T,
    closed_at: status === 'closed' ? T : null,
  });
  const statement = (id: number, issueId: number | null, text: string) => ({
    id,
    issue: issueId,
    text,
    attribution: 'side' as const,
    side: 3,
    created_at: T,
  });
  const full = (): SnapshotFrame => ({
    type: 'snapshot',
    room: 'joint',
    seq: 10,
    data: { mediation: mediationState, caucuses: [caucus(1, 3, 'closed')], issues: [issue(1)], statements: [statement(4, 1, 'Alex could live with 60/40')] },
  });

  it('takes the mediation, caucuses and statements from a snapshot', () => {
    const state = play(emptyBoard(), full());
    expect(state.mediation).toEqual(mediationState);
    expect(state.caucuses[1]?.status).toBe('closed');
    expect(statementsOf(state, 1).map((s) => s.text)).toEqual(['Alex could live with 60/40']);
    expect(normalisedBoard(state, ['mediation', 'caucuses', 'issues', 'statements'])).toEqual(
      normalisedData(full().data, ['mediation', 'caucuses', 'issues', 'statements']),
    );
  });

  it('upserts caucus sessions by id, and never walks one back', () => {
    let state = play(emptyBoard(), full(), event(11, 'caucus.updated', caucus(2, 3, 'called')), event(12, 'caucus.updated', caucus(2, 3, 'open')));
    expect(latestCaucusBySide(state)[3]).toMatchObject({ id: 2, status: 'open' });
    // An ack's result can come after a later event: it does not reopen a closed caucus.
    state = play(state, event(13, 'caucus.updated', caucus(2, 3, 'closed')));
    state = applyResult(state, 'caucus.open', caucus(2, 3, 'open'));
    expect(state.caucuses[2]?.status).toBe('closed');
    expect(Object.keys(state.caucuses)).toEqual(['1', '2']);
  });

  it('replaces the mediation state on mediation.updated', () => {
    const state = play(emptyBoard(), full(), event(11, 'mediation.updated', { ...mediationState, joint_paused: true, confidentiality_rule: 'shareable_unless_marked' }));
    expect(state.mediation?.joint_paused).toBe(true);
    expect(state.mediation?.confidentiality_rule).toBe('shareable_unless_marked');
  });

  it('adds released statements, general ones and those on an issue', () => {
    const state = play(emptyBoard(), full(), event(11, 'statement.released', statement(5, null, 'Sam has an option on this')), event(12, 'statement.released', statement(5, null, 'Sam has an option on this')));
    expect(statementsOf(state).map((s) => s.id)).toEqual([4, 5]);
    expect(statementsOf(state, 1).map((s) => s.id)).toEqual([4]);
  });

  it('moves the seq on for who joins, changes and leaves, holding none of it', () => {
    const before = play(emptyBoard(), full());
    const after = play(
      before,
      event(11, 'participant.joined', { id: 9, name: 'Erin', role: 'party', side: null, rule_acknowledged: '' }),
      event(12, 'participant.updated', { id: 9, name: 'Erin', role: 'party', side: null, rule_acknowledged: 'confidential_unless_released' }),
      event(13, 'side.added', { id: 7, name: 'Kim' }),
      event(14, 'access.revoked', { participant: 9 }),
      event(15, 'agenda.reordered', { anything: true }),
    );
    expect(after.seq).toBe(15);
    const { seq: _a, ...restBefore } = before;
    const { seq: _b, ...restAfter } = after;
    expect(restAfter).toEqual(restBefore);
  });

  it('still reports gaps and duplicates for session events', () => {
    const state = play(emptyBoard(), full());
    expect(applyFrame(state, event(12, 'caucus.updated', caucus(2, 3, 'called'))).outcome).toBe('gap');
    expect(applyFrame(state, event(10, 'mediation.updated', mediationState)).outcome).toBe('duplicate');
  });

  it('compares unequal when a statement differs, so the cross-check can fail', () => {
    const state = play(emptyBoard(), full());
    const other = { ...full().data, statements: [statement(4, 1, 'Something else')] };
    expect(normalisedBoard(state, ['statements'])).not.toEqual(normalisedData(other, ['statements']));
  });
});
