"""Mediations, their sides and their participants."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import Invalid, NotAllowed

from ..events import event_append
from ..models import SIDED_ROLES, UNSIDED_ROLES, Mediation, Participant, Role, Room, Side
from ..permissions import can_add_side, can_create_mediation, reads_caucus_history
from ..serializers import participant_payload, side_payload
from .validation import currency_clean, max_length_of, text_clean

if TYPE_CHECKING:
    from accounts.models import User

TITLE_MAX = max_length_of(Mediation, "title")
SIDE_NAME_MAX = max_length_of(Side, "name")
SIDES_MAX = 8


def _clean_title(title: object) -> str:
    return text_clean(title, field="title", max_length=TITLE_MAX, label="title")


def _clean_side_name(name: object, *, field: str = "name") -> str:
    name = text_clean(name, field=field, max_length=SIDE_NAME_MAX, label="side's name")
    return " ".join(name.split())


def _side_create(*, mediation: Mediation, name: str, order: int) -> Side:
    side = Side.objects.create(mediation=mediation, name=name, order=order)
    Room.objects.create(mediation=mediation, kind=Room.Kind.CAUCUS, side=side)
    return side


def mediation_create(
    *, creator: User, title: str, side_names: list[str], currency: object = "EUR"
) -> Mediation:
    """Open a mediation with its joint room, its sides and one caucus room per side; the
    creator becomes its mediator. Its amounts are in `currency` (validation.CURRENCIES).

    Raises NotAllowed if the user may not mediate, Invalid for a missing or long title,
    fewer than two sides, more than SIDES_MAX, two sides with the same name, or an
    unknown currency.
    Emits no event: nobody else is in the mediation yet.
    """
    if not can_create_mediation(creator):
        raise NotAllowed("Only mediators can open a mediation.")
    title = _clean_title(title)
    currency = currency_clean(currency)
    if not isinstance(side_names, list) or len(side_names) < 2:
        raise Invalid("A mediation needs two sides.", details={"sides": ["Name both sides."]})
    if len(side_names) > SIDES_MAX:
        raise Invalid(
            "Too many sides.", details={"sides": [f"A mediation has at most {SIDES_MAX} sides."]}
        )
    names = [_clean_side_name(name, field="sides") for name in side_names]
    if len({name.casefold() for name in names}) != len(names):
        raise Invalid(
            "Two sides have the same name.", details={"sides": ["Give each side its own name."]}
        )
    with transaction.atomic():
        mediation = Mediation.objects.create(title=title, currency=currency, created_by=creator)
        Room.objects.create(mediation=mediation, kind=Room.Kind.JOINT)
        for order, name in enumerate(names):
            _side_create(mediation=mediation, name=name, order=order)
        Participant.objects.create(mediation=mediation, user=creator, role=Role.MEDIATOR)
    return mediation


def side_add(*, actor: Participant, name: str) -> Side:
    """Add a side (and its caucus room) to the actor's mediation.

    Raises NotAllowed unless the actor runs the mediation; Invalid for a missing, long or
    taken name, or past SIDES_MAX. Emits `side.added` to the joint room.
    """
    if not can_add_side(actor):
        raise NotAllowed("Only the mediator can add a side.")
    name = _clean_side_name(name)
    mediation = actor.mediation
    with transaction.atomic():
        sides = list(Side.objects.select_for_update().filter(mediation=mediation))
        if len(sides) >= SIDES_MAX:
            raise Invalid(
                "Too many sides.",
                details={"name": [f"A mediation has at most {SIDES_MAX} sides."]},
            )
        if any(side.name.casefold() == name.casefold() for side in sides):
            raise Invalid("That side exists.", details={"name": ["There is a side by that name."]})
        side = _side_create(
            mediation=mediation, name=name, order=max((s.order for s in sides), default=-1) + 1
        )
        event_append(
            room=mediation.joint_room(),
            name="side.added",
            data=side_payload(side),
            actor=actor,
        )
    return side


def participant_role_check(*, mediation: Mediation, role: str, side: Side | None) -> None:
    """Raise Invalid unless `role` and `side` fit together in `mediation`."""
    if role not in Role.values:
        raise Invalid("Unknown role.", details={"role": [f"Choose one of {', '.join(Role)}."]})
    if side is not None and side.mediation_id != mediation.pk:
        raise Invalid("Unknown side.", details={"side": ["Choose a side of this mediation."]})
    if role in SIDED_ROLES and side is None:
        raise Invalid(
            "Choose a side.", details={"side": [f"A {Role(role).label.lower()} needs a side."]}
        )
    if role in UNSIDED_ROLES and side is not None:
        raise Invalid(
            "This role has no side.",
            details={"side": [f"A {Role(role).label.lower()} is on no side."]},
        )


def participant_join(
    *,
    mediation: Mediation,
    user: User,
    role: str,
    side: Side | None,
    caucus_history: bool = True,
) -> Participant:
    """Make `user` a participant of `mediation`. Someone already in it keeps their place.
    An expert joining a side's private room without `caucus_history` reads only what is
    created there from now on (permissions.caucus_items_from).

    Must run in a transaction. Raises Invalid if role and side do not fit.
    Emits `participant.joined` to the joint room when someone new joins.
    """
    participant_role_check(mediation=mediation, role=role, side=side)
    existing = Participant.objects.filter(
        mediation=mediation, user=user, removed_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            now = timezone.now()
            history = reads_caucus_history(
                role=role, side_id=side.pk if side else None, chosen=caucus_history
            )
            participant = Participant.objects.create(
                mediation=mediation,
                user=user,
                role=role,
                side=side,
                joined_at=now,
                caucus_history_from=None if history else now,
            )
    except IntegrityError:
        # Joined at the same moment through another link.
        return Participant.objects.get(mediation=mediation, user=user, removed_at__isnull=True)
    event_append(
        room=mediation.joint_room(),
        name="participant.joined",
        data=participant_payload(participant),
        actor=participant,
    )
    return participant
