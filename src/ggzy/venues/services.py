"""Every write of the venue catalog and bookings. Atomic, permission-checked, audited; bad input
raises with a stable code and a Chinese message and writes nothing.

Double booking is impossible also under concurrent requests: ``booking_create`` locks the room row
(``SELECT … FOR UPDATE``; SQLite takes the write lock at BEGIN) before it checks for overlaps, so
two requests for one room run one after the other and the second sees the first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from ggzy.audit import services as audit
from ggzy.core import clock, uscc
from ggzy.core.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied, invalid
from ggzy.core.models import Region
from ggzy.core.permissions import require
from ggzy.entities.selectors import entity_get
from ggzy.trading.selectors import lot_event_time
from ggzy.venues import rules, selectors
from ggzy.venues.models import (
    CHECKLIST,
    Booking,
    BookingStatus,
    Inspection,
    OperatorKind,
    Purpose,
    Room,
    RoomKind,
    Venue,
    VenueStatus,
    VenueStatusChange,
)


def _label(actor: Any) -> str:
    return actor.audit_label() if hasattr(actor, "audit_label") else str(actor)


def _next_code(region_code: str) -> str:
    prefix = f"CS{region_code[:4]}"
    last = (
        Venue.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    )
    return f"{prefix}{(int(last[len(prefix) :]) + 1) if last else 1:04d}"


# --- catalog ---------------------------------------------------------------------------------------
def _history(venue: Venue, before: str, reason: str, actor: Any) -> None:
    VenueStatusChange.objects.create(
        venue=venue, at=clock.now(), from_status=before, to_status=venue.status, reason=reason[:300],
        decided_by_label=_label(actor),
    )  # fmt: skip


@transaction.atomic
def venue_register(*, data: Mapping[str, Any], actor: Any) -> Venue:
    """Register a venue applying to join the catalog. A social party's venue names its operator
    by USCC; the operator must be a registered market entity (its registered name is used)."""
    require(actor, "venue.manage")
    errors: list[FieldError] = []
    name = str(data.get("name", "")).strip()
    kind = str(data.get("operator_kind", ""))
    region = str(data.get("region_code", "")).strip()
    address = str(data.get("address", "")).strip()
    operator_name = str(data.get("operator_name", "")).strip()
    if not name:
        errors.append(FieldError("field.required", "请填写场所名称", "name"))
    elif Venue.objects.filter(name=name).exists():
        errors.append(FieldError("venue.duplicate_name", f"已有名为“{name}”的场所", "name"))
    if kind not in OperatorKind.values:
        errors.append(
            FieldError("venue.bad_operator_kind", "运营方类型应为交易服务中心或社会力量", "operator_kind")
        )
    if not Region.objects.filter(code=region).exists():
        errors.append(
            FieldError("venue.bad_region", f"区划代码“{region}”不是本省现行的行政区划代码", "region_code")
        )
    if not address:
        errors.append(FieldError("field.required", "请填写地址", "address"))
    center = data.get("service_center")
    operator_uscc = uscc.normalise(str(data.get("operator_uscc", "")))
    if kind == OperatorKind.CENTER and center is None:
        errors.append(FieldError("field.required", "交易服务中心运营的场所须指明服务中心", "service_center"))
    if kind == OperatorKind.SOCIAL:
        if not uscc.is_valid(operator_uscc):
            errors.append(
                FieldError(
                    "venue.bad_operator_uscc",
                    "社会力量运营的场所须填写运营方有效的统一社会信用代码",
                    "operator_uscc",
                )
            )
        else:
            try:
                operator_name = entity_get(operator_uscc).name
            except NotFound:
                errors.append(
                    FieldError(
                        "venue.operator_not_registered",
                        f"统一社会信用代码为“{operator_uscc}”的运营方尚未登记为市场主体，请先办理主体登记",
                        "operator_uscc",
                    )
                )
    try:
        opens = dt.time.fromisoformat(str(data.get("opens_at") or "08:00"))
        closes = dt.time.fromisoformat(str(data.get("closes_at") or "18:00"))
        if closes <= opens:
            raise ValueError
    except ValueError:
        errors.append(
            FieldError("venue.bad_hours", "开放时间应为“时:分”，且关闭时间晚于开放时间", "opens_at")
        )
        opens = closes = dt.time(0)
    if errors:
        raise invalid(errors, "场所信息")
    venue = Venue.objects.create(
        code=_next_code(region), name=name, operator_kind=kind,
        service_center=center if kind == OperatorKind.CENTER else None,
        operator_uscc=operator_uscc if kind == OperatorKind.SOCIAL else "",
        operator_name=operator_name or (str(center) if center else ""),
        region_code=region, address=address, phone=str(data.get("phone", "")), opens_at=opens, closes_at=closes,
        open_on_rest_days=_flag(data.get("open_on_rest_days")),
        checklist={k: False for k in CHECKLIST}, status=VenueStatus.APPLIED, created_at=clock.now(),
    )  # fmt: skip
    _history(venue, "", "申请纳入场所目录", actor)
    audit.record(
        actor=actor, action="venue.register", object_type="venues.venue", object_id=venue.code,
        summary={"name": name, "operator_kind": kind, "region_code": region, "operator_uscc": venue.operator_uscc,
                 "open_on_rest_days": venue.open_on_rest_days},
    )  # fmt: skip
    return venue


def _flag(value: Any) -> bool:
    """A yes/no from the API (bool) or a form ("on", "1", "true")."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "on", "true", "yes")
    return bool(value)


