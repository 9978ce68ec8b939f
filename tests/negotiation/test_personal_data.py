"""A person exports their own data: their account, their places, what they wrote on the
board and in the caucus rooms they see, and their notifications. Never anything another
side said in private, nor anything anyone else wrote. (The caucus leak property test
reads this endpoint too, as every GET route, after every random sequence.)"""

from __future__ import annotations

import re
from typing import Any

from rest_framework.test import APIClient

from negotiation.models import CaucusRead
from tests.conftest import Cast, acknowledge_rule, expert_join, run, status_matrix

URL = "/api/me/data/"
MARKER = re.compile(r"MK-[A-Za-z_]+-\d+")


def export(cast: Cast, who: str) -> tuple[dict[str, Any], str]:
    client = APIClient()
    client.force_login(cast.users[who])
    answer = client.get(URL)
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment;")
    return answer.json(), answer.content.decode()


def everyone_writes(cast: Cast) -> dict[str, set[str]]:
    """Each persona writes a marker everywhere they may; returns the markers by writer."""
    acknowledge_rule(cast)
    issue = run(cast, "mediator", "issue.create", title="MK-mediator-1")
    written: dict[str, set[str]] = {name: set() for name in cast.participants}
    written["mediator"].add("MK-mediator-1")
    for n, (who, side) in enumerate(
        [("party_a", cast.side_a), ("attorney_a", cast.side_a), ("party_b", cast.side_b),
         ("mediator", cast.side_a), ("mediator", cast.side_b)], start=2
    ):  # fmt: skip
        body = f"MK-{who}-{n}"
        run(cast, who, "caucus_message.post", side=side.pk, body=body)
        run(cast, who, "caucus_note.add", side=side.pk, issue=issue["id"], text=body + "0")
        written[who] |= {body, body + "0"}
    run(cast, "party_b", "reality_check.set", side=cast.side_b.pk, issue=issue["id"],
        version=0, best_alternative="MK-party_b-20")  # fmt: skip
    run(cast, "party_b", "release.request", side=cast.side_b.pk, text="MK-party_b-21")
    run(cast, "party_a", "comment.add", issue=issue["id"], body="MK-party_a-30")
    run(cast, "party_a", "option.add", issue=issue["id"], text="MK-party_a-31")
    written["party_b"] |= {"MK-party_b-20", "MK-party_b-21"}
    written["party_a"] |= {"MK-party_a-30", "MK-party_a-31"}
    return written


def test_the_export_matrix(cast: Cast) -> None:
    codes = status_matrix(cast, "get", URL)
    assert codes == {**dict.fromkeys(codes, 200), "anonymous": 403}


def test_a_party_exports_exactly_what_they_wrote(cast: Cast) -> None:
    written = everyone_writes(cast)
    data, text = export(cast, "party_a")
    assert set(MARKER.findall(text)) == written["party_a"]
    assert data["account"]["email"] == "alex@example.com"
    [place] = data["participations"]
    assert (place["role"], place["side"]) == ("party", "Alex")
    assert [m["body"] for m in place["caucus"]["messages"]] == ["MK-party_a-2"]
    assert [c["body"] for c in place["board"]["comments"]] == ["MK-party_a-30"]


def test_no_export_holds_another_sides_caucus_content(cast: Cast) -> None:
    """Sam's words in Sam's room, and the mediator's words there, reach no one of Alex's
    side or outside, by their own exports."""
    written = everyone_writes(cast)
    secrets_of_b = written["party_b"] | {"MK-mediator-6", "MK-mediator-60"}
    for who in ("party_a", "attorney_a", "observer", "outsider"):
        _, text = export(cast, who)
        assert not set(MARKER.findall(text)) & secrets_of_b, who


def test_the_mediator_exports_their_own_words_and_the_read_is_recorded(cast: Cast) -> None:
    written = everyone_writes(cast)
    _, text = export(cast, "mediator")
    assert set(MARKER.findall(text)) == written["mediator"]
    recorded = CaucusRead.objects.filter(mediation=cast.mediation, via="export")
    assert sorted(read.room.key for read in recorded) == sorted(
        [f"caucus:{cast.side_a.pk}", f"caucus:{cast.side_b.pk}"]
    )


def test_a_place_that_ended_keeps_nothing_of_its_caucus_room(cast: Cast) -> None:
    """An expert whose caucus closed is outside the room: their own words there stay in
    it, as everything else said there does."""
    expert = expert_join(cast, cast.side_a)
    call = run(cast, "mediator", "caucus.call", side=cast.side_a.pk)
    run(cast, "mediator", "caucus.open", caucus=call["id"])
    acknowledge_rule(cast, "expert")
    run(cast, "expert", "caucus_message.post", side=cast.side_a.pk, body="MK-expert-1")
    during, _ = export(cast, "expert")
    run(cast, "mediator", "caucus.close", caucus=call["id"])
    after, text = export(cast, "expert")
    assert [m["body"] for m in during["participations"][0]["caucus"]["messages"]] == ["MK-expert-1"]
    assert "MK-expert-1" not in text
    assert after["participations"][0]["id"] == expert.pk


def test_notifications_are_in_the_export_with_their_fixed_words(cast: Cast) -> None:
    run(cast, "mediator", "caucus.call", side=cast.side_a.pk)
    data, _ = export(cast, "party_a")
    [notification] = data["participations"][0]["notifications"]
    assert notification["kind"] == "caucus_called"
    assert notification["text"] == "The mediator asks to meet you privately."
