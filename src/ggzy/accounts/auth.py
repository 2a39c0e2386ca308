"""Authentication for the API routers of every app: ``auth=api_auth``.

``api_auth`` tries a bearer token (``Authorization: Bearer ggzy_...``) and then the browser
session; a session still owing its second factor is refused. Both set ``request.user``.
"""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from ggzy.accounts import secondfactor
from ggzy.accounts.services.tokens import token_authenticate


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
            request.ggzy_api_token = True
        return user


class SecondFactorSessionAuth(SessionAuth):
    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or secondfactor.is_pending(request):
            return None
        return user


bearer = BearerTokenAuth()
session_auth = SecondFactorSessionAuth()
api_auth = [bearer, session_auth]

__all__ = ["api_auth", "bearer", "session_auth"]
