import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import CaucusChat from '../src/components/caucus/CaucusChat.svelte';
import CaucusNotes from '../src/components/caucus/CaucusNotes.svelte';
import ReleaseDraftDialog from '../src/components/caucus/ReleaseDraftDialog.svelte';
import type { DraftItem } from '../src/components/caucus/draft';
import type { Issue } from '../src/lib/board';
import { BoardSession } from '../src/lib/boardSession';
import type { CaucusMessage, CaucusNote } from '../src/lib/caucus';
import { canDraftRelease, canShareDirectly } from '../src/lib/rights';
import BoardHarness from './BoardHarness.svelte';
import { ALEX_RIGHTS, ATTORNEY_RIGHTS, MEDIATOR_RIGHTS, roomRights } from './rightsFixtures';
import { FakeSocket, fakeSession, stopSessions } from './fakeSocket';

const T = '2030-01-01T10:00:00Z';
const ALEX = { id: 3, name: 'Alex' };
const SAM = { id: 4, name: 'Sam' };
const ME_ALEX = { id: 7, name: 'Alex', role: 'party', side: ALEX };
const MAYA = { id: 1, name: 'Maya', role: 'mediator', side: null };

const message = (id: number, author: number): CaucusMessage => ({
  id,
  author,
  body: `We could wait a year (${id})`,
  confidential: false,
  rule: 'confidential_unless_released',
  created_at: T,
});
const note: CaucusNote = {
  id: 31,
  issue: 9,
  kind: 'interest',
  text: 'The school year matters most',
  confidential: false,
  rule: 'confidential_unless_released',
  author: 7,
  version: 1,
  created_at: T,
  updated_at: T,
};
const house = { id: 9, title: 'House' } as Issue;

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new Error('no server here')));
  // jsdom has no modal dialogs.
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
});

afterEach(stopSessions);

function connectedAs(me: Record<string, unknown>): { session: BoardSession; server: FakeSocket } {
  const session = fakeSession();
  session.start();
  const server = FakeSocket.last;
  const rights = me.role === 'mediator' ? MEDIATOR_RIGHTS : ALEX_RIGHTS;
  server.hello(me, { joint: 0, [`caucus:${ALEX.id}`]: 0 }, rights as unknown as Record<string, unknown>);
  return { session, server };
}

function context(session: BoardSession) {
  return { session, sides: [ALEX, SAM], nameOf: (id: number | null) => (id === 7 ? 'Alex' : 'Maya') };
}

describe('a party proposes to share something of their own private room', () => {
  it('may draft in their own side’s room only, like the mediator; only the mediator shares directly', () => {
    expect([MEDIATOR_RIGHTS, ALEX_RIGHTS, ATTORNEY_RIGHTS].map((r) => canDraftRelease(r, ALEX.id))).toEqual([true, true, false]);
    expect(canDraftRelease(ALEX_RIGHTS, SAM.id)).toBe(false);
    const sharing = { ...MEDIATOR_RIGHTS, rooms: { 'caucus:3': roomRights({ draft_release: true, share_unmarked: true }) } };
    // Said under the default rule: never shared directly, whatever the rule is now.
    expect(canShareDirectly(sharing, ALEX.id, false, 'confidential_unless_released')).toBe(false);
    expect(canShareDirectly(sharing, ALEX.id, false, 'shareable_unless_marked')).toBe(true);
    expect(canShareDirectly(ALEX_RIGHTS, ALEX.id, false, 'shareable_unless_marked')).toBe(false);
  });

  it('offers “Propose sharing…” on the party’s messages and notes, naming the item', async () => {
    const { session } = connectedAs(ME_ALEX);
    const ondraft = vi.fn();
    render(BoardHarness, {
      props: {
        context: context(session),
        component: CaucusChat,
        props: { room: 'caucus:3', side: ALEX.id, sideName: 'Alex', messages: [message(11, 7), message(12, 1)], rule: 'confidential_unless_released', ondraft },
      },
    });
    const buttons = screen.getAllByRole('button', { name: 'Propose sharing…' });
    expect(buttons).toHaveLength(2);
    expect(screen.queryByRole('button', { name: 'Ask to share…' })).toBeNull();
    await fireEvent.click(buttons[0]!);
    expect(ondraft).toHaveBeenCalledWith(expect.objectContaining({ kind: 'message', id: 11, text: 'We could wait a year (11)' }));
  });

  it('offers it on notes too', async () => {
    const { session } = connectedAs(ME_ALEX);
    const ondraft = vi.fn();
    render(BoardHarness, {
      props: {
        context: context(session),
        component: CaucusNotes,
        props: { side: ALEX.id, issues: [house], notes: [note], rule: 'confidential_unless_released', ondraft },
      },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Propose sharing…' }));
    expect(ondraft).toHaveBeenCalledWith(expect.objectContaining({ kind: 'note', id: 31, issue: 9 }));
  });

  it('sends a release request naming the item; nothing is shared until the party answers it', async () => {
    const { session, server } = connectedAs(ME_ALEX);
    const item: DraftItem = { kind: 'message', id: 11, text: 'We could wait a year', confidential: false, issue: null };
    render(BoardHarness, {
      props: {
        context: context(session),
        component: ReleaseDraftDialog,
        props: { item, side: ALEX.id, sideName: 'Alex', issues: [house], rule: 'confidential_unless_released', onclose: vi.fn() },
      },
    });
    expect(screen.getByRole('heading', { name: 'Propose sharing this' })).toBeTruthy();
    expect(screen.getByText(/you decide on it there/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Share now, through the mediator' })).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Propose' }));
    const commands = server.frames('command');
    expect(commands.map((c) => c.name)).toEqual(['release.request']);
    expect(commands[0]).toMatchObject({ data: { side: ALEX.id, text: 'We could wait a year', message: 11 } });
  });

  it('still says “Ask Alex” to the mediator, and names the item there too', async () => {
    const { session, server } = connectedAs(MAYA);
    const item: DraftItem = { kind: 'note', id: 31, text: 'The school year', confidential: false, issue: 9 };
    render(BoardHarness, {
      props: {
        context: context(session),
        component: ReleaseDraftDialog,
        props: { item, side: ALEX.id, sideName: 'Alex', issues: [house], rule: 'confidential_unless_released', onclose: vi.fn() },
      },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Ask Alex' }));
    expect(server.frames('command')[0]).toMatchObject({ name: 'release.request', data: { note: 31, issue: 9 } });
  });
});
