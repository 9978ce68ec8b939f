"""The socket fuzzed (Hypothesis): malformed and deeply nested JSON, wrong types, unknown
frame types and commands, huge and binary frames, and floods.

docs/protocol.md promises that every frame gets its answer, and anything that is not a
well-formed frame an `error` frame, with the socket left open (or closed with a policy
code), never a crash (1011); and that a connection's frames beyond 20 a second, in
bursts of up to 60, are refused with `rate_limited`. Each frame here is followed by a
marker frame: what arrives before the marker's answer is the frame's.

Deterministic and bounded: seeded from PARLEY_FUZZ_SEED (0 unless set), with
PARLEY_SOCKET_FUZZ_EXAMPLES connections (25 unless set) of 5 to 15 frames each, and a
few floods.
"""

from __future__ import annotations

import json
import os
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from negotiation.commands import COMMANDS
from negotiation.socket import consumer as consumer_module
from negotiation.socket.frames import MAX_FRAME_BYTES
from negotiation.socket.ratelimit import RATE_BURST, RATE_PER_SECOND, TokenBucket
from tests.conftest import Cast, Figures, acknowledge_rule, run
from tests.negotiation.test_socket import communicator, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = int(os.environ.get("PARLEY_SOCKET_FUZZ_EXAMPLES", "25"))
SEED = int(os.environ.get("PARLEY_FUZZ_SEED", "0"))
# Close codes a socket may end with: access ended, signed out, policy.
POLICY_CLOSES = {4401, 4403, 1008}
# What answers a frame (the rest is news the connection would get anyway).
ANSWERS = {"error", "pong", "synced", "ack"}
MAX_DEPTH = 32


# --- what a client might send ------------------------------------------------------------

# Strings that JSON can carry and a database or an encoder may not: NUL, lone surrogates
# (JSON escapes them, "\\ud800"), a byte-order mark, right-to-left overrides, a long one.
awkward = st.sampled_from(
    ["\x00", "a\x00b", "\ud800", "x\udfff", "\ufeff", "\u202e", "\U0001f600", "x" * 500]
)
texts = st.text(max_size=30) | awkward
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**53 - 2, max_value=2**80)
    | st.floats()
    | texts
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def wire_text(size: int) -> st.SearchStrategy[str]:
    """Text as a socket frame can carry it: UTF-8, so no lone surrogates (Daphne refuses
    those before the consumer sees them; escaped in JSON, "\\ud800", they do arrive)."""
    return st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=size)


@st.composite
def deep(draw: Any) -> str:
    """JSON nested past the limit, up to the size at which Python itself gives up."""
    depth = draw(st.sampled_from([MAX_DEPTH, MAX_DEPTH + 1, 40, 1000, 30000]))
    shape = draw(st.sampled_from(["list", "object", "frame"]))
    if shape == "list":
        return "[" * depth + "]" * depth
    if shape == "object":
        return '{"a":' * depth + "1" + "}" * depth
    return '{"type": "ping", "x": ' + "[" * depth + "]" * depth + "}"


@st.composite
def command_frame(draw: Any, ids: dict[str, list[int]]) -> str:
    """A command: a real name (or not), with its fields holding anything, real ids mixed in."""
    name = draw(st.sampled_from(sorted(COMMANDS)) | st.text(max_size=20) | json_values)
    data: Any = {}
    if isinstance(name, str) and name in COMMANDS:
        for key in list(COMMANDS[name].input().fields):
            if draw(st.booleans()):
                pool = ids.get(key)
                data[key] = draw(
                    st.sampled_from(pool) if pool and draw(st.booleans()) else json_values
                )
    else:
        data = draw(st.dictionaries(st.text(max_size=8), json_values, max_size=3))
    if draw(st.integers(0, 9)) == 0:
        data = draw(json_values)
    frame: dict[str, Any] = {"type": "command", "name": name, "data": data}
    frame_id = draw(st.uuids().map(str) | texts | st.text(min_size=60, max_size=70) | json_values)
    if draw(st.integers(0, 9)) > 0:
        frame["id"] = frame_id
    return json.dumps(frame)