@transaction.atomic
def venue_inspect(
    *,
    venue: Venue,
    checklist: Mapping[str, Any],
    findings: str = "",
    notes: Mapping[str, str] | None = None,
    inspected_on: dt.date | None = None,
    inspector: str = "",
    actor: Any,
) -> Inspection:
    """Record an inspection against the admission checklist (each item met or not, with a note).
    The inspection does not admit a venue (admission is a decision, ``venue_status_set``); an
    admitted venue that fails an item is suspended at once, the missing items being the reason."""
    require(actor, "venue.manage")
    notes = dict(notes or {})
    unknown = (set(checklist) | set(notes)) - set(CHECKLIST)
    if unknown:
        raise InvalidInput(
            "venue.unknown_item", f"未知的检查项：{'、'.join(sorted(unknown))}", field="checklist"
        )
    today = clock.today()
    if inspected_on is not None and inspected_on > today:
        raise InvalidInput("venue.inspection_in_future", "检查日期不能晚于今天", field="inspected_on")
    if venue.status == VenueStatus.WITHDRAWN:
        raise InvalidInput("venue.withdrawn", f"场所“{venue.name}”已退出目录")
    result = {k: bool(checklist.get(k, False)) for k in CHECKLIST}
    passed = all(result.values())
    missing = [CHECKLIST[k] for k, ok in result.items() if not ok]
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    now = clock.now()
    inspection = Inspection.objects.create(
        venue=venue, at=now, inspected_on=inspected_on or today,
        inspector_label=(inspector.strip() or _label(actor))[:200], checklist=result,
        notes={k: str(v)[:300] for k, v in notes.items() if str(v).strip()}, passed=passed,
        findings=(findings or "；".join(f"未满足：{m}" for m in missing))[:1000],
    )  # fmt: skip
    before = venue.status
    venue.checklist = result
    if not passed and venue.status == VenueStatus.ADMITTED:
        venue.status, venue.status_reason = VenueStatus.SUSPENDED, ("检查不合格：" + "；".join(missing))[:300]
        _history(venue, before, venue.status_reason, actor)
    venue.version += 1
    venue.save(update_fields=["checklist", "status", "status_reason", "version"])
    audit.record(
        actor=actor, action="venue.inspect", object_type="venues.venue", object_id=venue.code,
        summary={"passed": passed, "missing": missing, "status": [before, venue.status]},
    )  # fmt: skip
    return inspection


