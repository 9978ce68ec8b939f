"""The command registry: what a client may ask for, shared by the socket
(`{"type": "command", "id", "name", "data"}`) and the REST mirror
(`POST /api/mediations/<id>/commands/<name>/`).

A command names its service function and declares its input fields; nothing stands in
between. Each input field goes to the service keyword of the same name, or `<name>_id`
(`issue` → `issue_id`), or the one `arguments` names; fields listed in `grouped` go
together as `changes`. The service checks rights and rules, and owns each field's limits
(the model's). A command carries a client-generated id: a repeat with the same id has no
second effect and gets the first result back.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from rest_framework import serializers

from config.errors import Invalid, NotAllowed

from ..models import CommandReceipt, Participant
from ..permissions import mediation_closed
from ..serializers import payload_made, payloads_kept

CLIENT_ID_MAX = 64
# What a closed mediation still takes: nothing is said or changed by these.
OPEN_WHEN_CLOSED = frozenset({"notifications.read"})

Data = dict[str, Any]
Fields = dict[str, serializers.Field[Any, Any, Any, Any]]


@dataclass(frozen=True)
class Command:
    name: str
    service: Callable[..., Any]
    input: type[serializers.Serializer[Any]]
    output: type[serializers.Serializer[Any]]
    summary: str
    # input field -> service keyword, for every field not in `grouped`
    arguments: Mapping[str, str] = field(default_factory=dict)
    grouped: tuple[str, ...] = ()
    # for a service that answers a plain value: the result is {result_key: value}
    result_key: str | None = None
    # Keeps no receipt naming its sender: the service gets the client id and recognises
    # a repeat itself (an anonymous brainstorm option, services/brainstorm.py).
    anonymous: bool = False

    def run(self, actor: Participant, data: Data, client_id: str | None = None) -> Any:
        changes = {name: value for name, value in data.items() if name in self.grouped}
        kwargs = {self.arguments[name]: v for name, v in data.items() if name not in self.grouped}
        if self.grouped:
            kwargs["changes"] = changes
        if self.anonymous:
            kwargs["client_id"] = client_id
        result = self.service(actor=actor, **kwargs)
        return {self.result_key: result} if self.result_key else result


COMMANDS: dict[str, Command] = {}


def _title(name: str) -> str:
    # issue.move -> IssueMove, for the OpenAPI schema's component names.
    return "".join(part.title() for part in name.replace("_", ".").split("."))


def command(
    name: str,
    service: Callable[..., Any],
    *,
    fields: Fields,
    summary: str,
    output: type[serializers.Serializer[Any]] | None = None,
    answer: tuple[str, serializers.Field[Any, Any, Any, Any]] | None = None,
    arguments: Mapping[str, str] | None = None,
    grouped: tuple[str, ...] = (),
    anonymous: bool = False,
) -> Command:
    """Register a command: its result is the service's answer shown by `output`, or,
    for a service that answers a plain value, `{name: value}` with `answer=(name, field)`.
    Fails at import when a field reaches no keyword of the service, so a command and
    its service cannot drift apart unnoticed."""
    if name in COMMANDS:
        raise ImproperlyConfigured(f"Command {name} is registered twice.")
    parameters = inspect.signature(service).parameters
    open_keywords = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    mapping: dict[str, str] = {}
    for field_name in fields:
        if field_name in grouped:
            continue
        target = (arguments or {}).get(field_name)
        if target is None:
            as_id = f"{field_name}_id"
            target = as_id if as_id in parameters and field_name not in parameters else field_name
        if target not in parameters and not open_keywords:
            raise ImproperlyConfigured(f"{name}: {service.__name__} takes no {target!r}.")
        mapping[field_name] = target
    if anonymous and "client_id" not in parameters:
        raise ImproperlyConfigured(f"{name}: {service.__name__} takes no client_id.")
    if grouped and "changes" not in parameters:
        raise ImproperlyConfigured(f"{name}: {service.__name__} takes no changes.")
    result_key = None
    if answer is not None:
        result_key, answer_field = answer
        output = type(
            f"{_title(name)}Output", (serializers.Serializer,), {result_key: answer_field}
        )
    if output is None:
        raise ImproperlyConfigured(f"{name}: give an output serializer or an answer.")
    entry = Command(
        name=name,
        service=service,
        input=type(f"{_title(name)}Input", (serializers.Serializer,), dict(fields)),
        output=output,
        summary=summary,
        arguments=mapping,
        grouped=grouped,
        result_key=result_key,
        anonymous=anonymous,
    )
    COMMANDS[name] = entry
    return entry


def command_input(name: object, data: object) -> tuple[Command, Data]:
    """The command and its validated data. Raises Invalid naming the bad fields."""
    entry = COMMANDS.get(name) if isinstance(name, str) else None
    if entry is None:
        raise Invalid(f"Unknown command {str(name)[:40]!r}.", code="unknown_command")
    if not isinstance(data, dict):
        raise Invalid("A command's data is an object.", details={"data": ["Send an object."]})
    serializer = entry.input(data=data)
    if not serializer.is_valid():
        raise Invalid("Some fields need attention.", details=dict(serializer.errors))
    return entry, dict(serializer.validated_data)


def command_execute(*, actor: Participant, client_id: object, name: object, data: object) -> Data:
    """Run a client command once per client id and return its result payload.

    A repeat of a client id returns the stored result of the first run, with no second
    effect, also while the first is still running (a replay after a reconnect): the id
    is claimed before the command runs, so the repeat waits for the first run's
    transaction and then reads its result (run_once). Reusing an id for another command
    is Invalid. Errors are not stored: a command that failed may be sent again. An
    `anonymous` command keeps no receipt: its service recognises a repeat. A closed
    mediation refuses every command but those in OPEN_WHEN_CLOSED (NotAllowed, code
    `closed`).
    """
    checked = client_id_check(client_id)
    entry, validated = command_input(name, data)
    if entry.anonymous:
        if mediation_closed(actor):
            raise NotAllowed("This mediation is closed.", code="closed")
        with transaction.atomic():
            return dict(entry.output(entry.run(actor, validated, checked)).data)

    def run() -> Data:
        if mediation_closed(actor) and entry.name not in OPEN_WHEN_CLOSED:
            raise NotAllowed("This mediation is closed.", code="closed")
        with payloads_kept() as made:
            returned = entry.run(actor, validated)
        # The event's payload of the object returned is the answer: serialized once.
        return payload_made(made, returned, entry.output) or dict(entry.output(returned).data)

    return run_once(actor=actor, client_id=checked, name=entry.name, run=run)


def client_id_check(client_id: object) -> str:
    """`client_id`, if it is an id a receipt can keep; else Invalid."""
    # Printable: an id is stored, and no database keeps a NUL or a lone surrogate.
    if (
        not isinstance(client_id, str)
        or not 1 <= len(client_id) <= CLIENT_ID_MAX
        or not client_id.isprintable()
    ):
        raise Invalid(
            "A command needs an id.",
            details={"id": [f"Send a unique id of 1 to {CLIENT_ID_MAX} printable characters."]},
        )
    return client_id


def run_once(*, actor: Participant, client_id: str, name: str, run: Callable[[], Data]) -> Data:
    """Call `run` (a change, in this transaction) once per actor and client id, and keep
    its result: a repeat of the id returns that result with no second effect. The commands
    use it, and so does what changes state over REST outside them (a document's upload,
    with its `Idempotency-Key`). Raises Invalid (code `id_reused`) for an id first used
    for another `name`, and whatever `run` raises (then nothing is kept)."""
    try:
        with transaction.atomic():
            # Claim the id first: a repeat fails on the unique key, at once if the first
            # run committed, else once its transaction ends (PostgreSQL blocks on the key,
            # SQLite on the write lock), and then finds the receipt. Checked after the
            # command's own locks instead, it would meet the first run's effect as a
            # conflict; looked up before, it would cost every command a query.
            receipt = CommandReceipt.objects.create(
                participant=actor, client_id=client_id, name=name, result={}
            )
            result = run()
            receipt.result = result
            receipt.save(update_fields=["result"])
    except IntegrityError:
        # The id was claimed by a run that committed (a repeat, or a replay racing the
        # original): its result is the answer.
        first = _receipt(actor, client_id)
        if first is None:
            raise
        return _repeat(first, name)
    return result


def _receipt(actor: Participant, client_id: str) -> CommandReceipt | None:
    return CommandReceipt.objects.filter(participant=actor, client_id=client_id).first()


def _repeat(receipt: CommandReceipt, name: str) -> Data:
    if receipt.name != name:
        raise Invalid(
            "That command id was used for another command.",
            code="id_reused",
            details={"id": ["Use a new id for each command."]},
        )
    result: Data = receipt.result
    return result
