"""The ASGI entry point Daphne serves: HTTP through Django, websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Set Django up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.origins import SameOriginValidator  # noqa: E402
from negotiation.routing import websocket_urlpatterns  # noqa: E402


def websocket_application() -> SameOriginValidator:
    """The socket stack: only Parley's own origin, then the session, then the route."""
    return SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))


application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application()})
