"""API schemas of the venue catalog."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class RoomOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    seats: int
    remote_evaluation: bool
    monitoring: bool
    area_m2: int | None = None
    shares_with: list[str] = []


class VenueOut(Schema):
    code: str
    name: str
    operator_kind: str
    operator_uscc: str
    operator_name: str
    region_code: str
    address: str
    phone: str
    opens_at: dt.time
    open_on_rest_days: bool = False
    closes_at: dt.time
    status: str
    status_label: str
    status_reason: str
    checklist: dict[str, bool]
    rooms: list[RoomOut]


class InspectionOut(Schema):
    inspected_on: dt.date | None
    inspector: str
    checklist: dict[str, bool]
    notes: dict[str, str]
    passed: bool
    findings: str


class StatusChangeOut(Schema):
    at: dt.datetime
    from_status: str
    to_status: str
    reason: str
    decided_by: str


class VenueDetailOut(VenueOut):
    inspections: list[InspectionOut]
    status_history: list[StatusChangeOut]


class VenueIn(Schema):
    name: str
    operator_kind: str
    service_center_id: int | None = None
    operator_uscc: str = ""
    operator_name: str = ""
    region_code: str
    address: str
    phone: str = ""
    opens_at: str = "08:00"
    open_on_rest_days: bool = False
    closes_at: str = "18:00"


class InspectionIn(Schema):
    checklist: dict[str, bool]
    notes: dict[str, str] = {}
    findings: str = ""
    inspected_on: dt.date | None = None
    inspector: str = ""


class StatusIn(Schema):
    status: str
    reason: str


class RoomIn(Schema):
    name: str
    kind: str
    seats: int
    remote_evaluation: bool = False
    monitoring: bool = True
    area_m2: int | None = None
    shares_with: list[int] = []


class NearOut(Schema):
    venue: VenueOut
    distance: int
    distance_label: str
    free_rooms: list[RoomOut]


class CalendarBookingOut(Schema):
    room_id: int
    purpose: str
    purpose_label: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    lot_code: str = ""


class CalendarDayOut(Schema):
    day: dt.date
    closed: str = Field("", description="场所当日不开放的原因（休息日、法定节假日），开放时为空")
    bookings: list[CalendarBookingOut]


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


class FollowOpeningIn(Schema):
    lot_code: str


class CancelIn(Schema):
    reason: str


class BookingOut(Schema):
    id: int
    lot_code: str
    venue: str
    venue_code: str
    room: str
    room_id: int
    purpose: str
    purpose_label: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    status_label: str
    cancel_reason: str
    replaces: int | None = None
    warning: str = ""
