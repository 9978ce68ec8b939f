"""The mediator's own sharing under "the mediator may share unless marked confidential",
and the three ways it could carry out what a party said in confidence: a change of rule
after the words were said, a mark taken off by someone else, a decline shared past."""

from __future__ import annotations

import pytest

from config.errors import NotAllowed
from negotiation.models import CaucusMessage, ConfidentialityRule, SharedStatement
from tests.conftest import Cast, acknowledge_rule, run

PERMISSIVE = ConfidentialityRule.SHAREABLE_UNLESS_MARKED
DEFAULT = ConfidentialityRule.CONFIDENTIAL_UNLESS_RELEASED


@pytest.fixture
def ready(cast: Cast) -> Cast:
    acknowledge_rule(cast)
    return cast


def permissive(cast: Cast) -> None:
    run(cast, "mediator", "rule.set", rule=PERMISSIVE)
    acknowledge_rule(cast)


def share_refused(cast: Cast, **item: object) -> str:
    with pytest.raises(NotAllowed) as error:
        run(cast, "mediator", "release.share", **item)
    return error.value.code


def note(cast: Cast, who: str = "party_a", **data: object) -> dict:
    issue = run(cast, "mediator", "issue.create", title="The house")
    return run(cast, who, "caucus_note.add", issue=issue["id"], side=cast.side_a.pk,
               text="Bottom line 250k", **data)  # fmt: skip


# --- a change of rule ------------------------------------------------------------------


def test_it_never_shares_a_message_said_under_the_default_rule(ready: Cast) -> None:
    said = run(ready, "party_a", "caucus_message.post", body="We can wait a year")
    permissive(ready)
    assert share_refused(ready, message=said["id"]) == "release_needed"
    assert SharedStatement.objects.count() == 0


def test_it_never_shares_a_note_kept_under_the_default_rule(ready: Cast) -> None:
    kept = note(ready)
    permissive(ready)
    assert share_refused(ready, note=kept["id"]) == "release_needed"
    assert SharedStatement.objects.count() == 0


def test_it_keeps_the_stricter_rule_when_a_note_is_edited_after_a_change(ready: Cast) -> None:
    kept = note(ready)
    permissive(ready)
    edited = run(ready, "party_a", "caucus_note.update", note=kept["id"], version=1,
                 text="Bottom line 240k")  # fmt: skip
    assert edited["rule"] == DEFAULT
    assert share_refused(ready, note=kept["id"]) == "release_needed"


def test_it_shares_what_was_said_under_the_permissive_rule(ready: Cast) -> None:
    permissive(ready)
    said = run(ready, "party_a", "caucus_message.post", body="We can wait a year")
    shared = run(ready, "mediator", "release.share", message=said["id"])
    assert (said["rule"], shared["status"]) == (PERMISSIVE, "released")


def test_it_records_the_default_rule_when_the_rule_changed_during_the_write(
    ready: Cast,
) -> None:
    """The party accepted the permissive rule; the mediator switched back as they wrote."""
    from negotiation.models import Participant
    from negotiation.services.caucus_content import caucus_message_post

    permissive(ready)
    actor = Participant.objects.select_related("mediation").get(pk=ready.participants["party_a"].pk)
    run(ready, "mediator", "rule.set", rule=DEFAULT)
    actor.rule_acknowledged = actor.mediation.confidentiality_rule  # as checked: permissive
    message = caucus_message_post(actor=actor, side_id=None, body="Between us")
    assert message.rule == DEFAULT


def test_writing_under_the_permissive_rule_needs_its_acknowledgement(ready: Cast) -> None:
    run(ready, "mediator", "rule.set", rule=PERMISSIVE)
    with pytest.raises(NotAllowed) as error:
        run(ready, "party_a", "caucus_message.post", body="We can wait a year")
    assert error.value.code == "rule_not_acknowledged"
    assert CaucusMessage.objects.count() == 0


# --- marks -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mediator", "attorney_a"])
def test_nobody_but_the_party_lowers_a_partys_mark_on_a_note(ready: Cast, who: str) -> None:
    permissive(ready)
    marked = note(ready, confidential=True)
    with pytest.raises(NotAllowed):
        run(ready, who, "caucus_note.update", note=marked["id"], version=1, confidential=False)
    assert share_refused(ready, note=marked["id"]) == "release_needed"


@pytest.mark.parametrize("who", ["mediator", "attorney_a"])
def test_nobody_but_the_party_lowers_a_partys_mark_on_a_message(ready: Cast, who: str) -> None:
    permissive(ready)
    said = run(ready, "party_a", "caucus_message.post", body="Money is tight", confidential=True)
    with pytest.raises(NotAllowed):
        run(ready, who, "caucus_message.mark", message=said["id"], confidential=False)
    assert share_refused(ready, message=said["id"]) == "release_needed"


def test_the_authors_own_mark_is_theirs_to_lower_but_not_the_partys(ready: Cast) -> None:
    permissive(ready)
    kept = note(ready, who="mediator", confidential=True)
    lowered = run(ready, "mediator", "caucus_note.update", note=kept["id"], version=1,
                  confidential=False)  # fmt: skip
    run(ready, "party_a", "caucus_note.update", note=kept["id"], version=2, confidential=True)
    with pytest.raises(NotAllowed):
        run(ready, "mediator", "caucus_note.update", note=kept["id"], version=3,
            confidential=False)  # fmt: skip
    assert lowered["confidential"] is False


