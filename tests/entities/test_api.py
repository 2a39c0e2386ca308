"""One test per endpoint at least, with the error codes partners rely on."""

from __future__ import annotations

import pytest

from ggzy.accounts.models import Role
from ggzy.entities.models import Entity
from tests import factories
from tests.entities import helpers as h
from tests.entities.test_import import csv_bytes, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def op_client(client):
    client.force_login(h.operator())
    return client


def test_list_is_public_paginated_and_filtered(client):
    for n in range(1, 4):
        h.entity(n, name=f"太原公司{n}")
    h.entity(4, name="大同公司", region="140213")
    r = client.get("/api/entities/", {"region": "140100"})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 3 and {i["name"] for i in body["items"]} == {
        "太原公司1",
        "太原公司2",
        "太原公司3",
    }
    assert "bank_account_no" not in body["items"][0] and "contact_phone" not in body["items"][0]
    assert client.get("/api/entities/", {"q": "大同"}).json()["count"] == 1


def test_detail_public_vs_confidential(client):
    e = h.entity(5)
    r = client.get(f"/api/entities/{e.uscc}")
    assert r.status_code == 200 and r.json()["confidential"] is None
    assert r.json()["kind"] == "企业" and r.json()["region_name"] == "山西省太原市小店区"
    client.force_login(h.member_of(e, Role.ENTITY_MEMBER))
    assert (
        client.get(f"/api/entities/{e.uscc}").json()["confidential"]["bank_account_no"]
        == "0502123456789012345"
    )
    client.force_login(factories.user(Role.PLATFORM_ADMIN))
    assert client.get(f"/api/entities/{e.uscc}").json()["confidential"] is None
    r = client.get(f"/api/entities/{factories.valid_uscc(999)}")
    assert r.status_code == 404 and r.json()["code"] == "entity.not_found"


def test_register(op_client):
    r = op_client.post("/api/entities/", h.data(6), content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["uscc"] == factories.valid_uscc(6) and r.json()["confidential"]["contact_name"] == "李四"


def test_register_errors(client, op_client):
    d = h.data(7)
    assert op_client.post("/api/entities/", d, content_type="application/json").status_code == 201
    r = op_client.post("/api/entities/", d, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "entity.duplicate" and r.json()["field"] == "uscc"
    r = op_client.post(
        "/api/entities/", {**h.data(8), "region_code": "999999"}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["code"] == "entity.region_unknown"
    r = op_client.post("/api/entities/", {"uscc": factories.valid_uscc(9)}, content_type="application/json")
    assert r.status_code == 422 and r.json()["message"].startswith("注册信息有")
    assert {e["field"] for e in r.json()["errors"]} >= {"name", "address", "trading_roles"}
    client.logout()
    r = client.post("/api/entities/", h.data(10), content_type="application/json")
    assert r.status_code == 401 and r.json()["code"] == "auth.required"
    client.force_login(factories.user(Role.EXPERT))
    r = client.post("/api/entities/", h.data(10), content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "permission.denied"
    assert Entity.objects.count() == 1


def test_patch_and_revisions(client):
    e = h.entity(11)
    client.force_login(h.member_of(e))
    r = client.patch(
        f"/api/entities/{e.uscc}",
        {"name": "改名后的公司", "expected_version": 1},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["name"] == "改名后的公司" and r.json()["version"] == 2
    r = client.patch(
        f"/api/entities/{e.uscc}", {"name": "再改", "expected_version": 1}, content_type="application/json"
    )
    assert r.status_code == 409 and r.json()["code"] == "entity.version_conflict"
    r = client.patch(
        f"/api/entities/{e.uscc}", {"uscc": factories.valid_uscc(12)}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["code"] == "entity.uscc_immutable"
    r = client.get(f"/api/entities/{e.uscc}/revisions")
    assert r.status_code == 200
    assert [x["version"] for x in r.json()] == [2, 1]
    assert r.json()[0]["changes"] == {"name": ["山西测试建设有限公司11", "改名后的公司"]}
    other = h.entity(13)
    r = client.patch(f"/api/entities/{other.uscc}", {"name": "x"}, content_type="application/json")
    assert r.status_code == 403
    assert client.get(f"/api/entities/{other.uscc}/revisions").status_code == 403


def test_import_endpoint(op_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("a.csv", csv_bytes([row(20), row(21, region="149999")]), content_type="text/csv")
    r = op_client.post("/api/entities/import", {"file": bad})
    assert r.status_code == 422 and r.json()["code"] == "entity.import_invalid"
    assert r.json()["details"]["report"] == [
        {
            "row": 3,
            "column": "所在地区划代码",
            "code": "entity.region_unknown",
            "message": "所在地区划代码“149999”不是山西省现行的行政区划代码，请按《行政区划代码》填写所在县（市、区）",
        }
    ]
    assert not Entity.objects.exists()
    good = SimpleUploadedFile("a.csv", csv_bytes([row(20), row(21)]), content_type="text/csv")
    r = op_client.post("/api/entities/import", {"file": good})
    assert r.status_code == 200 and r.json()["count"] == 2 and len(r.json()["sm3"]) == 64


def test_uscc_check(client):
    code = factories.valid_uscc(30, region="140211")
    r = client.get("/api/entities/uscc-check", {"code": code})
    body = r.json()
    assert r.status_code == 200 and body["valid"] and body["problems"] == []
    assert (
        "已撤销的区划" in body["parts"][2]["meaning"] and body["parts"][0]["meaning"] == "登记管理部门：工商"
    )
    r = client.get("/api/entities/uscc-check", {"code": "91140100MA0L3X7K0S"})
    body = r.json()
    assert not body["valid"]
    assert {p["code"] for p in body["problems"]} == {"uscc.charset"}
    assert body["problems"][0]["message"].startswith("第18位“S”不能出现在统一社会信用代码中")


def test_openapi_lists_the_entity_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for p in ("/api/entities/", "/api/entities/{uscc}", "/api/entities/import", "/api/entities/uscc-check"):
        assert p in paths
