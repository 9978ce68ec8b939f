"""Proof that a brainstorm option's author cannot be recovered: random rounds in which
random people add ideas, between acts that do carry their names (issues, named options,
comments, positions on other issues), then a search of everything anyone can read or
receive: what the channel layer carries, every GET endpoint as every persona (each one's
own export included), each room's sync, and the admin's lists of options and events.

No object holding an idea names or places anyone (no `created_by`, `author`, `actor`,
…); an idea's issue history entry has no actor; every idea's payload is the same as every
other's but for its id and words (so nothing in it differs with its author); its time is
its round's start; and no row keeps the author (no receipt of the command, no
`created_by`, no actor on the event).
"""

from __future__ import annotations

import contextlib
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from config.errors import ServiceError
from negotiation import events
from negotiation.models import BrainstormRound, CommandReceipt, Event, Mediation, Option
from negotiation.selectors import room_catch_up
from negotiation.services.retention import mediation_purge
from tests.conftest import acknowledge_rule, cast_create, expert_join, run
from tests.factories import UserFactory
from tests.negotiation.test_caucus_leaks import WHO_KEYS, get_urls

IDEA = re.compile(r"BO\d+X")
AUTHORS = ["party_a", "party_b", "attorney_a", "expert", "mediator"]
NAMED = ["issue.create", "option.add", "position.set", "comment.add"]
STEP = st.tuples(
    st.sampled_from(["idea", "idea", "named", "start", "end"]), st.sampled_from(AUTHORS)
)


def idea_objects(found: Any, where: str, out: list[tuple[str, dict[str, Any]]]) -> None:
    """Every object holding an idea's words, and the history entries around them."""

    def walk(value: Any, entry: dict[str, Any] | None) -> None:
        if isinstance(value, dict):
            if "changes" in value and "event" in value:
                entry = value
            if any(isinstance(v, str) and IDEA.search(v) for v in value.values()):
                out.append((where, value))
                if entry is not None:
                    assert entry.get("actor") is None, f"a history entry names {entry} at {where}"
                    assert entry.get("actor_name") == "Someone", where
            for inner in value.values():
                walk(inner, entry)
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(inner, entry)

    walk(found, None)


@pytest.mark.django_db
@settings(
    deadline=None,
    max_examples=8,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=4, max_size=14))
def test_no_output_links_a_brainstorm_option_to_its_author(
    steps: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    told: list[dict[str, Any]] = []
    original = events.group_send

    def record(group: str, message: dict[str, Any]) -> None:
        told.append(message)
        original(group, message)

    monkeypatch.setattr(events, "group_send", record)
    cast = cast_create()
    expert_join(cast)
    acknowledge_rule(cast)
    count = iter(range(1, 10_000))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            house = run(cast, "mediator", "issue.create", title="House")["id"]
            other = run(cast, "mediator", "issue.create", title="Car")["id"]
            run(cast, "mediator", "brainstorm.start", issue=house)
            for kind, who in steps:
                data: dict[str, Any]
                if kind == "idea":
                    name, data = (
                        "brainstorm.add",
                        {"issue": house, "text": f"Idea BO{next(count)}X"},
                    )
                elif kind in ("start", "end"):
                    name, data = f"brainstorm.{kind}", {"issue": house}
                else:
                    name = NAMED[next(count) % len(NAMED)]
                    data = {
                        "issue.create": {"title": f"By {who}"},
                        "option.add": {"issue": other, "text": f"Named by {who}"},
                        "position.set": {"issue": other, "side": cast.side_a.pk,
                                         "text": f"Said by {who}", "version": 0},
                        "comment.add": {"issue": other, "body": f"Comment by {who}"},
                    }[name]  # fmt: skip
                with contextlib.suppress(ServiceError):
                    run(cast, who, name, **data)
        ideas = Option.objects.filter(issue_id=house, brainstorm__isnull=False)
        if not ideas.exists():
            return
        found: list[tuple[str, dict[str, Any]]] = []
        for message in told:
            idea_objects(message, "the channel layer", found)
        urls = get_urls(type("W", (), {"cast": cast})())
        for who, user in cast.users.items():
            client = APIClient()
            client.force_login(user)
            for url in urls:
                response = client.get(url)
                if response.status_code == 200 and IDEA.search(response.content.decode()):
                    idea_objects(json.loads(response.content), f"{url} as {who}", found)
        for room in cast.mediation.rooms.all():
            idea_objects(room_catch_up(room, 0), f"sync {room.key}", found)
        staff = Client()
        staff.force_login(UserFactory.create(is_staff=True, is_superuser=True))
        for page in ("/admin/negotiation/option/", "/admin/negotiation/event/"):
            html = staff.get(page).content.decode()
            for name in ("Alex", "Sam", "Jordan", "Maya", "Eve"):
                for idea in IDEA.findall(html):
                    row = html[html.index(idea) - 300 : html.index(idea) + 300]
                    assert name not in row, f"{name} beside {idea} in {page}"

        # Nothing anyone reads of an idea differs but its id and words.
        starts = set(
            BrainstormRound.objects.filter(issue_id=house).values_list("started_at", flat=True)
        )
        shapes = set()
        for where, obj in found:
            named = {k: obj[k] for k in WHO_KEYS if obj.get(k) is not None}
            assert not named, f"an idea with {named} at {where}"
            if "text" in obj and "struck" in obj:
                shapes.add(json.dumps({k: v for k, v in obj.items() if k not in ("id", "text")},
                                      sort_keys=True, default=str))  # fmt: skip
        # One shape per round at most, and its time is the round's start.
        assert len(shapes) <= len(starts), shapes
        for shape in shapes:
            assert parse_datetime(json.loads(shape)["created_at"]) in starts, (shape, starts)

        # And no row keeps the author.
        assert not ideas.filter(created_by__isnull=False).exists()
        added = Event.objects.filter(room__mediation=cast.mediation, name="option.added")
        assert not [e for e in added if IDEA.search(e.data["text"]) and e.actor_id is not None]
        assert not CommandReceipt.objects.filter(name="brainstorm.add").exists()
        receipts = CommandReceipt.objects.filter(participant__mediation=cast.mediation)
        assert not IDEA.search(" ".join(str(r.result) for r in receipts))
    finally:
        monkeypatch.setattr(events, "group_send", original)
        Mediation.objects.filter(pk=cast.mediation.pk).update(
            status=Mediation.Status.CLOSED, closed_at=timezone.now() - timedelta(days=3650)
        )
        mediation_purge(mediation_id=cast.mediation.pk)
