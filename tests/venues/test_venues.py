"""The venue catalog and bookings: admission checklist, rooms, no double booking (also
concurrently on PostgreSQL), buffers, opening hours, suspended venues, isolation of the evaluation
room, nearest venue, calendar, cancel and rebook."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core.errors import Conflict, InvalidInput, PermissionDenied
from ggzy.core.permissions import SYSTEM
from ggzy.venues import selectors, services
from ggzy.venues.models import Booking, Venue
from tests import factories
from tests.conftest import skip_or_fail
from tests.experts import helpers as lots
from tests.trading import helpers as trading_helpers
from tests.venues.helpers import ALL_MET, at, rooms, venue

pytestmark = pytest.mark.django_db


def test_admission_is_a_decision_after_a_passed_inspection_and_a_failed_one_suspends():
    v = venue(admitted=False)
    assert v.status == "applied"
    services.venue_inspect(
        venue=v, checklist={**ALL_MET, "accessibility": False}, notes={"accessibility": "坡道待建"},
        inspector="张三、李四", actor=SYSTEM,
    )  # fmt: skip
    with pytest.raises(InvalidInput) as exc:
        services.venue_status_set(venue=v, status="admitted", reason="申请准入", actor=SYSTEM)
    assert exc.value.code == "venue.checklist_incomplete"
    i = services.venue_inspect(venue=v, checklist=ALL_MET, actor=SYSTEM)
    v.refresh_from_db()
    assert v.status == "applied" and i.passed  # an inspection does not admit by itself
    with pytest.raises(InvalidInput) as exc:
        services.venue_status_set(venue=v, status="admitted", reason="  ", actor=SYSTEM)
    assert exc.value.code == "venue.reason_required"
    v = services.venue_status_set(venue=v, status="admitted", reason="检查合格", actor=SYSTEM)
    assert v.status == "admitted" and v.admitted_at is not None
    services.venue_inspect(venue=v, checklist={**ALL_MET, "monitoring": False}, actor=SYSTEM)
    v.refresh_from_db()
    assert v.status == "suspended" and "音视频监控" in v.status_reason
    assert v.inspections.count() == 3
    assert v.inspections.last().notes == {"accessibility": "坡道待建"}
    assert v.inspections.last().inspector_label == "张三、李四"
    with pytest.raises(InvalidInput) as exc:
        services.venue_status_set(venue=v, status="admitted", reason="整改完成", actor=SYSTEM)
    assert exc.value.code == "venue.checklist_incomplete"
    v = services.venue_status_set(venue=v, status="withdrawn", reason="运营方申请退出", actor=SYSTEM)
    with pytest.raises(InvalidInput) as exc:
        services.venue_status_set(venue=v, status="admitted", reason="重新准入", actor=SYSTEM)
    assert exc.value.code == "venue.bad_status_move" and "已退出目录" in exc.value.message
    history = [(h.from_status, h.to_status) for h in selectors.status_history(v)]
    assert history == [
        ("", "applied"),
        ("applied", "admitted"),
        ("admitted", "suspended"),
        ("suspended", "withdrawn"),
    ]


def test_social_venue_needs_a_valid_operator_uscc_and_nothing_is_written_on_bad_input():
    before = (Venue.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InvalidInput) as exc:
        venue(name="社会场所", operator_kind="social", operator_uscc="123", service_center=None)
    assert exc.value.code == "venue.bad_operator_uscc"
    assert (Venue.objects.count(), AuditEvent.objects.count()) == before
    with pytest.raises(InvalidInput) as exc:  # a valid code, but not a registered market entity
        venue(
            name="社会场所",
            operator_kind="social",
            operator_uscc=factories.valid_uscc(901),
            service_center=None,
        )
    assert exc.value.code == "venue.operator_not_registered"
    assert (Venue.objects.count(), AuditEvent.objects.count()) == before
    owner = trading_helpers.entity(901, ["tenderer"], "山西某物业服务有限公司")
    v = venue(name="社会场所", operator_kind="social", operator_uscc=owner.uscc, operator_name="随便写")
    assert v.operator_kind == "social" and v.service_center is None
    assert v.operator_name == "山西某物业服务有限公司"  # the registered name
    with pytest.raises(PermissionDenied):
        services.venue_register(data={"name": "x"}, actor=factories.user(Role.SUPERVISOR))


def test_booking_rules_bad_input_writes_nothing():
    op = lots.operator()
    lot = lots.lot(op)
    v = venue()
    opening, evaluation = rooms(v)
    annex = services.room_add(
        venue=v, name="开标室附间", kind="evaluation", seats=7, shares_with=[opening], actor=SYSTEM
    )
    b = services.booking_create(
        lot=lot, room=opening, purpose="opening", starts_at=at(10, 9), ends_at=at(10, 10), actor=op
    )
    assert b.blocked_from == at(10, 8, 30)
    other = lots.lot(op, name="另一个工程")
    before = (Booking.objects.count(), AuditEvent.objects.count())
    cases = [
        (dict(lot=other, room=opening, purpose="opening", starts_at=at(10, 9, 30), ends_at=at(10, 11)), "venue.double_booking"),
        (dict(lot=other, room=opening, purpose="opening", starts_at=at(10, 10, 15), ends_at=at(10, 11)), "venue.buffer_too_short"),
        (dict(lot=other, room=opening, purpose="opening", starts_at=at(10, 7), ends_at=at(10, 8, 30)), "venue.outside_hours"),
        (dict(lot=other, room=opening, purpose="opening", starts_at=at(10, 17), ends_at=at(10, 19)), "venue.outside_hours"),
        (dict(lot=other, room=opening, purpose="opening", starts_at=at(10, 17), ends_at=at(11, 9)), "venue.outside_hours"),
        (dict(lot=other, room=evaluation, purpose="opening", starts_at=at(11, 9), ends_at=at(11, 10)), "venue.wrong_room_kind"),
        (dict(lot=lot, room=opening, purpose="evaluation", starts_at=at(10, 10), ends_at=at(10, 12)), "venue.evaluation_not_isolated"),
        (dict(lot=lot, room=annex, purpose="evaluation", starts_at=at(10, 11), ends_at=at(10, 12)), "venue.evaluation_not_isolated"),
        (dict(lot=lot, room=opening, purpose="opening", starts_at=at(12, 9), ends_at=at(12, 10)), "venue.lot_already_booked"),
        (dict(lot=lot, room=evaluation, purpose="evaluation", starts_at=at(9, 9), ends_at=at(9, 12)), "venue.evaluation_before_opening"),
        (dict(lot=other, room=opening, purpose="opening", starts_at=at(-1, 9), ends_at=at(-1, 10)), "venue.in_the_past"),
        (dict(lot=other, room=opening, purpose="opening", starts_at=at(11, 10), ends_at=at(11, 9)), "venue.bad_period"),
        (dict(lot=other, room=opening, purpose="lunch", starts_at=at(11, 9), ends_at=at(11, 10)), "venue.bad_purpose"),
        (dict(lot=other, room=annex, purpose="remote", starts_at=at(11, 9), ends_at=at(11, 10)), "venue.not_remote_capable"),
    ]  # fmt: skip
    for kwargs, code in cases:
        with pytest.raises((InvalidInput, Conflict)) as exc:
            services.booking_create(actor=op, **kwargs)
        assert exc.value.code == code, kwargs
        assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)
    assert (Booking.objects.count(), AuditEvent.objects.count()) == before
    # the buffer passed: fine; the evaluation room is another, isolated room
    services.booking_create(
        lot=other, room=opening, purpose="opening", starts_at=at(10, 10, 30), ends_at=at(10, 11), actor=op
    )
    services.booking_create(
        lot=lot, room=evaluation, purpose="evaluation", starts_at=at(10, 10), ends_at=at(10, 17), actor=op
    )
    assert [r["purpose"] for r in selectors.bookings_for_lot(lot)] == ["opening", "evaluation"]
    # the annex shares the opening hall of `other`: it cannot be `other`'s evaluation room either
    with pytest.raises(InvalidInput) as exc:
        services.booking_create(
            lot=other, room=annex, purpose="evaluation", starts_at=at(10, 11), ends_at=at(10, 12), actor=op
        )
    assert exc.value.code == "venue.evaluation_not_isolated" and "相通或共用" in exc.value.message


def test_the_opening_booking_follows_the_lots_scheduled_opening():
    """招标投标法第三十四条: the opening is at the time the documents fixed; a scheduled lot's opening
    booking must cover that time and its evaluation may not start before it."""
    from ggzy.trading.models import LotEvent

    op = lots.operator()
    lot = lots.lot(op)
    opening, evaluation = rooms(venue())
    LotEvent.objects.create(lot=lot, event="opening", at=at(8, 9, 30))
    for kwargs, code in [
        (dict(room=opening, purpose="opening", starts_at=at(8, 10), ends_at=at(8, 11)), "venue.not_at_opening_time"),
        (dict(room=opening, purpose="opening", starts_at=at(8, 8), ends_at=at(8, 9, 30)), "venue.not_at_opening_time"),
        (dict(room=evaluation, purpose="evaluation", starts_at=at(8, 9), ends_at=at(8, 12)), "venue.evaluation_before_opening"),
    ]:  # fmt: skip
        with pytest.raises(InvalidInput) as exc:
            services.booking_create(lot=lot, actor=op, **kwargs)
        assert exc.value.code == code
    assert "第三十四条" in services_message(lot, opening, op)
    services.booking_create(
        lot=lot, room=opening, purpose="opening", starts_at=at(8, 9), ends_at=at(8, 10, 30), actor=op
    )


def services_message(lot, room, op) -> str:
    with pytest.raises(InvalidInput) as exc:
        services.booking_create(
            lot=lot, room=room, purpose="opening", starts_at=at(8, 14), ends_at=at(8, 15), actor=op
        )
    return exc.value.message


def test_remote_evaluation_seats_in_other_venues():
    op = lots.operator()
    lot = lots.lot(op)
    main = venue()
    o1, e1 = rooms(main)
    far = venue(name="大同市场所", region="140212", service_center=factories.service_center("140200"))
    _, e2 = rooms(far)
    services.booking_create(
        lot=lot, room=o1, purpose="opening", starts_at=at(6, 9), ends_at=at(6, 10), actor=op
    )
    services.booking_create(
        lot=lot, room=e1, purpose="evaluation", starts_at=at(6, 10), ends_at=at(6, 17), actor=op
    )
    with pytest.raises(InvalidInput) as exc:
        services.room_add(
            venue=main, name="第二评标室", kind="evaluation", seats=5, monitoring=False, actor=SYSTEM
        )
    assert exc.value.code == "venue.evaluation_unmonitored"
    e1b = services.room_add(
        venue=main, name="第二评标室", kind="evaluation", seats=5, remote_evaluation=True, actor=SYSTEM
    )
    with pytest.raises(InvalidInput) as exc:
        services.booking_create(
            lot=lot, room=e1b, purpose="remote", starts_at=at(6, 10), ends_at=at(6, 17), actor=op
        )
    assert exc.value.code == "venue.remote_same_venue"
    services.booking_create(
        lot=lot, room=e2, purpose="remote", starts_at=at(6, 10), ends_at=at(6, 17), actor=op
    )
    assert [r["purpose"] for r in selectors.bookings_for_lot(lot)] == ["opening", "evaluation", "remote"]
    found = selectors.venues_near(
        region_code="140105", kind="evaluation", starts_at=at(7, 9), ends_at=at(7, 12), remote=True
    )
    assert [r["venue"].pk for r in found] == [main.pk, far.pk]


def test_a_suspended_venue_cannot_be_booked_and_another_platform_cannot_book():
    op = lots.operator()
    lot = lots.lot(op)
    v = venue()
    opening, _ = rooms(v)
    with pytest.raises(PermissionDenied):
        services.booking_create(
            lot=lot, room=opening, purpose="opening", starts_at=at(5, 9), ends_at=at(5, 10),
            actor=lots.operator("140200"),
        )  # fmt: skip
    services.venue_status_set(venue=v, status="suspended", reason="设备检修", actor=SYSTEM)
    with pytest.raises(InvalidInput) as exc:
        services.booking_create(
            lot=lot, room=opening, purpose="opening", starts_at=at(5, 9), ends_at=at(5, 10), actor=op
        )
    assert exc.value.code == "venue.not_admitted" and "设备检修" in exc.value.message


def test_cancel_rebook_nearest_and_calendar():
    op = lots.operator()
    lot = lots.lot(op)
    near = venue()
    far = venue(
        name="大同市公共资源交易中心开评标场所",
        region="140212",
        service_center=factories.service_center("140200"),
    )
    o1, _ = rooms(near)
    o2, _ = rooms(far)
    b = services.booking_create(
        lot=lot, room=o1, purpose="opening", starts_at=at(3, 9), ends_at=at(3, 10), actor=op
    )
    found = selectors.venues_near(region_code="140105", kind="opening", starts_at=at(3, 9), ends_at=at(3, 10))
    assert [r["venue"].pk for r in found] == [far.pk]  # the near one is taken at that time
    found = selectors.venues_near(
        region_code="140105", kind="opening", starts_at=at(3, 14), ends_at=at(3, 15)
    )
    assert [r["venue"].pk for r in found] == [near.pk, far.pk]
    with pytest.raises(InvalidInput):
        services.booking_rebook(
            booking_id=b.pk, room=o2, starts_at=at(3, 9), ends_at=at(3, 10), reason="", actor=op
        )
    new = services.booking_rebook(
        booking_id=b.pk, room=o2, starts_at=at(3, 9), ends_at=at(3, 10), reason="就近", actor=op
    )
    b.refresh_from_db()
    assert b.status == "cancelled" and new.replaces == b
    # a refused rebooking changes nothing: the booking stays active
    before = (Booking.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InvalidInput) as exc:
        services.booking_rebook(
            booking_id=new.pk, room=o2, starts_at=at(3, 6), ends_at=at(3, 7), reason="提前", actor=op
        )
    assert exc.value.code == "venue.outside_hours"
    new.refresh_from_db()
    assert new.status == "active" and (Booking.objects.count(), AuditEvent.objects.count()) == before
    # rebooking to an overlapping time in the same room is allowed (it replaces itself)
    newer = services.booking_rebook(
        booking_id=new.pk, room=o2, starts_at=at(3, 9, 30), ends_at=at(3, 10, 30), reason="推迟", actor=op
    )
    cal = selectors.calendar(far, at(3, 0).date(), days=2)
    by_room = {r["room"].pk: [b.pk for b in r["bookings"]] for r in cal[0]["rooms"]}
    assert by_room[o2.pk] == [newer.pk] and cal[1]["rooms"][0]["bookings"] == []
    services.booking_cancel(booking_id=newer.pk, reason="项目终止", actor=op)
    with pytest.raises(Conflict):
        services.booking_cancel(booking_id=newer.pk, reason="再次", actor=op)
    assert selectors.bookings_for_lot(lot) == []


def _run_together(calls):
    """Run the calls in threads released together; each result is "ok" or the error's code."""
    from django.db import connection as conn

    barrier = threading.Barrier(len(calls))
    results = []

    def run(call):
        try:
            barrier.wait()
            call()
            results.append("ok")
        except (Conflict, InvalidInput) as e:
            results.append(e.code)
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


