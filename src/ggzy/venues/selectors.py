"""Reads of the venue catalog: the public catalog, nearest venues with a free room (就近), a
venue's calendar, a lot's bookings (for its timeline)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from ggzy.core import calendar as core_calendar
from ggzy.core import clock
from ggzy.core import selectors as core_selectors
from ggzy.core.errors import NotFound
from ggzy.core.permissions import allowed
from ggzy.entities.selectors import region_names
from ggzy.venues import rules
from ggzy.venues.models import (
    CHECKLIST,
    Booking,
    BookingStatus,
    OperatorKind,
    Purpose,
    Room,
    RoomKind,
    Venue,
    VenueStatus,
    VenueStatusChange,
)


def venue_public_get(code: str, viewer: Any = None) -> Venue:
    """A venue as the public may see it: applied venues (not in the catalog yet) only for staff
    who manage the catalog."""
    v = venue_get(code)
    if v.status == VenueStatus.APPLIED and not allowed(viewer, "venue.manage"):
        raise NotFound("venue.not_found", f"未找到编号为“{code}”的场所")
    return v


def venue_get(code: str) -> Venue:
    found = Venue.objects.filter(code=(code or "").strip().upper()).first()
    if found is None:
        raise NotFound("venue.not_found", f"未找到编号为“{code}”的场所")
    return found


def room_get(room_id: int) -> Room:
    found = Room.objects.select_related("venue").filter(pk=room_id).first()
    if found is None:
        raise NotFound("venue.room_not_found", "未找到该房间")
    return found


CAPABILITIES = {
    "opening": "有开标室",
    "evaluation": "有评标室",
    "remote": "支持远程异地评标",
    "social": "社会力量运营",
}


def catalog(*, region: str = "", capability: str = "", seats: int = 0) -> QuerySet[Venue]:
    """The published catalog: admitted venues (suspended ones are shown as suspended), filtered
    by region (a county code, or a city or province code standing for its whole area) and a
    capability (``CAPABILITIES``) and the seats of one room of the capability's kind."""
    qs = Venue.objects.filter(status__in=[VenueStatus.ADMITTED, VenueStatus.SUSPENDED])
    region = (region or "").strip()
    if region.isdigit() and len(region) == 6:
        prefix = region[:2] if region.endswith("0000") else region[:4] if region.endswith("00") else region
        qs = qs.filter(region_code__startswith=prefix)
    rooms = Room.objects.filter(active=True)
    if capability == "opening":
        rooms = rooms.filter(kind=RoomKind.OPENING)
    elif capability in ("evaluation", "remote"):
        rooms = rooms.filter(kind=RoomKind.EVALUATION)
        if capability == "remote":
            rooms = rooms.filter(remote_evaluation=True)
    elif capability == "social":
        qs = qs.filter(operator_kind=OperatorKind.SOCIAL)
    if seats:
        rooms = rooms.filter(seats__gte=seats)
    if seats or capability in ("opening", "evaluation", "remote"):
        qs = qs.filter(pk__in=rooms.values("venue_id"))
    return qs.prefetch_related("rooms")


def status_history(venue: Venue) -> QuerySet[VenueStatusChange]:
    return venue.status_changes.all()


def venues_for_console() -> QuerySet[Venue]:
    """Every venue, applied and withdrawn ones included (the catalog is province-wide)."""
    return Venue.objects.all().prefetch_related("rooms")


def free_rooms(
    *, kind: str, starts_at: dt.datetime, ends_at: dt.datetime, seats: int = 1, remote: bool = False
) -> QuerySet[Room]:
    busy = Booking.objects.filter(
        status=BookingStatus.ACTIVE, blocked_from__lt=ends_at, blocked_until__gt=starts_at
    ).values("room_id")
    rooms = Room.objects.filter(kind=kind, active=True, seats__gte=seats, venue__status=VenueStatus.ADMITTED)
    if remote:
        rooms = rooms.filter(remote_evaluation=True)
    return rooms.exclude(pk__in=busy).select_related("venue")


