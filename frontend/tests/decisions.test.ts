import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import ClosingSummary from '../src/components/board/ClosingSummary.svelte';
import Decisions from '../src/components/board/Decisions.svelte';
import { NOT_PARKED, type Decision, type Issue, type Lane } from '../src/lib/board';
import {
  AGREED_TAKES_EVERY_SIDE,
  isoToLocalInput,
  localInputToIso,
  moveIntent,
  moveLabel,
  pastDecisions,
  standingDecision,
  waitingDecisions,
  wayBack,
} from '../src/lib/decisions';
import BoardHarness from './BoardHarness.svelte';
import { FakeSocket, fakeSession, stopSessions } from './fakeSocket';
import { ALEX_RIGHTS, ATTORNEY_RIGHTS, MEDIATOR_RIGHTS } from './rightsFixtures';

const T = '2030-01-01T10:00:00Z';
const ALEX = 3;
const SAM = 4;

function decision(id: number, over: Partial<Decision> = {}): Decision {
  return {
    id, kind: 'agree', status: 'open', terms: 'Alex keeps the car', proposal: null, asked_by: 1,
    created_at: T, decided_by: null, decided_at: null, closed_by: null, closed_at: null, version: 1,
    consents: [], ...over,
  };
}

function issue(over: Partial<Issue> = {}): Issue {
  return {
    id: 7, title: 'Car', description: '', lane: 'discussing', order: 0, ...NOT_PARKED, decisions: [],
    version: 3, created_by: 1, created_at: T, updated_at: T, positions: [], interests: [], options: [],
    criteria: [], proposals: [], comments: [], ...over,
  };
}

describe('what a move takes', () => {
  const to = (from: Lane, lane: Lane, rights: typeof ALEX_RIGHTS) => moveIntent({ lane: from }, lane, rights).kind;

  it('never lets anyone drag an issue into Agreed: the mediator words it, a party is told why', () => {
    expect(to('discussing', 'agreed', MEDIATOR_RIGHTS)).toBe('mark_agreed');
    expect(moveIntent({ lane: 'discussing' }, 'agreed', ALEX_RIGHTS)).toEqual({ kind: 'refused', message: AGREED_TAKES_EVERY_SIDE });
    expect(moveLabel({ lane: 'discussing' }, 'agreed', ALEX_RIGHTS)).toBeNull();
    expect(moveLabel({ lane: 'discussing' }, 'agreed', MEDIATOR_RIGHTS)).toBe('Mark as agreed…');
  });

  it('strikes at once for the mediator, asks every side for a party, and refuses anyone else', () => {
    expect(to('agenda', 'struck', MEDIATOR_RIGHTS)).toBe('move');
    expect(to('agenda', 'struck', ALEX_RIGHTS)).toBe('ask_strike');
    expect(moveLabel({ lane: 'agenda' }, 'struck', ALEX_RIGHTS)).toBe('Ask to strike…');
    expect(to('agenda', 'struck', ATTORNEY_RIGHTS)).toBe('refused');
  });

  it('lets only the mediator move an issue out of Agreed or Struck, as a reopening', () => {
    expect(moveIntent({ lane: 'agreed' }, 'discussing', MEDIATOR_RIGHTS)).toEqual({ kind: 'reopen', lane: 'discussing' });
    expect(to('struck', 'agenda', MEDIATOR_RIGHTS)).toBe('reopen');
    expect(to('agreed', 'discussing', ALEX_RIGHTS)).toBe('refused');
    expect(moveLabel({ lane: 'agreed' }, 'parked', ALEX_RIGHTS)).toBeNull();
    // Reordering within a lane is no decision.
    expect(to('agreed', 'agreed', ALEX_RIGHTS)).toBe('move');
  });

  it('asks for the way back when parking', () => {
    expect(to('agenda', 'parked', ALEX_RIGHTS)).toBe('park');
    expect(to('parked', 'parked', ALEX_RIGHTS)).toBe('move');
  });
});

describe('a card’s decisions and way back', () => {
  it('tells the standing decision from those waiting and those past', () => {
    const agreed = decision(3, { status: 'done' });
    const card = issue({
      lane: 'agreed',
      decisions: [decision(1, { status: 'declined' }), decision(2, { kind: 'strike', status: 'withdrawn' }), agreed],
    });
    expect(standingDecision(card)).toBe(agreed);
    expect(waitingDecisions(card)).toEqual([]);
    expect(pastDecisions(card).map((d) => d.id)).toEqual([2, 1]);
    expect(standingDecision({ ...card, lane: 'discussing' })).toBeUndefined();
  });

  it('says when a parked card is due', () => {
    const now = Date.parse(T);
    const parked = issue({ lane: 'parked', parked_until: '2030-01-01T11:00:00Z', parked_condition: 'After the sale' });
    expect(wayBack(parked, now)).toMatchObject({ due: false, condition: 'After the sale' });
    expect(wayBack(parked, now + 2 * 3600_000)?.due).toBe(true);
    expect(wayBack({ ...parked, parked_until: null, parked_due_told_at: T }, now)?.due).toBe(true);
    expect(wayBack(issue(), now)).toBeNull();
  });

  it('turns a local date and time into an instant and back', () => {
    const iso = localInputToIso('2030-03-04T09:30');
    expect(iso).not.toBeNull();
    expect(isoToLocalInput(iso)).toBe('2030-03-04T09:30');
    expect([localInputToIso(''), localInputToIso('soon')]).toEqual([null, null]);
  });
});

