"""The browser shows exactly the controls the server allows. For every persona, what the
server allows is found by trying each action (and undoing it); the rights the server
publishes, and the board and caucus it would show, go to the front end's Vitest suite
(frontend/tests/rights-matrix.test.ts), which renders the screens with them and compares
every control with what the server allowed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from config.errors import ServiceError
from negotiation.models import Issue, Participant
from negotiation.permissions import rights_of
from negotiation.selectors import room_snapshot
from negotiation.serializers import IssueSerializer, participant_payload
from tests.conftest import Cast, acknowledge_rule, cast_create, expert_join, run

ROOT = Path(__file__).resolve().parents[2]
PERSONAS = ("mediator", "party_a", "party_b", "attorney_a", "observer", "expert")


class Undo(Exception):
    pass


def allowed(cast: Cast, who: str, name: str, **data: Any) -> bool:
    """Whether the server lets `who` do it; undone either way."""
    try:
        with transaction.atomic():
            run(cast, who, name, **data)
            raise Undo
    except Undo:
        return True
    except ServiceError as error:
        return error.code not in ("not_allowed", "not_found")


def scene(paused: bool) -> tuple[Cast, dict[str, Any]]:
    cast = cast_create()
    expert_join(cast, cast.side_a)
    acknowledge_rule(cast)
    session = run(cast, "mediator", "caucus.call", side=cast.side_a.pk)
    run(cast, "mediator", "caucus.open", caucus=session["id"])
    issue = run(cast, "mediator", "issue.create", title="The house")
    for who in ("party_a", "party_b", "mediator"):
        run(cast, who, "proposal.create", issue=issue["id"], terms=f"Offer of {who}")
    a = cast.side_a.pk
    run(cast, "party_a", "caucus_message.post", side=a, body="Plain")
    run(cast, "party_a", "caucus_message.post", side=a, body="Alex's mark", confidential=True)
    run(cast, "mediator", "caucus_message.post", side=a, body="Maya's mark", confidential=True)
    run(cast, "attorney_a", "caucus_message.post", side=a, body="Jordan's own", confidential=True)
    if paused:
        run(cast, "mediator", "board.pause", paused=True)
    return cast, issue


def cases(paused: bool) -> list[dict[str, Any]]:
    cast, created = scene(paused)
    a = cast.side_a.pk
    issue = IssueSerializer(Issue.objects.get(pk=created["id"])).data
    caucus = room_snapshot(cast.caucus(cast.side_a))["data"]
    out = []
    for who in PERSONAS:
        participant = Participant.objects.select_related("mediation", "side").get(
            pk=cast.participants[who].pk
        )
        proposals = issue["proposals"]
        messages = caucus["messages"]
        sees_caucus = f"caucus:{a}" in rights_of(participant)["rooms"]
        out.append(
            {
                "name": f"{who}{' (paused)' if paused else ''}",
                "participant": participant_payload(participant),
                "rights": rights_of(participant),
                "side": a,
                "issue": issue,
                "messages": messages if sees_caucus else [],
                "expected": {
                    "propose": allowed(cast, who, "proposal.create", issue=issue["id"], terms="x"),
                    "respond": {
                        str(p["id"]): allowed(cast, who, "proposal.respond", proposal=p["id"],
                                              answer="accept", version=0)
                        for p in proposals
                    },
                    "withdraw": {
                        str(p["id"]): allowed(cast, who, "proposal.withdraw", proposal=p["id"],
                                              version=p["version"])
                        for p in proposals
                    },
                    "keep_confidential": sees_caucus and allowed(
                        cast, who, "caucus_message.post", side=a, body="x", confidential=True
                    ),
                    "mark": {
                        str(m["id"]): allowed(cast, who, "caucus_message.mark", message=m["id"],
                                              confidential=not m["confidential"])
                        for m in (messages if sees_caucus else [])
                    },
                },
            }
        )  # fmt: skip
    return out


@pytest.mark.django_db
def test_the_browser_shows_exactly_the_controls_the_server_allows(tmp_path: Path) -> None:
    if shutil.which("npx") is None:
        pytest.fail("Node.js is needed: the test command installs the front end's tools.")
    matrix = cases(paused=False)
    for participant in Participant.objects.all():
        participant.removed_at = participant.joined_at  # leave the first scene's cast
        participant.save(update_fields=["removed_at"])
    matrix += cases(paused=True)
    fixture = tmp_path / "rights-matrix.json"
    fixture.write_text(json.dumps(matrix, default=str))
    result = subprocess.run(
        ["npx", "vitest", "run", "tests/rights-matrix.test.ts"],
        cwd=ROOT / "frontend", env=os.environ | {"PARLEY_RIGHTS_MATRIX": str(fixture)},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
