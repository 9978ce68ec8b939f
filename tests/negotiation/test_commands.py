"""The command table: one effect per client id, clear errors, the REST mirror."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from config.errors import Invalid
from negotiation.commands import COMMANDS, command_execute
from negotiation.models import Event, Issue
from negotiation.services.documents import document_share
from tests.conftest import Cast, run, status_matrix


def test_a_repeated_command_has_one_effect_and_the_same_result(cast: Cast) -> None:
    actor = cast.participants["party_a"]
    first = command_execute(
        actor=actor, client_id="c-1", name="issue.create", data={"title": "Car"}
    )
    again = command_execute(
        actor=actor, client_id="c-1", name="issue.create", data={"title": "Car"}
    )
    assert again == first
    assert Issue.objects.count() == 1
    assert Event.objects.filter(name="issue.created").count() == 1


def test_ids_are_per_participant(cast: Cast) -> None:
    for who in ("party_a", "party_b"):
        command_execute(
            actor=cast.participants[who], client_id="same", name="issue.create",
            data={"title": who},
        )  # fmt: skip
    assert Issue.objects.count() == 2


def test_an_id_reused_for_another_command_is_refused(cast: Cast) -> None:
    actor = cast.participants["party_a"]
    issue = command_execute(actor=actor, client_id="c-2", name="issue.create", data={"title": "A"})
    with pytest.raises(Invalid) as error:
        command_execute(
            actor=actor, client_id="c-2", name="comment.add",
            data={"issue": issue["id"], "body": "x"},
        )  # fmt: skip
    assert error.value.code == "id_reused"


def test_a_failed_command_may_be_sent_again(cast: Cast) -> None:
    actor = cast.participants["party_a"]
    with pytest.raises(Invalid):
        command_execute(actor=actor, client_id="c-3", name="issue.create", data={"title": ""})
    result = command_execute(
        actor=actor, client_id="c-3", name="issue.create", data={"title": "Fixed"}
    )
    assert result["title"] == "Fixed"


@pytest.mark.parametrize(
    ("client_id", "name", "data", "code"),
    [
        ("", "issue.create", {"title": "x"}, "invalid"),
        ("x" * 65, "issue.create", {"title": "x"}, "invalid"),
        # Stored with the result: no database keeps a NUL or a lone surrogate.
        ("c\x00", "issue.create", {"title": "x"}, "invalid"),
        ("c\ud800", "issue.create", {"title": "x"}, "invalid"),
        (None, "issue.create", {"title": "x"}, "invalid"),
        ("c", "issue.explode", {}, "unknown_command"),
        ("c", "issue.create", ["title"], "invalid"),
        ("c", "issue.move", {"issue": "twelve", "version": 1, "lane": "parked"}, "invalid"),
    ],
)
def test_bad_commands_say_what_is_wrong(
    cast: Cast, client_id: object, name: str, data: object, code: str
) -> None:
    with pytest.raises(Invalid) as error:
        command_execute(actor=cast.participants["mediator"], client_id=client_id, name=name,
                        data=data)  # fmt: skip
    assert error.value.code == code
    assert error.value.message


def test_rest_honours_the_idempotency_key(cast: Cast) -> None:
    client = APIClient()
    client.force_login(cast.party_b)
    url = f"/api/mediations/{cast.mediation.pk}/commands/issue.create/"
    first = client.post(url, {"title": "Car"}, HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url, {"title": "Car"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert Issue.objects.count() == 1


def test_rest_answers_a_conflict_with_the_current_state(cast: Cast) -> None:
    issue = run(cast, "party_a", "issue.create", title="Car")
    run(cast, "party_a", "issue.update", issue=issue["id"], version=1, title="The car")
    client = APIClient()
    client.force_login(cast.party_b)
    response = client.post(
        f"/api/mediations/{cast.mediation.pk}/commands/issue.update/",
        {"issue": issue["id"], "version": 1, "title": "Cars"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["current"]["title"] == "The car"


def test_every_command_has_a_rest_endpoint_and_a_schema(cast: Cast) -> None:
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = set(schema.json()["paths"])
    for name in COMMANDS:
        assert f"/api/mediations/{{mediation_id}}/commands/{name}/" in paths


def test_the_board_snapshot_matrix(cast: Cast) -> None:
    assert status_matrix(cast, "get", f"/api/mediations/{cast.mediation.pk}/board/") == {
        "mediator": 200,
        "party_a": 200,
        "party_b": 200,
        "attorney_a": 200,
        "observer": 200,
        "outsider": 404,
        "anonymous": 403,
    }


COMMAND_MATRIX = {
    # command: who may (the rest get 403; outsiders 404)
    "snapshot.take": {"mediator"},
    "issue.restore": {"mediator"},
    "session.end": {"mediator"},
    "session.schedule": {"mediator"},
    "issue.create": {"mediator", "party_a", "party_b"},
    "issue.update": {"mediator", "party_a", "party_b"},
    "issue.move": {"mediator", "party_a", "party_b"},
    "position.set": {"mediator", "party_a"},
    "interest.add": {"mediator", "party_a"},
    "option.add": {"mediator", "party_a", "party_b"},
    "criterion.add": {"mediator", "party_a", "party_b"},
    "comment.add": {"mediator", "party_a", "party_b", "attorney_a"},
    "proposal.create": {"mediator", "party_a", "party_b"},
    "proposal.respond": {"party_b"},
    "proposal.withdraw": {"party_a"},
    "interest.update": {"mediator", "party_a"},
    "option.update": {"mediator", "party_a", "party_b"},
    "criterion.update": {"mediator", "party_a", "party_b"},
    "stage.set": {"mediator"},
    "break.start": {"mediator"},
    "break.extend": {"mediator"},
    "break.end": {"mediator"},
    "break.request": {"party_a", "party_b", "attorney_a"},
    "issue.park_edit": {"mediator", "party_a", "party_b"},
    "issue.unpark": {"mediator", "party_a", "party_b"},
    "decision.propose": {"mediator"},
    "decision.answer": {"party_a", "party_b"},
    "decision.withdraw": {"mediator"},
    "announcement.make": {"mediator"},
    "announcement.clear": {"mediator"},
    "mediation.close": {"mediator"},
    "document.withdraw": {"mediator", "party_a"},
    "issue.require_documents": {"mediator"},
    "information.confirm": {"party_a", "party_b"},
    "information.request": {"party_a", "party_b"},
    "brainstorm.start": {"mediator"},
    "brainstorm.add": {"mediator", "party_a", "party_b", "attorney_a"},
    "brainstorm.end": {"mediator"},
    "sealed.ask": {"mediator"},
    "sealed.submit": {"party_a", "party_b"},
    "sealed.cancel": {"mediator"},
}
# What must be so before a command can succeed at all.
BREAK_ON = ("break.extend", "break.end")
PARKED_FIRST = ("issue.park_edit", "issue.unpark")
AGREEMENT_WAITING = ("decision.answer", "decision.withdraw")
BRAINSTORM_OPEN = ("brainstorm.add", "brainstorm.end")
SEALED_WAITING = ("sealed.submit", "sealed.cancel")


def test_the_command_matrices_cover_every_command() -> None:
    from tests.negotiation.test_caucus_commands import CAUCUS_COMMAND_MATRIX
    from tests.negotiation.test_impasse_commands import IMPASSE_COMMAND_MATRIX

    matrices = (COMMAND_MATRIX, CAUCUS_COMMAND_MATRIX, IMPASSE_COMMAND_MATRIX)
    assert set().union(*matrices) == set(COMMANDS)
    assert sum(len(matrix) for matrix in matrices) == len(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMAND_MATRIX))
def test_the_command_matrix(cast: Cast, name: str) -> None:
    issue = run(cast, "mediator", "issue.create", title="Car")
    offer = run(cast, "party_a", "proposal.create", issue=issue["id"], terms="Keep it")
    interest = run(cast, "party_a", "interest.add", issue=issue["id"], side=cast.side_a.pk,
                   text="Commute")  # fmt: skip
    option = run(cast, "party_a", "option.add", issue=issue["id"], text="Sell")
    criterion = run(cast, "party_a", "criterion.add", issue=issue["id"], text="Blue book")
    data = {
        "issue.create": {"title": "New"},
        "issue.update": {"issue": issue["id"], "version": 1, "title": "Car (2019)"},
        "issue.move": {"issue": issue["id"], "version": 1, "lane": "discussing"},
        "position.set": {
            "issue": issue["id"],
            "side": cast.side_a.pk,
            "text": "Keep",
            "version": 0,
        },
        "interest.add": {"issue": issue["id"], "side": cast.side_a.pk, "text": "Kids"},
        "option.add": {"issue": issue["id"], "text": "Lease"},
        "criterion.add": {"issue": issue["id"], "text": "Appraisal"},
        "comment.add": {"issue": issue["id"], "body": "Noted"},
        "proposal.create": {"issue": issue["id"], "terms": "Split"},
        "proposal.respond": {
            "proposal": offer["id"],
            "answer": "accept",
            "version": 0,
            "informed": True,
        },
        "proposal.withdraw": {"proposal": offer["id"], "version": 1},
        "interest.update": {"interest": interest["id"], "version": 1, "text": "School"},
        "option.update": {"option": option["id"], "version": 1, "struck": True},
        "criterion.update": {"criterion": criterion["id"], "version": 1, "source": "KBB"},
        "stage.set": {"stage": "joint_discussion"},
        "break.start": {"minutes": 10},
        "break.extend": {"minutes": 5},
        "break.end": {},
        "break.request": {},
        "issue.park_edit": {"issue": issue["id"], "version": 2, "condition": "After the sale"},
        "issue.unpark": {"issue": issue["id"], "version": 2},
        "decision.propose": {"issue": issue["id"], "kind": "agree", "terms": "Alex keeps it"},
        "decision.answer": {"decision": 0, "answer": "confirm", "informed": True},
        "decision.withdraw": {"decision": 0},
        "announcement.make": {"text": "We resume at two"},
        "announcement.clear": {},
        "mediation.close": {},
        "snapshot.take": {"room": "joint"},
        "issue.restore": {"snapshot": 0, "issue": issue["id"]},
        "session.end": {"next_session_at": (timezone.now() + timedelta(days=30)).isoformat()},
        "session.schedule": {"at": (timezone.now() + timedelta(days=30)).isoformat()},
        "document.withdraw": {"document": 0},
        "issue.require_documents": {"issue": issue["id"], "required": True, "version": 1},
        "information.confirm": {"issue": issue["id"]},
        "information.request": {"issue": issue["id"], "text": "The appraisal"},
        "brainstorm.start": {"issue": issue["id"]},
        "brainstorm.add": {"issue": issue["id"], "text": "Lease it"},
        "brainstorm.end": {"issue": issue["id"]},
        "sealed.ask": {"issue": issue["id"], "asks": "figure"},
        "sealed.submit": {"sealed": 0, "version": 0, "amount": "12000"},
        "sealed.cancel": {"sealed": 0},
    }[name]
    if name == "document.withdraw":
        data["document"] = document_share(
            actor=cast.participants["party_a"],
            room="joint",
            file=SimpleUploadedFile("appraisal.pdf", b"%PDF-1.4\n%%EOF\n"),
        ).pk
    if name in BRAINSTORM_OPEN:
        run(cast, "mediator", "brainstorm.start", issue=issue["id"])
    if name in SEALED_WAITING:
        data["sealed"] = run(cast, "mediator", "sealed.ask", issue=issue["id"])["id"]
    if name == "issue.restore":
        data["snapshot"] = run(cast, "mediator", "snapshot.take", room="joint")["id"]
    if name in BREAK_ON:
        run(cast, "mediator", "break.start", minutes=10)
    if name in PARKED_FIRST:
        run(cast, "mediator", "issue.move", issue=issue["id"], version=1, lane="parked")
    if name in AGREEMENT_WAITING:
        card = run(cast, "mediator", "decision.propose", issue=issue["id"], kind="agree",
                   terms="Alex keeps it")  # fmt: skip
        data["decision"] = card["decisions"][0]["id"]
    from django.db import transaction

    codes = {}
    for who in ("mediator", "party_a", "party_b", "attorney_a", "observer", "outsider"):
        client = APIClient()
        client.force_login(getattr(cast, who))
        # Each try in a savepoint rolled back, so one persona's success does not make the
        # next one's a conflict.
        with transaction.atomic():
            codes[who] = client.post(
                f"/api/mediations/{cast.mediation.pk}/commands/{name}/", data
            ).status_code
            transaction.set_rollback(True)
    allowed = COMMAND_MATRIX[name]
    assert codes == {
        who: 200 if who in allowed else 404 if who == "outsider" else 403 for who in codes
    }


# --- repeats racing the original --------------------------------------------------------


def _waiting_on_locks() -> int:
    """How many statements of this test database wait for a lock (PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE NOT l.granted AND a.datname = current_database()"
        )
        (count,) = cursor.fetchone()
    return int(count)