def test_the_party_lowers_a_mark_and_anyone_in_the_room_raises_one(ready: Cast) -> None:
    permissive(ready)
    said = run(ready, "party_a", "caucus_message.post", body="Money is tight", confidential=True)
    run(ready, "party_a", "caucus_message.mark", message=said["id"], confidential=False)
    raised = run(ready, "attorney_a", "caucus_message.mark", message=said["id"], confidential=True)
    assert raised["confidential"] is True
    assert share_refused(ready, message=said["id"]) == "release_needed"


# --- a decline -------------------------------------------------------------------------


def test_a_declined_message_is_never_shared_directly(ready: Cast) -> None:
    permissive(ready)
    said = run(ready, "party_a", "caucus_message.post", body="We can wait a year")
    asked = run(ready, "mediator", "release.request", message=said["id"])
    run(ready, "party_a", "release.answer", release=asked["id"], version=1, decision="decline")
    assert (asked["message"], asked["text"]) == (said["id"], "We can wait a year")
    assert share_refused(ready, message=said["id"]) == "release_needed"
    assert SharedStatement.objects.count() == 0


def test_a_declined_note_is_never_shared_directly(ready: Cast) -> None:
    permissive(ready)
    kept = note(ready)
    asked = run(ready, "mediator", "release.request", note=kept["id"], text="Alex has a floor")
    run(ready, "party_a", "release.answer", release=asked["id"], version=1, decision="decline")
    assert (asked["note"], asked["issue"]) == (kept["id"], kept["issue"])
    assert share_refused(ready, note=kept["id"]) == "release_needed"


def test_a_pending_request_waits_for_the_party(ready: Cast) -> None:
    permissive(ready)
    said = run(ready, "party_a", "caucus_message.post", body="We can wait a year")
    run(ready, "mediator", "release.request", message=said["id"])
    assert share_refused(ready, message=said["id"]) == "release_needed"


def test_a_decline_of_the_same_words_protects_the_item_too(ready: Cast) -> None:
    permissive(ready)
    said = run(ready, "party_a", "caucus_message.post", body="We can wait a year")
    asked = run(ready, "mediator", "release.request", side=ready.side_a.pk,
                text="We can wait a year")  # fmt: skip
    run(ready, "party_a", "release.answer", release=asked["id"], version=1, decision="decline")
    assert share_refused(ready, message=said["id"]) == "release_needed"


def test_a_request_names_only_an_item_of_its_own_caucus(ready: Cast) -> None:
    from config.errors import NotFound

    said = run(ready, "party_b", "caucus_message.post", body="Sam's secret")
    with pytest.raises(NotFound):
        run(ready, "mediator", "release.request", side=ready.side_a.pk, message=said["id"])
    with pytest.raises(NotFound):
        run(ready, "party_a", "release.request", message=said["id"])


# --- a release of less than the whole ----------------------------------------------------


def answered(cast: Cast, item: dict, kind: str = "message", **answer: object) -> None:
    asked = run(cast, "mediator", "release.request", **{kind: item["id"]})
    run(cast, "party_a", "release.answer", release=asked["id"], version=1, decision="release",
        **answer)  # fmt: skip


@pytest.mark.parametrize(
    "answer",
    [{"mode": "existence"}, {"mode": "paraphrase", "text": "Alex is in no hurry"}],
    ids=["existence", "paraphrase"],
)
@pytest.mark.parametrize("wording", [None, "Alex can wait"], ids=["as-said", "own-words"])
def test_a_partial_release_is_the_most_that_leaves_about_a_message(
    ready: Cast, answer: dict, wording: str | None
) -> None:
    permissive(ready)
    said = run(ready, "party_a", "caucus_message.post", body="We can wait a year")
    answered(ready, said, **answer)
    extra = {} if wording is None else {"text": wording}
    assert share_refused(ready, message=said["id"], **extra) == "release_needed"
    texts = list(SharedStatement.objects.values_list("text", flat=True))
    assert len(texts) == 1
    assert "We can wait a year" not in texts[0]


def test_a_partial_release_of_a_note_binds_the_note(ready: Cast) -> None:
    permissive(ready)
    kept = note(ready)
    answered(ready, kept, kind="note", mode="existence")
    assert share_refused(ready, note=kept["id"]) == "release_needed"
    assert not SharedStatement.objects.filter(text__contains="250k").exists()


def test_a_release_as_worded_leaves_the_item_free_to_share_again(ready: Cast) -> None:
    permissive(ready)
    said = run(ready, "party_a", "caucus_message.post", body="We can wait a year")
    answered(ready, said, mode="as_worded")
    shared = run(ready, "mediator", "release.share", message=said["id"])
    assert shared["released_text"] == "We can wait a year"


def test_the_mediators_own_share_in_other_words_binds_nothing(ready: Cast) -> None:
    permissive(ready)
    said = run(ready, "party_a", "caucus_message.post", body="We can wait a year")
    run(ready, "mediator", "release.share", message=said["id"], text="Time is not pressing")
    again = run(ready, "mediator", "release.share", message=said["id"])
    assert again["released_text"] == "We can wait a year"