@st.composite
def frame_text(draw: Any, rooms: list[str], ids: dict[str, list[int]]) -> str | bytes:
    kind = draw(
        st.sampled_from(
            ["garbage", "json", "deep", "huge", "binary", "type", "sync", "presence", "command",
             "command", "ping"]
        )
    )  # fmt: skip
    if kind == "garbage":
        text = draw(st.sampled_from(['{"type": "ping"', "{not json", "", "NaN", '"\\ud800"']))
        return text if draw(st.booleans()) else draw(wire_text(40))
    if kind == "json":
        return json.dumps(draw(json_values))
    if kind == "deep":
        return draw(deep())
    if kind == "huge":
        size = draw(st.sampled_from([MAX_FRAME_BYTES - 20, MAX_FRAME_BYTES + 1, 200_000]))
        return json.dumps({"type": "ping", "pad": "x" * size})
    if kind == "binary":
        return draw(st.binary(max_size=40) | wire_text(20).map(str.encode))
    if kind == "type":
        odd = st.sampled_from(["hello", "sync.", "__class__", "receive", "command.x"])
        return json.dumps({"type": draw(json_values | odd)})
    if kind == "sync":
        rooms_value = draw(
            st.dictionaries(
                st.sampled_from(rooms) | st.text(max_size=12),
                json_values | st.integers(0, 5),
                max_size=3,
            )
            | json_values
        )
        return json.dumps({"type": "sync", "rooms": rooms_value})
    if kind == "presence":
        editing = st.fixed_dictionaries(
            {"issue": st.sampled_from(ids["issue"]) | json_values, "field": texts}
        )
        frame = {
            "type": "presence",
            "viewing": draw(st.sampled_from(ids["issue"]) | json_values),
            "editing": draw(editing | json_values),
        }
        if draw(st.booleans()):
            frame["room"] = draw(st.sampled_from(rooms) | json_values)
        return json.dumps(frame)
    if kind == "command":
        return draw(command_frame(ids))
    extra = draw(st.dictionaries(st.text(max_size=5), json_values, max_size=2))
    return json.dumps({"type": "ping", **extra})


# --- what the protocol promises for it ---------------------------------------------------


def too_deep(value: Any, depth: int = 1) -> bool:
    if isinstance(value, dict | list):
        if depth > MAX_DEPTH:
            return True
        children = value.values() if isinstance(value, dict) else value
        return any(too_deep(child, depth + 1) for child in children)
    return False


