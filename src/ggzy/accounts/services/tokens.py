"""API tokens for trading systems and scripts (``Authorization: Bearer ggzy_...``).

Only the SHA-256 digest is stored; the token is shown once when issued. Tokens are issued by
their owner from a fully logged-in session (password and, for staff, the second factor).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction

from ggzy.accounts.models import ApiToken, User
from ggzy.audit.services import record
from ggzy.core import clock
from ggzy.core.errors import Conflict, FieldError, NotFound, PermissionDenied, invalid
from ggzy.core.permissions import allowed

TOKEN_PREFIX = "ggzy_"
DEFAULT_DAYS = 180
MAX_DAYS = 365
MAX_ACTIVE = 20
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # write last_used_at at most once a minute


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def token_issue(
    *, user: User, name: str, expires_in_days: int | None = None, actor: Any
) -> tuple[ApiToken, str]:
    """Issue a token for ``user`` (only by the user). Returns the row and the token text (shown once)."""
    if actor is None or getattr(actor, "pk", None) != user.pk or not user.is_active:
        raise PermissionDenied("token.not_owner", "只能为自己的账户签发访问令牌")
    name = str(name or "").strip()
    errors: list[FieldError] = []
    if not name:
        errors.append(FieldError("token.name_required", "请填写令牌名称（例如对接的系统名称）", "name"))
    elif len(name) > 100:
        errors.append(FieldError("token.name_too_long", "令牌名称不能超过100个字", "name"))
    days = DEFAULT_DAYS if expires_in_days is None else expires_in_days
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors.append(FieldError("token.expiry_invalid", f"有效期应为1至{MAX_DAYS}天", "expires_in_days"))
    if errors:
        raise invalid(errors, "令牌信息")
    now = clock.now()
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).count()
    if active >= MAX_ACTIVE:
        raise Conflict("token.too_many", f"有效令牌已达{MAX_ACTIVE}个，请先吊销不用的令牌")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:12],
        token_hash=digest(raw),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    record(
        actor=actor,
        action="api_token.issue",
        object_type="api_token",
        object_id=token.pk,
        summary={
            "user": user.pk,
            "name": name,
            "prefix": token.prefix,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken | int, actor: Any) -> ApiToken:
    """Revoke a token: by its owner, or by a platform administrator (e.g. after a leak)."""
    pk = getattr(token, "pk", token)
    token = ApiToken.objects.select_for_update().filter(pk=pk).first()
    owner = token is not None and getattr(actor, "pk", None) == token.user_id
    if token is None or not (owner or allowed(actor, "masterdata.manage")):
        raise NotFound("token.not_found", "访问令牌不存在")
    if token.revoked_at is not None:
        raise Conflict("token.already_revoked", "该令牌已吊销")
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    record(
        actor=actor,
        action="api_token.revoke",
        object_type="api_token",
        object_id=token.pk,
        summary={"user": token.user_id, "prefix": token.prefix},
    )
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user a bearer token stands for, or None. Notes the time of use (not audited:
    bookkeeping, at most once a minute)."""
    raw = (raw or "").strip()
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=digest(raw)).first()
    now = clock.now()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
