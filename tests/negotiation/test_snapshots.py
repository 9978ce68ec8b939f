"""Snapshots of progress: when they are taken, who reads them, what changed between two,
and restoring an issue from one as new events."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from config.errors import Invalid, NotAllowed, NotFound
from negotiation.models import Event, Issue, Snapshot
from negotiation.services.snapshots import snapshots_sweep
from negotiation.tasks import snapshots_sweep as snapshots_sweep_task
from tests.conftest import Cast, accept, acknowledge_rule, run, status_matrix


def client_of(cast: Cast, who: str) -> APIClient:
    client = APIClient()
    client.force_login(getattr(cast, who))
    return client


def api(cast: Cast, path: str) -> str:
    return f"/api/mediations/{cast.mediation.pk}/{path}"


def snapshot(cast: Cast, room: str = "joint") -> dict[str, Any]:
    return run(cast, "mediator", "snapshot.take", room=room)


# --- when snapshots are taken --------------------------------------------------------


def test_it_snapshots_every_room_on_a_stage_change(cast: Cast) -> None:
    run(cast, "mediator", "stage.set", stage="joint_discussion")
    taken = Snapshot.objects.filter(room__mediation=cast.mediation, reason="stage")
    assert taken.count() == 3  # the joint room and each side's private room
    joint = taken.get(room=cast.joint)
    assert joint.data["mediation"]["stage"] == "joint_discussion"
    assert joint.seq == Event.objects.filter(room=cast.joint).order_by("-seq")[0].seq


def test_it_snapshots_the_board_when_an_issue_is_agreed(cast: Cast) -> None:
    issue = run(cast, "party_a", "issue.create", title="House")
    proposal = run(cast, "party_a", "proposal.create", issue=issue["id"], terms="Sell it")
    accept(cast, "party_b", proposal["id"])
    agreed = Snapshot.objects.get(room=cast.joint, reason="agreed")
    [card] = agreed.data["issues"]
    assert card["lane"] == "agreed"


def test_beat_takes_a_snapshot_only_of_rooms_that_changed(cast: Cast) -> None:
    run(cast, "party_a", "issue.create", title="House")
    first = snapshots_sweep_task()
    again = snapshots_sweep()
    run(cast, "party_a", "issue.create", title="Car")
    third = snapshots_sweep()
    assert (first, again, third) == (1, 0, 1)


def test_an_on_demand_snapshot_of_an_unchanged_board_is_the_last_one(cast: Cast) -> None:
    run(cast, "party_a", "issue.create", title="House")
    assert snapshot(cast)["id"] == snapshot(cast)["id"]


def test_only_the_mediator_takes_a_snapshot(cast: Cast) -> None:
    with pytest.raises(NotAllowed):
        run(cast, "party_a", "snapshot.take", room="joint")
    with pytest.raises(NotFound):
        run(cast, "mediator", "snapshot.take", room="caucus:999")


# --- reading them --------------------------------------------------------------------


def test_a_caucus_snapshot_answers_only_its_room(cast: Cast) -> None:
    acknowledge_rule(cast)
    run(cast, "party_a", "caucus_message.post", side=cast.side_a.pk, body="Our floor")
    taken = snapshot(cast, f"caucus:{cast.side_a.pk}")
    url = api(cast, f"snapshots/{taken['id']}/")
    assert status_matrix(cast, "get", url) == {
        "mediator": 200, "party_a": 200, "party_b": 404, "attorney_a": 200,
        "observer": 404, "outsider": 404, "anonymous": 403,
    }  # fmt: skip
    listed = status_matrix(cast, "get", api(cast, f"rooms/caucus:{cast.side_a.pk}/snapshots/"))
    assert listed["party_b"] == listed["observer"] == 404


def test_the_changes_between_two_snapshots_name_what_happened(cast: Cast) -> None:
    issue = run(cast, "party_a", "issue.create", title="House")
    before = snapshot(cast)
    run(cast, "party_a", "issue.update", issue=issue["id"], version=1, title="The house")
    run(cast, "party_b", "issue.move", issue=issue["id"], version=2, lane="parked",
        reason="After the valuation")  # fmt: skip
    run(cast, "party_a", "position.set", issue=issue["id"], side=cast.side_a.pk,
        text="Keep it", version=0)  # fmt: skip
    run(cast, "party_b", "proposal.create", issue=issue["id"], terms="Sell it")
    after = snapshot(cast)
    answer = client_of(cast, "attorney_a").get(
        api(cast, f"snapshots/{after['id']}/changes/{before['id']}/")
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["before"]["id"], body["after"]["id"]) == (before["id"], after["id"])
    what = [(c["what"], c.get("field"), c.get("after")) for c in body["changes"]]
    assert what == [
        ("issue.edited", "title", "The house"),
        ("issue.parked", None, None),
        ("position.set", None, "Keep it"),
        ("proposal.added", None, None),
    ]
    assert body["changes"][1]["parked_reason"] == "After the valuation"


def test_snapshots_of_two_rooms_are_not_compared(cast: Cast) -> None:
    acknowledge_rule(cast)
    run(cast, "party_a", "issue.create", title="House")
    joint = snapshot(cast)
    run(cast, "party_a", "caucus_message.post", side=cast.side_a.pk, body="Our floor")
    caucus = snapshot(cast, f"caucus:{cast.side_a.pk}")
    answer = client_of(cast, "mediator").get(
        api(cast, f"snapshots/{joint['id']}/changes/{caucus['id']}/")
    )
    assert answer.status_code == 404


def test_an_issue_history_says_who_changed_what_and_when(cast: Cast) -> None:
    issue = run(cast, "party_a", "issue.create", title="House")
    run(cast, "party_b", "issue.update", issue=issue["id"], version=1, title="The house")
    run(cast, "mediator", "option.add", issue=issue["id"], text="Lease it")
    run(cast, "party_a", "issue.create", title="Car")  # another issue's change: not here
    answer = client_of(cast, "attorney_a").get(api(cast, f"issues/{issue['id']}/history/"))
    entries = answer.json()["entries"]
    assert [(e["actor_name"], e["changes"][0]["what"]) for e in entries] == [
        ("Alex", "issue.added"),
        ("Sam", "issue.edited"),
        ("Maya", "option.added"),
    ]
    assert entries[1]["changes"][0]["before"] == "House"


# --- restoring -----------------------------------------------------------------------


def test_a_restore_is_new_events_and_the_log_only_grows(
    cast: Cast, sent_events: Any, django_capture_on_commit_callbacks: Any
) -> None:
    issue = run(cast, "party_a", "issue.create", title="House", description="The flat")
    run(cast, "party_a", "position.set", issue=issue["id"], side=cast.side_a.pk,
        text="Keep it", version=0)  # fmt: skip
    then = snapshot(cast)
    run(cast, "party_b", "issue.update", issue=issue["id"], version=1, title="Sell the house")
    run(cast, "party_b", "issue.move", issue=issue["id"], version=2, lane="parked", reason="Later")
    run(cast, "party_a", "position.set", issue=issue["id"], side=cast.side_a.pk,
        text="Sell it", version=1)  # fmt: skip
    log = list(Event.objects.filter(room=cast.joint).order_by("seq").values("seq", "name", "data"))
    with django_capture_on_commit_callbacks(execute=True):
        restored = run(cast, "mediator", "issue.restore", snapshot=then["id"], issue=issue["id"])
    after = list(
        Event.objects.filter(room=cast.joint).order_by("seq").values("seq", "name", "data")
    )
    assert after[: len(log)] == log
    assert [e["name"] for e in after[len(log) :]] == [
        "issue.updated",
        "issue.moved",
        "position.set",
    ]
    assert (restored["title"], restored["lane"]) == ("House", "agenda")
    assert restored["positions"][0]["text"] == "Keep it"
    assert {group for group, _ in sent_events.sent} == {cast.joint.group_name}


def test_one_field_can_be_restored_alone(cast: Cast) -> None:
    issue = run(cast, "party_a", "issue.create", title="House")
    then = snapshot(cast)
    run(cast, "party_b", "issue.update", issue=issue["id"], version=1, title="Flat",
        description="Two rooms")  # fmt: skip
    restored = run(cast, "mediator", "issue.restore", snapshot=then["id"], issue=issue["id"],
                   field="title")  # fmt: skip
    assert (restored["title"], restored["description"]) == ("House", "Two rooms")


def test_a_restore_never_makes_an_issue_agreed(cast: Cast) -> None:
    issue = run(cast, "party_a", "issue.create", title="House")
    proposal = run(cast, "party_a", "proposal.create", issue=issue["id"], terms="Sell it")
    accept(cast, "party_b", proposal["id"])
    agreed = Snapshot.objects.get(room=cast.joint, reason="agreed")
    version = Issue.objects.get(pk=issue["id"]).version
    run(cast, "mediator", "issue.move", issue=issue["id"], version=version, lane="discussing")
    with pytest.raises(Invalid):
        run(cast, "mediator", "issue.restore", snapshot=agreed.pk, issue=issue["id"], field="lane")


def test_only_the_mediator_restores(cast: Cast) -> None:
    issue = run(cast, "party_a", "issue.create", title="House")
    then = snapshot(cast)
    url = api(cast, "commands/issue.restore/")
    assert status_matrix(cast, "post", url, {"snapshot": then["id"], "issue": issue["id"]}) == {
        "mediator": 200, "party_a": 403, "party_b": 403, "attorney_a": 403,
        "observer": 403, "outsider": 404, "anonymous": 403,
    }  # fmt: skip
