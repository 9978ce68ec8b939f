"""A mediation is closed by its mediator, for good: it takes no more commands, and once
PARLEY_RETENTION_DAYS have passed since, everything in it is deleted, by the hourly beat
task or `manage.py parley_purge`. Other mediations, and the people's accounts, stay."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from asgiref.sync import sync_to_async
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from negotiation.models import Mediation, Role
from negotiation.services.documents import document_open, document_share
from negotiation.services.mediations import mediation_create, participant_join
from negotiation.services.retention import mediations_purge
from negotiation.tasks import mediations_purge as mediations_purge_task
from tests.conftest import Cast, acknowledge_rule, cast_create, confirm, run
from tests.factories import UserFactory
from tests.negotiation.test_socket import next_frame, open_socket, session_cookie
from tests.negotiation.test_socket_revocation import frames_until_quiet

DAYS = settings.PARLEY_RETENTION_DAYS


def other_mediation(cast: Cast) -> Mediation:
    """A second mediation of the same mediator, with Alex in it too."""
    mediation = mediation_create(creator=cast.mediator, title="Other", side_names=["P", "Q"])
    with transaction.atomic():
        participant_join(
            mediation=mediation,
            user=cast.party_a,
            role=Role.PARTY,
            side=mediation.sides.order_by("order").first(),
        )
    return mediation


def fill(cast: Cast) -> None:
    """Something in every kind of row a mediation holds."""
    acknowledge_rule(cast)
    issue = run(cast, "mediator", "issue.create", title="House")
    document = document_share(
        actor=cast.participants["party_a"],
        room="joint",
        file=SimpleUploadedFile("appraisal.pdf", b"%PDF-1.4\n%%EOF\n"),
        issue_id=issue["id"],
    )
    document_open(actor=cast.participants["party_b"], document_id=document.pk)
    run(cast, "party_b", "information.request", issue=issue["id"], text="The deeds")
    run(cast, "party_a", "position.set", issue=issue["id"], side=cast.side_a.pk, text="Keep",
        version=0)  # fmt: skip
    run(cast, "party_a", "interest.add", issue=issue["id"], side=cast.side_a.pk, text="Kids")
    run(cast, "party_a", "option.add", issue=issue["id"], text="Sell")
    run(cast, "party_a", "criterion.add", issue=issue["id"], text="Appraisal")
    run(cast, "attorney_a", "comment.add", issue=issue["id"], body="Noted")
    offer = run(cast, "party_a", "proposal.create", issue=issue["id"], terms="Split")
    run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="considering", version=0)
    wording = run(cast, "mediator", "decision.propose", issue=issue["id"], kind="agree",
                  terms="Split")  # fmt: skip
    confirm(cast, "party_a", wording["decisions"][0]["id"])
    run(cast, "party_a", "opening.set", side=cast.side_a.pk, version=0, text="We hope")
    message = run(cast, "party_a", "caucus_message.post", side=cast.side_a.pk, body="Secret")
    run(cast, "party_a", "caucus_note.add", side=cast.side_a.pk, issue=issue["id"], text="Low")
    run(cast, "party_a", "reality_check.set", side=cast.side_a.pk, issue=issue["id"], version=0,
        best_alternative="Court")  # fmt: skip
    request = run(cast, "mediator", "release.request", side=cast.side_a.pk,
                  message=message["id"])  # fmt: skip
    run(cast, "party_a", "release.answer", release=request["id"], version=request["version"],
        decision="release", mode="as_worded", attribution="side")  # fmt: skip
    run(cast, "mediator", "caucus.call", side=cast.side_b.pk)
    # A brainstorm round still open (its repeat keys with it), sealed positions waiting.
    run(cast, "mediator", "brainstorm.start", issue=issue["id"])
    run(cast, "party_b", "brainstorm.add", issue=issue["id"], text="Rent it")
    sealed = run(cast, "mediator", "sealed.ask", issue=issue["id"])
    run(cast, "party_a", "sealed.submit", sealed=sealed["id"], version=0, amount="100")
    # An impasse on another issue, a perspective round on it with a draft and a statement.
    stuck = run(cast, "mediator", "issue.create", title="The car")
    impasse = run(cast, "mediator", "impasse.mark", issue=stuck["id"], causes=["lack_of_trust"])
    started = run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="perspective")
    perspective = started["attempts"][0]["perspective"]
    run(cast, "party_a", "perspective.draft", round=perspective, text="Sam needs a car")
    run(cast, "party_b", "perspective.submit", round=perspective, text="Alex drives the kids")
    run(cast, "mediator", "session.end")  # its snapshots and summary
    client = APIClient()
    client.force_login(cast.mediator)
    client.get(f"/api/mediations/{cast.mediation.pk}/rooms/caucus:{cast.side_a.pk}/")
    client.post(
        f"/api/mediations/{cast.mediation.pk}/invitations/",
        {"email": "new@example.com", "role": "observer"},
    )


def counts() -> dict[str, int]:
    models: list[type[Model]] = list(apps.get_app_config("negotiation").get_models())
    return {model.__name__: model._default_manager.count() for model in models}


def close(cast: Cast, days_ago: float) -> None:
    run(cast, "mediator", "mediation.close")
    Mediation.objects.filter(pk=cast.mediation.pk).update(
        closed_at=timezone.now() - timedelta(days=days_ago)
    )


# --- closing -------------------------------------------------------------------------------


def test_the_mediator_closes_the_mediation(cast: Cast, sent_events) -> None:
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        state = run(cast, "mediator", "mediation.close")
    cast.mediation.refresh_from_db()
    assert state["status"] == "closed"
    assert cast.mediation.closed_at is not None
    assert [group for group, _ in sent_events.named("mediation.updated")] == [cast.joint.group_name]


def test_a_closed_mediation_takes_no_more_commands(cast: Cast) -> None:
    run(cast, "mediator", "mediation.close")
    client = APIClient()
    client.force_login(cast.party_a)
    refused = client.post(
        f"/api/mediations/{cast.mediation.pk}/commands/issue.create/", {"title": "Late"}
    )
    read = client.post(f"/api/mediations/{cast.mediation.pk}/commands/notifications.read/", {})
    assert (refused.status_code, refused.json()["code"]) == (403, "closed")
    assert read.status_code == 200


def test_a_closed_mediation_shows_no_controls(cast: Cast) -> None:
    from negotiation.permissions import rights_of
    from negotiation.selectors import participant_rights_now

    assert rights_of(cast.participants["mediator"])["manage"] is True
    run(cast, "mediator", "mediation.close")
    for who in ("mediator", "party_a"):
        rights = participant_rights_now(cast.participants[who].pk)
        assert rights is not None
        assert rights["manage"] is rights["edit_board"] is rights["comment"] is False
        assert (rights["speak_for"], rights["answer_for"]) == ([], None)
        granted = {key for room in rights["rooms"].values() for key, on in room.items() if on}
        assert granted == set()


def test_closing_twice_keeps_the_first_moment(cast: Cast) -> None:
    run(cast, "mediator", "mediation.close")
    first = Mediation.objects.get(pk=cast.mediation.pk).closed_at
    client = APIClient()
    client.force_login(cast.mediator)
    again = client.post(f"/api/mediations/{cast.mediation.pk}/commands/mediation.close/", {})
    assert again.status_code == 403
    assert Mediation.objects.get(pk=cast.mediation.pk).closed_at == first


# --- deleting ------------------------------------------------------------------------------


def test_it_deletes_everything_of_a_mediation_past_its_retention(cast: Cast) -> None:
    fill(cast)
    before = counts()
    doomed = cast_create()  # the same people, in a second mediation
    fill(doomed)
    filled = counts()
    close(doomed, days_ago=DAYS + 1)
    users = User.objects.count()

    assert mediations_purge() == 1
    # It had rows in every table, and every table is back where it stood without it.
    assert [name for name in filled if filled[name] == before[name]] == []
    assert counts() == before
    assert not Mediation.objects.filter(pk=doomed.mediation.pk).exists()
    assert Mediation.objects.filter(pk=cast.mediation.pk).exists()
    assert User.objects.count() == users


def test_it_keeps_a_mediation_within_its_retention(cast: Cast) -> None:
    close(cast, days_ago=DAYS - 1)
    assert mediations_purge() == 0
    assert Mediation.objects.filter(pk=cast.mediation.pk).exists()


def test_it_keeps_an_open_mediation_however_old(cast: Cast) -> None:
    Mediation.objects.filter(pk=cast.mediation.pk).update(
        created_at=timezone.now() - timedelta(days=10 * DAYS),
        closed_at=timezone.now() - timedelta(days=10 * DAYS),
    )
    assert mediations_purge() == 0


def test_the_beat_task_and_the_command_delete_too(cast: Cast) -> None:
    close(cast, days_ago=DAYS + 1)
    out = StringIO()
    call_command("parley_purge", "--dry-run", stdout=out)
    assert Mediation.objects.filter(pk=cast.mediation.pk).exists()
    assert f"would delete {cast.mediation.pk}" in out.getvalue()
    call_command("parley_purge", stdout=out)
    assert not Mediation.objects.filter(pk=cast.mediation.pk).exists()
    assert mediations_purge_task() == 0
    assert "mediations-purge" in settings.CELERY_BEAT_SCHEDULE


@pytest.mark.django_db(transaction=True)
async def test_deleting_closes_the_sockets_still_open_on_it(live_cast: Cast) -> None:
    cookie = await sync_to_async(session_cookie)(live_cast.users["party_a"])
    socket = await open_socket(live_cast, cookie)
    await next_frame(socket)
    await sync_to_async(close)(live_cast, DAYS + 1)
    await frames_until_quiet(socket)
    assert await sync_to_async(mediations_purge)() == 1
    frames = await frames_until_quiet(socket, closing=True)
    assert {"type": "closed", "code": 4403} in frames


def test_the_retention_setting_is_checked() -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PARLEY_RETENTION_DAYS": "soon"}
    result = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
         "'config.settings'; django.setup()"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "PARLEY_RETENTION_DAYS must be a whole number" in result.stderr
    assert UserFactory is not None