def is_operator(actor: Any, venue: Venue) -> bool:
    """Whether ``actor`` runs the venue (场所运营方): for a service center's venue, that center's
    staff who keep the catalog (``venue.manage``); for a social party's venue, the administrators
    of the operator's registered market entity (``entity.update`` on its own entity only)."""
    from types import SimpleNamespace

    from ggzy.accounts.models import Role
    from ggzy.core.permissions import SYSTEM

    if actor is SYSTEM:
        return True
    if venue.operator_kind == OperatorKind.CENTER:
        return (
            venue.service_center_id is not None
            and getattr(actor, "service_center_id", None) == venue.service_center_id
            and allowed(actor, "venue.manage")
        )
    return (
        bool(venue.operator_uscc)
        and getattr(actor, "role", "") == Role.ENTITY_ADMIN
        and allowed(actor, "entity.update", SimpleNamespace(uscc=venue.operator_uscc))
    )


def future_bookings_on_closed_days(venue: Venue) -> int:
    """Active bookings of the venue from now on that fall on a day it is closed (after its
    operator stopped opening on rest days): they are kept, flagged by ``booking_warnings``."""
    now = clock.now()
    return sum(
        1
        for b in Booking.objects.filter(room__venue=venue, status=BookingStatus.ACTIVE, starts_at__gt=now)
        if closed_day(venue, b.starts_at)
    )


def closed_on(venue: Venue, day: dt.date) -> str:
    """A short label when the venue is closed on the local ``day`` (for the calendar: e.g.
    “国庆节假期，不开放”), "" when it is open (the rule of ``closed_day``)."""
    if venue.open_on_rest_days:
        return ""
    info = core_selectors.holiday_table().day(day)
    if info.working:
        return ""
    what = f"{info.name or '法定节假日'}假期" if info.kind == core_calendar.HOLIDAY else "休息日"
    return f"{what}，不开放" + ("" if info.confirmed else "（推定）")


def closed_day(venue: Venue, starts_at: dt.datetime) -> str:
    """Why the venue is closed on the (local) day of ``starts_at``, or "" when it is open: a venue
    is closed on rest days and statutory holidays as the statutory calendar knows them
    (``core.calendar``: the loaded yearly schedule of the State Council, make-up working days
    open) unless it declares that it opens on them (``open_on_rest_days``)."""
    if venue.open_on_rest_days:
        return ""
    info = core_selectors.holiday_table().day(starts_at.astimezone(clock.CHINA).date())
    if info.working:
        return ""
    note = "" if info.confirmed else "（该年度放假安排尚未公布，按法定节日和周末推定）"
    return (
        f"{info.describe()}场所“{venue.name}”不开放{note}：场所在休息日和法定节假日不开放，"
        f"声明节假日开放的场所除外。请改在工作日，或选择节假日开放的场所"
    )


def venues_near(
    *,
    region_code: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    seats: int = 1,
    remote: bool = False,
) -> list[dict[str, Any]]:
    """Admitted venues with a free room of ``kind`` for the period (open then — within the hours, and
    not a rest day or holiday unless the venue opens on them — the buffer around
    other bookings respected), nearest first (就近): the same county (or the same region code),
    then the same city, then the rest of the province (``rules.distance``); ties by venue code."""
    local_start, local_end = starts_at.astimezone(clock.CHINA), ends_at.astimezone(clock.CHINA)
    by_venue: dict[int, list[Room]] = defaultdict(list)
    venues: dict[int, Venue] = {}
    shut: dict[int, bool] = {}
    for room in free_rooms(kind=kind, starts_at=starts_at, ends_at=ends_at, seats=seats, remote=remote):
        v = room.venue
        if not rules.within_hours(local_start, local_end, v.opens_at, v.closes_at):
            continue
        if v.pk not in shut:
            shut[v.pk] = bool(closed_day(v, starts_at))
        if shut[v.pk]:
            continue
        venues[v.pk] = v
        by_venue[v.pk].append(room)
    rows = [
        {"venue": v, "distance": rules.distance(region_code, v.region_code), "rooms": by_venue[pk]}
        for pk, v in venues.items()
    ]
    rows.sort(key=lambda r: (r["distance"], r["venue"].code))
    return rows


def calendar(venue: Venue, start: dt.date, days: int = 7) -> list[dict[str, Any]]:
    """A week of a venue: per day, per room, the active bookings; ``closed``: why the venue is
    closed that day ("" when open; ``closed_on``), for the calendar's shading."""
    first = dt.datetime.combine(start, dt.time.min, tzinfo=clock.CHINA)
    last = first + dt.timedelta(days=days)
    bookings = Booking.objects.filter(
        room__venue=venue, status=BookingStatus.ACTIVE, starts_at__lt=last, ends_at__gt=first
    ).select_related("room")
    out = []
    rooms = list(venue.rooms.filter(active=True))
    for i in range(days):
        day = start + dt.timedelta(days=i)
        out.append(
            {
                "day": day,
                "closed": closed_on(venue, day),
                "rooms": [
                    {
                        "room": r,
                        "bookings": [
                            b
                            for b in bookings
                            if b.room_id == r.pk and b.starts_at.astimezone(clock.CHINA).date() == day
                        ],
                    }
                    for r in rooms
                ],
            }
        )
    return out


