import { describe, expect, it } from 'vitest';
import type { EventFrame, RoomFrame, SnapshotFrame } from '../src/lib/board';
import {
  applyCaucusFrame,
  applyCaucusResult,
  caucusKey,
  emptyCaucus,
  messagesOf,
  newestMessageId,
  notesOf,
  overlapIsStale,
  overlapSentence,
  releaseOutcome,
  releasesOf,
  sideOfRoom,
  unreadCount,
  worksheetOf,
  type CaucusMessage,
  type CaucusNote,
  type CaucusState,
  type ReleaseRequest,
  type Worksheet,
} from '../src/lib/caucus';

const T = '2030-01-01T10:00:00Z';
const ROOM = 'caucus:3';

const message = (id: number, over: Partial<CaucusMessage> = {}): CaucusMessage => ({
  id,
  author: 7,
  body: `Message ${id}`,
  confidential: false,
  created_at: T,
  ...over,
});
const note = (id: number, over: Partial<CaucusNote> = {}): CaucusNote => ({
  id,
  issue: 1,
  kind: 'interest',
  text: `Note ${id}`,
  confidential: false,
  author: 7,
  version: 1,
  created_at: T,
  updated_at: T,
  ...over,
});
const sheet = (id: number, over: Partial<Worksheet> = {}): Worksheet => ({
  id,
  issue: 1,
  best_alternative: '',
  worst_alternative: '',
  likely_court_outcome: '',
  court_cost: null,
  court_months: null,
  confidence: null,
  range_low: '100000.00',
  range_high: '150000.00',
  overlap: null,
  overlap_checked_at: null,
  updated_by: 7,
  version: 1,
  updated_at: T,
  ...over,
});
const release = (id: number, over: Partial<ReleaseRequest> = {}): ReleaseRequest => ({
  id,
  issue: 1,
  text: 'Alex would wait a year to sell',
  drafted_by: 1,
  status: 'pending',
  mode: '',
  attribution: '',
  released_text: '',
  answered_by: null,
  answered_at: null,
  version: 1,
  created_at: T,
  ...over,
});

function snapshot(seq: number, data: SnapshotFrame['data'] | Record<string, unknown>): SnapshotFrame {
  return { type: 'snapshot', room: ROOM, seq, data: data as SnapshotFrame['data'] };
}

function event(seq: number, name: string, data: unknown): EventFrame {
  return { type: 'event', room: ROOM, seq, name, data };
}

function play(state: CaucusState, ...frames: RoomFrame[]): CaucusState {
  for (const frame of frames) {
    const result = applyCaucusFrame(state, frame);
    expect(result.outcome, `${frame.type} #${frame.seq}`).toBe('applied');
    state = result.state;
  }
  return state;
}

const start = () =>
  play(emptyCaucus(), snapshot(4, { messages: [message(1), message(2, { author: 1 })], notes: [note(1)], worksheets: [sheet(1)], releases: [] }));

describe('caucus room keys', () => {
  it('names a side’s room and reads the side back', () => {
    expect(caucusKey(12)).toBe('caucus:12');
    expect(sideOfRoom('caucus:12')).toBe(12);
    expect(sideOfRoom('joint')).toBeNull();
    expect(sideOfRoom('caucus:')).toBeNull();
  });
});

describe('applyCaucusFrame: sequence numbers, as for the board', () => {
  it('takes a snapshot whole, whatever was there', () => {
    const state = play(start(), snapshot(2, { messages: [message(9)] }));
    expect(state.seq).toBe(2);
    expect(messagesOf(state).map((m) => m.id)).toEqual([9]);
    expect(notesOf(state)).toEqual([]);
  });

  it('ignores duplicates and reports gaps without changing anything', () => {
    const state = start();
    const dup = applyCaucusFrame(state, event(4, 'caucus_message.posted', message(3)));
    expect(dup.outcome).toBe('duplicate');
    expect(dup.state).toBe(state);
    const gap = applyCaucusFrame(state, event(6, 'caucus_message.posted', message(3)));
    expect(gap.outcome).toBe('gap');
    expect(gap.state).toBe(state);
  });

  it('moves the seq on for access.revoked and names it does not know, changing nothing else', () => {
    const before = start();
    const after = play(before, event(5, 'access.revoked', { participant: 9 }), event(6, 'caucus.whatever', { id: 1 }));
    expect(after.seq).toBe(6);
    expect(after.messages).toBe(before.messages);
    expect(after.notes).toBe(before.notes);
  });

  it('never mutates the state it was given', () => {
    const before = start();
    const frozen = JSON.stringify(before);
    play(before, event(5, 'caucus_message.posted', message(3)), event(6, 'caucus_note.updated', note(1, { version: 2, text: 'x' })));
    expect(JSON.stringify(before)).toBe(frozen);
  });
});

