import type { Rights, RoomRights } from '../src/lib/rights';

/**
 * Rights as the server publishes them (negotiation/permissions/rights.py) for the cast
 * these tests use: Alex (side 3) and Sam (side 4), the mediator Maya, Alex's attorney.
 * tests/rights-matrix.test.ts checks the screens against rights the server itself wrote.
 */
const none: RoomRights = {
  write: false, mark: false, unmark_any: false, unmark_own: false,
  draft_release: false, answer_release: false, share_unmarked: false,
  write_opening: false, ready_opening: false,
};

export function roomRights(overrides: Partial<RoomRights>): RoomRights {
  return { ...none, ...overrides };
}

export const MEDIATOR_RIGHTS: Rights = {
  manage: true, request_break: false, view_balance: true, edit_board: true, propose: true, comment: true, speak_for: [3, 4],
  answer_for: null, withdraw_for: [null], mark_agreed: true, strike: 'now', consent_for: null, reopen: true,
  rooms: {
    'caucus:3': roomRights({ write: true, mark: true, unmark_own: true, draft_release: true, write_opening: true }),
    'caucus:4': roomRights({ write: true, mark: true, unmark_own: true, draft_release: true, write_opening: true }),
  },
};

export const ALEX_RIGHTS: Rights = {
  manage: false, request_break: true, view_balance: false, edit_board: true, propose: true, comment: true, speak_for: [3],
  answer_for: 3, withdraw_for: [3], mark_agreed: false, strike: 'ask', consent_for: 3, reopen: false,
  rooms: {
    'caucus:3': roomRights({
      write: true, mark: true, unmark_any: true, unmark_own: true, draft_release: true,
      answer_release: true, write_opening: true, ready_opening: true,
    }),
  },
};

export const ATTORNEY_RIGHTS: Rights = {
  manage: false, request_break: true, view_balance: false, edit_board: false, propose: false, comment: true, speak_for: [],
  answer_for: null, withdraw_for: [], mark_agreed: false, strike: null, consent_for: null, reopen: false,
  rooms: { 'caucus:3': roomRights({ write: true, mark: true, unmark_own: true, write_opening: true }) },
};