def bookings_for_lot(lot: Any) -> list[dict[str, Any]]:
    """The lot's active bookings, for its timeline (opening, evaluation and remote rooms)."""
    return [
        {
            "id": b.pk,
            "purpose": b.purpose,
            "purpose_label": b.get_purpose_display(),
            "venue": b.room.venue.name,
            "venue_code": b.room.venue.code,
            "address": b.room.venue.address,
            "room": b.room.name,
            "starts_at": b.starts_at,
            "ends_at": b.ends_at,
        }
        for b in Booking.objects.filter(lot=lot, status=BookingStatus.ACTIVE).select_related("room__venue")
    ]


def bookings_for_lot_code(lot_code: str) -> list[dict[str, Any]]:
    """The same by the lot's code (for the trading pages' template tag)."""
    return bookings_for_lot_history(lot_code, active_only=True)


def bookings_for_lot_history(lot_code: str, *, active_only: bool = False) -> list[dict[str, Any]]:
    """Every booking of a lot by its code, cancelled and replaced ones included (the console)."""
    qs = Booking.objects.filter(lot_code=lot_code).select_related("room__venue").order_by("created_at", "id")
    if active_only:
        qs = qs.filter(status=BookingStatus.ACTIVE).order_by("starts_at", "id")
    rows = [_booking_row(b) for b in qs]
    if rows:
        warnings = booking_warnings(qs[0].lot)
        for r in rows:
            r["warning"] = warnings.get(r["id"], "")
    return rows


def _fmt(at: dt.datetime) -> str:
    return at.astimezone(clock.CHINA).strftime("%Y年%m月%d日 %H:%M")


def booking_warnings(lot: Any) -> dict[int, str]:
    """Active bookings of the lot that its current timeline contradicts (booking id -> message):
    the opening was rescheduled on the trading side (an amendment notice, a changed holiday table)
    and the opening booking no longer covers the opening time (招标投标法第三十四条), or an
    evaluation now starts before the opening. Computed on every read, so whatever moved the
    opening, the operator sees it on the booking console and in the API; ``services.
    booking_follow_opening`` moves the bookings."""
    from ggzy.trading.selectors import lot_event_time

    scheduled = lot_event_time(lot, "opening")
    out: dict[int, str] = {}
    for b in Booking.objects.filter(lot=lot, status=BookingStatus.ACTIVE).select_related("room__venue"):
        closed = closed_day(b.room.venue, b.starts_at) if b.starts_at > clock.now() else ""
        if closed:  # the venue's operator changed its rest-day rule after the booking was made
            out[b.pk] = f"本预约所在日期场所已改为不开放：{closed}"
        elif scheduled is None:
            continue
        elif b.purpose == Purpose.OPENING and not b.starts_at <= scheduled.at < b.ends_at:
            out[b.pk] = (
                f"开标时间已变更为{_fmt(scheduled.at)}，本预约（{_fmt(b.starts_at)}至{_fmt(b.ends_at)}）"
                f"不再包含开标时间，请按新的开标时间改约"
            )
        elif b.purpose != Purpose.OPENING and b.starts_at < scheduled.at:
            out[b.pk] = f"开标时间已变更为{_fmt(scheduled.at)}，本预约早于开标，请改约"
    return out


def booking_view(booking_id: int) -> dict[str, Any]:
    b = Booking.objects.select_related("room__venue").filter(pk=booking_id).first()
    if b is None:
        raise NotFound("venue.booking_not_found", "未找到该预约")
    return _booking_row(b)


def _booking_row(b: Booking) -> dict[str, Any]:
    return {
        "id": b.pk, "purpose": b.purpose, "purpose_label": b.get_purpose_display(),
        "venue": b.room.venue.name, "venue_code": b.room.venue.code, "address": b.room.venue.address,
        "room": b.room.name, "room_id": b.room_id, "starts_at": b.starts_at, "ends_at": b.ends_at,
        "status": b.status, "status_label": b.get_status_display(), "cancel_reason": b.cancel_reason,
        "replaces": b.replaces_id, "booked_by": b.booked_by_label, "lot_code": b.lot_code, "warning": "",
    }  # fmt: skip