# the decisions of the competent staff: from -> to
MOVES: dict[str, set[str]] = {
    VenueStatus.APPLIED: {VenueStatus.ADMITTED, VenueStatus.WITHDRAWN},
    VenueStatus.ADMITTED: {VenueStatus.SUSPENDED, VenueStatus.WITHDRAWN},
    VenueStatus.SUSPENDED: {VenueStatus.ADMITTED, VenueStatus.WITHDRAWN},
    VenueStatus.WITHDRAWN: set(),
}


@transaction.atomic
def venue_rest_days_set(*, venue: Venue, open_on_rest_days: Any, actor: Any) -> Venue:
    """The venue's operator (``selectors.is_operator``: the staff of its service center, or the
    administrators of its social operator's entity) declares whether the venue opens on rest days
    and statutory holidays. From then on bookings follow the new rule (``booking_create`` checks
    ``selectors.closed_day``). Active bookings already made on days now closed are kept and flagged
    on the booking console (``selectors.booking_warnings``) for the lots' operators to rebook; the
    audit event counts them."""
    if not selectors.is_operator(actor, venue):
        raise PermissionDenied(
            "venue.not_operator",
            f"只有场所“{venue.name}”的运营方（{venue.operator_name or '运营单位'}）可以修改休息日和法定节假日的开放规则",
        )
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    if venue.status == VenueStatus.WITHDRAWN:
        raise InvalidInput("venue.withdrawn", f"场所“{venue.name}”已退出目录")
    new = _flag(open_on_rest_days)
    if new == venue.open_on_rest_days:
        state = "开放" if new else "不开放"
        raise InvalidInput(
            "venue.rest_days_unchanged",
            f"场所已设为休息日和法定节假日{state}，无需修改",
            field="open_on_rest_days",
        )
    venue.open_on_rest_days = new
    venue.version += 1
    venue.save(update_fields=["open_on_rest_days", "version"])
    affected = selectors.future_bookings_on_closed_days(venue)
    audit.record(
        actor=actor, action="venue.rest_days_set", object_type="venues.venue", object_id=venue.code,
        summary={"open_on_rest_days": [not new, new], "bookings_on_closed_days": affected},
    )  # fmt: skip
    return venue


@transaction.atomic
def venue_status_set(*, venue: Venue, status: str, reason: str, actor: Any) -> Venue:
    """A decision on a venue, with its reason: admit an applied venue or reinstate a suspended one
    (only when the last inspection met every item), suspend an admitted one, withdraw a venue from
    the catalog (final). Active bookings of a suspended or withdrawn venue are kept (the lots'
    operators rebook them); the decision's audit event counts them."""
    require(actor, "venue.manage")
    if not (reason or "").strip():
        raise InvalidInput("venue.reason_required", "请填写理由", field="reason")
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    if status not in MOVES.get(venue.status, set()):
        target = VenueStatus(status).label if status in VenueStatus.values else status
        raise InvalidInput(
            "venue.bad_status_move", f"场所状态不能从“{venue.get_status_display()}”改为“{target}”"
        )
    if status == VenueStatus.ADMITTED:
        last = venue.inspections.order_by("-at", "-id").first()
        if last is None or not last.passed:
            raise InvalidInput(
                "venue.checklist_incomplete", "最近一次检查未全部合格（或尚未检查），请先检查合格再准入"
            )
    before = venue.status
    venue.status, venue.status_reason = status, reason.strip()[:300]
    if status == VenueStatus.ADMITTED and venue.admitted_at is None:
        venue.admitted_at = clock.now()
    venue.version += 1
    venue.save(update_fields=["status", "status_reason", "admitted_at", "version"])
    _history(venue, before, venue.status_reason, actor)
    pending = Booking.objects.filter(
        room__venue=venue, status=BookingStatus.ACTIVE, starts_at__gte=clock.now()
    ).count()
    audit.record(
        actor=actor, action="venue.status_set", object_type="venues.venue", object_id=venue.code,
        summary={"status": [before, status], "reason": venue.status_reason, "active_bookings": pending},
    )  # fmt: skip
    return venue


