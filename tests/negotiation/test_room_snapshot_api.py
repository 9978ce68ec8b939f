"""GET /api/mediations/<id>/rooms/<key>/: a room's snapshot, for those who may see it.
A caucus room one may not see answers exactly as a room that does not exist. (Signed out,
every room gets the same 403: sign in first.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from negotiation.models import CaucusSession, Participant
from tests.conftest import PERSONAS, Cast, acknowledge_rule, expert_join, run, status_matrix

pytestmark = pytest.mark.django_db

MISSING_SIDE = 999_999


@pytest.fixture
def busy(cast: Cast) -> Cast:
    """Both caucuses hold something, and the expert is invited into Alex's."""
    expert_join(cast, cast.side_a)
    acknowledge_rule(cast)
    run(cast, "party_a", "caucus_message.post", body="Alex's secret")
    run(cast, "party_b", "caucus_message.post", body="Sam's secret")
    return cast


def url(cast: Cast, key: str) -> str:
    return f"/api/mediations/{cast.mediation.pk}/rooms/{key}/"


def matrix(cast: Cast, key: str) -> dict[str, int]:
    return status_matrix(cast, "get", url(cast, key), who=(*PERSONAS, "expert"))


def test_it_answers_each_persona_for_each_room(busy: Cast) -> None:
    a, b = f"caucus:{busy.side_a.pk}", f"caucus:{busy.side_b.pk}"
    assert {key: matrix(busy, key) for key in ("joint", a, b)} == {
        "joint": {"mediator": 200, "party_a": 200, "party_b": 200, "attorney_a": 200,
                  "observer": 200, "expert": 200, "outsider": 404, "anonymous": 403},
        a: {"mediator": 200, "party_a": 200, "party_b": 404, "attorney_a": 200,
            "observer": 404, "expert": 404, "outsider": 404, "anonymous": 403},
        b: {"mediator": 200, "party_a": 404, "party_b": 200, "attorney_a": 404,
            "observer": 404, "expert": 404, "outsider": 404, "anonymous": 403},
    }  # fmt: skip


def test_the_expert_sees_the_caucus_only_while_it_is_open(busy: Cast) -> None:
    CaucusSession.objects.create(mediation=busy.mediation, side=busy.side_a, status="open")
    a, b = f"caucus:{busy.side_a.pk}", f"caucus:{busy.side_b.pk}"
    open_codes = (matrix(busy, a)["expert"], matrix(busy, b)["expert"])
    Participant.objects.filter(pk=busy.participants["expert"].pk).update(
        access_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert open_codes == (200, 404)
    assert (matrix(busy, a)["expert"], matrix(busy, "joint")["expert"]) == (404, 404)


@pytest.mark.parametrize("who", ["party_b", "observer", "attorney_a", "expert", "outsider"])
def test_a_caucus_one_may_not_see_answers_like_a_missing_room(busy: Cast, who: str) -> None:
    """Status, headers that could differ, and body: all the same as for no such room."""
    hidden = busy.side_b if who == "attorney_a" else busy.side_a
    client = APIClient()
    client.force_login(busy.users[who])
    answers = [
        client.get(url(busy, key))
        for key in (f"caucus:{hidden.pk}", f"caucus:{MISSING_SIDE}", "caucus:x", "lobby")
    ]
    first = answers[0]
    assert first.status_code == 404
    for other in answers[1:]:
        assert (other.status_code, other.content) == (first.status_code, first.content)
        assert other.headers.get("Content-Type") == first.headers.get("Content-Type")
        assert other.headers.get("Content-Length") == first.headers.get("Content-Length")
    assert b"secret" not in first.content
