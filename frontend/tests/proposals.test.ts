import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Proposals from '../src/components/board/Proposals.svelte';
import { NOT_PARKED, type Issue, type Proposal } from '../src/lib/board';
import BoardHarness from './BoardHarness.svelte';
import { FakeSocket, fakeSession, stopSessions } from './fakeSocket';
import { ALEX_RIGHTS } from './rightsFixtures';

const T = '2030-01-01T10:00:00Z';
const ALEX = 3;
const SAM = 4;
const WORD = 'I have the information I need to decide';

function offer(over: Partial<Proposal> = {}): Proposal {
  return {
    id: 20, issue: 7, side: SAM, terms: 'Sam keeps the car', amount: null, counter_to: null, status: 'open',
    created_by: 5, created_at: T, version: 1, responses: [], ...over,
  };
}

function issue(over: Partial<Issue> = {}): Issue {
  return {
    id: 7, title: 'Car', description: '', lane: 'discussing', order: 0, ...NOT_PARKED, decisions: [],
    version: 3, created_by: 1, created_at: T, updated_at: T, positions: [], interests: [], options: [],
    criteria: [], proposals: [offer()], comments: [], ...over,
  };
}

describe('accepting a proposal', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new Error('no server here')));
  });
  afterEach(stopSessions);

  function shown(card: Issue) {
    const session = fakeSession();
    session.start();
    FakeSocket.last.hello({ id: 2, name: 'Alex', role: 'party', side: { id: ALEX, name: 'Alex' } }, { joint: 0 }, ALEX_RIGHTS as unknown as Record<string, unknown>);
    render(BoardHarness, {
      props: {
        context: { session, sides: [{ id: ALEX, name: 'Alex' }, { id: SAM, name: 'Sam' }], nameOf: () => '' },
        component: Proposals,
        props: { issue: card },
      },
    });
    return session;
  }

  async function chooseAccept(): Promise<void> {
    await fireEvent.click(screen.getByRole('button', { name: /^Answer/ }));
    await fireEvent.click(screen.getByRole('radio', { name: 'Accept' }));
  }

  it('asks for the party’s word that they have what they need, and sends it with the acceptance', async () => {
    const session = shown(issue());
    const respond = vi.spyOn(session, 'respond').mockResolvedValue({});
    await chooseAccept();
    await fireEvent.click(screen.getByRole('button', { name: 'Send answer' }));
    expect(respond).not.toHaveBeenCalled();
    expect(screen.getByText(/To accept, say you have the information you need/)).toBeTruthy();
    await fireEvent.click(screen.getByRole('checkbox', { name: WORD }));
    await fireEvent.click(screen.getByRole('button', { name: 'Send answer' }));
    expect(respond).toHaveBeenCalledWith(20, 0, 'accept', '', undefined, true);
  });

  it('asks for no word with any other answer', async () => {
    const session = shown(issue());
    const respond = vi.spyOn(session, 'respond').mockResolvedValue({});
    await fireEvent.click(screen.getByRole('button', { name: /^Answer/ }));
    await fireEvent.click(screen.getByRole('radio', { name: 'Reject' }));
    expect(screen.queryByRole('checkbox', { name: WORD })).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Send answer' }));
    expect(respond).toHaveBeenCalledWith(20, 0, 'reject', '', undefined, false);
  });

  it('holds Accept back, with its reason, until every side opened the issue’s documents', async () => {
    shown(issue({ documents_required: true }));
    FakeSocket.last.receive({
      type: 'event', room: 'joint', seq: 1, name: 'document.shared',
      data: {
        id: 1, room: 'joint', issue: 7, name: 'car.pdf', kind: 'pdf', content_type: 'application/pdf', size: 10,
        shared_by: 1, created_at: T, withdrawn_at: null, opened_sides: [SAM], url: '/x',
      },
    });
    await fireEvent.click(screen.getByRole('button', { name: /^Answer/ }));
    expect((screen.getByRole('radio', { name: 'Accept' }) as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByText(/^Open this issue’s documents/)).toBeTruthy();
  });
});
