/**
 * What the person at this screen may do on the board, from docs/protocol.md ("Who may do
 * what"). The server decides; these only decide which controls to show.
 */
import type { Proposal } from './board';
import type { HelloParticipant } from './socket';

type Me = Pick<HelloParticipant, 'role' | 'side'> | null;

/** Create, edit and move issues; add and strike options and criteria. */
export function canEditBoard(me: Me): boolean {
  return me?.role === 'mediator' || me?.role === 'party';
}

/** State a side's position and add or strike its interests. */
export function canSpeakForSide(me: Me, side: number): boolean {
  if (me?.role === 'mediator') return true;
  return me?.role === 'party' && me.side?.id === side;
}

export function canPropose(me: Me): boolean {
  return canEditBoard(me);
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
