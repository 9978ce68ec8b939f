import { act, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import BalancePanel from '../src/components/BalancePanel.svelte';
import type { Balance } from '../src/lib/api';
import { BalanceFeed, formatPrivateTime, metLabel, sinceLabel } from '../src/lib/balance';
import BoardHarness from './BoardHarness.svelte';
import { FakeSocket, fakeSession, stopSessions } from './fakeSocket';
import { MEDIATOR_RIGHTS } from './rightsFixtures';

const NOW = '2026-03-02T11:15:00Z';

function balance(overrides: Partial<Balance> = {}): Balance {
  return {
    now: NOW,
    sides: [
      { side: 3, name: 'Alex', private_seconds: 35 * 60, private_sessions: 2, in_private_since: '2026-03-02T11:00:00Z',
        proposals: 2, edits: 4, last_acted_at: '2026-03-02T11:10:00Z', break_requests: 2 },
      { side: 4, name: 'Sam', private_seconds: 10 * 60, private_sessions: 1, in_private_since: null,
        proposals: 1, edits: 2, last_acted_at: null, break_requests: 1 },
    ],
    first_met: 3,
    last_met: 3,
    note: 'Alex has had 25 more minutes of private time than Sam.',
    ...overrides,
  };
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new Error('no server here')));
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  stopSessions();
  vi.useRealTimers();
});

async function settle(): Promise<void> {
  await act(async () => {
    await Promise.resolve();
    await Promise.resolve();
  });
}

function cell(label: string, side: number): string {
  const row = screen.getByRole('rowheader', { name: label }).closest('tr');
  const cells = row ? [...row.querySelectorAll('td')] : [];
  return (cells[side]?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

describe('the balance panel', () => {
  function shown(load: () => Promise<Balance>): FakeSocket {
    const session = fakeSession();
    session.start();
    const server = FakeSocket.last;
    server.hello({ id: 1, name: 'Maya', role: 'mediator', side: null }, { joint: 0 }, MEDIATOR_RIGHTS as unknown as Record<string, unknown>);
    server.receive({ type: 'snapshot', room: 'joint', seq: 1, data: { caucuses: [], issues: [], statements: [] } });
    render(BoardHarness, {
      props: { context: { session, sides: [], nameOf: () => '' }, component: BalancePanel, props: { mediationId: 'm', load } },
    });
    return server;
  }

  it('shows each side s figures and the note', async () => {
    shown(() => Promise.resolve(balance()));
    await settle();
    expect(screen.getByText('Alex has had 25 more minutes of private time than Sam.')).toBeTruthy();
    expect([cell('Private time', 0), cell('Private time', 1)]).toEqual(['35 min in session now', '10 min']);
    expect([cell('Met privately', 0), cell('Met privately', 1)]).toEqual(['first and last', '—']);
    expect([cell('Proposals', 0), cell('Board edits', 1), cell('Break requests', 0)]).toEqual(['2', '2', '2']);
    expect([cell('Last acted at the table', 0), cell('Last acted at the table', 1)]).toEqual(['5 min ago', 'not yet']);
  });

  it('counts a running private session on between reads', async () => {
    // One answer, then a server too slow to give the next: the clock runs on from it.
    let first = true;
    shown(() => (first ? ((first = false), Promise.resolve(balance())) : new Promise<Balance>(() => undefined)));
    await settle();
    await act(() => vi.advanceTimersByTime(4 * 60_000));
    expect(cell('Private time', 0)).toBe('39 min in session now');
    expect(cell('Private time', 1)).toBe('10 min');
  });

  it('reads again shortly after something happens in the joint room', async () => {
    const load = vi.fn(() => Promise.resolve(balance()));
    const server = shown(load);
    await settle();
    await act(() => vi.advanceTimersByTime(1500));
    const before = load.mock.calls.length;
    expect(before).toBe(1);
    await act(() => server.receive({ type: 'event', room: 'joint', seq: 2, name: 'caucus.updated', data: { id: 5, side: 4, status: 'called', called_at: NOW, opened_at: null, closed_at: null } }));
    await act(() => server.receive({ type: 'event', room: 'joint', seq: 3, name: 'caucus.updated', data: { id: 5, side: 4, status: 'open', called_at: NOW, opened_at: NOW, closed_at: null } }));
    expect(load.mock.calls.length).toBe(before);
    await act(() => vi.advanceTimersByTime(1500));
    expect(load.mock.calls.length).toBe(before + 1);
  });

  it('says so when the record cannot be read', async () => {
    shown(() => Promise.reject(new Error('down')));
    await settle();
    expect(screen.getByRole('alert').textContent).toContain('Something unexpected went wrong');
  });
});

describe('the balance feed', () => {
  it('makes one read of several pokes close together, and reads every minute', async () => {
    const load = vi.fn(() => Promise.resolve(balance()));
    const feed = new BalanceFeed(load, { debounceMs: 1000, refreshMs: 60_000 });
    feed.start();
    feed.poke();
    feed.poke();
    vi.advanceTimersByTime(999);
    feed.poke();
    expect(load).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(load).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(60_000);
    expect(load).toHaveBeenCalledTimes(3);
    feed.stop();
    feed.poke();
    vi.advanceTimersByTime(120_000);
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('never shows an older answer over a newer one', async () => {
    const answers: ((b: Balance) => void)[] = [];
    const feed = new BalanceFeed(() => new Promise<Balance>((resolve) => answers.push(resolve)), { debounceMs: 10 });
    const seen: (string | null)[] = [];
    feed.held.subscribe((h) => seen.push(h?.balance.note ?? null));
    feed.start();
    feed.poke();
    vi.advanceTimersByTime(10);
    answers[1]?.(balance({ note: 'newer' }));
    answers[0]?.(balance({ note: 'older' }));
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual([null, 'newer']);
    feed.stop();
  });
});

describe('balance labels', () => {
  it('writes private time, time since, and the order of meetings', () => {
    const held = { balance: balance(), receivedAt: 1_000 };
    expect([formatPrivateTime(0), formatPrivateTime(30), formatPrivateTime(3900)]).toEqual(['none', 'under a minute', '1 h 05 min']);
    expect([sinceLabel('2026-03-02T11:10:00Z', held, 61_000), sinceLabel(null, held, 0)]).toEqual(['6 min ago', 'not yet']);
    expect([metLabel(balance(), 3), metLabel(balance({ last_met: 4 }), 4), metLabel(balance(), 4)]).toEqual(['first and last', 'last', '']);
  });
});