@transaction.atomic
def room_add(
    *,
    venue: Venue,
    name: str,
    kind: str,
    seats: int,
    remote_evaluation: bool = False,
    monitoring: bool = True,
    area_m2: int | None = None,
    shares_with: list[Room] | tuple[Room, ...] = (),
    actor: Any,
) -> Room:
    """Add a room. ``shares_with``: rooms of the venue this one opens into or shares space with
    (not isolated from it): an evaluation room never serves a lot whose opening hall it shares."""
    require(actor, "venue.manage")
    errors = []
    if not (name or "").strip():
        errors.append(FieldError("field.required", "请填写房间名称", "name"))
    elif Room.objects.filter(venue=venue, name=name.strip()).exists():
        errors.append(FieldError("venue.duplicate_room", f"该场所已有名为“{name}”的房间", "name"))
    if kind not in RoomKind.values:
        errors.append(FieldError("venue.bad_room_kind", "房间类型应为开标室或评标室", "kind"))
    if not isinstance(seats, int) or not 1 <= seats <= 1000:
        errors.append(FieldError("venue.bad_seats", "座位数应为1至1000", "seats"))
    if area_m2 is not None and (not isinstance(area_m2, int) or not 1 <= area_m2 <= 100000):
        errors.append(FieldError("venue.bad_area", "面积应为1至100000平方米", "area_m2"))
    if any(r.venue_id != venue.pk for r in shares_with):
        errors.append(FieldError("venue.bad_shared_room", "相通或共用的房间须属于同一场所", "shares_with"))
    if kind == RoomKind.EVALUATION and not monitoring:
        errors.append(FieldError("venue.evaluation_unmonitored", "评标室须有音视频监控", "monitoring"))
    if errors:
        raise invalid(errors, "房间信息")
    room = Room.objects.create(
        venue=venue, name=name.strip(), kind=kind, seats=seats, remote_evaluation=bool(remote_evaluation),
        monitoring=bool(monitoring), area_m2=area_m2,
    )  # fmt: skip
    if shares_with:
        room.shares_with.set(shares_with)
    audit.record(
        actor=actor, action="venue.room_add", object_type="venues.venue", object_id=venue.code,
        summary={"room": room.name, "kind": kind, "seats": seats, "remote_evaluation": room.remote_evaluation,
                 "monitoring": room.monitoring, "shares_with": [r.name for r in shares_with]},
    )  # fmt: skip
    return room


# --- bookings ------------------------------------------------------------------------------------------
def buffer_minutes() -> int:
    """The preparation and clearing time kept free between two bookings of a room (setting
    ``GGZY_VENUE_BUFFER_MINUTES``, default 30)."""
    return int(settings.GGZY_VENUE_BUFFER_MINUTES)


def _buffer() -> dt.timedelta:
    return dt.timedelta(minutes=buffer_minutes())


def _fmt(at: dt.datetime) -> str:
    return at.astimezone(clock.CHINA).strftime("%Y年%m月%d日 %H:%M")


def _isolation_clash(room: Room, others: Any, purpose: str) -> Booking | None:
    """The lot's booking on the other side of the isolation rule that this room would not be
    isolated from: the same room, or a room sharing space with it."""
    if purpose == Purpose.OPENING:
        across = others.filter(purpose__in=[Purpose.EVALUATION, Purpose.REMOTE])
    else:
        across = others.filter(purpose=Purpose.OPENING)
    shared = set(room.shares_with.values_list("pk", flat=True)) | {room.pk}
    return across.filter(room_id__in=shared).select_related("room").first()


