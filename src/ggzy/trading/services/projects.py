"""Every write of the trading app: project registration, lots and lot status moves.

Each service is atomic, checks the actor's permission, validates everything before it writes
(Chinese messages, stable codes, nothing written on error) and records one audit event with
``project_ref`` = the project's deal code and ``entity_ref`` = the tenderer's USCC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from ggzy.accounts.models import ServiceCenter
from ggzy.accounts.policy import region_within
from ggzy.accounts.selectors import role_holds
from ggzy.audit import services as audit
from ggzy.core import clock
from ggzy.core.choices import Category
from ggzy.core.errors import (
    Conflict,
    DomainError,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    invalid,
)
from ggzy.core.models import Region
from ggzy.core.money import yuan
from ggzy.core.permissions import allowed, require
from ggzy.entities import selectors as entities
from ggzy.rules.schema import RuleSet
from ggzy.trading import dealcodes, lifecycle, selectors
from ggzy.trading.models import (
    DealCodeCounter,
    ItemKind,
    Lot,
    LotEvent,
    LotTransition,
    Project,
    ProjectStatus,
)

NAME_MAX = 200
REASON_MAX = 500
SPLITTING_WINDOW_DAYS = 365  # the tenderer's projects the splitting check looks at
# Who the project is traded for: the buying side (engineering, procurement, other) or the
# transferring side (land, mining rights, state property).
TRANSFER_CATEGORIES = {Category.LAND, Category.MINING, Category.PROPERTY}
ITEM_KIND_CATEGORIES = {Category.ENGINEERING, Category.PROCUREMENT}


# --- helpers ---------------------------------------------------------------------------------
def _actor_ref(actor: Any) -> tuple[int | None, str]:
    label = actor.audit_label() if hasattr(actor, "audit_label") else str(actor)
    return getattr(actor, "pk", None), label


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _int(value: Any, default: int) -> int | None:
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _money(data: Mapping[str, Any], key: str, label: str, errors: list[FieldError]) -> Decimal | None:
    raw = data.get(key)
    if raw in (None, ""):
        errors.append(FieldError(f"{key}.required", f"请填写{label}（元）", key))
        return None
    try:
        amount = yuan(raw, field=key)
    except DomainError as exc:
        errors.append(FieldError(exc.code, f"{label}：{exc.message}", key))
        return None
    if amount <= 0:
        errors.append(FieldError("money.not_positive", f"{label}应大于0元", key))
        return None
    return amount


def _require_any_scope(actor: Any, permission: str) -> None:
    """Refuse at once an account whose role never holds ``permission`` (before validating)."""
    if allowed(actor, permission) or role_holds(getattr(actor, "role", ""), permission):
        return
    require(actor, permission)


def _allocate_project_code(region_code: str, year: int, category: str) -> str:
    """The next project code of the region and year: the counter row is locked until commit, so
    two registrations never get the same number (SQLite: the write lock taken at BEGIN)."""
    counter, _ = DealCodeCounter.objects.get_or_create(region_code=region_code, year=year)
    counter = DealCodeCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    if counter.last > dealcodes.MAX_SEQUENCE:
        raise Conflict("dealcode.exhausted", f"{region_code}地区{year}年的项目编号已用尽")
    counter.save(update_fields=["last"])
    return dealcodes.project_code(region_code, year, category, counter.last)


# --- registration ----------------------------------------------------------------------------
def _party(uscc: str, field: str, label: str, roles: set[str], errors: list[FieldError]) -> Any:
    try:
        entity = entities.entity_get(uscc)
    except NotFound:
        errors.append(
            FieldError(f"{field}.not_registered", f"{label}“{uscc}”尚未在平台注册为市场主体，请先注册", field)
        )
        return None
    if entity.status != "active":
        errors.append(
            FieldError(f"{field}.inactive", f"{label}“{entity.name}”已注销，不能登记交易项目", field)
        )
        return None
    if not roles & set(entity.trading_roles):
        wanted = "或".join(
            {"tenderer": "招标人/采购人", "transferor": "出让人/转让方", "agency": "代理机构"}[r]
            for r in sorted(roles)
        )
        errors.append(
            FieldError(
                f"{field}.role",
                f"“{entity.name}”注册的交易角色（{entity.role_labels() or '无'}）不含{wanted}，不能作为本项目的{label}",
                field,
            )
        )
        return None
    return entity


def _validated(data: Mapping[str, Any], actor: Any) -> dict[str, Any]:
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    today = clock.today()

    name = _text(data, "name")
    if not name:
        errors.append(FieldError("name.required", "请填写项目名称", "name"))
    elif len(name) > NAME_MAX:
        errors.append(FieldError("name.too_long", f"项目名称不能超过{NAME_MAX}字", "name"))
    clean["name"] = name

    ruleset: RuleSet | None = None
    code = _text(data, "ruleset_code")
    category = _text(data, "category")
    if not code:
        errors.append(FieldError("ruleset_code.required", "请选择交易方式（交易规则）", "ruleset_code"))
    else:
        try:
            ruleset = selectors.ruleset_effective(code, today)
        except NotFound as exc:
            errors.append(FieldError(exc.code, exc.message, "ruleset_code"))
    if category and category not in Category.values:
        errors.append(FieldError("category.invalid", f"未知的交易类别“{category}”", "category"))
    elif ruleset is not None:
        if category and category != ruleset.category:
            errors.append(
                FieldError(
                    "ruleset.category_mismatch",
                    f"交易规则“{ruleset.name}”适用于{Category(ruleset.category).label}，"
                    f"与所选交易类别“{Category(category).label}”不符",
                    "ruleset_code",
                )
            )
        category = ruleset.category
    clean["ruleset"] = ruleset
    clean["category"] = category

    region_code = _text(data, "region_code")
    region = Region.objects.filter(code=region_code).first() if region_code else None
    if not region_code:
        errors.append(FieldError("region_code.required", "请选择项目所在地行政区划", "region_code"))
    elif region is None:
        errors.append(
            FieldError("region_code.unknown", f"“{region_code}”不是本省的行政区划代码", "region_code")
        )
    clean["region_code"] = region_code

    transfer = category in TRANSFER_CATEGORIES
    tenderer_label = "出让人（转让方）" if transfer else "招标人（采购人）"
    tenderer_uscc = _text(data, "tenderer_uscc").upper()
    tenderer = None
    if not tenderer_uscc:
        errors.append(
            FieldError("tenderer_uscc.required", f"请填写{tenderer_label}的统一社会信用代码", "tenderer_uscc")
        )
    else:
        roles = {"transferor"} if transfer else {"tenderer"}
        tenderer = _party(tenderer_uscc, "tenderer_uscc", tenderer_label, roles, errors)
    clean["tenderer"] = tenderer
    clean["tenderer_uscc"] = tenderer_uscc

    agency_uscc = _text(data, "agency_uscc").upper()
    agency = None
    if agency_uscc:
        if agency_uscc == tenderer_uscc:
            errors.append(
                FieldError("agency_uscc.same_as_tenderer", "代理机构不能与招标人为同一主体", "agency_uscc")
            )
        else:
            agency = _party(agency_uscc, "agency_uscc", "代理机构", {"agency"}, errors)
    clean["agency"] = agency
    clean["agency_uscc"] = agency_uscc

    center_id = data.get("service_center") or data.get("service_center_id")
    if not center_id and getattr(actor, "service_center_id", None):
        center_id = actor.service_center_id
    center = None
    if not center_id:
        errors.append(FieldError("service_center.required", "请选择办理本项目的交易平台", "service_center"))
    else:
        center_pk = _int(center_id, 0)
        center = ServiceCenter.objects.select_related("region").filter(pk=center_pk, active=True).first()
        if center is None:
            errors.append(
                FieldError("service_center.unknown", "所选交易平台不存在或已停用", "service_center")
            )
        elif region is not None and not region_within(region_code, center.region_id):
            errors.append(
                FieldError(
                    "service_center.region",
                    f"{center.name}的服务范围不包括项目所在地“{region.full_name()}”，请选择项目所在地的交易平台",
                    "service_center",
                )
            )
    clean["service_center"] = center

    clean["estimate"] = _money(data, "estimate", "估算金额", errors)

    item_kind = _text(data, "item_kind")
    if category in ITEM_KIND_CATEGORIES:
        if not item_kind:
            errors.append(FieldError("item_kind.required", "请选择标的类型（工程、货物或服务）", "item_kind"))
        elif item_kind not in ItemKind.values:
            errors.append(FieldError("item_kind.invalid", f"未知的标的类型“{item_kind}”", "item_kind"))
    else:
        item_kind = ""
    clean["item_kind"] = item_kind
    clean["public_funded"] = bool(data.get("public_funded"))

    factor = _int(data.get("acceleration"), 1)
    if factor is None or factor < 1:
        errors.append(FieldError("acceleration.invalid", "演示加速倍数应为不小于1的整数", "acceleration"))
    elif factor > 1 and not getattr(settings, "GGZY_PROJECT_ACCELERATION_ALLOWED", False):
        errors.append(
            FieldError(
                "project.acceleration_forbidden",
                "正式运行环境不能启用演示加速：所有期间必须按法定期限计算",
                "acceleration",
            )
        )
    elif factor > 10_000:
        errors.append(FieldError("acceleration.too_large", "演示加速倍数不能超过10000", "acceleration"))
    clean["acceleration"] = factor or 1

    lots = data.get("lots") or []
    clean_lots = []
    if not isinstance(lots, list) or len(lots) > dealcodes.MAX_LOT:
        errors.append(
            FieldError("lots.invalid", f"标段（包）应为列表，且不超过{dealcodes.MAX_LOT}个", "lots")
        )
    else:
        for i, lot in enumerate(lots, start=1):
            lot_errors: list[FieldError] = []
            clean_lots.append(_lot_fields(lot if isinstance(lot, Mapping) else {}, lot_errors))
            errors += [
                FieldError(e.code, f"第{i}个标段（包）：{e.message}", f"lots.{i - 1}.{e.field}")
                for e in lot_errors
            ]
    clean["lots"] = clean_lots

    if errors:
        raise invalid(errors, "项目登记信息")
    return clean


def _lot_fields(data: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    name = _text(data, "name")
    if not name:
        errors.append(FieldError("name.required", "请填写标段（包）名称", "name"))
    elif len(name) > NAME_MAX:
        errors.append(FieldError("name.too_long", f"标段（包）名称不能超过{NAME_MAX}字", "name"))
    return {"name": name, "estimate": _money(data, "estimate", "标段（包）估算金额", errors)}


def _create_lot(project: Project, number: int, name: str, estimate: Decimal) -> Lot:
    return Lot.objects.create(
        project=project,
        number=number,
        code=dealcodes.lot_code(project.tender_code, number),
        name=name,
        estimate=estimate,
        status=lifecycle.DRAFT,
        status_changed_at=clock.now(),
    )


@transaction.atomic
def project_register(*, data: Mapping[str, Any], actor: Any) -> Project:
    """Register a trade project (and its lots: one per item of ``data["lots"]``, or one lot named
    after the project) on a service center's platform.

    ``data``: name, ruleset_code (category optional, must match), region_code, tenderer_uscc,
    agency_uscc, service_center (id; operators default to their own), estimate, item_kind
    (engineering and procurement), public_funded, acceleration, lots.
    """
    _require_any_scope(actor, "trade.register")
    clean = _validated(data, actor)
    if not selectors.may_register_for(
        actor,
        region_code=clean["region_code"],
        category=clean["category"],
        tenderer_uscc=clean["tenderer_uscc"],
        agency_uscc=clean["agency_uscc"],
    ):
        role = getattr(actor, "get_role_display", lambda: "当前账户")()
        raise _denied(
            f"{role}只能为本平台服务范围内的项目、或本单位作为招标人（出让人）或代理机构的项目登记交易项目"
        )
    ruleset: RuleSet = clean["ruleset"]
    decision = selectors.mandatory_scope(
        category=clean["category"],
        item_kind=clean["item_kind"],
        estimate=clean["estimate"],
        public_funded=clean["public_funded"],
    )
    now = clock.now()
    code = _allocate_project_code(clean["region_code"], clock.today().year, clean["category"])
    actor_id, actor_label = _actor_ref(actor)
    project = Project.objects.create(
        code=code,
        tender_code=dealcodes.tender_code(code, 1),
        name=clean["name"],
        category=clean["category"],
        ruleset_code=ruleset.code,
        ruleset_version=ruleset.version,
        ruleset_name=ruleset.name,
        region_code=clean["region_code"],
        tenderer_uscc=clean["tenderer"].uscc,
        tenderer_name=clean["tenderer"].name,
        agency_uscc=clean["agency"].uscc if clean["agency"] else "",
        agency_name=clean["agency"].name if clean["agency"] else "",
        service_center=clean["service_center"],
        estimate=clean["estimate"],
        item_kind=clean["item_kind"],
        public_funded=clean["public_funded"],
        mandatory=decision.required,
        mandatory_basis=decision.basis,
        acceleration=clean["acceleration"],
        registered_at=now,
        registered_by_id=actor_id,
        registered_by_label=actor_label,
    )
    lots = clean["lots"] or [{"name": clean["name"], "estimate": clean["estimate"]}]
    for number, lot in enumerate(lots, start=1):
        _create_lot(project, number, lot["name"], lot["estimate"])
    audit.record(
        actor=actor,
        action="project.register",
        object_type="trading.project",
        object_id=project.code,
        summary={
            "name": project.name,
            "ruleset": f"{ruleset.code}@{ruleset.version}",
            "region_code": project.region_code,
            "estimate": str(project.estimate),
            "service_center": project.service_center.name,
            "lots": len(lots),
            "mandatory": decision.required,
            "acceleration": project.acceleration,
        },
        project_ref=project.code,
        entity_ref=project.tenderer_uscc,
    )
    _check_splitting(project)
    return project


def _denied(message: str) -> PermissionDenied:
    return PermissionDenied("permission.denied", message, details={"permission": "trade.register"})


def _prior(p: Project) -> selectors.PriorProject:
    return selectors.PriorProject(
        code=p.code,
        name=p.name,
        tenderer_uscc=p.tenderer_uscc,
        category=p.category,
        item_kind=p.item_kind,
        estimate=p.estimate,
        registered_on=p.registered_at.astimezone(clock.CHINA).date(),
    )


def _check_splitting(project: Project) -> None:
    """Several related projects of one tenderer just under a threshold: warn the supervisors of
    the category and region (招标投标法第四条: 不得将依法必须进行招标的项目化整为零规避招标).
    The thresholds are those of 必须招标的工程项目规定, so only engineering projects are checked."""
    from ggzy.supervision.services import warning_raise

    if project.category != Category.ENGINEERING:
        return
    since = project.registered_at - dt.timedelta(days=SPLITTING_WINDOW_DAYS)
    recent = [
        _prior(p)
        for p in Project.objects.filter(
            tenderer_uscc=project.tenderer_uscc, category=project.category, registered_at__gte=since
        )
        .exclude(pk=project.pk)
        .order_by("registered_at", "id")
    ]
    if not recent:
        return
    found = selectors.splitting_suspects(new=_prior(project), recent=recent)
    if found is None:
        return
    codes = [p.code for p in found.related]
    warning_raise(
        kind="splitting",
        region_code=project.region_code,
        category=project.category,
        project_ref=project.code,
        entity_uscc=project.tenderer_uscc,
        message=(
            f"{project.tenderer_name}登记项目{project.code}（{project.name}），与此前的项目"
            f"{'、'.join(codes) or '（略）'}合计{found.total:,.2f}元。{found.explanation}"
        ),
        details={"projects": [*codes, project.code], "total": str(found.total)},
    )


# --- lots ------------------------------------------------------------------------------------
@transaction.atomic
def lot_add(*, project: Project, data: Mapping[str, Any], actor: Any) -> Lot:
    """Add a lot (numbered 001, 002 …) to a project whose lots have not started trading."""
    _require_any_scope(actor, "trade.register")
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not selectors.can_add_lot(actor, project):
        role = getattr(actor, "get_role_display", lambda: "当前账户")()
        raise _denied(f"{role}无权为项目“{project.name}”增加标段（包）")
    if project.status != ProjectStatus.REGISTERED:
        raise Conflict(
            "project.not_registered",
            f"项目“{project.name}”已{project.get_status_display()}，不能再增加标段（包）",
        )
    errors: list[FieldError] = []
    fields = _lot_fields(data, errors)
    if errors:
        raise invalid(errors, "标段（包）信息")
    number = (project.lots.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    if number > dealcodes.MAX_LOT:
        raise Conflict("lot.too_many", f"一个项目最多{dealcodes.MAX_LOT}个标段（包）")
    try:
        with transaction.atomic():
            lot = _create_lot(project, number, fields["name"], fields["estimate"])
    except IntegrityError:
        raise Conflict("lot.concurrent", "其他人同时增加了标段（包），请刷新后重试") from None
    audit.record(
        actor=actor,
        action="lot.add",
        object_type="trading.lot",
        object_id=lot.code,
        summary={"name": lot.name, "estimate": str(lot.estimate), "number": number},
        project_ref=project.code,
        entity_ref=project.tenderer_uscc,
    )
    return lot


def _project_status(project: Project, table: lifecycle.Table) -> str:
    statuses = list(project.lots.values_list("status", flat=True))
    if statuses and all(table.is_terminal(s) for s in statuses):
        return ProjectStatus.CLOSED
    if any(s != lifecycle.DRAFT for s in statuses):
        return ProjectStatus.TRADING
    return ProjectStatus.REGISTERED


def refresh_project_status(project: Project, table: lifecycle.Table) -> None:
    """Recompute the project's status from its lots, with the project row locked first: two moves
    finishing sibling lots at once must not both read the other's old status (the project would
    never close). Callers run inside their transaction."""
    current = Project.objects.select_for_update().order_by().values_list("status", flat=True)
    project.status = current.get(pk=project.pk)
    status = _project_status(project, table)
    if status != project.status:
        project.status = status
        Project.objects.filter(pk=project.pk).update(status=status)


def _next_check(lot: Lot, table: lifecycle.Table) -> dt.datetime | None:
    """When the tick should look at the lot next: the time of the event that opens its next stage."""
    events = [table.events.get(s) for s in table.next_statuses(lot.status)]
    times = list(
        LotEvent.objects.filter(lot=lot, event__in=[e for e in events if e]).values_list("at", flat=True)
    )
    return min(times) if times else None


@transaction.atomic
def lot_transition(
    *, lot: Lot, to: str, reason: str = "", actor: Any, expected_version: int | None = None
) -> Lot:
    """Move a lot to status ``to`` if its procedure's table allows it and the clock says the
    stage has begun. The lot row is locked; a stale ``expected_version`` is a Conflict."""
    locked = Lot.objects.select_for_update().select_related("project").get(pk=lot.pk)
    project = locked.project
    require(actor, "trade.operate", locked)
    if expected_version is not None and expected_version != locked.version:
        raise Conflict(
            "lot.version_conflict",
            f"标段（包）“{locked.name}”已被他人修改（当前版本{locked.version}，提交的版本{expected_version}），"
            "请刷新页面后重新操作",
            details={"version": locked.version},
        )
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise InvalidInput("lot.reason_too_long", f"原因不能超过{REASON_MAX}字", field="reason")
    table = lifecycle.check_move(selectors.table_of(project), locked.status, to)
    if to in (lifecycle.TERMINATED, lifecycle.FAILED) and not reason:
        raise InvalidInput(
            "lot.reason_required", f"将标段（包）变为“{table.label(to)}”须说明原因", field="reason"
        )
    now = clock.now()
    event = table.events.get(to)
    if event:
        stored = LotEvent.objects.filter(lot=locked, event=event).first()
        if stored is not None and stored.at > now:
            when = stored.at.astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M")
            raise InvalidInput(
                "lot.too_early",
                f"“{table.label(to)}”阶段自“{selectors.event_label(event)}”（{when}）开始，"
                f"现在还不能进入该阶段",
                field="to",
                details={"event": event, "at": stored.at.isoformat()},
            )
    return _write_move(locked, table, to, reason, actor, now)


def _write_move(
    locked: Lot, table: lifecycle.Table, to: str, reason: str, actor: Any, now: dt.datetime,
    extra: Mapping[str, Any] | None = None,
) -> Lot:  # fmt: skip
    """Write one checked move of a locked lot: the status, the ``LotTransition``, the project's
    status and one audit event ``lot.transition``."""
    project = locked.project
    from_status = locked.status
    locked.status = to
    locked.status_changed_at = now
    locked.version += 1
    locked.next_check_at = None if table.is_terminal(to) else _next_check(locked, table)
    locked.save(update_fields=["status", "status_changed_at", "version", "next_check_at"])
    actor_id, actor_label = _actor_ref(actor)
    LotTransition.objects.create(
        lot=locked,
        from_status=from_status,
        to_status=to,
        actor_id=actor_id,
        actor_label=actor_label,
        at=now,
        reason=reason,
        version=locked.version,
    )
    refresh_project_status(project, table)
    audit.record(
        actor=actor,
        action="lot.transition",
        object_type="trading.lot",
        object_id=locked.code,
        summary={"from": from_status, "to": to, "reason": reason, "version": locked.version, **(extra or {})},
        project_ref=project.code,
        entity_ref=project.tenderer_uscc,
    )
    return locked


@transaction.atomic
def lot_relist(*, lot: Lot, events: Mapping[str, dt.datetime], reason: str, actor: Any) -> Lot:
    """Relist a lot (重新挂牌/再行拍卖) for a new attempt: from ``failed`` (流拍) or the result stage
    (the winner defaulted) back to the first stage, for auction procedures only
    (``lifecycle.Table.relists``; a failed tender is tendered again as a new project).

    The lot's stored timeline events are those of the previous attempt: they are replaced by
    ``events`` (timeline event -> time, the new attempt's: e.g. its start and listing end); the
    events of the previous attempt that the new one does not give are removed, so the tick never
    walks the relisted lot on by the old times. One ``lot.transition`` audit event (``relist``:
    true, with the new events)."""
    locked = Lot.objects.select_for_update().select_related("project").get(pk=lot.pk)
    project = locked.project
    require(actor, "trade.operate", locked)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("lot.reason_required", "重新挂牌须说明原因", field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput("lot.reason_too_long", f"原因不能超过{REASON_MAX}字", field="reason")
    table = selectors.table_of(project)
    to = table.relist_to(locked.status)
    if to is None:
        why = (
            "只有拍卖、挂牌和产权交易的标的可以重新挂牌"
            if not table.relists
            else "只有流拍或竞得人违约（结果阶段）的标的可以重新挂牌"
        )
        raise InvalidInput(
            "lot.not_relistable",
            f"标段（包）“{locked.name}”当前为“{table.label(locked.status)}”，不能重新挂牌：{why}",
            details={"from": locked.status},
        )
    known = {e for e in table.events.values() if e}
    unknown = sorted(set(events) - known)
    if unknown:
        raise InvalidInput(
            "lot.unknown_event",
            f"本交易方式没有这些时间节点：{'、'.join(unknown)}",
            field="events",
            details={"events": unknown},
        )
    now = clock.now()
    LotEvent.objects.filter(lot=locked, event__in=known).delete()
    for event, at in events.items():
        LotEvent.objects.create(
            lot=locked,
            event=event,
            at=at,
            provisional=False,
            basis=f"重新挂牌：{reason}"[:200],
            updated_at=now,
        )
    return _write_move(
        locked, table, to, reason, actor, now,
        extra={"relist": True, "events": {k: v.isoformat() for k, v in events.items()}},
    )  # fmt: skip
