/**
 * What the person at this screen may do on the board, from docs/protocol.md ("Who may do
 * what"). The server decides; these only decide which controls to show.
 */
import type { Proposal } from './board';
import type { HelloParticipant } from './socket';

type Me = Pick<HelloParticipant, 'role' | 'side'> | null;

/**
 * Create, edit and move issues; add and strike options and criteria. While the mediator
 * pauses joint editing (`paused`), only mediators do.
 */
export function canEditBoard(me: Me, paused = false): boolean {
  return me?.role === 'mediator' || (me?.role === 'party' && !paused);
}

/** State a side's position and add or strike its interests. */
export function canSpeakForSide(me: Me, side: number, paused = false): boolean {
  if (me?.role === 'mediator') return true;
  return me?.role === 'party' && !paused && me.side?.id === side;
}

export function canPropose(me: Me, paused = false): boolean {
  return canEditBoard(me, paused);
}

// --- caucus rooms (negotiation/permissions.py) ----------------------------------------

/** Run caucuses: call, open, close, pause the board, set the rule, check overlaps. */
export function canManageCaucus(me: Me): boolean {
  return me?.role === 'mediator';
}

/** Mark a caucus message confidential, after the fact: its author or the side's party. */
export function canMarkMessage(me: (Me & { id?: number }) | null, roomSide: number, author: number | null): boolean {
  if (!me || me.role === 'mediator') return false;
  return (me.role === 'party' && me.side?.id === roomSide) || (author !== null && author === me.id);
}

/** Choose "Keep confidential" when writing: the side's party. */
export function canKeepConfidential(me: Me, roomSide: number): boolean {
  return me?.role === 'party' && me.side?.id === roomSide;
}

/** Answer a request to share: only a party of the caucus's side. */
export function canAnswerRelease(me: Me, roomSide: number): boolean {
  return me?.role === 'party' && me.side?.id === roomSide;
}

/**
 * Propose carrying something of a side's caucus to the joint room: the mediator, or the
 * side's own party (who then still answers the request, and may decline it).
 */
export function canDraftRelease(me: Me, roomSide: number): boolean {
  return me?.role === 'mediator' || (me?.role === 'party' && me.side?.id === roomSide);
}

/**
 * Share an item directly: the mediator, under the rule that allows it, if it is unmarked
 * and was itself written under that rule (`itemRule`; what was said under the default
 * rule never becomes shareable by a change of rule). The server also refuses an item
 * the party declined to release.
 */
export function canShareDirectly(
  me: Me,
  rule: string | null | undefined,
  confidential: boolean,
  itemRule: string | null | undefined = rule,
): boolean {
  const permissive = 'shareable_unless_marked';
  return me?.role === 'mediator' && rule === permissive && itemRule === permissive && !confidential;
}

/** Answer an open proposal for my side: parties only, never their own side's proposal. */
export function canRespond(me: Me, proposal: Pick<Proposal, 'side' | 'status'>): boolean {
  if (me?.role !== 'party' || !me.side || proposal.status !== 'open') return false;
  return proposal.side !== me.side.id;
}

export function canWithdraw(me: Me, proposal: Pick<Proposal, 'side' | 'status'>): boolean {
  if (proposal.status !== 'open') return false;
  if (proposal.side === null) return me?.role === 'mediator';
  return me?.role === 'party' && me.side?.id === proposal.side;
}

export function canComment(me: Me): boolean {
  return me !== null && me.role !== 'observer';
}
