"""Closed days from the statutory calendar, and bookings that follow a rescheduled opening
(docs/venues.md). Fixed dates of 2026 (the State Council's schedule: 10月1日–7日 国庆节 and 中秋节,
10月10日 a make-up working Saturday) with the clock set before them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ggzy.audit.models import AuditEvent
from ggzy.core.errors import Conflict, InvalidInput
from ggzy.trading.models import LotEvent
from ggzy.venues import selectors, services
from ggzy.venues.models import Booking
from tests.experts import helpers as lots
from tests.venues.helpers import NOW, rooms, t, venue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_venue_is_closed_on_rest_days_and_holidays_unless_it_declares_opening():
    op = lots.operator()
    closed_opening, _ = rooms(venue(open_on_rest_days=False))
    open_opening, _ = rooms(venue(name="社会力量节假日开放场所", open_on_rest_days="on"))
    lot = lots.lot(op)
    before = (Booking.objects.count(), AuditEvent.objects.count())
    for day in [(10, 1), (10, 3), (10, 4)]:  # 国庆节 (a holiday, a Saturday in the holiday, a Sunday)
        with pytest.raises(InvalidInput) as exc:
            services.booking_create(
                lot=lot, room=closed_opening, purpose="opening", starts_at=t(*day, 9), ends_at=t(*day, 10), actor=op
            )  # fmt: skip
        assert exc.value.code == "venue.closed_day"
        assert "不开放" in exc.value.message
    assert "国庆节" in exc.value.message
    assert (Booking.objects.count(), AuditEvent.objects.count()) == before  # nothing written
    # a make-up working Saturday is a working day; the venue that declares opening opens on holidays
    services.booking_create(
        lot=lot, room=closed_opening, purpose="opening", starts_at=t(10, 10, 9), ends_at=t(10, 10, 10), actor=op
    )  # fmt: skip
    lot2 = lots.lot(op, name="国庆期间开标的工程")
    services.booking_create(
        lot=lot2, room=open_opening, purpose="opening", starts_at=t(10, 2, 9), ends_at=t(10, 2, 10), actor=op
    )  # fmt: skip
    # the nearest-venue search leaves closed venues out
    near = selectors.venues_near(
        region_code="140105", kind="opening", starts_at=t(10, 5, 14), ends_at=t(10, 5, 15)
    )
    assert [r["venue"].name for r in near] == ["社会力量节假日开放场所"]
    near = selectors.venues_near(
        region_code="140105", kind="opening", starts_at=t(10, 12, 14), ends_at=t(10, 12, 15)
    )
    assert len(near) == 2


def _scheduled_lot(op, opening_room, evaluation_room):
    lot = lots.lot(op)
    LotEvent.objects.create(lot=lot, event="opening", at=t(10, 12, 9, 30))
    services.booking_create(
        lot=lot, room=opening_room, purpose="opening", starts_at=t(10, 12, 9), ends_at=t(10, 12, 10, 30), actor=op
    )  # fmt: skip
    services.booking_create(
        lot=lot, room=evaluation_room, purpose="evaluation", starts_at=t(10, 12, 10, 30), ends_at=t(10, 12, 13, 30),
        actor=op,
    )  # fmt: skip
    return lot


def test_a_rescheduled_opening_flags_the_bookings_and_they_follow_it_in_one_step():
    op = lots.operator()
    opening_room, evaluation_room = rooms(venue(open_on_rest_days=False))
    lot = _scheduled_lot(op, opening_room, evaluation_room)
    assert selectors.booking_warnings(lot) == {}
    with pytest.raises(InvalidInput) as exc:
        services.booking_follow_opening(lot=lot, actor=op)
    assert exc.value.code == "venue.opening_covered"
    # the trading side postpones the opening by two days (an amendment notice rewrites the event)
    LotEvent.objects.filter(lot=lot, event="opening").update(at=t(10, 14, 9, 30))
    warnings = selectors.booking_warnings(lot)
    assert len(warnings) == 2 and all("开标时间已变更为2026年10月14日 09:30" in w for w in warnings.values())
    rows = selectors.bookings_for_lot_history(lot.code)
    assert all(r["warning"] for r in rows)
    moved = services.booking_follow_opening(lot=lot, actor=op)
    assert [(b.purpose, b.room_id, b.starts_at, b.ends_at) for b in moved] == [
        ("opening", opening_room.pk, t(10, 14, 9), t(10, 14, 10, 30)),
        ("evaluation", evaluation_room.pk, t(10, 14, 10, 30), t(10, 14, 13, 30)),
    ]
    assert selectors.booking_warnings(lot) == {}
    old = Booking.objects.filter(lot=lot, status="cancelled")
    assert old.count() == 2 and all(b.cancel_reason.startswith("改约：开标时间变更为") for b in old)
    assert AuditEvent.objects.filter(action="venue.follow_opening", object_id=lot.code).count() == 1


def test_following_the_opening_is_refused_whole_when_a_room_is_taken_or_the_day_closed():
    op = lots.operator()
    opening_room, evaluation_room = rooms(venue(open_on_rest_days=False))
    lot = _scheduled_lot(op, opening_room, evaluation_room)
    other = lots.lot(op, name="另一个工程")
    services.booking_create(
        lot=other, room=opening_room, purpose="opening", starts_at=t(10, 13, 9), ends_at=t(10, 13, 11), actor=op
    )  # fmt: skip
    LotEvent.objects.filter(lot=lot, event="opening").update(at=t(10, 13, 9, 30))
    before = sorted(Booking.objects.filter(lot=lot, status="active").values_list("pk", flat=True))
    with pytest.raises(Conflict) as exc:
        services.booking_follow_opening(lot=lot, actor=op)
    assert exc.value.code == "venue.double_booking"
    assert sorted(Booking.objects.filter(lot=lot, status="active").values_list("pk", flat=True)) == before
    # moved onto a Saturday that is not a make-up working day: the venue is closed then
    LotEvent.objects.filter(lot=lot, event="opening").update(at=t(10, 17, 9, 30))
    with pytest.raises(InvalidInput) as exc:
        services.booking_follow_opening(lot=lot, actor=op)
    assert exc.value.code == "venue.closed_day"
    assert sorted(Booking.objects.filter(lot=lot, status="active").values_list("pk", flat=True)) == before


def test_api_and_console_show_the_warning_and_follow_the_opening(client):
    op = lots.operator()
    opening_room, evaluation_room = rooms(venue(open_on_rest_days=False))
    lot = _scheduled_lot(op, opening_room, evaluation_room)
    LotEvent.objects.filter(lot=lot, event="opening").update(at=t(10, 15, 9, 30))
    client.force_login(op)
    rows = client.get("/api/venues/bookings", {"lot_code": lot.code}).json()
    assert all("开标时间已变更" in r["warning"] for r in rows)
    page = client.get("/venues/console/bookings/", {"lot_code": lot.code}).content.decode()
    assert "按新的开标时间整体改约" in page and "开标时间已变更为2026年10月15日 09:30" in page
    r = client.post(
        "/api/venues/bookings/follow-opening", {"lot_code": lot.code}, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    assert [dt.datetime.fromisoformat(b["starts_at"]) for b in r.json()] == [t(10, 15, 9), t(10, 15, 10, 30)]
    r = client.post(
        "/api/venues/bookings/follow-opening", {"lot_code": lot.code}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["code"] == "venue.opening_covered"
    page = client.get("/venues/console/bookings/", {"lot_code": lot.code}).content.decode()
    assert "按新的开标时间整体改约" not in page
