"""GET /api/mediations/<id>/balance/: the mediator's balance view, for mediators only."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from negotiation.models import CaucusSession
from tests.conftest import Cast, expert_join, run, status_matrix


def url(cast: Cast) -> str:
    return f"/api/mediations/{cast.mediation.pk}/balance/"


def test_it_is_the_mediators_alone(cast: Cast) -> None:
    expert_join(cast, cast.side_a)
    assert status_matrix(cast, "get", url(cast), who=(*cast.participants, "outsider")) == {
        "mediator": 200, "party_a": 404, "party_b": 404, "attorney_a": 404,
        "observer": 404, "expert": 404, "outsider": 404, "anonymous": 403,
    }  # fmt: skip


def test_a_removed_mediator_no_longer_gets_it(cast: Cast) -> None:
    cast.participants["mediator"].removed_at = cast.mediation.created_at
    cast.participants["mediator"].save(update_fields=["removed_at"])
    client = APIClient()
    client.force_login(cast.mediator)
    assert client.get(url(cast)).status_code == 404


def test_it_gives_each_side_s_figures_and_the_note(cast: Cast) -> None:
    session = run(cast, "mediator", "caucus.call", side=cast.side_b.pk)
    run(cast, "mediator", "caucus.open", caucus=session["id"])
    a_year_ago = timezone.now() - timedelta(days=365)
    CaucusSession.objects.filter(pk=session["id"]).update(opened_at=a_year_ago)
    client = APIClient()
    client.force_login(cast.mediator)
    body = client.get(url(cast)).json()
    alex, sam = body["sides"]
    assert (alex["name"], alex["private_seconds"], alex["in_private_since"]) == ("Alex", 0, None)
    assert (sam["private_sessions"], sam["private_seconds"] >= 365 * 86400) == (1, True)
    assert body["note"].startswith("Sam has had ")
    assert (body["first_met"], body["last_met"]) == (cast.side_b.pk, cast.side_b.pk)
