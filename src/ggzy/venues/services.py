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
from django.db import transaction

from ggzy.audit import services as audit
from ggzy.core import clock, uscc
from ggzy.core.errors import Conflict, FieldError, InvalidInput, NotFound, invalid
from ggzy.core.models import Region
from ggzy.core.permissions import require
from ggzy.venues.models import (
    CHECKLIST,
    Booking,
    BookingStatus,
    Inspection,
    OperatorKind,
    Room,
    RoomKind,
    Venue,
    VenueStatus,
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
@transaction.atomic
def venue_register(*, data: Mapping[str, Any], actor: Any) -> Venue:
    require(actor, "venue.manage")
    errors: list[FieldError] = []
    name = str(data.get("name", "")).strip()
    kind = str(data.get("operator_kind", ""))
    region = str(data.get("region_code", "")).strip()
    address = str(data.get("address", "")).strip()
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
    if kind == OperatorKind.SOCIAL and not uscc.is_valid(operator_uscc):
        errors.append(
            FieldError(
                "venue.bad_operator_uscc",
                "社会力量运营的场所须填写运营方有效的统一社会信用代码",
                "operator_uscc",
            )
        )
    try:
        opens = dt.time.fromisoformat(str(data.get("opens_at", "08:00")))
        closes = dt.time.fromisoformat(str(data.get("closes_at", "18:00")))
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
        operator_name=str(data.get("operator_name", "")) or (str(center) if center else ""),
        region_code=region, address=address, phone=str(data.get("phone", "")), opens_at=opens, closes_at=closes,
        checklist={k: False for k in CHECKLIST}, status=VenueStatus.APPLIED, created_at=clock.now(),
    )  # fmt: skip
    audit.record(
        actor=actor, action="venue.register", object_type="venues.venue", object_id=venue.code,
        summary={"name": name, "operator_kind": kind, "region_code": region},
    )  # fmt: skip
    return venue


@transaction.atomic
def venue_inspect(
    *, venue: Venue, checklist: Mapping[str, Any], findings: str = "", actor: Any
) -> Inspection:
    """An inspection against the admission checklist. All items met: an applied or suspended venue
    is admitted; any item missing: an admitted venue is suspended."""
    require(actor, "venue.manage")
    unknown = set(checklist) - set(CHECKLIST)
    if unknown:
        raise InvalidInput(
            "venue.unknown_item", f"未知的检查项：{'、'.join(sorted(unknown))}", field="checklist"
        )
    result = {k: bool(checklist.get(k, False)) for k in CHECKLIST}
    passed = all(result.values())
    missing = [CHECKLIST[k] for k, ok in result.items() if not ok]
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    now = clock.now()
    inspection = Inspection.objects.create(
        venue=venue, at=now, inspector_label=_label(actor), checklist=result, passed=passed,
        findings=(findings or "；".join(f"未满足：{m}" for m in missing))[:1000],
    )  # fmt: skip
    before = venue.status
    venue.checklist = result
    if passed and venue.status != VenueStatus.ADMITTED:
        venue.status, venue.admitted_at, venue.status_reason = (
            VenueStatus.ADMITTED,
            now,
            "检查合格，纳入场所目录",
        )
    elif not passed and venue.status == VenueStatus.ADMITTED:
        venue.status, venue.status_reason = VenueStatus.SUSPENDED, "检查不合格：" + "；".join(missing)
    venue.version += 1
    venue.save(update_fields=["checklist", "status", "admitted_at", "status_reason", "version"])
    audit.record(
        actor=actor, action="venue.inspect", object_type="venues.venue", object_id=venue.code,
        summary={"passed": passed, "missing": missing, "status": [before, venue.status]},
    )  # fmt: skip
    return inspection


@transaction.atomic
def venue_status_set(*, venue: Venue, status: str, reason: str, actor: Any) -> Venue:
    """Suspend an admitted venue, or reinstate a suspended one whose last inspection passed."""
    require(actor, "venue.manage")
    if not (reason or "").strip():
        raise InvalidInput("venue.reason_required", "请填写原因", field="reason")
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    allowed = {VenueStatus.ADMITTED: VenueStatus.SUSPENDED, VenueStatus.SUSPENDED: VenueStatus.ADMITTED}
    if allowed.get(venue.status) != status:
        raise InvalidInput("venue.bad_status_move", f"场所状态不能从“{venue.get_status_display()}”改为该状态")
    if status == VenueStatus.ADMITTED and not all(venue.checklist.get(k) for k in CHECKLIST):
        raise InvalidInput("venue.checklist_incomplete", "最近一次检查未全部合格，请先复查")
    before = venue.status
    venue.status, venue.status_reason = status, reason.strip()
    venue.version += 1
    venue.save(update_fields=["status", "status_reason", "version"])
    audit.record(
        actor=actor, action="venue.status_set", object_type="venues.venue", object_id=venue.code,
        summary={"status": [before, status], "reason": reason.strip()},
    )  # fmt: skip
    return venue


