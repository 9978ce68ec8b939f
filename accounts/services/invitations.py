"""Invitations: invite someone to a mediation, revoke, redeem.

Redeeming is single use under any concurrency: a conditional UPDATE claims the
invitation, and only the request whose UPDATE changed the row goes on.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.tokens import token_derive, token_hash, token_salt_new
from negotiation.errors import Gone, Invalid, NotAllowed, NotFound
from negotiation.models import Participant, Side
from negotiation.permissions import can_invite
from negotiation.services.mediations import participant_join, participant_role_check

NAME_MAX = 150

GONE_MESSAGES = {
    Invitation.Status.USED: (
        "invitation_used",
        "This invitation has already been used. If that was you, you are signed in on that "
        "device; otherwise ask your mediator for a new link.",
    ),
    Invitation.Status.EXPIRED: (
        "invitation_expired",
        "This invitation has expired. Ask your mediator to send you a new one.",
    ),
    Invitation.Status.REVOKED: (
        "invitation_revoked",
        "This invitation was withdrawn by the mediator. Ask them for a new one if you "
        "still need to join.",
    ),
}
NOT_FOUND_MESSAGE = "This invitation link is not valid. Check that you copied the whole link."


def invitation_token(invitation: Invitation) -> str:
    return token_derive(invitation_id=invitation.pk, salt=invitation.token_salt)


def invitation_link(token: str, *, base_url: str | None = None) -> str:
    """The link to send. The token goes after `#`: browsers never send that part, so it
    stays out of access logs, proxies and Referer headers."""
    return f"{(base_url or settings.PARLEY_BASE_URL).rstrip('/')}/invite#{token}"


def _clean_email(email: object) -> str:
    if not isinstance(email, str) or not email.strip():
        raise Invalid("Give an e-mail address.", details={"email": ["Give an e-mail address."]})
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(
            "That is not an e-mail address.",
            details={"email": ["Enter an e-mail address such as alex@example.com."]},
        ) from None
    return email


def invitation_create(
    *,
    actor: Participant,
    email: str,
    role: str,
    side_id: int | None,
    name: str = "",
    send_email: bool = True,
) -> tuple[Invitation, str]:
    """Invite `email` to the actor's mediation as `role` (on side `side_id`).

    Returns the invitation and its token; the token is not stored and cannot be shown
    again. Queues the invitation e-mail on commit unless `send_email` is false.
    Raises NotAllowed unless the actor runs the mediation; Invalid for a bad e-mail, an
    unknown role or side, or a role and side that do not fit together.
    """
    from accounts.tasks import invitation_send

    if not can_invite(actor):
        raise NotAllowed("Only the mediator can invite people.")
    mediation = actor.mediation
    email = _clean_email(email)
    if not isinstance(name, str) or len(name) > NAME_MAX:
        raise Invalid("The name is too long.", details={"name": [f"At most {NAME_MAX}."]})
    side = None
    if side_id is not None:
        side = Side.objects.filter(mediation=mediation, pk=side_id).first()
        if side is None:
            raise Invalid("Unknown side.", details={"side": ["Choose a side of this mediation."]})
    participant_role_check(mediation=mediation, role=role, side=side)
    now = timezone.now()
    with transaction.atomic():
        invitation = Invitation(
            mediation=mediation,
            email=email,
            name=name.strip(),
            role=role,
            side=side,
            created_by=actor.user,
            created_at=now,
            expires_at=now + timedelta(days=settings.PARLEY_INVITATION_TTL_DAYS),
            token_salt=token_salt_new(),
            # Unique placeholder until the id, which the token is derived from, exists.
            token_hash=f"pending:{token_salt_new()}",
        )
        invitation.save()
        token = invitation_token(invitation)
        invitation.token_hash = token_hash(token)
        invitation.save(update_fields=["token_hash"])
        invitation_id = invitation.pk
        if send_email:
            transaction.on_commit(lambda: invitation_send.delay(invitation_id))
    return invitation, token


def invitation_revoke(*, actor: Participant, invitation_id: int) -> Invitation:
    """Withdraw a pending invitation of the actor's mediation.

    Raises NotFound for an invitation of another mediation, NotAllowed unless the actor
    runs the mediation, Gone if it was already used, revoked or has expired.
    """
    if not can_invite(actor):
        raise NotAllowed("Only the mediator can withdraw invitations.")
    invitation = Invitation.objects.filter(mediation=actor.mediation, pk=invitation_id).first()
    if invitation is None:
        raise NotFound("No such invitation.")
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation.pk, redeemed_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now, revoked_by=actor.user)
    invitation.refresh_from_db()
    if not claimed:
        code, message = GONE_MESSAGES[invitation.status]
        raise Gone(message, code=code)
    return invitation


def invitation_by_token(token: str) -> Invitation:
    """The invitation a link stands for, usable or not. Raises NotFound."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise NotFound(NOT_FOUND_MESSAGE, code="invitation_not_found")
    invitation = (
        Invitation.objects.select_related("mediation", "side", "created_by")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None:
        raise NotFound(NOT_FOUND_MESSAGE, code="invitation_not_found")
    return invitation


def invitation_check_usable(invitation: Invitation) -> None:
    """Raise Gone, with a message for the person holding the link, unless pending."""
    status = invitation.status
    if status != Invitation.Status.PENDING:
        code, message = GONE_MESSAGES[status]
        raise Gone(message, code=code)


def invitation_redeem(*, token: str) -> tuple[User, Participant]:
    """Spend the token: the invited person (a new user if need be) joins the mediation.

    Exactly one of any number of concurrent calls with the same token succeeds.
    Raises NotFound for an unknown token and Gone for a used, revoked or expired one.
    Emits `participant.joined` when someone new joins.
    """
    invitation = invitation_by_token(token)
    now = timezone.now()
    with transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation.pk,
            redeemed_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        ).update(redeemed_at=now)
        if not claimed:
            invitation.refresh_from_db()
            invitation_check_usable(invitation)
            code, message = GONE_MESSAGES[Invitation.Status.USED]
            raise Gone(message, code=code)
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is None:
            user = User.objects.create_user(invitation.email, name=invitation.name)
        elif not user.is_active:
            raise NotAllowed("This account is disabled.", code="account_disabled")
        elif not user.name and invitation.name:
            user.name = invitation.name
            user.save(update_fields=["name"])
        Invitation.objects.filter(pk=invitation.pk).update(redeemed_by=user)
        participant = participant_join(
            mediation=invitation.mediation, user=user, role=invitation.role, side=invitation.side
        )
    return user, participant
