"""The notice and schedule API."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ggzy.trading import services
from tests.trading import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def op():
    return helpers.operator()


def test_schedule_publish_amend_and_read(client, op):
    with time_machine.travel(dt.datetime(2026, 9, 1, 1, tzinfo=dt.UTC), tick=False):
        lot = services.project_register(data=helpers.data(), actor=op).lots.get()
        client.force_login(op)
        url = f"/api/trading/lots/{lot.code}/schedule"
        bad = client.post(
            url,
            {
                "anchors": {
                    "documents_issued": "2026-09-14T09:30+08:00",
                    "bid_deadline": "2026-10-05T09:30+08:00",
                }
            },
            content_type="application/json",
        )
        assert bad.status_code == 422 and bad.json()["code"] == "timeline.period_too_short"
        ok = client.post(
            url,
            {
                "anchors": {
                    "documents_issued": "2026-09-14T09:30+08:00",
                    "bid_deadline": "2026-10-20T09:30+08:00",
                }
            },
            content_type="application/json",
        )
        assert ok.status_code == 200
        body = {
            "project": lot.project.code,
            "lot": lot.code,
            "kind": "tender",
            "free_text": "须为在太原市注册登记的企业",
        }
        refused = client.post("/api/trading/notices", body, content_type="application/json")
        assert refused.status_code == 422 and refused.json()["code"] == "notice.fairness"
        body["overrides"] = [{"code": "fairness.local_registration", "reason": "已报监督部门"}]
        r = client.post("/api/trading/notices", body, content_type="application/json")
        assert r.status_code == 201
        number = r.json()["number"]
    with time_machine.travel(dt.datetime(2026, 10, 12, 1, tzinfo=dt.UTC), tick=False):
        client.force_login(op)  # a new session (the old one expired)
        a = client.post(
            f"/api/trading/notices/{number}/amend",
            {"data": {"更正内容": "参数调整"}, "affects_preparation": True},
            content_type="application/json",
        )
        assert a.status_code == 201 and a.json()["amends"] == number
        assert a.json()["data"]["deadline"]["moved"] is True
    client.logout()
    assert client.get(f"/api/trading/notices/{number}").json()["amendments"] == [a.json()["number"]]
    assert client.get("/api/trading/notices", {"kind": "amendment"}).json()["count"] == 1
    assert client.get("/api/trading/notices/X-G01").status_code == 404


def test_notice_pages(client, op):
    with time_machine.travel(dt.datetime(2026, 9, 1, 1, tzinfo=dt.UTC), tick=False):
        project = services.project_register(data=helpers.data(), actor=op)
        n = services.notice_publish(project=project, kind="tender", data={"资格要求": "独立法人"}, actor=op)
    r = client.get("/notices/", {"kind": "tender"})
    assert r.status_code == 200 and n.number in r.content.decode()
    assert client.get("/notices/", {"kind": "award"}).content.decode().count(n.number) == 0
    page = client.get(f"/notices/{n.number}/").content.decode()
    assert "独立法人" in page and n.title in page
