"""Invitations: invite someone to a mediation, revoke, redeem, send a fresh link.

Redeeming is single use under any concurrency: a conditional UPDATE claims the
invitation, and only the request whose UPDATE changed the row goes on.

The inviter sees the link of an invitation (`link_shown`) only when it can sign in nobody
but a newcomer: when the address already belongs to an account with access beyond the
invitation (staff, a mediator, a password, or a place in any mediation), the link goes
only by e-mail. Redeeming checks again, since an account can gain access after the
invitation was made: a shown link for such an account is refused unless the request is
already signed in as that person. A session started by a shown link is marked on the
account, and every session of the account ends before it is given more access through
an e-mailed link, so a session its inviter may hold never reaches what came later.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from accounts.ratelimit import RateLimited, attempt_count
from accounts.services.sessions import account_sessions_end
from config.errors import Gone, Invalid, NotAllowed, NotFound

from ..invitation_tokens import token_derive, token_hash, token_salt_new
from ..keys import row_key
from ..models import Invitation, Notification, Participant, Role, Side
from ..permissions import can_invite, mediators_of
from ..queue import task_after_commit
from .deliveries import Outcome
from .expert_scope import expert_scope_apply, expert_scope_clean
from .mediations import participant_join, participant_role_check
from .notifications import notify

logger = logging.getLogger(__name__)

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
EMAIL_ONLY_MESSAGE = (
    "This address already has a Parley account, and this link was shown to the person who "
    "made it, so it cannot sign you in. If the address is yours, ask for a fresh link by "
    "e-mail, or sign in first and open this link again."
)
# Fresh links e-mailed per invited address in RESEND_WINDOW_SECONDS.
RESENDS_PER_WINDOW = 3
RESEND_WINDOW_SECONDS = 60 * 60


def account_has_other_access(user: User) -> bool:
    """Whether signing in as `user` gives more than a newcomer would get from an invitation:
    staff or mediator rights, a password, or a current place in any mediation."""
    return (
        user.is_staff
        or user.is_superuser
        or user.is_mediator
        or user.has_usable_password()
        or Participant.objects.filter(user=user, removed_at__isnull=True).exists()
    )


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
    caucus_history: bool = False,
    send_email: bool = True,
    scope_issue_id: int | None = None,
    access_minutes: int | None = None,
) -> tuple[Invitation, str | None]:
    """Invite `email` to the actor's mediation as `role` (on side `side_id`).

    Returns the invitation and its token, which is not stored and cannot be shown again;
    the token is None, and the link goes only by e-mail, when the address belongs to an
    account with access beyond this invitation (`account_has_other_access`). Queues the
    invitation e-mail on commit unless `send_email` is false (for callers that hand the
    link over themselves: tests, and the demo command at the operator's terminal).
    An expert invited into a side's private room reads only what is said there from the
    moment they join, unless `caucus_history` lets them read what was said before too.
    An expert may be brought in on one issue (`scope_issue_id`: they see that issue
    alone) and for `access_minutes` from when they join (services.expert_scope).
    Raises NotAllowed unless the actor runs the mediation; Invalid for a bad e-mail, an
    unknown role or side, or a role and side that do not fit together.
    """
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
    scope = expert_scope_clean(
        mediation=mediation, role=role, issue_id=scope_issue_id, minutes=access_minutes
    )
    existing = User.objects.filter(email__iexact=email).first()
    link_shown = existing is None or not account_has_other_access(existing)
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
            link_shown=link_shown,
            caucus_history=bool(caucus_history),
            scope_issue=scope.issue,
            access_minutes=scope.minutes,
            # Unique placeholder until the id, which the token is derived from, exists.
            token_hash=f"pending:{token_salt_new()}",
            email_queued_at=now if send_email else None,
        )
        invitation.save()
        token = invitation_token(invitation)
        invitation.token_hash = token_hash(token)
        invitation.save(update_fields=["token_hash"])
        invitation_id = invitation.pk
        if send_email:
            task_after_commit("negotiation.tasks.invitation_send", invitation_id)
    return invitation, token if link_shown else None


def invitation_revoke(*, actor: Participant, invitation_id: object) -> Invitation:
    """Withdraw a pending invitation of the actor's mediation.

    Raises NotFound for an invitation of another mediation, NotAllowed unless the actor
    runs the mediation, Gone if it was already used, revoked or has expired.
    """
    if not can_invite(actor):
        raise NotAllowed("Only the mediator can withdraw invitations.")
    key = row_key(invitation_id)
    invitation = (
        None
        if key is None
        else Invitation.objects.filter(mediation=actor.mediation, pk=key).first()
    )
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


def invitation_redeem(*, token: str, signed_in: User | None = None) -> tuple[User, Participant]:
    """Spend the token: the invited person (a new user if need be) joins the mediation.
    `signed_in` is whoever the request is already signed in as.

    Exactly one of any number of concurrent calls with the same token succeeds.
    Raises NotFound for an unknown token and Gone for a used, revoked or expired one;
    NotAllowed (`invitation_email_only`), spending nothing, for a link shown to its inviter
    when the address's account has other access and the request is not signed in as it,
    and (`account_disabled`) for a disabled account. Ends the account's other sessions
    first when an e-mailed link reaches an account once signed in by a shown link.
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
        user = User.objects.select_for_update().filter(email__iexact=invitation.email).first()
        if user is None:
            user = User.objects.create_user(invitation.email, name=invitation.name)
            if invitation.link_shown:
                user.shown_link_signin_at = now
                user.save(update_fields=["shown_link_signin_at"])
        elif not user.is_active:
            raise NotAllowed("This account is disabled.", code="account_disabled")
        else:
            signed_in_as_them = signed_in is not None and signed_in.pk == user.pk
            if not invitation.link_shown:
                # Only the person at this address can hold the link: whoever else may
                # hold a session of theirs from a shown link must not see what it adds.
                if user.shown_link_signin_at is not None:
                    account_sessions_end(user)
            elif signed_in_as_them:
                pass  # They proved who they are; the invitation only adds a place.
            elif account_has_other_access(user):
                # Raising rolls back the claim: the link stays usable once signed in.
                raise NotAllowed(EMAIL_ONLY_MESSAGE, code="invitation_email_only")
            else:
                user.shown_link_signin_at = now
                user.save(update_fields=["shown_link_signin_at"])
            if not user.name and invitation.name:
                user.name = invitation.name
                user.save(update_fields=["name"])
        Invitation.objects.filter(pk=invitation.pk).update(redeemed_by=user)
        participant = participant_join(
            mediation=invitation.mediation,
            user=user,
            role=invitation.role,
            side=invitation.side,
            caucus_history=invitation.caucus_history,
        )
        expert_scope_apply(invitation=invitation, participant=participant)
    return user, participant


def invitation_resend(*, token: str) -> None:
    """E-mail a fresh link for the invitation `token` stands for to the invited address,
    the only place it goes; the old link is withdrawn. For a person whose shown link was
    refused. Answers the same whether or not the address has an account.

    Raises NotFound for an unknown token, Gone for a used, revoked or expired one, and
    RateLimited past RESENDS_PER_WINDOW fresh links per address. Emits no event.
    """
    invitation = invitation_by_token(token)
    invitation_check_usable(invitation)
    if not attempt_count(
        kind="invitation-resend",
        value=invitation.email,
        limit=RESENDS_PER_WINDOW,
        window_seconds=RESEND_WINDOW_SECONDS,
    ):
        raise RateLimited(
            "A fresh link was sent several times already. Check your inbox and spam folder, "
            "or try again in an hour.",
        )
    now = timezone.now()
    with transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation.pk, redeemed_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(revoked_at=now)
        if not claimed:
            invitation.refresh_from_db()
            invitation_check_usable(invitation)
            code, message = GONE_MESSAGES[Invitation.Status.USED]
            raise Gone(message, code=code)
        fresh = Invitation(
            mediation=invitation.mediation,
            email=invitation.email,
            name=invitation.name,
            role=invitation.role,
            side=invitation.side,
            created_by=invitation.created_by,
            created_at=now,
            expires_at=now + timedelta(days=settings.PARLEY_INVITATION_TTL_DAYS),
            token_salt=token_salt_new(),
            link_shown=False,
            token_hash=f"pending:{token_salt_new()}",
            email_queued_at=now,
        )
        fresh.save()
        fresh.token_hash = token_hash(invitation_token(fresh))
        fresh.save(update_fields=["token_hash"])
        fresh_id = fresh.pk
        task_after_commit("negotiation.tasks.invitation_send", fresh_id)


def invitation_opened(invitation: Invitation) -> None:
    """Record the first time the invitation's link was opened, for the mediator's list."""
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
            opened_at=timezone.now()
        )


