"""Browsing the trail and running a verification: who may, filters, pages and API (read-only)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from ggzy.accounts.models import Role
from ggzy.audit import selectors
from ggzy.audit.models import AuditEvent
from ggzy.audit.services import record
from ggzy.core.errors import InvalidInput, NotAuthenticated, PermissionDenied
from tests import factories

pytestmark = pytest.mark.django_db

USCC = factories.valid_uscc(7)


@pytest.fixture
def trail():
    actor = factories.user(Role.OPERATOR)
    with (
        time_machine.travel(dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC), tick=False),
        transaction.atomic(),
    ):
        record(
            actor=actor,
            action="entity.register",
            object_type="entity",
            object_id=USCC,
            entity_ref=USCC,
            summary={"名称": [None, "太原测试有限公司"]},
        )
    with time_machine.travel(dt.datetime(2026, 3, 5, 2, 0, tzinfo=dt.UTC), tick=False):
        with transaction.atomic():
            record(
                actor=actor,
                action="project.register",
                object_type="project",
                object_id="P1",
                project_ref="SX-2026-001",
                summary={"状态": ["草稿", "已登记"]},
            )
        with transaction.atomic():
            record(actor=None, action="entity.update", object_type="entity", object_id=USCC, entity_ref=USCC)
    return actor


def ids(page):
    return [e.action for e in page.events]


def test_inspector_filters_every_way(trail):
    inspector = factories.user(Role.INSPECTOR)
    F = selectors.EventFilter
    assert ids(selectors.list_events(actor=inspector)) == [
        "entity.update",
        "project.register",
        "entity.register",
    ]
    assert ids(selectors.list_events(actor=inspector, filters=F(project_ref="SX-2026-001"))) == [
        "project.register"
    ]
    assert ids(selectors.list_events(actor=inspector, filters=F(entity_ref=USCC))) == [
        "entity.update",
        "entity.register",
    ]
    assert len(selectors.list_events(actor=inspector, filters=F(actor_id=trail.pk)).events) == 2
    assert ids(selectors.list_events(actor=inspector, filters=F(object_type="project", object_id="P1"))) == [
        "project.register"
    ]
    assert ids(selectors.list_events(actor=inspector, filters=F(action_prefix="entity."))) == [
        "entity.update",
        "entity.register",
    ]
    # dates are Beijing-time days: 2026-03-02 01:30 UTC is 09:30 on 2 March
    day = selectors.list_events(
        actor=inspector, filters=F(since=dt.date(2026, 3, 2), until=dt.date(2026, 3, 2))
    )
    assert ids(day) == ["entity.register"]
    page1 = selectors.list_events(actor=inspector, page=1, page_size=2)
    page2 = selectors.list_events(actor=inspector, page=2, page_size=2)
    assert page1.has_next and not page2.has_next and len(page2.events) == 1


def test_bad_filters_are_refused_in_chinese(trail):
    auditor = factories.user(Role.AUDITOR)
    with pytest.raises(InvalidInput) as exc:
        selectors.list_events(
            actor=auditor, filters=selectors.EventFilter(since=dt.date(2026, 3, 5), until=dt.date(2026, 3, 1))
        )
    assert exc.value.code == "audit.range_invalid"
    with pytest.raises(InvalidInput):
        selectors.list_events(actor=auditor, page_size=1000)


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ENTITY_MEMBER, Role.EXPERT, Role.PLATFORM_ADMIN])
def test_others_may_not_browse(trail, role):
    with pytest.raises(PermissionDenied):
        selectors.list_events(actor=factories.user(role))


def test_anonymous_may_not_browse(trail):
    with pytest.raises(NotAuthenticated):
        selectors.list_events(actor=None)


def test_supervisor_sees_only_a_project_in_scope(trail):
    sup = factories.user(Role.SUPERVISOR)  # 太原 finance: procurement
    with pytest.raises(PermissionDenied):
        selectors.list_events(actor=sup)
    project = SimpleNamespace(project_ref="SX-2026-001", region_code="140105", category="procurement")
    page = selectors.list_events(actor=sup, scope=project)
    assert ids(page) == ["project.register"]
    elsewhere = SimpleNamespace(project_ref="SX-2026-001", region_code="140200", category="procurement")
    with pytest.raises(PermissionDenied):
        selectors.list_events(actor=sup, scope=elsewhere)


def test_summary_is_rendered_readably():
    assert selectors.summary_lines('{"名称":[null,"甲"],"数量":3}') == ["名称：（空） → 甲", "数量：3"]


def test_trail_page_shows_beijing_time_and_readable_summary(client, trail):
    client.force_login(factories.user(Role.INSPECTOR))
    r = client.get(reverse("audit:trail"), {"entity": USCC})
    html = r.content.decode()
    assert r.status_code == 200
    assert "2026-03-02 09:30:00" in html  # 01:30 UTC
    assert "名称：（空） → 太原测试有限公司" in html
    assert "project.register" not in html


def test_trail_page_refuses_an_operator(client, trail):
    client.force_login(factories.user(Role.OPERATOR))
    assert client.get(reverse("audit:trail")).status_code == 403


def test_verify_page_runs_and_reports(client, trail):
    client.force_login(factories.user(Role.AUDITOR))
    r = client.post(reverse("audit:verify"))
    assert "审计链完整" in r.content.decode()
    AuditEvent.objects.filter(seq=2).update(summary="{}")
    r = client.post(reverse("audit:verify"))
    html = r.content.decode()
    assert "第 2 号事件" in html and "事件被篡改" in html
    assert AuditEvent.objects.count() == 3  # verification wrote nothing


def test_verify_page_links_the_trail_only_for_those_who_may_browse_it(client, trail):
    trail_url = reverse("audit:trail")
    client.force_login(factories.user(Role.AUDITOR))
    assert f'href="{trail_url}"' in client.get(reverse("audit:verify")).content.decode()
    client.force_login(factories.user(Role.PLATFORM_ADMIN))  # verifies the chain, reads no trail
    r = client.get(reverse("audit:verify"))
    assert r.status_code == 200 and "开始校验" in r.content.decode()
    assert f'href="{trail_url}"' not in r.content.decode()
    assert client.get(trail_url).status_code == 403


def test_a_supervisor_reads_the_trail_of_a_project_it_supervises(client, trail):
    """The console's 全流程留痕 for a supervisor: asks for a project number, then shows that
    project's events if the project is in the supervisor's region and categories."""
    from tests.auctions import helpers as auction_helpers

    lot, _op = auction_helpers.lot()  # a land project in 140100: its registration is audited
    code = lot.project.code
    url = reverse("audit:trail")
    client.force_login(
        factories.user(Role.SUPERVISOR, department=factories.department("140100", "natural_resources"))
    )
    r = client.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and "请输入所监督项目的项目编号" in html and "project.register" not in html
    # the project's public page links its trail for this supervisor
    link = f"{url}?project={code}"
    assert link in client.get(reverse("trading:detail", args=[code])).content.decode()
    r = client.get(url, {"project": code.lower()})
    html = r.content.decode()
    assert r.status_code == 200 and "project.register" in html and lot.project.name in html
    assert "SX-2026-001" not in html and "entity.register" not in html  # only that project's events
    assert client.get(url, {"project": "M0000000000000000"}).status_code == 404
    # the same project for a supervisor of other categories (finance: procurement)
    client.force_login(factories.user(Role.SUPERVISOR, department=factories.department("140100")))
    r = client.get(url, {"project": code})
    assert r.status_code == 403 and "project.register" not in r.content.decode()
    assert "无权" in r.content.decode()
    assert link not in client.get(reverse("trading:detail", args=[code])).content.decode()
    client.logout()
    assert link not in client.get(reverse("trading:detail", args=[code])).content.decode()


def test_api_events_and_verify(client, trail):
    client.force_login(factories.user(Role.INSPECTOR))
    r = client.get("/api/audit/events", {"action_prefix": "project."})
    assert r.status_code == 200, r.content
    body = r.json()
    assert [e["project_ref"] for e in body["items"]] == ["SX-2026-001"]
    assert body["items"][0]["summary"] == {"状态": ["草稿", "已登记"]}
    r = client.post("/api/audit/verify", {}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["ok"] is True and r.json()["checked"] == 3


def test_api_refuses_anonymous_and_operator(client, trail):
    assert client.get("/api/audit/events").status_code == 401
    client.force_login(factories.user(Role.OPERATOR))
    r = client.get("/api/audit/events")
    assert r.status_code == 403 and r.json()["code"] == "permission.denied"
