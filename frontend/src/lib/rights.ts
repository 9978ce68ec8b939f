/**
 * What the person at this screen may do, as the server publishes it (`rights` in the
 * socket's `hello`, a `rights` frame whenever they change, `my_rights` over REST):
 * negotiation/permissions/rights.py decides, and nothing here holds a rule of its own.
 * Where a right depends on one item (a proposal's side, a mark's author), the server
 * gives this person's half of it and the item's data gives the other.
 */
import type { Decision, Proposal } from './board';

export interface RoomRights {
  write: boolean;
  mark: boolean;
  unmark_any: boolean;
  unmark_own: boolean;
  draft_release: boolean;
  answer_release: boolean;
  share_unmarked: boolean;
  write_opening: boolean;
  ready_opening: boolean;
}

export interface Rights {
  manage: boolean;
  request_break: boolean;
  view_balance: boolean;
  edit_board: boolean;
  propose: boolean;
  comment: boolean;
  speak_for: number[];
  answer_for: number | null;
  withdraw_for: (number | null)[];
  mark_agreed: boolean;
  /** 'now': strike an issue at once; 'ask': ask every side, for my own. */
  strike: 'now' | 'ask' | null;
  consent_for: number | null;
  reopen: boolean;
  /** Read the snapshots, their changes and issues' histories of the rooms one sees. */
  history?: boolean;
  /** Take a snapshot on demand; restore an issue from one; end the session. */
  snapshot?: boolean;
  restore?: boolean;
  end_session?: boolean;
  /** Rooms ("joint", "caucus:<side>") they may share a document in. */
  share_documents?: string[];
  withdraw_documents?: 'any' | 'own' | null;
  require_documents?: boolean;
  check_information?: boolean;
  /** Mark an issue at impasse and run its strategies (the mediator). */
  impasse?: boolean;
  /** The side whose statements they write and answer in a perspective round. */
  perspective_for?: number | null;
  rooms: Record<string, RoomRights>;
  /** Start and end brainstorm rounds; ask for and cancel sealed positions. */
  rounds?: boolean;
  /** Add an option, without a name, to an open brainstorm round. */
  brainstorm?: boolean;
  /** Submit this side's sealed figure or position. */
  sealed_submit?: boolean;
  /** The side whose own sealed submissions this person reads before the reveal. */
  sealed_reads?: number | null;
}

type Mine = Rights | null | undefined;

const caucusKey = (side: number) => `caucus:${side}`;

function room(rights: Mine, side: number): RoomRights | undefined {
  return rights?.rooms[caucusKey(side)];
}

/** Create, edit and move issues; add and strike options and criteria. */
export function canEditBoard(rights: Mine): boolean {
  return rights?.edit_board ?? false;
}

/** State a side's position and add or strike its interests. */
export function canSpeakForSide(rights: Mine, side: number): boolean {
  return rights?.speak_for.includes(side) ?? false;
}

export function canPropose(rights: Mine): boolean {
  return rights?.propose ?? false;
}

export function canComment(rights: Mine): boolean {
  return rights?.comment ?? false;
}

/** Ask the mediator, privately, for a break. */
export function canRequestBreak(rights: Mine): boolean {
  return rights?.request_break ?? false;
}

/** See the balance view: private time and activity per side (the mediators). */
export function canViewBalance(rights: Mine): boolean {
  return rights?.view_balance ?? false;
}

/** Run the session: stages, breaks, caucuses, the board's pause, the rule, people. */
export function canManage(rights: Mine): boolean {
  return rights?.manage ?? false;
}

/** Answer an open proposal for my side: never my own side's proposal. */
export function canRespond(rights: Mine, proposal: Pick<Proposal, 'side' | 'status'>): boolean {
  const side = rights?.answer_for ?? null;
  return side !== null && proposal.status === 'open' && proposal.side !== side;
}

export function canWithdraw(rights: Mine, proposal: Pick<Proposal, 'side' | 'status'>): boolean {
  return proposal.status === 'open' && (rights?.withdraw_for.includes(proposal.side) ?? false);
}

// --- decisions that take every side ----------------------------------------------------

/** Word an agreement on an issue for every side's party to confirm. */
export function canMarkAgreed(rights: Mine): boolean {
  return rights?.mark_agreed ?? false;
}

/** How I may strike an issue: at once, by asking every side, or not at all. */
export function strikeRight(rights: Mine): 'now' | 'ask' | null {
  return rights?.strike ?? null;
}

/** Move an issue out of Agreed or Struck (everyone is told). */
export function canReopen(rights: Mine): boolean {
  return rights?.reopen ?? false;
}

