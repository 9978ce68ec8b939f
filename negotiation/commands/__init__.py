"""Client commands: one registry (registry.py) and one module per topic, where each
command names its service function and declares its input. Adding a command is one
entry in one topic file; `docs/protocol.md` lists them by name."""

from . import (
    board,
    caucus_room,
    decisions,
    documents,
    history,
    impasse,
    notifications,
    proposals,
    releases,
    rounds,
    session,
)
from .registry import (
    COMMANDS,
    Command,
    client_id_check,
    command_execute,
    command_input,
    run_once,
)

__all__ = [
    "COMMANDS",
    "Command",
    "board",
    "caucus_room",
    "client_id_check",
    "command_execute",
    "command_input",
    "decisions",
    "documents",
    "history",
    "impasse",
    "notifications",
    "proposals",
    "releases",
    "rounds",
    "run_once",
    "session",
]
