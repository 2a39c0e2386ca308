"""The public catalog and venue pages, the staff console (catalog and bookings), the lot's
bookings on the project page, and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ggzy.audit.models import AuditEvent
from ggzy.core.permissions import SYSTEM
from ggzy.venues import services
from ggzy.venues.models import Booking, Venue
from tests import factories
from tests.experts import helpers as lots
from tests.venues.helpers import ALL_MET, at, rooms, venue

pytestmark = pytest.mark.django_db


def _text(r) -> str:
    assert r.status_code == 200, r.content[:500]
    return r.content.decode()


def test_catalog_filters_and_venue_page(client):
    v = venue()
    opening, evaluation = rooms(v)
    far = venue(name="大同市场所", region="140212", service_center=factories.service_center("140200"))
    services.room_add(venue=far, name="大厅", kind="opening", seats=30, actor=SYSTEM)
    pending = venue(name="待准入场所", admitted=False)
    body = _text(client.get("/venues/"))
    assert v.name in body and far.name in body and "可远程异地评标" in body and pending.name not in body
    body = _text(client.get("/venues/", {"region": "140100"}))  # the city stands for its counties
    assert v.name in body and far.name not in body
    body = _text(client.get("/venues/", {"capability": "remote"}))
    assert v.name in body and far.name not in body
    body = _text(client.get("/venues/", {"capability": "opening", "seats": "50"}))
    assert v.name in body and far.name not in body
    assert client.get(f"/venues/{pending.code}/").status_code == 404
    assert client.get(f"/api/venues/{pending.code}").status_code == 404
    assert client.get(f"/api/venues/{pending.code}/calendar").status_code == 404
    op = lots.operator()
    lot = lots.lot(op)
    services.booking_create(
        lot=lot, room=opening, purpose="opening", starts_at=at(1, 9), ends_at=at(1, 10), actor=op
    )
    services.booking_create(
        lot=lot, room=evaluation, purpose="evaluation", starts_at=at(1, 10), ends_at=at(1, 17), actor=op
    )
    body = _text(client.get(f"/venues/{v.code}/", {"from": at(1, 0).date().isoformat()}))
    assert "预约日历" in body and "音视频监控" in body and "第一评标室" in body
    assert "09:00</time>–10:00 开标" in body and "10:00</time>–17:00 评标" in body
    assert body.count(lot.code) == 1  # the opening shows its lot, the evaluation does not
    assert "检查合格，纳入目录" in body  # the status history


def test_console_catalog_register_inspect_decide_rooms(client):
    op = lots.operator()
    client.force_login(op)
    body = _text(client.get("/venues/console/"))
    assert "登记场所" in body
    before = (Venue.objects.count(), AuditEvent.objects.count())
    r = client.post("/venues/console/", {"name": "", "operator_kind": "social", "operator_uscc": "123",
                                         "region_code": "140105", "address": ""})  # fmt: skip
    body = _text(r)
    assert "请填写场所名称" in body and "统一社会信用代码" in body
    assert (Venue.objects.count(), AuditEvent.objects.count()) == before
    r = client.post("/venues/console/", {"name": "小店区开评标场所", "operator_kind": "center",
                                         "region_code": "140105", "address": "小店区长风街1号",
                                         "opens_at": "08:30", "closes_at": "17:30"})  # fmt: skip
    assert r.status_code == 302
    v = Venue.objects.get(name="小店区开评标场所")
    assert v.service_center == op.service_center and v.status == "applied"
    url = f"/venues/console/{v.code}/"
    met = list(ALL_MET)
    client.post(url, {"action": "inspect", "met": met[:-1], "note_storage": "屏蔽柜未到货"})
    v.refresh_from_db()
    assert v.inspections.get().notes == {"storage": "屏蔽柜未到货"}
    body = _text(client.post(url, {"action": "status", "status": "admitted", "reason": "准入"}))
    assert "最近一次检查未全部合格" in body
    client.post(url, {"action": "inspect", "met": met, "inspector": "王五"})
    assert (
        client.post(url, {"action": "status", "status": "admitted", "reason": "检查合格"}).status_code == 302
    )
    client.post(
        url, {"action": "room", "name": "一号开标厅", "kind": "opening", "seats": "60", "monitoring": "1"}
    )
    hall = v.rooms.get()
    client.post(url, {"action": "room", "name": "候标室", "kind": "evaluation", "seats": "5", "monitoring": "1",
                      "shares_with": [str(hall.pk)]})  # fmt: skip
    v.refresh_from_db()
    assert v.status == "admitted" and [r.name for r in hall.shares_with.all()] == ["候标室"]
    body = _text(client.get(url))
    assert "一号开标厅" in body and "候标室" in body and "王五" in body


def test_console_bookings_nearest_book_cancel_rebook_and_the_project_page(client):
    op = lots.operator()
    lot = lots.lot(op)
    v = venue()
    opening, evaluation = rooms(v)
    client.force_login(op)
    menu = _text(client.get("/venues/console/bookings/"))
    assert "开标评标场所预约" in menu and "交易场所目录管理" in menu
    day = at(2, 0).date().isoformat()
    body = _text(client.get("/venues/console/bookings/", {"lot_code": lot.code, "purpose": "opening", "day": day,
                                                          "start": "09:00", "end": "10:00"}))  # fmt: skip
    assert "同一设区市" in body or "同一县（区）" in body
    assert "第一开标室" in body
    post = {"lot_code": lot.code, "action": "book", "purpose": "opening", "room_id": opening.pk, "day": day}
    assert (
        client.post("/venues/console/bookings/", {**post, "start": "09:00", "end": "10:00"}).status_code
        == 302
    )
    before = (Booking.objects.count(), AuditEvent.objects.count())
    bad = [
        ({**post, "start": "07:00", "end": "08:30"}, "venue.outside_hours"),
        (
            {**post, "purpose": "evaluation", "start": "10:00", "end": "12:00"},
            "venue.evaluation_not_isolated",
        ),
        ({**post, "start": "9点", "end": "10:00"}, "venue.bad_time"),
    ]
    for data, code in bad:
        body = _text(client.post("/venues/console/bookings/", data))
        assert code in body and 'role="alert"' in body
    assert (Booking.objects.count(), AuditEvent.objects.count()) == before
    body = _text(client.get("/venues/console/bookings/", {"lot_code": lot.code}))
    assert (
        f'<optgroup label="{v.name}"><option value="{opening.pk}" selected>' in body
    )  # rebook: rooms of the kind
    client.post("/venues/console/bookings/", {**post, "purpose": "evaluation", "room_id": evaluation.pk,
                                              "start": "10:00", "end": "17:00"})  # fmt: skip
    # the public project page shows the opening room and the evaluation venue, not its room
    page = _text(client.__class__().get(reverse("trading:detail", args=[lot.project.code])))
    assert "开标、评标场所" in page and "第一开标室" in page and "第一评标室" not in page
    first = Booking.objects.get(purpose="evaluation")
    r = client.post("/venues/console/bookings/", {"lot_code": lot.code, "action": "rebook", "booking_id": first.pk,
                                                  "room_id": evaluation.pk, "day": day, "start": "10:30",
                                                  "end": "17:30", "reason": "推迟半小时"})  # fmt: skip
    assert r.status_code == 302
    new = Booking.objects.get(purpose="evaluation", status="active")
    assert new.replaces_id == first.pk
    client.post("/venues/console/bookings/", {"lot_code": lot.code, "action": "cancel", "booking_id": new.pk,
                                              "reason": "项目终止"})  # fmt: skip
    body = _text(client.get("/venues/console/bookings/", {"lot_code": lot.code}))
    assert "改约：推迟半小时" in body and "项目终止" in body and "改约自第" in body
    # another platform's operator cannot book for this lot
    client.force_login(lots.operator("140200"))
    assert client.get("/venues/console/bookings/", {"lot_code": lot.code}).status_code == 403


def test_api_catalog_manage_near_and_bookings(client):
    op = lots.operator()
    lot = lots.lot(op)
    client.force_login(op)
    r = client.post("/api/venues/", {"name": "API场所", "operator_kind": "center", "region_code": "140105",
                                     "address": "小店区"}, content_type="application/json")  # fmt: skip
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    assert r.json()["status_history"][0]["to_status"] == "applied"
    r = client.post(
        f"/api/venues/{code}/inspections", {"checklist": ALL_MET}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["passed"] is True
    r = client.post(
        f"/api/venues/{code}/status",
        {"status": "admitted", "reason": "合格"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "admitted"
    r = client.post(f"/api/venues/{code}/rooms", {"name": "开标室", "kind": "opening", "seats": 40},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 201
    room_id = r.json()["id"]
    r = client.post(f"/api/venues/{code}/rooms", {"name": "开标室", "kind": "opening", "seats": 0},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "venue.duplicate_room"
    anon = client.__class__()
    assert anon.get("/api/venues/", {"capability": "opening"}).json()[0]["code"] == code
    r = anon.get("/api/venues/near", {"region_code": "140105", "kind": "opening",
                                      "starts_at": at(6, 9).isoformat(), "ends_at": at(6, 10).isoformat()})  # fmt: skip
    assert r.json()[0]["venue"]["code"] == code and r.json()[0]["distance_label"] == "同一县（区）"
    payload = {"lot_code": lot.code, "room_id": room_id, "purpose": "opening",
               "starts_at": at(6, 9).isoformat(), "ends_at": at(6, 10).isoformat()}  # fmt: skip
    r = client.post("/api/venues/bookings", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    first = r.json()["id"]
    other = lots.lot(op, name="另一个工程")
    r = client.post(
        "/api/venues/bookings", {**payload, "lot_code": other.code}, content_type="application/json"
    )
    assert r.status_code == 409 and r.json()["code"] == "venue.double_booking"
    r = anon.post("/api/venues/bookings", payload, content_type="application/json")
    assert r.status_code == 401
    r = client.post(f"/api/venues/bookings/{first}/rebook", {"room_id": room_id, "starts_at": at(6, 14).isoformat(),
                    "ends_at": at(6, 15).isoformat(), "reason": "调整"}, content_type="application/json")  # fmt: skip
    assert r.status_code == 201 and r.json()["replaces"] == first
    cal = anon.get(f"/api/venues/{code}/calendar", {"start": at(6, 0).date().isoformat(), "days": 1}).json()
    assert [dt.datetime.fromisoformat(b["starts_at"]) for b in cal[0]["bookings"]] == [at(6, 14)]
    assert cal[0]["bookings"][0]["lot_code"] == lot.code
    rows = client.get("/api/venues/bookings", {"lot_code": lot.code}).json()
    assert [b["status"] for b in rows] == ["cancelled", "active"] and rows[0]["cancel_reason"] == "改约：调整"
    assert anon.get("/api/venues/bookings", {"lot_code": lot.code}).status_code == 401
    r = client.post(
        f"/api/venues/bookings/{rows[1]['id']}/cancel", {"reason": "终止"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