# --- views for pages and the API ----------------------------------------------------------------------
def service_center_get(center_id: Any) -> Any:
    from ggzy.accounts.models import ServiceCenter

    found = ServiceCenter.objects.filter(pk=center_id).first() if str(center_id or "").isdigit() else None
    if found is None:
        raise NotFound("venue.center_not_found", "未找到该交易服务中心")
    return found


def room_view(r: Room) -> dict[str, Any]:
    return {
        "id": r.pk, "name": r.name, "kind": r.kind, "kind_label": r.get_kind_display(), "seats": r.seats,
        "remote_evaluation": r.remote_evaluation, "monitoring": r.monitoring, "area_m2": r.area_m2,
        "shares_with": [x.name for x in r.shares_with.all()],
    }  # fmt: skip


def venue_view(v: Venue, *, detail: bool = False) -> dict[str, Any]:
    out = {
        "code": v.code, "name": v.name, "operator_kind": v.operator_kind, "operator_uscc": v.operator_uscc,
        "operator_name": v.operator_name, "region_code": v.region_code, "address": v.address, "phone": v.phone,
        "opens_at": v.opens_at, "closes_at": v.closes_at, "open_on_rest_days": v.open_on_rest_days, "status": v.status, "status_label": v.get_status_display(),
        "status_reason": v.status_reason, "checklist": {k: bool(v.checklist.get(k)) for k in CHECKLIST},
        "rooms": [room_view(r) for r in v.rooms.all() if r.active],
    }  # fmt: skip
    if detail:
        out["inspections"] = [
            {"inspected_on": i.inspected_on, "inspector": i.inspector_label, "checklist": i.checklist,
             "notes": i.notes, "passed": i.passed, "findings": i.findings}
            for i in v.inspections.all()
        ]  # fmt: skip
        out["status_history"] = [
            {"at": h.at, "from_status": h.from_status, "to_status": h.to_status, "reason": h.reason,
             "decided_by": h.decided_by_label}
            for h in v.status_changes.all()
        ]  # fmt: skip
    return out


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def calendar_rows(venue: Venue, start: dt.date, days: int = 7, *, full: bool = False) -> list[dict[str, Any]]:
    """The calendar for the API: per day, the active bookings (room, purpose, times). The lot's
    code is given for openings (public, 开标 is attended by the bidders) and, with ``full``
    (the platform's staff), for every booking."""
    out = []
    for day in calendar(venue, start, days):
        rows = []
        for r in day["rooms"]:
            for b in r["bookings"]:
                show = full or b.purpose == Purpose.OPENING
                rows.append(
                    {"room_id": r["room"].pk, "purpose": b.purpose, "purpose_label": b.get_purpose_display(),
                     "starts_at": b.starts_at, "ends_at": b.ends_at, "lot_code": b.lot_code if show else ""}
                )  # fmt: skip
        out.append({"day": day["day"], "closed": day["closed"], "bookings": rows})
    return out


def lot_bookings_public(lot_code: str) -> list[dict[str, Any]]:
    """What the public project page shows of a lot's bookings: the opening in full (the opening
    is public); the evaluation's venue and time but not its room; remote seats not at all (they
    would tell where experts sit)."""
    out = []
    for row in bookings_for_lot_code(lot_code):
        if row["purpose"] == Purpose.REMOTE:
            continue
        if row["purpose"] == Purpose.EVALUATION:
            row = {**row, "room": ""}
        out.append(row)
    return out


def can_book(viewer: Any, lot: Any) -> bool:
    return allowed(viewer, "trade.operate", lot)


def region_choices() -> list[tuple[str, str]]:
    """The platform's regions (code, full name) for the filters and forms."""
    from ggzy.core.models import Region

    codes = set(Region.objects.values_list("code", flat=True))
    return sorted((c, n) for c, n in region_names().items() if c in codes)


def region_label(code: str) -> str:
    return region_names().get(code, code)


def bookable_rooms() -> list[dict[str, Any]]:
    """Admitted venues with their active rooms (for the rebooking form's room list)."""
    return [
        {"venue": v, "rooms": [r for r in v.rooms.all() if r.active]}
        for v in Venue.objects.filter(status=VenueStatus.ADMITTED).prefetch_related("rooms")
    ]
