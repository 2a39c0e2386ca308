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


# --- every anchor of the lot's rule set, with the periods and computed minimums beside the fields ---
def real_lot(op, ruleset_code="engineering.open_tendering", **data):
    with time_machine.travel(dt.datetime(2026, 9, 1, 1, tzinfo=dt.UTC), tick=False):
        project = services.project_register(data=helpers.data(ruleset_code=ruleset_code, **data), actor=op)
    return project.lots.get()


def post_schedule(client, lot, **times):
    data = {"notice_published": "2026-09-14T09:30", "documents_issued": "2026-09-14T09:30", **times}
    with time_machine.travel(dt.datetime(2026, 9, 2, 1, tzinfo=dt.UTC), tick=False):
        return client.post(reverse("trading:lot_schedule", args=[lot.code]), data)


def field_html(page: str, event: str) -> str:
    """The form field of ``event`` (label, input, rules, computed bounds, errors)."""
    return page.split(f'id="field-{event}"', 1)[1].split('<div class="field', 1)[0]


def test_the_form_offers_every_anchor_of_the_rule_set_with_its_periods(client_op, op, real_rules):
    lot = real_lot(op)
    page = client_op.get(reverse("trading:lot_schedule", args=[lot.code])).content.decode()
    for event in (
        "documents_end",
        "bid_deadline",
        "opening",
        "evaluation_done",
        "publicity_start",
        "contract_signed",
    ):
        assert f'name="{event}"' in page, event
    assert 'name="amendment_published"' not in page  # set by an amendment notice
    deadline = field_html(page, "bid_deadline")
    assert "投标截止（选填）" in deadline
    assert "距招标文件开始发出之日不少于20日（《招标投标法》第二十四条）" in deadline
    assert "与投标截止时间同时（《招标投标法》第三十四条）" in field_html(page, "opening")
    # another procedure, other anchors: a state property transfer starts with its predisclosure
    transfer = real_lot(op, "property.listed_transfer", tenderer_uscc=helpers.transferor().uscc, item_kind="")
    page = client_op.get(reverse("trading:lot_schedule", args=[transfer.code])).content.decode()
    assert 'name="predisclosure_start"' in page and 'name="disclosure_end"' in page
    assert 'name="notice_published"' not in page and 'name="bid_deadline"' not in page
    assert "信息预披露开始</label>" in page  # required: no "（选填）"


def test_preview_shows_the_computed_minimum_beside_each_field_and_stores_nothing(client_op, op, real_rules):
    lot = real_lot(op)
    r = post_schedule(client_op, lot, action="preview")
    assert r.status_code == 200
    page = r.content.decode()
    # day 20 after 9月14日 falls in the National Day holiday: the next working day
    assert "依法最早：2026年10月8日（《招标投标法》第二十四条）" in field_html(page, "bid_deadline")
    # day 5 (9月19日) is a Saturday: the period ends on the make-up working day 9月20日 (民法典第二百零三条)
    assert "依法最早：2026年9月20日（《招标投标法实施条例》第十六条）" in field_html(page, "documents_end")
    assert "依法应为：2026年10月8日9:30（《招标投标法》第三十四条）" in field_html(page, "opening")
    assert "试算结果（未保存）" in page and "trade-schedule" in page
    assert not LotEvent.objects.filter(lot=lot).exists()


def test_schedule_with_a_non_default_anchor(client_op, op, real_rules):
    lot = real_lot(op)
    r = post_schedule(client_op, lot, documents_end="2026-09-25T17:00", bid_deadline="2026-10-20T09:30")
    assert r.status_code == 302
    events = {e.event: e for e in LotEvent.objects.filter(lot=lot)}
    assert events["documents_end"].at == dt.datetime(2026, 9, 25, 9, tzinfo=dt.UTC)
    assert events["documents_end"].basis.startswith("操作人员确定")
    assert events["opening"].at == events["bid_deadline"].at  # computed: at the deadline
    # the chosen times come back into the form
    page = client_op.get(reverse("trading:lot_schedule", args=[lot.code])).content.decode()
    assert 'value="2026-09-25T17:00"' in field_html(page, "documents_end")


def test_a_refused_anchor_shows_the_article_on_its_field(client_op, op, real_rules):
    lot = real_lot(op)
    r = post_schedule(client_op, lot, documents_end="2026-09-16T17:00")
    assert r.status_code == 422
    error = field_html(r.content.decode(), "documents_end").split('class="errorlist"', 1)[1]
    assert "《招标投标法实施条例》第十六条" in error and "最早为2026年9月20日" in error
    # an opening before the bid deadline computed from the documents (招标投标法第三十四条)
    r = post_schedule(client_op, lot, opening="2026-10-01T09:30")
    assert r.status_code == 422
    error = field_html(r.content.decode(), "opening").split('class="errorlist"', 1)[1]
    assert "《招标投标法》第三十四条" in error and "2026年10月8日9:30" in error
    assert not LotEvent.objects.filter(lot=lot).exists()
