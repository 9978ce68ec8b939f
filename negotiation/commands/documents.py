"""Commands of information parity. Sharing a document is not one: its bytes go up by
REST (`POST /api/mediations/<id>/documents/`, multipart), and the socket only announces
it (`document.shared`)."""

from __future__ import annotations

from ..document_serializers import DocumentSerializer, InformationCheckSerializer
from ..serializers import IssueCoreSerializer
from ..services import documents
from . import fields as f
from .registry import command

command(
    "document.withdraw",
    documents.document_withdraw,
    fields={"document": f.id_()},
    output=DocumentSerializer,
    summary="Withdraw a document (whoever shared it, or the mediator): its file is erased.",
)
command(
    "issue.require_documents",
    documents.issue_documents_require,
    fields={"issue": f.id_(), "required": f.flag(required=True), "version": f.version()},
    output=IssueCoreSerializer,
    summary=(
        "Hold acceptance of proposals on an issue until every side has opened its "
        "documents and the party accepting says they have what they need (the mediator)."
    ),
)
command(
    "information.confirm",
    documents.information_confirm,
    fields={"issue": f.id_()},
    output=InformationCheckSerializer,
    summary='A party says "I have the information I need to decide" on an issue.',
)
command(
    "information.request",
    documents.information_request,
    fields={"issue": f.id_(), "text": f.text()},
    output=InformationCheckSerializer,
    summary="A party asks the mediator for more information on an issue, privately.",
)
