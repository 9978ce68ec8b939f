"""The negotiation domain: mediations and their rooms (mediation.py), the board's content
(board.py), caucus rooms (caucus.py), notifications and their
deliveries (notifications.py), invitations (invitations.py),
idempotency receipts for client commands (commands.py), the audit log of caucus
reads (audit.py), the board's history: snapshots and session summaries (history.py), documents
with their receipts (documents.py), impasses on issues with the strategies tried
(impasse.py), and the brainstorm and sealed rounds on an issue (rounds.py)."""

from .audit import CaucusRead
from .board import (
    Comment,
    Consent,
    Criterion,
    Decision,
    Interest,
    Issue,
    Lane,
    Option,
    Position,
    Proposal,
    Response,
)
from .caucus import (
    CaucusMessage,
    CaucusNote,
    CaucusSession,
    OpeningStatement,
    RealityCheck,
    ReleaseRequest,
    SharedStatement,
)
from .commands import CommandReceipt
from .documents import Document, DocumentReceipt, InformationCheck
from .history import SessionSummary, Snapshot
from .impasse import (
    Cause,
    Impasse,
    PerspectiveDraft,
    PerspectiveRound,
    PerspectiveStatement,
    Strategy,
    StrategyAttempt,
)
from .invitations import Invitation
from .mediation import (
    SIDED_ROLES,
    UNSIDED_ROLES,
    ConfidentialityRule,
    Event,
    Mediation,
    Participant,
    Role,
    Room,
    Side,
    Stage,
)
from .notifications import Delivery, Notification
from .rounds import BrainstormKey, BrainstormRound, SealedRound, SealedSubmission

__all__ = [
    "SIDED_ROLES",
    "UNSIDED_ROLES",
    "BrainstormKey",
    "BrainstormRound",
    "CaucusMessage",
    "CaucusNote",
    "CaucusRead",
    "CaucusSession",
    "Cause",
    "CommandReceipt",
    "Comment",
    "ConfidentialityRule",
    "Consent",
    "Criterion",
    "Decision",
    "Delivery",
    "Document",
    "DocumentReceipt",
    "Event",
    "Impasse",
    "InformationCheck",
    "Interest",
    "Invitation",
    "Issue",
    "Lane",
    "Mediation",
    "Notification",
    "OpeningStatement",
    "Option",
    "Participant",
    "PerspectiveDraft",
    "PerspectiveRound",
    "PerspectiveStatement",
    "Position",
    "Proposal",
    "RealityCheck",
    "ReleaseRequest",
    "Response",
    "Role",
    "Room",
    "SealedRound",
    "SealedSubmission",
    "SessionSummary",
    "SharedStatement",
    "Side",
    "Snapshot",
    "Stage",
    "Strategy",
    "StrategyAttempt",
]
