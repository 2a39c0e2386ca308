"""Every write to the market-entity registry (seed 三(六): register once, recognised everywhere).

Each service is atomic, checks the actor's permission, validates everything before writing, keeps
the entity's history (an ``EntityRevision`` per change) and writes its audit event with
``entity_ref`` set to the USCC, all in one transaction. Bad input raises and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from ggzy.accounts.models import Role
from ggzy.audit import services as audit
from ggzy.core import clock, uscc
from ggzy.core.errors import Conflict, DomainError, FieldError, InvalidInput
from ggzy.core.models import Region
from ggzy.core.permissions import require
from ggzy.crypto.sm import sm3_hex
from ggzy.entities import importfile, validation
from ggzy.entities.models import (
    Entity,
    EntityRevision,
    Membership,
    Qualification,
    RegistrationChannel,
)
from ggzy.entities.validation import FIELD_LABELS, RegionContext

SNAPSHOT_FIELDS = ("uscc", "kind", "status", *validation.EDITABLE)
QUALIFICATION_LABELS = {
    "name": "资质名称",
    "certificate_no": "证书编号",
    "grade": "等级",
    "issuer": "发证机关",
    "valid_from": "有效期起",
    "valid_until": "有效期至",
}


# --- helpers ---------------------------------------------------------------------------------
def region_context() -> RegionContext:
    """The platform's province, its current region codes and the codes abolished since 2016."""
    prefix = settings.GGZY_PROVINCE_CODE[:2]
    regions = dict(Region.objects.values_list("code", "name"))
    return RegionContext(prefix, regions, validation.ABOLISHED_BY_PROVINCE.get(prefix, {}))


def _raise_invalid(errors: list[FieldError], subject: str) -> None:
    if errors:
        raise InvalidInput(
            errors[0].code,
            validation.summarise(errors, subject),
            field=errors[0].field if len({e.field for e in errors}) == 1 else None,
            errors=errors,
        )


def _duplicate(existing: Entity) -> Conflict:
    when = existing.registered_at.astimezone(clock.CHINA).strftime("%Y年%m月%d日")
    return Conflict(
        "entity.duplicate",
        f"统一社会信用代码{existing.uscc}已于{when}注册为“{existing.name}”（{existing.get_channel_display()}）。"
        "市场主体一处注册、全省通用，无需重复注册；如需变更信息，请由该主体的管理员登录后修改。",
        field="uscc",
        details={"uscc": existing.uscc, "name": existing.name},
    )


def _qualification_record(q: Qualification) -> dict[str, Any]:
    return {
        "name": q.name,
        "certificate_no": q.certificate_no,
        "grade": q.grade,
        "issuer": q.issuer,
        "valid_from": q.valid_from.isoformat(),
        "valid_until": q.valid_until.isoformat() if q.valid_until else None,
        "withdrawn": q.withdrawn,
    }


def snapshot(entity: Entity) -> dict[str, Any]:
    """The entity as a whole, in JSON terms (stored with every revision)."""
    data: dict[str, Any] = {f: getattr(entity, f) for f in SNAPSHOT_FIELDS}
    data["trading_roles"] = list(entity.trading_roles)
    data["qualifications"] = [_qualification_record(q) for q in entity.qualifications.order_by("id")]
    return data


def _actor_ref(actor: Any) -> tuple[int | None, str]:
    """Who, as the revision shows it (the same labels as the audit trail)."""
    if actor is None:
        return None, "系统"
    if not getattr(actor, "is_authenticated", True):
        return None, "匿名用户"
    label = actor.audit_label() if hasattr(actor, "audit_label") else str(actor)
    return getattr(actor, "pk", None), label


def _revise(entity: Entity, *, action: str, changes: dict[str, Any], actor: Any) -> EntityRevision:
    actor_id, actor_label = _actor_ref(actor)
    return EntityRevision.objects.create(
        entity=entity,
        version=entity.version,
        at=clock.now(),
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        changes=changes,
        snapshot=snapshot(entity),
    )


def _bump(entity: Entity) -> None:
    entity.version += 1
    entity.updated_at = clock.now()
    entity.save(update_fields=["version", "updated_at"])


def _lock(entity: Entity) -> Entity:
    return Entity.objects.select_for_update().get(pk=entity.pk)


