import { render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WhoIsHere from '../src/components/board/WhoIsHere.svelte';
import type { Participant } from '../src/lib/api';
import { NOT_PARKED } from '../src/lib/board';
import { activityOf, arrivals, peopleOnline, seatLabel } from '../src/lib/presence';
import type { PresenceEntry } from '../src/lib/socket';
import BoardHarness from './BoardHarness.svelte';
import { FakeSocket, fakeSession, stopSessions } from './fakeSocket';

const ALEX = { id: 3, name: 'Alex' };
const SAM = { id: 4, name: 'Sam' };
const PEOPLE: Participant[] = [
  { id: 1, name: 'Maya Lopez', role: 'mediator', side: null },
  { id: 2, name: 'Sam Reed', role: 'party', side: SAM },
  { id: 3, name: 'Alex Reed', role: 'party', side: ALEX },
  { id: 5, name: 'Ana Ortiz', role: 'attorney', side: ALEX },
  { id: 6, name: 'Olu Obi', role: 'observer', side: null },
];
const ISSUE = {
  id: 7,
  title: 'House',
  description: '',
  lane: 'agenda',
  order: 0,
  ...NOT_PARKED,
  decisions: [],
  version: 1,
  created_by: 1,
  created_at: '2030-01-01T10:00:00Z',
  updated_at: '2030-01-01T10:00:00Z',
  positions: [],
  interests: [],
  options: [],
  criteria: [],
  proposals: [],
  comments: [],
};

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new Error('no server here')));
});

afterEach(stopSessions);

/** Sam's board, connected, with the House issue on it, showing who is here. */
function show(settleMs = 0): { server: FakeSocket; presence: (frame: Record<string, unknown>) => void } {
  const session = fakeSession();
  const context = {
    session,
    sides: [ALEX, SAM],
    nameOf: (id: number | null) => PEOPLE.find((p) => p.id === id)?.name ?? 'Someone',
    personOf: (id: number) => PEOPLE.find((p) => p.id === id),
  };
  render(BoardHarness, { props: { context, component: WhoIsHere, props: { settleMs } } });
  session.start();
  const server = FakeSocket.last;
  server.hello({ id: 2, name: 'Sam Reed', role: 'party', side: SAM });
  server.receive({ type: 'snapshot', room: 'joint', seq: 1, data: { issues: [ISSUE] } });
  server.receive({ type: 'synced', rooms: { joint: 1 } });
  const presence = (frame: Record<string, unknown>) => {
    server.receive({ type: 'presence', room: 'joint', online: true, viewing: null, editing: null, ...frame });
    flushSync();
  };
  return { server, presence };
}

const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
/** What a screen reader reads of each person. */
const people = () => screen.queryAllByRole('listitem').map((li) => text(li.querySelector('[data-sentence]')));

describe('who is here', () => {
  it('lists everyone with the board open once, me first, with their seat and what they are on', () => {
    const { presence } = show();
    presence({ connection: 'c2', participant: 2 });
    presence({ connection: 'c5', participant: 5 });
    presence({ connection: 'c1', participant: 1, viewing: 7 });
    presence({ connection: 'c3', participant: 3, viewing: 7 });
    presence({ connection: 'c3b', participant: 3, viewing: 7, editing: { issue: 7, field: 'position:3' } });

    const region = screen.getByRole('region', { name: /Here now/ });
    expect(text(region.querySelector('h2'))).toBe('Here now (4)');
    expect(people()).toEqual([
      'You (Party, Sam): on the board',
      'Maya Lopez (Mediator): looking at “House”',
      'Alex Reed (Party, Alex): editing Alex’s position of “House”',
      'Ana Ortiz (Attorney, Alex): on the board',
    ]);
    const shown = region.querySelector('[data-online-participant="3"]');
    expect(text(shown)).toMatch(/^AR Alex Reed · Party, Alex editing Alex’s position of “House”/);
    expect(region.querySelector('[data-online-participant="3"]')?.classList.contains('editing')).toBe(true);
  });

  it('shows someone online who looks at no issue, and forgets them when they go', () => {
    const { presence } = show();
    presence({ connection: 'c6', participant: 6 });
    expect(people()).toEqual(['Olu Obi (Observer): on the board']);
    presence({ connection: 'c6', participant: 6, online: false });
    expect(people()).toEqual([]);
    expect(screen.getByText('No one is connected.')).toBeTruthy();
  });

  it('tells screen readers who joins and leaves, but not who was there on connecting', async () => {
    const { presence } = show(200);
    presence({ connection: 'c1', participant: 1 });
    const status = () => text(screen.getByRole('status'));
    expect(status()).toBe('');
    await new Promise((resolve) => setTimeout(resolve, 250));

    presence({ connection: 'c3', participant: 3 });
    expect(status()).toBe('Alex Reed joined the board.');
    presence({ connection: 'c3b', participant: 3, viewing: 7 }); // a second tab: no news
    expect(status()).toBe('Alex Reed joined the board.');
    presence({ connection: 'c1', participant: 1, online: false });
    expect(status()).toBe('Maya Lopez left the board.');
  });

  it('takes a dropped connection for no one leaving', async () => {
    const { server, presence } = show();
    presence({ connection: 'c1', participant: 1 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    presence({ connection: 'c3', participant: 3 });
    expect(text(screen.getByRole('status'))).toBe('Alex Reed joined the board.');
    server.drop();
    flushSync();
    expect(people()).toEqual([]);
    expect(screen.getByText('Shown again once you are connected.')).toBeTruthy();
    expect(text(screen.getByRole('status'))).toBe('Alex Reed joined the board.');
  });
});

describe('peopleOnline', () => {
  const entry = (over: Partial<PresenceEntry>): PresenceEntry => ({
    room: 'joint',
    connection: 'x',
    participant: 1,
    viewing: null,
    editing: null,
    ...over,
  });

  it('keeps the joint room only, one entry a person, the busiest tab winning', () => {
    const presence = new Map([
      ['a', entry({ connection: 'a', participant: 4, viewing: 7 })],
      ['b', entry({ connection: 'b', participant: 4, editing: { issue: 7, field: 'title' } })],
      ['c', entry({ connection: 'c', participant: 4 })],
      ['d', entry({ room: 'caucus:3', connection: 'd', participant: 9, viewing: 7 })],
      ['e', entry({ connection: 'e', participant: 2 })],
    ]);
    expect(peopleOnline(presence, 2)).toEqual([
      { participant: 2, viewing: null, editing: null },
      { participant: 4, viewing: null, editing: { issue: 7, field: 'title' } },
    ]);
  });

  it('says what someone is on, and where they sit', () => {
    const titleOf = (id: number) => (id === 7 ? 'House' : null);
    expect(activityOf({ viewing: 7, editing: { issue: 7, field: 'title' } }, titleOf, [])).toBe('editing the title of “House”');
    expect(activityOf({ viewing: 7, editing: null }, titleOf, [])).toBe('looking at “House”');
    expect(activityOf({ viewing: 99, editing: null }, titleOf, [])).toBe('on the board');
    expect(seatLabel('attorney', 'Alex')).toBe('Attorney, Alex');
    expect(seatLabel('mediator', null)).toBe('Mediator');
    expect(arrivals([1, 2], [2, 3])).toEqual({ joined: [3], left: [1] });
  });
});
