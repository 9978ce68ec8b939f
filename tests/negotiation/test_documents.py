"""Documents: shared with the joint room or one side's private room, sniffed by content,
stored outside the web root, served only to those who may see their room; receipts of
first openings for the mediator; the information rule on an issue."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from config.errors import Invalid, NotAllowed, NotFound
from negotiation.models import (
    CaucusSession,
    Document,
    DocumentReceipt,
    InformationCheck,
    Issue,
    Mediation,
    Notification,
    Participant,
    Response,
)
from negotiation.services.documents import document_open, document_share
from negotiation.services.retention import mediations_purge
from tests.conftest import PERSONAS, Cast, acknowledge_rule, expert_join, run, status_matrix

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture(autouse=True)
def documents_dir(tmp_path: Path, settings: Any) -> Path:
    settings.PARLEY_DOCUMENTS_DIR = tmp_path / "documents"
    return Path(settings.PARLEY_DOCUMENTS_DIR)


def upload(name: str = "statement.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def share(cast: Cast, who: str, room: str = "joint", **kwargs: Any) -> Document:
    actor = Participant.objects.select_related("mediation", "side").get(
        pk=cast.participants[who].pk
    )
    return document_share(actor=actor, room=room, file=kwargs.pop("file", upload()), **kwargs)


def opened(cast: Cast, who: str, document: Document) -> Document:
    actor = Participant.objects.select_related("mediation", "side").get(
        pk=cast.participants[who].pk
    )
    return document_open(actor=actor, document_id=document.pk)


def client_of(cast: Cast, who: str) -> APIClient:
    client = APIClient()
    client.force_login(getattr(cast, who))
    return client


def file_url(cast: Cast, document: Document) -> str:
    return f"/api/mediations/{cast.mediation.pk}/documents/{document.pk}/file/"


def stored_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*")) if folder.exists() else []


@pytest.fixture
def house(cast: Cast) -> dict[str, Any]:
    return run(cast, "mediator", "issue.create", title="The house")


# --- sharing and the limits -----------------------------------------------------------


def test_it_shares_a_pdf_with_everyone(cast: Cast, documents_dir: Path) -> None:
    document = share(cast, "party_a")
    assert (document.kind, document.content_type, document.size) == (
        "pdf",
        "application/pdf",
        len(PDF),
    )
    assert (documents_dir / document.stored_as).read_bytes() == PDF
    assert documents_dir.stat().st_mode & 0o777 == 0o700


def test_its_store_is_outside_the_web_root() -> None:
    folder = Path(settings.PARLEY_DOCUMENTS_DIR).resolve()
    for root in (settings.STATIC_ROOT, settings.FRONTEND_DIST):
        assert Path(root).resolve() not in folder.parents


def test_it_refuses_a_documents_dir_in_the_front_end(tmp_path: Path) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from config.settings import outside_web_root

    with pytest.raises(ImproperlyConfigured):
        outside_web_root(tmp_path / "dist" / "docs", tmp_path / "dist")


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("photo.PNG", PNG, "png"),
        ("scan.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpeg"),
        ("offer.docx", docx(), "docx"),
        ("notes.txt", "Rent: 1 200 € a month\n".encode(), "txt"),
        ("figures.csv", b"year,income\n2025,48000\n", "csv"),
    ],
)
def test_it_tells_the_kind_by_content(cast: Cast, name: str, content: bytes, kind: str) -> None:
    assert share(cast, "mediator", file=upload(name, content)).kind == kind


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("empty.pdf", b"", "empty"),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "does not match"),
        ("statement.txt", PDF, "does not match"),
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 40, "not a kind"),
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a kind"),
        ("fake.docx", b"PK\x03\x04broken", "not a kind"),
    ],
)
def test_it_refuses_what_it_does_not_take_and_keeps_nothing(
    cast: Cast, documents_dir: Path, name: str, content: bytes, says: str
) -> None:
    with pytest.raises(Invalid) as error:
        share(cast, "party_a", file=upload(name, content))
    assert says in error.value.details["file"][0]
    assert Document.objects.count() == 0
    assert stored_files(documents_dir) == []


def test_it_refuses_a_file_over_the_limit(cast: Cast, settings: Any) -> None:
    settings.PARLEY_DOCUMENT_MAX_MB = 1
    with pytest.raises(Invalid) as error:
        share(cast, "party_a", file=upload("big.pdf", PDF + b"0" * (1024 * 1024)))
    assert "the largest taken is 1 MB" in error.value.details["file"][0]


def test_it_takes_only_the_kinds_set(cast: Cast, settings: Any) -> None:
    settings.PARLEY_DOCUMENT_TYPES = ["pdf"]
    with pytest.raises(Invalid) as error:
        share(cast, "party_a", file=upload("photo.png", PNG))
    assert "Share PDF (.pdf)" in error.value.details["file"][0]


def test_a_refusal_after_storing_removes_the_file(cast: Cast, documents_dir: Path) -> None:
    with pytest.raises(NotFound):
        share(cast, "party_a", issue_id=999_999)
    assert stored_files(documents_dir) == []


def test_it_keeps_only_the_files_own_name(cast: Cast) -> None:
    document = share(cast, "party_a", file=upload("../../etc/statement.pdf"))
    assert document.name == "statement.pdf"


# --- who may share where --------------------------------------------------------------


def test_who_may_share_where(cast: Cast) -> None:
    acknowledge_rule(cast)
    rooms = {
        "joint": "joint",
        "caucus_a": f"caucus:{cast.side_a.pk}",
        "caucus_b": f"caucus:{cast.side_b.pk}",
    }
    result: dict[str, dict[str, str]] = {}
    for who in ("mediator", "party_a", "party_b", "attorney_a", "observer"):
        result[who] = {}
        for label, key in rooms.items():
            try:
                share(cast, who, room=key)
                result[who][label] = "ok"
            except NotAllowed:
                result[who][label] = "403"
            except NotFound:
                result[who][label] = "404"
    assert result == {
        "mediator": {"joint": "ok", "caucus_a": "ok", "caucus_b": "ok"},
        "party_a": {"joint": "ok", "caucus_a": "ok", "caucus_b": "404"},
        "party_b": {"joint": "ok", "caucus_a": "404", "caucus_b": "ok"},
        "attorney_a": {"joint": "ok", "caucus_a": "ok", "caucus_b": "404"},
        "observer": {"joint": "403", "caucus_a": "404", "caucus_b": "404"},
    }


def test_a_private_room_takes_documents_only_after_the_rule(cast: Cast) -> None:
    with pytest.raises(NotAllowed):
        share(cast, "party_a", room=f"caucus:{cast.side_a.pk}")


def test_the_joint_room_takes_no_document_from_a_party_during_a_break(cast: Cast) -> None:
    run(cast, "mediator", "break.start", minutes=10)
    with pytest.raises(NotAllowed) as error:
        share(cast, "party_a")
    assert share(cast, "mediator").pk
    assert error.value.code == "on_break"


def test_an_expert_shares_in_their_sides_room_while_its_caucus_is_open(cast: Cast) -> None:
    expert_join(cast, cast.side_a)
    acknowledge_rule(cast)
    with pytest.raises(NotFound):
        share(cast, "expert", room=f"caucus:{cast.side_a.pk}")
    CaucusSession.objects.create(mediation=cast.mediation, side=cast.side_a, status="open")
    assert share(cast, "expert", room=f"caucus:{cast.side_a.pk}").pk


# --- who may open -----------------------------------------------------------------------


def test_a_private_document_is_404_to_all_but_its_room(cast: Cast) -> None:
    acknowledge_rule(cast)
    document = share(cast, "party_a", room=f"caucus:{cast.side_a.pk}")
    codes = status_matrix(cast, "get", file_url(cast, document))
    assert codes == {
        "mediator": 200,
        "party_a": 200,
        "party_b": 404,
        "attorney_a": 200,
        "observer": 404,
        "outsider": 404,
        "anonymous": 403,
    }


def test_a_joint_document_opens_for_everyone_at_the_table(cast: Cast) -> None:
    document = share(cast, "party_b")
    codes = status_matrix(cast, "get", file_url(cast, document))
    assert codes == dict.fromkeys(PERSONAS, 200) | {"outsider": 404, "anonymous": 403}


def test_an_expert_whose_time_is_up_gets_404(cast: Cast) -> None:
    expert = expert_join(cast, cast.side_a)
    acknowledge_rule(cast)
    CaucusSession.objects.create(mediation=cast.mediation, side=cast.side_a, status="open")
    document = share(cast, "party_a", room=f"caucus:{cast.side_a.pk}")
    before = client_of(cast, "expert").get(file_url(cast, document)).status_code
    Participant.objects.filter(pk=expert.pk).update(
        access_expires_at=timezone.now() - timedelta(seconds=1)
    )
    after = client_of(cast, "expert").get(file_url(cast, document)).status_code
    assert (before, after) == (200, 404)


def test_a_missing_document_answers_as_a_forbidden_one(cast: Cast) -> None:
    acknowledge_rule(cast)
    document = share(cast, "party_a", room=f"caucus:{cast.side_a.pk}")
    sam = client_of(cast, "party_b")
    forbidden = sam.get(file_url(cast, document))
    missing = sam.get(f"/api/mediations/{cast.mediation.pk}/documents/{document.pk + 1}/file/")
    assert (forbidden.status_code, forbidden.json()) == (missing.status_code, missing.json())


def test_the_file_is_served_safely(cast: Cast) -> None:
    document = share(cast, "party_a", file=upload("Relevé été.txt", b"Balance: 1200\n"))
    response = client_of(cast, "party_b").get(file_url(cast, document))
    assert b"".join(response.streaming_content) == b"Balance: 1200\n"  # type: ignore[attr-defined]
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("inline; ")
    assert "filename*=UTF-8''Relev%C3%A9%20%C3%A9t%C3%A9.txt" in response["Content-Disposition"]


def test_an_office_document_downloads(cast: Cast) -> None:
    document = share(cast, "party_a", file=upload("offer.docx", docx()))
    response = client_of(cast, "mediator").get(file_url(cast, document))
    assert response["Content-Disposition"].startswith("attachment; ")


# --- receipts -------------------------------------------------------------------------


def test_it_records_the_first_opening_once_per_person(cast: Cast) -> None:
    document = share(cast, "mediator")
    first = client_of(cast, "party_b").get(file_url(cast, document))
    client_of(cast, "party_b").get(file_url(cast, document))
    opened(cast, "party_b", document)
    receipts = DocumentReceipt.objects.filter(document=document)
    assert first.status_code == 200
    assert [r.participant_id for r in receipts] == [cast.participants["party_b"].pk]


def test_the_mediator_sees_who_opened_what(cast: Cast) -> None:
    document = share(cast, "mediator")
    opened(cast, "party_b", document)
    balance = client_of(cast, "mediator").get(f"/api/mediations/{cast.mediation.pk}/balance/")
    [entry] = balance.json()["documents"]
    assert [p["name"] for p in entry["opened"]] == ["Sam"]
    assert {p["name"] for p in entry["not_opened"]} == {"Alex", "Jordan", "Olive"}


def test_only_the_mediator_sees_receipts(cast: Cast) -> None:
    codes = status_matrix(cast, "get", f"/api/mediations/{cast.mediation.pk}/balance/")
    assert codes == dict.fromkeys(PERSONAS, 404) | {"mediator": 200, "anonymous": 403}


def test_a_sides_first_opening_tells_the_room_which_side_not_who(
    cast: Cast, sent_events: Any, django_capture_on_commit_callbacks: Any
) -> None:
    document = share(cast, "mediator")
    with django_capture_on_commit_callbacks(execute=True):
        opened(cast, "attorney_a", document)
        opened(cast, "party_a", document)
        opened(cast, "party_a", document)
    [(group, frame)] = sent_events.named("document.updated")
    assert frame["data"]["opened_sides"] == [cast.side_a.pk]
    assert "opened_by" not in frame["data"]
    assert cast.audience(group) == {"mediator", "party_a", "party_b", "attorney_a", "observer"}


# --- events and their audiences -------------------------------------------------------


def test_a_private_document_is_announced_only_in_its_room(
    cast: Cast, sent_events: Any, django_capture_on_commit_callbacks: Any
) -> None:
    acknowledge_rule(cast)
    with django_capture_on_commit_callbacks(execute=True):
        share(cast, "party_a", room=f"caucus:{cast.side_a.pk}")
    [(group, frame)] = sent_events.named("document.shared")
    assert frame["room"] == f"caucus:{cast.side_a.pk}"
    assert cast.audience(group) == {"mediator", "party_a", "attorney_a"}


def test_a_joint_document_is_announced_to_everyone(
    cast: Cast, sent_events: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        share(cast, "party_b")
    [(group, frame)] = sent_events.named("document.shared")
    assert frame["data"]["name"] == "statement.pdf"
    assert cast.audience(group) == {"mediator", "party_a", "party_b", "attorney_a", "observer"}


def test_snapshots_hold_each_rooms_own_documents(cast: Cast) -> None:
    acknowledge_rule(cast)
    joint = share(cast, "mediator", file=upload("joint.pdf"))
    private = share(cast, "party_a", room=f"caucus:{cast.side_a.pk}", file=upload("mine.pdf"))
    a = client_of(cast, "party_a")
    board = a.get(f"/api/mediations/{cast.mediation.pk}/board/").json()
    room = a.get(f"/api/mediations/{cast.mediation.pk}/rooms/caucus:{cast.side_a.pk}/").json()
    assert [d["id"] for d in board["documents"]] == [joint.pk]
    assert [d["id"] for d in room["data"]["documents"]] == [private.pk]


# --- withdrawing --------------------------------------------------------------------------


def test_whoever_shared_it_or_the_mediator_withdraws_it(
    cast: Cast, documents_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    document = share(cast, "party_a")
    for who in ("party_b", "attorney_a", "observer"):
        with pytest.raises(NotAllowed):
            run(cast, who, "document.withdraw", document=document.pk)
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = run(cast, "party_a", "document.withdraw", document=document.pk)
    response = client_of(cast, "mediator").get(file_url(cast, document))
    assert withdrawn["withdrawn_at"] is not None
    assert response.status_code == 404
    assert stored_files(documents_dir) == []


# --- retention ----------------------------------------------------------------------------


def test_it_erases_the_files_with_the_mediation(
    cast: Cast, documents_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    share(cast, "party_a")
    run(cast, "mediator", "mediation.close")
    Mediation.objects.filter(pk=cast.mediation.pk).update(
        closed_at=timezone.now() - timedelta(days=settings.PARLEY_RETENTION_DAYS + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert mediations_purge() == 1
    assert Document.objects.count() == 0
    assert stored_files(documents_dir) == []


def test_a_closed_mediation_takes_no_documents(cast: Cast) -> None:
    run(cast, "mediator", "mediation.close")
    with pytest.raises(NotAllowed):
        share(cast, "mediator")


# --- the information rule -------------------------------------------------------------------


@pytest.fixture
def offer(cast: Cast, house: dict) -> dict[str, Any]:
    return run(cast, "party_a", "proposal.create", issue=house["id"], terms="Alex keeps it")


def require(cast: Cast, issue: dict) -> dict[str, Any]:
    return run(cast, "mediator", "issue.require_documents", issue=issue["id"], required=True,
               version=issue["version"])  # fmt: skip


def accept(cast: Cast, offer: dict, *, informed: bool = False) -> dict[str, Any]:
    return run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="accept",
               version=0, informed=informed)  # fmt: skip


def test_only_the_mediator_sets_the_rule(cast: Cast, house: dict) -> None:
    for who in ("party_a", "attorney_a", "observer"):
        with pytest.raises((NotAllowed, NotFound)):
            run(cast, who, "issue.require_documents", issue=house["id"], required=True,
                version=house["version"])  # fmt: skip
    assert require(cast, house)["documents_required"] is True


def test_no_party_accepts_without_saying_they_have_what_they_need(
    cast: Cast, house: dict, offer: dict
) -> None:
    with pytest.raises(Invalid) as error:
        accept(cast, offer)
    assert error.value.code == "information_unconfirmed"
    assert "ask the mediator for more" in error.value.message
    assert not Response.objects.exists()


def test_the_word_comes_with_the_acceptance_and_is_recorded_in_the_private_room(
    cast: Cast, house: dict, offer: dict, sent_events: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert accept(cast, offer, informed=True)["answer"] == "accept"
    [check] = InformationCheck.objects.all()
    [(group, frame)] = sent_events.named("information.checked")
    assert (check.participant, check.status) == (cast.participants["party_b"], "informed")
    assert check.room.side_id == cast.side_b.pk
    assert cast.audience(group) == {"mediator", "party_b"}
    assert frame["data"]["status"] == "informed"


def test_a_word_given_before_is_enough_and_is_not_recorded_twice(
    cast: Cast, house: dict, offer: dict
) -> None:
    run(cast, "party_b", "information.confirm", issue=house["id"])
    assert accept(cast, offer, informed=True)["answer"] == "accept"
    assert InformationCheck.objects.count() == 1


def test_a_refused_acceptance_records_no_word(cast: Cast, house: dict, offer: dict) -> None:
    require(cast, house)
    share(cast, "mediator", issue_id=house["id"])
    with pytest.raises(Invalid) as error:
        accept(cast, offer, informed=True)
    assert error.value.code == "documents_unopened"
    assert not InformationCheck.objects.exists()


def test_the_word_is_true_or_false(cast: Cast, house: dict, offer: dict) -> None:
    with pytest.raises(Invalid) as error:
        run(cast, "party_b", "proposal.respond", proposal=offer["id"], answer="accept",
            version=0, informed="yes")  # fmt: skip
    assert "informed" in error.value.details


def test_confirming_the_mediators_wording_asks_for_the_word_too(cast: Cast, house: dict) -> None:
    asked = run(cast, "mediator", "decision.propose", issue=house["id"], kind="agree",
                terms="Sell and split")  # fmt: skip
    decision = asked["decisions"][0]["id"]
    with pytest.raises(Invalid) as error:
        run(cast, "party_a", "decision.answer", decision=decision, answer="confirm")
    run(cast, "party_a", "decision.answer", decision=decision, answer="confirm", informed=True)
    assert error.value.code == "information_unconfirmed"
    assert InformationCheck.objects.get().participant == cast.participants["party_a"]


def test_declining_or_striking_needs_no_word(cast: Cast, house: dict) -> None:
    asked = run(cast, "party_a", "decision.propose", issue=house["id"], kind="strike")
    run(cast, "party_b", "decision.answer", decision=asked["decisions"][0]["id"],
        answer="confirm")  # fmt: skip
    assert Issue.objects.get(pk=house["id"]).lane == "struck"
    assert not InformationCheck.objects.exists()


def test_no_one_accepts_until_every_side_opened_the_documents(
    cast: Cast, house: dict, offer: dict
) -> None:
    require(cast, house)
    document = share(cast, "mediator", issue_id=house["id"])
    with pytest.raises(Invalid) as own:
        accept(cast, offer)
    opened(cast, "party_b", document)
    with pytest.raises(Invalid) as other:
        accept(cast, offer)
    assert own.value.code == other.value.code == "documents_unopened"
    assert "Open this issue's documents" in own.value.message
    assert "waiting for Alex" in other.value.message


def test_an_attorneys_opening_does_not_count_for_the_side(
    cast: Cast, house: dict, offer: dict
) -> None:
    require(cast, house)
    document = share(cast, "mediator", issue_id=house["id"])
    opened(cast, "party_b", document)
    opened(cast, "attorney_a", document)
    with pytest.raises(Invalid) as error:
        accept(cast, offer)
    assert error.value.code == "documents_unopened"


def test_once_opened_and_confirmed_the_party_may_accept(
    cast: Cast, house: dict, offer: dict
) -> None:
    require(cast, house)
    document = share(cast, "mediator", issue_id=house["id"])
    opened(cast, "party_a", document)
    opened(cast, "party_b", document)
    with pytest.raises(Invalid) as unconfirmed:
        accept(cast, offer)
    assert unconfirmed.value.code == "information_unconfirmed"
    assert accept(cast, offer, informed=True)["answer"] == "accept"


def test_a_private_document_never_holds_the_other_side_back(
    cast: Cast, house: dict, offer: dict
) -> None:
    acknowledge_rule(cast)
    require(cast, house)
    share(cast, "party_a", room=f"caucus:{cast.side_a.pk}", issue_id=house["id"])
    run(cast, "party_b", "information.confirm", issue=house["id"])
    assert accept(cast, offer)["answer"] == "accept"


def test_a_new_document_asks_for_the_word_again(cast: Cast, house: dict, offer: dict) -> None:
    require(cast, house)
    run(cast, "party_b", "information.confirm", issue=house["id"])
    later = share(cast, "mediator", issue_id=house["id"])
    opened(cast, "party_a", later)
    opened(cast, "party_b", later)
    with pytest.raises(Invalid) as error:
        accept(cast, offer)
    assert error.value.code == "information_unconfirmed"


# --- the party's word on the information -------------------------------------------------


def test_a_request_for_more_reaches_the_mediators_only(
    cast: Cast, house: dict, sent_events: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        check = run(cast, "party_b", "information.request", issue=house["id"],
                    text="The pension valuation, please")  # fmt: skip
    [(group, frame)] = sent_events.named("information.checked")
    told = Notification.objects.filter(kind="information_requested")
    assert check["status"] == "more_wanted"
    assert frame["data"]["text"] == "The pension valuation, please"
    assert cast.audience(group) == {"mediator", "party_b"}
    assert [n.participant_id for n in told] == [cast.participants["mediator"].pk]


def test_a_request_for_more_holds_acceptance_until_confirmed(
    cast: Cast, house: dict, offer: dict
) -> None:
    require(cast, house)
    run(cast, "party_b", "information.confirm", issue=house["id"])
    run(cast, "party_b", "information.request", issue=house["id"], text="Bank statements")
    with pytest.raises(Invalid) as error:
        accept(cast, offer)
    assert error.value.code == "information_unconfirmed"


def test_only_a_party_gives_the_word(cast: Cast, house: dict) -> None:
    for who in ("mediator", "attorney_a", "observer"):
        with pytest.raises(NotAllowed):
            run(cast, who, "information.confirm", issue=house["id"])


def test_a_request_needs_words(cast: Cast, house: dict) -> None:
    with pytest.raises(Invalid) as error:
        run(cast, "party_b", "information.request", issue=house["id"], text="  ")
    assert "text" in error.value.details
