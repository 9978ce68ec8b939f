import { describe, expect, it } from 'vitest';
import { applyFrame, emptyBoard, type BoardState, type SharedDocument } from '../src/lib/board';
import { applyCaucusFrame, emptyCaucus, type InformationCheck } from '../src/lib/caucus';
import { acceptHeldReason, documentsOn, formatSize, informationRequests, latestCheck, wordStands } from '../src/lib/documents';

const SIDES = [
  { id: 3, name: 'Alex' },
  { id: 4, name: 'Sam' },
];

function doc(overrides: Partial<SharedDocument> = {}): SharedDocument {
  return {
    id: 1,
    room: 'joint',
    issue: 7,
    name: 'pension.pdf',
    kind: 'pdf',
    content_type: 'application/pdf',
    size: 2048,
    shared_by: 1,
    created_at: '2026-03-02T10:00:00Z',
    withdrawn_at: null,
    opened_sides: [],
    url: '/api/mediations/m/documents/1/file/',
    ...overrides,
  };
}

function boardWith(...documents: SharedDocument[]): BoardState {
  let state = emptyBoard();
  documents.forEach((d, i) => {
    state = applyFrame(state, { type: 'event', room: 'joint', seq: i + 1, name: 'document.shared', data: d }).state;
  });
  return state;
}

function informed(at: string, status: InformationCheck['status'] = 'informed'): InformationCheck {
  return { id: 9, issue: 7, participant: 20, side: 4, status, text: status === 'informed' ? '' : 'More', created_at: at };
}

const RULED = { id: 7, documents_required: true };

describe('documents on the board', () => {
  it('keeps shared documents and drops withdrawn ones from the issue', () => {
    let state = boardWith(doc());
    state = applyFrame(state, {
      type: 'event', room: 'joint', seq: 2, name: 'document.withdrawn',
      data: doc({ withdrawn_at: '2026-03-02T11:00:00Z', url: null }),
    }).state;  // prettier-ignore
    expect(documentsOn(state, {}, 7)).toEqual([]);
  });

  it('shows a private room’s documents on the issue too', () => {
    const room = applyCaucusFrame(emptyCaucus(), {
      type: 'event', room: 'caucus:3', seq: 1, name: 'document.shared', data: doc({ id: 2, room: 'caucus:3' }),
    }).state;  // prettier-ignore
    expect(documentsOn(boardWith(doc()), { 'caucus:3': room }, 7).map((d) => d.id)).toEqual([1, 2]);
  });
});

describe('the documents rule, shown ahead', () => {
  it('holds nothing on an issue without the rule', () => {
    expect(acceptHeldReason({ id: 7, documents_required: false }, boardWith(doc()), SIDES, 4)).toBeNull();
  });

  it('asks the party to open the documents first', () => {
    expect(acceptHeldReason(RULED, boardWith(doc({ opened_sides: [3] })), SIDES, 4)).toMatch(/^Open this issue/);
  });

  it('says which side it waits for', () => {
    expect(acceptHeldReason(RULED, boardWith(doc({ opened_sides: [4] })), SIDES, 4)).toMatch(/waiting for Alex/);
  });

  it('holds nothing once every side opened them', () => {
    expect(acceptHeldReason(RULED, boardWith(doc({ opened_sides: [3, 4] })), SIDES, 4)).toBeNull();
  });
});

describe('whether the party’s word still stands', () => {
  it('stands when given, with or without documents', () => {
    expect(wordStands(7, emptyBoard(), null)).toBe(false);
    expect(wordStands(7, emptyBoard(), informed('2026-03-02T10:30:00Z'))).toBe(true);
    expect(wordStands(7, boardWith(doc()), informed('2026-03-02T10:30:00Z'))).toBe(true);
  });

  it('is wanted again after a newer document or a request for more', () => {
    const board = boardWith(doc({ opened_sides: [3, 4], created_at: '2026-03-02T11:00:00Z' }));
    expect(wordStands(7, board, informed('2026-03-02T10:30:00Z'))).toBe(false);
    expect(wordStands(7, board, informed('2026-03-02T11:30:00Z', 'more_wanted'))).toBe(false);
  });

  it('ignores documents of other issues and withdrawn ones', () => {
    const board = boardWith(
      doc({ id: 2, issue: 8, created_at: '2026-03-02T11:00:00Z' }),
      doc({ id: 3, created_at: '2026-03-02T11:00:00Z', withdrawn_at: '2026-03-02T11:05:00Z' }),
    );
    expect(wordStands(7, board, informed('2026-03-02T10:30:00Z'))).toBe(true);
  });
});

describe('the party’s word', () => {
  it('takes the latest and lists open requests for the mediator', () => {
    let room = emptyCaucus();
    [informed('2026-03-02T10:00:00Z'), { ...informed('2026-03-02T10:05:00Z', 'more_wanted'), id: 10 }].forEach((c, i) => {
      room = applyCaucusFrame(room, { type: 'event', room: 'caucus:4', seq: i + 1, name: 'information.checked', data: c }).state;
    });
    expect(latestCheck(room, 20, 7)?.status).toBe('more_wanted');
    expect(informationRequests({ 'caucus:4': room }, 7).map((c) => c.text)).toEqual(['More']);
  });

  it('formats sizes for people', () => {
    expect([formatSize(900), formatSize(2048), formatSize(3 * 1024 * 1024)]).toEqual(['900 B', '2 KB', '3.0 MB']);
  });
});
