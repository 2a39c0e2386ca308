"""Pure rules of venue bookings (no Django): region distance for the nearest-venue search (就近),
the buffer kept between two bookings of a room, opening hours.

Region codes are the six-digit administrative division codes (GB/T 2260): ``PPCCDD`` — province,
city (设区市), county (县、区). A city's own code ends in ``00`` (``140100``), the province's in
``0000`` (``140000``).
"""

from __future__ import annotations

import datetime as dt

SAME_COUNTY, SAME_CITY, SAME_PROVINCE, ELSEWHERE = 0, 1, 2, 3
DISTANCE_LABELS = {
    SAME_COUNTY: "同一县（区）",
    SAME_CITY: "同一设区市",
    SAME_PROVINCE: "省内其他地区",
    ELSEWHERE: "省外",
}


def distance(wanted: str, venue: str) -> int:
    """How far a venue's region is from the wanted region: the same code (the same county, or
    the same city or province code), the same city (first four digits), the same province (first
    two digits), elsewhere. A venue registered at the city's own code (``140100``) counts as the
    same city for every county of that city; the province's venue (``140000``) as the province."""
    if wanted == venue:
        return SAME_COUNTY
    if wanted[:4] == venue[:4]:
        return SAME_CITY
    if wanted[:2] == venue[:2]:
        return SAME_PROVINCE
    return ELSEWHERE


def blocked_span(
    starts_at: dt.datetime, ends_at: dt.datetime, buffer: dt.timedelta
) -> tuple[dt.datetime, dt.datetime]:
    """What a booking holds of its room: its time with the buffer before and after."""
    return starts_at - buffer, ends_at + buffer


def clashes(
    starts_at: dt.datetime, ends_at: dt.datetime, blocked_from: dt.datetime, blocked_until: dt.datetime
) -> bool:
    """Whether a new booking [starts_at, ends_at) clashes with a booking holding
    [blocked_from, blocked_until) (its time plus the buffer both sides). The buffer is thus kept
    once between two bookings, whichever was made first: they clash exactly when the gap between
    them is shorter than the buffer."""
    return starts_at < blocked_until and ends_at > blocked_from


def within_hours(
    local_start: dt.datetime, local_end: dt.datetime, opens_at: dt.time, closes_at: dt.time
) -> bool:
    """Both ends on one local day, from the opening time to the closing time (inclusive)."""
    return (
        local_start.date() == local_end.date()
        and opens_at <= local_start.time()
        and local_end.time() <= closes_at
        and local_start < local_end
    )
