"""Run by test_socket in a fresh interpreter with DJANGO_ENV=production: builds the ASGI
application Daphne serves under the production settings, on a database of its own, and
prints as JSON the settings it ran under and who the socket handshake let in."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from django.conf import settings


def main() -> None:
    from config.asgi import application  # sets Django up, under the production settings

    report(application)


def report(application: Any) -> None:
    from channels.testing import WebsocketCommunicator
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client

    from accounts.models import User
    from negotiation.models import Role
    from negotiation.services.mediations import mediation_create, participant_join

    call_command("migrate", verbosity=0)
    maya = User.objects.create_user("maya@example.com", is_mediator=True)
    alex = User.objects.create_user("alex@example.com")
    otto = User.objects.create_user("otto@example.com")
    mediation = mediation_create(creator=maya, title="Alex & Sam", side_names=["Alex", "Sam"])
    with transaction.atomic():
        participant_join(
            mediation=mediation, user=alex, role=Role.PARTY, side=mediation.sides.first()
        )

    def cookie(user: User) -> bytes:
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        return f"{name}={client.cookies[name].value}".encode()

    own = b"https://parley.example.org"
    cases: dict[str, tuple[bytes | None, bytes | None]] = {
        "party, own origin": (cookie(alex), own),
        "party, foreign origin": (cookie(alex), b"https://evil.example.com"),
        "party, own host on another port": (cookie(alex), b"https://parley.example.org:8443"),
        "party, own host over plain http": (cookie(alex), b"http://parley.example.org"),
        "party, no origin": (cookie(alex), None),
        "outsider, own origin": (cookie(otto), own),
        "anonymous, own origin": (None, own),
    }

    async def connects(session: bytes | None, origin: bytes | None) -> bool:
        # As the proxy in front passes it on: TLS ended there.
        headers = [(b"host", b"parley.example.org"), (b"x-forwarded-proto", b"https")]
        if origin is not None:
            headers.append((b"origin", origin))
        if session is not None:
            headers.append((b"cookie", session))
        socket = WebsocketCommunicator(application, f"/ws/mediations/{mediation.pk}/", headers)
        connected, _ = await socket.connect(timeout=10)
        await socket.disconnect()
        return bool(connected)

    async def run_all() -> dict[str, bool]:
        return {name: await connects(*case) for name, case in cases.items()}

    print(
        json.dumps(
            {
                "settings": {
                    "DEBUG": settings.DEBUG,
                    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
                    "SECRET_KEY": settings.SECRET_KEY,
                    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
                    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
                    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
                },
                "connected": asyncio.run(run_all()),
            }
        )
    )


if __name__ == "__main__":
    main()