def invitation_email_send(*, invitation_id: int, final: bool = False) -> Outcome:
    """E-mail an invitation's link, once: the row is locked while the mail backend takes
    the message and marked sent in the same transaction (a task delivered twice, or
    retried after its worker died mid-send, sends one e-mail). Skips invitations that can
    no longer be used. On a failure returns RETRY, or on the `final` try records the
    invitation's e-mail as failed and tells the mediators (FAILED)."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("mediation", "side", "created_by")
            .filter(pk=invitation_id)
            .first()
        )
        if (
            invitation is None
            or invitation.email_sent_at is not None
            or invitation.email_failed_at is not None
            or invitation.status != Invitation.Status.PENDING
        ):
            return Outcome.NOTHING
        inviter = invitation.created_by.display_name
        context = {
            "invitation": invitation,
            "inviter": inviter,
            "role": Role(invitation.role).label.lower(),
            "link": invitation_link(invitation_token(invitation)),
        }
        try:
            EmailMessage(
                subject=f"{inviter} invites you to a mediation on Parley",
                body=render_to_string("negotiation/invitation_email.txt", context),
                to=[invitation.email],
            ).send()
        except Exception as exc:
            if not final:
                logger.info("E-mailing invitation %s failed, will retry: %s", invitation.pk, exc)
                return Outcome.RETRY
            invitation.email_failed_at = timezone.now()
            invitation.save(update_fields=["email_failed_at"])
            notify(
                participants=mediators_of(invitation.mediation_id),
                kind=Notification.Kind.DELIVERY_FAILED,
                room=invitation.mediation.joint_room(),
            )
            logger.warning("Gave up e-mailing invitation %s: %s", invitation.pk, exc)
            return Outcome.FAILED
        invitation.email_sent_at = timezone.now()
        invitation.save(update_fields=["email_sent_at"])
    return Outcome.SENT
