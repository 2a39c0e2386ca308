"""The session state of the second factor.

A login that passed the password but not yet the TOTP step is *pending*: the session carries
``PENDING_KEY`` = the user's id. Every password login of an account that needs a second factor
is marked (``LockoutBackend`` flags the request, the ``user_logged_in`` handler marks the session),
whatever view did the login (the login page, the admin's login form, ``Client.login``); the
middleware then allows only the TOTP and logout pages, and API session auth refuses the session.
"""

from __future__ import annotations

from typing import Any

PENDING_KEY = "ggzy_second_factor_pending"
REQUEST_FLAG = "ggzy_second_factor_pending"


def is_pending(request: Any) -> bool:
    session = getattr(request, "session", None)
    if session is None:
        return False
    return session.get(PENDING_KEY) is not None


def mark_pending(request: Any, user: Any) -> None:
    request.session[PENDING_KEY] = user.pk


def clear_pending(request: Any) -> None:
    request.session.pop(PENDING_KEY, None)
    request.session.cycle_key()


def on_user_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` handler: a password login that still owes the TOTP step becomes pending."""
    if request is not None and getattr(request, REQUEST_FLAG, False) and hasattr(request, "session"):
        mark_pending(request, user)


class WebSocketSecondFactorMiddleware:
    """Channels middleware (inside AuthMiddlewareStack): a WebSocket opened by a session that has
    not passed its second factor counts as anonymous, as the HTTP middleware and the API do."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        session = scope.get("session")
        if session is not None and session.get(PENDING_KEY) is not None:
            from django.contrib.auth.models import AnonymousUser

            scope = dict(scope, user=AnonymousUser())
        return await self.inner(scope, receive, send)
