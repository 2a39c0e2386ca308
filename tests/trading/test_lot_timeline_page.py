"""A lot's computed timeline on the public project page and the console page: stage, event, Beijing
time, the period each time satisfies and its article, provisional (暂定) and accelerated marks."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from ggzy.core import holidays
from ggzy.trading import services
from ggzy.trading import timeline as tl
from tests.trading import helpers
from tests.trading.rulesets import ENGINEERING_OPEN, SEALED

pytestmark = pytest.mark.django_db
CN = tl.CHINA
REGISTERED = dt.datetime(2026, 9, 1, 1, tzinfo=dt.UTC)


def at(y, m, d, h=9, mi=30):
    return dt.datetime(y, m, d, h, mi, tzinfo=CN)


def scheduled(ruleset_code="engineering.open_tendering", start=None, **data):
    start = start or at(2026, 9, 14)
    op = helpers.operator()
    with time_machine.travel(REGISTERED, tick=False):
        project = services.project_register(data=helpers.data(ruleset_code=ruleset_code, **data), actor=op)
        lot = project.lots.get()
        services.lot_schedule(
            lot=lot, anchors={"notice_published": start, "documents_issued": start}, actor=op
        )
    return project, op


def rows_of(html: str) -> dict[str, str]:
    """Timeline rows by event label: the row's text without tags."""
    table = html.split('class="trade-schedule"', 1)[1].split("</table>", 1)[0]
    out = {}
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", tr, re.S)]
        out[cells[1]] = " | ".join(cells)
    return out


def test_public_and_console_pages_show_the_shipped_rule_sets_timeline_with_articles(client, real_rules):
    project, op = scheduled()
    public = client.get(reverse("trading:detail", args=[project.code])).content.decode()
    client.force_login(op)
    console = client.get(reverse("trading:console_detail", args=[project.code])).content.decode()
    for page in (public, console):
        rows = rows_of(page)
        # day 20 after 9月14日 is 10月4日, inside the National Day holiday: the next working day
        assert rows["投标截止"] == (
            " | 投标截止 | 2026-10-08 09:30依法最早时间 | 距招标文件开始发出之日不少于20日 （最早2026年10月8日）"
            " | 《招标投标法》第二十四条"
        )
        assert "不少于5日" in rows["招标（采购）文件发售（提供）截止"]
        assert "《招标投标法实施条例》第十六条" in rows["招标（采购）文件发售（提供）截止"]
        assert rows["开标"].startswith("开标 | 开标 | 2026-10-08 09:30")  # stage | event | time
        assert "与投标截止时间同时" in rows["开标"] and "《招标投标法》第三十四条" in rows["开标"]
        assert "待定" in rows["评标（评审）结束"]  # a committee's action: not computed
        assert "《招标投标法实施条例》第五十四条" in rows["公示开始"]
        assert "暂定" not in page and "加速" not in rows_of(page)["投标截止"]
        assert "bid_deadline" not in page


def test_working_days_of_procurement_are_shown(client, real_rules):
    project, _ = scheduled("procurement.open_tendering", item_kind="goods")
    rows = rows_of(client.get(reverse("trading:detail", args=[project.code])).content.decode())
    end = rows["招标（采购）文件发售（提供）截止"]
    assert "距招标文件开始发出之日不少于5个工作日" in end and "《政府采购法实施条例》第三十一条" in end


def test_a_period_running_into_a_year_without_a_holiday_table_is_marked_provisional(client, real_rules):
    project, _ = scheduled(start=at(2026, 12, 28))
    page = client.get(reverse("trading:detail", args=[project.code])).content.decode()
    rows = rows_of(page)
    assert "2027-01-18 09:30" in rows["投标截止"]
    assert "暂定" in rows["投标截止"] and "（暂定：2027年放假安排尚未发布）" in rows["投标截止"]
    assert "暂定" in rows["开标"]  # at the provisional deadline
    assert "暂定" not in rows["招标（采购）文件开始发出"]  # chosen by the operator, in 2026


@override_settings(GGZY_PROJECT_ACCELERATION_ALLOWED=True)
def test_accelerated_times_are_marked(client, real_rules):
    project, _ = scheduled(acceleration=480)  # 20 days -> one hour
    rows = rows_of(client.get(reverse("trading:detail", args=[project.code])).content.decode())
    assert "2026-09-14 10:30:00" in rows["投标截止"] and "加速" in rows["投标截止"]
    assert "加速模式按比例缩短" in rows["投标截止"]


def test_an_unscheduled_lot_says_so(client):
    op = helpers.operator()
    project = services.project_register(data=helpers.data(), actor=op)
    page = client.get(reverse("trading:detail", args=[project.code])).content.decode()
    assert "尚未确定时间安排" in page and "trade-schedule" not in page


# --- the pure function behind the table ----------------------------------------------------------
TABLE = holidays.default_table()


def test_schedule_rows_check_each_period_and_name_the_limit():
    rows = {
        r.event: r
        for r in tl.schedule_rows(
            ENGINEERING_OPEN,
            {
                "documents_issued": at(2026, 9, 14),
                "bid_deadline": at(2026, 10, 5),
                "opening": at(2026, 10, 5),
            },
            TABLE,
        )
    }
    deadline = rows["bid_deadline"]
    assert not deadline.satisfied
    (req,) = deadline.requirements
    assert req.satisfied is False and req.limit == "最早2026年10月8日"
    assert req.text == "距招标文件开始发出之日不少于20日" and req.basis.article == "第二十四条"
    assert rows["opening"].satisfied and rows["opening"].stage == "评标"
    assert rows["publicity_end"].at is None and rows["publicity_end"].requirements[0].bound is None
    # ordered by time, events without a time last
    times = [r.at for r in rows.values()]
    assert times.index(None) > times.index(at(2026, 10, 5))


def test_requirement_texts():
    texts = {p.code: tl.requirement_text(p) for p in ENGINEERING_OPEN.periods}
    assert texts["bid_preparation"] == "距招标文件开始发出之日不少于20日"
    assert texts["opening_at_deadline"] == "与投标截止时间同时"
    assert texts["contract"] == "距中标（成交）通知书发出之日不超过30日"
    assert texts["documents_after_notice"] == "不早于公告发布之日"


def test_every_event_has_a_chinese_label():
    from ggzy.rules.events import EVENTS

    for event in EVENTS:
        assert not re.search(r"[a-z]_[a-z]", tl.label(event)), event
    assert {f.event for f in tl.anchor_fields(SEALED) if f.required} == {
        "notice_published",
        "documents_issued",
    }
