from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from negotiation.models import Invitation
from negotiation.services.invitations import invitation_create
from negotiation.tasks import invitation_send
from tests.conftest import Cast


def test_it_derives_the_same_link_it_showed(cast: Cast) -> None:
    invitation, token = invitation_create(
        actor=cast.participants["mediator"],
        email="erin@example.com",
        role="observer",
        side_id=None,
        send_email=False,
    )
    invitation_send(invitation.pk)
    assert f"/invite#{token}" in mail.outbox[0].body
    assert "Maya" in mail.outbox[0].subject


def test_it_sends_nothing_for_a_spent_or_expired_invitation(cast: Cast) -> None:
    invitation, _ = invitation_create(
        actor=cast.participants["mediator"],
        email="erin@example.com",
        role="observer",
        side_id=None,
        send_email=False,
    )
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    invitation_send(invitation.pk)
    invitation_send(invitation.pk + 1000)
    assert mail.outbox == []


def test_it_sends_an_invitation_once_however_often_the_task_is_delivered(cast: Cast) -> None:
    """A broker hands a message out again after a worker died or lost its connection
    before acknowledging it: the e-mail goes once."""
    invitation, _ = invitation_create(
        actor=cast.participants["mediator"],
        email="erin@example.com",
        role="observer",
        side_id=None,
        send_email=False,
    )
    invitation_send(invitation.pk)
    invitation_send(invitation.pk)
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.email_sent_at is not None
