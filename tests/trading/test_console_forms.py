"""Console pages: scheduling a draft lot and publishing a notice (with the fair-competition gate)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from ggzy.accounts.models import Role
from ggzy.supervision.models import Warning
from ggzy.trading import services
from ggzy.trading.models import LotEvent, Notice
from tests import factories
from tests.trading import helpers

pytestmark = pytest.mark.django_db
UNFAIR = "投标人须为在太原市注册登记的企业。"


@pytest.fixture
def op():
    return helpers.operator()


@pytest.fixture
def lot(op):
    with time_machine.travel(dt.datetime(2026, 9, 1, 1, tzinfo=dt.UTC), tick=False):
        return services.project_register(data=helpers.data(), actor=op).lots.get()


@pytest.fixture
def client_op(client, op):
    client.force_login(op)
    return client


def schedule(client, lot, deadline):
    with time_machine.travel(dt.datetime(2026, 9, 2, 1, tzinfo=dt.UTC), tick=False):
        return client.post(
            reverse("trading:lot_schedule", args=[lot.code]),
            {
                "notice_published": "2026-09-14T09:30",
                "documents_issued": "2026-09-14T09:30",
                "bid_deadline": deadline,
            },
        )


def test_schedule_page_and_link(client_op, lot):
    page = client_op.get(reverse("trading:console_detail", args=[lot.project.code])).content.decode()
    assert reverse("trading:lot_schedule", args=[lot.code]) in page
    form = client_op.get(reverse("trading:lot_schedule", args=[lot.code])).content.decode()
    assert 'type="datetime-local"' in form and 'name="documents_issued"' in form


def test_schedule_happy_path_redirects_with_message(client_op, lot):
    r = schedule(client_op, lot, "2026-10-20T09:30")
    assert r.status_code == 302 and r.url == reverse("trading:console_detail", args=[lot.project.code])
    deadline = LotEvent.objects.get(lot=lot, event="bid_deadline").at
    assert deadline == dt.datetime(2026, 10, 20, 1, 30, tzinfo=dt.UTC)
    page = client_op.get(r.url).content.decode()
    assert "时间安排已保存" in page


def test_unlawful_deadline_shows_the_chinese_error_and_stores_nothing(client_op, lot):
    r = schedule(client_op, lot, "2026-10-05T09:30")
    assert r.status_code == 422
    page = r.content.decode()
    assert "第二十四条" in page and "最早为2026年10月8日" in page
    assert not LotEvent.objects.filter(lot=lot).exists()


def test_missing_required_anchor_is_shown(client_op, lot):
    r = client_op.post(
        reverse("trading:lot_schedule", args=[lot.code]), {"notice_published": "2026-09-14T09:30"}
    )
    assert r.status_code == 400 and "请填写" in r.content.decode()
    assert not LotEvent.objects.filter(lot=lot).exists()


def publish(client, lot, **extra):
    data = {"kind": "tender", "qualification": "<b>具有独立法人资格</b>" + UNFAIR, "free_text": "<p>说明</p>"}
    data.update(extra)
    with time_machine.travel(dt.datetime(2026, 9, 14, 2, tzinfo=dt.UTC), tick=False):
        return client.post(reverse("trading:notice_publish", args=[lot.code]), data)


def test_publish_refused_highlights_the_finding_then_publishes_with_a_reason(client_op, lot):
    assert schedule(client_op, lot, "2026-10-20T09:30").status_code == 302
    r = publish(client_op, lot)
    assert r.status_code == 422
    page = r.content.decode()
    finding = r.context["fairness"]["findings"][0]
    excerpt = finding["excerpt"]
    assert excerpt in UNFAIR
    assert f"<mark>{excerpt}</mark>" in page
    assert "&lt;b&gt;具有独立法人资格&lt;/b&gt;" in page and "<b>具有" not in page  # the rest is escaped
    assert finding["articles_label"] in page and finding["suggestion"] in page
    assert f'name="reason:{finding["code"]}"' in page
    assert not Notice.objects.exists()

    reasons = {
        f"reason:{f['code']}": "本项目为特殊情形，经审查保留" for f in r.context["fairness"]["findings"]
    }
    r = publish(client_op, lot, **reasons)
    assert r.status_code == 302
    notice = Notice.objects.get()
    assert notice.lot == lot and notice.fairness_overrides[0]["reason"] == "本项目为特殊情形，经审查保留"
    assert Warning.objects.filter(details__type="fairness_override").exists()
    assert notice.number in client_op.get(r.url).content.decode()


def test_publish_page_refuses_an_expert(client, lot):
    client.force_login(factories.user(Role.EXPERT))
    r = client.get(reverse("trading:notice_publish", args=[lot.code]))
    assert r.status_code == 403 and "无权办理" in r.content.decode()
