import { get } from 'svelte/store';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BoardSession } from '../src/lib/boardSession';
import { CommandError } from '../src/lib/socket';

const MEDIATION = '3f2b8c1e-9d4a-4b6f-8e2a-1c5d7f9a0b12';

function session(): BoardSession {
  return new BoardSession(MEDIATION, { storage: null });
}

const conflict = (current: Record<string, unknown>) =>
  new CommandError('conflict', 'Someone changed this while you were editing.', { current });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('saving a field', () => {
  it('sends issue.update with the version the edit started from', async () => {
    const board = session();
    const send = vi.spyOn(board.socket, 'command').mockResolvedValue({});
    await expect(board.saveField(1, 'title', 'The house', 4)).resolves.toBe('saved');
    expect(send).toHaveBeenCalledWith('issue.update', { issue: 1, version: 4, title: 'The house' });
    await board.saveField(1, 'position:7', 'Keep it', 0);
    expect(send).toHaveBeenLastCalledWith('position.set', { issue: 1, side: 7, text: 'Keep it', version: 0 });
  });

  it('keeps a conflict with both texts, and "keep mine" sends mine over the current version', async () => {
    const board = session();
    const send = vi
      .spyOn(board.socket, 'command')
      .mockRejectedValueOnce(conflict({ id: 1, title: 'House (family home)', version: 5 }))
      .mockResolvedValueOnce({});
    await expect(board.saveField(1, 'title', 'The house', 4)).resolves.toBe('conflict');
    const [found] = get(board.conflicts);
    expect(found).toMatchObject({ key: '1:title', mine: 'The house', theirs: 'House (family home)', currentVersion: 5 });

    await expect(board.keepMine(found!)).resolves.toBe('saved');
    expect(send).toHaveBeenLastCalledWith('issue.update', { issue: 1, version: 5, title: 'The house' });
    expect(get(board.conflicts)).toEqual([]);
  });

  it('forgets my text on "use theirs", and passes other errors on', async () => {
    const board = session();
    vi.spyOn(board.socket, 'command')
      .mockRejectedValueOnce(conflict({ id: 3, text: 'Sell', version: 2 }))
      .mockRejectedValueOnce(new CommandError('invalid', 'Too long', { text: ['Keep it short.'] }));
    await board.saveField(1, 'position:4', 'Keep', 1);
    const [found] = get(board.conflicts);
    expect(found).toMatchObject({ theirs: 'Sell', currentVersion: 2, name: 'position.set' });
    board.useTheirs(found!);
    expect(get(board.conflicts)).toEqual([]);
    await expect(board.saveField(1, 'description', 'x'.repeat(9), 2)).rejects.toMatchObject({ code: 'invalid' });
    expect(get(board.conflicts)).toEqual([]);
  });

  it('moves with an index only when one is given, and a reason only into Parked', () => {
    const board = session();
    const send = vi.spyOn(board.socket, 'command').mockResolvedValue({});
    void board.moveIssue(1, 2, 'parked', null, 'Appraisal');
    void board.moveIssue(1, 3, 'agenda', 0, 'ignored');
    expect(send.mock.calls).toEqual([
      ['issue.move', { issue: 1, version: 2, lane: 'parked', reason: 'Appraisal' }],
      ['issue.move', { issue: 1, version: 3, lane: 'agenda', index: 0 }],
    ]);
  });
});
