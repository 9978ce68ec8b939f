import { get, writable } from 'svelte/store';
import { describe, expect, it } from 'vitest';
import { emptyCaucus } from '../src/lib/caucus';
import { CaucusRooms, seenStorageKey } from '../src/lib/caucusRooms';
import { markRead, mergeNotifications, unreadFor, unreadNotifications, type Notification } from '../src/lib/notifications';
import { RULE_SUMMARY, ruleToAcknowledge } from '../src/lib/rule';
import type { HelloParticipant } from '../src/lib/socket';
import { parseAmount, worksheetFields, worksheetForm } from '../src/lib/worksheet';

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

describe('the confidentiality rule dialog', () => {
  it('asks someone who never accepted a rule, and nobody who accepted the current one', () => {
    expect(ruleToAcknowledge('', 'confidential_unless_released')).toBe('confidential_unless_released');
    expect(ruleToAcknowledge(undefined, 'confidential_unless_released')).toBe('confidential_unless_released');
    expect(ruleToAcknowledge('confidential_unless_released', 'confidential_unless_released')).toBeNull();
  });

  it('asks again when the mediator changed the rule', () => {
    expect(ruleToAcknowledge('confidential_unless_released', 'shareable_unless_marked')).toBe('shareable_unless_marked');
  });

  it('asks nothing while the rule is unknown', () => {
    expect(ruleToAcknowledge('', null)).toBeNull();
    expect(ruleToAcknowledge('', 'made_up' as never)).toBeNull();
  });

  it('says each rule in plain words', () => {
    expect(RULE_SUMMARY.confidential_unless_released).toBe(
      'What you tell the mediator in your private room stays there unless you decide to share it.',
    );
    expect(RULE_SUMMARY.shareable_unless_marked).toBe('The mediator may share what you say privately unless you mark it confidential.');
  });
});

describe('unread counts per room, kept on this device', () => {
  const me = writable<HelloParticipant | null>({ id: 1, name: 'Maya', role: 'mediator', side: null });

  function rooms(storage: Storage): CaucusRooms {
    const caucus = new CaucusRooms('m1', me, storage);
    const alex = caucus.roomStore('caucus:3');
    const sam = caucus.roomStore('caucus:4');
    alex?.apply({ type: 'snapshot', room: 'caucus:3', seq: 2, data: {} });
    alex?.apply({ type: 'event', room: 'caucus:3', seq: 3, name: 'caucus_message.posted', data: { id: 10, author: 7, body: 'a', confidential: false, created_at: 'T' } });
    alex?.apply({ type: 'event', room: 'caucus:3', seq: 4, name: 'caucus_message.posted', data: { id: 11, author: 1, body: 'mine', confidential: false, created_at: 'T' } });
    sam?.apply({ type: 'event', room: 'caucus:4', seq: 1, name: 'caucus_message.posted', data: { id: 12, author: 8, body: 'b', confidential: false, created_at: 'T' } });
    return caucus;
  }

  it('counts others’ messages per room and resets a room when it is viewed', () => {
    const storage = new MemoryStorage();
    const caucus = rooms(storage);
    expect(get(caucus.unread)).toEqual({ 'caucus:3': 1, 'caucus:4': 1 });
    caucus.markSeen('caucus:3');
    expect(get(caucus.unread)).toEqual({ 'caucus:3': 0, 'caucus:4': 1 });
    // Only ids are kept, never what was said.
    expect(JSON.parse(storage.getItem(seenStorageKey('m1')) ?? '{}')).toEqual({ 'caucus:3': 11 });
  });

  it('remembers what was seen across a reload', () => {
    const storage = new MemoryStorage();
    rooms(storage).markSeen('caucus:4');
    expect(get(rooms(storage).unread)).toEqual({ 'caucus:3': 1, 'caucus:4': 0 });
  });

  it('drops a revoked room’s state and takes nothing more into it', () => {
    const caucus = new CaucusRooms('m1', me, new MemoryStorage());
    const store = caucus.roomStore('caucus:3');
    store?.apply({ type: 'event', room: 'caucus:3', seq: 1, name: 'caucus_message.posted', data: { id: 1, author: 7, body: 'secret', confidential: false, created_at: 'T' } });
    expect(Object.keys(get(caucus.state))).toEqual(['caucus:3']);
    store?.drop?.();
    expect(get(caucus.state)).toEqual({});
    expect(store?.apply({ type: 'event', room: 'caucus:3', seq: 2, name: 'caucus_message.posted', data: { id: 2, author: 7, body: 'late', confidential: false, created_at: 'T' } })).toBe('duplicate');
    expect(get(caucus.state)).toEqual({});
  });

  it('makes no store for a room that is not a caucus', () => {
    const caucus = new CaucusRooms('m1', me, null);
    expect(caucus.roomStore('joint')).toBeNull();
    expect(get(caucus.state)).toEqual({});
  });

  it('folds a command result into the room it names', () => {
    const caucus = new CaucusRooms('m1', me, null);
    caucus.roomStore('caucus:3');
    caucus.result({ id: 'c1', name: 'caucus_message.post', data: { side: 3, body: 'x' } }, { id: 5, author: 1, body: 'x', confidential: false, created_at: 'T' });
    expect(get(caucus.state)['caucus:3']?.messages[5]?.body).toBe('x');
    expect(get(caucus.state)['caucus:3']?.seq).toBe(emptyCaucus().seq);
  });
});

