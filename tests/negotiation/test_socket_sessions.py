"""A socket does not outlive the credentials it was opened with: a password changed in
another browser, by the admin or from the command line, all sessions ended, or the
account deactivated, closes every socket whose session no longer holds, before anything
said afterwards reaches it. The browser that changed its own password keeps its socket."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from accounts.services.sessions import account_sessions_end
from tests.conftest import Cast, acknowledge_rule, run
from tests.negotiation.test_socket import PRESENCE_TYPES, communicator, next_frame
from tests.negotiation.test_socket_revocation import frames_until_quiet, is_a

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long and unusual passphrase 17"


def signed_in(user: User) -> tuple[Client, bytes]:
    client = Client()
    client.force_login(user)
    return client, f"sessionid={client.cookies['sessionid'].value}".encode()


async def socket_of(cast: Cast, cookie: bytes) -> Any:
    socket = communicator(f"/ws/mediations/{cast.mediation.pk}/", cookie)
    assert (await socket.connect())[0]
    await next_frame(socket)
    return socket


def said_in_caucus(cast: Cast, body: str) -> None:
    acknowledge_rule(cast, "party_a")
    run(cast, "party_a", "caucus_message.post", side=cast.side_a.pk, body=body)


def with_password(cast: Cast) -> User:
    user = cast.users["mediator"]
    user.set_password(PASSWORD)
    user.save()
    return User.objects.get(pk=user.pk)


async def command(socket: Any, name: str, **data: Any) -> dict[str, Any] | None:
    """The command's answer, or None when the socket closed instead."""
    await socket.send_json_to({"type": "command", "id": "c1", "name": name, "data": data})
    for frame in await frames_until_quiet(socket, until=is_a("ack", "error")):
        if frame["type"] in ("ack", "error", "closed"):
            return frame
    return None


async def test_a_password_changed_elsewhere_closes_the_other_sessions_socket(
    live_cast: Cast,
) -> None:
    mediator = await sync_to_async(with_password)(live_cast)
    here, here_cookie = await sync_to_async(signed_in)(mediator)
    _, there_cookie = await sync_to_async(signed_in)(mediator)
    stays, goes = await socket_of(live_cast, here_cookie), await socket_of(live_cast, there_cookie)
    changed = await sync_to_async(here.post)(
        "/api/auth/password/",
        json.dumps({"password": PASSWORD + "!", "current_password": PASSWORD}),
        content_type="application/json",
    )
    await sync_to_async(said_in_caucus)(live_cast, "AFTER-CHANGE")
    frames = await frames_until_quiet(goes, closing=True)
    assert changed.status_code == 204
    assert {"type": "closed", "code": 4401} in frames
    assert "AFTER-CHANGE" not in str(frames)
    answer = await command(stays, "issue.create", title="Still here")
    await stays.disconnect()
    assert answer is not None
    assert answer["type"] == "ack"


async def test_an_admin_setting_the_password_closes_the_accounts_sockets(
    live_cast: Cast,
) -> None:
    party = live_cast.users["party_a"]
    _, cookie = await sync_to_async(signed_in)(party)
    socket = await socket_of(live_cast, cookie)
    staff = Client()
    admin = await sync_to_async(User.objects.create_superuser)("ops@example.com", PASSWORD)
    await sync_to_async(staff.force_login)(admin)
    answer = await sync_to_async(staff.post)(
        f"/admin/accounts/user/{party.pk}/password/",
        {"password1": PASSWORD + "x", "password2": PASSWORD + "x", "usable_password": "true"},
    )
    await sync_to_async(said_in_caucus)(live_cast, "AFTER-ADMIN")
    frames = await frames_until_quiet(socket, closing=True)
    assert answer.status_code == 302
    assert {"type": "closed", "code": 4401} in frames
    assert "AFTER-ADMIN" not in str(frames)


async def test_a_password_changed_from_the_command_line_closes_the_sockets(
    live_cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    mediator = await sync_to_async(with_password)(live_cast)
    _, cookie = await sync_to_async(signed_in)(mediator)
    socket = await socket_of(live_cast, cookie)
    monkeypatch.setattr("getpass.getpass", lambda *a, **k: PASSWORD + "?")
    await sync_to_async(call_command)("changepassword", mediator.email)
    frames = await frames_until_quiet(socket, closing=True)
    assert {"type": "closed", "code": 4401} in frames


async def test_ending_all_sessions_closes_the_sockets(live_cast: Cast) -> None:
    party = live_cast.users["party_a"]
    _, cookie = await sync_to_async(signed_in)(party)
    socket = await socket_of(live_cast, cookie)
    await sync_to_async(account_sessions_end)(await sync_to_async(User.objects.get)(pk=party.pk))
    await sync_to_async(said_in_caucus)(live_cast, "AFTER-END")
    frames = await frames_until_quiet(socket, closing=True)
    assert {"type": "closed", "code": 4401} in frames
    assert "AFTER-END" not in str(frames)


async def test_a_command_on_a_socket_whose_session_no_longer_holds_is_refused(
    live_cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The channel layer lost the notice: the next command finds out by itself."""
    monkeypatch.setattr("accounts.socket_groups.group_tell", lambda group, message: None)
    party = live_cast.users["party_a"]
    _, cookie = await sync_to_async(signed_in)(party)
    socket = await socket_of(live_cast, cookie)
    await sync_to_async(account_sessions_end)(await sync_to_async(User.objects.get)(pk=party.pk))
    await sync_to_async(acknowledge_rule)(live_cast, "party_a")
    answer = await command(
        socket, "caucus_message.post", side=live_cast.side_a.pk, body="SHOULD-NOT-POST"
    )
    posted = await sync_to_async(
        lambda: (
            live_cast.caucus(live_cast.side_a)
            .caucus_messages.filter(body="SHOULD-NOT-POST")
            .exists()
        )
    )()
    assert answer == {"type": "closed", "code": 4401}
    assert not posted


async def test_a_heartbeat_finds_a_session_that_no_longer_holds(
    live_cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("accounts.socket_groups.group_tell", lambda group, message: None)
    monkeypatch.setattr("negotiation.socket.session.SESSION_CHECK_SECONDS", 0.0)
    party = live_cast.users["party_a"]
    _, cookie = await sync_to_async(signed_in)(party)
    socket = await socket_of(live_cast, cookie)
    await sync_to_async(account_sessions_end)(await sync_to_async(User.objects.get)(pk=party.pk))
    await socket.send_json_to({"type": "ping"})
    frames = await frames_until_quiet(socket, closing=True)
    shown = [f for f in frames if f["type"] not in PRESENCE_TYPES]
    assert shown == [{"type": "closed", "code": 4401}]


async def test_deactivating_the_account_closes_its_sockets(live_cast: Cast) -> None:
    observer = live_cast.users["observer"]
    _, cookie = await sync_to_async(signed_in)(observer)
    socket = await socket_of(live_cast, cookie)

    def deactivate() -> None:
        user = User.objects.get(pk=observer.pk)
        user.is_active = False
        user.save()

    await sync_to_async(deactivate)()
    frames = await frames_until_quiet(socket, closing=True)
    assert {"type": "closed", "code": 4401} in frames
