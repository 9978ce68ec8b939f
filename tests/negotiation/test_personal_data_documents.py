"""A person's export holds the documents they shared (what is shown of them, in the
room they were shared in), when they first opened any, and their own information
checks; never another person's documents, nor anything of a room they no longer see."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from negotiation.models import CaucusRead, Document, Participant
from negotiation.services.documents import document_open, document_share, document_withdraw
from tests.conftest import Cast, acknowledge_rule, run

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def documents_dir(tmp_path: Path, settings: Any) -> None:
    settings.PARLEY_DOCUMENTS_DIR = tmp_path / "documents"


def actor(cast: Cast, who: str) -> Participant:
    return Participant.objects.select_related("mediation", "side").get(pk=cast.participants[who].pk)


def share(cast: Cast, who: str, room: str, name: str, **kwargs: Any) -> Document:
    file = SimpleUploadedFile(name, PDF)
    return document_share(actor=actor(cast, who), room=room, file=file, **kwargs)


def export(cast: Cast, who: str) -> tuple[dict[str, Any], str]:
    client = APIClient()
    client.force_login(cast.users[who])
    answer = client.get("/api/me/data/")
    assert answer.status_code == 200
    [place] = answer.json()["participations"]
    return place, answer.content.decode()


@pytest.fixture
def shared(cast: Cast) -> dict[str, Document]:
    acknowledge_rule(cast)
    house = run(cast, "mediator", "issue.create", title="The house")["id"]
    room_a, room_b = f"caucus:{cast.side_a.pk}", f"caucus:{cast.side_b.pk}"
    docs = {
        "deed": share(cast, "party_a", "joint", "deed.pdf", issue_id=house),
        "payslips": share(cast, "party_a", room_a, "payslips.pdf"),
        "jordans": share(cast, "attorney_a", room_a, "jordans-memo.pdf"),
        "sams": share(cast, "party_b", room_b, "sams-figures.pdf"),
        "valuation": share(cast, "party_b", "joint", "valuation.pdf"),
    }
    document_open(actor=actor(cast, "party_a"), document_id=docs["valuation"].pk)
    document_open(actor=actor(cast, "party_a"), document_id=docs["jordans"].pk)
    document_withdraw(actor=actor(cast, "party_a"), document_id=docs["payslips"].pk)
    run(cast, "party_a", "information.request", issue=house, text="The figures, please")
    return docs


def test_it_holds_the_documents_one_shared_where_they_were_shared(
    cast: Cast, shared: dict[str, Document]
) -> None:
    place, _ = export(cast, "party_a")
    [deed] = place["board"]["documents"]
    assert deed == {
        "id": shared["deed"].pk,
        "room": "joint",
        "issue": shared["deed"].issue_id,
        "name": "deed.pdf",
        "kind": "pdf",
        "size": len(PDF),
        "shared_at": shared["deed"].created_at.isoformat(),
        "withdrawn_at": None,
    }
    [payslips] = place["caucus"]["documents"]
    assert (payslips["name"], payslips["room"]) == ("payslips.pdf", f"caucus:{cast.side_a.pk}")
    assert payslips["withdrawn_at"] is not None


def test_it_holds_no_one_elses_documents(cast: Cast, shared: dict[str, Document]) -> None:
    _, text = export(cast, "party_a")
    for name in ("jordans-memo", "sams-figures", "valuation"):
        assert name not in text
    _, sams = export(cast, "party_b")
    for name in ("deed", "payslips", "jordans-memo"):
        assert name not in sams


def test_it_holds_ones_own_receipts_and_information_checks(
    cast: Cast, shared: dict[str, Document]
) -> None:
    place, _ = export(cast, "party_a")
    assert [r["document"] for r in place["board"]["document_receipts"]] == [shared["valuation"].pk]
    assert [r["document"] for r in place["caucus"]["document_receipts"]] == [shared["jordans"].pk]
    [check] = place["caucus"]["information_checks"]
    assert (check["status"], check["text"]) == ("more_wanted", "The figures, please")
    sams, _ = export(cast, "party_b")
    assert sams["caucus"]["information_checks"] == []
    assert sams["board"]["document_receipts"] == sams["caucus"]["document_receipts"] == []


def test_a_mediators_document_in_a_private_room_is_a_read_of_it(cast: Cast) -> None:
    acknowledge_rule(cast)
    share(cast, "mediator", f"caucus:{cast.side_b.pk}", "for-sam.pdf")
    place, _ = export(cast, "mediator")
    assert [d["name"] for d in place["caucus"]["documents"]] == ["for-sam.pdf"]
    recorded = CaucusRead.objects.filter(mediation=cast.mediation, via="export")
    assert [read.room.key for read in recorded] == [f"caucus:{cast.side_b.pk}"]
