"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import gc
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ggzy.settings")

from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

from django.conf import settings  # noqa: E402

# a server process: full collections and the GIL's 5 ms turns stalled the live hall (settings.py)
if settings.GGZY_GC_THRESHOLDS:
    gc.set_threshold(*settings.GGZY_GC_THRESHOLDS)
sys.setswitchinterval(settings.GGZY_SWITCH_INTERVAL)

from channels.auth import AuthMiddlewareStack  # noqa: E402

from ggzy.accounts.secondfactor import WebSocketSecondFactorMiddleware  # noqa: E402
from ggzy.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(WebSocketSecondFactorMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
