import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import ConnectionBanner from '../src/components/board/ConnectionBanner.svelte';
import { indexAt } from '../src/lib/drag';
import { editingSentence, editorsOf, fieldLabel, initials, watchersOf } from '../src/lib/presence';
import { canComment, canEditBoard, canPropose, canRespond, canSpeakForSide, canWithdraw } from '../src/lib/rights';
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
    expect([mediator, alex, attorney, expert, observer].map(canEditBoard)).toEqual([true, true, false, false, false]);
    expect([mediator, alex, attorney, expert, observer].map(canPropose)).toEqual([true, true, false, false, false]);
    expect(canEditBoard(null)).toBe(false);
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
    { connection: 'a', participant: 1, viewing: 7, editing: null },
    { connection: 'b', participant: 2, viewing: 7, editing: null },
    { connection: 'c', participant: 2, viewing: 7, editing: { issue: 7, field: 'title' } },
    { connection: 'd', participant: 5, viewing: 8, editing: null },
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
