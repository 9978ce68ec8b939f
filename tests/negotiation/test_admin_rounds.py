"""The admin of what the impasse tools and the information-parity screens keep: every
list opens for support staff, nothing is written here, and what is private (a side's
documents and words, an author's draft, the mediator's reading of an impasse, a sealed
submission before the reveal) is not shown, nor open to a filter in the address."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from negotiation.models import (
    BrainstormKey,
    Document,
    InformationCheck,
    Participant,
    PerspectiveDraft,
    SealedRound,
)
from negotiation.services.documents import document_open, document_share
from tests.conftest import Cast, acknowledge_rule, run

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MODELS = [
    "document", "documentreceipt", "impasse", "strategyattempt", "perspectiveround",
    "perspectivestatement", "brainstormround", "sealedround", "sealedsubmission",
]  # fmt: skip
PRIVATE = ("our-lowest-figure.pdf", "We need the valuation first", "Draft of Sam's view",
           "Alex cannot hear Sam", "Mediator's own note", "180000", "Keep the car")  # fmt: skip


@pytest.fixture(autouse=True)
def documents_dir(tmp_path: Path, settings: Any) -> None:
    settings.PARLEY_DOCUMENTS_DIR = tmp_path / "documents"


def actor(cast: Cast, who: str) -> Participant:
    return Participant.objects.select_related("mediation", "side").get(pk=cast.participants[who].pk)


@pytest.fixture
def filled(cast: Cast) -> Cast:
    """One row of each, private words in each place they may be."""
    acknowledge_rule(cast)
    run(cast, "mediator", "stage.set", stage="joint_discussion")
    house = run(cast, "mediator", "issue.create", title="The house")["id"]
    mine = document_share(
        actor=actor(cast, "party_a"),
        room=f"caucus:{cast.side_a.pk}",
        file=SimpleUploadedFile("our-lowest-figure.pdf", PDF),
        issue_id=house,
    )
    document_open(actor=actor(cast, "attorney_a"), document_id=mine.pk)
    joint = document_share(
        actor=actor(cast, "party_b"), room="joint", file=SimpleUploadedFile("deed.pdf", PDF)
    )
    document_open(actor=actor(cast, "party_a"), document_id=joint.pk)
    run(cast, "party_a", "information.request", issue=house, text="We need the valuation first")
    impasse = run(cast, "mediator", "impasse.mark", issue=house, causes=["lack_of_trust"],
                  note="Alex cannot hear Sam")  # fmt: skip
    started = run(cast, "mediator", "strategy.start", impasse=impasse["id"], kind="perspective")
    r = started["attempts"][0]["perspective"]
    run(cast, "party_b", "perspective.draft", round=r, text="Draft of Sam's view")
    run(cast, "party_a", "perspective.submit", round=r, text="Sam wants the garden")
    run(cast, "mediator", "strategy.end", attempt=started["attempts"][0]["id"],
        note="Mediator's own note")  # fmt: skip
    car = run(cast, "mediator", "issue.create", title="The car")["id"]
    run(cast, "mediator", "brainstorm.start", issue=car)
    sealed = run(cast, "mediator", "sealed.ask", issue=car)["id"]
    run(cast, "party_a", "sealed.submit", sealed=sealed, version=0, amount="180000",
        text="Keep the car")  # fmt: skip
    return cast


@pytest.mark.parametrize("model", MODELS)
def test_every_list_opens_and_shows_nothing_private(
    staff: Client, filled: Cast, model: str
) -> None:
    page = staff.get(f"/admin/negotiation/{model}/")
    assert page.status_code == 200
    text = page.content.decode()
    for words in PRIVATE:
        assert words not in text


@pytest.mark.parametrize("model", MODELS)
def test_nothing_is_added_here(staff: Client, filled: Cast, model: str) -> None:
    assert staff.get(f"/admin/negotiation/{model}/add/").status_code == 403


@pytest.mark.parametrize(
    ("model", "lookup"),
    [
        ("impasse", "note__icontains=hear"),
        ("impasse", "causes__icontains=trust"),
        ("strategyattempt", "note__icontains=own"),
        ("document", "stored_as__startswith=a"),
    ],
)
def test_private_words_cannot_be_tested_from_the_address(
    staff: Client, filled: Cast, model: str, lookup: str
) -> None:
    assert staff.get(f"/admin/negotiation/{model}/?{lookup}").status_code == 400


def test_a_private_rooms_documents_stay_out_as_its_messages_do(staff: Client, filled: Cast) -> None:
    private = Document.objects.get(room__side=filled.side_a)
    assert "deed.pdf" in staff.get("/admin/negotiation/document/").content.decode()
    receipts = staff.get("/admin/negotiation/documentreceipt/").content.decode()
    assert "deed.pdf" in receipts
    assert "Jordan" not in receipts  # who opened the private one
    page = staff.get(f"/admin/negotiation/document/{private.pk}/change/")
    assert page.status_code == 302  # "no such document", back to the list


def test_a_private_rooms_words_and_a_draft_stay_out() -> None:
    from django.contrib import admin
    from django.db.models import Model

    models: set[type[Model]] = {InformationCheck, PerspectiveDraft, BrainstormKey}
    assert not models & set(admin.site._registry)


def test_every_page_of_a_row_hides_its_private_words(staff: Client, filled: Cast) -> None:
    from django.apps import apps

    for model in MODELS:
        for row in apps.get_model("negotiation", model).objects.all():
            page = staff.get(f"/admin/negotiation/{model}/{row.pk}/change/")
            assert page.status_code in (200, 302, 403), model
            for words in PRIVATE:
                assert words not in page.content.decode(), (model, words)


def test_a_sealed_submission_is_listed_only_after_the_reveal(staff: Client, filled: Cast) -> None:
    sealed = SealedRound.objects.get()
    before = staff.get("/admin/negotiation/sealedsubmission/").content.decode()
    assert "0 sealed submissions" in before
    run(filled, "party_b", "sealed.submit", sealed=sealed.pk, version=0, amount="150000")
    listed = staff.get("/admin/negotiation/sealedsubmission/").content.decode()
    assert "180000" in listed
    assert "150000" in listed
