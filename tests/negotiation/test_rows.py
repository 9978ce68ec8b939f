"""Objects read as rows (negotiation/rows.py) come out exactly as their serializer shows
them: the board snapshot's issues, against DRF's own serialization with prefetching."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers

from negotiation.models import Consent, Decision, Issue, Proposal, Response
from negotiation.rows import rows_represented
from negotiation.selectors import ISSUE_ORDERINGS, room_snapshot
from negotiation.serializers import IssueSerializer
from tests.conftest import Cast, accept, confirm, run

pytestmark = pytest.mark.django_db


def drf_issues(room_id: int) -> list[dict[str, Any]]:
    """The issues as DRF serializes them, everything prefetched in the snapshot's order."""
    issues = (
        Issue.objects.filter(room_id=room_id)
        .order_by("lane", "order", "id")
        .prefetch_related(
            "positions",
            "interests",
            "options",
            "criteria",
            "comments",
            Prefetch(
                "decisions",
                queryset=Decision.objects.order_by("id").prefetch_related(
                    Prefetch("consents", queryset=Consent.objects.order_by("side__order", "id"))
                ),
            ),
            Prefetch(
                "proposals",
                queryset=Proposal.objects.order_by("id").prefetch_related(
                    Prefetch("responses", queryset=Response.objects.order_by("side__order", "id"))
                ),
            ),
        )
    )
    return list(IssueSerializer(issues, many=True).data)


def board_fill(cast: Cast) -> None:
    """Every kind of thing an issue holds, with empty and set values alike: positions of
    both sides, struck and live items, proposals with amounts, answers and a counter,
    agreed and declined decisions with their consents, a parked issue, comments."""
    a, b = cast.side_a.pk, cast.side_b.pk
    house = run(cast, "mediator", "issue.create", title="House", description="The family home")
    car = run(cast, "party_a", "issue.create", title="Car")
    empty = run(cast, "mediator", "issue.create", title="Empty")
    pension = run(cast, "party_b", "issue.create", title="Pension")
    run(cast, "party_a", "position.set", issue=house["id"], side=a, text="Keep it", version=0)
    run(cast, "party_b", "position.set", issue=house["id"], side=b, text="Sell it", version=0)
    run(cast, "party_a", "interest.add", issue=house["id"], side=a, text="The children's school")
    gone = run(cast, "party_b", "interest.add", issue=house["id"], side=b, text="Money")
    run(cast, "party_b", "interest.update", interest=gone["id"], version=gone["version"],
        struck=True)  # fmt: skip
    run(cast, "mediator", "option.add", issue=house["id"], text="Buy out")
    run(cast, "mediator", "criterion.add", issue=house["id"], text="Appraisal",
        source="A licensed appraiser")  # fmt: skip
    offer = run(cast, "party_a", "proposal.create", issue=house["id"], terms="Buy out at 300k",
                amount="300000.50")  # fmt: skip
    run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="counter", version=0,
        counter_terms="Buy out at 350k", counter_amount="350000")  # fmt: skip
    plain = run(cast, "party_b", "proposal.create", issue=car["id"], terms="Alex keeps it")
    accept(cast, "party_a", plain["id"])
    run(cast, "attorney_a", "comment.add", issue=house["id"], body="See the valuation")
    run(cast, "mediator", "comment.add", issue=house["id"], body="Noted")
    asked = run(cast, "mediator", "decision.propose", issue=pension["id"], kind="agree",
                terms="Split it")  # fmt: skip
    run(cast, "party_b", "decision.answer", decision=asked["decisions"][0]["id"],
        answer="decline")  # fmt: skip
    again = run(cast, "mediator", "decision.propose", issue=pension["id"], kind="agree",
                terms="Split it evenly")  # fmt: skip
    confirm(cast, "party_b", again["decisions"][-1]["id"])
    confirm(cast, "party_a", again["decisions"][-1]["id"])
    later = (timezone.now() + timedelta(days=7)).isoformat()
    run(cast, "party_a", "issue.move", issue=empty["id"], version=empty["version"],
        lane="parked", reason="Waiting for the valuation", until=later,
        condition="After the appraisal")  # fmt: skip


def test_the_board_read_as_rows_is_what_the_serializer_gives(cast: Cast) -> None:
    board_fill(cast)
    joint = cast.joint
    expected = drf_issues(joint.pk)
    got = rows_represented(
        IssueSerializer,
        Issue.objects.filter(room=joint).order_by("lane", "order", "id"),
        orderings=ISSUE_ORDERINGS,
    )
    # Equal as data and as the text a client gets, key order included.
    assert got == expected
    assert json.dumps(got) == json.dumps(expected)
    kinds = {
        "amount": any(p["amount"] for i in got for p in i["proposals"]),
        "counter": any(r["counter"] for i in got for p in i["proposals"] for r in p["responses"]),
        "consents": sum(len(d["consents"]) for i in got for d in i["decisions"]),
        "struck": any(x["struck"] for i in got for x in i["interests"]),
        "parked": any(i["parked_until"] for i in got),
        "empty": any(not i["positions"] and not i["comments"] for i in got),
    }
    assert kinds == {
        "amount": True,
        "counter": True,
        "consents": 4,
        "struck": True,
        "parked": True,
        "empty": True,
    }
    # The snapshot is the same, in one query per level of nesting and kind of thing.
    assert room_snapshot(joint)["data"]["issues"] == expected


def test_the_queries_do_not_grow_with_the_board(cast: Cast) -> None:
    joint = cast.joint

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rows_represented(
                IssueSerializer, Issue.objects.filter(room=joint), orderings=ISSUE_ORDERINGS
            )
        return len(captured.captured_queries)

    board_fill(cast)
    few = queries()
    for n in range(5):
        issue = run(cast, "mediator", "issue.create", title=f"More {n}")
        run(cast, "mediator", "option.add", issue=issue["id"], text="An option")
    assert queries() == few == 10


def test_a_serializer_it_cannot_read_is_refused_when_built() -> None:
    class WithMethod(serializers.ModelSerializer[Issue]):
        shout = serializers.SerializerMethodField()

        class Meta:
            model = Issue
            fields = ("id", "shout")

        def get_shout(self, issue: Issue) -> str:
            return issue.title.upper()

    with pytest.raises(TypeError, match="shout"):
        rows_represented(WithMethod, Issue.objects.none())
