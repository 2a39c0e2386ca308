"""The public catalog, the nearest-venue search and bookings through the API."""

from __future__ import annotations

import pytest

from tests.experts import helpers as lots
from tests.venues.helpers import at, rooms, venue

pytestmark = pytest.mark.django_db


def test_catalog_and_detail_pages(client):
    v = venue()
    rooms(v)
    body = client.get("/venues/").content.decode()
    assert v.name in body and "第一评标室" in body and "可远程异地评标" in body
    body = client.get(f"/venues/{v.code}/").content.decode()
    assert "预约日历" in body and "音视频监控" in body
    assert client.get("/api/venues/").json()[0]["code"] == v.code


def test_near_and_booking_through_the_api(client):
    op = lots.operator()
    lot = lots.lot(op)
    v = venue()
    opening, _ = rooms(v)
    r = client.get(
        "/api/venues/near",
        {
            "region_code": "140105",
            "kind": "opening",
            "starts_at": at(6, 9).isoformat(),
            "ends_at": at(6, 10).isoformat(),
        },
    )
    assert r.json()[0]["venue"]["code"] == v.code and r.json()[0]["distance_label"] == "同一县（区）"
    client.force_login(op)
    payload = {"lot_code": lot.code, "room_id": opening.pk, "purpose": "opening",
               "starts_at": at(6, 9).isoformat(), "ends_at": at(6, 10).isoformat()}  # fmt: skip
    r = client.post("/api/venues/bookings", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    first = r.json()["id"]
    other = lots.lot(op, name="另一个工程")
    r = client.post(
        "/api/venues/bookings", {**payload, "lot_code": other.code}, content_type="application/json"
    )
    assert r.status_code == 409 and r.json()["code"] == "venue.double_booking"
    r = client.post(
        f"/api/venues/bookings/{first}/cancel",
        {"reason": "终止"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
