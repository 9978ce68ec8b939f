"""Who may do what in caucus rooms, command by command, through the REST mirror.

The caucus is side A's (Alex's). Parties, attorneys and observers who cannot see a room
get 404, as for a room that does not exist; those who see it but may not act get 403.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from negotiation.models import ConfidentialityRule
from tests.conftest import Cast, acknowledge_rule, expert_join, run

WHO = ("mediator", "party_a", "party_b", "attorney_a", "observer", "outsider")

CAUCUS_COMMAND_MATRIX: dict[str, dict[str, int]] = {
    # command: the code each persona gets (anything else: outsider 404)
    "caucus.call": {"mediator": 200, "party_a": 403, "party_b": 403, "attorney_a": 403,
                    "observer": 403},
    "caucus.open": {"mediator": 200, "party_a": 403, "party_b": 403, "attorney_a": 403,
                    "observer": 403},
    "caucus.close": {"mediator": 200, "party_a": 403, "party_b": 403, "attorney_a": 403,
                     "observer": 403},
    "board.pause": {"mediator": 200, "party_a": 403, "party_b": 403, "attorney_a": 403,
                    "observer": 403},
    "rule.set": {"mediator": 200, "party_a": 403, "party_b": 403, "attorney_a": 403,
                 "observer": 403},
    "rule.acknowledge": {"mediator": 200, "party_a": 200, "party_b": 200, "attorney_a": 200,
                         "observer": 200},
    "participant.remove": {"mediator": 200, "party_a": 403, "party_b": 403, "attorney_a": 403,
                           "observer": 403},
    "expert.access": {"mediator": 200, "party_a": 403, "party_b": 403, "attorney_a": 403,
                      "observer": 403},
    "caucus_message.post": {"mediator": 200, "party_a": 200, "party_b": 404, "attorney_a": 200,
                            "observer": 404},
    "caucus_message.mark": {"mediator": 200, "party_a": 200, "party_b": 404, "attorney_a": 200,
                            "observer": 404},
    "caucus_note.add": {"mediator": 200, "party_a": 200, "party_b": 404, "attorney_a": 200,
                        "observer": 404},
    "caucus_note.update": {"mediator": 200, "party_a": 200, "party_b": 404, "attorney_a": 200,
                           "observer": 404},
    "reality_check.set": {"mediator": 200, "party_a": 200, "party_b": 404, "attorney_a": 200,
                          "observer": 404},
    "overlap.check": {"mediator": 200, "party_a": 403, "party_b": 403, "attorney_a": 403,
                      "observer": 403},
    "release.request": {"mediator": 200, "party_a": 200, "party_b": 404, "attorney_a": 403,
                        "observer": 404},
    "release.answer": {"mediator": 403, "party_a": 200, "party_b": 404, "attorney_a": 403,
                       "observer": 404},
    "release.share": {"mediator": 200, "party_a": 403, "party_b": 404, "attorney_a": 403,
                      "observer": 404},
    "notifications.read": {"mediator": 200, "party_a": 200, "party_b": 200, "attorney_a": 200,
                           "observer": 200},
    "opening.set": {"mediator": 200, "party_a": 200, "party_b": 404, "attorney_a": 200,
                    "observer": 404},
    "openings.show": {"mediator": 200, "party_a": 403, "party_b": 403, "attorney_a": 403,
                      "observer": 403},
}  # fmt: skip


def setup(cast: Cast, name: str) -> dict[str, Any]:
    """The data of one try of `name`, with what it needs already in place."""
    if name == "release.share":
        run(cast, "mediator", "rule.set", rule=ConfidentialityRule.SHAREABLE_UNLESS_MARKED)
    acknowledge_rule(cast)
    a, b = cast.side_a.pk, cast.side_b.pk
    issue = run(cast, "mediator", "issue.create", title="The house")
    message = run(cast, "party_a", "caucus_message.post", side=a, body="We could go to 300k")
    note = run(cast, "party_a", "caucus_note.add", side=a, issue=issue["id"], text="Bottom 250k")
    release = run(cast, "mediator", "release.request", side=a, text="Alex may go higher")
    session = run(cast, "mediator", "caucus.call", side=a)
    if name == "overlap.check":
        for side in (a, b):
            run(cast, "mediator", "reality_check.set", side=side, issue=issue["id"], version=0,
                range_low="100", range_high="200")  # fmt: skip
    if name == "caucus.close":
        run(cast, "mediator", "caucus.open", caucus=session["id"])
    expert = expert_join(cast, cast.side_a) if name == "expert.access" else None
    return {
        "caucus.call": {"side": b},
        "caucus.open": {"caucus": session["id"]},
        "caucus.close": {"caucus": session["id"]},
        "board.pause": {"paused": True},
        "rule.set": {"rule": ConfidentialityRule.SHAREABLE_UNLESS_MARKED},
        "rule.acknowledge": {"rule": cast.mediation.confidentiality_rule},
        "participant.remove": {"participant": cast.participants["observer"].pk},
        "expert.access": {
            "participant": expert.pk if expert else 0,
            "until": (timezone.now() + timedelta(hours=2)).isoformat(),
        },
        "caucus_message.post": {"side": a, "body": "Between us"},
        "caucus_message.mark": {"message": message["id"], "confidential": True},
        "caucus_note.add": {"side": a, "issue": issue["id"], "text": "Priority: school"},
        "caucus_note.update": {"note": note["id"], "version": 1, "text": "Bottom 260k"},
        "reality_check.set": {"side": a, "issue": issue["id"], "version": 0, "confidence": 60},
        "overlap.check": {"issue": issue["id"]},
        "release.request": {"side": a, "text": "Alex would consider a buy-out"},
        "release.answer": {"release": release["id"], "version": 1, "decision": "decline"},
        "release.share": {"message": message["id"]},
        "notifications.read": {},
        "opening.set": {"side": a, "version": 0, "text": "I want the children to be settled"},
        "openings.show": {},
    }[name]


def test_the_matrix_names_every_persona() -> None:
    for codes in CAUCUS_COMMAND_MATRIX.values():
        assert set(codes) == set(WHO) - {"outsider"}


@pytest.mark.parametrize("name", sorted(CAUCUS_COMMAND_MATRIX))
def test_the_caucus_command_matrix(cast: Cast, name: str) -> None:
    cast.mediation.refresh_from_db()
    data = setup(cast, name)
    codes = {}
    for who in WHO:
        client = APIClient()
        client.force_login(getattr(cast, who))
        with transaction.atomic():
            response = client.post(f"/api/mediations/{cast.mediation.pk}/commands/{name}/", data)
            codes[who] = response.status_code
            transaction.set_rollback(True)
    assert codes == CAUCUS_COMMAND_MATRIX[name] | {"outsider": 404}
