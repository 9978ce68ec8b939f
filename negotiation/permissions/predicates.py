"""Who may do what: pure predicates on a participant (and the thing acted on). Services
ask these and hold no role or side check of their own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from ..models import (
    CaucusMessage,
    CaucusNote,
    ConfidentialityRule,
    Participant,
    ReleaseRequest,
    Role,
    Room,
)
from .rooms import is_caucus_member

if TYPE_CHECKING:
    from accounts.models import User


def can_create_mediation(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_mediator)


def can_manage_mediation(participant: Participant) -> bool:
    """Run the session: stages, sides, invitations, caucuses."""
    return participant.role == Role.MEDIATOR


def can_close_mediation(participant: Participant) -> bool:
    """Close the mediation (its retention period starts): the mediator."""
    return participant.is_active and can_manage_mediation(participant)


def mediation_closed(participant: Participant) -> bool:
    """A closed mediation takes no more changes: nothing is said or moved in it."""
    return participant.mediation.status == participant.mediation.Status.CLOSED


def can_export_audit(participant: Participant) -> bool:
    """Export the audit log of reads of the caucus rooms: the mediator."""
    return participant.is_active and can_manage_mediation(participant)


def caucus_reads_audited(participant: Participant) -> bool:
    """Whether this participant's reads of a caucus room's content go in the audit log:
    the mediator's, who reads every side's room (a side's own party and attorney read
    their room as its owners)."""
    return participant.role == Role.MEDIATOR


def can_add_side(participant: Participant) -> bool:
    return can_manage_mediation(participant)


def can_invite(participant: Participant) -> bool:
    return can_manage_mediation(participant)


def can_view_invitations(participant: Participant) -> bool:
    return can_manage_mediation(participant)


def can_view_contact_details(participant: Participant) -> bool:
    """E-mail addresses of the other participants."""
    return can_manage_mediation(participant)


def joint_closed(participant: Participant) -> bool:
    """During a break the joint board is read-only for everyone but the mediator."""
    return participant.mediation.on_break and participant.role != Role.MEDIATOR


def can_edit_board(participant: Participant) -> bool:
    """Add and edit issues, options and criteria, and move cards between lanes. While
    the mediator pauses joint editing (during a caucus), or during a break, only
    mediators do."""
    if not participant.is_active:
        return False
    if participant.role == Role.MEDIATOR:
        return True
    mediation = participant.mediation
    return participant.role == Role.PARTY and not mediation.joint_paused and not mediation.on_break


def can_speak_for_side(participant: Participant, side_id: int | None) -> bool:
    """State a side's position and interests: its party, or the mediator (who writes
    what a side says when they say it aloud)."""
    if not participant.is_active or side_id is None:
        return False
    if participant.role == Role.MEDIATOR:
        return True
    return can_edit_board(participant) and participant.side_id == side_id


def can_propose(participant: Participant) -> bool:
    """Make a proposal: a party for their side, or the mediator as a mediator's proposal."""
    return can_edit_board(participant)


def answers_for_side(participant: Participant, side_id: int | None) -> bool:
    """Whose answer a side's decisions wait for: its party. Attorneys advise, parties
    decide; the mediator never answers for anyone."""
    return (
        participant.is_active
        and participant.role == Role.PARTY
        and side_id is not None
        and participant.side_id == side_id
    )


def can_respond(participant: Participant, side_id: int | None) -> bool:
    """Answer a proposal for a side: only that side's party, and not during a break."""
    return answers_for_side(participant, side_id) and not joint_closed(participant)


def can_withdraw(participant: Participant, proposal_side_id: int | None) -> bool:
    """Withdraw a proposal: whoever made it (its side's party, or the mediator for the
    mediator's own proposals)."""
    if not participant.is_active:
        return False
    if proposal_side_id is None:
        return participant.role == Role.MEDIATOR
    return (
        participant.role == Role.PARTY
        and participant.side_id == proposal_side_id
        and not joint_closed(participant)
    )


def can_mark_agreed(participant: Participant) -> bool:
    """Word an agreement on an issue for every side's party to confirm: the mediator.
    A party agrees by accepting a proposal, or by confirming the mediator's wording."""
    return can_manage_mediation(participant) and participant.is_active


def can_strike_alone(participant: Participant) -> bool:
    """Strike an issue at once: the mediator. Anyone else asks every side."""
    return can_manage_mediation(participant) and participant.is_active


