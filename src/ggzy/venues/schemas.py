"""API schemas of the venue catalog."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class RoomOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    seats: int
    remote_evaluation: bool


class VenueOut(Schema):
    code: str
    name: str
    operator_kind: str
    operator_name: str
    region_code: str
    address: str
    phone: str
    opens_at: dt.time
    closes_at: dt.time
    status: str
    status_label: str
    status_reason: str
    checklist: dict[str, bool]
    rooms: list[RoomOut]


class NearOut(Schema):
    venue: VenueOut
    distance: int
    distance_label: str
    free_rooms: list[RoomOut]


class BookingIn(Schema):
    lot_code: str
    room_id: int
    purpose: str
    starts_at: dt.datetime
    ends_at: dt.datetime


class RebookIn(Schema):
    room_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str


class CancelIn(Schema):
    reason: str


class BookingOut(Schema):
    id: int
    lot_code: str
    venue: str
    room: str
    purpose: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
