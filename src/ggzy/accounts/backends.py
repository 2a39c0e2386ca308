"""Authentication backend: password check with lockout (``services.login_password``)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from ggzy.accounts import secondfactor
from ggzy.accounts.models import User
from ggzy.accounts.services.login import login_password, second_factor_due
from ggzy.core.errors import DomainError


class LockoutBackend(ModelBackend):
    """Every password login goes through here, including the admin's login form.

    The domain error of a refused attempt is left on ``request.ggzy_login_error`` so the login
    page can say that (and until when) the account is locked. An account that owes a second
    factor is flagged on the request; the session becomes *pending* when it logs in.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = login_password(username=username, password=password)
        except DomainError as exc:
            if request is not None:
                request.ggzy_login_error = exc
            return None
        if second_factor_due(user):
            if request is None:
                return None  # no session to hold the pending second factor: fail closed
            setattr(request, secondfactor.REQUEST_FLAG, True)
        return user