describe('the notification centre', () => {
  const n = (id: number, over: Partial<Notification> = {}): Notification => ({
    id,
    kind: 'caucus_message',
    text: 'New message in your private room.',
    room: 'caucus:3',
    created_at: `2030-01-01T10:0${id}:00Z`,
    read_at: null,
    ...over,
  });

  it('merges the list and live frames newest first, each once', () => {
    const list = mergeNotifications([n(1)], [n(3), n(1), n(2, { room: 'joint' })]);
    expect(list.map((x) => x.id)).toEqual([3, 2, 1]);
    expect(unreadNotifications(list)).toBe(3);
  });

  it('keeps read ones read when a stale copy comes in', () => {
    const read = markRead([n(1), n(2)], [1], 'R');
    expect(unreadNotifications(read)).toBe(1);
    expect(unreadNotifications(mergeNotifications(read, [n(1)]))).toBe(1);
    expect(unreadNotifications(markRead(read, null, 'R'))).toBe(0);
  });

  it('finds the unread ones that lead to a room', () => {
    expect(unreadFor([n(1), n(2, { room: 'joint' }), n(3, { read_at: 'R' })], 'caucus:3')).toEqual([1]);
  });
});

describe('the worksheet form', () => {
  it('reads amounts as people write them', () => {
    expect(parseAmount('25,000')).toBe('25000.00');
    expect(parseAmount(' 1 250.5 ')).toBe('1250.50');
    expect(parseAmount('90')).toBe('90.00');
    expect(parseAmount('$90')).toBeUndefined();
    expect(parseAmount('')).toBeNull();
    expect(parseAmount('12.345')).toBeUndefined();
    expect(parseAmount('ten')).toBeUndefined();
    expect(parseAmount('-5')).toBeUndefined();
  });

  it('sends checked values, and says what is wrong otherwise', () => {
    const form = { ...worksheetForm(null), best_alternative: ' Keep renting ', range_low: '100,000', range_high: '150000', confidence: '70' };
    expect(worksheetFields(form)).toEqual({
      fields: {
        best_alternative: 'Keep renting',
        worst_alternative: '',
        likely_court_outcome: '',
        court_cost: null,
        court_months: null,
        confidence: 70,
        range_low: '100000.00',
        range_high: '150000.00',
      },
    });
    const bad = worksheetFields({ ...form, confidence: '140', range_low: '200000', court_months: 'soon' });
    expect(bad).toEqual({
      errors: {
        confidence: 'Enter a whole number from 0 to 100.',
        court_months: 'Enter a whole number of months, up to 600.',
        range_low: 'The low end must not be above the high end.',
      },
    });
  });
});
