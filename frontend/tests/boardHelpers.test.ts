import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import ConnectionBanner from '../src/components/board/ConnectionBanner.svelte';
import { indexAt } from '../src/lib/drag';
import { editingSentence, editorsOf, fieldLabel, initials, watchersOf } from '../src/lib/presence';
import {
  canAnswerRelease,
  canComment,
  canDraftRelease,
  canEditBoard,
  canKeepConfidential,
  canPropose,
  canRespond,
  canShareDirectly,
  canSpeakForSide,
  canToggleMark,
  canWithdraw,
} from '../src/lib/rights';
import type { PresenceEntry } from '../src/lib/socket';
import { ALEX_RIGHTS, ATTORNEY_RIGHTS, MEDIATOR_RIGHTS, roomRights } from './rightsFixtures';

const ALEX = { id: 3, name: 'Alex' };
const SAM = { id: 4, name: 'Sam' };

describe('rights: the server’s half of each question, and the item’s', () => {
  it('reads what the server published, and nothing when it has published nothing', () => {
    expect([MEDIATOR_RIGHTS, ALEX_RIGHTS, ATTORNEY_RIGHTS].map(canEditBoard)).toEqual([true, true, false]);
    expect([MEDIATOR_RIGHTS, ALEX_RIGHTS, ATTORNEY_RIGHTS].map(canPropose)).toEqual([true, true, false]);
    expect(canComment(ATTORNEY_RIGHTS)).toBe(true);
    expect([canEditBoard(null), canComment(undefined), canKeepConfidential(null, 3)]).toEqual([false, false, false]);
    expect([canSpeakForSide(ALEX_RIGHTS, 3), canSpeakForSide(ALEX_RIGHTS, 4), canSpeakForSide(MEDIATOR_RIGHTS, 4)]).toEqual([true, false, true]);
  });

  it('lets a side answer open proposals of others, never its own side’s', () => {
    expect(canRespond(ALEX_RIGHTS, { side: 4, status: 'open' })).toBe(true);
    expect(canRespond(ALEX_RIGHTS, { side: null, status: 'open' })).toBe(true);
    expect(canRespond(ALEX_RIGHTS, { side: 3, status: 'open' })).toBe(false);
    expect(canRespond(ALEX_RIGHTS, { side: 4, status: 'withdrawn' })).toBe(false);
    expect(canRespond(MEDIATOR_RIGHTS, { side: 4, status: 'open' })).toBe(false);
  });

  it('lets whoever the server names withdraw an open proposal', () => {
    expect(canWithdraw(ALEX_RIGHTS, { side: 3, status: 'open' })).toBe(true);
    expect(canWithdraw(ALEX_RIGHTS, { side: 4, status: 'open' })).toBe(false);
    expect(canWithdraw(MEDIATOR_RIGHTS, { side: null, status: 'open' })).toBe(true);
    expect(canWithdraw(MEDIATOR_RIGHTS, { side: null, status: 'withdrawn' })).toBe(false);
  });

  it('puts a mark on for anyone who may, and takes one off for the party or its own setter', () => {
    const unmarked = { confidential: false, author: 1, marked_by: null };
    const markedByAlex = { confidential: true, author: 7, marked_by: 7 };
    const markedByMaya = { confidential: true, author: 1, marked_by: 1 };
    expect(canToggleMark(MEDIATOR_RIGHTS, 1, 3, unmarked)).toBe(true);
    expect(canToggleMark(MEDIATOR_RIGHTS, 1, 3, markedByAlex)).toBe(false);
    expect(canToggleMark(MEDIATOR_RIGHTS, 1, 3, markedByMaya)).toBe(true);
    expect(canToggleMark(ALEX_RIGHTS, 7, 3, markedByMaya)).toBe(true);
    expect(canToggleMark(ATTORNEY_RIGHTS, 9, 3, markedByAlex)).toBe(false);
    expect(canToggleMark(ALEX_RIGHTS, 7, 4, unmarked)).toBe(false);
  });

  it('shares directly only unmarked items said under the sharing rule, where the server allows it', () => {
    const sharing = { ...MEDIATOR_RIGHTS, rooms: { 'caucus:3': roomRights({ share_unmarked: true }) } };
    expect(canShareDirectly(sharing, 3, false, 'shareable_unless_marked')).toBe(true);
    expect(canShareDirectly(sharing, 3, false, 'confidential_unless_released')).toBe(false);
    expect(canShareDirectly(sharing, 3, true, 'shareable_unless_marked')).toBe(false);
    expect(canShareDirectly(MEDIATOR_RIGHTS, 3, false, 'shareable_unless_marked')).toBe(false);
    expect([canAnswerRelease(ALEX_RIGHTS, 3), canAnswerRelease(MEDIATOR_RIGHTS, 3)]).toEqual([true, false]);
    expect([canDraftRelease(ALEX_RIGHTS, 3), canDraftRelease(ATTORNEY_RIGHTS, 3)]).toEqual([true, false]);
  });
});

