import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { get } from 'svelte/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import StrikeList from '../src/components/board/StrikeList.svelte';
import { NOT_PARKED, type Criterion, type Issue, type Option } from '../src/lib/board';
import { BoardSession, itemOfField } from '../src/lib/boardSession';
import { fieldLabel } from '../src/lib/presence';
import { CommandError } from '../src/lib/socket';
import BoardHarness from './BoardHarness.svelte';
import { FakeSocket, fakeSession, MEDIATION, stopSessions } from './fakeSocket';

const T = '2030-01-01T10:00:00Z';
const ALEX = { id: 3, name: 'Alex' };
const SAM = { id: 4, name: 'Sam' };

const option = (id: number, text: string, over: Partial<Option> = {}): Option => ({
  id,
  issue: 7,
  text,
  struck: false,
  version: 1,
  created_by: 1,
  created_at: T,
  ...over,
});
const criterion = (id: number, text: string, source: string, over: Partial<Criterion> = {}): Criterion => ({
  ...option(id, text, over),
  source,
});

function issueWith(over: Partial<Issue>): Issue {
  return {
    id: 7,
    title: 'House',
    description: '',
    lane: 'agenda',
    order: 0,
    ...NOT_PARKED,
    decisions: [],
    version: 1,
    created_by: 1,
    created_at: T,
    updated_at: T,
    positions: [],
    interests: [],
    options: [],
    criteria: [],
    proposals: [],
    comments: [],
    ...over,
  };
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new Error('no server here')));
});

afterEach(stopSessions);

function connected(): { session: BoardSession; server: FakeSocket } {
  const session = fakeSession();
  session.start();
  const server = FakeSocket.last;
  server.hello({ id: 1, name: 'Maya', role: 'mediator', side: null });
  return { session, server };
}

/** The mediator's sheet part for the options or criteria of House, live on a session. */
async function showList(kind: 'option' | 'criterion', issue: Issue) {
  const { session, server } = connected();
  server.receive({ type: 'snapshot', room: 'joint', seq: 1, data: { issues: [issue] } });
  const context = { session, sides: [ALEX, SAM], nameOf: () => 'Someone' };
  const items = () => {
    const now = get(session.view).issues[7];
    return kind === 'option' ? (now?.options ?? []) : (now?.criteria ?? []);
  };
  const view = render(BoardHarness, {
    props: { context, component: StrikeList, props: { kind, items: items(), canEdit: true, empty: 'None yet.' } },
  });
  const refresh = async () => {
    await view.rerender({ props: { context, component: StrikeList, props: { kind, items: items(), canEdit: true, empty: 'None yet.' } } });
    await tick();
  };
  return { session, server, refresh };
}

const commands = (server: FakeSocket) => server.frames('command');
const lastCommand = (server: FakeSocket) => commands(server).slice(-1)[0];

