"""One API test per endpoint of /api/trading."""

from __future__ import annotations

import pytest

from ggzy.trading import services
from ggzy.trading.models import Project
from tests.trading import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def op():
    return helpers.operator()


def test_list_projects_is_public_and_filtered(client, op):
    p = services.project_register(data=helpers.data(), actor=op)
    r = client.get("/api/trading/projects", {"category": "engineering"})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1 and body["items"][0]["code"] == p.code
    assert client.get("/api/trading/projects", {"category": "land"}).json()["count"] == 0


def test_register_project(client, op):
    client.force_login(op)
    body = {
        **helpers.data(),
        "lots": [{"name": "一标段", "estimate": "1000"}, {"name": "二标段", "estimate": "2000"}],
    }
    r = client.post("/api/trading/projects", body, content_type="application/json")
    assert r.status_code == 201, r.json()
    out = r.json()
    assert [lot["code"][-3:] for lot in out["lots"]] == ["001", "002"]
    assert out["lots"][0]["next"] == [
        {"code": "notice", "label": "招标公告"},
        {"code": "terminated", "label": "终止"},
    ]
    bad = client.post("/api/trading/projects", {**body, "estimate": "x"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["code"] == "money.invalid"
    assert client.logout() is None
    assert client.post("/api/trading/projects", body, content_type="application/json").status_code == 401
    assert Project.objects.count() == 1


def test_project_detail(client, op):
    p = services.project_register(data=helpers.data(), actor=op)
    r = client.get(f"/api/trading/projects/{p.code}")
    assert r.status_code == 200 and r.json()["tender_code"] == p.tender_code
    missing = client.get("/api/trading/projects/M1401052610009999")
    assert missing.status_code == 404 and missing.json()["code"] == "project.not_found"


def test_add_lot(client, op):
    p = services.project_register(data=helpers.data(), actor=op)
    client.force_login(op)
    r = client.post(f"/api/trading/projects/{p.code}/lots", {"name": "二标段", "estimate": "300.50"},
                    content_type="application/json")  # fmt: skip
    assert (
        r.status_code == 201
        and r.json()["code"] == p.tender_code + "002"
        and r.json()["estimate"] == "300.50"
    )


def test_lot_transition(client, op):
    lot = services.project_register(data=helpers.data(), actor=op).lots.get()
    client.force_login(op)
    url = f"/api/trading/lots/{lot.code}/transition"
    r = client.post(url, {"to": "notice", "expected_version": 1}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "notice" and r.json()["version"] == 2
    assert r.json()["transitions"][0]["to_label"] == "招标公告"
    r = client.post(url, {"to": "bidding", "expected_version": 1}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "lot.version_conflict"
    r = client.post(url, {"to": "awarded"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "lot.illegal_transition"
    client.force_login(helpers.operator("140200"))
    r = client.post(url, {"to": "bidding"}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "permission.denied"
