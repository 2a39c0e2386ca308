"""Reads of the venue catalog: the public catalog, nearest venues with a free room (就近), a
venue's calendar, a lot's bookings (for its timeline)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from ggzy.core import clock
from ggzy.core.errors import NotFound
from ggzy.venues.models import Booking, BookingStatus, Room, Venue, VenueStatus


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


def catalog() -> QuerySet[Venue]:
    """The published catalog: admitted venues (suspended ones are shown as suspended)."""
    return Venue.objects.filter(status__in=[VenueStatus.ADMITTED, VenueStatus.SUSPENDED]).prefetch_related(
        "rooms"
    )


def _distance(a: str, b: str) -> int:
    if a == b:
        return 0
    if a[:4] == b[:4]:
        return 1
    if a[:2] == b[:2]:
        return 2
    return 3


def free_rooms(*, kind: str, starts_at: dt.datetime, ends_at: dt.datetime, seats: int = 1) -> QuerySet[Room]:
    busy = Booking.objects.filter(
        status=BookingStatus.ACTIVE, blocked_from__lt=ends_at, blocked_until__gt=starts_at
    ).values("room_id")
    return (
        Room.objects.filter(kind=kind, active=True, seats__gte=seats, venue__status=VenueStatus.ADMITTED)
        .exclude(pk__in=busy)
        .select_related("venue")
    )


def venues_near(
    *, region_code: str, kind: str, starts_at: dt.datetime, ends_at: dt.datetime, seats: int = 1
) -> list[dict[str, Any]]:
    """Admitted venues with a free room of ``kind`` for the period (open then), nearest first:
    the same county, the same city, the province."""
    local_start, local_end = starts_at.astimezone(clock.CHINA), ends_at.astimezone(clock.CHINA)
    by_venue: dict[int, list[Room]] = defaultdict(list)
    venues: dict[int, Venue] = {}
    for room in free_rooms(kind=kind, starts_at=starts_at, ends_at=ends_at, seats=seats):
        v = room.venue
        if (
            local_start.time() < v.opens_at
            or local_end.time() > v.closes_at
            or local_start.date() != local_end.date()
        ):
            continue
        venues[v.pk] = v
        by_venue[v.pk].append(room)
    rows = [
        {"venue": v, "distance": _distance(region_code, v.region_code), "rooms": by_venue[pk]}
        for pk, v in venues.items()
    ]
    rows.sort(key=lambda r: (r["distance"], r["venue"].code))
    return rows


def calendar(venue: Venue, start: dt.date, days: int = 7) -> list[dict[str, Any]]:
    """A week of a venue: per day, per room, the active bookings."""
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
    """The lot's active bookings, for its timeline (opening and evaluation rooms)."""
    return [
        {
            "purpose": b.purpose,
            "purpose_label": b.get_purpose_display(),
            "venue": b.room.venue.name,
            "room": b.room.name,
            "starts_at": b.starts_at,
            "ends_at": b.ends_at,
        }
        for b in Booking.objects.filter(lot=lot, status=BookingStatus.ACTIVE).select_related("room__venue")
    ]
