"""Release by consent: the only way caucus words reach the joint room."""

from __future__ import annotations

import pytest

from config.errors import Invalid, NotAllowed
from negotiation.models import Notification, ReleaseRequest, SharedStatement
from negotiation.selectors import room_snapshot
from tests.conftest import Cast, acknowledge_rule, run

EVERYONE = {"mediator", "party_a", "party_b", "attorney_a", "observer"}


@pytest.fixture
def ready(cast: Cast) -> Cast:
    acknowledge_rule(cast)
    return cast


def request(cast: Cast, text: str = "Alex would accept 60/40 on the house") -> dict:
    return run(cast, "mediator", "release.request", side=cast.side_a.pk, text=text)


def answer(cast: Cast, release: dict, **data: object) -> dict:
    return run(cast, "party_a", "release.answer", release=release["id"], version=1, **data)


def joint_statements(cast: Cast) -> list[tuple[str, str, int | None]]:
    return [
        (s["text"], s["attribution"], s["side"])
        for s in room_snapshot(cast.joint)["data"]["statements"]
    ]


def test_nothing_leaves_until_the_party_answers(ready: Cast) -> None:
    request(ready)
    assert joint_statements(ready) == []
    assert SharedStatement.objects.count() == 0


def test_released_as_worded_and_attributed_to_the_side(ready: Cast) -> None:
    release = request(ready)
    answered = answer(ready, release, decision="release", mode="as_worded", attribution="side")
    assert answered["status"] == "released"
    assert answered["answered_by"] == ready.participants["party_a"].pk
    assert joint_statements(ready) == [
        ("Alex would accept 60/40 on the house", "side", ready.side_a.pk)
    ]


def test_a_paraphrase_is_edited_before_release(ready: Cast) -> None:
    release = request(ready)
    answer(ready, release, decision="release", mode="paraphrase",
           text="Alex is open to an unequal split", attribution="mediator")  # fmt: skip
    assert joint_statements(ready) == [("Alex is open to an unequal split", "mediator", None)]


def test_a_paraphrase_needs_its_words(ready: Cast) -> None:
    release = request(ready)
    with pytest.raises(Invalid) as error:
        answer(ready, release, decision="release", mode="paraphrase", text="  ")
    assert "text" in error.value.details


def test_only_that_an_option_exists(ready: Cast) -> None:
    release = request(ready)
    answer(ready, release, decision="release", mode="existence", attribution="side")
    [(text, _, _)] = joint_statements(ready)
    assert text == "Alex has an option on this they are willing to discuss."
    assert "60/40" not in text


def test_a_decline_is_recorded_and_shares_nothing(ready: Cast) -> None:
    release = request(ready)
    declined = answer(ready, release, decision="decline")
    with pytest.raises(Invalid):
        run(ready, "party_a", "release.answer", release=release["id"], version=2,
            decision="release", mode="as_worded")  # fmt: skip
    assert (declined["status"], declined["released_text"]) == ("declined", "")
    assert joint_statements(ready) == []


@pytest.mark.parametrize("who", ["mediator", "attorney_a"])
def test_nobody_but_the_party_releases(ready: Cast, who: str) -> None:
    release = request(ready)
    with pytest.raises(NotAllowed):
        run(ready, who, "release.answer", release=release["id"], version=1,
            decision="release", mode="as_worded")  # fmt: skip
    assert ReleaseRequest.objects.get().status == "pending"


def test_the_release_tells_the_joint_room_and_the_answer_stays_in_the_caucus(
    ready: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    release = request(ready, text="TEXT-IN-CAUCUS")
    with django_capture_on_commit_callbacks(execute=True):
        answer(ready, release, decision="release", mode="paraphrase", text="SHARED-TEXT")
    [(caucus_group, answered)] = sent_events.named("release.answered")
    [(joint_group, released)] = sent_events.named("statement.released")
    assert ready.audience(caucus_group) == {"mediator", "party_a", "attorney_a"}
    assert ready.audience(joint_group) == EVERYONE
    assert released["data"]["text"] == "SHARED-TEXT"
    assert "TEXT-IN-CAUCUS" not in str(released)
    assert answered["data"]["text"] == "TEXT-IN-CAUCUS"


def test_under_the_sharing_rule_the_mediator_shares_unmarked_items(ready: Cast) -> None:
    run(ready, "mediator", "rule.set", rule="shareable_unless_marked")
    acknowledge_rule(ready)
    plain = run(ready, "party_a", "caucus_message.post", body="We can wait a year")
    marked = run(ready, "party_a", "caucus_message.post", body="Money is tight", confidential=True)
    shared = run(ready, "mediator", "release.share", message=plain["id"],
                 text="Timing is flexible for Alex")  # fmt: skip
    with pytest.raises(NotAllowed) as error:
        run(ready, "mediator", "release.share", message=marked["id"])
    assert (shared["mode"], shared["attribution"]) == ("paraphrase", "mediator")
    assert error.value.code == "release_needed"
    assert joint_statements(ready) == [("Timing is flexible for Alex", "mediator", None)]


def test_under_the_default_rule_the_mediator_cannot_share_alone(ready: Cast) -> None:
    plain = run(ready, "party_a", "caucus_message.post", body="We can wait a year")
    with pytest.raises(NotAllowed):
        run(ready, "mediator", "release.share", message=plain["id"])
    assert joint_statements(ready) == []


def test_a_party_marks_a_message_confidential_after_the_fact(ready: Cast) -> None:
    run(ready, "mediator", "rule.set", rule="shareable_unless_marked")
    acknowledge_rule(ready)
    message = run(ready, "party_a", "caucus_message.post", body="Money is tight")
    run(ready, "party_a", "caucus_message.mark", message=message["id"], confidential=True)
    with pytest.raises(NotAllowed):
        run(ready, "mediator", "release.share", message=message["id"])


def unread(cast: Cast, who: str) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(
            participant=cast.participants[who], read_at__isnull=True
        ).values_list("kind", "room_key")
    )


def test_the_mediator_learns_that_the_party_answered_and_nobody_else_does(ready: Cast) -> None:
    release = request(ready)
    Notification.objects.all().delete()
    answer(ready, release, decision="decline")
    caucus = f"caucus:{ready.side_a.pk}"
    assert unread(ready, "mediator") == [("release_answered", caucus)]
    for who in ("party_a", "party_b", "attorney_a", "observer"):
        assert unread(ready, who) == []


def test_a_party_always_learns_that_the_mediator_shared_from_their_room(ready: Cast) -> None:
    run(ready, "mediator", "rule.set", rule="shareable_unless_marked")
    acknowledge_rule(ready)
    plain = run(ready, "party_a", "caucus_message.post", body="We can wait a year")
    Notification.objects.all().delete()
    run(ready, "mediator", "release.share", message=plain["id"], text="Timing is flexible")
    [notification] = Notification.objects.filter(participant=ready.participants["party_a"])
    assert (notification.kind, notification.room_key) == (
        "shared_by_mediator",
        f"caucus:{ready.side_a.pk}",
    )
    assert "Timing" not in notification.text
    assert "year" not in notification.text
    for who in ("mediator", "party_b", "attorney_a", "observer"):
        assert unread(ready, who) == []