def _create(
    clean: dict[str, Any],
    info: Any,
    *,
    actor: Any,
    channel: str,
    action: str,
    summary: dict[str, Any] | None = None,
) -> Entity:
    now = clock.now()
    entity = Entity(
        **clean, kind=validation.kind_of(info), channel=channel, version=1, registered_at=now, updated_at=now
    )
    try:
        with transaction.atomic():  # savepoint: a concurrent registration of the same USCC
            entity.save(force_insert=True)
    except IntegrityError:
        existing = Entity.objects.filter(uscc=clean["uscc"]).first()
        if existing is None:
            raise
        raise _duplicate(existing) from None
    _revise(
        entity,
        action="register",
        changes={f: [None, v] for f, v in snapshot(entity).items() if v not in ("", [], None)},
        actor=actor,
    )
    audit.record(
        actor=actor,
        action=action,
        object_type="entity",
        object_id=entity.uscc,
        entity_ref=entity.uscc,
        summary={
            "name": entity.name,
            "kind": entity.kind,
            "region_code": entity.region_code,
            "channel": channel,
            **(summary or {}),
        },
    )
    return entity


def _validated(data: Mapping[str, Any], ctx: RegionContext) -> tuple[dict[str, Any], Any]:
    clean, info, errors = validation.clean(data, ctx)
    _raise_invalid(errors, "注册信息")
    existing = Entity.objects.filter(uscc=clean["uscc"]).first()
    if existing is not None:
        raise _duplicate(existing)
    return clean, info


# --- registration ----------------------------------------------------------------------------
@transaction.atomic
def entity_register(*, data: Mapping[str, Any], actor: Any) -> Entity:
    """Counter registration by a service-center operator (any platform of the province)."""
    require(actor, "entity.register")
    clean, info = _validated(data, region_context())
    return _create(clean, info, actor=actor, channel=RegistrationChannel.COUNTER, action="entity.register")


def _admin_account_errors(admin: Mapping[str, Any]) -> list[FieldError]:
    """The accounts app's own checks of the administrator account, under this form's field names."""
    from ggzy.accounts.services import user_validate

    errors, _ = user_validate(
        username=str(admin.get("username") or ""),
        display_name=str(admin.get("display_name") or ""),
        email=str(admin.get("email") or ""),
        role=Role.ENTITY_ADMIN,
        password=str(admin.get("password") or ""),
    )
    if not str(admin.get("email") or "").strip():
        errors.append(FieldError("email.required", "请填写管理员电子邮箱（用于找回密码）", "email"))
    return [FieldError(e.code, e.message, f"admin_{e.field}" if e.field else None) for e in errors]


def _prefixed(exc: DomainError, prefix: str) -> DomainError:
    """Re-raise another app's field errors under this form's field names (``admin_username`` …)."""
    errors = [FieldError(e.code, e.message, f"{prefix}{e.field}" if e.field else None) for e in exc.errors]
    field = f"{prefix}{exc.field}" if exc.field else None
    return type(exc)(exc.code, exc.message, field=field, errors=errors, details=exc.details)


@transaction.atomic
def entity_self_register(
    *, data: Mapping[str, Any], admin_account: Mapping[str, Any], actor: Any = None
) -> tuple[Entity, Any]:
    """Online self-registration: the entity and its administrator account, in one transaction.

    Anyone may register (no permission); the entity's first revision and audit event are
    attributed to the new administrator account. Returns ``(entity, admin_user)``.
    """
    from ggzy.accounts.services import account_create_for_entity

    ctx = region_context()
    clean, info, errors = validation.clean(data, ctx)
    errors += _admin_account_errors(admin_account)
    _raise_invalid(errors, "注册信息")
    existing = Entity.objects.filter(uscc=clean["uscc"]).first()
    if existing is not None:
        raise _duplicate(existing)
    try:
        user = account_create_for_entity(
            username=str(admin_account.get("username") or "").strip(),
            display_name=str(admin_account.get("display_name") or "").strip(),
            email=str(admin_account.get("email") or "").strip(),
            phone=str(admin_account.get("phone") or "").strip(),
            password=str(admin_account.get("password") or ""),
            role=Role.ENTITY_ADMIN,
            actor=actor if actor is not None else AnonymousUser(),
        )
    except DomainError as exc:
        raise _prefixed(exc, "admin_") from None
    entity = _create(
        clean,
        info,
        actor=user,
        channel=RegistrationChannel.ONLINE,
        action="entity.self_register",
        summary={"admin": user.username},
    )
    Membership.objects.create(user=user, entity=entity, created_at=clock.now())
    return entity, user