describe('editing an option, interest or criterion', () => {
  it('sends <kind>.update with the text and the version the edit started from', async () => {
    const { server, refresh } = await showList('option', issueWith({ options: [option(11, 'Sell', { version: 3 })] }));
    await fireEvent.click(screen.getByRole('button', { name: 'Edit option: Sell' }));
    const field = screen.getByLabelText('Option');
    expect(document.activeElement).toBe(field);
    await fireEvent.input(field, { target: { value: 'Sell and split the proceeds' } });
    await fireEvent.submit(field.closest('form')!);
    expect(lastCommand(server)).toMatchObject({ name: 'option.update', data: { option: 11, version: 3, text: 'Sell and split the proceeds' } });
    // Shown at once, before the ack, and the Edit button has the focus back.
    await refresh();
    expect(screen.getByText('Sell and split the proceeds')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Edit option: Sell and split the proceeds' }));
  });

  it('edits a criterion’s source on its own, and leaves it optional', async () => {
    const { server } = await showList('criterion', issueWith({ criteria: [criterion(21, 'Valuation', 'Bank', { version: 2 })] }));
    expect(screen.getByText('Source: Bank')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Edit source of Valuation' }));
    const field = screen.getByLabelText('Source');
    await fireEvent.input(field, { target: { value: '' } });
    await fireEvent.submit(field.closest('form')!);
    expect(lastCommand(server)).toMatchObject({ name: 'criterion.update', data: { criterion: 21, version: 2, source: '' } });
    expect(lastCommand(server)?.data).not.toHaveProperty('text');
  });

  it('leaves the editor with Escape, sending nothing', async () => {
    const { server } = await showList('option', issueWith({ options: [option(11, 'Sell')] }));
    const edit = screen.getByRole('button', { name: 'Edit option: Sell' });
    await fireEvent.click(edit);
    const field = screen.getByLabelText('Option');
    await fireEvent.input(field, { target: { value: 'Keep' } });
    await fireEvent.keyDown(field, { key: 'Escape' });
    await tick();
    expect(screen.queryByLabelText('Option')).toBeNull();
    expect(commands(server)).toEqual([]);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Edit option: Sell' }));
  });

  it('shows a conflict with both texts, never overwriting, and keeps mine over the current version', async () => {
    const { server, refresh } = await showList('option', issueWith({ options: [option(11, 'Sell', { version: 1 })] }));
    await fireEvent.click(screen.getByRole('button', { name: 'Edit option: Sell' }));
    const field = screen.getByLabelText('Option');
    await fireEvent.input(field, { target: { value: 'Sell now' } });
    await fireEvent.submit(field.closest('form')!);
    const sent = lastCommand(server)!;
    // Someone else's edit got there first.
    server.receive({ type: 'event', room: 'joint', seq: 2, name: 'option.updated', data: option(11, 'Sell next spring', { version: 2 }) });
    server.receive({
      type: 'error',
      id: sent.id,
      code: 'conflict',
      message: 'Someone changed this while you were editing.',
      details: { current: option(11, 'Sell next spring', { version: 2 }) },
    });
    await refresh();
    await tick();
    const panel = screen.getByText(/Someone else changed the option “Sell next spring” while you were editing it/).closest('section')!;
    expect(within(panel).getByText('Sell now')).toBeTruthy();
    expect(within(panel).getByText('Sell next spring')).toBeTruthy();
    expect(commands(server)).toHaveLength(1);

    await fireEvent.click(within(panel).getByRole('button', { name: 'Keep mine (save over)' }));
    expect(lastCommand(server)).toMatchObject({ name: 'option.update', data: { option: 11, version: 2, text: 'Sell now' } });
  });

  it('offers no editing of a struck item, nor to someone who may not edit', async () => {
    await showList('option', issueWith({ options: [option(11, 'Sell', { struck: true })] }));
    expect(screen.queryByRole('button', { name: /^Edit/ })).toBeNull();
    expect(screen.getByRole('button', { name: 'Restore: Sell' })).toBeTruthy();
  });
});

describe('the session’s side of it', () => {
  it('names the command and the key of each item field', async () => {
    const { session } = connected();
    const send = vi.spyOn(session.socket, 'command').mockResolvedValue({});
    await session.saveField(7, 'interest:5', 'The school run', 2);
    await session.saveField(7, 'criterion:9', 'Valuation', 4);
    await session.saveField(7, 'criterion-source:9', 'Two banks', 5);
    expect(send.mock.calls).toEqual([
      ['interest.update', { interest: 5, version: 2, text: 'The school run' }],
      ['criterion.update', { criterion: 9, version: 4, text: 'Valuation' }],
      ['criterion.update', { criterion: 9, version: 5, source: 'Two banks' }],
    ]);
    expect(itemOfField('criterion-source:9')).toEqual({ kind: 'criterion', id: 9, part: 'source' });
    expect(itemOfField('position:3')).toBeNull();
  });

  it('keeps a conflict on a source with the current source as theirs', async () => {
    const { session } = connected();
    vi.spyOn(session.socket, 'command').mockRejectedValueOnce(
      new CommandError('conflict', 'Changed', { current: criterion(9, 'Valuation', 'One bank', { version: 6 }) }),
    );
    await expect(session.saveField(7, 'criterion-source:9', 'Two banks', 5)).resolves.toBe('conflict');
    expect(get(session.conflicts)[0]).toMatchObject({ key: '7:criterion-source:9', mine: 'Two banks', theirs: 'One bank', currentVersion: 6 });
  });

  it('turns an item edit refused after a reload into a conflict to resolve', () => {
    const storage = new Map<string, string>();
    const memory = {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
      removeItem: (k: string) => void storage.delete(k),
    } as unknown as Storage;
    memory.setItem(`parley:pending:${MEDIATION}`, JSON.stringify([{ id: 'old-1', name: 'option.update', data: { option: 11, version: 1, text: 'Mine' } }]));
    const session = fakeSession(memory);
    session.start();
    FakeSocket.last.hello({ id: 1, name: 'Maya', role: 'mediator', side: null });
    FakeSocket.last.receive({ type: 'error', id: 'old-1', code: 'conflict', message: 'Changed', details: { current: option(11, 'Theirs', { version: 2 }) } });
    expect(get(session.conflicts)).toEqual([expect.objectContaining({ key: '7:option:11', mine: 'Mine', theirs: 'Theirs', currentVersion: 2 })]);
    expect(get(session.notices)).toEqual([]);
  });

  it('names what is edited', () => {
    const issue = issueWith({ options: [option(11, 'Sell')], criteria: [criterion(9, 'Valuation', 'Bank')] });
    expect(fieldLabel('option:11', [], issue)).toBe('the option “Sell”');
    expect(fieldLabel('criterion-source:9', [], issue)).toBe('the source of the criterion “Valuation”');
    expect(fieldLabel('interest:4', [])).toBe('an interest');
  });
});
