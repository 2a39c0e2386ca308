"""API of the venue catalog (thin). The catalog and the nearest-venue search are public."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from ggzy.venues import selectors, services
from ggzy.venues.models import CHECKLIST
from ggzy.venues.schemas import BookingIn, BookingOut, CancelIn, NearOut, RebookIn, VenueOut

router = Router(tags=["交易场所"])
DISTANCE = {0: "同一县（区）", 1: "同一设区市", 2: "省内其他设区市", 3: "省外"}


def room_out(r) -> dict:
    return {"id": r.pk, "name": r.name, "kind": r.kind, "kind_label": r.get_kind_display(), "seats": r.seats,
            "remote_evaluation": r.remote_evaluation}  # fmt: skip


def venue_out(v) -> dict:
    return {
        "code": v.code, "name": v.name, "operator_kind": v.operator_kind, "operator_name": v.operator_name,
        "region_code": v.region_code, "address": v.address, "phone": v.phone, "opens_at": v.opens_at,
        "closes_at": v.closes_at, "status": v.status, "status_label": v.get_status_display(),
        "status_reason": v.status_reason, "checklist": {k: bool(v.checklist.get(k)) for k in CHECKLIST},
        "rooms": [room_out(r) for r in v.rooms.filter(active=True)],
    }  # fmt: skip


def booking_out(b) -> dict:
    return {"id": b.pk, "lot_code": b.lot_code, "venue": b.room.venue.name, "room": b.room.name,
            "purpose": b.purpose, "starts_at": b.starts_at, "ends_at": b.ends_at, "status": b.status}  # fmt: skip


@router.get("/", response=list[VenueOut], auth=None, summary="交易场所目录")
def catalog(request: HttpRequest):
    return [venue_out(v) for v in selectors.catalog()]


@router.get("/near", response=list[NearOut], auth=None, summary="就近查找有空闲房间的场所")
def near(
    request: HttpRequest,
    region_code: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    seats: int = 1,
):
    rows = selectors.venues_near(
        region_code=region_code, kind=kind, starts_at=starts_at, ends_at=ends_at, seats=seats
    )
    return [
        {"venue": venue_out(r["venue"]), "distance": r["distance"], "distance_label": DISTANCE[r["distance"]],
         "free_rooms": [room_out(x) for x in r["rooms"]]}
        for r in rows
    ]  # fmt: skip


@router.post("/bookings", response={201: BookingOut}, summary="预约开标室或评标室")
def booking_create(request: HttpRequest, payload: BookingIn):
    from ggzy.trading.selectors import lot_get

    b = services.booking_create(
        lot=lot_get(payload.lot_code), room=selectors.room_get(payload.room_id), purpose=payload.purpose,
        starts_at=payload.starts_at, ends_at=payload.ends_at, actor=request.auth,
    )  # fmt: skip
    return Status(201, booking_out(b))


@router.post("/bookings/{booking_id}/rebook", response={201: BookingOut}, summary="改约")
def booking_rebook(request: HttpRequest, booking_id: int, payload: RebookIn):
    b = services.booking_rebook(
        booking_id=booking_id, room=selectors.room_get(payload.room_id), starts_at=payload.starts_at,
        ends_at=payload.ends_at, reason=payload.reason, actor=request.auth,
    )  # fmt: skip
    return Status(201, booking_out(b))


@router.post("/bookings/{booking_id}/cancel", response=BookingOut, summary="取消预约")
def booking_cancel(request: HttpRequest, booking_id: int, payload: CancelIn):
    return booking_out(
        services.booking_cancel(booking_id=booking_id, reason=payload.reason, actor=request.auth)
    )


@router.get("/{code}", response=VenueOut, auth=None, summary="交易场所")
def venue_detail(request: HttpRequest, code: str):
    return venue_out(selectors.venue_get(code))