def not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def promised(sent: str | bytes, rooms: list[str]) -> set[str]:
    """The answers docs/protocol.md allows for a frame ("none": no answer at all)."""
    if isinstance(sent, bytes) or len(sent.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        return {"error"}
    try:
        content = json.loads(sent, parse_constant=not_json)
    except (ValueError, RecursionError):
        return {"error"}
    if (
        too_deep(content)
        or not isinstance(content, dict)
        or not isinstance(content.get("type"), str)
    ):
        return {"error"}
    kind = content["type"]
    if kind == "ping":
        return {"pong"}
    if kind == "command":
        return {"ack", "error"}
    if kind == "sync":
        wanted = content.get("rooms")
        if (
            isinstance(wanted, dict)
            and all(type(seq) is int for seq in wanted.values())
            and set(wanted) <= set(rooms)
        ):
            return {"synced"}
        return {"error"}
    if kind == "presence":
        return {"none"} if content.get("room", "joint") in rooms else {"error"}
    return {"error"}


@dataclass
class Tally:
    inputs: int = 0
    failures: list[str] = field(default_factory=list)


class Crashed(Exception):
    """The consumer raised (Daphne would close with 1011), or sent what is not JSON."""


async def send(socket: Any, sent: str | bytes) -> None:
    # As Daphne hands a frame over (the test communicator refuses empty ones).
    key = "bytes" if isinstance(sent, bytes) else "text"
    await socket.send_input({"type": "websocket.receive", key: sent})


async def answer_to(socket: Any, sent: str | bytes) -> tuple[list[dict[str, Any]], int | None]:
    """Send a frame, then a marker (a frame of an unknown type, whose error names it); the
    answers that came before the marker's, or the code the socket closed with."""
    await send(socket, sent)
    marker = f"marker-{uuid.uuid4()}"
    await socket.send_to(text_data=json.dumps({"type": "marker", "id": marker}))
    answers: list[dict[str, Any]] = []
    while True:
        try:
            message = await socket.receive_output(timeout=5)
        except Exception as error:  # the consumer raised: Daphne would close with 1011
            raise Crashed(f"{type(error).__name__}: {str(error)[:200]}") from None
        if message["type"] == "websocket.close":
            return answers, message.get("code", 1000)
        try:
            frame = json.loads(message["text"], parse_constant=not_json)
        except ValueError:
            raise Crashed(f"sent what is not JSON: {message['text'][:200]}") from None
        if frame["type"] == "error" and frame.get("id") == marker:
            return answers, None
        if frame["type"] in ANSWERS:
            answers.append(frame)


def judged(sent: str | bytes, answers: list[dict[str, Any]], rooms: list[str]) -> str | None:
    """What is wrong with the answers to a frame, or None."""
    allowed = promised(sent, rooms)
    if not answers:
        return None if "none" in allowed else f"no answer (wanted {sorted(allowed)})"
    if len(answers) > 1:
        return f"{len(answers)} answers: {[a['type'] for a in answers]}"
    answer = answers[0]
    if answer["type"] not in allowed:
        return f"answered {answer['type']} {answer.get('code', '')} (wanted {sorted(allowed)})"
    if answer["type"] == "error" and not (answer.get("code") and answer.get("message")):
        return "an error without a code and a message"
    if answer.get("code") == "internal":
        return "internal error (the socket's 500)"
    if allowed == {"ack", "error"}:  # a command, well-formed: its answer names its id
        assert isinstance(sent, str)
        frame_id = json.loads(sent).get("id")
        if isinstance(frame_id, str) and answer["id"] != frame_id:
            return f"answered for id {answer['id']!r}, not {frame_id!r}"
    return None


# --- the tests -----------------------------------------------------------------------------


@dataclass
class Table:
    cast: Cast
    cookies: dict[str, bytes]
    ids: dict[str, list[int]]


@pytest.fixture(autouse=True)
def _layers_of_their_own() -> Iterator[None]:
    """Each example runs in an event loop of its own (async_to_sync), and channels_redis
    keeps per-loop state: no layer outlives its loop, into the next example or test."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def table(live_cast: Cast) -> Table:
    cast = live_cast
    acknowledge_rule(cast)
    a = cast.side_a.pk
    issue = run(cast, "mediator", "issue.create", title="The house")
    offer = run(cast, "party_a", "proposal.create", issue=issue["id"], terms="Keep it")
    message = run(cast, "party_a", "caucus_message.post", side=a, body="Between us")
    ids = {
        "issue": [issue["id"]],
        "proposal": [offer["id"]],
        "side": [a, cast.side_b.pk],
        "message": [message["id"]],
        "participant": [p.pk for p in cast.participants.values()],
    }
    cookies = {name: session_cookie(user) for name, user in cast.users.items()}
    return Table(cast=cast, cookies=cookies, ids=ids)


WHO = ["mediator", "party_a", "attorney_a", "observer"]


def test_every_frame_gets_its_answer_and_nothing_crashes(
    table: Table, figures: Figures, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The answers, not the pace: the flood test holds the rate limit.
    monkeypatch.setattr(consumer_module, "TokenBucket", lambda: TokenBucket(burst=10**9))
    cast = table.cast
    rooms = {
        "mediator": ["joint", f"caucus:{cast.side_a.pk}", f"caucus:{cast.side_b.pk}"],
        "party_a": ["joint", f"caucus:{cast.side_a.pk}"],
        "attorney_a": ["joint", f"caucus:{cast.side_a.pk}"],
        "observer": ["joint"],
    }
    tally = Tally()

    async def connection(who: str, frames: list[str | bytes]) -> None:
        socket = communicator(f"/ws/mediations/{cast.mediation.pk}/", table.cookies[who])
        connected, _ = await socket.connect()
        assert connected
        crashed = False
        try:
            for sent in frames:
                tally.inputs += 1
                try:
                    answers, closed = await answer_to(socket, sent)
                except Crashed as crash:
                    tally.failures.append(f"{who} {str(sent)[:120]!r}: crashed, {crash}")
                    crashed = True
                    return
                if closed is not None:
                    if closed not in POLICY_CLOSES:
                        tally.failures.append(f"{who} {str(sent)[:120]!r}: closed {closed}")
                    return
                problem = judged(sent, answers, rooms[who])
                if problem:
                    tally.failures.append(f"{who} {str(sent)[:160]!r}: {problem}")
        finally:
            if not crashed:  # a crashed consumer has nothing left to disconnect
                await socket.disconnect()

    @seed(zlib.crc32(f"{SEED} socket frames".encode()))
    @hypothesis_settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def one(data: Any) -> None:
        who = data.draw(st.sampled_from(WHO))
        frames = data.draw(st.lists(frame_text(rooms[who], table.ids), min_size=5, max_size=15))
        channel_layers.backends.clear()
        async_to_sync(connection)(who, frames)

    one()
    figures.add("socket frames, fuzzed", inputs=tally.inputs, failures=len(tally.failures))
    assert not tally.failures, "\n".join(tally.failures[:30])


def test_a_flood_is_held_to_the_rate_limit(table: Table, figures: Figures) -> None:
    cast = table.cast
    tally = Tally()
    flood_kinds = st.sampled_from(
        ['{"type": "ping"}', '{"type": "sync", "rooms": {}}', "{nope", '{"type": "nope"}',
         '{"type": "command", "id": "c1", "name": "nope", "data": {}}',
         '{"type": "ping", "pad": "' + "x" * MAX_FRAME_BYTES + '"}', b"\x00"]
    )  # fmt: skip

    async def flood(frames: list[str | bytes]) -> None:
        socket = communicator(f"/ws/mediations/{cast.mediation.pk}/", table.cookies["party_b"])
        connected, _ = await socket.connect()
        assert connected
        started = time.monotonic()
        for sent in frames:
            await send(socket, sent)
        answers: list[dict[str, Any]] = []
        try:
            while len(answers) < len(frames):
                try:
                    frame = await socket.receive_json_from(timeout=5)
                except Exception as error:
                    tally.failures.append(f"flood of {len(frames)}: {type(error).__name__} {error}")
                    return
                if frame["type"] in ANSWERS:
                    answers.append(frame)
            elapsed = time.monotonic() - started
        finally:
            await socket.disconnect()
        tally.inputs += len(frames)
        # Binary and oversized frames are refused unread, before they count.
        counted = [
            i
            for i, sent in enumerate(frames)
            if isinstance(sent, str) and len(sent) <= MAX_FRAME_BYTES
        ]
        refused = [i for i in counted if answers[i].get("code") == "rate_limited"]
        taken = len(counted) - len(refused)
        most = RATE_BURST + RATE_PER_SECOND * elapsed + 1
        if taken > most:
            tally.failures.append(f"flood of {len(frames)}: {taken} taken in {elapsed:.2f}s")
        if len(counted) > most and not refused:
            tally.failures.append(f"flood of {len(frames)}: nothing refused")
        for i in refused:
            details = answers[i].get("details") or {}
            if not 0 < details.get("retry_after", 0) <= 1:
                tally.failures.append(f"rate_limited without a retry_after: {answers[i]}")
            if '"id": "c1"' in str(frames[i]) and answers[i].get("id") != "c1":
                tally.failures.append(f"rate_limited without the command's id: {answers[i]}")
        for i, sent in enumerate(frames):
            if i not in counted and answers[i].get("code") not in ("malformed", "too_large"):
                tally.failures.append(f"{str(sent)[:40]!r} answered {answers[i]}")

    @seed(zlib.crc32(f"{SEED} socket floods".encode()))
    @hypothesis_settings(
        max_examples=4,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(frames=st.lists(flood_kinds, min_size=int(RATE_BURST) + 10, max_size=160))
    def one(frames: list[str | bytes]) -> None:
        channel_layers.backends.clear()
        async_to_sync(flood)(frames)

    one()
    figures.add("socket floods", inputs=tally.inputs, failures=len(tally.failures))
    assert not tally.failures, "\n".join(tally.failures[:30])
