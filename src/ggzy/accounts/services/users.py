"""Accounts: creation with a role and its one organisation, deactivation, unlocking, passwords.

The database constraint ``user_org_matches_role`` is the last line; ``user_validate`` says the same
thing first, in Chinese, so nobody meets an IntegrityError.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from ggzy.accounts.models import (
    ENTITY_ROLES,
    OVERSIGHT_ROLES,
    Department,
    OversightBody,
    OversightKind,
    Role,
    ServiceCenter,
    User,
)
from ggzy.audit.services import diff, record
from ggzy.core.errors import Conflict, FieldError, NotFound, PermissionDenied, invalid
from ggzy.core.permissions import require

ORG_FIELDS = ("service_center", "department", "oversight_body")
ORG_LABELS = {
    "service_center": "交易服务中心",
    "department": "行政监督部门",
    "oversight_body": "监察审计机构",
}
# which organisation each role must belong to (None: none at all)
ORG_OF_ROLE: dict[str, str | None] = {
    Role.OPERATOR: "service_center",
    Role.SUPERVISOR: "department",
    Role.INSPECTOR: "oversight_body",
    Role.AUDITOR: "oversight_body",
    Role.ENTITY_MEMBER: None,
    Role.ENTITY_ADMIN: None,
    Role.EXPERT: None,
    Role.PLATFORM_ADMIN: None,
}
_ORG_MODELS = {"service_center": ServiceCenter, "department": Department, "oversight_body": OversightBody}


def _text(value: Any) -> str:
    return str(value or "").strip()


def _messages(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


def _org(field: str, value: Any, errors: list[FieldError]) -> Any:
    if value in (None, ""):
        return None
    model = _ORG_MODELS[field]
    if isinstance(value, model):
        return value
    obj = model.objects.filter(pk=value).first() if str(value).isdigit() else None
    if obj is None:
        errors.append(FieldError(f"{field}.not_found", f"{ORG_LABELS[field]}“{value}”不存在", field))
    return obj


def _snapshot(u: User) -> dict[str, Any]:
    return {
        "username": u.username,
        "display_name": u.display_name,
        "email": u.email,
        "phone": u.phone,
        "role": u.role,
        "service_center": u.service_center_id,
        "department": u.department_id,
        "oversight_body": u.oversight_body_id,
        "is_active": u.is_active,
        "is_staff": u.is_staff,
    }


def user_validate(
    *,
    username: str,
    display_name: str,
    email: str = "",
    role: str,
    password: str | None = None,
    instance: User | None = None,
    **orgs: Any,
) -> tuple[list[FieldError], dict[str, Any]]:
    """Check an account's fields and that its organisation matches its role (no side effects).

    Returns the errors and the resolved organisations ({field: object or None}).
    """
    errors: list[FieldError] = []
    username, display_name, email = _text(username), _text(display_name), _text(email)
    if instance is None:
        if not username:
            errors.append(FieldError("username.required", "请填写用户名", "username"))
        elif len(username) > 150:
            errors.append(FieldError("username.too_long", "用户名不能超过150个字符", "username"))
        else:
            try:
                UnicodeUsernameValidator()(username)
            except ValidationError:
                errors.append(
                    FieldError("username.invalid", "用户名只能包含字母、数字和 @ . + - _ 字符", "username")
                )
            if User.objects.filter(username=username).exists():
                errors.append(FieldError("username.taken", f"用户名“{username}”已被使用", "username"))
    if not display_name:
        errors.append(FieldError("display_name.required", "请填写姓名", "display_name"))
    elif len(display_name) > 50:
        errors.append(FieldError("display_name.too_long", "姓名不能超过50个字", "display_name"))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(FieldError("email.invalid", f"电子邮箱“{email}”格式不正确", "email"))
    if role not in Role.values:
        errors.append(FieldError("role.unknown", f"角色“{role}”不存在", "role"))
    resolved = {f: _org(f, orgs.get(f), errors) for f in ORG_FIELDS}
    if role in Role.values:
        needed = ORG_OF_ROLE[role]
        label = Role(role).label
        for field in ORG_FIELDS:
            obj = resolved[field]
            if field == needed and obj is None and not any(e.field == field for e in errors):
                errors.append(
                    FieldError("user.organisation_required", f"{label}必须属于一个{ORG_LABELS[field]}", field)
                )
            elif field != needed and obj is not None:
                if needed is None:
                    msg = f"{label}不属于任何{ORG_LABELS[field]}，请不要选择{ORG_LABELS[field]}"
                else:
                    msg = (
                        f"{label}只能属于{ORG_LABELS[needed]}，不能同时属于{ORG_LABELS[field]}"
                        "（经办、监督和监察职责分离）"
                    )
                errors.append(FieldError("user.organisation_mismatch", msg, field))
        body = resolved["oversight_body"]
        if body is not None and role in OVERSIGHT_ROLES:
            want = OversightKind.INSPECTION if role == Role.INSPECTOR else OversightKind.AUDIT
            if body.kind != want:
                errors.append(
                    FieldError(
                        "user.organisation_mismatch",
                        f"{label}应属于{OversightKind(want).label}机构，“{body.name}”是{body.get_kind_display()}机构",
                        "oversight_body",
                    )
                )
        for field in ORG_FIELDS:
            obj = resolved[field]
            if obj is not None and hasattr(obj, "active") and not obj.active and field == needed:
                errors.append(FieldError(f"{field}.inactive", f"{ORG_LABELS[field]}“{obj}”已停用", field))
    if password is not None:
        if not password:
            errors.append(FieldError("password.required", "请设置密码", "password"))
        else:
            probe = instance or User(username=username, display_name=display_name, email=email)
            try:
                validate_password(password, probe)
            except ValidationError as exc:
                errors.append(FieldError("password.weak", _messages(exc), "password"))
    return errors, resolved


@transaction.atomic
def user_create(
    *,
    username: str,
    display_name: str,
    role: str,
    password: str,
    email: str = "",
    phone: str = "",
    service_center: Any = None,
    department: Any = None,
    oversight_body: Any = None,
    totp_secret: str = "",
    actor: Any,
) -> User:
    """A staff, expert or administrator account (entity accounts: ``account_create_for_entity``).

    Only platform administrators get ``is_staff`` (the Django admin is master data only).
    ``totp_secret`` pre-enrols the second factor (the demo loader uses it; it is never audited).
    """
    require(actor, "masterdata.manage")
    errors, orgs = user_validate(
        username=username,
        display_name=display_name,
        email=email,
        role=role,
        password=password,
        service_center=service_center,
        department=department,
        oversight_body=oversight_body,
    )
    if errors:
        raise invalid(errors, "账户信息")
    user = User(
        username=_text(username),
        display_name=_text(display_name),
        email=_text(email),
        phone=_text(phone),
        role=role,
        is_staff=role == Role.PLATFORM_ADMIN,
        **orgs,
    )
    if totp_secret:
        user.totp_secret = totp_secret
        user.totp_confirmed = True
    user.set_password(password)
    user.save()
    summary = _snapshot(user)
    summary["second_factor_preset"] = bool(totp_secret)
    record(actor=actor, action="user.create", object_type="user", object_id=user.pk, summary=summary)
    return user


@transaction.atomic
def account_create_for_entity(
    *,
    username: str,
    display_name: str,
    email: str,
    phone: str,
    password: str,
    role: str,
    actor: Any,
) -> User:
    """An entity member or administrator account, with no organisation.

    The entities app links it to its entity (``entities.Membership``) and checks permissions
    itself, so ``actor`` may be None (self-registration).
    """
    if role not in ENTITY_ROLES:
        raise invalid([FieldError("role.not_entity", "市场主体账户的角色只能是经办人或管理员", "role")])
    errors, _ = user_validate(
        username=username, display_name=display_name, email=email, role=role, password=password
    )
    if errors:
        raise invalid(errors, "账户信息")
    user = User(
        username=_text(username),
        display_name=_text(display_name),
        email=_text(email),
        phone=_text(phone),
        role=role,
    )
    user.set_password(password)
    user.save()
    record(actor=actor, action="user.create", object_type="user", object_id=user.pk, summary=_snapshot(user))
    return user


def _locked_user(user: User | int) -> User:
    pk = getattr(user, "pk", user)
    found = User.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound("user.not_found", "用户不存在")
    return found


_USER_FIELDS = ("display_name", "email", "phone", *ORG_FIELDS)


@transaction.atomic
def user_update(*, user: User | int, actor: Any, **changes: Any) -> User:
    """Change name, contacts or organisation (within the same role; a role never changes)."""
    require(actor, "masterdata.manage")
    user = _locked_user(user)
    unknown = set(changes) - set(_USER_FIELDS)
    if unknown:
        raise invalid(
            [FieldError("field.readonly", f"不能修改字段：{'、'.join(sorted(unknown))}", sorted(unknown)[0])]
        )
    values = {f: changes.get(f, getattr(user, f)) for f in ("display_name", "email", "phone")}
    orgs = {f: changes.get(f, getattr(user, f)) for f in ORG_FIELDS}
    errors, resolved = user_validate(username=user.username, role=user.role, instance=user, **values, **orgs)
    if errors:
        raise invalid(errors, "账户信息")
    before = _snapshot(user)
    for f in ("display_name", "email", "phone"):
        setattr(user, f, _text(values[f]))
    for f in ORG_FIELDS:
        setattr(user, f, resolved[f])
    change = diff(before, _snapshot(user))
    if not change:
        return user
    user.save(update_fields=[*("display_name", "email", "phone"), *ORG_FIELDS])
    record(actor=actor, action="user.update", object_type="user", object_id=user.pk, summary=change)
    return user


@transaction.atomic
def user_deactivate(*, user: User | int, reason: str = "", actor: Any) -> User:
    """Accounts are never deleted: deactivated, they can no longer log in or use tokens."""
    require(actor, "masterdata.manage")
    user = _locked_user(user)
    if getattr(actor, "pk", None) == user.pk:
        raise Conflict("user.deactivate_self", "不能停用自己的账户")
    if not user.is_active:
        raise Conflict("user.already_inactive", "该账户已停用")
    user.is_active = False
    user.save(update_fields=["is_active"])
    record(
        actor=actor,
        action="user.deactivate",
        object_type="user",
        object_id=user.pk,
        summary={"is_active": [True, False], "reason": _text(reason)},
    )
    return user


@transaction.atomic
def user_unlock(*, user: User | int, actor: Any) -> User:
    """Lift a login lock before it runs out."""
    require(actor, "masterdata.manage")
    user = _locked_user(user)
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
    user.failed_logins = 0
    user.locked_until = None
    user.save(update_fields=["failed_logins", "locked_until"])
    record(
        actor=actor,
        action="user.unlock",
        object_type="user",
        object_id=user.pk,
        summary={
            "failed_logins": [before["failed_logins"], 0],
            "locked_until": [before["locked_until"].isoformat() if before["locked_until"] else None, None],
        },
    )
    return user


def _set_password(user: User, new_password: str) -> None:
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise invalid([FieldError("password.weak", _messages(exc), "new_password")]) from None
    user.set_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
    user.save(update_fields=["password", "failed_logins", "locked_until"])


@transaction.atomic
def password_change(*, user: User | int, old_password: str, new_password: str, actor: Any) -> User:
    """The account holder changes their own password (the old one is required)."""
    user = _locked_user(user)
    if actor is None or getattr(actor, "pk", None) != user.pk:
        raise PermissionDenied("password.not_own", "只能修改自己的密码")
    if not user.check_password(old_password or ""):
        raise invalid([FieldError("password.old_incorrect", "原密码不正确", "old_password")])
    if old_password == new_password:
        raise invalid([FieldError("password.unchanged", "新密码不能与原密码相同", "new_password")])
    _set_password(user, new_password)
    record(actor=actor, action="user.password_change", object_type="user", object_id=user.pk, summary={})
    return user


@transaction.atomic
def password_set(*, user: User | int, new_password: str, actor: Any) -> User:
    """A platform administrator sets a new password (e.g. for a new member of staff)."""
    require(actor, "masterdata.manage")
    user = _locked_user(user)
    _set_password(user, new_password)
    record(actor=actor, action="user.password_set", object_type="user", object_id=user.pk, summary={})
    return user


@transaction.atomic
def password_reset_requested(*, email: str, users: list[User]) -> None:
    """Someone asked for a reset link for ``email``; ``users`` are the accounts that get a mail."""
    for user in users or [None]:
        record(
            actor=None,
            action="user.password_reset_request",
            object_type="user",
            object_id=getattr(user, "pk", ""),
            summary={"email": _text(email), "matched": user is not None},
        )


@transaction.atomic
def password_reset_complete(*, user: User | int, new_password: str) -> User:
    """The holder of a valid reset link sets a new password (the link's token was checked)."""
    user = _locked_user(user)
    _set_password(user, new_password)
    record(actor=user, action="user.password_reset", object_type="user", object_id=user.pk, summary={})
    return user
