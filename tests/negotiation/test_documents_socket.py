"""Documents over the socket: a share is announced only to its room's audience, live;
the socket carries no file (sharing is REST, multipart), and the commands around
documents run over it like any other."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile

from negotiation.models import Participant
from negotiation.services.documents import document_share
from tests.conftest import Cast, acknowledge_rule, run
from tests.negotiation.test_socket import next_frame, open_socket, session_cookie
from tests.negotiation.test_socket_revocation import frames_until_quiet

PDF = b"%PDF-1.4\n%%EOF\n"


def share(cast: Cast, who: str, room: str) -> int:
    actor = Participant.objects.select_related("mediation", "side").get(
        pk=cast.participants[who].pk
    )
    return document_share(actor=actor, room=room, file=SimpleUploadedFile("bank.pdf", PDF)).pk


def names(frames: list[dict[str, Any]]) -> list[str]:
    return [frame["name"] for frame in frames if frame["type"] == "event"]


async def test_a_private_document_reaches_only_its_rooms_sockets(
    live_cast: Cast, tmp_path: Path, settings: Any
) -> None:
    settings.PARLEY_DOCUMENTS_DIR = tmp_path
    await sync_to_async(acknowledge_rule)(live_cast)
    who = ("mediator", "party_a", "party_b", "attorney_a", "observer")
    sockets = {}
    for name in who:
        cookie = await sync_to_async(session_cookie)(getattr(live_cast, name))
        sockets[name] = await open_socket(live_cast, cookie)
    for socket in sockets.values():
        await next_frame(socket)
    await sync_to_async(share)(live_cast, "party_a", f"caucus:{live_cast.side_a.pk}")
    received = {name: names(await frames_until_quiet(socket)) for name, socket in sockets.items()}
    for socket in sockets.values():
        await socket.disconnect()
    assert received == {
        "mediator": ["document.shared"],
        "party_a": ["document.shared"],
        "party_b": [],
        "attorney_a": ["document.shared"],
        "observer": [],
    }


async def test_the_information_commands_run_over_the_socket(
    live_cast: Cast, tmp_path: Path, settings: Any
) -> None:
    settings.PARLEY_DOCUMENTS_DIR = tmp_path
    issue = await sync_to_async(run)(live_cast, "mediator", "issue.create", title="Pension")
    sam = await open_socket(live_cast, await sync_to_async(session_cookie)(live_cast.party_b))
    alex = await open_socket(live_cast, await sync_to_async(session_cookie)(live_cast.party_a))
    await next_frame(sam)
    await next_frame(alex)
    await sam.send_json_to(
        {
            "type": "command",
            "id": str(uuid.uuid4()),
            "name": "information.request",
            "data": {"issue": issue["id"], "text": "The valuation"},
        }
    )
    frames = [await next_frame(sam)]
    while not any(frame["type"] == "ack" for frame in frames):
        frames.append(await next_frame(sam))
    frames += await frames_until_quiet(sam)
    heard_by_alex = await frames_until_quiet(alex)
    await sam.disconnect()
    await alex.disconnect()
    [ack] = [frame for frame in frames if frame["type"] == "ack"]
    [event] = [frame for frame in frames if frame["type"] == "event"]
    assert ack["result"]["status"] == "more_wanted"
    assert (event["room"], event["name"]) == (
        f"caucus:{live_cast.side_b.pk}",
        "information.checked",
    )
    assert names(heard_by_alex) == []
