import { act, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import SessionBar from '../src/components/SessionBar.svelte';
import type { CaucusSession, MediationState } from '../src/lib/board';
import { emptyBoard } from '../src/lib/board';
import { formatElapsed, MEETING_ELSEWHERE, meetingElsewhereSince } from '../src/lib/privateMeeting';
import BoardHarness from './BoardHarness.svelte';
import { FakeSocket, fakeSession, MEDIATION, stopSessions } from './fakeSocket';
import { ALEX_RIGHTS, ATTORNEY_RIGHTS, MEDIATOR_RIGHTS } from './rightsFixtures';

// Alex is side 3, Sam side 4 (rightsFixtures).
const calm: MediationState = {
  id: MEDIATION, stage: 'caucus', on_break: false, break_ends_at: null, break_message: '',
  joint_paused: false, confidentiality_rule: 'confidential_unless_released', status: 'active',
};

function caucus(id: number, side: number, status: CaucusSession['status'], minutesAgo: number | null): CaucusSession {
  const opened = minutesAgo === null ? null : new Date(Date.now() - minutesAgo * 60_000).toISOString();
  return { id, side, status, called_at: opened ?? new Date().toISOString(), opened_at: opened, closed_at: null };
}

const MAYA = { id: 1, name: 'Maya', role: 'mediator', side: null };
const ALEX = { id: 2, name: 'Alex', role: 'party', side: { id: 3, name: 'Alex' } };
const SAM = { id: 3, name: 'Sam', role: 'party', side: { id: 4, name: 'Sam' } };
const JORDAN = { id: 4, name: 'Jordan', role: 'attorney', side: { id: 3, name: 'Alex' } };

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new Error('no server here')));
});
afterEach(() => {
  stopSessions();
  vi.useRealTimers();
});

function shown(who: Record<string, unknown>, rights: object, caucuses: CaucusSession[]): FakeSocket {
  const session = fakeSession();
  session.start();
  const server = FakeSocket.last;
  server.hello(who, { joint: 0 }, rights as Record<string, unknown>);
  server.receive({ type: 'snapshot', room: 'joint', seq: 1, data: { mediation: calm, caucuses, issues: [], statements: [] } });
  server.receive({ type: 'synced', rooms: { joint: 1 } });
  render(BoardHarness, { props: { context: { session, sides: [], nameOf: () => '' }, component: SessionBar, props: { initial: calm } } });
  return server;
}

describe('where the mediator is', () => {
  it('tells the other side the mediator is meeting privately, and for how long', () => {
    shown(SAM, ALEX_RIGHTS, [caucus(7, 3, 'open', 12)]);
    const line = screen.getByRole('status');
    expect(line.textContent?.replace(/\s+/g, ' ').trim()).toBe(`${MEETING_ELSEWHERE} · 12 min`);
  });

  it('reads the same whichever side is met, and says nothing to the side in the meeting', () => {
    shown(ALEX, ALEX_RIGHTS, [caucus(8, 4, 'open', 3)]);
    expect(screen.getByText(MEETING_ELSEWHERE, { exact: false }).textContent).toContain('· 3 min');
    stopSessions();
    document.body.innerHTML = '';
    shown(JORDAN, ATTORNEY_RIGHTS, [caucus(9, 3, 'open', 3)]);
    expect(screen.queryByText(MEETING_ELSEWHERE, { exact: false })).toBeNull();
  });

  it('shows nothing to the mediator, nor for a caucus only called or closed', () => {
    shown(MAYA, MEDIATOR_RIGHTS, [caucus(7, 3, 'open', 12)]);
    expect(screen.queryByText(MEETING_ELSEWHERE, { exact: false })).toBeNull();
    stopSessions();
    document.body.innerHTML = '';
    shown(SAM, ALEX_RIGHTS, [caucus(7, 3, 'called', null), { ...caucus(6, 3, 'closed', 30), closed_at: new Date().toISOString() }]);
    expect(screen.queryByText(MEETING_ELSEWHERE, { exact: false })).toBeNull();
  });

  it('comes when the meeting opens, goes when it closes, and counts up meanwhile', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const server = shown(SAM, ALEX_RIGHTS, [caucus(7, 3, 'called', null)]);
    expect(screen.queryByText(MEETING_ELSEWHERE, { exact: false })).toBeNull();
    const open = caucus(7, 3, 'open', 0);
    await act(() => server.receive({ type: 'event', room: 'joint', seq: 2, name: 'caucus.updated', data: open }));
    expect(screen.getByText(MEETING_ELSEWHERE, { exact: false }).textContent).toContain('· under a minute');
    await act(() => vi.advanceTimersByTime(5 * 60_000));
    expect(screen.getByText(MEETING_ELSEWHERE, { exact: false }).textContent).toContain('· 5 min');
    const closed = { ...open, status: 'closed', closed_at: new Date().toISOString() };
    await act(() => server.receive({ type: 'event', room: 'joint', seq: 3, name: 'caucus.updated', data: closed }));
    expect(screen.queryByText(MEETING_ELSEWHERE, { exact: false })).toBeNull();
  });
});

describe('meetingElsewhereSince and formatElapsed', () => {
  it('takes the earliest meeting with another side, none without a side', () => {
    const state = {
      ...emptyBoard(),
      caucuses: {
        1: { ...caucus(1, 4, 'open', 0), opened_at: '2026-03-02T10:20:00Z' },
        2: { ...caucus(2, 5, 'open', 0), opened_at: '2026-03-02T10:05:00Z' },
      },
    };
    expect(meetingElsewhereSince(state, 3)).toBe(Date.parse('2026-03-02T10:05:00Z'));
    expect(meetingElsewhereSince(state, 5)).toBe(Date.parse('2026-03-02T10:20:00Z'));
    expect(meetingElsewhereSince(state, null)).toBeNull();
  });

  it('writes minutes, and hours when long', () => {
    expect([formatElapsed(59_000), formatElapsed(12 * 60_000 + 59_000), formatElapsed(65 * 60_000), formatElapsed(-1)]).toEqual([
      'under a minute', '12 min', '1 h 05 min', 'under a minute',
    ]);
  });
});
