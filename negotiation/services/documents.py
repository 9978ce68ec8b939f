"""Information parity: documents shared with the joint room or one side's private room,
the record of who first opened each, the rule an issue may carry that every side has
opened its documents before any proposal on it is accepted, and the word every party
gives before accepting anything: "I have the information I need to decide" (or a
request for more, which the mediator sees).

A document's bytes are stored first (whole, or not at all), then its row and event are
written in one transaction; if that fails the file is removed, so nothing half-shared is
left. Withdrawing erases the file after commit and keeps the row, marked withdrawn.
What a document is, is told from its content (document_types), never from its name or
the browser's word alone.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import Invalid, NotAllowed, NotFound

from .. import document_store
from ..document_serializers import DocumentSerializer, InformationCheckSerializer
from ..document_types import allowed_extensions, allowed_labels, kind_for, sniff
from ..events import event_append, room_lock
from ..models import (
    Document,
    DocumentReceipt,
    InformationCheck,
    Issue,
    Notification,
    Participant,
    Room,
    Side,
)
from ..permissions import (
    access_document,
    access_issue,
    can_check_information,
    can_require_documents,
    can_share_document,
    can_withdraw_document,
    counts_for_side,
    mediators_of,
    room_for,
)
from ..serializers import payload
from .issues import issue_payload
from .notifications import notify
from .validation import flag_clean, max_length_of, refusal, text_clean, version_check

NAME_MAX = max_length_of(Document, "name")
REQUEST_MAX = max_length_of(InformationCheck, "text")
DOCUMENTS_PER_ROOM_MAX = 500
SNIFF_BYTES = 64 * 1024


class Upload(Protocol):
    """What the service needs of an uploaded file (Django's UploadedFile has it)."""

    name: str | None
    size: int | None

    def chunks(self, chunk_size: int | None = None) -> Any: ...

    def read(self, size: int = -1) -> bytes: ...

    def seek(self, offset: int, whence: int = 0) -> int: ...


def document_payload(document: Document) -> dict[str, Any]:
    return payload(document, DocumentSerializer)


def max_bytes() -> int:
    return int(settings.PARLEY_DOCUMENT_MAX_MB) * 1024 * 1024


def _file_error(message: str) -> Invalid:
    return Invalid(message, code="invalid_file", details={"file": [message]})


def _name_clean(value: object) -> str:
    """The file's own name, without any folder, control characters or surrounding space."""
    if not isinstance(value, str):
        raise _file_error("The file needs a name.")
    base = value.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if ch.isprintable()).strip()
    if not base or base in (".", ".."):
        raise _file_error("The file needs a name.")
    if len(base) > NAME_MAX:
        stem, dot, ext = base.rpartition(".")
        keep = NAME_MAX - len(dot + ext)
        base = (stem[:keep] + dot + ext) if dot and keep > 0 else base[:NAME_MAX]
    return base