# --- updates ---------------------------------------------------------------------------------
@transaction.atomic
def entity_update(
    *, entity: Entity, changes: Mapping[str, Any], expected_version: int | None = None, actor: Any
) -> Entity:
    """Change an entity's editable fields; the USCC never changes. A no-op writes nothing."""
    require(actor, "entity.update", entity)
    locked = _lock(entity)
    if expected_version is not None and int(expected_version) != locked.version:
        raise Conflict(
            "entity.version_conflict",
            f"该主体信息已被他人修改（当前为第{locked.version}版，您编辑的是第{expected_version}版），"
            "请刷新后重新修改",
            details={"current_version": locked.version},
        )
    errors: list[FieldError] = []
    if "uscc" in changes and uscc.normalise(str(changes["uscc"] or "")) != locked.uscc:
        errors.append(
            FieldError(
                "entity.uscc_immutable",
                "统一社会信用代码不能修改；代码变更的主体请重新注册",
                "uscc",
            )
        )
    unknown = [k for k in changes if k not in validation.EDITABLE and k != "uscc"]
    for key in unknown:
        errors.append(FieldError("field.unknown", f"“{key}”不是可修改的字段", key))
    wanted = [k for k in changes if k in validation.EDITABLE]
    clean, _, field_errors = validation.clean(changes, region_context(), fields=wanted)
    errors += field_errors
    if any(f in clean for f in validation.BANK_FIELDS) and not any(
        e.field in validation.BANK_FIELDS for e in errors
    ):
        errors += validation.bank_errors(
            {f: clean.get(f, getattr(locked, f)) for f in validation.BANK_FIELDS}
        )
    _raise_invalid(errors, "修改内容")

    diff = {f: [getattr(locked, f), v] for f, v in clean.items() if getattr(locked, f) != v}
    if not diff:
        return locked
    for f, (_, new) in diff.items():
        setattr(locked, f, new)
    locked.version += 1
    locked.updated_at = clock.now()
    locked.save(update_fields=[*diff, "version", "updated_at"])
    _revise(locked, action="update", changes=diff, actor=actor)
    audit.record(
        actor=actor,
        action="entity.update",
        object_type="entity",
        object_id=locked.uscc,
        entity_ref=locked.uscc,
        summary={"version": locked.version, "changes": diff},
    )
    return locked


# --- qualifications --------------------------------------------------------------------------
def _date(value: Any, name: str, errors: list[FieldError], *, required: bool) -> dt.date | None:
    label = QUALIFICATION_LABELS[name]
    if value in (None, ""):
        if required:
            errors.append(FieldError("field.required", f"请填写{label}", name))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(
            FieldError(
                "qualification.date_invalid", f"{label}“{value}”不是有效日期（格式：2026-01-31）", name
            )
        )
        return None


def _clean_qualification(data: Mapping[str, Any], current: Qualification | None) -> dict[str, Any]:
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    for name in ("name", "certificate_no", "grade", "issuer"):
        if current is not None and name not in data:
            continue
        value = str(data.get(name) or "").strip()
        if not value and name != "grade":
            errors.append(FieldError("field.required", f"请填写{QUALIFICATION_LABELS[name]}", name))
        out[name] = value
    for name in ("valid_from", "valid_until"):
        if current is not None and name not in data:
            continue
        out[name] = _date(data.get(name), name, errors, required=name == "valid_from")
    start = out.get("valid_from", current.valid_from if current else None)
    end = out.get("valid_until", current.valid_until if current else None)
    if start and end and end < start:
        errors.append(FieldError("qualification.validity_range", "有效期至不能早于有效期起", "valid_until"))
    unknown = [k for k in data if k not in QUALIFICATION_LABELS]
    errors += [FieldError("field.unknown", f"“{k}”不是资质的字段", k) for k in unknown]
    _raise_invalid(errors, "资质信息")
    return out


def _qualification_conflict(entity: Entity, certificate_no: str, exclude: int | None = None) -> None:
    qs = Qualification.objects.filter(entity=entity, certificate_no=certificate_no)
    if exclude:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise Conflict(
            "qualification.duplicate",
            f"证书编号“{certificate_no}”的资质已登记，请修改原记录",
            field="certificate_no",
        )