describe('where an issue stands, on its sheet', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new Error('no server here')));
  });
  afterEach(stopSessions);

  function shown(rights: object, card: Issue, me = { id: 2, name: 'Alex', role: 'party', side: { id: ALEX, name: 'Alex' } }) {
    const session = fakeSession();
    session.start();
    FakeSocket.last.hello(me, { joint: 0 }, rights as Record<string, unknown>);
    const names: Record<number, string> = { 1: 'Maya', 2: 'Alex Reed', 5: 'Sam Reed' };
    render(BoardHarness, {
      props: {
        context: { session, sides: [{ id: ALEX, name: 'Alex' }, { id: SAM, name: 'Sam' }], nameOf: (id: number | null) => (id === null ? '' : (names[id] ?? '')) },
        component: Decisions,
        props: { issue: card, onreopen: () => {} },
      },
    });
    return session;
  }

  it('asks a party to confirm the mediator’s wording for their side, and sends the answer', async () => {
    const session = shown(ALEX_RIGHTS, issue({ decisions: [decision(9, { consents: [{ side: SAM, given_by: 5, given_at: T }] })] }));
    const answer = vi.spyOn(session, 'answerDecision').mockResolvedValue({});
    expect(screen.getByText('Waiting for every side to confirm')).toBeTruthy();
    expect(screen.getByText('Sam: yes (Sam Reed)')).toBeTruthy();
    expect(screen.getByText('Alex: not yet')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Confirm for my side…' }));
    // Confirming is accepting: not without the party's word that they have what they need.
    await fireEvent.click(screen.getByRole('button', { name: 'Confirm these terms for my side' }));
    expect(answer).not.toHaveBeenCalled();
    expect(screen.getByText(/To confirm, say you have the information you need/)).toBeTruthy();
    await fireEvent.click(screen.getByRole('checkbox', { name: 'I have the information I need to decide' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Confirm these terms for my side' }));
    expect(answer).toHaveBeenCalledWith(9, 'confirm', true);
  });

  it('shows an attorney what waits, with nothing to answer', () => {
    shown(ATTORNEY_RIGHTS, issue({ decisions: [decision(9)] }), { id: 6, name: 'Ana', role: 'attorney', side: { id: ALEX, name: 'Alex' } });
    expect(screen.getByText('Alex keeps the car')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Confirm for my side…' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Withdraw' })).toBeNull();
  });

  it('records who agreed for each side, and offers the mediator to reopen', () => {
    const done = decision(4, {
      status: 'done',
      decided_at: T,
      consents: [
        { side: ALEX, given_by: 2, given_at: T },
        { side: SAM, given_by: 5, given_at: T },
      ],
    });
    shown(MEDIATOR_RIGHTS, issue({ lane: 'agreed', decisions: [done] }), { id: 1, name: 'Maya', role: 'mediator', side: null } as never);
    expect(screen.getByText('Agreed by every side')).toBeTruthy();
    expect(screen.getByText(/^Alex: Alex Reed/)).toBeTruthy();
    expect(screen.getByText(/^Sam: Sam Reed/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Reopen…' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Mark as agreed…' })).toBeNull();
  });

  it('shows a parked card’s way back and brings it back where it came from', async () => {
    const session = shown(ALEX_RIGHTS, issue({ lane: 'parked', parked_reason: 'Valuation', parked_condition: 'the house is valued', parked_from_lane: 'discussing' }));
    const unpark = vi.spyOn(session, 'unpark').mockResolvedValue({});
    expect(screen.getByText(/when the house is valued/)).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Bring back to Discussing' }));
    expect(unpark).toHaveBeenCalledWith(7, 3);
  });
});

describe('the closing list', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new Error('no server here')));
  });
  afterEach(stopSessions);

  it('lists what is agreed with its words and who agreed, what is parked with its way back, and what is open', () => {
    const session = fakeSession();
    session.start();
    FakeSocket.last.hello({ id: 2, name: 'Alex', role: 'party', side: { id: ALEX, name: 'Alex' } }, { joint: 0 }, ALEX_RIGHTS as unknown as Record<string, unknown>);
    const agreed = decision(4, { status: 'done', terms: 'Alex keeps the car', consents: [{ side: ALEX, given_by: 2, given_at: T }, { side: SAM, given_by: 5, given_at: T }] });
    FakeSocket.last.receive({
      type: 'snapshot',
      room: 'joint',
      seq: 1,
      data: {
        issues: [
          issue({ id: 1, title: 'Car', lane: 'agreed', decisions: [agreed] }),
          issue({ id: 2, title: 'Pension', lane: 'parked', parked_reason: 'Valuation', parked_condition: 'the actuary reports' }),
          issue({ id: 3, title: 'House', lane: 'discussing' }),
          issue({ id: 4, title: 'Dog', lane: 'struck' }),
        ],
      },
    });
    const names: Record<number, string> = { 2: 'Alex Reed', 5: 'Sam Reed' };
    const { container } = render(BoardHarness, {
      props: {
        context: { session, sides: [{ id: ALEX, name: 'Alex' }, { id: SAM, name: 'Sam' }], nameOf: (id: number | null) => (id === null ? '' : (names[id] ?? '')) },
        component: ClosingSummary,
        props: { onopen: () => {} },
      },
    });
    expect(screen.getByRole('heading', { name: 'Agreed (1)' })).toBeTruthy();
    expect(screen.getByText('Alex keeps the car')).toBeTruthy();
    expect(container.textContent).toContain('Alex: Alex Reed');
    expect(container.textContent).toContain('Sam: Sam Reed');
    expect(screen.getByRole('heading', { name: 'Parked (1)' })).toBeTruthy();
    expect(container.textContent).toContain('Back when the actuary reports.');
    expect(screen.getByRole('heading', { name: 'Still open (1)' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'House' })).toBeTruthy();
    expect(container.textContent).toContain('Struck from the agenda: Dog.');
  });
});
