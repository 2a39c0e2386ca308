"""Statutory timelines: periods through the calendar (民法典 201-203), checks, acceleration."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.core import holidays
from ggzy.core.errors import InvalidInput
from ggzy.rules.schema import Citation, Period, RuleSet, Stage
from ggzy.trading import timeline as tl
from tests.trading.rulesets import AUCTION_TIMED, ENGINEERING_OPEN, PROCUREMENT_OPEN

TABLE = holidays.default_table()  # chinese_calendar data for 2026, provisional fixed holidays for 2027
CN = tl.CHINA
R = ENGINEERING_OPEN


def at(y, m, d, hh=9, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=CN)


# --- the minimum period of 招标投标法第二十四条 through the calendar --------------------------------------


def test_message_cites_the_article_and_gives_the_earliest_date():
    found = tl.check(R, {"documents_issued": at(2026, 9, 29), "bid_deadline": at(2026, 10, 16, 9, 30)}, TABLE)
    assert len(found) == 1
    v = found[0]
    assert v.code == "timeline.period_too_short" and v.period == "bid_preparation"
    assert v.message == (
        "投标截止时间距招标文件开始发出之日不得少于二十日（《招标投标法》第二十四条），最早为2026年10月19日"
    )
    assert v.earliest == at(2026, 10, 19, 9, 30) and v.latest is None
    assert v.basis == Citation("招标投标法", "第二十四条")
    assert v.field_error().field == "bid_deadline"


def test_the_twentieth_day_itself_is_allowed_at_any_time_of_day():
    assert (
        tl.check(R, {"documents_issued": at(2026, 9, 29, 16), "bid_deadline": at(2026, 10, 19, 9, 30)}, TABLE)
        == []
    )
    assert tl.check(R, {"documents_issued": at(2026, 9, 29), "bid_deadline": at(2026, 10, 18, 23, 59)}, TABLE)


def test_a_period_ending_in_the_national_day_holiday_moves_to_the_next_working_day():
    # 2026-09-13 + 20 days = 10月3日, inside 10月1日-7日: the deadline may be on 10月8日 at the earliest
    found = tl.check(R, {"documents_issued": at(2026, 9, 13), "bid_deadline": at(2026, 10, 7, 9, 30)}, TABLE)
    assert [v.code for v in found] == ["timeline.period_too_short"]
    assert found[0].message.endswith("最早为2026年10月8日")
    assert (
        tl.check(R, {"documents_issued": at(2026, 9, 13), "bid_deadline": at(2026, 10, 8, 9, 30)}, TABLE)
        == []
    )
    b = tl.earliest(R, "bid_deadline", {"documents_issued": at(2026, 9, 13)}, TABLE)
    assert b.at == at(2026, 10, 8, 9, 30) and b.date == dt.date(2026, 10, 8)
    assert any("第二百零三条" in line for line in b.explanation)


def test_a_period_ending_on_a_makeup_saturday_is_not_moved():
    b = tl.earliest(R, "bid_deadline", {"documents_issued": at(2026, 9, 20)}, TABLE)
    assert b.date == dt.date(2026, 10, 10)  # 调休上班日
    assert not b.provisional


def test_working_days_skip_the_spring_festival():
    # 政府采购法实施条例第三十一条: documents supplied for at least 5 working days
    b = tl.earliest(PROCUREMENT_OPEN, "documents_end", {"documents_issued": at(2026, 2, 12)}, TABLE)
    # 2月13日 (Fri), 2月14日 (make-up Sat), then 2月15日-23日 off: 24, 25, 26
    assert b.date == dt.date(2026, 2, 26)
    found = tl.check(
        PROCUREMENT_OPEN, {"documents_issued": at(2026, 2, 12), "documents_end": at(2026, 2, 25, 17)}, TABLE
    )
    assert found[0].message.startswith("文件发售（提供）截止时间距招标文件开始发出之日不得少于五个工作日")
    assert "《政府采购法实施条例》第三十一条" in found[0].message


def test_provisional_year_is_marked():
    # 2027 has no published schedule: fixed holidays only, 10月3日 (Sunday, 国庆节) -> 10月4日
    b = tl.earliest(R, "bid_deadline", {"documents_issued": at(2027, 9, 13)}, TABLE)
    assert b.date == dt.date(2027, 10, 4) and b.provisional_years == (2027,)
    t = tl.compute(R, {"notice_published": at(2027, 9, 13), "documents_issued": at(2027, 9, 13)}, TABLE)
    e = t["bid_deadline"]
    assert e.provisional and e.provisional_note == "（暂定：2027年放假安排尚未发布）"
    assert e.describe().endswith("（暂定：2027年放假安排尚未发布）")
    assert t["opening"].provisional  # follows the provisional deadline
    assert not t["documents_issued"].provisional  # anchors are what the operator chose
    found = tl.check(R, {"documents_issued": at(2027, 9, 13), "bid_deadline": at(2027, 10, 1, 9, 30)}, TABLE)
    assert found[0].message.endswith("最早为2027年10月4日（暂定：2027年放假安排尚未发布）")
    assert found[0].provisional_years == (2027,)


def test_a_year_loaded_by_staff_replaces_the_provisional_schedule():
    from ggzy.core.calendar import YearSchedule

    loaded = YearSchedule(2027, {dt.date(2027, 10, d): "国庆节" for d in range(1, 8)}, {}, "国办发明电", True)
    table = holidays.build_table({2027: loaded})
    b = tl.earliest(R, "bid_deadline", {"documents_issued": at(2027, 9, 13)}, table)
    assert b.date == dt.date(2027, 10, 8) and not b.provisional


# --- the whole timeline --------------------------------------------------------------------------------


def test_timeline_of_a_typical_open_tender():
    t = tl.compute(
        R,
        {"notice_published": at(2026, 9, 25), "evaluation_done": at(2026, 10, 20, 17)},
        TABLE,
        times={"documents_end": dt.time(17, 0)},
    )
    got = {e.event: e.at for e in t.events}
    assert got["documents_issued"] == at(2026, 9, 25)  # not before the notice (0 days, same instant)
    assert got["documents_end"] == at(2026, 9, 30, 17)  # 招标投标法实施条例第十六条: 5 days
    assert got["bid_deadline"] == at(2026, 10, 15, 9, 30)
    assert got["opening"] == got["bid_deadline"]  # 招标投标法第三十四条: the same instant
    assert got["publicity_start"] == at(2026, 10, 23, 9, 30)  # at most 3 days after the report: latest
    assert t["publicity_start"].source == tl.LATEST
    assert got["publicity_end"] == at(2026, 10, 26, 9, 30)
    assert got["contract_signed"] == at(2026, 11, 25, 9, 30)
    assert t["bid_deadline"].period.code == "bid_preparation"
    assert t["bid_deadline"].basis.label() == "《招标投标法》第二十四条"
    assert t["notice_published"].source == tl.ANCHOR and t["notice_published"].basis is None
    assert [e.at for e in t.events] == sorted(e.at for e in t.events)
    assert len(t.events) == 10 and not t.provisional and not t.accelerated
    assert t.times_by_event()["opening"] == got["opening"]
    # the computed times are lawful
    assert tl.check(R, t.times_by_event(), TABLE) == []


def test_events_nothing_determines_are_unscheduled():
    t = tl.compute(R, {"documents_issued": at(2026, 9, 25)}, TABLE)
    assert t["notice_published"].source == tl.UNSCHEDULED and t["notice_published"].at is None
    assert t["publicity_end"].at is None
    assert t.events[-1].at is None  # unscheduled last
    assert t["bid_deadline"].describe() == "投标截止时间：2026年10月15日9:30（《招标投标法》第二十四条）"
    assert t["publicity_end"].describe() == "公示结束之日：待定"


def test_earliest_follows_the_chain_of_periods_and_ignores_the_events_own_anchor():
    anchors = {"notice_published": at(2026, 9, 25, 10), "bid_deadline": at(2026, 9, 26)}
    b = tl.earliest(R, "bid_deadline", anchors, TABLE)
    assert b.at == at(2026, 10, 15, 9, 30) and b.period.code == "bid_preparation"
    assert tl.earliest(R, "notice_published", {"bid_deadline": at(2026, 9, 26)}, TABLE) is None
    late = tl.earliest(
        R, "bid_deadline", {"documents_issued": at(2026, 9, 25)}, TABLE, times={"bid_deadline": dt.time(14)}
    )
    assert late.at == at(2026, 10, 15, 14)


def test_too_long_and_exact_periods():
    found = tl.check(R, {"award_notice": at(2026, 11, 2), "contract_signed": at(2026, 12, 9)}, TABLE)
    assert [v.code for v in found] == ["timeline.period_too_long"]
    assert found[0].message == (
        "合同签订之日距中标（成交）通知书发出之日不得超过三十日（《招标投标法》第四十六条），最晚为2026年12月2日"
    )
    assert found[0].latest.date() == dt.date(2026, 12, 2)
    late_opening = tl.check(
        R, {"bid_deadline": at(2026, 10, 15, 9, 30), "opening": at(2026, 10, 15, 10)}, TABLE
    )
    assert [v.code for v in late_opening] == ["timeline.period_too_long"]
    assert late_opening[0].message == (
        "开标时间应与投标截止时间为同一时间（《招标投标法》第三十四条），应为2026年10月15日9:30"
    )


def test_order_violations():
    found = tl.check(R, {"bid_deadline": at(2026, 10, 15, 9, 30), "opening": at(2026, 10, 15, 9)}, TABLE)
    assert [v.code for v in found] == ["timeline.order"]
    assert (
        found[0].message == "开标时间不得早于投标截止时间（2026年10月15日9:30）（《招标投标法》第三十四条）"
    )
    # stages out of order with no period between them
    found = tl.check(R, {"opening": at(2026, 10, 15, 9, 30), "award_notice": at(2026, 10, 1)}, TABLE)
    assert [(v.code, v.event, v.start_event) for v in found] == [
        ("timeline.order", "award_notice", "opening")
    ]
    assert found[0].period is None


def test_minutes_periods_count_real_time():
    t = tl.compute(
        AUCTION_TIMED, {"listing_start": at(2026, 9, 1), "listing_end": at(2026, 9, 30, 10)}, TABLE
    )
    assert t["auction_start"].at == at(2026, 9, 30, 10, 5)
    found = tl.check(
        AUCTION_TIMED, {"listing_end": at(2026, 9, 30, 10), "auction_start": at(2026, 9, 30, 10, 3)}, TABLE
    )
    assert found[0].message.startswith("拍卖（竞价）开始时间距挂牌截止时间不得少于五分钟")
    assert "（未核实）" in found[0].message  # an unconfirmed citation says so
    assert "最早为2026年9月30日10:05" in found[0].message


# --- acceleration ----------------------------------------------------------------------------------------


def test_accelerated_periods_are_real_hours_divided_by_the_factor():
    t = tl.compute(R, {"documents_issued": at(2027, 9, 13)}, TABLE, factor=480)  # 20 days -> 1 hour
    assert t.accelerated and t["bid_deadline"].accelerated
    assert t["bid_deadline"].at == at(2027, 9, 13, 10, 0)
    assert t["documents_end"].at == at(2027, 9, 13, 9, 15)  # 5 days -> 15 minutes, no time of day
    assert not t["bid_deadline"].provisional  # the calendar does not apply
    assert "加速模式（480倍）" in t["bid_deadline"].earliest.explanation[0]
    found = tl.check(
        R, {"documents_issued": at(2027, 9, 13), "bid_deadline": at(2027, 9, 13, 9, 59)}, TABLE, 480
    )
    assert found[0].accelerated and "加速模式按比例缩短" in found[0].message
    assert found[0].earliest == at(2027, 9, 13, 10, 0)
    assert "2027年9月13日10:00:00" in found[0].message
    assert (
        tl.check(R, {"documents_issued": at(2027, 9, 13), "bid_deadline": at(2027, 9, 13, 10)}, TABLE, 480)
        == []
    )


def test_factor_one_is_the_real_law():
    assert tl.compute(R, {"documents_issued": at(2026, 9, 25)}, TABLE, factor=1).factor == 1


# --- bad input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("factor", [0, -3, 1.5, True, "2", 10**9])
def test_factor_must_be_a_positive_int(factor):
    with pytest.raises(InvalidInput) as e:
        tl.compute(R, {}, TABLE, factor=factor)
    assert e.value.code == "timeline.factor_invalid"


def test_unknown_event_and_bad_times_are_refused():
    with pytest.raises(InvalidInput) as e:
        tl.check(R, {"listing_start": at(2026, 9, 1), "auction_start": at(2026, 9, 2)}, TABLE)
    assert e.value.code == "timeline.unknown_event" and len(e.value.errors) == 2
    with pytest.raises(InvalidInput) as e:
        tl.compute(R, {"bid_deadline": "2026-10-01"}, TABLE)
    assert e.value.code == "timeline.time_invalid"
    with pytest.raises(InvalidInput):
        tl.earliest(R, "listing_start", {}, TABLE)


def test_require_lawful_raises_all_violations():
    with pytest.raises(InvalidInput) as e:
        tl.require_lawful(
            R,
            {
                "documents_issued": at(2026, 9, 29),
                "documents_end": at(2026, 9, 30),
                "bid_deadline": at(2026, 10, 1),
            },
            TABLE,
        )
    assert e.value.code == "timeline.period_too_short" and len(e.value.errors) == 2
    assert "第二十四条" in e.value.message and "第十六条" in e.value.message
    tl.require_lawful(R, {"documents_issued": at(2026, 9, 29), "bid_deadline": at(2026, 10, 19)}, TABLE)


def test_naive_times_are_beijing_time():
    naive = tl.check(
        R,
        {"documents_issued": dt.datetime(2026, 9, 29, 9), "bid_deadline": dt.datetime(2026, 10, 19, 9)},
        TABLE,
    )
    assert naive == []
    utc = dt.datetime(2026, 10, 18, 17, 0, tzinfo=dt.UTC)  # 2026-10-19 01:00 in Beijing
    assert tl.check(R, {"documents_issued": at(2026, 9, 29), "bid_deadline": utc}, TABLE) == []


def test_a_cycle_of_periods_is_refused():
    cit = Citation("招标投标法", "第二十四条")
    bad = RuleSet(
        **{
            **R.__dict__,
            "stages": (Stage("a", "甲", "bid_deadline"),),
            "periods": (
                Period("x", "甲", "bid_deadline", "opening", 1, "calendar", "min", cit),
                Period("y", "乙", "opening", "bid_deadline", 1, "calendar", "min", cit),
            ),
        }
    )
    with pytest.raises(InvalidInput) as e:
        tl.compute(bad, {}, TABLE)
    assert e.value.code == "timeline.cycle"


def test_chinese_numerals():
    assert [tl.cn_number(n) for n in (0, 3, 10, 15, 20, 30, 105, 110, 2000)] == [
        "零", "三", "十", "十五", "二十", "三十", "一百零五", "一百一十", "二千"
    ]  # fmt: skip


# --- properties ---------------------------------------------------------------------------------------------

_DAYS = st.dates(dt.date(2025, 12, 1), dt.date(2027, 12, 31))


@settings(max_examples=150, deadline=None)
@given(_DAYS, st.integers(1, 60), st.sampled_from(["calendar", "working"]), st.times())
def test_the_earliest_date_passes_and_the_day_before_fails(start, days, kind, tod):
    p = Period(
        "p",
        "期间",
        "documents_issued",
        "bid_deadline",
        days,
        kind,
        "min",
        Citation("招标投标法", "第二十四条"),
    )
    rs = RuleSet(**{**R.__dict__, "periods": (p,)})
    issued = dt.datetime.combine(start, tod, tzinfo=CN)
    b = tl.earliest(rs, "bid_deadline", {"documents_issued": issued}, TABLE)
    assert b.date > start
    assert TABLE.is_working_day(b.date)  # 民法典第二百零三条: never ends on a rest day
    ok = dt.datetime.combine(b.date, dt.time(9, 30), tzinfo=CN)
    assert tl.check(rs, {"documents_issued": issued, "bid_deadline": ok}, TABLE) == []
    found = tl.check(rs, {"documents_issued": issued, "bid_deadline": ok - dt.timedelta(days=1)}, TABLE)
    assert [v.code for v in found] in (["timeline.period_too_short"], ["timeline.order"])
    assert b.provisional == (b.date.year >= 2027)  # 2027 has no published schedule yet
    assert set(b.provisional_years) <= {2027, 2028}


@settings(max_examples=60, deadline=None)
@given(
    st.datetimes(dt.datetime(2025, 6, 1), dt.datetime(2027, 10, 1)), st.sampled_from([1, 2, 24, 480, 1440])
)
def test_a_computed_timeline_is_always_lawful(start, factor):
    start = start.replace(tzinfo=CN)
    report = start + dt.timedelta(days=40) / factor  # evaluation_done: the committee's action
    t = tl.compute(R, {"notice_published": start, "evaluation_done": report}, TABLE, factor=factor)
    times = t.times_by_event()
    assert len(times) == 10
    assert tl.check(R, times, TABLE, factor) == []
    assert all(e.accelerated == (factor > 1) for e in t.events)