def _record_qualification(entity: Entity, *, action: str, key: str, old: Any, new: Any, actor: Any) -> None:
    _bump(entity)
    changes = {f"qualification:{key}": [old, new]}
    _revise(entity, action=action, changes=changes, actor=actor)
    audit.record(
        actor=actor,
        action=f"entity.{action}",
        object_type="qualification",
        object_id=key,
        entity_ref=entity.uscc,
        summary={"version": entity.version, "changes": changes},
    )


@transaction.atomic
def qualification_add(*, entity: Entity, data: Mapping[str, Any], actor: Any) -> Qualification:
    require(actor, "entity.update", entity)
    locked = _lock(entity)
    clean = _clean_qualification(data, None)
    _qualification_conflict(locked, clean["certificate_no"])
    q = Qualification.objects.create(entity=locked, created_at=clock.now(), **clean)
    _record_qualification(
        locked,
        action="qualification_add",
        key=q.certificate_no,
        old=None,
        new=_qualification_record(q),
        actor=actor,
    )
    return q


@transaction.atomic
def qualification_update(
    *, qualification: Qualification, changes: Mapping[str, Any], actor: Any
) -> Qualification:
    require(actor, "entity.update", qualification.entity)
    locked = _lock(qualification.entity)
    q = Qualification.objects.select_for_update().get(pk=qualification.pk)
    if q.withdrawn:
        raise Conflict("qualification.withdrawn", "该资质已撤回，不能修改；请重新登记")
    clean = _clean_qualification(changes, q)
    if "certificate_no" in clean:
        _qualification_conflict(locked, clean["certificate_no"], exclude=q.pk)
    before = _qualification_record(q)
    for k, v in clean.items():
        setattr(q, k, v)
    after = _qualification_record(q)
    if before == after:
        return q
    q.save(update_fields=list(clean))
    _record_qualification(
        locked, action="qualification_update", key=q.certificate_no, old=before, new=after, actor=actor
    )
    return q


@transaction.atomic
def qualification_withdraw(*, qualification: Qualification, actor: Any) -> Qualification:
    """Withdraw a qualification (kept in the history, shown as withdrawn)."""
    require(actor, "entity.update", qualification.entity)
    locked = _lock(qualification.entity)
    q = Qualification.objects.select_for_update().get(pk=qualification.pk)
    if q.withdrawn:
        raise Conflict("qualification.withdrawn", "该资质已撤回")
    before = _qualification_record(q)
    q.withdrawn = True
    q.withdrawn_at = clock.now()
    q.save(update_fields=["withdrawn", "withdrawn_at"])
    _record_qualification(
        locked,
        action="qualification_withdraw",
        key=q.certificate_no,
        old=before,
        new=_qualification_record(q),
        actor=actor,
    )
    return q


# --- members ---------------------------------------------------------------------------------
@transaction.atomic
def member_add(
    *,
    entity: Entity,
    username: str,
    display_name: str,
    email: str,
    phone: str = "",
    password: str,
    role: str = Role.ENTITY_MEMBER,
    actor: Any,
) -> Membership:
    """The entity administrator adds an account for a member of staff (经办人) of the entity."""
    from ggzy.accounts.services import account_create_for_entity

    require(actor, "entity.manage_members", entity)
    if role not in (Role.ENTITY_MEMBER, Role.ENTITY_ADMIN):
        raise InvalidInput("entity.member_role", "成员角色只能是市场主体经办人或市场主体管理员", field="role")
    user = account_create_for_entity(
        username=username,
        display_name=display_name,
        email=email,
        phone=phone,
        password=password,
        role=role,
        actor=actor,
    )
    membership = Membership.objects.create(user=user, entity=entity, created_at=clock.now())
    audit.record(
        actor=actor,
        action="entity.member_add",
        object_type="membership",
        object_id=membership.pk,
        entity_ref=entity.uscc,
        summary={"username": user.username, "role": role},
    )
    return membership