def can_ask_strike(participant: Participant) -> bool:
    """Ask that an issue be struck, for one's side: a party who edits the board. It is
    struck when every side has asked."""
    return (
        participant.side_id is not None
        and participant.role == Role.PARTY
        and can_edit_board(participant)
    )


def can_consent_for(participant: Participant, side_id: int | None) -> bool:
    """Confirm or decline, for a side, a decision that takes every side (an agreement's
    wording, a request to strike): that side's party, as for answering a proposal."""
    return can_respond(participant, side_id)


def can_withdraw_decision(participant: Participant, kind: str, asker: Participant | None) -> bool:
    """Withdraw a decision waiting for every side: the mediator, whoever asked for it,
    or, for a request to strike, a party of the side that asked."""
    if not participant.is_active:
        return False
    if can_manage_mediation(participant) or (asker is not None and asker.pk == participant.pk):
        return True
    return (
        kind == "strike"
        and asker is not None
        and asker.side_id is not None
        and can_consent_for(participant, asker.side_id)
    )


def can_reopen(participant: Participant) -> bool:
    """Move an issue out of Agreed or Struck: the mediator, and everyone is told."""
    return can_manage_mediation(participant) and participant.is_active


def can_comment(participant: Participant) -> bool:
    return (
        participant.is_active
        and participant.role != Role.OBSERVER
        and not joint_closed(participant)
    )


def can_request_break(participant: Participant) -> bool:
    """Ask the mediator for a break: anyone at the table but the mediator and observers."""
    return participant.is_active and participant.role in (
        Role.PARTY,
        Role.ATTORNEY,
        Role.EXPERT,
    )


def can_view_deliveries(participant: Participant) -> bool:
    """Which notices could not be delivered, to whom: the mediators, who can reach the
    person another way."""
    return can_manage_mediation(participant)


def can_view_balance(participant: Participant) -> bool:
    """The balance view (private time and activity per side): the mediators only. It is
    the mediator's check on their own even-handedness, not a score for the table."""
    return participant.is_active and participant.role == Role.MEDIATOR


def can_manage_caucus(participant: Participant) -> bool:
    """Call, open and close caucuses, pause joint editing, set the confidentiality rule."""
    return can_manage_mediation(participant)


def can_write_in_caucus(participant: Participant, room: Room) -> bool:
    """Post messages, keep notes and worksheets in a caucus: its members, once they have
    acknowledged the case's confidentiality rule (the mediator sets it, so is bound)."""
    if not is_caucus_member(participant, room):
        return False
    return participant.role == Role.MEDIATOR or (
        participant.rule_acknowledged == participant.mediation.confidentiality_rule
    )


def can_write_opening(participant: Participant, room: Room) -> bool:
    """Write a side's opening statement, in its private room: the mediator (writing what
    a side says), the side's party and attorney."""
    return can_write_in_caucus(participant, room) and participant.role in (
        Role.MEDIATOR,
        Role.PARTY,
        Role.ATTORNEY,
    )


def can_ready_opening(participant: Participant, room: Room) -> bool:
    """Say a side's opening statement may be shown to everyone: only the side's party,
    whoever wrote it (nothing leaves a private room without the party)."""
    return (
        can_write_in_caucus(participant, room)
        and participant.role == Role.PARTY
        and participant.side_id == room.caucus_side_id
    )


def can_draft_release(participant: Participant, room: Room) -> bool:
    """Ask to carry caucus content to the joint room: the mediator, or the side's party."""
    if not can_write_in_caucus(participant, room):
        return False
    return participant.role == Role.MEDIATOR or (
        participant.role == Role.PARTY and participant.side_id == room.side_id
    )


def can_answer_release(participant: Participant, room: Room) -> bool:
    """Release or decline: only a party of the caucus's side. Nobody else, the mediator
    and the side's attorney included, can put a side's words in the joint room."""
    return (
        participant.role == Role.PARTY
        and participant.side_id == room.side_id
        and can_write_in_caucus(participant, room)
    )


def can_lower_mark(
    participant: Participant, room: Room, *, author_id: int | None, marked_by_id: int | None
) -> bool:
    """Take the confidential mark off a caucus message or note: a party of the room's side
    (it is their secret), or the item's author when they set the mark themselves. Nobody
    else, the mediator and the attorney included: a mark lowered is a mark the mediator
    may then share past."""
    if not can_write_in_caucus(participant, room):
        return False
    if participant.role == Role.PARTY and participant.side_id == room.side_id:
        return True
    return participant.pk == author_id and participant.pk == marked_by_id


