import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import SessionBar from '../src/components/SessionBar.svelte';
import type { MediationState } from '../src/lib/board';
import type { BoardSession } from '../src/lib/boardSession';
import { formatLeft } from '../src/lib/labels';
import BoardHarness from './BoardHarness.svelte';
import { FakeSocket, fakeSession, MEDIATION, stopSessions } from './fakeSocket';
import { ALEX_RIGHTS, MEDIATOR_RIGHTS } from './rightsFixtures';

const calm: MediationState = {
  id: MEDIATION, stage: 'joint_discussion', on_break: false, break_ends_at: null, break_message: '',
  joint_paused: false, confidentiality_rule: 'confidential_unless_released', status: 'active',
};

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new Error('no server here')));
});
afterEach(stopSessions);

function shown(rights: object, initial: MediationState): BoardSession {
  const session = fakeSession();
  session.start();
  FakeSocket.last.hello({ id: 1, name: 'Maya', role: 'mediator', side: null }, { joint: 0 }, rights as Record<string, unknown>);
  const sides = [{ id: 3, name: 'Alex' }, { id: 4, name: 'Sam' }];
  render(BoardHarness, { props: { context: { session, sides, nameOf: () => '' }, component: SessionBar, props: { initial } } });
  return session;
}

describe('the session bar', () => {
  it('marks the current stage, and lets only the mediator move to another', () => {
    shown(MEDIATOR_RIGHTS, calm);
    expect(screen.getByText('2. Joint discussion').closest('li')?.getAttribute('aria-current')).toBe('step');
    expect(screen.getByRole('button', { name: 'Move to 4. Joint negotiation' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Take a break…' })).toBeTruthy();
  });

  it('offers a party to ask for a break, and no stage to move to', () => {
    shown(ALEX_RIGHTS, calm);
    expect(screen.getByRole('button', { name: 'Ask for a break' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^Move to/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Take a break…' })).toBeNull();
  });

  it('counts a break down and says the board is read-only', () => {
    const ends = new Date(Date.now() + 5 * 60_000 + 500).toISOString();
    shown(ALEX_RIGHTS, { ...calm, on_break: true, break_ends_at: ends, break_message: 'Coffee' });
    expect(screen.getByText('Coffee')).toBeTruthy();
    expect(screen.getByText(/^5:0\d left$/)).toBeTruthy();
    expect(screen.getByText('The board is read-only until the break ends.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Ask for a break' })).toBeNull();
  });
});

describe('an announcement', () => {
  const said = { ...calm, announcement: 'We resume at two', announced_at: '2030-01-01T13:00:00Z' };

  it('stays on a party’s screen until they dismiss it', async () => {
    shown(ALEX_RIGHTS, said);
    expect(screen.getByText('We resume at two')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Announce…' })).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByText('We resume at two')).toBeNull();
  });

  it('is made and taken down by the mediator', async () => {
    const session = shown(MEDIATOR_RIGHTS, said);
    const announce = vi.spyOn(session, 'announce').mockResolvedValue({});
    await fireEvent.click(screen.getByRole('button', { name: 'Take it down' }));
    expect(announce).toHaveBeenCalledWith('');
    await fireEvent.click(screen.getByRole('button', { name: 'Announce…' }));
    await fireEvent.input(screen.getByLabelText('To everyone at the table'), { target: { value: ' Lunch is here ' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Announce' }));
    expect(announce).toHaveBeenLastCalledWith('Lunch is here');
  });
});

describe('a break asked for', () => {
  it('is granted by the mediator in one tap, and the request is read', async () => {
    const session = shown(MEDIATOR_RIGHTS, calm);
    session.notifications.set([
      { id: 8, kind: 'break_requested', text: 'Someone at the table asks for a break.', room: 'caucus:4', created_at: '2030-01-01T10:00:00Z', read_at: null },
    ]);
    const start = vi.spyOn(session, 'startBreak').mockResolvedValue({});
    const read = vi.spyOn(session, 'readNotifications').mockResolvedValue({});
    expect(await screen.findByText(/by Sam’s side/)).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Grant a 10-minute break' }));
    expect(start).toHaveBeenCalledWith(10, '');
    expect(read).toHaveBeenCalledWith([8]);
  });

  it('is not shown to a party', () => {
    const session = shown(ALEX_RIGHTS, calm);
    session.notifications.set([
      { id: 8, kind: 'break_requested', text: '', room: 'caucus:4', created_at: '2030-01-01T10:00:00Z', read_at: null },
    ]);
    expect(screen.queryByRole('button', { name: 'Grant a 10-minute break' })).toBeNull();
  });
});

describe('formatLeft', () => {
  it('writes what is left as minutes and seconds, hours when long, never below zero', () => {
    expect([formatLeft(65_000), formatLeft(3_723_000), formatLeft(-5)]).toEqual(['1:05', '1:02:03', '0:00']);
  });
});