def _postgres_only():
    if connection.vendor != "postgresql":
        skip_or_fail(
            "SQLite serialises writers at BEGIN IMMEDIATE: concurrency is only meaningful on PostgreSQL"
        )


@pytest.mark.django_db(transaction=True)
def test_no_double_booking_under_concurrent_requests():
    """Six lots ask for one room at once, half of them at 9-10, half at 10:10-11 (inside the
    30-minute buffer): exactly one booking is made."""
    _postgres_only()
    op = lots.operator()
    v = venue()
    opening, _ = rooms(v)
    lot_list = [lots.lot(op, name=f"并发工程{i}") for i in range(6)]
    times = [(at(4, 9), at(4, 10)), (at(4, 10, 10), at(4, 11))]

    def book(i, lot):
        s, e = times[i % 2]
        return lambda: services.booking_create(
            lot=lot, room=opening, purpose="opening", starts_at=s, ends_at=e, actor=op
        )

    results = _run_together([book(i, lot) for i, lot in enumerate(lot_list)])
    assert results.count("ok") == 1, results
    assert set(results) - {"ok"} <= {"venue.double_booking", "venue.buffer_too_short"}
    assert Booking.objects.filter(room=opening, status="active").count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_opening_per_lot_under_concurrent_requests_for_different_rooms():
    _postgres_only()
    op = lots.operator()
    lot = lots.lot(op)
    halls = [services.room_add(venue=venue(), name="开标室", kind="opening", seats=50, actor=SYSTEM)]
    v2 = venue(name="第二场所")
    halls += [
        services.room_add(venue=v2, name=f"开标室{i}", kind="opening", seats=50, actor=SYSTEM)
        for i in range(3)
    ]

    def book(room):
        return lambda: services.booking_create(
            lot=lot, room=room, purpose="opening", starts_at=at(4, 9), ends_at=at(4, 10), actor=op
        )

    results = _run_together([book(r) for r in halls])
    assert results == ["ok"] + ["venue.lot_already_booked"] * 3
    assert Booking.objects.filter(lot=lot, status="active").count() == 1
