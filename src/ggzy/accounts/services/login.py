"""Login: the password step with lockout, and the TOTP second factor (enrolment and verification).

A failed attempt must be recorded even though it fails, so these services commit their
bookkeeping (counter, lock, audit event) in their own transaction and raise afterwards.
The password is never recorded; an unknown user name gets the same message as a wrong password,
but the audit trail tells them apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from ggzy.accounts import totp
from ggzy.accounts.models import User
from ggzy.audit.services import record
from ggzy.core import clock
from ggzy.core.errors import DomainError, FieldError, InvalidInput, PermissionDenied, invalid

BAD_CREDENTIALS = "用户名或密码不正确"
BAD_CODE = "动态口令不正确或已使用，请输入验证器上新的口令"


def lock_message(until: dt.datetime) -> str:
    local = until.astimezone(clock.CHINA)
    return f"连续登录失败次数过多，账户已锁定，请于 {local:%Y-%m-%d %H:%M}（北京时间）后再试，或联系平台管理员解锁"


def _is_locked(user: User, now: dt.datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _fail(user: User, now: dt.datetime, reason: str, step: str) -> DomainError:
    """Count one failure (locking at the limit), record it, and return the error to raise."""
    user.failed_logins += 1
    locked = user.failed_logins >= settings.GGZY_LOGIN_MAX_FAILURES
    if locked:
        user.locked_until = now + dt.timedelta(minutes=settings.GGZY_LOGIN_LOCK_MINUTES)
    user.save(update_fields=["failed_logins", "locked_until"])
    summary: dict[str, Any] = {"reason": reason, "step": step, "failures": user.failed_logins}
    if locked:
        summary["locked_until"] = user.locked_until.isoformat()
    record(
        actor=None,
        action="user.locked" if locked else "user.login_failed",
        object_type="user",
        object_id=user.pk,
        summary=summary,
    )
    if locked:
        return PermissionDenied("auth.locked", lock_message(user.locked_until))
    if step == "totp":
        return invalid([FieldError("auth.totp_invalid", BAD_CODE, "code")])
    return InvalidInput("auth.invalid_credentials", BAD_CREDENTIALS)


def _refuse_locked(user: User, step: str) -> DomainError:
    record(
        actor=None,
        action="user.login_refused",
        object_type="user",
        object_id=user.pk,
        summary={"reason": "locked", "step": step, "locked_until": user.locked_until.isoformat()},
    )
    return PermissionDenied("auth.locked", lock_message(user.locked_until))


def login_password(*, username: str, password: str) -> User:
    """Check a user name and password. Raises ``auth.invalid_credentials`` or ``auth.locked``.

    After ``GGZY_LOGIN_MAX_FAILURES`` failures in a row the account locks for
    ``GGZY_LOGIN_LOCK_MINUTES``; while locked even the right password is refused.
    """
    error: DomainError | None = None
    with transaction.atomic():
        now = clock.now()
        user = User.objects.select_for_update().filter(username=username or "").first()
        if user is None:
            make_password(password)  # same work as a real check: timing does not tell
            record(
                actor=None,
                action="user.login_failed",
                object_type="user",
                object_id="",
                summary={"reason": "unknown_user", "step": "password", "username": (username or "")[:150]},
            )
            error = InvalidInput("auth.invalid_credentials", BAD_CREDENTIALS)
        elif _is_locked(user, now):
            error = _refuse_locked(user, "password")
        else:
            if user.locked_until is not None:  # the lock ran out: start counting afresh
                user.failed_logins = 0
                user.locked_until = None
            if not user.check_password(password or ""):
                error = _fail(user, now, "bad_password", "password")
            elif not user.is_active:
                record(
                    actor=None,
                    action="user.login_failed",
                    object_type="user",
                    object_id=user.pk,
                    summary={"reason": "inactive", "step": "password"},
                )
                error = InvalidInput("auth.invalid_credentials", BAD_CREDENTIALS)
            else:
                user.failed_logins = 0
                user.save(update_fields=["failed_logins", "locked_until"])
                login_record(user=user, step="password")
    if error is not None:
        raise error
    return user


def login_record(*, user: User, step: str) -> None:
    """The audit event of a passed login step (called inside the step's transaction)."""
    record(
        actor=user,
        action="user.login",
        object_type="user",
        object_id=user.pk,
        summary={"step": step, "second_factor_pending": step == "password" and second_factor_due(user)},
    )


def second_factor_due(user: Any) -> bool:
    return bool(settings.GGZY_TOTP_REQUIRED and getattr(user, "needs_second_factor", False))


@transaction.atomic
def totp_enrolment_start(*, user: User) -> User:
    """Give an account without a confirmed second factor a secret to scan (kept until confirmed)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.totp_confirmed:
        raise InvalidInput("totp.already_enrolled", "已绑定动态口令，如需更换请联系平台管理员")
    if user.totp_secret:
        return user
    user.totp_secret = totp.new_secret()
    user.save(update_fields=["totp_secret"])
    record(actor=user, action="user.totp_enrolment_start", object_type="user", object_id=user.pk, summary={})
    return user


def _check_code(*, user: User, code: str, step_name: str) -> User:
    error: DomainError | None = None
    with transaction.atomic():
        now = clock.now()
        user = User.objects.select_for_update().get(pk=user.pk)
        if _is_locked(user, now):
            error = _refuse_locked(user, step_name)
        elif not user.totp_secret:
            error = InvalidInput("totp.not_enrolled", "尚未绑定动态口令")
        elif step_name == "totp_enrol" and user.totp_confirmed:
            error = InvalidInput("totp.already_enrolled", "已绑定动态口令")
        else:
            step = totp.matching_step(user.totp_secret, code, now, after_step=user.last_totp_step)
            if step is None:
                error = _fail(user, now, "bad_code", "totp")
            else:
                user.last_totp_step = step
                user.failed_logins = 0
                user.locked_until = None
                fields = ["last_totp_step", "failed_logins", "locked_until"]
                if step_name == "totp_enrol":
                    user.totp_confirmed = True
                    fields.append("totp_confirmed")
                user.save(update_fields=fields)
                login_record(user=user, step=step_name)
    if error is not None:
        raise error
    return user


def totp_confirm(*, user: User, code: str) -> User:
    """Finish enrolment with a first good code from the authenticator app."""
    return _check_code(user=user, code=code, step_name="totp_enrol")


def totp_verify(*, user: User, code: str) -> User:
    """The second login step. A code is accepted once: a replay of the same step is refused."""
    if not user.totp_confirmed:
        raise InvalidInput("totp.not_enrolled", "尚未绑定动态口令")
    return _check_code(user=user, code=code, step_name="totp")
