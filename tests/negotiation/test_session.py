"""Running the session: stages and breaks. A break is enforced by the server: the joint
board is read-only for all but the mediator, with a clear `on_break` refusal, until the
mediator ends it or its time is up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from config.errors import Invalid, NotAllowed
from negotiation.models import Event, Mediation, Notification
from negotiation.services.session import announce
from negotiation.tasks import (
    break_end_due,
    break_warning_due,
    breaks_end_sweep,
    mediators_absent_sweep,
)
from tests.conftest import PERSONAS, Cast, expert_join, run, status_matrix


def mediation(cast: Cast) -> Mediation:
    return Mediation.objects.get(pk=cast.mediation.pk)


# --- stages ----------------------------------------------------------------------------


def test_the_mediator_moves_the_session_through_its_stages_and_back(cast: Cast) -> None:
    forward = run(cast, "mediator", "stage.set", stage="joint_negotiation")
    back = run(cast, "mediator", "stage.set", stage="joint_discussion")
    assert (forward["stage"], back["stage"]) == ("joint_negotiation", "joint_discussion")


def test_a_stage_change_is_an_event_of_the_joint_log_for_everyone(
    cast: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run(cast, "mediator", "stage.set", stage="caucus")
    [(group, frame)] = sent_events.named("mediation.updated")
    assert group == cast.joint.group_name
    assert cast.audience(group) == set(cast.participants)
    assert frame["data"]["stage"] == "caucus"


def test_an_unknown_stage_is_refused_by_name(cast: Cast) -> None:
    with pytest.raises(Invalid) as error:
        run(cast, "mediator", "stage.set", stage="arbitration")
    assert "stage" in error.value.details


def test_only_the_mediator_sets_the_stage(cast: Cast) -> None:
    url = f"/api/mediations/{cast.mediation.pk}/commands/stage.set/"
    assert status_matrix(cast, "post", url, {"stage": "closing"}) == {
        "mediator": 200, "party_a": 403, "party_b": 403, "attorney_a": 403,
        "observer": 403, "outsider": 404, "anonymous": 403,
    }  # fmt: skip


# --- breaks ----------------------------------------------------------------------------


def test_a_break_makes_the_board_read_only_for_all_but_the_mediator(cast: Cast) -> None:
    issue = run(cast, "party_a", "issue.create", title="House")
    started = run(cast, "mediator", "break.start", minutes=10, message="Back soon")
    with pytest.raises(NotAllowed) as error:
        run(cast, "party_a", "issue.update", issue=issue["id"], version=1, title="Home")
    with pytest.raises(NotAllowed) as comment:
        run(cast, "attorney_a", "comment.add", issue=issue["id"], body="Hm")
    run(cast, "mediator", "issue.update", issue=issue["id"], version=1, title="The house")
    assert started["on_break"] is True
    assert started["break_message"] == "Back soon"
    assert (error.value.code, comment.value.code) == ("on_break", "on_break")


def test_the_break_ends_when_the_mediator_says_so(cast: Cast) -> None:
    run(cast, "mediator", "break.start", minutes=10)
    ended = run(cast, "mediator", "break.end")
    run(cast, "party_a", "issue.create", title="House")
    assert (ended["on_break"], ended["break_ends_at"]) == (False, None)


def test_extending_moves_the_end_and_caps_it_at_two_hours(cast: Cast) -> None:
    started = run(cast, "mediator", "break.start", minutes=10)
    extended = run(cast, "mediator", "break.extend", minutes=5)
    later = mediation(cast).break_ends_at
    run(cast, "mediator", "break.extend", minutes=120)
    capped = mediation(cast).break_ends_at
    assert extended["break_ends_at"] > started["break_ends_at"]
    assert later is not None
    assert capped is not None
    assert capped <= timezone.now() + timedelta(minutes=120, seconds=5)


@pytest.mark.parametrize("minutes", [0, 121, "ten", None, True])
def test_a_break_needs_a_sensible_length(cast: Cast, minutes: object) -> None:
    with pytest.raises(Invalid) as error:
        run(cast, "mediator", "break.start", minutes=minutes)
    assert "minutes" in error.value.details
    assert mediation(cast).on_break is False


def test_one_break_at_a_time_and_no_extension_without_one(cast: Cast) -> None:
    with pytest.raises(Invalid):
        run(cast, "mediator", "break.extend", minutes=5)
    run(cast, "mediator", "break.start", minutes=5)
    with pytest.raises(Invalid):
        run(cast, "mediator", "break.start", minutes=5)


def test_only_the_mediator_starts_extends_and_ends_breaks(cast: Cast) -> None:
    base = f"/api/mediations/{cast.mediation.pk}/commands/"
    others = ("party_a", "attorney_a", "observer", "outsider")
    codes = {
        name: status_matrix(cast, "post", base + name + "/", data, who=others)
        for name, data in (("break.start", {"minutes": 5}), ("break.extend", {"minutes": 5}),
                           ("break.end", {}))
    }  # fmt: skip
    expected = {"party_a": 403, "attorney_a": 403, "observer": 403, "outsider": 404,
                "anonymous": 403}  # fmt: skip
    assert codes == {name: expected for name in codes}


def test_a_due_break_is_ended_by_its_task_and_by_the_sweep(cast: Cast) -> None:
    run(cast, "mediator", "break.start", minutes=1)
    break_end_due(str(cast.mediation.pk))
    assert mediation(cast).on_break is True  # not due yet: nothing happens
    Mediation.objects.filter(pk=cast.mediation.pk).update(
        break_ends_at=timezone.now() - timedelta(seconds=1)
    )
    assert breaks_end_sweep() == 1
    assert mediation(cast).on_break is False
    assert breaks_end_sweep() == 0


def test_the_end_task_is_queued_for_the_break_s_end(cast: Cast, monkeypatch) -> None:
    from negotiation import queue

    queued: list[tuple[str, tuple[object, ...], float | None]] = []
    monkeypatch.setattr(
        queue, "task_after_commit",
        lambda name, *args, countdown=None: queued.append((name, args, countdown)),
    )  # fmt: skip
    monkeypatch.setattr("negotiation.services.session.task_after_commit", queue.task_after_commit)
    run(cast, "mediator", "break.start", minutes=10)
    [(name, args, countdown), (warning, warning_args, warning_in)] = queued
    assert (name, args) == ("negotiation.tasks.break_end_due", (str(cast.mediation.pk),))
    assert countdown is not None
    assert 590 <= countdown <= 600
    ends_at = mediation(cast).break_ends_at
    assert ends_at is not None
    assert warning == "negotiation.tasks.break_warning_due"
    assert warning_args == (str(cast.mediation.pk), ends_at.isoformat())
    assert warning_in is not None
    assert 470 <= warning_in <= 480
    # A break of two minutes or less ends before a warning could say anything.
    run(cast, "mediator", "break.end")
    queued.clear()
    run(cast, "mediator", "break.start", minutes=2)
    assert [name for name, _args, _in in queued] == ["negotiation.tasks.break_end_due"]


def test_everyone_is_told_two_minutes_before_the_break_ends(cast: Cast) -> None:
    run(cast, "mediator", "break.start", minutes=10)
    first_end = mediation(cast).break_ends_at
    assert first_end is not None
    # Run early (an eager queue, a fast clock), the warning waits for its time.
    break_warning_due(str(cast.mediation.pk), first_end.isoformat())
    assert not Notification.objects.filter(kind=Notification.Kind.BREAK_ENDING).exists()

    run(cast, "mediator", "break.extend", minutes=5)
    ends_at = timezone.now() + timedelta(seconds=90)
    Mediation.objects.filter(pk=cast.mediation.pk).update(break_ends_at=ends_at)
    # The warning queued for the first end finds the break extended: it says nothing.
    break_warning_due(str(cast.mediation.pk), first_end.isoformat())
    assert not Notification.objects.filter(kind=Notification.Kind.BREAK_ENDING).exists()

    break_warning_due(str(cast.mediation.pk), ends_at.isoformat())
    told = Notification.objects.filter(kind=Notification.Kind.BREAK_ENDING)
    assert {n.participant_id for n in told} == {p.pk for p in cast.participants.values()}
    assert {n.text for n in told} == {"The break ends in two minutes."}
    # Once per end: neither the task again nor the sweep tells twice, read or not.
    told.update(read_at=timezone.now())
    break_warning_due(str(cast.mediation.pk), ends_at.isoformat())
    breaks_end_sweep()
    assert told.count() == len(cast.participants)


def test_the_sweep_warns_of_a_break_whose_warning_was_lost(cast: Cast) -> None:
    run(cast, "mediator", "break.start", minutes=10)
    breaks_end_sweep()
    assert not Notification.objects.filter(kind=Notification.Kind.BREAK_ENDING).exists()
    Mediation.objects.filter(pk=cast.mediation.pk).update(
        break_ends_at=timezone.now() + timedelta(seconds=100)
    )
    assert breaks_end_sweep() == 0
    assert Notification.objects.filter(kind=Notification.Kind.BREAK_ENDING).count() == len(
        cast.participants
    )


# --- asking for a break -------------------------------------------------------------------


def test_a_party_asks_for_a_break_and_only_the_mediators_hear_of_it(cast: Cast) -> None:
    run(cast, "party_b", "break.request")
    told = Notification.objects.filter(kind=Notification.Kind.BREAK_REQUESTED)
    assert {n.participant_id for n in told} == {cast.participants["mediator"].pk}
    assert [n.room_key for n in told] == [f"caucus:{cast.side_b.pk}"]


def test_who_may_ask_for_a_break(cast: Cast) -> None:
    expert_join(cast, cast.side_a)
    url = f"/api/mediations/{cast.mediation.pk}/commands/break.request/"
    codes = status_matrix(cast, "post", url, {}, who=(*PERSONAS, "expert"))
    assert codes == {
        "mediator": 403, "party_a": 200, "party_b": 200, "attorney_a": 200, "observer": 403,
        "outsider": 404, "anonymous": 403, "expert": 200,
    }  # fmt: skip


# --- announcements --------------------------------------------------------------------------


def test_the_mediator_announces_to_everyone_and_takes_it_down(cast: Cast) -> None:
    run(cast, "mediator", "announcement.make", text="  We resume at two, in the big room  ")
    state = mediation(cast)
    assert state.announcement == "We resume at two, in the big room"
    assert state.announced_at is not None
    event = Event.objects.filter(room=cast.joint, name="mediation.updated").last()
    assert event is not None
    assert event.data["announcement"] == "We resume at two, in the big room"
    told = Notification.objects.filter(kind=Notification.Kind.ANNOUNCEMENT)
    # The notice says only that there is a word, not the word (it may be shown on a
    # locked phone); the words are on the board.
    assert {n.text for n in told} == {"The mediator has a word for everyone."}
    assert {n.participant_id for n in told} == {
        p.pk for who, p in cast.participants.items() if who != "mediator"
    }
    run(cast, "mediator", "announcement.clear")
    assert (mediation(cast).announcement, mediation(cast).announced_at) == ("", None)


@pytest.mark.parametrize("text", ["", "   ", "x" * 501, 5])
def test_an_announcement_needs_words(cast: Cast, text: object) -> None:
    with pytest.raises(Invalid) as error:
        announce(actor=cast.participants["mediator"], text=text)
    assert "text" in error.value.details


# --- when every mediator's connection is gone ----------------------------------------------


def seen(cast: Cast, ago: timedelta) -> None:
    Mediation.objects.filter(pk=cast.mediation.pk).update(mediator_seen_at=timezone.now() - ago)


def test_joint_editing_pauses_when_every_mediator_has_been_gone_a_minute(cast: Cast) -> None:
    seen(cast, timedelta(seconds=30))
    assert mediators_absent_sweep() == 0
    seen(cast, timedelta(seconds=75))
    assert mediators_absent_sweep() == 1
    state = mediation(cast)
    assert (state.joint_paused, state.paused_for_absence) == (True, True)
    event = Event.objects.filter(room=cast.joint, name="mediation.updated").last()
    assert event is not None
    assert event.data["paused_for_absence"] is True
    told = Notification.objects.filter(kind=Notification.Kind.MEDIATOR_AWAY)
    assert {n.participant_id for n in told} == {
        p.pk for who, p in cast.participants.items() if who != "mediator"
    }
    with pytest.raises(NotAllowed):
        run(cast, "party_a", "issue.create", title="House")
    assert mediators_absent_sweep() == 0  # once

    # The mediator comes back and says so.
    run(cast, "mediator", "board.pause", paused=False)
    state = mediation(cast)
    assert (state.joint_paused, state.paused_for_absence) == (False, False)
    run(cast, "party_a", "issue.create", title="House")


def test_no_pause_for_a_session_not_under_way(cast: Cast) -> None:
    # No mediator ever connected, or the last one left hours ago (the day is over).
    assert mediators_absent_sweep() == 0
    seen(cast, timedelta(hours=3))
    assert mediators_absent_sweep() == 0
    assert mediation(cast).joint_paused is False


def test_a_mediators_pause_is_not_taken_for_absence(cast: Cast) -> None:
    run(cast, "mediator", "board.pause", paused=True)
    seen(cast, timedelta(seconds=75))
    assert mediators_absent_sweep() == 0
    assert mediation(cast).paused_for_absence is False