/** Confirm or decline a waiting decision for my side, if my side has not answered it. */
export function canAnswerDecision(rights: Mine, decision: Pick<Decision, 'status' | 'consents'>): boolean {
  const side = rights?.consent_for ?? null;
  return side !== null && decision.status === 'open' && !decision.consents.some((c) => c.side === side);
}

/** Write a side's opening statement, in its private room. */
export function canWriteOpening(rights: Mine, side: number): boolean {
  return room(rights, side)?.write_opening ?? false;
}

/** Say a side's opening statement may be shown to everyone: only its party. */
export function canReadyOpening(rights: Mine, side: number): boolean {
  return room(rights, side)?.ready_opening ?? false;
}

// --- caucus rooms ----------------------------------------------------------------------

/** Write in a side's caucus room (the case's rule acknowledged). */
export function canWrite(rights: Mine, side: number): boolean {
  return room(rights, side)?.write ?? false;
}

/** Choose "Keep confidential" when writing, or mark an item afterwards. */
export function canKeepConfidential(rights: Mine, side: number): boolean {
  return room(rights, side)?.mark ?? false;
}

/**
 * Toggle an item's confidential mark: anyone who writes there may put one on; taking it
 * off is the side's party's, or the author's own when they set it themselves.
 */
export function canToggleMark(
  rights: Mine,
  me: number | null | undefined,
  side: number,
  item: { confidential: boolean; author: number | null; marked_by?: number | null },
): boolean {
  const mine = room(rights, side);
  if (!mine) return false;
  if (!item.confidential) return mine.mark;
  const own = me != null && item.author === me && item.marked_by === me;
  return mine.unmark_any || (own && mine.unmark_own);
}

/** Answer a request to share: only a party of the caucus's side. */
export function canAnswerRelease(rights: Mine, side: number): boolean {
  return room(rights, side)?.answer_release ?? false;
}

/** Propose carrying something of a side's caucus to the joint room. */
export function canDraftRelease(rights: Mine, side: number): boolean {
  return room(rights, side)?.draft_release ?? false;
}

/**
 * Share an item directly, under the rule that allows it: an unmarked item itself written
 * under that rule (what was said under the default rule never becomes shareable by a
 * change of rule). The server also refuses an item the party held back.
 */
export function canShareDirectly(
  rights: Mine,
  side: number,
  confidential: boolean,
  itemRule: string | null | undefined,
): boolean {
  const shares = room(rights, side)?.share_unmarked ?? false;
  return shares && !confidential && itemRule === 'shareable_unless_marked';
}

/** Read the board's history: its snapshots, what changed between two, an issue's history. */
export function canViewHistory(rights: Mine): boolean {
  return rights?.history ?? false;
}

export function canTakeSnapshot(rights: Mine): boolean {
  return rights?.snapshot ?? false;
}

/** Restore an issue, or a field of it, from a snapshot (as new events). */
export function canRestore(rights: Mine): boolean {
  return rights?.restore ?? false;
}

export function canEndSession(rights: Mine): boolean {
  return rights?.end_session ?? false;
}

/** The rooms this person may share a document in. */
export function documentRooms(rights: Mine): string[] {
  return rights?.share_documents ?? [];
}

/** Withdraw a document: any (the mediator), or one they shared. */
export function canWithdrawDocument(rights: Mine, document: { shared_by: number | null }, me: number | null): boolean {
  const right = rights?.withdraw_documents ?? null;
  return right === 'any' || (right === 'own' && me !== null && document.shared_by === me);
}

/** Set an issue's information rule. */
export function canRequireDocuments(rights: Mine): boolean {
  return rights?.require_documents ?? false;
}

/** Say "I have the information I need", or ask for more. */
export function canCheckInformation(rights: Mine): boolean {
  return rights?.check_information ?? false;
}

/** Mark an issue at impasse, name its causes, run its strategies. */
export function canHandleImpasse(rights: Mine): boolean {
  return rights?.impasse === true;
}

/** Write or answer for `side` in a perspective round. */
export function canStatePerspective(rights: Mine, side: number): boolean {
  return rights?.perspective_for === side;
}

/** Start and end brainstorm rounds, ask for and cancel sealed positions (the mediator). */
export function canRunRounds(rights: Mine): boolean {
  return rights?.rounds ?? false;
}

/** Add an option, without a name, to an open brainstorm round. */
export function canBrainstorm(rights: Mine): boolean {
  return rights?.brainstorm ?? false;
}

/** Submit this side's sealed figure or position. */
export function canSubmitSealed(rights: Mine): boolean {
  return rights?.sealed_submit ?? false;
}
