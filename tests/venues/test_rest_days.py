"""Closed days on the week calendar, and the venue's operator changing whether it opens on rest
days and statutory holidays after registration (docs/venues.md). Fixed dates of 2026 (国庆节 and
中秋节 10月1日–7日 per the State Council's schedule as loaded; 10月10日 a make-up working Saturday),
the clock set before them, as in test_closed_days_and_reschedule.py."""

from __future__ import annotations

import json
import re

import pytest
import time_machine

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core.errors import InvalidInput, PermissionDenied
from ggzy.venues import selectors, services
from ggzy.venues.models import Booking, Venue
from tests import factories
from tests.experts import helpers as lots
from tests.trading import helpers as th
from tests.venues.helpers import NOW, rooms, t, venue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _closed_rows(body: str) -> dict[str, str]:
    """day label ("10月1日") -> the closed label, for each shaded row of the week calendar."""
    return {
        m.group(2): m.group(1)
        for m in re.finditer(
            r'<tr class="closed-day" data-closed="([^"]+)"><th scope="row">(\d+月\d+日)', body
        )
    }


def test_the_week_calendar_shades_the_days_the_venue_is_closed(client):
    v = venue(open_on_rest_days=False)
    rooms(v)
    body = client.get(f"/venues/{v.code}/", {"from": "2026-09-28"}).content.decode()
    closed = _closed_rows(body)
    assert set(closed) == {"10月1日", "10月2日", "10月3日", "10月4日"}  # 国庆节 (with a weekend)
    assert "国庆节" in closed["10月1日"] and "不开放" in closed["10月1日"]
    assert "9月28日" not in closed and "不开放" in body and "灰底的日期为休息日或法定节假日" in body
    # the next week: the rest of the holiday, working Thursday and Friday, the make-up Saturday
    # open, Sunday a plain rest day
    closed = _closed_rows(client.get(f"/venues/{v.code}/", {"from": "2026-10-05"}).content.decode())
    assert {"10月5日", "10月6日", "10月7日"} <= set(closed) and "假期" in closed["10月7日"]
    assert "10月8日" not in closed and "10月9日" not in closed and "10月10日" not in closed
    assert closed["10月11日"].startswith("休息日")
    # the API gives the same days
    days = client.get(f"/api/venues/{v.code}/calendar", {"start": "2026-09-28"}).json()
    assert [d["day"] for d in days if d["closed"]] == ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04"]
    # a venue open on rest days has no shaded day
    open_venue = venue(name="节假日开放场所", open_on_rest_days=True)
    body = client.get(f"/venues/{open_venue.code}/", {"from": "2026-09-28"}).content.decode()
    assert _closed_rows(body) == {} and "声明在休息日和法定节假日开放" in body
    # the console calendar shades them too
    op = factories.user(Role.OPERATOR, service_center=factories.service_center("140100"))
    client.force_login(op)
    body = client.get(f"/venues/console/{v.code}/", {"from": "2026-09-28"}).content.decode()
    assert set(_closed_rows(body)) == {"10月1日", "10月2日", "10月3日", "10月4日"}


def test_the_centers_staff_change_the_rule_and_bookings_follow_it(client):
    center = factories.service_center("140100")
    v = venue(open_on_rest_days=False, service_center=center)
    opening, _ = rooms(v)
    staff = factories.user(Role.OPERATOR, service_center=center)
    op = lots.operator()
    lot = lots.lot(op)

    def book(day: tuple[int, int], the_lot=lot):
        return services.booking_create(
            lot=the_lot, room=opening, purpose="opening", starts_at=t(*day, 9), ends_at=t(*day, 10), actor=op
        )

    with pytest.raises(InvalidInput) as exc:
        book((10, 2))
    assert exc.value.code == "venue.closed_day"

    client.force_login(staff)
    page = client.get(f"/venues/{v.code}/rest-days/").content.decode()
    assert "休息日和法定节假日不开放" in page and "保存开放规则" in page
    assert "修改开放规则" in client.get(f"/venues/{v.code}/").content.decode()
    events = AuditEvent.objects.count()
    r = client.post(f"/venues/{v.code}/rest-days/", {"open_on_rest_days": "1"}, follow=True)
    assert r.status_code == 200 and "已改为休息日和法定节假日开放" in r.content.decode()
    v.refresh_from_db()
    assert v.open_on_rest_days is True
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == events + 1
    assert event.action == "venue.rest_days_set" and json.loads(event.summary)["open_on_rest_days"] == [
        False,
        True,
    ]
    # a booking on the holiday now goes through; the calendar no longer shades it
    booking = book((10, 2))
    assert _closed_rows(client.get(f"/venues/{v.code}/", {"from": "2026-09-28"}).content.decode()) == {}

    # closed again: new bookings on rest days are refused, the one made is kept and flagged
    r = client.post(f"/venues/{v.code}/rest-days/", {"open_on_rest_days": "0"}, follow=True)
    assert "已有1个预约落在不开放的日期" in r.content.decode()
    event = AuditEvent.objects.order_by("-seq").first()
    assert json.loads(event.summary) == {"open_on_rest_days": [True, False], "bookings_on_closed_days": 1}
    lot2 = lots.lot(op, name="另一个工程")
    with pytest.raises(InvalidInput) as exc:
        book((10, 3), lot2)
    assert exc.value.code == "venue.closed_day"
    assert Booking.objects.get(pk=booking.pk).status == "active"
    warning = selectors.booking_warnings(lot)[booking.pk]
    assert "不开放" in warning and "国庆节" in warning
    # a make-up working Saturday stays bookable
    book((10, 10), lot2)


