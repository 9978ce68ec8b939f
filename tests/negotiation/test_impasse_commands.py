"""The permission matrix of the impasse commands, over REST: who may (200); everyone else
at the table 403; an outsider 404. Each try is rolled back, so one success does not
change the next persona's answer."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from tests.conftest import Cast, run

IMPASSE_COMMAND_MATRIX = {
    "impasse.mark": {"mediator"},
    "impasse.causes": {"mediator"},
    "impasse.clear": {"mediator"},
    "strategy.start": {"mediator"},
    "strategy.end": {"mediator"},
    # Alex's side writes and Sam answers Alex's statement: the party and attorney of the
    # side concerned, no one else (the mediator included).
    "perspective.draft": {"party_a", "attorney_a", "party_b"},
    "perspective.submit": {"party_b"},
    "perspective.answer": {"party_b"},
}


def data_for(cast: Cast, name: str) -> dict[str, Any]:
    house = run(cast, "party_a", "issue.create", title="The house")
    if name == "impasse.mark":
        return {"issue": house["id"], "causes": ["lack_of_trust"]}
    impasse = run(cast, "mediator", "impasse.mark", issue=house["id"], causes=["lack_of_trust"])
    started = run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="perspective")
    round_ = started["attempts"][0]["perspective"]
    state = run(cast, "party_a", "perspective.submit", round=round_, text="Sam wants the garden")
    return {
        "impasse.causes": {"impasse": impasse["id"], "version": 1, "causes": ["misunderstanding"]},
        "impasse.clear": {"impasse": impasse["id"]},
        "strategy.start": {"impasse": impasse["id"], "kind": "criteria"},
        "strategy.end": {"attempt": started["attempts"][0]["id"], "outcome": "helped"},
        "perspective.draft": {"round": round_, "text": "Half a thought"},
        "perspective.submit": {"round": round_, "text": "Alex wants the money"},
        "perspective.answer": {"statement": state["statements"][0]["id"], "answer": "confirm"},
    }[name]


@pytest.mark.parametrize("name", sorted(IMPASSE_COMMAND_MATRIX))
def test_the_impasse_command_matrix(cast: Cast, name: str) -> None:
    data = data_for(cast, name)
    codes = {}
    for who in ("mediator", "party_a", "party_b", "attorney_a", "observer", "outsider"):
        client = APIClient()
        client.force_login(getattr(cast, who))
        with transaction.atomic():
            codes[who] = client.post(
                f"/api/mediations/{cast.mediation.pk}/commands/{name}/", data, format="json"
            ).status_code
            transaction.set_rollback(True)
    allowed = IMPASSE_COMMAND_MATRIX[name]
    # Alex's side already wrote: a second statement from it waits for Sam's answer (400).
    waiting = {"party_a", "attorney_a"} if name == "perspective.submit" else set()
    assert codes == {
        who: 200 if who in allowed else 404 if who == "outsider" else 400 if who in waiting else 403
        for who in codes
    }
