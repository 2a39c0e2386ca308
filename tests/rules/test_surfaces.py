"""Public pages, the API (one test per endpoint) and the ``ggzy rules`` command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from ggzy.accounts.models import Role
from ggzy.rules import services
from ggzy.rules.models import RuleSetVersion
from tests import factories

from .helpers import other, shipped

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_rules_page_lists_every_category_with_periods_and_unconfirmed_marks(client):
    page = client.get("/rules/").content.decode()
    for label in ("工程建设", "政府采购", "土地使用权", "矿业权", "国有产权"):
        assert f">{label}</h2>" in page
    assert page.count("data-ruleset=") == 17
    assert "工程建设项目公开招标" in page and "不少于20日" in page and "《招标投标法》第二十四条" in page
    assert "未核实" in page and "data-unconfirmed" in page
    assert "自2026年1月1日起施行" in page
    assert 'href="/rules/scope/"' in page


def test_rule_page_shows_versions_digest_and_the_full_text_of_cited_articles(client):
    admin = factories.user(Role.PLATFORM_ADMIN)
    services.ruleset_publish_version(data=shipped(), effective_from="2027-03-01", actor=admin)
    r = client.get("/rules/engineering.open_tendering/")
    page = r.content.decode()
    v1 = RuleSetVersion.objects.get(code="engineering.open_tendering", version=1)
    assert r.status_code == 200 and v1.digest in page
    assert 'data-version="1"' in page and 'data-version="2"' in page
    assert "第2版将于2027年3月1日起施行" in page
    # the article's full text from rules/law
    assert "自招标文件开始发出之日起至投标人提交投标文件截止之日止，最短不得少于二十日" in page
    assert "投标保证金不得超过招标项目估算价的2%" in page
    assert "必须招标的工程项目规定" in page and "未核实" in page
    assert "您正在查看第2版" in client.get("/rules/engineering.open_tendering/?v=2").content.decode()
    assert client.get("/rules/engineering.open_tendering/?v=9").status_code == 404
    assert client.get("/rules/engineering.lottery/").status_code == 404


def test_scope_page(client):
    page = client.get("/rules/scope/").content.decode()
    assert "400万元" in page and "200万元" in page and "100万元" in page
    assert "化整为零" in page and "90日" in page and "80%" in page and "未核实" in page


def test_home_page_and_nav_link_to_the_rules(client):
    page = client.get("/").content.decode()
    assert 'href="/rules/"' in page and "交易规则" in page


def test_api_list(client):
    body = client.get("/api/rules/").json()
    assert len(body) == 17
    eng = next(x for x in body if x["code"] == "engineering.open_tendering")
    assert eng["version"] == 1 and eng["in_force"] and eng["effective_from"] == "2026-01-01"
    assert eng["category_label"] == "工程建设" and len(eng["digest"]) == 64 and eng["unconfirmed"] == 1


def test_api_detail(client):
    body = client.get("/api/rules/procurement.single_source").json()
    cur = body["current"]
    assert cur["code"] == "procurement.single_source" and [v["version"] for v in body["versions"]] == [1]
    p = cur["periods"][0]
    assert (p["days"], p["kind"], p["text"]) == (5, "working", "不少于5个工作日")
    assert p["basis"] == {
        "law": "政府采购法实施条例",
        "article": "第三十八条",
        "confirmed": True,
        "note": "",
        "label": "《政府采购法实施条例》第三十八条",
    }
    r = client.get("/api/rules/engineering.lottery")
    assert r.status_code == 404 and r.json()["code"] == "rules.not_found"


def test_api_version(client):
    body = client.get("/api/rules/mining.listing/versions/1").json()
    timed = next(p for p in body["periods"] if p["code"] == "timed_bidding")
    assert timed["minutes"] == 5 and timed["basis"]["confirmed"] is False
    assert "未核实" in timed["basis"]["label"]
    r = client.get("/api/rules/mining.listing/versions/2")
    assert r.status_code == 404 and r.json()["code"] == "rules.version_not_found"


def test_api_scope(client):
    body = client.get("/api/rules/scope").json()
    assert {t["item_kind"]: t["amount_wan"] for t in body["thresholds"]} == {
        "works": "400",
        "goods": "200",
        "services": "100",
    }
    assert body["threshold_basis"]["confirmed"] is False
    assert body["splitting"] == {
        "window_days": 90,
        "ratio": "0.8",
        "basis": {
            "law": "招标投标法",
            "article": "第四条",
            "confirmed": True,
            "note": "",
            "label": "《招标投标法》第四条",
        },
    }


def test_api_define_other(client):
    payload = other()
    r = client.post("/api/rules/other", payload, content_type="application/json")
    assert r.status_code == 401
    client.force_login(factories.user(Role.OPERATOR))
    r = client.post("/api/rules/other", payload, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "permission.denied"
    assert not RuleSetVersion.objects.filter(category="other").exists()
    client.force_login(factories.user(Role.PLATFORM_ADMIN))
    bad = other(periods=[{**other()["periods"][0], "days": -1}])
    r = client.post("/api/rules/other", bad, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "rules.invalid_period"
    r = client.post("/api/rules/other", payload, content_type="application/json")
    assert r.status_code == 201
    body = r.json()
    assert body["code"] == "other.emission_rights" and body["source"] == "admin" and body["unconfirmed"] == 1
    assert client.get("/api/rules/other.emission_rights").status_code == 200
    assert "排污权挂牌交易" in client.get("/rules/").content.decode()


def test_command_list_show_sync():
    out = StringIO()
    call_command("rules", "list", stdout=out)
    assert "engineering.open_tendering\t第1版" in out.getvalue() and out.getvalue().count("\n") == 17
    out = StringIO()
    call_command("rules", "show", "procurement.open_tendering", stdout=out)
    text = out.getvalue()
    assert "SM3：" in text and "不少于20日（《政府采购法》第三十五条）" in text
    out = StringIO()
    call_command("rules", "sync", stdout=out)
    assert "新载入0个，已存在且一致17个" in out.getvalue()
    with pytest.raises(CommandError, match=r"rules.not_found"):
        call_command("rules", "show", "land.lottery")
