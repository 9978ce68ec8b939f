"""The ASGI entry point Daphne serves: HTTP through Django, websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Set Django up before anything imports models.
django_asgi_app = get_asgi_application()

from typing import Any  # noqa: E402

from channels import auth  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import CookieMiddleware, SessionMiddleware  # noqa: E402

from config.origins import SameOriginValidator  # noqa: E402
from negotiation.routing import websocket_urlpatterns  # noqa: E402
from negotiation.socket.db import database_call  # noqa: E402


class SessionUserMiddleware(auth.AuthMiddleware):
    """Channels' AuthMiddleware, with the session and its user read on the sockets'
    database threads (negotiation/socket/db.py) instead of Channels' one thread, where
    every handshake of the process waited in line behind the others."""

    async def resolve_scope(self, scope: Any) -> None:
        scope["user"]._wrapped = await database_call(auth.get_user.func)(scope)


def websocket_application() -> SameOriginValidator:
    """The socket stack: only Parley's own origin, then the session, then the route."""
    return SameOriginValidator(
        CookieMiddleware(SessionMiddleware(SessionUserMiddleware(URLRouter(websocket_urlpatterns))))
    )


application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application()})
