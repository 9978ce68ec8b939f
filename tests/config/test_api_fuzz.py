"""The REST API fuzzed from its own OpenAPI schema (schemathesis), as every kind of caller:
the mediator, a party, an attorney, an expert, an observer, an outsider (signed in, not
in the mediation) and an anonymous caller.

Every operation gets schema-valid and schema-invalid input, with real ids mixed in so
that the calls reach the rights checks and not only the "no such thing" answers. Each
answer must be no server error, must be what the schema says (status, content type,
body), must refuse input the schema forbids, and must grant no access the caller does
not have: nobody outside the mediation gets a 2xx on its routes, nobody succeeds at a
command the permission matrices (tests/negotiation/test_commands.py and
test_caucus_commands.py, written from docs/protocol.md) do not give their role, and
nobody but the mediator gets a 2xx naming another side's caucus or what was said there.

Deterministic and bounded: Hypothesis seeded per caller, operation and mode from
PARLEY_FUZZ_SEED (0 unless set), PARLEY_API_FUZZ_EXAMPLES valid inputs per operation and
caller (2 unless set) and half as many invalid ones. Operations outside any mediation
(signing in, invitation links) are the same for every member, so only the outsider and
the anonymous caller try those.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.test import Client
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from negotiation.models import Role
from negotiation.services.invitations import invitation_create
from tests.conftest import Cast, Figures, acknowledge_rule, expert_join, run
from tests.negotiation.test_caucus_commands import CAUCUS_COMMAND_MATRIX
from tests.negotiation.test_commands import COMMAND_MATRIX
from tests.negotiation.test_impasse_commands import IMPASSE_COMMAND_MATRIX

EXAMPLES = int(os.environ.get("PARLEY_API_FUZZ_EXAMPLES", "2"))
SEED = int(os.environ.get("PARLEY_FUZZ_SEED", "0"))
CALLERS = ("mediator", "party", "attorney", "expert", "observer", "outsider", "anonymous")
PERSONA = {"party": "party_a", "attorney": "attorney_a"}
# A CSRF secret of our own, sent as cookie and header, as the browser sends Django's.
CSRF = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def role_commands(role: str) -> set[str]:
    """The commands a role can ever succeed at, by the permission matrices."""
    personas = {"mediator": {"mediator"}, "party": {"party_a", "party_b"},
                "attorney": {"attorney_a"}, "observer": {"observer"}}.get(role, set())  # fmt: skip
    allowed = {name for name, who in COMMAND_MATRIX.items() if who & personas}
    allowed |= {name for name, who in IMPASSE_COMMAND_MATRIX.items() if who & personas}
    allowed |= {
        name
        for name, codes in CAUCUS_COMMAND_MATRIX.items()
        if any(codes.get(persona) == 200 for persona in personas)
    }
    if role == "expert":
        # docs/protocol.md: an expert comments, asks for a break, and writes in the
        # caucus they are invited to like its other members, but never releases or shares;
        # they add ideas to a brainstorm as everyone at the table does.
        allowed = {"comment.add", "brainstorm.add", "break.request", "rule.acknowledge",
                   "notifications.read", "caucus_message.post", "caucus_message.mark",
                   "caucus_note.add", "caucus_note.update", "reality_check.set"}  # fmt: skip
    return allowed


# Reads of a mediation every participant may make; the rest of its routes are the mediator's.
MEMBER_READS = {
    "mediations_retrieve",
    "board_retrieve",
    "participants_list",
    "notifications_list",
    "waiting_list",
    "room_retrieve",
    # Every participant asks; only a side's party and attorney get anything (their own).
    "sealed_own_list",
    # The board's history, of the rooms each one sees (a caucus room's: its members).
    "snapshots_list",
    "snapshot_retrieve",
    "snapshot_changes",
    "issue_history",
    "summary_retrieve",
    # One's own perspective drafts (nobody else's).
    "perspective_drafts_list",
}


@dataclass
class World:
    """The mediation the callers are let loose on, and the real ids to mix into input."""

    cast: Cast
    role: str
    ids: dict[str, list[Any]]
    # ids of caucus items, by the side whose caucus holds them
    caucus_items: dict[int, int]
    created: set[str] = field(default_factory=set)


def world_create(cast: Cast, role: str) -> World:
    a, b = cast.side_a.pk, cast.side_b.pk
    expert_join(cast, cast.side_a)
    acknowledge_rule(cast)
    call = run(cast, "mediator", "caucus.call", side=a)
    run(cast, "mediator", "caucus.open", caucus=call["id"])
    issue = run(cast, "mediator", "issue.create", title="The house")
    offer = run(cast, "party_a", "proposal.create", issue=issue["id"], terms="Keep it")
    interest = run(cast, "party_a", "interest.add", issue=issue["id"], side=a, text="Kids")
    option = run(cast, "party_b", "option.add", issue=issue["id"], text="Sell")
    criterion = run(cast, "party_b", "criterion.add", issue=issue["id"], text="Appraisal")
    items: dict[int, int] = {}
    messages, notes, releases = [], [], []
    for side, party in ((a, "party_a"), (b, "party_b")):
        message = run(cast, party, "caucus_message.post", side=side, body="Between us")
        note = run(cast, party, "caucus_note.add", side=side, issue=issue["id"], text="250k")
        release = run(cast, "mediator", "release.request", side=side, message=message["id"])
        for item in (message, note, release):
            items[item["id"]] = side
        messages.append(message["id"])
        notes.append(note["id"])
        releases.append(release["id"])
    from django.db import transaction

    with transaction.atomic():
        invitation, _ = invitation_create(
            actor=cast.participants["mediator"], email="new@example.com", role=Role.OBSERVER,
            side_id=None, name="", caucus_history=False,
        )  # fmt: skip
    participants = [p.pk for p in cast.participants.values()]
    snapshots = {
        key: run(cast, "mediator", "snapshot.take", room=key)["id"]
        for key in ("joint", f"caucus:{a}", f"caucus:{b}")
    }
    for key, snapshot in snapshots.items():
        if key != "joint":
            items[-snapshot] = int(key.split(":")[1])  # a snapshot's side, by minus its id
    ids: dict[str, list[Any]] = {
        "mediation_id": [str(cast.mediation.pk)],
        "room_key": ["joint", f"caucus:{a}", f"caucus:{b}"],
        "invitation_id": [invitation.pk],
        "issue": [issue["id"]],
        "proposal": [offer["id"]],
        "interest": [interest["id"]],
        "option": [option["id"]],
        "criterion": [criterion["id"]],
        "side": [a, b],
        "caucus": [call["id"]],
        "message": messages,
        "note": notes,
        "release": releases,
        "participant": participants,
        "ids": [[]],
        "snapshot_id": list(snapshots.values()),
        "other_id": list(snapshots.values()),
        "issue_id": [issue["id"]],
    }
    return World(cast=cast, role=role, ids=ids, caucus_items=items)


@dataclass
class Caller:
    """A session cookie for the role (none for anonymous), renewed when a call ends it."""

    world: World
    cookies: dict[str, str] = field(default_factory=dict)

    def sign_in(self) -> None:
        self.cookies = {settings.CSRF_COOKIE_NAME: CSRF}
        if self.world.role == "anonymous":
            return
        client = Client()
        client.force_login(self.user)
        self.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[
            settings.SESSION_COOKIE_NAME
        ].value

    @property
    def user(self) -> Any:
        role = self.world.role
        return self.world.cast.users[PERSONA.get(role, role)]


def access_violation(world: World, case: Any, response: Any) -> str | None:
    """Why a success is access the caller does not have, or None."""
    status = response.status_code
    if not 200 <= status < 300:
        return None
    role, cast = world.role, world.cast
    operation = case.operation.definition.raw.get("operationId", "")
    if operation == "mediations_list" and role == "outsider" and response.json():
        return "an outsider's list of mediations is not empty"
    mediation = case.path_parameters.get("mediation_id") if case.path_parameters else None
    if mediation is None:
        return None
    if role in ("outsider", "anonymous"):
        return f"{role} got {status} on a mediation's route"
    if mediation != str(cast.mediation.pk):
        if role == "mediator" and mediation in world.created:
            return None
        return f"{role} got {status} on a mediation they are not in"
    if "/commands/" in case.path:
        name = case.path.split("/commands/")[1].strip("/")
        if name not in role_commands(role):
            return f"{role} succeeded at {name}, which their role may not do"
    elif operation not in MEMBER_READS and role != "mediator":
        return f"{role} got {status} on {operation}, which is the mediator's"
    if role == "mediator":
        return None
    if operation == "participants_list" and any("email" in p for p in response.json()):
        return f"{role} was shown the participants' e-mail addresses"
    return other_side(world, case)


def other_side(world: World, case: Any) -> str | None:
    """A success of a party, attorney or expert (all of side A here) that names side B's
    private room or something said there."""
    own = world.cast.side_a.pk
    room = case.path_parameters.get("room_key", "")
    if room.startswith("caucus:") and (world.role == "observer" or room != f"caucus:{own}"):
        return f"{world.role} read {room}"
    for key in ("snapshot_id", "other_id"):
        snapshot = case.path_parameters.get(key)
        if isinstance(snapshot, int) and world.caucus_items.get(-snapshot, own) != own:
            return f"{world.role} read another side's caucus snapshot"
        if (
            isinstance(snapshot, int)
            and world.role == "observer"
            and -snapshot in world.caucus_items
        ):
            return f"{world.role} read a caucus snapshot"
    body = case.body if isinstance(case.body, dict) else {}
    if body.get("side") not in (None, own):
        return f"{world.role} succeeded naming side {body['side']}"
    for key in ("message", "note", "release"):
        item = body.get(key)
        if isinstance(item, int) and world.caucus_items.get(item, own) != own:
            return f"{world.role} succeeded on another side's caucus {key}"
    return None


@dataclass
class Tally:
    inputs: int = 0
    failures: list[str] = field(default_factory=list)


def mixed_in(world: World, draw: Callable[[Any], Any], case: Any) -> None:
    """Replace some generated ids with real ones, so calls get past "not found"."""
    params = case.path_parameters or {}
    for name in list(params):
        if name in world.ids and draw(st.integers(0, 9)) < 8:
            params[name] = draw(st.sampled_from(world.ids[name]))
    # Not into invalid input: a real id in place of the field made invalid would make it valid.
    if isinstance(case.body, dict) and case.meta.generation.mode.is_positive:
        for name in list(case.body):
            if name in world.ids and draw(st.booleans()):
                case.body[name] = draw(st.sampled_from(world.ids[name]))


def fuzz_operation(caller: Caller, operation: Any, mode: GenerationMode, tally: Tally) -> None:
    world = caller.world

    @seed(zlib.crc32(f"{SEED} {world.role} {operation.label} {mode.value}".encode()))
    @hypothesis_settings(
        max_examples=EXAMPLES if mode.is_positive else max(1, EXAMPLES // 2),
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def one(case: Any, data: Any) -> None:
        mixed_in(world, data.draw, case)
        response = case.call(
            headers={"X-CSRFToken": CSRF, "Host": "localhost"}, cookies=caller.cookies
        )
        tally.inputs += 1
        checks = [*CHECKS, negative_data_rejection] if mode.is_negative else CHECKS
        problems = []
        try:
            case.validate_response(response, checks=checks)
        except FailureGroup as group:
            problems += [
                f"{failure.title}: {failure.message[:300]}" for failure in group.exceptions
            ]
        except Failure as failure:
            problems.append(f"{failure.title}: {failure.message[:300]}")
        violation = access_violation(world, case, response)
        if violation:
            problems.append(violation)
        if response.status_code == 201 and operation.label.endswith("/api/mediations/"):
            world.created.add(str(response.json()["id"]))
        for problem in problems:
            tally.failures.append(
                f"{world.role} {mode.value} {case.method} {case.formatted_path} "
                f"body={str(case.body)[:200]} -> {response.status_code}: {problem}"
            )
        if operation.definition.raw.get("operationId") in SESSION_CHANGING:
            caller.sign_in()

    one()


# Calls that may end or replace the caller's session: signed in afresh after each.
SESSION_CHANGING = {"session_logout", "session_login", "password_set", "invitation_redeem"}


@pytest.fixture
def wsgi_keeps_the_test_connection() -> Iterator[None]:
    """Django closes the database connection after each request it serves, which would
    end the test's transaction; its test client keeps it open the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def api_schema(django_db_blocker: Any) -> Any:
    from config.wsgi import application

    with django_db_blocker.unblock():
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    # The session cookie is the caller's, sent with every call: not input to vary.
    schema.config.generation.update(with_security_parameters=False)
    return schema


