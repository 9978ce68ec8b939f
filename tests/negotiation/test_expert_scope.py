"""Bringing in a professional on one issue, for a set time: the invitation carries the
issue and the minutes; the expert who joins through it sees that issue alone (its card,
what hangs on it, the worksheets and notes about it in their side's private room) and
nothing once their time is up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from negotiation.models import CaucusSession, Participant
from negotiation.permissions import scoped_frame
from negotiation.selectors import room_catch_up_for, room_snapshot_for
from negotiation.services.invitations import invitation_redeem, invitation_token
from tests.conftest import Cast, acknowledge_rule, run

SECRET = "OTHER-ISSUE-9K"


def invite(cast: Cast, body: dict[str, Any]) -> Any:
    client = APIClient()
    client.force_login(cast.mediator)
    return client.post(f"/api/mediations/{cast.mediation.pk}/invitations/", body, format="json")


def board(cast: Cast) -> tuple[dict[str, Any], dict[str, Any]]:
    house = run(cast, "party_a", "issue.create", title="The house")
    car = run(cast, "party_a", "issue.create", title=SECRET)
    run(cast, "party_a", "comment.add", issue=car["id"], body=f"{SECRET} comment")
    return house, car


def expert_on(cast: Cast, issue: dict[str, Any], side: int | None = None,
              minutes: int = 30) -> Participant:  # fmt: skip
    from negotiation.models import Invitation

    made = invite(cast, {"email": "eve@example.com", "role": "expert", "side": side,
                         "issue": issue["id"], "minutes": minutes})  # fmt: skip
    assert made.status_code == 201, made.content
    invitation = Invitation.objects.get(pk=made.json()["id"])
    _, expert = invitation_redeem(token=invitation_token(invitation))
    cast.users["expert"] = expert.user
    cast.participants["expert"] = expert
    return expert


def reader(cast: Cast) -> APIClient:
    client = APIClient()
    client.force_login(cast.users["expert"])
    return client


def test_it_invites_an_expert_on_one_issue_for_a_set_time(cast: Cast) -> None:
    house, _ = board(cast)
    made = invite(cast, {"email": "eve@example.com", "role": "expert", "issue": house["id"],
                         "minutes": 45})  # fmt: skip
    assert made.status_code == 201
    assert (made.json()["scope_issue"], made.json()["access_minutes"]) == (house["id"], 45)


def test_only_an_expert_is_invited_on_one_issue(cast: Cast) -> None:
    house, _ = board(cast)
    made = invite(cast, {"email": "erin@example.com", "role": "party", "side": cast.side_b.pk,
                         "issue": house["id"]})  # fmt: skip
    assert made.status_code == 400
    assert "issue" in made.json()


def test_it_refuses_a_bad_time_and_an_unknown_issue(cast: Cast) -> None:
    house, _ = board(cast)
    long = invite(cast, {"email": "eve@example.com", "role": "expert", "issue": house["id"],
                         "minutes": 100_000})  # fmt: skip
    unknown = invite(cast, {"email": "eve@example.com", "role": "expert", "issue": 999_999})
    assert (long.status_code, unknown.status_code) == (400, 400)
    assert "minutes" in long.json()
    assert "issue" in unknown.json()


def test_joining_starts_the_experts_time_and_scope(cast: Cast) -> None:
    house, _ = board(cast)
    expert = expert_on(cast, house, minutes=30)
    assert expert.access_expires_at is not None
    left = expert.access_expires_at - timezone.now()
    assert expert.scope_issue_id == house["id"]
    assert timedelta(minutes=29) < left <= timedelta(minutes=30)


def test_the_expert_reads_their_issue_alone_on_the_board(cast: Cast) -> None:
    house, _car = board(cast)
    expert_on(cast, house)
    client = reader(cast)
    got = client.get(f"/api/mediations/{cast.mediation.pk}/board/").json()
    assert [issue["id"] for issue in got["issues"]] == [house["id"]]
    assert SECRET not in str(got)


def test_another_issue_and_the_history_are_not_found_for_the_expert(cast: Cast) -> None:
    house, car = board(cast)
    expert_on(cast, house)
    client = reader(cast)
    base = f"/api/mediations/{cast.mediation.pk}"
    assert client.get(f"{base}/issues/{car['id']}/history/").status_code == 404
    assert client.get(f"{base}/issues/{house['id']}/history/").status_code == 404
    assert client.get(f"{base}/rooms/joint/snapshots/").status_code == 404
    assert client.get(f"{base}/summary/").status_code == 404


def test_the_experts_replay_withholds_other_issues(cast: Cast) -> None:
    house, _car = board(cast)
    run(cast, "party_a", "comment.add", issue=house["id"], body="About the house")
    expert = expert_on(cast, house)
    frames = room_catch_up_for(expert.pk, "joint", 0) or []
    text = str(frames)
    assert SECRET not in text
    assert "About the house" in text
    assert "withheld" in {frame.get("name") for frame in frames}


def test_the_experts_snapshot_of_the_joint_room_holds_their_issue_alone(cast: Cast) -> None:
    house, _ = board(cast)
    expert = expert_on(cast, house)
    snapshot = room_snapshot_for(expert.pk, "joint") or {}
    assert [issue["id"] for issue in snapshot["data"]["issues"]] == [house["id"]]


def test_in_a_private_room_the_expert_reads_what_is_about_their_issue(cast: Cast) -> None:
    house, car = board(cast)
    acknowledge_rule(cast, "party_a")
    run(cast, "party_a", "caucus_message.post", body=f"{SECRET} said in private")
    run(cast, "party_a", "reality_check.set", issue=house["id"], version=0,
        best_alternative="Sell the house")  # fmt: skip
    run(cast, "party_a", "reality_check.set", issue=car["id"], version=0,
        best_alternative=f"{SECRET} keep the car")  # fmt: skip
    CaucusSession.objects.create(mediation=cast.mediation, side=cast.side_a, status="open")
    made = invite(cast, {"email": "eve@example.com", "role": "expert", "side": cast.side_a.pk,
                         "issue": house["id"], "caucus_history": True})  # fmt: skip
    from negotiation.models import Invitation

    _, expert = invitation_redeem(
        token=invitation_token(Invitation.objects.get(pk=made.json()["id"]))
    )
    snapshot = room_snapshot_for(expert.pk, f"caucus:{cast.side_a.pk}") or {}
    replay = room_catch_up_for(expert.pk, f"caucus:{cast.side_a.pk}", 0) or []
    assert [w["issue"] for w in snapshot["data"]["worksheets"]] == [house["id"]]
    assert snapshot["data"]["messages"] == []
    assert SECRET not in str(snapshot) + str(replay)
    assert "Sell the house" in str(replay)


def test_a_move_tells_the_expert_only_their_cards_place() -> None:
    moved = {"issue": {"id": 7, "lane": "parked"}, "orders": {"7": 0, "8": 1}}
    frame = {"type": "event", "room": "joint", "seq": 4, "name": "issue.moved", "data": moved}
    other = {**frame, "data": {"issue": {"id": 8}, "orders": {"8": 0}}}
    assert scoped_frame(7, frame)["data"]["orders"] == {"7": 0}
    assert scoped_frame(7, other)["name"] == "withheld"
    assert scoped_frame(None, other) == other


def test_session_events_reach_the_scoped_expert() -> None:
    frame = {"type": "event", "room": "joint", "seq": 2, "name": "mediation.updated",
             "data": {"on_break": True}}  # fmt: skip
    assert scoped_frame(7, frame) == frame


@pytest.mark.parametrize("path", ["/", "/board/", "/rooms/joint/"])
def test_an_expert_whose_time_is_up_gets_not_found(cast: Cast, path: str) -> None:
    house, _ = board(cast)
    expert = expert_on(cast, house)
    Participant.objects.filter(pk=expert.pk).update(
        access_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert reader(cast).get(f"/api/mediations/{cast.mediation.pk}{path}").status_code == 404
    assert room_catch_up_for(expert.pk, "joint", 0) is None


def test_the_professional_strategy_records_the_invitation_and_the_expert(cast: Cast) -> None:
    house, _ = board(cast)
    impasse = run(cast, "mediator", "impasse.mark", issue=house["id"], causes=["power_imbalance"])
    made = invite(cast, {"email": "eve@example.com", "role": "expert", "side": cast.side_b.pk,
                         "issue": house["id"], "minutes": 60})  # fmt: skip
    started = run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="professional",
                  invitation=made.json()["id"])  # fmt: skip
    from negotiation.models import Invitation

    _, expert = invitation_redeem(
        token=invitation_token(Invitation.objects.get(pk=made.json()["id"]))
    )
    client = APIClient()
    client.force_login(cast.mediator)
    [record] = client.get(f"/api/mediations/{cast.mediation.pk}/impasses/").json()
    attempt = record["attempts"][0]
    assert started["attempts"][0]["side"] == cast.side_b.pk
    assert (attempt["kind"], attempt["expert"]) == ("professional", expert.pk)


def test_the_professional_strategy_needs_an_expert_invited_on_the_issue(cast: Cast) -> None:
    from config.errors import Invalid

    house, car = board(cast)
    impasse = run(cast, "mediator", "impasse.mark", issue=house["id"], causes=["power_imbalance"])
    made = invite(cast, {"email": "eve@example.com", "role": "expert", "issue": car["id"]})
    with pytest.raises(Invalid) as error:
        run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="professional",
            invitation=made.json()["id"])  # fmt: skip
    assert "invitation" in error.value.details


def test_an_expert_on_one_issue_reads_only_that_issues_documents(
    cast: Cast, tmp_path: Any, settings: Any
) -> None:
    from tests.negotiation.test_documents import file_url, share

    settings.PARLEY_DOCUMENTS_DIR = tmp_path / "documents"
    house, car = board(cast)
    expert = expert_on(cast, house)
    theirs = share(cast, "mediator", issue_id=house["id"])
    other = share(cast, "mediator", issue_id=car["id"])
    unattached = share(cast, "mediator")
    snapshot = room_snapshot_for(expert.pk, "joint")
    assert snapshot is not None
    assert [d["id"] for d in snapshot["data"]["documents"]] == [theirs.pk]
    statuses = [
        reader(cast).get(file_url(cast, d)).status_code for d in (theirs, other, unattached)
    ]
    assert statuses == [200, 404, 404]