def test_only_the_venues_operator_may_change_it_and_nothing_is_written_otherwise(client):
    taiyuan, datong = factories.service_center("140100"), factories.service_center("140200")
    v = venue(open_on_rest_days=False, service_center=taiyuan)
    outsiders = (
        factories.user(Role.OPERATOR, service_center=datong),  # keeps the catalog, not this venue's center
        factories.user(Role.SUPERVISOR),
        factories.user(Role.PLATFORM_ADMIN),
        th.member_of(th.entity(140, ["tenderer"]), Role.ENTITY_ADMIN),
    )
    before = (AuditEvent.objects.count(), Venue.objects.get(pk=v.pk).version)
    for outsider in outsiders:
        with pytest.raises(PermissionDenied) as exc:
            services.venue_rest_days_set(venue=v, open_on_rest_days=True, actor=outsider)
        assert exc.value.code == "venue.not_operator" and "运营方" in exc.value.message
        client.force_login(outsider)
        assert client.post(f"/venues/{v.code}/rest-days/", {"open_on_rest_days": "1"}).status_code == 403
        assert "修改开放规则" not in client.get(f"/venues/{v.code}/").content.decode()
    client.logout()
    r = client.post(f"/venues/{v.code}/rest-days/", {"open_on_rest_days": "1"})
    assert r.status_code == 302 and "/login" in r["Location"]
    v.refresh_from_db()
    assert v.open_on_rest_days is False and (AuditEvent.objects.count(), v.version) == before
    # no change is refused with a code, nothing written
    staff = factories.user(Role.OPERATOR, service_center=taiyuan)
    with pytest.raises(InvalidInput) as exc:
        services.venue_rest_days_set(venue=v, open_on_rest_days="0", actor=staff)
    assert exc.value.code == "venue.rest_days_unchanged"
    client.force_login(staff)
    r = client.post(f"/venues/{v.code}/rest-days/", {"open_on_rest_days": "0"})
    assert r.status_code == 200 and "venue.rest_days_unchanged" in r.content.decode()
    assert AuditEvent.objects.count() == before[0]


def test_a_social_venues_entity_administrators_change_it():
    owner = th.entity(141, ["agency"], "山西测试场所运营有限公司")
    v = venue(name="社会力量场所", operator_kind="social", operator_uscc=owner.uscc, service_center=None,
              open_on_rest_days=False)  # fmt: skip
    admin = th.member_of(owner, Role.ENTITY_ADMIN)
    member = th.member_of(owner, Role.ENTITY_MEMBER)
    with pytest.raises(PermissionDenied):
        services.venue_rest_days_set(venue=v, open_on_rest_days=True, actor=member)
    with pytest.raises(PermissionDenied):  # catalog staff keep the catalog, they do not run the venue
        services.venue_rest_days_set(
            venue=v,
            open_on_rest_days=True,
            actor=factories.user(Role.OPERATOR, service_center=factories.service_center()),
        )
    v = services.venue_rest_days_set(venue=v, open_on_rest_days=True, actor=admin)
    assert v.open_on_rest_days is True
    assert selectors.closed_day(v, t(10, 1, 9)) == ""