@transaction.atomic
def room_add(
    *, venue: Venue, name: str, kind: str, seats: int, remote_evaluation: bool = False, actor: Any
) -> Room:
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
    if errors:
        raise invalid(errors, "房间信息")
    room = Room.objects.create(
        venue=venue, name=name.strip(), kind=kind, seats=seats, remote_evaluation=bool(remote_evaluation)
    )
    audit.record(
        actor=actor, action="venue.room_add", object_type="venues.venue", object_id=venue.code,
        summary={"room": room.name, "kind": kind, "seats": seats, "remote_evaluation": room.remote_evaluation},
    )  # fmt: skip
    return room


# --- bookings ------------------------------------------------------------------------------------------
def _buffer() -> dt.timedelta:
    return dt.timedelta(minutes=settings.GGZY_VENUE_BUFFER_MINUTES)


def _fmt(at: dt.datetime) -> str:
    return at.astimezone(clock.CHINA).strftime("%Y年%m月%d日 %H:%M")


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
    if purpose not in RoomKind.values or room.kind != purpose:
        raise InvalidInput(
            "venue.wrong_room_kind", f"“{room.name}”是{room.get_kind_display()}，不能用于该用途"
        )
    if starts_at.tzinfo is None or ends_at.tzinfo is None or ends_at <= starts_at:
        raise InvalidInput("venue.bad_period", "结束时间应晚于开始时间（须带时区）", field="ends_at")
    if starts_at < clock.now():
        raise InvalidInput("venue.in_the_past", "不能预约已经过去的时间", field="starts_at")
    local_start, local_end = starts_at.astimezone(clock.CHINA), ends_at.astimezone(clock.CHINA)
    if (
        local_start.date() != local_end.date()
        or local_start.time() < venue.opens_at
        or local_end.time() > venue.closes_at
    ):
        raise InvalidInput(
            "venue.outside_hours",
            f"预约时间{_fmt(starts_at)}至{_fmt(ends_at)}超出场所开放时间"
            f"（每日{venue.opens_at:%H:%M}至{venue.closes_at:%H:%M}），请调整",
            field="starts_at",
        )
    others = Booking.objects.filter(lot=lot, status=BookingStatus.ACTIVE)
    if replaces is not None:
        others = others.exclude(pk=replaces.pk)
    if others.filter(purpose=purpose).exists():
        raise Conflict(
            "venue.lot_already_booked", f"该标段（包）已预约{RoomKind(purpose).label}，如需更改请改约"
        )
    if purpose == RoomKind.EVALUATION:
        opening = others.filter(purpose=RoomKind.OPENING).first()
        if opening is not None and starts_at < opening.starts_at:
            raise InvalidInput("venue.evaluation_before_opening", "评标不能早于开标")
    # the buffer is kept once between two bookings: these times against the others' blocked spans
    blocked_from, blocked_until = starts_at - _buffer(), ends_at + _buffer()
    clash = (
        Booking.objects.filter(
            room=room,
            status=BookingStatus.ACTIVE,
            blocked_from__lt=ends_at,
            blocked_until__gt=starts_at,
        )
        .exclude(pk=getattr(replaces, "pk", None))
        .first()
    )
    if clash is not None:
        raise Conflict(
            "venue.double_booking",
            f"“{room.name}”在{_fmt(clash.starts_at)}至{_fmt(clash.ends_at)}已被预约"
            f"（含前后各{settings.GGZY_VENUE_BUFFER_MINUTES}分钟准备和清场时间），请选择其他时间或房间",
        )
    return Booking.objects.create(
        room=room, lot=lot, lot_code=lot.code, purpose=purpose, starts_at=starts_at, ends_at=ends_at,
        blocked_from=blocked_from, blocked_until=blocked_until, booked_by_label=_label(actor),
        created_at=clock.now(), replaces=replaces,
    )  # fmt: skip


@transaction.atomic
def booking_create(
    *, lot: Any, room: Room, purpose: str, starts_at: dt.datetime, ends_at: dt.datetime, actor: Any
) -> Booking:
    """Book a room for a lot's opening (开标室) or evaluation (评标室, isolated from the opening
    hall: a different room of the evaluation kind, not before the opening)."""
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
    new = _check_and_create(
        lot=old.lot,
        room=room,
        purpose=old.purpose,
        starts_at=starts_at,
        ends_at=ends_at,
        actor=actor,
        replaces=old,
    )
    old.status, old.cancelled_at, old.cancel_reason = (
        BookingStatus.CANCELLED,
        clock.now(),
        f"改约：{reason.strip()}"[:300],
    )
    old.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    audit.record(
        actor=actor, action="venue.rebook", object_type="venues.booking", object_id=new.pk,
        summary={"replaces": old.pk, "room": room.pk, "from": starts_at.isoformat(), "until": ends_at.isoformat()},
        project_ref=old.lot.project.code,
    )  # fmt: skip
    return new
