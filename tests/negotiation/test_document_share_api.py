"""`POST /api/mediations/<id>/documents/`: sharing a file over REST, multipart. With an
`Idempotency-Key`, as a command's REST mirror takes, a retry (the answer lost on a
phone's connection) returns the first document and shares nothing again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from negotiation.models import Document, Event
from tests.conftest import Cast, acknowledge_rule, run, status_matrix

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def documents_dir(tmp_path: Path, settings: Any) -> Path:
    settings.PARLEY_DOCUMENTS_DIR = tmp_path / "documents"
    return Path(settings.PARLEY_DOCUMENTS_DIR)


def url(cast: Cast) -> str:
    return f"/api/mediations/{cast.mediation.pk}/documents/"


def post(cast: Cast, who: str, room: str = "joint", key: str | None = None, **more: Any) -> Any:
    client = APIClient()
    client.force_login(getattr(cast, who))
    headers = {"Idempotency-Key": key} if key else {}
    data = {"room": room, "file": SimpleUploadedFile("deed.pdf", PDF), **more}
    return client.post(url(cast), data, format="multipart", headers=headers)


def shared_events(cast: Cast) -> int:
    return Event.objects.filter(room__mediation=cast.mediation, name="document.shared").count()


def test_it_shares_and_answers_with_the_document(cast: Cast) -> None:
    house = run(cast, "mediator", "issue.create", title="The house")
    answer = post(cast, "party_a", issue=str(house["id"]))
    assert answer.status_code == 201
    assert (answer.json()["name"], answer.json()["issue"]) == ("deed.pdf", house["id"])


def test_who_may_share_in_the_joint_room(cast: Cast) -> None:
    codes = {who: post(cast, who).status_code for who in
             ("mediator", "party_a", "party_b", "attorney_a", "observer", "outsider")}  # fmt: skip
    assert codes == {"mediator": 201, "party_a": 201, "party_b": 201, "attorney_a": 201,
                     "observer": 403, "outsider": 404}  # fmt: skip
    assert status_matrix(cast, "post", url(cast), who=("anonymous",)) == {"anonymous": 403}


def test_a_repeat_with_the_same_key_returns_the_first_document(
    cast: Cast, documents_dir: Path
) -> None:
    first = post(cast, "party_a", key="upload-1")
    again = post(cast, "party_a", key="upload-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Document.objects.count() == 1
    assert shared_events(cast) == 1
    assert len(list(documents_dir.glob("*"))) == 1


def test_another_key_shares_again(cast: Cast) -> None:
    post(cast, "party_a", key="upload-1")
    post(cast, "party_a", key="upload-2")
    post(cast, "party_a")
    post(cast, "party_a")
    assert Document.objects.count() == 4
    assert shared_events(cast) == 4


def test_a_key_is_each_persons_own(cast: Cast) -> None:
    post(cast, "party_a", key="upload-1")
    sams = post(cast, "party_b", key="upload-1")
    assert sams.status_code == 201
    assert Document.objects.count() == 2


def test_a_refused_upload_keeps_no_receipt(cast: Cast) -> None:
    private = f"caucus:{cast.side_a.pk}"
    assert post(cast, "party_a", room=private, key="upload-1").status_code == 403
    acknowledge_rule(cast, "party_a")
    assert post(cast, "party_a", room=private, key="upload-1").status_code == 201
    assert Document.objects.filter(room__side=cast.side_a).count() == 1


def test_a_key_used_for_a_command_is_refused(cast: Cast) -> None:
    client = APIClient()
    client.force_login(cast.mediator)
    client.post(f"/api/mediations/{cast.mediation.pk}/commands/issue.create/",
                {"title": "House"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")  # fmt: skip
    answer = post(cast, "mediator", key="k-1")
    assert answer.status_code == 400
    assert answer.json()["code"] == "id_reused"
    assert Document.objects.count() == 0
