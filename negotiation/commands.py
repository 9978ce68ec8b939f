"""Client commands: the one table of what a client may ask for, shared by the socket
(`{"type": "command", "id", "name", "data"}`) and the REST mirror
(`POST /api/mediations/<id>/commands/<name>/`).

Each command names an input serializer (types and shapes) and a function that calls a
service (which checks rights and rules) and returns the result payload. A command
carries a client-generated id: a repeat with the same id has no second effect and gets
the first result back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework import serializers

from config.errors import Invalid

from .models import CommandReceipt, Criterion, Interest, Option, Participant
from .serializers import (
    CaucusMessageSerializer,
    CaucusNoteSerializer,
    CaucusSessionSerializer,
    CommentSerializer,
    CriterionSerializer,
    InterestSerializer,
    IssueCoreSerializer,
    IssueSerializer,
    MediationStateSerializer,
    OptionSerializer,
    ParticipantSerializer,
    PositionSerializer,
    ProposalSerializer,
    RealityCheckSerializer,
    ReleaseRequestSerializer,
    ResponseSerializer,
)
from .services import (
    caucus,
    caucus_content,
    issue_content,
    issues,
    notifications,
    participants,
    proposals,
    releases,
)

CLIENT_ID_MAX = 64
# The largest id or count a client may send: every id fits in JavaScript's safe integers,
# and anything larger is refused as input instead of overflowing a database column.
INT_MAX = 2**53 - 1

Data = dict[str, Any]


@dataclass(frozen=True)
class Command:
    name: str
    input: type[serializers.Serializer[Any]]
    output: type[serializers.Serializer[Any]]
    run: Callable[[Participant, Data], Any]
    summary: str


def _fields(
    name: str, fields: dict[str, serializers.Field[Any, Any, Any, Any]]
) -> type[serializers.Serializer[Any]]:
    # Named after the command (issue.move: IssueMoveInput) for the OpenAPI schema.
    title = "".join(part.title() for part in name.split("."))
    return type(f"{title}Input", (serializers.Serializer,), dict(fields))


def _id(*, required: bool = True) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=INT_MAX, required=required)


def _version() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=INT_MAX)


def _text(required: bool = True) -> serializers.CharField:
    return serializers.CharField(
        required=required, allow_blank=not required, trim_whitespace=False, max_length=10000
    )


def _optional(value: Data, *names: str) -> Data:
    return {name: value[name] for name in names if name in value}


COMMANDS: dict[str, Command] = {}


def _register(
    name: str,
    fields: dict[str, serializers.Field[Any, Any, Any, Any]],
    output: type[serializers.Serializer[Any]],
    run: Callable[[Participant, Data], Any],
    summary: str,
) -> None:
    COMMANDS[name] = Command(name, _fields(name, fields), output, run, summary)


_register(
    "issue.create",
    {"title": _text(), "description": _text(False), "lane": serializers.CharField(required=False)},
    IssueSerializer,
    lambda actor, d: issues.issue_create(
        actor=actor, **_optional(d, "title", "description", "lane")
    ),
    "Add an issue card at the end of a lane.",
)
_register(
    "issue.update",
    {"issue": _id(), "version": _version(), "title": _text(False), "description": _text(False)},
    IssueCoreSerializer,
    lambda actor, d: issues.issue_update(
        actor=actor,
        issue_id=d["issue"],
        version=d["version"],
        **_optional(d, "title", "description"),
    ),
    "Change an issue's title or description.",
)
_register(
    "issue.move",
    {
        "issue": _id(),
        "version": _version(),
        "lane": serializers.CharField(),
        "index": serializers.IntegerField(
            min_value=0, max_value=INT_MAX, required=False, allow_null=True
        ),
        "reason": _text(False),
    },
    IssueCoreSerializer,
    lambda actor, d: issues.issue_move(
        actor=actor,
        issue_id=d["issue"],
        version=d["version"],
        lane=d["lane"],
        index=d.get("index"),
        reason=d.get("reason", ""),
    ),
    "Move an issue to a place in a lane (Parked with a reason, Struck to strike it).",
)
_register(
    "position.set",
    {"issue": _id(), "side": _id(), "text": _text(), "version": _version()},
    PositionSerializer,
    lambda actor, d: issue_content.position_set(
        actor=actor, issue_id=d["issue"], side_id=d["side"], text=d["text"], version=d["version"]
    ),
    "State a side's position on an issue (version 0 for the first).",
)
_register(
    "interest.add",
    {"issue": _id(), "side": _id(), "text": _text()},
    InterestSerializer,
    lambda actor, d: issue_content.interest_add(
        actor=actor, issue_id=d["issue"], side_id=d["side"], text=d["text"]
    ),
    "Add a side's interest to an issue.",
)
_register(
    "option.add",
    {"issue": _id(), "text": _text()},
    OptionSerializer,
    lambda actor, d: issue_content.option_add(actor=actor, issue_id=d["issue"], text=d["text"]),
    "Add a brainstormed option to an issue.",
)
_register(
    "criterion.add",
    {"issue": _id(), "text": _text(), "source": _text(False)},
    CriterionSerializer,
    lambda actor, d: issue_content.criterion_add(
        actor=actor, issue_id=d["issue"], text=d["text"], source=d.get("source", "")
    ),
    "Add an objective criterion to an issue.",
)
_ITEM_COMMANDS: list[
    tuple[
        type[Interest | Option | Criterion], str, type[serializers.Serializer[Any]], tuple[str, ...]
    ]
] = [
    (Interest, "interest", InterestSerializer, ("text",)),
    (Option, "option", OptionSerializer, ("text",)),
    (Criterion, "criterion", CriterionSerializer, ("text", "source")),
]


def _item_update(
    model: type[Interest | Option | Criterion], name: str, text_fields: tuple[str, ...]
) -> Callable[[Participant, Data], Any]:
    def run(actor: Participant, d: Data) -> Any:
        return issue_content.item_update(
            actor=actor,
            model=model,
            item_id=d[name],
            version=d["version"],
            changes=_optional(d, "struck", *text_fields),
        )

    return run


for _model, _name, _serializer, _text_fields in _ITEM_COMMANDS:
    _register(
        f"{_name}.update",
        {
            _name: _id(),
            "version": _version(),
            "struck": serializers.BooleanField(required=False),
            **{field: _text(False) for field in _text_fields},
        },
        _serializer,
        _item_update(_model, _name, _text_fields),
        f"Edit an {_name}, or strike it through (struck: true).",
    )
_register(
    "comment.add",
    {"issue": _id(), "body": _text()},
    CommentSerializer,
    lambda actor, d: issue_content.comment_add(actor=actor, issue_id=d["issue"], body=d["body"]),
    "Comment on an issue.",
)
_register(
    "proposal.create",
    {
        "issue": _id(),
        "terms": _text(),
        "amount": serializers.DecimalField(
            max_digits=14, decimal_places=2, required=False, allow_null=True
        ),
    },
    ProposalSerializer,
    lambda actor, d: proposals.proposal_create(
        actor=actor, issue_id=d["issue"], terms=d["terms"], amount=d.get("amount")
    ),
    "Table a proposal on an issue, for your side (or as the mediator).",
)
_register(
    "proposal.respond",
    {
        "proposal": _id(),
        "answer": serializers.CharField(),
        "version": _version(),
        "note": _text(False),
        "counter_terms": _text(False),
        "counter_amount": serializers.DecimalField(
            max_digits=14, decimal_places=2, required=False, allow_null=True
        ),
    },
    ResponseSerializer,
    lambda actor, d: proposals.proposal_respond(
        actor=actor,
        proposal_id=d["proposal"],
        answer=d["answer"],
        version=d["version"],
        note=d.get("note", ""),
        counter_terms=d.get("counter_terms"),
        counter_amount=d.get("counter_amount"),
    ),
    "Answer a proposal for your side: accept, reject, considering or counter.",
)
_register(
    "proposal.withdraw",
    {"proposal": _id(), "version": _version()},
    ProposalSerializer,
    lambda actor, d: proposals.proposal_withdraw(
        actor=actor, proposal_id=d["proposal"], version=d["version"]
    ),
    "Withdraw a proposal you made.",
)


# --- caucus rooms ----------------------------------------------------------------------


def _side() -> serializers.IntegerField:
    """A caucus room, by its side: parties, attorneys and experts may leave it out."""
    return serializers.IntegerField(min_value=1, max_value=INT_MAX, required=False, allow_null=True)


def _flag() -> serializers.BooleanField:
    return serializers.BooleanField(required=False)


def _amount() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )


def _count(top: int) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=top, required=False, allow_null=True)


OverlapSerializer = type(
    "OverlapCheckOutput", (serializers.Serializer,), {"overlap": serializers.BooleanField()}
)
ReadSerializer = type(
    "NotificationsReadOutput", (serializers.Serializer,), {"read": serializers.IntegerField()}
)

_register(
    "caucus.call",
    {"side": _id()},
    CaucusSessionSerializer,
    lambda actor, d: caucus.caucus_call(actor=actor, side_id=d["side"]),
    "Ask a side to a private meeting (its party and attorney are prompted).",
)
_register(
    "caucus.open",
    {"caucus": _id()},
    CaucusSessionSerializer,
    lambda actor, d: caucus.caucus_open(actor=actor, caucus_id=d["caucus"]),
    "Start a called caucus.",
)
_register(
    "caucus.close",
    {"caucus": _id()},
    CaucusSessionSerializer,
    lambda actor, d: caucus.caucus_close(actor=actor, caucus_id=d["caucus"]),
    "End a caucus (or withdraw a call); invited experts lose access to it.",
)
_register(
    "board.pause",
    {"paused": serializers.BooleanField()},
    MediationStateSerializer,
    lambda actor, d: caucus.joint_pause(actor=actor, paused=d["paused"]),
    "Pause or resume the parties' editing of the joint board.",
)
_register(
    "rule.set",
    {"rule": serializers.CharField()},
    MediationStateSerializer,
    lambda actor, d: participants.rule_set(actor=actor, rule=d["rule"]),
    "Set the case's confidentiality rule; everyone acknowledges it again.",
)
_register(
    "rule.acknowledge",
    {"rule": serializers.CharField()},
    ParticipantSerializer,
    lambda actor, d: participants.rule_acknowledge(actor=actor, rule=d["rule"]),
    "Accept the case's confidentiality rule, as shown.",
)
_register(
    "participant.remove",
    {"participant": _id()},
    ParticipantSerializer,
    lambda actor, d: participants.participant_remove(actor=actor, participant_id=d["participant"]),
    "End someone's place in the mediation (their sockets are closed).",
)
_register(
    "expert.access",
    {"participant": _id(), "until": serializers.DateTimeField(allow_null=True)},
    ParticipantSerializer,
    lambda actor, d: participants.expert_access_set(
        actor=actor, participant_id=d["participant"], until=d["until"]
    ),
    "Set until when an invited expert keeps access (null: no limit; now or earlier: end it).",
)
_register(
    "caucus_message.post",
    {"side": _side(), "body": _text(), "confidential": _flag()},
    CaucusMessageSerializer,
    lambda actor, d: caucus_content.caucus_message_post(
        actor=actor,
        side_id=d.get("side"),
        body=d["body"],
        confidential=d.get("confidential", False),
    ),
    "Say something in a caucus room.",
)
_register(
    "caucus_message.mark",
    {"message": _id(), "confidential": serializers.BooleanField()},
    CaucusMessageSerializer,
    lambda actor, d: caucus_content.caucus_message_mark(
        actor=actor, message_id=d["message"], confidential=d["confidential"]
    ),
    "Mark a caucus message confidential, or not.",
)
_register(
    "caucus_note.add",
    {
        "side": _side(),
        "issue": _id(),
        "text": _text(),
        "kind": serializers.CharField(required=False),
        "confidential": _flag(),
    },
    CaucusNoteSerializer,
    lambda actor, d: caucus_content.caucus_note_add(
        actor=actor,
        side_id=d.get("side"),
        issue_id=d["issue"],
        text=d["text"],
        **_optional(d, "kind", "confidential"),
    ),
    "Keep a private note on an issue in a caucus room.",
)
_register(
    "caucus_note.update",
    {
        "note": _id(),
        "version": _version(),
        "text": _text(False),
        "kind": serializers.CharField(required=False),
        "confidential": _flag(),
    },
    CaucusNoteSerializer,
    lambda actor, d: caucus_content.caucus_note_update(
        actor=actor,
        note_id=d["note"],
        version=d["version"],
        changes=_optional(d, "text", "kind", "confidential"),
    ),
    "Edit a caucus note, or mark it confidential.",
)
_register(
    "reality_check.set",
    {
        "side": _side(),
        "issue": _id(),
        "version": _version(),
        "best_alternative": _text(False),
        "worst_alternative": _text(False),
        "likely_court_outcome": _text(False),
        "court_cost": _amount(),
        "court_months": _count(600),
        "confidence": _count(100),
        "range_low": _amount(),
        "range_high": _amount(),
    },
    RealityCheckSerializer,
    lambda actor, d: caucus_content.reality_check_set(
        actor=actor,
        side_id=d.get("side"),
        issue_id=d["issue"],
        version=d["version"],
        changes=_optional(d, *caucus_content.WORKSHEET_FIELDS),
    ),
    "Fill in a side's reality-check worksheet for an issue (version 0 the first time).",
)
_register(
    "overlap.check",
    {"issue": _id()},
    OverlapSerializer,
    lambda actor, d: {"overlap": caucus_content.overlap_check(actor=actor, issue_id=d["issue"])},
    "Tell the sides whether their ranges on an issue overlap, showing no figures.",
)
_register(
    "release.request",
    {
        "side": _side(),
        "text": _text(False),
        "issue": _id(required=False),
        "message": _id(required=False),
        "note": _id(required=False),
    },
    ReleaseRequestSerializer,
    lambda actor, d: releases.release_request_create(
        actor=actor,
        side_id=d.get("side"),
        text=d.get("text") or None,
        issue_id=d.get("issue"),
        message_id=d.get("message"),
        note_id=d.get("note"),
    ),
    "Ask a side's party to let something be shared in the joint room (a message or note"
    " of the caucus, or words of one's own).",
)
_register(
    "release.answer",
    {
        "release": _id(),
        "version": _version(),
        "decision": serializers.CharField(),
        "mode": serializers.CharField(required=False),
        "text": _text(False),
        "attribution": serializers.CharField(required=False),
    },
    ReleaseRequestSerializer,
    lambda actor, d: releases.release_request_answer(
        actor=actor,
        release_id=d["release"],
        version=d["version"],
        decision=d["decision"],
        **_optional(d, "mode", "text", "attribution"),
    ),
    "Release (as worded, paraphrased, or only that an option exists) or decline.",
)
_register(
    "release.share",
    {
        "message": _id(required=False),
        "note": _id(required=False),
        "text": _text(False),
        "issue": _id(required=False),
    },
    ReleaseRequestSerializer,
    lambda actor, d: releases.release_share(
        actor=actor,
        message_id=d.get("message"),
        note_id=d.get("note"),
        text=d.get("text") or None,
        issue_id=d.get("issue"),
    ),
    "Share an unmarked caucus item (only under the rule that allows the mediator to).",
)
_register(
    "notifications.read",
    {"ids": serializers.ListField(child=_id(), required=False, max_length=1000)},
    ReadSerializer,
    lambda actor, d: {"read": notifications.notifications_read(actor=actor, ids=d.get("ids"))},
    "Mark notifications read: these ids, or all.",
)


def command_input(name: object, data: object) -> tuple[Command, Data]:
    """The command and its validated data. Raises Invalid naming the bad fields."""
    command = COMMANDS.get(name) if isinstance(name, str) else None
    if command is None:
        raise Invalid(f"Unknown command {str(name)[:40]!r}.", code="unknown_command")
    if not isinstance(data, dict):
        raise Invalid("A command's data is an object.", details={"data": ["Send an object."]})
    serializer = command.input(data=data)
    if not serializer.is_valid():
        raise Invalid("Some fields need attention.", details=dict(serializer.errors))
    return command, dict(serializer.validated_data)


def command_execute(*, actor: Participant, client_id: object, name: object, data: object) -> Data:
    """Run a client command once per client id and return its result payload.

    A repeat of a client id returns the stored result of the first run, with no second
    effect, also while the first is still running (a replay after a reconnect): the id
    is claimed before the command runs, so the repeat waits for the first run's
    transaction and then reads its result. Reusing an id for another command is Invalid.
    Errors are not stored: a command that failed may be sent again.
    """
    if not isinstance(client_id, str) or not 1 <= len(client_id) <= CLIENT_ID_MAX:
        raise Invalid(
            "A command needs an id.",
            details={"id": [f"Send a unique id of 1 to {CLIENT_ID_MAX} characters."]},
        )
    command, validated = command_input(name, data)
    receipt = _receipt(actor, client_id)
    if receipt is not None:
        return _repeat(receipt, command)
    try:
        with transaction.atomic():
            # Claim the id first. A repeat racing this run blocks on the same unique key
            # (PostgreSQL) or the write lock (SQLite) until this transaction ends, then
            # finds the receipt; checked after the command's own locks instead, it would
            # meet this run's effect as a conflict.
            receipt = CommandReceipt.objects.create(
                participant=actor, client_id=client_id, name=command.name, result={}
            )
            result = dict(command.output(command.run(actor, validated)).data)
            receipt.result = result
            receipt.save(update_fields=["result"])
    except IntegrityError:
        # The same id was claimed at the same moment elsewhere (a replay racing the
        # original) and that run committed; its result is the answer.
        receipt = _receipt(actor, client_id)
        if receipt is None:
            raise
        return _repeat(receipt, command)
    return result


def _receipt(actor: Participant, client_id: str) -> CommandReceipt | None:
    return CommandReceipt.objects.filter(participant=actor, client_id=client_id).first()


def _repeat(receipt: CommandReceipt, command: Command) -> Data:
    if receipt.name != command.name:
        raise Invalid(
            "That command id was used for another command.",
            code="id_reused",
            details={"id": ["Use a new id for each command."]},
        )
    result: Data = receipt.result
    return result
