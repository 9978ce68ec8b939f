import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SnapshotChanges, SnapshotItem } from '../src/lib/api';
import BoardHarness from './BoardHarness.svelte';
import { FakeSocket, fakeSession, stopSessions } from './fakeSocket';
import { MEDIATOR_RIGHTS } from './rightsFixtures';

const api = vi.hoisted(() => ({ listSnapshots: vi.fn(), snapshotChanges: vi.fn() }));
vi.mock('../src/lib/api', async (original) => ({ ...(await original<object>()), ...api }));

const { default: HistoryPanel } = await import('../src/components/HistoryPanel.svelte');

const T = '2030-01-01T10:00:00Z';
const SNAPSHOTS: SnapshotItem[] = [
  { id: 12, room: 'joint', seq: 12, reason: 'on_demand', taken_by: 1, created_at: T },
  { id: 10, room: 'joint', seq: 10, reason: 'on_demand', taken_by: 1, created_at: T },
];

describe('the history panel', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    api.listSnapshots.mockReset();
    api.snapshotChanges.mockReset();
  });
  afterEach(stopSessions);

  it('keeps a comparison when an older load of the list arrives after it', async () => {
    // The panel loads its list twice as it opens (mounted, and shown): the older answer
    // comes last, after the comparison was made, and must not undo it.
    let late: (list: SnapshotItem[]) => void = () => {};
    api.listSnapshots
      .mockReturnValueOnce(new Promise<SnapshotItem[]>((resolve) => (late = resolve)))
      .mockResolvedValue(SNAPSHOTS);
    const changes: SnapshotChanges = { before: SNAPSHOTS[1]!, after: SNAPSHOTS[0]!, changes: [] };
    api.snapshotChanges.mockResolvedValue(changes);
    const session = fakeSession();
    session.start();
    FakeSocket.last.hello({ id: 1, name: 'Maya', role: 'mediator', side: null }, { joint: 0 }, MEDIATOR_RIGHTS as unknown as Record<string, unknown>);
    render(BoardHarness, {
      props: { context: { session, sides: [], nameOf: () => '' }, component: HistoryPanel, props: { rooms: ['joint'], visible: true } },
    });
    const compare = await screen.findByRole('button', { name: 'Compare' });
    await fireEvent.click(compare);
    await screen.findByText('Nothing changed between these two.');
    expect(api.snapshotChanges).toHaveBeenCalledWith(expect.any(String), 10, 12);
    expect(api.listSnapshots).toHaveBeenCalledTimes(2);
    late([SNAPSHOTS[1]!]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await waitFor(() => expect(screen.getByText('Nothing changed between these two.')).toBeTruthy());
  });
});