@transaction.atomic
def member_deactivate(*, membership: Membership, actor: Any) -> Membership:
    """End a member's link to the entity: the account loses every right on the entity."""
    require(actor, "entity.manage_members", membership.entity)
    m = Membership.objects.select_for_update().get(pk=membership.pk)
    if m.user_id == getattr(actor, "pk", None):
        raise InvalidInput("entity.member_self", "不能停用自己的成员资格，请由其他管理员操作")
    if not m.active:
        raise Conflict("entity.member_inactive", "该成员已停用")
    m.active = False
    m.save(update_fields=["active"])
    audit.record(
        actor=actor,
        action="entity.member_deactivate",
        object_type="membership",
        object_id=m.pk,
        entity_ref=m.entity.uscc,
        summary={"user_id": m.user_id},
    )
    return m


# --- bulk import -----------------------------------------------------------------------------
@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class ImportResult:
    count: int
    digest: str
    usccs: list[str]


def _import_failure(problems: list[RowProblem], *, digest: str, rows: int) -> InvalidInput:
    bad_rows = sorted({p.row for p in problems})
    where = f"{len(bad_rows)}行" if bad_rows != [1] else "表头"
    return InvalidInput(
        "entity.import_invalid",
        f"导入文件有{where}共{len(problems)}处错误，未导入任何数据。请按错误清单修改后重新上传。",
        errors=[FieldError(p.code, f"第{p.row}行“{p.column}”：{p.message}", p.column) for p in problems],
        details={"report": [p.as_dict() for p in problems], "rows": rows, "sm3": digest},
    )


@transaction.atomic
def entity_import(*, file: bytes, filename: str, actor: Any) -> ImportResult:
    """Register many entities from a CSV or .xlsx file: every row is valid, or nothing is imported.

    Raises InvalidInput ``entity.import_invalid`` whose ``details["report"]`` lists every problem
    as {row, column, code, message}; ``errors`` carries the same as field errors.
    """
    require(actor, "entity.import")
    digest = sm3_hex(file)
    try:
        table = importfile.read_table(file, filename)
    except importfile.TableError as exc:
        raise InvalidInput(exc.code, exc.message, field="file", details={"sm3": digest}) from None

    problems: list[RowProblem] = []
    columns: dict[int, str] = {}
    for i, title in enumerate(table.header):
        if title in importfile.COLUMNS:
            if importfile.COLUMNS[title] in columns.values():
                problems.append(RowProblem(1, title, "import.column_repeated", "表头中该列重复出现"))
            columns[i] = importfile.COLUMNS[title]
        else:
            problems.append(
                RowProblem(
                    1,
                    title or f"第{i + 1}列",
                    "import.column_unknown",
                    "无法识别的列名，请使用导入模板的表头",
                )
            )
    for name in validation.REQUIRED:
        if name not in columns.values():
            problems.append(RowProblem(1, FIELD_LABELS[name], "import.column_missing", "表头缺少该必填列"))
    if problems:
        raise _import_failure(problems, digest=digest, rows=len(table.rows))

    ctx = region_context()
    cleaned: list[tuple[dict[str, Any], Any]] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        data = {name: (cells[i] if i < len(cells) else "") for i, name in columns.items()}
        clean, info, errors = validation.clean(data, ctx)
        problems += [
            RowProblem(number, FIELD_LABELS.get(e.field or "", e.field or ""), e.code, e.message)
            for e in errors
        ]
        code = clean.get("uscc", "")
        if code and info is not None:
            if code in seen:
                problems.append(
                    RowProblem(
                        number,
                        FIELD_LABELS["uscc"],
                        "entity.duplicate_in_file",
                        f"与第{seen[code]}行的统一社会信用代码重复",
                    )
                )
            else:
                seen[code] = number
        cleaned.append((clean, info))
    for existing in Entity.objects.filter(uscc__in=list(seen)):
        problems.append(
            RowProblem(
                seen[existing.uscc], FIELD_LABELS["uscc"], "entity.duplicate", _duplicate(existing).message
            )
        )
    if problems:
        problems.sort(key=lambda p: p.row)
        raise _import_failure(problems, digest=digest, rows=len(table.rows))

    created = [
        _create(
            clean,
            info,
            actor=actor,
            channel=RegistrationChannel.IMPORT,
            action="entity.register",
            summary={"import_sm3": digest},
        )
        for clean, info in cleaned
    ]
    audit.record(
        actor=actor,
        action="entity.import",
        object_type="entity_import",
        object_id=digest,
        summary={"filename": filename, "count": len(created), "sm3": digest},
    )
    return ImportResult(count=len(created), digest=digest, usccs=[e.uscc for e in created])
