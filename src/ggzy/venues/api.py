"""API of the venue catalog (thin). The catalog, a venue, its calendar and the nearest-venue
search are public; managing the catalog needs ``venue.manage``; bookings need ``trade.operate`` on
the lot."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from ggzy.core import clock
from ggzy.core.permissions import require
from ggzy.venues import rules, selectors, services
from ggzy.venues.schemas import (
    BookingIn,
    BookingOut,
    CalendarDayOut,
    CancelIn,
    FollowOpeningIn,
    InspectionIn,
    InspectionOut,
    NearOut,
    RebookIn,
    RoomIn,
    RoomOut,
    StatusIn,
    VenueDetailOut,
    VenueIn,
    VenueOut,
)

router = Router(tags=["交易场所"])


def _booking(b) -> dict:
    return selectors.booking_view(b.pk)


@router.get("/", response=list[VenueOut], auth=None, summary="交易场所目录（可按地区、功能、座位数筛选）")
def catalog(request: HttpRequest, region: str = "", capability: str = "", seats: int = 0):
    return [
        selectors.venue_view(v) for v in selectors.catalog(region=region, capability=capability, seats=seats)
    ]


@router.post("/", response={201: VenueDetailOut}, summary="登记申请纳入目录的场所")
def venue_register(request: HttpRequest, payload: VenueIn):
    data = payload.dict()
    center_id = data.pop("service_center_id", None)
    if payload.operator_kind == "center":
        data["service_center"] = (
            selectors.service_center_get(center_id)
            if center_id
            else getattr(request.auth, "service_center", None)
        )
    v = services.venue_register(data=data, actor=request.auth)
    return Status(201, selectors.venue_view(v, detail=True))


@router.get("/near", response=list[NearOut], auth=None, summary="就近查找有空闲房间的场所")
def near(
    request: HttpRequest,
    region_code: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    seats: int = 1,
    remote: bool = False,
):
    rows = selectors.venues_near(
        region_code=region_code, kind=kind, starts_at=starts_at, ends_at=ends_at, seats=seats, remote=remote
    )
    return [
        {"venue": selectors.venue_view(r["venue"]), "distance": r["distance"],
         "distance_label": rules.DISTANCE_LABELS[r["distance"]], "free_rooms": [selectors.room_view(x) for x in r["rooms"]]}
        for r in rows
    ]  # fmt: skip


@router.get("/bookings", response=list[BookingOut], summary="标段（包）的场所预约（含已取消和改约）")
def lot_bookings(request: HttpRequest, lot_code: str):
    from ggzy.trading.selectors import lot_get

    lot = lot_get(lot_code)
    require(request.auth, "trade.read_confidential", lot)
    return selectors.bookings_for_lot_history(lot.code)


@router.post("/bookings", response={201: BookingOut}, summary="预约开标室、评标室或远程异地评标席位")
def booking_create(request: HttpRequest, payload: BookingIn):
    from ggzy.trading.selectors import lot_get

    b = services.booking_create(
        lot=lot_get(payload.lot_code), room=selectors.room_get(payload.room_id), purpose=payload.purpose,
        starts_at=payload.starts_at, ends_at=payload.ends_at, actor=request.auth,
    )  # fmt: skip
    return Status(201, _booking(b))


@router.post(
    "/bookings/{booking_id}/rebook",
    response={201: BookingOut},
    summary="改约（取消原预约并预约新的时间或房间）",
)
def booking_rebook(request: HttpRequest, booking_id: int, payload: RebookIn):
    b = services.booking_rebook(
        booking_id=booking_id, room=selectors.room_get(payload.room_id), starts_at=payload.starts_at,
        ends_at=payload.ends_at, reason=payload.reason, actor=request.auth,
    )  # fmt: skip
    return Status(201, _booking(b))


@router.post(
    "/bookings/follow-opening",
    response={201: list[BookingOut]},
    summary="开标时间变更后，将标段（包）的开标、评标预约随新的开标时间整体改约",
)
def booking_follow_opening(request: HttpRequest, payload: FollowOpeningIn):
    from ggzy.trading.selectors import lot_get

    moved = services.booking_follow_opening(lot=lot_get(payload.lot_code), actor=request.auth)
    return Status(201, [_booking(b) for b in moved])


@router.post("/bookings/{booking_id}/cancel", response=BookingOut, summary="取消预约")
def booking_cancel(request: HttpRequest, booking_id: int, payload: CancelIn):
    return _booking(services.booking_cancel(booking_id=booking_id, reason=payload.reason, actor=request.auth))


@router.get("/{code}", response=VenueDetailOut, auth=None, summary="交易场所（房间、检查记录、状态变更）")
def venue_detail(request: HttpRequest, code: str):
    return selectors.venue_view(selectors.venue_public_get(code, request.user), detail=True)


@router.get("/{code}/calendar", response=list[CalendarDayOut], auth=None, summary="场所一周的预约日历")
def venue_calendar(request: HttpRequest, code: str, start: dt.date | None = None, days: int = 7):
    v = selectors.venue_public_get(code, request.user)
    return selectors.calendar_rows(v, start or selectors.week_start(clock.today()), max(1, min(days, 31)))


@router.post("/{code}/inspections", response={201: InspectionOut}, summary="登记准入检查")
def venue_inspect(request: HttpRequest, code: str, payload: InspectionIn):
    i = services.venue_inspect(
        venue=selectors.venue_get(code), checklist=payload.checklist, notes=payload.notes, findings=payload.findings,
        inspected_on=payload.inspected_on, inspector=payload.inspector, actor=request.auth,
    )  # fmt: skip
    return Status(201, {"inspected_on": i.inspected_on, "inspector": i.inspector_label, "checklist": i.checklist,
                        "notes": i.notes, "passed": i.passed, "findings": i.findings})  # fmt: skip


@router.post("/{code}/status", response=VenueDetailOut, summary="准入、暂停、恢复或退出目录（须说明理由）")
def venue_status(request: HttpRequest, code: str, payload: StatusIn):
    v = services.venue_status_set(
        venue=selectors.venue_get(code), status=payload.status, reason=payload.reason, actor=request.auth
    )
    return selectors.venue_view(v, detail=True)


@router.post("/{code}/rooms", response={201: RoomOut}, summary="添加房间")
def room_add(request: HttpRequest, code: str, payload: RoomIn):
    v = selectors.venue_get(code)
    r = services.room_add(
        venue=v, name=payload.name, kind=payload.kind, seats=payload.seats,
        remote_evaluation=payload.remote_evaluation, monitoring=payload.monitoring, area_m2=payload.area_m2,
        shares_with=[selectors.room_get(i) for i in payload.shares_with], actor=request.auth,
    )  # fmt: skip
    return Status(201, selectors.room_view(r))