def upload_check(upload: Any) -> tuple[str, Any]:
    """The name and kind of an upload the limits allow; Invalid (on `file`) with a clear
    message for none, an empty file, one too big, or a kind not taken."""
    if upload is None or not hasattr(upload, "chunks"):
        raise _file_error("Choose a file to share.")
    name = _name_clean(getattr(upload, "name", None))
    size = getattr(upload, "size", None)
    if not size:
        raise _file_error("This file is empty.")
    limit = max_bytes()
    if size > limit:
        raise _file_error(
            f"This file is {size / (1024 * 1024):.1f} MB; the largest taken is "
            f"{settings.PARLEY_DOCUMENT_MAX_MB} MB."
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    sniffed = sniff(head, upload)
    upload.seek(0)
    allowed = list(settings.PARLEY_DOCUMENT_TYPES)
    kind = kind_for(sniffed, name) if sniffed is not None else None
    if kind is None or kind.name not in allowed:
        extensions = ", ".join(allowed_extensions(allowed))
        raise _file_error(
            f"{name} is not a kind of file Parley takes, or its content does not match its "
            f"name. Share {allowed_labels(allowed)} ({extensions})."
        )
    return name, kind


def _room_of(actor: Participant, room_key: object) -> Room:
    room = room_for(actor, room_key)
    if room is None:
        raise NotFound("No such room.")
    return room


def document_share(
    *, actor: Participant, room: object, file: object, issue_id: object = None
) -> Document:
    """Share a file in a room (its key: "joint" or "caucus:<side>"), optionally on an
    issue of the joint board. The room decides who sees it. Raises NotFound (a room or
    issue the actor cannot see), NotAllowed (permissions.can_share_document), Invalid
    (`file`: none, empty, too big, a kind not taken or not what its name says).
    Emits `document.shared` in that room only."""
    name, kind = upload_check(file)
    # Checked before the bytes are written, so a refusal stores nothing.
    target = _room_of(actor, room)
    if not can_share_document(actor, target):
        if target.kind == Room.Kind.JOINT:
            raise refusal(actor, "Observers do not share documents.")
        raise NotAllowed("Accept the confidentiality rule before sharing here.")
    stored_as, sha256, size = document_store.store(file.chunks())  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            issue = None if issue_id is None else access_issue(actor, issue_id)
            room_lock(target)
            if Document.objects.filter(room=target).count() >= DOCUMENTS_PER_ROOM_MAX:
                raise _file_error("This room holds as many documents as it can.")
            document = Document.objects.create(
                room=target,
                issue=issue,
                name=name,
                kind=kind.name,
                content_type=kind.content_type,
                size=size,
                sha256=sha256,
                stored_as=stored_as,
                shared_by=actor,
            )
            event_append(
                room=target,
                name="document.shared",
                data=document_payload(document),
                actor=actor,
            )
    except BaseException:
        document_store.erase(stored_as)
        raise
    return document


def document_withdraw(*, actor: Participant, document_id: object) -> Document:
    """Withdraw a document: nobody may open it any more and its file is erased (after
    commit). Raises NotFound, NotAllowed (permissions.can_withdraw_document). Emits
    `document.withdrawn` in its room."""
    with transaction.atomic():
        document = access_document(actor, document_id)
        if not can_withdraw_document(actor, document):
            raise NotAllowed("Only whoever shared a document, or the mediator, withdraws it.")
        room_lock(document.room)
        document.refresh_from_db()
        if document.withdrawn_at is not None:
            raise NotFound("Not found.")
        stored_as = document.stored_as
        document.withdrawn_at = timezone.now()
        document.withdrawn_by = actor
        document.stored_as = ""
        document.save(update_fields=["withdrawn_at", "withdrawn_by", "stored_as"])
        event_append(
            room=document.room,
            name="document.withdrawn",
            data=document_payload(document),
            actor=actor,
        )
        transaction.on_commit(lambda: document_store.erase(stored_as))
    return document


def document_open(*, actor: Participant, document_id: object) -> Document:
    """The document `actor` opens, and the receipt of their first opening (later opens
    record nothing more). Raises NotFound for a document they may not see, the same as
    for one that does not exist or was withdrawn. Emits `document.updated` in its room
    when this is the first opening by a side's party (its `opened_sides` grew)."""
    with transaction.atomic():
        document = access_document(actor, document_id)
        if DocumentReceipt.objects.filter(document=document, participant=actor).exists():
            return document
        room_lock(document.room)
        try:
            with transaction.atomic():
                DocumentReceipt.objects.create(document=document, participant=actor)
        except IntegrityError:
            # Opened at the same moment elsewhere: the first receipt stands.
            return document
        side_first = counts_for_side(actor) and not (  # counts_for_side: a side is set
            DocumentReceipt.objects.filter(
                document=document,
                participant__side_id=actor.side_id or 0,
                participant__role=actor.role,
            )
            .exclude(participant=actor)
            .exists()
        )
        if side_first:
            event_append(
                room=document.room,
                name="document.updated",
                data=document_payload(document),
                actor=actor,
            )
    return document


def issue_documents_require(
    *, actor: Participant, issue_id: object, required: object, version: object
) -> Issue:
    """Turn on (or off) an issue's documents rule: nothing on it is accepted until every
    side's party has opened its joint-room documents. Raises NotFound,
    NotAllowed (the mediator sets it), Conflict, Invalid. Emits `issue.updated`."""
    required = flag_clean(required, field="required")
    with transaction.atomic():
        issue = access_issue(actor, issue_id)
        if not can_require_documents(actor):
            raise NotAllowed("Only the mediator sets what must be read before deciding.")
        room_lock(issue.room)
        issue.refresh_from_db()
        version_check(current=issue.version, given=version, payload=lambda: issue_payload(issue))
        issue.documents_required = required
        issue.version += 1
        issue.updated_at = timezone.now()
        issue.save(update_fields=["documents_required", "version", "updated_at"])
        event_append(room=issue.room, name="issue.updated", data=issue_payload(issue), actor=actor)
    return issue


def _private_room(actor: Participant) -> Room:
    return Room.objects.get(mediation_id=actor.mediation_id, side_id=actor.side_id or 0)


def _check_record(
    *, actor: Participant, issue: Issue, room: Room, status: str, text: str
) -> InformationCheck:
    """Write a party's word on an issue in their private room, whose lock the caller
    holds."""
    check = InformationCheck.objects.create(
        room=room, issue=issue, participant=actor, status=status, text=text
    )
    event_append(
        room=room,
        name="information.checked",
        data=payload(check, InformationCheckSerializer),
        actor=actor,
    )
    if status == InformationCheck.Status.MORE_WANTED:
        notify(
            participants=mediators_of(actor.mediation_id),
            kind=Notification.Kind.INFORMATION_REQUESTED,
            room=room,
            issue=issue,
        )
    return check


def _information_check(
    *, actor: Participant, issue_id: object, status: str, text: str
) -> InformationCheck:
    with transaction.atomic():
        issue = access_issue(actor, issue_id)
        if not can_check_information(actor):
            raise NotAllowed("A party says this, for their own decision.")
        room = _private_room(actor)
        room_lock(room)
        return _check_record(actor=actor, issue=issue, room=room, status=status, text=text)


def information_confirm(*, actor: Participant, issue_id: object) -> InformationCheck:
    """A party says "I have the information I need to decide" on an issue. Recorded in
    their side's private room. Raises NotFound, NotAllowed (a party only). Emits
    `information.checked` in that room."""
    return _information_check(
        actor=actor, issue_id=issue_id, status=InformationCheck.Status.INFORMED, text=""
    )


def information_request(*, actor: Participant, issue_id: object, text: object) -> InformationCheck:
    """A party asks the mediator for more information before deciding on an issue, in
    their words. Recorded in their side's private room; the mediators are notified
    (`information_requested`, a fixed text). Raises NotFound, NotAllowed (a party only),
    Invalid (`text`). Emits `information.checked` in that room."""
    words = text_clean(text, field="text", max_length=REQUEST_MAX, label="what you need")
    return _information_check(
        actor=actor, issue_id=issue_id, status=InformationCheck.Status.MORE_WANTED, text=words
    )


def _joint_documents(issue: Issue) -> list[Document]:
    return list(
        Document.objects.filter(
            issue=issue, room__kind=Room.Kind.JOINT, withdrawn_at__isnull=True
        ).prefetch_related("receipts__participant")
    )


def sides_yet_to_open(issue: Issue) -> list[Side]:
    """The sides whose party has not yet opened every one of the issue's joint-room
    documents. Documents shared in a private room never count: whether a side has one,
    or has read it, is not the other side's to learn."""
    documents = _joint_documents(issue)
    sides = list(Side.objects.filter(mediation_id=issue.room.mediation_id).order_by("order"))
    opened_by = [
        {r.participant.side_id for r in document.receipts.all() if counts_for_side(r.participant)}
        for document in documents
    ]
    return [side for side in sides if any(side.pk not in opened for opened in opened_by)]


def _informed(actor: Participant, issue: Issue) -> bool:
    """Whether the party's latest word on the issue is that they have what they need,
    given since the last of its joint-room documents was shared."""
    latest = (
        InformationCheck.objects.filter(issue=issue, participant=actor)
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is None or latest.status != InformationCheck.Status.INFORMED:
        return False
    newest_document = max((d.created_at for d in _joint_documents(issue)), default=None)
    return newest_document is None or latest.created_at >= newest_document


def acceptance_check(*, actor: Participant, issue: Issue, informed: bool) -> None:
    """Before `actor`, a party, accepts anything on `issue` (a proposal, or the
    mediator's wording of an agreement), inside the change's transaction and under the
    joint room's lock:

    - when the issue carries the documents rule, every side's party has opened its
      joint-room documents;
    - the party has said "I have the information I need to decide": with this acceptance
      (`informed`), which records it in their private room, or before it, since the
      last of the issue's joint-room documents was shared and without asking for more
      since.

    Raises Invalid with code `documents_unopened` or `information_unconfirmed`, saying
    what is missing. Emits `information.checked` in the party's private room when the
    word comes with the acceptance and is not already on record."""
    if issue.documents_required:
        waiting = sides_yet_to_open(issue)
        if waiting:
            own = any(side.pk == actor.side_id for side in waiting)
            message = (
                "Open this issue's documents before accepting: every side reads them first."
                if own
                else "Every side opens this issue's documents before a proposal is "
                "accepted: waiting for " + ", ".join(side.name for side in waiting) + "."
            )
            raise Invalid(message, code="documents_unopened", details={"answer": [message]})
    if _informed(actor, issue):
        return
    if not informed:
        message = (
            "Say you have the information you need to decide, or ask the mediator for more, first."
        )
        raise Invalid(message, code="information_unconfirmed", details={"answer": [message]})
    # The joint room is locked already; rooms are always locked joint room first.
    room = _private_room(actor)
    room_lock(room)
    _check_record(
        actor=actor, issue=issue, room=room, status=InformationCheck.Status.INFORMED, text=""
    )


def information_checks_in(room: Room, *, since: int | None = None) -> Any:
    rows = InformationCheck.objects.filter(room=room).select_related("participant")
    return rows if since is None else rows.filter(pk__gte=since)