describe('presence', () => {
  const entries = (...list: PresenceEntry[]) => new Map(list.map((e) => [e.connection, e]));
  const presence = entries(
    { room: 'joint', connection: 'a', participant: 1, viewing: 7, editing: null },
    { room: 'joint', connection: 'b', participant: 2, viewing: 7, editing: null },
    { room: 'joint', connection: 'c', participant: 2, viewing: 7, editing: { issue: 7, field: 'title' } },
    { room: 'joint', connection: 'd', participant: 5, viewing: 8, editing: null },
  );

  it('lists each other person on an issue once, editors first', () => {
    expect(watchersOf(presence, 1, 7)).toEqual([{ participant: 2, editing: 'title' }]);
    expect(watchersOf(presence, null, 7)).toEqual([
      { participant: 2, editing: 'title' },
      { participant: 1, editing: null },
    ]);
    expect(editorsOf(presence, 1, 7, 'title')).toEqual([2]);
    expect(editorsOf(presence, 1, 7, 'description')).toEqual([]);
  });

  it('says what is being edited, and by whom', () => {
    expect(fieldLabel('title', [ALEX, SAM])).toBe('the title');
    expect(fieldLabel('position:4', [ALEX, SAM])).toBe('Sam’s position');
    expect(editingSentence(['Sam'], 'the title')).toBe('Sam is editing the title');
    expect(editingSentence(['Sam', 'Alex', 'Maya'], 'the title')).toBe('Sam, Alex and Maya are editing the title');
    expect(initials('Maya Lopez Ortiz')).toBe('MO');
    expect(initials('  ')).toBe('?');
  });
});

describe('dropping a card', () => {
  it('inserts before the first card whose middle is below the pointer', () => {
    expect(indexAt([100, 200, 300], 50)).toBe(0);
    expect(indexAt([100, 200, 300], 150)).toBe(1);
    expect(indexAt([100, 200, 300], 900)).toBe(3);
    expect(indexAt([], 10)).toBe(0);
  });
});

describe('ConnectionBanner', () => {
  it('says how many changes wait while the connection is down', () => {
    render(ConnectionBanner, { info: { status: 'offline', pending: 3, retryAt: null }, onretry: () => {} });
    expect(screen.getByRole('status').textContent).toBe(
      'You are offline. 3 changes waiting to be sent. They will be sent when the connection is back.',
    );
    expect(screen.getByRole('button', { name: 'Try now' })).toBeTruthy();
  });

  it('says reconnecting, with one change', () => {
    render(ConnectionBanner, { info: { status: 'reconnecting', pending: 1, retryAt: null }, onretry: () => {} });
    expect(screen.getByRole('status').textContent).toBe('Connection lost. Reconnecting… 1 change waiting to be sent.');
  });

  it('keeps its live region, empty, when all is well', () => {
    render(ConnectionBanner, { info: { status: 'online', pending: 0, retryAt: null }, onretry: () => {} });
    expect(screen.getByRole('status').textContent).toBe('');
    expect(screen.queryByRole('button')).toBeNull();
  });
});
