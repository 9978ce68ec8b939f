"""Who may share, open and withdraw documents, and who gives the word that they have
the information they need. A document lives in one room and is seen by whoever sees
that room (rooms.visible_rooms); everyone else, a party of the other side, an outsider
and an expert whose time is up alike, is told it does not exist.

Who may share where:

| role     | joint room                    | a side's private room                      |
|----------|-------------------------------|--------------------------------------------|
| mediator | yes, breaks included          | yes, any side's                            |
| party    | yes, but not during a break   | their own side's, once they accepted the rule |
| attorney | yes, but not during a break   | their own side's, once they accepted the rule |
| expert   | yes, but not during a break   | their side's, while its caucus is open     |
| observer | no                            | no                                         |
"""

from __future__ import annotations

from config.errors import NotFound

from ..models import Document, Participant, Role, Room
from .lookups import access_in_rooms
from .predicates import answers_for_side, can_manage_mediation, joint_closed, mediation_closed
from .rooms import can_view_room, caucus_items_from, is_caucus_member
from .scope import issue_scope

SHARING_ROLES = (Role.MEDIATOR, Role.PARTY, Role.ATTORNEY, Role.EXPERT)


def can_share_document(participant: Participant, room: Room) -> bool:
    """Share a document in `room` (the table above)."""
    if not participant.is_active or mediation_closed(participant):
        return False
    if participant.role not in SHARING_ROLES:
        return False
    if room.kind == Room.Kind.JOINT:
        return can_view_room(participant, room) and not joint_closed(participant)
    if not is_caucus_member(participant, room):
        return False
    # Writing in a private room takes the confidentiality rule accepted (the mediator
    # sets it, so is bound), as for every other word said there.
    return participant.role == Role.MEDIATOR or (
        participant.rule_acknowledged == participant.mediation.confidentiality_rule
    )


def can_withdraw_document(participant: Participant, document: Document) -> bool:
    """Withdraw a document (its file is erased): whoever shared it, or the mediator."""
    if not participant.is_active or mediation_closed(participant):
        return False
    return can_manage_mediation(participant) or document.shared_by_id == participant.pk


def can_require_documents(participant: Participant) -> bool:
    """Say an issue's documents must be opened by every side before anyone accepts a
    proposal on it: the mediator."""
    return participant.is_active and can_manage_mediation(participant)


def can_check_information(participant: Participant) -> bool:
    """Say "I have the information I need to decide", or ask for more: a party, who is
    the one to decide for their side."""
    return answers_for_side(participant, participant.side_id)


def can_view_receipts(participant: Participant) -> bool:
    """Who opened which document, and when: the mediators (in the balance view)."""
    return participant.is_active and can_manage_mediation(participant)


def counts_for_side(participant: Participant) -> bool:
    """Whose opening of a document counts as their side's having opened it: the side's
    party, who decides for it."""
    return participant.role == Role.PARTY and participant.side_id is not None


def access_document(participant: Participant, document_id: object) -> Document:
    """A document not withdrawn, in a room `participant` may see now (for an expert
    who reads their side's private room only from when they joined, not one shared
    there before). Raises NotFound for anything else."""
    documents = Document.objects.select_related("room").filter(withdrawn_at__isnull=True)
    document: Document = access_in_rooms(participant, documents, document_id, room_path="room")
    items_from = caucus_items_from(participant, document.room)
    if items_from is not None and document.pk < items_from:
        raise NotFound("Not found.")
    scope = issue_scope(participant)
    if scope is not None and document.issue_id != scope:
        raise NotFound("Not found.")
    return document