def operations(schema: Any) -> Iterator[tuple[Any, tuple[GenerationMode, ...]]]:
    """Each operation, with the kinds of input to try: invalid input only where there are
    fields to get wrong (a path's id is any string, so nothing in it is invalid)."""
    components = schema.raw_schema.get("components", {}).get("schemas", {})
    for result in schema.get_all_operations():
        operation = result.ok()
        body = operation.definition.raw.get("requestBody", {})
        ref = body.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        fields = ref and components[ref.rpartition("/")[2]].get("properties")
        if fields:
            yield operation, (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        else:
            yield operation, (GenerationMode.POSITIVE,)


@pytest.mark.usefixtures("wsgi_keeps_the_test_connection")
@pytest.mark.parametrize("role", CALLERS)
def test_the_api_keeps_to_its_schema_and_its_rights(
    cast: Cast, api_schema: Any, figures: Figures, role: str
) -> None:
    world = world_create(cast, role)
    caller = Caller(world)
    caller.sign_in()
    tally = Tally()
    for operation, modes in operations(api_schema):
        if role not in ("outsider", "anonymous") and "{mediation_id}" not in operation.path:
            continue
        for mode in modes:
            fuzz_operation(caller, operation, mode, tally)
    figures.add("REST API, from its schema", inputs=tally.inputs, failures=len(tally.failures))
    assert not tally.failures, "\n".join(tally.failures[:40])
