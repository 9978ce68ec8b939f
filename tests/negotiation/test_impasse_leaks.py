"""The cause of an impasse, the mediator's note on it and what the mediator recorded of
each strategy never reach anyone but the mediators: not over the channel layer, not in
any GET route (read as every other persona), not in a room's replay, a snapshot, the
session summary, a notification or an e-mail."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from rest_framework.test import APIClient

from negotiation import events
from negotiation.models import Notification, Participant
from negotiation.permissions import visible_rooms
from negotiation.selectors import room_catch_up
from tests.conftest import Cast, acknowledge_rule, expert_join, run
from tests.negotiation.test_caucus_leaks import urls_of

CAUSES = [
    "communication_breakdown",
    "lack_of_trust",
    "misunderstanding",
    "power_imbalance",
    "unrealistic_expectations",
    "emotional_barriers",
]
LABELS = [
    "Communication breakdown",
    "Lack of trust",
    "Misunderstanding",
    "Power imbalance",
    "Unrealistic expectations",
    "Emotional barriers",
]
NOTE = "IMPASSE-NOTE-7Q"
OUTCOME = "OUTCOME-NOTE-3Z"
SECRETS = re.compile(
    "|".join(re.escape(word) for word in [*CAUSES, *LABELS, NOTE, OUTCOME, "did_not_help"]),
    re.IGNORECASE,
)
NOT_MEDIATORS = ("party_a", "party_b", "attorney_a", "observer", "expert")


@pytest.fixture
def layer(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    sent: list[tuple[str, dict[str, Any]]] = []
    original = events.group_send

    def record(group: str, message: dict[str, Any]) -> None:
        sent.append((group, message))
        original(group, message)

    monkeypatch.setattr(events, "group_send", record)
    return sent


def everything_tried(cast: Cast) -> None:
    """An impasse with every cause, every strategy tried, outcomes and notes recorded,
    and the board's history taken (snapshots, a session's end and its summary)."""
    acknowledge_rule(cast, "mediator", "party_a", "party_b", "attorney_a")
    issue = run(cast, "party_a", "issue.create", title="The house")
    run(cast, "party_a", "issue.create", title="The car")
    impasse = run(cast, "mediator", "impasse.mark", issue=issue["id"], causes=CAUSES[:3],
                  note=NOTE)  # fmt: skip
    run(cast, "mediator", "impasse.causes", impasse=impasse["id"], version=1, causes=CAUSES,
        note=NOTE)  # fmt: skip
    for kind, extra in (
        ("perspective", {}),
        ("reality_check", {"side": cast.side_a.pk}),
        ("criteria", {}),
        ("alternatives", {}),
        ("break", {"minutes": 5}),
    ):
        started = run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind=kind,
                      **extra)  # fmt: skip
        attempt = started["attempts"][-1]["id"]
        run(cast, "mediator", "strategy.end", attempt=attempt, outcome="did_not_help",
            note=OUTCOME)  # fmt: skip
    run(cast, "mediator", "break.end")
    run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="park", reason="Later")
    run(cast, "mediator", "snapshot.take")
    run(cast, "mediator", "session.end")


def test_no_cause_reaches_anyone_but_the_mediators(
    cast: Cast, layer: list[tuple[str, dict[str, Any]]], django_capture_on_commit_callbacks
) -> None:
    expert_join(cast, cast.side_a)
    with django_capture_on_commit_callbacks(execute=True):
        everything_tried(cast)
    mediator_groups = {f"participant.{cast.participants['mediator'].pk}"}
    told_elsewhere = [str(m) for g, m in layer if g not in mediator_groups]
    assert not SECRETS.findall(" ".join(told_elsewhere))
    # ... and the mediator was told, so the search above could find something.
    assert SECRETS.findall(" ".join(str(m) for g, m in layer if g in mediator_groups))

    urls = urls_of(cast, every_issue=True)
    for who in NOT_MEDIATORS:
        client = APIClient()
        client.force_login(cast.users[who])
        participant = Participant.objects.get(pk=cast.participants[who].pk)
        readable = [(url, client.get(url).content.decode()) for url in urls]
        for room in visible_rooms(participant):
            readable.append((f"sync {room.key}", str(room_catch_up(room, 0) or [])))
        for where, text in readable:
            assert not SECRETS.findall(text), f"{who} read an impasse's cause at {where}"

    notices = " ".join(n.text for n in Notification.objects.all())
    mails = " ".join(f"{m.subject} {m.body}" for m in mail.outbox)
    assert not SECRETS.findall(notices + mails)


def test_the_mediator_reads_the_causes_and_the_record(cast: Cast) -> None:
    everything_tried(cast)
    client = APIClient()
    client.force_login(cast.mediator)
    [impasse] = client.get(f"/api/mediations/{cast.mediation.pk}/impasses/").json()
    assert impasse["causes"] == CAUSES
    assert impasse["note"] == NOTE
    assert [a["kind"] for a in impasse["attempts"]] == [
        "perspective", "reality_check", "criteria", "alternatives", "break", "park",
    ]  # fmt: skip
    assert {a["note"] for a in impasse["attempts"][:5]} == {OUTCOME}