def _check_and_create(
    *, lot: Any, room: Room, purpose: str, starts_at: dt.datetime, ends_at: dt.datetime, actor: Any,
    replaces: Booking | None = None,
) -> Booking:  # fmt: skip
    room = (
        Room.objects.select_for_update().select_related("venue").get(pk=room.pk)
    )  # serialises bookings of a room
    venue = room.venue
    if venue.status != VenueStatus.ADMITTED:
        raise InvalidInput(
            "venue.not_admitted",
            f"场所“{venue.name}”当前{venue.get_status_display()}（{venue.status_reason or '未纳入目录'}），不能预约",
        )
    if not room.active:
        raise InvalidInput("venue.room_inactive", f"房间“{room.name}”已停用")
    if purpose not in Purpose.values:
        raise InvalidInput("venue.bad_purpose", "用途应为开标、评标或远程异地评标", field="purpose")
    if starts_at.tzinfo is None or ends_at.tzinfo is None or ends_at <= starts_at:
        raise InvalidInput("venue.bad_period", "结束时间应晚于开始时间（须带时区）", field="ends_at")
    if starts_at < clock.now():
        raise InvalidInput("venue.in_the_past", "不能预约已经过去的时间", field="starts_at")
    others = Booking.objects.filter(lot=lot, status=BookingStatus.ACTIVE)
    if replaces is not None:
        others = others.exclude(pk=replaces.pk)
    clash = _isolation_clash(room, others, purpose)
    if clash is not None:
        same = "就是" if clash.room_id == room.pk else "与"
        tail = "" if clash.room_id == room.pk else "相通或共用"
        raise InvalidInput(
            "venue.evaluation_not_isolated",
            f"评标室应与本标段（包）的开标室相互隔离：“{room.name}”{same}已预约的"
            f"{clash.get_purpose_display()}房间“{clash.room.name}”{tail}，请选择隔离的评标室",
            field="room_id",
        )
    wanted_kind = RoomKind.OPENING if purpose == Purpose.OPENING else RoomKind.EVALUATION
    if room.kind != wanted_kind:
        raise InvalidInput(
            "venue.wrong_room_kind",
            f"“{room.name}”是{room.get_kind_display()}，不能用于{Purpose(purpose).label}",
            field="room_id",
        )
    if purpose == Purpose.REMOTE and not room.remote_evaluation:
        raise InvalidInput(
            "venue.not_remote_capable", f"“{room.name}”不具备远程异地评标条件", field="room_id"
        )
    if not rules.within_hours(
        starts_at.astimezone(clock.CHINA), ends_at.astimezone(clock.CHINA), venue.opens_at, venue.closes_at
    ):
        raise InvalidInput(
            "venue.outside_hours",
            f"预约时间{_fmt(starts_at)}至{_fmt(ends_at)}超出场所开放时间"
            f"（每日{venue.opens_at:%H:%M}至{venue.closes_at:%H:%M}），请调整",
            field="starts_at",
        )
    closed = selectors.closed_day(venue, starts_at)
    if closed:
        raise InvalidInput("venue.closed_day", closed, field="starts_at")
    scheduled = lot_event_time(lot, "opening")  # the lot's timeline (trading), if scheduled
    if scheduled is not None and purpose == Purpose.OPENING and not starts_at <= scheduled.at < ends_at:
        raise InvalidInput(
            "venue.not_at_opening_time",
            f"开标应当在招标文件确定的时间公开进行（《招标投标法》第三十四条）：本标段（包）开标时间为"
            f"{_fmt(scheduled.at)}，预约时段应包含该时间",
            field="starts_at",
        )
    if scheduled is not None and purpose != Purpose.OPENING and starts_at < scheduled.at:
        raise InvalidInput(
            "venue.evaluation_before_opening",
            f"评标不能早于本标段（包）的开标时间{_fmt(scheduled.at)}",
            field="starts_at",
        )
    if purpose != Purpose.REMOTE and others.filter(purpose=purpose).exists():
        raise Conflict(
            "venue.lot_already_booked", f"该标段（包）已预约{Purpose(purpose).label}场地，如需更改请改约"
        )
    if purpose == Purpose.REMOTE:
        main = others.filter(purpose=Purpose.EVALUATION).select_related("room").first()
        if main is not None and main.room.venue_id == venue.pk:
            raise InvalidInput(
                "venue.remote_same_venue", "远程异地评标席位应在主评标场所以外的场所", field="room_id"
            )
    if purpose != Purpose.OPENING:
        opening = others.filter(purpose=Purpose.OPENING).first()
        if opening is not None and starts_at < opening.starts_at:
            raise InvalidInput("venue.evaluation_before_opening", "评标不能早于开标", field="starts_at")
    else:
        first_eval = others.exclude(purpose=Purpose.OPENING).order_by("starts_at").first()
        if first_eval is not None and first_eval.starts_at < starts_at:
            raise InvalidInput(
                "venue.evaluation_before_opening", "开标不能晚于已预约的评标", field="starts_at"
            )
    blocked_from, blocked_until = rules.blocked_span(starts_at, ends_at, _buffer())
    near = Booking.objects.filter(
        room=room, status=BookingStatus.ACTIVE, blocked_from__lt=ends_at, blocked_until__gt=starts_at
    ).exclude(pk=getattr(replaces, "pk", None))
    taken = near.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).first()
    if taken is not None:
        raise Conflict(
            "venue.double_booking",
            f"“{room.name}”在{_fmt(taken.starts_at)}至{_fmt(taken.ends_at)}已被预约，请选择其他时间或房间",
        )
    taken = near.first()
    if taken is not None:
        raise Conflict(
            "venue.buffer_too_short",
            f"“{room.name}”在{_fmt(taken.starts_at)}至{_fmt(taken.ends_at)}已被预约，两次预约之间须留出"
            f"{settings.GGZY_VENUE_BUFFER_MINUTES}分钟准备和清场时间，请调整",
        )
    try:
        with transaction.atomic():  # a savepoint: the unique constraint may refuse (a concurrent request)
            return Booking.objects.create(
                room=room, lot=lot, lot_code=lot.code, purpose=purpose, starts_at=starts_at, ends_at=ends_at,
                blocked_from=blocked_from, blocked_until=blocked_until, booked_by_label=_label(actor),
                created_at=clock.now(), replaces=replaces,
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(
            "venue.lot_already_booked", f"该标段（包）已预约{Purpose(purpose).label}场地，如需更改请改约"
        ) from None


@transaction.atomic
def booking_create(
    *, lot: Any, room: Room, purpose: str, starts_at: dt.datetime, ends_at: dt.datetime, actor: Any
) -> Booking:
    """Book a room for a lot's opening (an opening hall), its evaluation (an evaluation room
    isolated from the lot's opening hall: another room, sharing no space with it, not before the
    opening) or a remote evaluation seat (远程异地评标: an evaluation room with remote capability
    in another venue than the main evaluation; a lot may have several)."""
    require(actor, "trade.operate", lot)
    booking = _check_and_create(
        lot=lot, room=room, purpose=purpose, starts_at=starts_at, ends_at=ends_at, actor=actor
    )
    audit.record(
        actor=actor, action="venue.book", object_type="venues.booking", object_id=booking.pk,
        summary={"room": room.pk, "purpose": purpose, "from": starts_at.isoformat(), "until": ends_at.isoformat()},
        project_ref=lot.project.code,
    )  # fmt: skip
    return booking


def _active(booking_id: int) -> Booking:
    b = Booking.objects.select_for_update().select_related("lot__project").filter(pk=booking_id).first()
    if b is None:
        raise NotFound("venue.booking_not_found", "未找到该预约")
    if b.status != BookingStatus.ACTIVE:
        raise Conflict("venue.booking_cancelled", "该预约已取消")
    return b


@transaction.atomic
def booking_cancel(*, booking_id: int, reason: str, actor: Any) -> Booking:
    b = _active(booking_id)
    require(actor, "trade.operate", b.lot)
    if not (reason or "").strip():
        raise InvalidInput("venue.reason_required", "请填写取消原因", field="reason")
    b.status, b.cancelled_at, b.cancel_reason = BookingStatus.CANCELLED, clock.now(), reason.strip()[:300]
    b.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    audit.record(
        actor=actor, action="venue.cancel", object_type="venues.booking", object_id=b.pk,
        summary={"reason": b.cancel_reason}, project_ref=b.lot.project.code,
    )  # fmt: skip
    return b


@transaction.atomic
def booking_rebook(
    *, booking_id: int, room: Room, starts_at: dt.datetime, ends_at: dt.datetime, reason: str, actor: Any
) -> Booking:
    """Move a booking (another time and/or room) in one step: the old one is cancelled only if
    the new one can be made."""
    old = _active(booking_id)
    require(actor, "trade.operate", old.lot)
    if not (reason or "").strip():
        raise InvalidInput("venue.reason_required", "请填写改约原因", field="reason")
    # the old booking is cancelled first (so the lot holds one active booking per purpose), then
    # the new one is made; if that is refused the transaction rolls the cancellation back
    old.status, old.cancelled_at, old.cancel_reason = (
        BookingStatus.CANCELLED,
        clock.now(),
        f"改约：{reason.strip()}"[:300],
    )
    old.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    new = _check_and_create(
        lot=old.lot,
        room=room,
        purpose=old.purpose,
        starts_at=starts_at,
        ends_at=ends_at,
        actor=actor,
        replaces=old,
    )
    audit.record(
        actor=actor, action="venue.rebook", object_type="venues.booking", object_id=new.pk,
        summary={"replaces": old.pk, "room": room.pk, "from": starts_at.isoformat(), "until": ends_at.isoformat()},
        project_ref=old.lot.project.code,
    )  # fmt: skip
    return new


# a moved opening booking starts this long before the opening (at most half its length)
OPENING_LEAD = dt.timedelta(minutes=30)


@transaction.atomic
def booking_follow_opening(*, lot: Any, actor: Any) -> list[Booking]:
    """The trading side rescheduled the lot's opening: move the lot's active bookings with it in one
    step. The opening booking keeps its room and length and starts ``OPENING_LEAD`` before the new
    opening time; the evaluation and remote bookings keep their rooms and lengths and move by the
    same shift. Each new booking is checked as a new one (venue admitted and open that day, hours,
    the room free with the buffer, isolation); if any is refused nothing changes (the error says
    which) and the operator rebooks by hand. Returns the new bookings, opening first."""
    require(actor, "trade.operate", lot)
    lot_id = lot.pk
    scheduled = lot_event_time(lot, "opening")
    if scheduled is None:
        raise InvalidInput("venue.no_opening_time", "本标段（包）尚未确定开标时间")
    active = list(
        Booking.objects.select_for_update()
        .filter(lot_id=lot_id, status=BookingStatus.ACTIVE)
        .order_by("starts_at", "id")
    )
    opening = next((b for b in active if b.purpose == Purpose.OPENING), None)
    if opening is None:
        raise InvalidInput("venue.no_opening_booking", "本标段（包）没有有效的开标场地预约")
    if opening.starts_at <= scheduled.at < opening.ends_at and not any(
        b.starts_at < scheduled.at for b in active if b.purpose != Purpose.OPENING
    ):
        raise InvalidInput("venue.opening_covered", "现有预约与开标时间一致，无需调整")
    lead = min(OPENING_LEAD, (opening.ends_at - opening.starts_at) / 2)
    shift = (scheduled.at - lead) - opening.starts_at
    reason = f"开标时间变更为{_fmt(scheduled.at)}"
    now = clock.now()
    for b in active:  # cancelled first: the new bookings may overlap the ones they replace
        b.status, b.cancelled_at, b.cancel_reason = BookingStatus.CANCELLED, now, f"改约：{reason}"[:300]
        b.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    moved = []
    for b in [opening, *[x for x in active if x is not opening]]:
        new = _check_and_create(
            lot=lot, room=b.room, purpose=b.purpose, starts_at=b.starts_at + shift, ends_at=b.ends_at + shift,
            actor=actor, replaces=b,
        )  # fmt: skip
        moved.append(new)
    audit.record(
        actor=actor, action="venue.follow_opening", object_type="trading.lot", object_id=lot.code,
        summary={"opening": scheduled.at.isoformat(), "shift_minutes": int(shift.total_seconds() // 60),
                 "bookings": [[b.replaces_id, b.pk] for b in moved]},
        project_ref=lot.project.code,
    )  # fmt: skip
    return moved