describe('applyCaucusFrame: upserts by id', () => {
  it('adds posted messages and replaces an updated (marked) one', () => {
    const state = play(start(), event(5, 'caucus_message.posted', message(3)), event(6, 'caucus_message.updated', message(1, { confidential: true })));
    expect(messagesOf(state).map((m) => [m.id, m.confidential])).toEqual([
      [1, true],
      [2, false],
      [3, false],
    ]);
  });

  it('adds and updates notes, keeping one held at a newer version', () => {
    let state = play(start(), event(5, 'caucus_note.added', note(2, { issue: 2 })), event(6, 'caucus_note.updated', note(1, { version: 3, text: 'Newer' })));
    expect(notesOf(state, 1).map((n) => n.text)).toEqual(['Newer']);
    expect(notesOf(state, 2).map((n) => n.id)).toEqual([2]);
    state = play(state, event(7, 'caucus_note.updated', note(1, { version: 2, text: 'Older' })));
    expect(notesOf(state, 1).map((n) => n.text)).toEqual(['Newer']);
  });

  it('replaces a worksheet on reality_check.updated, the overlap check included (same version)', () => {
    const state = play(start(), event(5, 'reality_check.updated', sheet(1, { overlap: true, overlap_checked_at: T })));
    expect(worksheetOf(state, 1)?.overlap).toBe(true);
    expect(worksheetOf(state, 2)).toBeNull();
  });

  it('follows a release request from asked to answered', () => {
    let state = play(start(), event(5, 'release.requested', release(1)));
    expect(releasesOf(state, 'pending').map((r) => r.id)).toEqual([1]);
    state = play(
      state,
      event(6, 'release.answered', release(1, { status: 'released', mode: 'paraphrase', attribution: 'side', released_text: 'A later sale', version: 2 })),
    );
    expect(releasesOf(state, 'pending')).toEqual([]);
    expect(releasesOf(state, 'released')[0]?.released_text).toBe('A later sale');
  });
});

describe('applyCaucusResult: a command’s result ahead of its event', () => {
  it('shows my own message before its event, and the event changes nothing after', () => {
    let state = applyCaucusResult(start(), 'caucus_message.post', message(3, { body: 'Mine' }));
    expect(state.seq).toBe(4);
    expect(messagesOf(state).map((m) => m.body)).toContain('Mine');
    state = play(state, event(5, 'caucus_message.posted', message(3, { body: 'Mine' })));
    expect(messagesOf(state)).toHaveLength(3);
  });

  it('does not roll a note back with a stale result', () => {
    const state = play(start(), event(5, 'caucus_note.updated', note(1, { version: 4, text: 'Latest' })));
    expect(notesOf(applyCaucusResult(state, 'caucus_note.update', note(1, { version: 3, text: 'Stale' })))[0]?.text).toBe('Latest');
  });

  it('ignores results of commands about other things', () => {
    const state = start();
    expect(applyCaucusResult(state, 'overlap.check', { overlap: true })).toBe(state);
    expect(applyCaucusResult(state, 'issue.create', { id: 1 })).toBe(state);
  });
});

describe('unread messages', () => {
  it('counts what others wrote after the last message seen', () => {
    const state = play(start(), event(5, 'caucus_message.posted', message(3)), event(6, 'caucus_message.posted', message(4, { author: 1 })));
    // Participant 1 wrote 2 and 4; 7 wrote 1 and 3.
    expect(unreadCount(state, 0, 1)).toBe(2);
    expect(unreadCount(state, 1, 1)).toBe(1);
    expect(unreadCount(state, newestMessageId(state), 1)).toBe(0);
    expect(unreadCount(state, 0, 7)).toBe(2);
    expect(unreadCount(undefined, 0, 1)).toBe(0);
    expect(newestMessageId(state)).toBe(4);
    expect(newestMessageId(emptyCaucus())).toBe(0);
  });
});

describe('what the side is told', () => {
  it('says only whether the ranges overlap, once checked', () => {
    expect(overlapSentence(sheet(1))).toBeNull();
    expect(overlapSentence(sheet(1, { overlap: true, overlap_checked_at: T }))).toBe('Your ranges overlap.');
    expect(overlapSentence(sheet(1, { overlap: false, overlap_checked_at: T }))).toBe('Your ranges do not overlap.');
    expect(overlapSentence(null)).toBeNull();
  });

  it('notices a range edited after the check', () => {
    expect(overlapIsStale(sheet(1, { overlap: true, overlap_checked_at: T, updated_at: T }))).toBe(false);
    expect(overlapIsStale(sheet(1, { overlap: true, overlap_checked_at: T, updated_at: '2030-01-01T11:00:00Z' }))).toBe(true);
  });

  it('describes how a request was answered', () => {
    expect(releaseOutcome(release(1))).toBe('Waiting for the party to decide');
    expect(releaseOutcome(release(1, { status: 'declined' }))).toBe('Not shared');
    expect(releaseOutcome(release(1, { status: 'released', mode: 'existence', attribution: 'mediator' }))).toBe(
      'Shared only that an option exists, through the mediator',
    );
  });
});
