import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import OpeningStatements from '../src/components/board/OpeningStatements.svelte';
import OpeningEditor from '../src/components/caucus/OpeningEditor.svelte';
import { applyFrame, emptyBoard, type OpeningStatement } from '../src/lib/board';
import type { BoardSession } from '../src/lib/boardSession';
import BoardHarness from './BoardHarness.svelte';
import { FakeSocket, fakeSession, MEDIATION, stopSessions } from './fakeSocket';
import { ALEX_RIGHTS, ATTORNEY_RIGHTS, MEDIATOR_RIGHTS } from './rightsFixtures';

const T = '2030-01-01T10:00:00Z';
const ALEX = 3;
const SAM = 4;
const SIDES = [{ id: ALEX, name: 'Alex' }, { id: SAM, name: 'Sam' }];

function opening(over: Partial<OpeningStatement> = {}): OpeningStatement {
  return { id: 11, side: ALEX, text: 'I want the children settled', ready: false, version: 1, updated_by: 2, updated_at: T, ...over };
}

const state = (shownAt: string | null) => ({
  id: MEDIATION, stage: 'opening', on_break: false, joint_paused: false,
  confidentiality_rule: 'confidential_unless_released', status: 'active', openings_shown_at: shownAt,
});

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new Error('no server here')));
});
afterEach(stopSessions);

function session(rights: object, me: Record<string, unknown>, openings: OpeningStatement[] = [], shownAt: string | null = null): BoardSession {
  const board = fakeSession();
  board.start();
  FakeSocket.last.hello(me, { joint: 0 }, rights as Record<string, unknown>);
  FakeSocket.last.receive({ type: 'snapshot', room: 'joint', seq: 1, data: { issues: [], mediation: state(shownAt), openings } });
  return board;
}

const ALEX_ME = { id: 2, name: 'Alex', role: 'party', side: { id: ALEX, name: 'Alex' } };
const ANA_ME = { id: 6, name: 'Ana', role: 'attorney', side: { id: ALEX, name: 'Alex' } };
const MAYA_ME = { id: 1, name: 'Maya', role: 'mediator', side: null };

function editor(board: BoardSession, held: OpeningStatement | null): void {
  render(BoardHarness, { props: { context: { session: board, sides: SIDES, nameOf: () => '' }, component: OpeningEditor, props: { side: ALEX, sideName: 'Alex', opening: held } } });
}

describe('the opening statement in the private room', () => {
  it('lets the party write it and say it may be shown', async () => {
    const board = session(ALEX_RIGHTS, ALEX_ME);
    const set = vi.spyOn(board, 'setOpening').mockResolvedValue({});
    editor(board, opening());
    expect(screen.getByText(/Only this room can read it/)).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'It may be shown' }));
    expect(set).toHaveBeenCalledWith(ALEX, 1, { ready: true });
  });

  it('lets the attorney draft it, never say it may be shown', async () => {
    const board = session(ATTORNEY_RIGHTS, ANA_ME);
    const set = vi.spyOn(board, 'setOpening').mockResolvedValue({});
    editor(board, null);
    expect(screen.queryByRole('button', { name: 'It may be shown' })).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Write it' }));
    await fireEvent.input(screen.getByLabelText('What Alex wants to say at the start'), { target: { value: ' A fair split ' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(set).toHaveBeenCalledWith(ALEX, 0, { text: 'A fair split' });
  });

  it('once shown, is changed by the party only', () => {
    const board = session(ATTORNEY_RIGHTS, ANA_ME, [], T);
    editor(board, opening({ ready: true }));
    expect(screen.getByText('Everyone at the table can read it now.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
  });
});

describe('the opening statements on the board', () => {
  function board(rights: object, me: Record<string, unknown>, openings: OpeningStatement[], shownAt: string | null): BoardSession {
    const held = session(rights, me, openings, shownAt);
    render(BoardHarness, { props: { context: { session: held, sides: SIDES, nameOf: () => '' }, component: OpeningStatements } });
    return held;
  }

  it('offers the mediator to open them, and says where to write one', async () => {
    const held = board(MEDIATOR_RIGHTS, MAYA_ME, [], null);
    const show = vi.spyOn(held, 'showOpenings').mockResolvedValue({});
    await fireEvent.click(screen.getByRole('button', { name: 'Open the statements to everyone' }));
    expect(show).toHaveBeenCalled();
  });

  it('shows each side’s once open, and says who will speak for themselves', () => {
    board(ALEX_RIGHTS, ALEX_ME, [opening({ ready: true })], T);
    expect(screen.getByText('I want the children settled')).toBeTruthy();
    expect(screen.getByText('Sam will speak for themselves.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Open the statements to everyone' })).toBeNull();
  });
});

describe('opening statements in the joint state', () => {
  it('come all at once when opened, then one by one, newest version kept', () => {
    let held = emptyBoard();
    const frame = (seq: number, name: string, data: unknown) => ({ type: 'event' as const, room: 'joint', seq, name, data });
    held = applyFrame(held, frame(1, 'openings.shown', { openings: [opening({ ready: true })] })).state;
    expect(Object.values(held.openings).map((o) => o.text)).toEqual(['I want the children settled']);
    held = applyFrame(held, frame(2, 'opening.saved', opening({ id: 12, side: SAM, text: 'A fair split', ready: true }))).state;
    held = applyFrame(held, frame(3, 'opening.saved', opening({ version: 3, text: 'Settled, and soon', ready: true }))).state;
    held = applyFrame(held, frame(4, 'opening.saved', opening({ version: 2, text: 'Older', ready: true }))).state;
    expect(Object.values(held.openings).map((o) => o.text).sort()).toEqual(['A fair split', 'Settled, and soon']);
  });
});
