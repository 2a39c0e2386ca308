"""Notices: generation, sanitising, immutability, the fair-competition gate, amendments."""

from __future__ import annotations

import datetime as dt
import inspect
import json

import pytest
import time_machine

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core.errors import InvalidInput, PermissionDenied
from ggzy.supervision.models import Warning
from ggzy.trading import services
from ggzy.trading.models import LotEvent, Notice
from ggzy.trading.services import notices as notice_services
from tests import factories
from tests.trading import helpers

pytestmark = pytest.mark.django_db
CN = dt.timezone(dt.timedelta(hours=8))
UNFAIR = "投标人须为在太原市注册登记的企业。"


def at(y, m, d, h=9, mi=30):
    return dt.datetime(y, m, d, h, mi, tzinfo=CN)


@pytest.fixture
def op():
    return helpers.operator()


@pytest.fixture
def lot(op):
    with time_machine.travel(dt.datetime(2026, 9, 1, 1, tzinfo=dt.UTC), tick=False):
        lot = services.project_register(data=helpers.data(), actor=op).lots.get()
        anchors = {
            "notice_published": at(2026, 9, 14),
            "documents_issued": at(2026, 9, 14),
            "bid_deadline": at(2026, 10, 20),
        }
        return services.lot_schedule(lot=lot, anchors=anchors, actor=op)


def publish(lot, op, **kw):
    args = {
        "project": lot.project,
        "lot": lot,
        "kind": "tender",
        "data": {"资格要求": "具有独立法人资格"},
        "actor": op,
    }
    args.update(kw)
    with time_machine.travel(dt.datetime(2026, 9, 14, 2, tzinfo=dt.UTC), tick=False):
        return services.notice_publish(**args)


def test_tender_notice_is_rendered_sanitised_and_opens_the_lot(op, lot):
    n = publish(lot, op, free_text='<p>说明<script>alert(1)</script><a href="x">链接</a></p>')
    assert n.number == f"{lot.project.code}-G01"
    assert "<script>" not in n.body_html and "alert(1)" not in n.body_html and "<a " not in n.body_html
    assert "<p>说明链接</p>" in n.body_html
    assert "具有独立法人资格" in n.body_html and "投标截止" in n.body_html
    lot.refresh_from_db()
    assert lot.status == "notice"  # the scheduled draft lot entered its first stage


def test_a_notice_cannot_state_a_time_other_than_the_timeline(op, lot):
    before = Notice.objects.count()
    with pytest.raises(InvalidInput) as e:
        publish(lot, op, data={"bid_deadline": "2026-10-05T09:30:00+08:00"})  # scheduled: 10-20 09:30
    assert e.value.code == "notice.date_mismatch" and e.value.field == "data.bid_deadline"
    assert "2026-10-05 09:30" in e.value.message and "2026-10-20 09:30" in e.value.message
    with pytest.raises(InvalidInput) as e:
        publish(lot, op, data={"bid_deadline": "下周一"})
    assert e.value.code == "notice.date_invalid"
    assert Notice.objects.count() == before
    assert publish(lot, op, data={"bid_deadline": "2026-10-20T09:30:00+08:00"}).data["bid_deadline"]
    assert publish(lot, op, data={"bid_deadline": "2026-10-20"}).pk  # a date alone: the same day


def test_structured_fields_are_escaped(op, lot):
    n = publish(lot, op, data={"资格要求": "<b>粗体</b>"})
    assert "&lt;b&gt;粗体&lt;/b&gt;" in n.body_html


def test_no_code_path_updates_a_published_notice():
    source = inspect.getsource(notice_services)
    assert "Notice.objects.filter" not in source or ".update(" not in source
    assert ".save(" not in "".join(
        line for line in source.splitlines() if "notice." in line and "save" in line
    )
    public = [name for name in dir(services) if name.startswith("notice_")]
    assert sorted(public) == ["notice_amend", "notice_publish"]


def test_fairness_refusal_writes_nothing(op, lot):
    before = (Notice.objects.count(), AuditEvent.objects.count(), Warning.objects.count())
    with pytest.raises(InvalidInput) as exc:
        publish(lot, op, free_text=UNFAIR)
    assert exc.value.code == "notice.fairness"
    assert "太原市注册登记" in exc.value.message and "第三十二条" in exc.value.message
    assert (Notice.objects.count(), AuditEvent.objects.count(), Warning.objects.count()) == before


def test_override_without_reason_is_still_refused(op, lot):
    with pytest.raises(InvalidInput):
        publish(lot, op, free_text=UNFAIR, overrides=[{"code": "fairness.local_registration", "reason": " "}])


def test_override_with_reason_publishes_and_warns_supervisors(op, lot):
    n = publish(
        lot,
        op,
        free_text=UNFAIR,
        overrides=[{"code": "fairness.local_registration", "reason": "省级文件要求"}],
    )
    assert n.fairness_findings[0]["code"] == "fairness.local_registration"
    assert n.fairness_overrides[0]["reason"] == "省级文件要求"
    w = Warning.objects.get(project_ref=lot.project.code)
    assert w.region_code == lot.project.region_code and w.category == "engineering"
    assert "省级文件要求" in w.message_zh and n.number in w.message_zh


def test_wrong_role_is_refused(lot):
    with pytest.raises(PermissionDenied):
        publish(lot, factories.user(Role.SUPERVISOR))
    assert not Notice.objects.exists()


@pytest.mark.parametrize(("days_before", "moves"), [(10, True), (20, False)])
def test_amendment_before_the_deadline(op, lot, days_before, moves):
    n = publish(lot, op)
    deadline = at(2026, 10, 20)
    with time_machine.travel(deadline - dt.timedelta(days=days_before), tick=False):
        a = services.notice_amend(
            notice=n, data={"更正内容": "技术参数调整"}, affects_preparation=True, actor=op
        )
    assert a.amends == n and a.kind == "amendment"
    new = LotEvent.objects.get(lot=lot, event="bid_deadline").at
    assert (new > deadline) is moves
    assert a.data["deadline"]["moved"] is moves
    if moves:
        assert "第二十三条" in a.body_html and "顺延" in a.body_html
        audit = AuditEvent.objects.get(action="notice.amend")
        summary = audit.summary if isinstance(audit.summary, dict) else json.loads(audit.summary)
        assert dt.datetime.fromisoformat(summary["moved"][0]["old"]) == deadline
    else:
        assert new == deadline