RACED = {
    # command: data for it, given the issue and a proposal of party A's
    "issue.update": lambda issue, offer: {"issue": issue, "version": 1, "title": "The car"},
    "issue.move": lambda issue, offer: {"issue": issue, "version": 1, "lane": "discussing"},
    "proposal.withdraw": lambda issue, offer: {"proposal": offer, "version": 1},
    "issue.create": lambda issue, offer: {"title": "House"},
}


@pytest.mark.parametrize("name", sorted(RACED))
def test_it_answers_repeats_racing_the_original_with_the_first_result(
    live_cast: Cast, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A client replays a command (same id) while the original is still running, e.g.
    after a reconnect: every repeat waits for it and gets its result, not a conflict or
    an "already withdrawn" for an edit that was saved."""
    import dataclasses
    import threading
    import time

    from django.db import connection

    from negotiation.models import Participant

    cast = live_cast
    issue = run(cast, "party_a", "issue.create", title="Car")
    offer = run(cast, "party_a", "proposal.create", issue=issue["id"], terms="Keep it")
    data = RACED[name](issue["id"], offer["id"])
    repeats = 3
    original_ran = threading.Event()
    command = COMMANDS[name]
    postgres = connection.vendor == "postgresql"

    def slow_service(**kwargs: object) -> object:
        result = command.service(**kwargs)
        if not original_ran.is_set():
            original_ran.set()
            # Hold the original's transaction open until every repeat is waiting on it.
            deadline = time.monotonic() + 10
            while postgres and _waiting_on_locks() < repeats and time.monotonic() < deadline:
                time.sleep(0.02)
            if not postgres:
                time.sleep(0.5)
        return result

    monkeypatch.setitem(COMMANDS, name, dataclasses.replace(command, service=slow_service))
    results: dict[int, object] = {}

    def send(index: int) -> None:
        if index:
            original_ran.wait(10)
        try:
            actor = Participant.objects.select_related("mediation", "side", "user").get(
                pk=cast.participants["party_a"].pk
            )
            results[index] = command_execute(actor=actor, client_id="c-race", name=name, data=data)
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(index,)) for index in range(1 + repeats)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert original_ran.is_set()
    assert [results[index] for index in range(1, 1 + repeats)] == [results[0]] * repeats
    assert isinstance(results[0], dict)
    event = {
        "issue.update": "issue.updated",
        "issue.move": "issue.moved",
        "proposal.withdraw": "proposal.withdrawn",
        "issue.create": "issue.created",
    }[name]
    assert Event.objects.filter(name=event).count() == 1 + (name == "issue.create")


def test_the_protocol_names_the_service_behind_every_command() -> None:
    from pathlib import Path

    from negotiation.commands import COMMANDS

    protocol = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()
    missing = [
        name
        for name, command in COMMANDS.items()
        if f"| `{name}` | `{command.service.__module__}.{command.service.__name__}` |"
        not in protocol
    ]
    assert missing == []


# Commands whose answer reuses the payload of the event their service recorded, with the
# model each answer is about: the answer must still be what the database holds.
ANSWERS = {
    "issue.create": ("Issue", lambda c, i, p: {"title": "Boat"}),
    "issue.update": ("Issue", lambda c, i, p: {"issue": i, "version": 1, "title": "Car!"}),
    "issue.move": ("Issue", lambda c, i, p: {"issue": i, "version": 1, "lane": "parked",
                                              "reason": "Later"}),
    "option.add": ("Option", lambda c, i, p: {"issue": i, "text": "Sell it"}),
    "comment.add": ("Comment", lambda c, i, p: {"issue": i, "body": "Hm"}),
    "proposal.create": ("Proposal", lambda c, i, p: {"issue": i, "terms": "Split"}),
    "proposal.withdraw": ("Proposal", lambda c, i, p: {"proposal": p, "version": 1}),
    "position.set": ("Position", lambda c, i, p: {"issue": i, "side": c.side_a.pk,
                                                   "text": "Keep it", "version": 0}),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_an_answer_made_once_is_what_the_database_holds(cast: Cast, name: str) -> None:
    from negotiation import models
    from negotiation.commands import COMMANDS

    issue = run(cast, "party_a", "issue.create", title="Car")
    offer = run(cast, "party_a", "proposal.create", issue=issue["id"], terms="Keep it")
    model_name, data = ANSWERS[name]
    answer = run(cast, "party_a", name, **data(cast, issue["id"], offer["id"]))
    row = getattr(models, model_name).objects.get(pk=answer["id"])
    assert answer == dict(COMMANDS[name].output(row).data)
