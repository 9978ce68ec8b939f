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
  canMarkMessage,
  canPropose,
  canRespond,
  canShareDirectly,
  canSpeakForSide,
  canWithdraw,
} from '../src/lib/rights';
import type { HelloParticipant, PresenceEntry } from '../src/lib/socket';

const ALEX = { id: 3, name: 'Alex' };
const SAM = { id: 4, name: 'Sam' };
const person = (role: HelloParticipant['role'], side: HelloParticipant['side'] = null) => ({ role, side });

describe('rights, as in "Who may do what"', () => {
  const mediator = person('mediator');
  const alex = person('party', ALEX);
  const attorney = person('attorney', ALEX);
  const expert = person('expert');
  const observer = person('observer');

  it('lets parties and the mediator edit the board and propose', () => {
    expect([mediator, alex, attorney, expert, observer].map((p) => canEditBoard(p))).toEqual([true, true, false, false, false]);
    expect([mediator, alex, attorney, expert, observer].map((p) => canPropose(p))).toEqual([true, true, false, false, false]);
    expect(canEditBoard(null)).toBe(false);
  });

  it('leaves only the mediator editing while joint editing is paused', () => {
    expect([mediator, alex, attorney].map((p) => canEditBoard(p, true))).toEqual([true, false, false]);
    expect(canPropose(alex, true)).toBe(false);
    expect(canSpeakForSide(alex, ALEX.id, true)).toBe(false);
    expect(canSpeakForSide(mediator, ALEX.id, true)).toBe(true);
    // Comments go on: the server does not pause them either.
    expect(canComment(alex)).toBe(true);
  });

  it('lets only the side’s party answer a request to share, and the mediator or that party draft one', () => {
    expect([mediator, alex, attorney, expert].map((p) => canAnswerRelease(p, ALEX.id))).toEqual([false, true, false, false]);
    expect(canAnswerRelease(alex, SAM.id)).toBe(false);
    expect([mediator, alex, attorney].map((p) => canDraftRelease(p, ALEX.id))).toEqual([true, true, false]);
    expect(canDraftRelease(alex, SAM.id)).toBe(false);
  });

  it('lets the side’s party mark any message of the room, others only their own', () => {
    const alexId = { ...alex, id: 7 };
    const attorneyId = { ...attorney, id: 8 };
    expect(canMarkMessage(alexId, ALEX.id, 1)).toBe(true);
    expect(canMarkMessage(alexId, SAM.id, 1)).toBe(false);
    expect(canMarkMessage(attorneyId, ALEX.id, 8)).toBe(true);
    expect(canMarkMessage(attorneyId, ALEX.id, 1)).toBe(false);
    expect(canKeepConfidential(alex, ALEX.id)).toBe(true);
    expect(canKeepConfidential(attorney, ALEX.id)).toBe(false);
  });

  it('lets the mediator share directly only unmarked items under the sharing rule', () => {
    expect(canShareDirectly(mediator, 'shareable_unless_marked', false)).toBe(true);
    expect(canShareDirectly(mediator, 'shareable_unless_marked', true)).toBe(false);
    expect(canShareDirectly(mediator, 'confidential_unless_released', false)).toBe(false);
    expect(canShareDirectly(alex, 'shareable_unless_marked', false)).toBe(false);
  });

  it('lets a party speak for their own side only, and the mediator for any', () => {
    expect(canSpeakForSide(alex, ALEX.id)).toBe(true);
    expect(canSpeakForSide(alex, SAM.id)).toBe(false);
    expect(canSpeakForSide(mediator, SAM.id)).toBe(true);
    expect(canSpeakForSide(attorney, ALEX.id)).toBe(false);
  });

  it('lets a party answer open proposals of others, never their own side’s', () => {
    expect(canRespond(alex, { side: SAM.id, status: 'open' })).toBe(true);
    expect(canRespond(alex, { side: null, status: 'open' })).toBe(true);
    expect(canRespond(alex, { side: ALEX.id, status: 'open' })).toBe(false);
    expect(canRespond(alex, { side: SAM.id, status: 'withdrawn' })).toBe(false);
    expect(canRespond(mediator, { side: SAM.id, status: 'open' })).toBe(false);
    expect(canRespond(attorney, { side: SAM.id, status: 'open' })).toBe(false);
  });

  it('lets whoever made a proposal withdraw it', () => {
    expect(canWithdraw(alex, { side: ALEX.id, status: 'open' })).toBe(true);
    expect(canWithdraw(alex, { side: SAM.id, status: 'open' })).toBe(false);
    expect(canWithdraw(mediator, { side: null, status: 'open' })).toBe(true);
    expect(canWithdraw(mediator, { side: ALEX.id, status: 'open' })).toBe(false);
    expect(canWithdraw(alex, { side: ALEX.id, status: 'withdrawn' })).toBe(false);
  });

  it('lets everyone but observers comment', () => {
    expect([mediator, alex, attorney, expert, observer].map(canComment)).toEqual([true, true, true, true, false]);
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