def can_raise_mark(participant: Participant, room: Room) -> bool:
    """Mark a caucus message or note confidential: any member who may write there (more
    protection never harms the side)."""
    return can_write_in_caucus(participant, room)


def can_share_unmarked(
    participant: Participant,
    *,
    rule: str,
    item_rule: str,
    confidential: bool,
    refused: bool,
) -> bool:
    """Under the rule "the mediator may share unless marked confidential", the mediator
    may carry an unmarked caucus item to the joint room without asking, but only an item
    written under that rule (`item_rule`, which its author had accepted: writing needs the
    acknowledgement), never one said in confidence under the default rule before a
    change, and never one the party was asked about and declined, is still deciding on,
    or released only in part (`refused`): a party's answer about an item is the most
    that may ever leave about it."""
    permissive = ConfidentialityRule.SHAREABLE_UNLESS_MARKED
    return (
        participant.is_active
        and participant.role == Role.MEDIATOR
        and rule == permissive
        and item_rule == permissive
        and not confidential
        and not refused
    )


def can_set_access_time(participant: Participant, expert: Participant) -> bool:
    """Set or end an expert's invited time: the mediator, for an expert of the mediation."""
    return (
        can_manage_mediation(participant)
        and participant.is_active
        and expert.mediation_id == participant.mediation_id
        and expert.role == Role.EXPERT
    )


def is_last_mediator(participant: Participant) -> bool:
    """A mediation needs a mediator: the last one cannot be removed."""
    return (
        participant.role == Role.MEDIATOR
        and not Participant.objects.filter(
            mediation_id=participant.mediation_id, role=Role.MEDIATOR, removed_at__isnull=True
        )
        .exclude(pk=participant.pk)
        .exists()
    )


def proposing_side(participant: Participant) -> int | None:
    """The side a proposal by `participant` speaks for: a party's own side; None for the
    mediator's proposals."""
    return participant.side_id if participant.role == Role.PARTY else None


def is_own_side_proposal(participant: Participant, proposal_side_id: int | None) -> bool:
    """A proposal of the participant's own side (which their side does not answer)."""
    return proposal_side_id is not None and proposal_side_id == participant.side_id


def reads_caucus_history(*, role: str, side_id: int | None, chosen: bool) -> bool:
    """Whether someone joining reads what was said in their side's private room before
    they joined: everyone does but an expert brought into a side's room, who does only
    when the mediator chose so."""
    return chosen or role != Role.EXPERT or side_id is None


def party_answer_binds(item: CaucusMessage | CaucusNote) -> bool:
    """Whether the party was asked about this item (a request that names it, or one
    drafted with its very words) and has not released it whole: declined, not yet
    answered, or released a paraphrase or only that an option exists. Their answer is
    the most that may leave about it; only a release as worded leaves nothing to keep.
    The mediator's own earlier shares of it answer nothing for the party."""
    named = Q(message=item) if isinstance(item, CaucusMessage) else Q(note=item)
    released = Q(status=ReleaseRequest.Status.RELEASED)
    whole = released & Q(mode=ReleaseRequest.Mode.AS_WORDED)
    shared_directly = released & Q(answered_by__role=Role.MEDIATOR)
    return (
        ReleaseRequest.objects.filter(room_id=item.room_id)
        .filter(named | Q(text=item.body if isinstance(item, CaucusMessage) else item.text))
        .exclude(whole | shared_directly)
        .exists()
    )


def can_take_snapshot(participant: Participant) -> bool:
    """Take a snapshot of a room's board on demand: the mediator."""
    return participant.is_active and can_manage_mediation(participant)


def can_restore(participant: Participant) -> bool:
    """Restore an issue, or a field of it, to how a snapshot has it (as new events):
    the mediator."""
    return participant.is_active and can_manage_mediation(participant)


def can_end_session(participant: Participant) -> bool:
    """End a session (its snapshot and summary follow): the mediator."""
    return participant.is_active and can_manage_mediation(participant)


def can_view_history(participant: Participant) -> bool:
    """Read the snapshots, their differences and the issues' histories of the rooms one
    sees: everyone at the table; which rooms is the rooms rule (rooms.visible_rooms). Not
    an expert brought in on one issue: they read that issue as it is now, no more."""
    return participant.is_active and not (
        participant.role == Role.EXPERT and participant.scope_issue_id is not None
    )
