"""Notices for what waits on a person: which kinds each act makes, for exactly whom, and
their way out by e-mail, SMS and web push — batched, muted where asked, never sent
twice, retried, and shown to the mediator when they could not get through."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import NotificationSettings, PushSubscription
from config.celery import app as celery_app
from negotiation.delivery import push, sms
from negotiation.models import Delivery, Mediation, Notification
from negotiation.services.deliveries import Outcome, deliveries_send
from negotiation.services.notifications import notify
from negotiation.tasks import session_reminders_sweep
from tests.conftest import Cast, acknowledge_rule, run


@pytest.fixture(autouse=True)
def _outboxes() -> None:
    sms.MemoryBackend.outbox.clear()
    push.MemoryBackend.outbox.clear()


def told(kind: str) -> set[str]:
    return {n.participant.user.name for n in Notification.objects.filter(kind=kind)}


def issue(cast: Cast, title: str = "House") -> dict[str, Any]:
    return run(cast, "mediator", "issue.create", title=title)


# --- which kinds, for whom --------------------------------------------------------------


def test_it_tells_the_other_side_a_proposal_waits_for_its_answer(cast: Cast) -> None:
    house = issue(cast)
    run(cast, "party_a", "proposal.create", issue=house["id"], terms="Sell, split 60/40")
    assert told("proposal_made") == {"Sam"}
    notice = Notification.objects.get(kind="proposal_made")
    assert (notice.room_key, notice.issue_id) == ("joint", house["id"])
    assert notice.text == "A proposal waits for your side's answer."


def test_a_mediators_proposal_waits_for_every_side(cast: Cast) -> None:
    house = issue(cast)
    run(cast, "mediator", "proposal.create", issue=house["id"], terms="Sell")
    assert told("proposal_made") == {"Alex", "Sam", "Jordan"}


def test_it_tells_the_proposing_side_of_each_answer_and_a_counter_goes_back(cast: Cast) -> None:
    house = issue(cast)
    offer = run(cast, "party_a", "proposal.create", issue=house["id"], terms="Sell")
    run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="counter", version=0,
        counter_terms="Keep it")  # fmt: skip
    assert told("proposal_answered") == {"Alex", "Jordan"}
    assert told("proposal_made") == {"Sam", "Alex", "Jordan"}
    assert "Keep it" not in str(list(Notification.objects.values()))


def test_it_tells_everyone_but_the_mediator_of_a_stage_and_a_break(cast: Cast) -> None:
    run(cast, "mediator", "stage.set", stage="joint_discussion")
    run(cast, "mediator", "break.start", minutes=10)
    everyone_else = {"Alex", "Sam", "Jordan", "Olive"}
    assert told("stage_changed") == told("break_started") == everyone_else


def test_it_reminds_everyone_of_the_next_session_a_day_and_an_hour_ahead_once(cast: Cast) -> None:
    at = timezone.now() + timedelta(hours=20)
    state = run(cast, "mediator", "session.schedule", at=at.isoformat())
    assert state["next_session_at"] is not None
    assert session_reminders_sweep() == 1
    assert session_reminders_sweep() == 0
    assert len(told("session_tomorrow")) == 6 - 1  # everyone in it; the outsider is not
    Mediation.objects.filter(pk=cast.mediation.pk).update(
        next_session_at=timezone.now() + timedelta(minutes=50)
    )
    assert session_reminders_sweep() == 1
    assert session_reminders_sweep() == 0
    assert Notification.objects.filter(kind="session_soon").count() == 5


def test_a_session_time_must_be_to_come(cast: Cast) -> None:
    from config.errors import Invalid, NotAllowed

    with pytest.raises(Invalid) as past:
        run(cast, "mediator", "session.schedule", at="2020-01-01T10:00:00Z")
    with pytest.raises(NotAllowed):
        run(cast, "party_a", "session.schedule", at=None)
    assert past.value.details == {"at": ["Choose a time to come."]}


# --- out by the chosen channels ------------------------------------------------------------


def propose(cast: Cast, captured: Any) -> None:
    house = issue(cast)
    with captured(execute=True):
        run(cast, "party_a", "proposal.create", issue=house["id"], terms="SECRET-TERMS 120000")


def test_it_emails_a_notice_with_its_fixed_words_and_a_link(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    propose(cast, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["sam@example.com"]]
    message = mail.outbox[0]
    assert message.subject == "Parley: A proposal waits for your side's answer."
    assert f"/mediations/{cast.mediation.pk}" in message.body
    assert "SECRET" not in f"{message.subject} {message.body}"
    assert "120000" not in message.body
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_it_sends_by_sms_and_push_when_chosen_and_by_email_only_when_kept(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    NotificationSettings.objects.create(
        user=cast.party_b, email=False, sms=True, phone="+447700900123", push=True
    )
    PushSubscription.objects.create(
        user=cast.party_b, endpoint="https://push.example/abc", p256dh="k", auth="a"
    )
    propose(cast, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert [m["to"] for m in sms.MemoryBackend.outbox] == ["+447700900123"]
    assert sms.MemoryBackend.outbox[0]["text"].startswith(
        "Parley: A proposal waits for your side's answer. http"
    )
    assert [(p["endpoint"], p["body"]) for p in push.MemoryBackend.outbox] == [
        ("https://push.example/abc", "A proposal waits for your side's answer.")
    ]


def test_waiting_notices_go_out_as_one_message(cast: Cast) -> None:
    """Notices that wait for the batching window go out together when it comes."""
    joint = cast.joint
    for kind in ("issue_agreed", "issue_reopened", "parked_due"):
        notify(participants=[cast.participants["party_b"]], kind=kind, room=joint)
    assert deliveries_send(participant_id=cast.participants["party_b"].pk, channel="email") is (
        Outcome.SENT
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Parley: 3 new notices in Parley"
    assert "\u2022 Every side agreed an issue." in mail.outbox[0].body
    assert deliveries_send(participant_id=cast.participants["party_b"].pk, channel="email") is (
        Outcome.NOTHING
    )
    assert len(mail.outbox) == 1


def test_what_was_read_in_the_app_is_not_sent(cast: Cast) -> None:
    party = cast.participants["party_b"]
    notify(participants=[party], kind="issue_agreed", room=cast.joint)
    run(cast, "party_b", "notifications.read")
    assert deliveries_send(participant_id=party.pk, channel="email") is Outcome.NOTHING
    assert mail.outbox == []
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED


def test_a_muted_kind_stays_in_the_centre(cast: Cast) -> None:
    NotificationSettings.objects.create(user=cast.party_b, muted=["issue_agreed"])
    notify(participants=[cast.participants["party_b"]], kind="issue_agreed", room=cast.joint)
    assert told("issue_agreed") == {"Sam"}
    assert not Delivery.objects.exists()


def test_chat_notices_stay_in_the_app_unless_asked_for(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    acknowledge_rule(cast)
    with django_capture_on_commit_callbacks(execute=True):
        run(cast, "mediator", "caucus_message.post", side=cast.side_a.pk, body="Hello")
    assert told("caucus_message") == {"Alex", "Jordan"}
    assert mail.outbox == []


# --- failures --------------------------------------------------------------------------------


def test_a_failing_channel_is_retried_then_shown_failed_to_the_mediator(
    cast: Cast, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.slow_mail.RefusingBackend"
    settings.PARLEY_DELIVERY_RETRIES = 2
    # Run eagerly, a retry runs at once (the wait is a worker's; see test_celery_worker).
    celery_app.conf.task_eager_propagates = False
    try:
        propose(cast, django_capture_on_commit_callbacks)
    finally:
        celery_app.conf.task_eager_propagates = True
    delivery = Delivery.objects.get(participant=cast.participants["party_b"])
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 3)
    assert "hung up" in delivery.error
    assert told("delivery_failed") == {"Maya"}
    client = APIClient()
    client.force_login(cast.mediator)
    rows = client.get(f"/api/mediations/{cast.mediation.pk}/deliveries/failed/").json()
    assert [(r["name"], r["channel"], r["kind"]) for r in rows] == [
        ("Sam", "email", "proposal_made")
    ]


def test_only_the_mediators_see_what_did_not_get_through(cast: Cast) -> None:
    from tests.conftest import status_matrix

    codes = status_matrix(cast, "get", f"/api/mediations/{cast.mediation.pk}/deliveries/failed/")
    assert codes == {"mediator": 200, "party_a": 404, "party_b": 404, "attorney_a": 404,
                     "observer": 404, "outsider": 404, "anonymous": 403}  # fmt: skip


def test_no_address_is_a_failure_at_once(cast: Cast) -> None:
    NotificationSettings.objects.create(user=cast.party_b, email=False, push=True)
    notify(participants=[cast.participants["party_b"]], kind="proposal_made", room=cast.joint)
    assert deliveries_send(participant_id=cast.participants["party_b"].pk, channel="push") is (
        Outcome.FAILED
    )
    assert Delivery.objects.get().error == "Undeliverable: No browser subscribed."
