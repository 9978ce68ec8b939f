"""The negotiation domain: mediations and their rooms (mediation.py), the board's content
(board.py), and idempotency receipts for client commands (commands.py)."""

from .board import (
    Comment,
    Criterion,
    Interest,
    Issue,
    Lane,
    Option,
    Position,
    Proposal,
    Response,
)
from .commands import CommandReceipt
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

__all__ = [
    "SIDED_ROLES",
    "UNSIDED_ROLES",
    "CommandReceipt",
    "Comment",
    "ConfidentialityRule",
    "Criterion",
    "Event",
    "Interest",
    "Issue",
    "Lane",
    "Mediation",
    "Option",
    "Participant",
    "Position",
    "Proposal",
    "Response",
    "Role",
    "Room",
    "Side",
    "Stage",
]
