"""Keeps staff who passed the password but not yet the TOTP step out of everything else."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseRedirect
from django.urls import reverse

from ggzy.accounts import secondfactor

ALLOWED_URL_NAMES = ("accounts:totp", "accounts:logout")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and secondfactor.is_pending(request):
            path = request.path_info
            allowed = {reverse(name) for name in ALLOWED_URL_NAMES}
            static = path.startswith("/static/")
            if path.startswith("/api/"):
                # The half-logged-in session counts for nothing in the API (a bearer token still works).
                request.user = AnonymousUser()
            elif path not in allowed and not static:
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('accounts:totp')}?{query}")
        return self.get_response(request)
