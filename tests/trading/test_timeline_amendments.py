"""Amendments that affect bid preparation move the deadline (招标投标法第二十三条;
政府采购法实施条例第三十一条; 招标投标法实施条例第二十一条)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.core import holidays
from ggzy.core.errors import InvalidInput
from ggzy.rules.schema import Citation, Period, RuleSet
from ggzy.trading import timeline as tl
from tests.trading.rulesets import ENGINEERING_OPEN, PREQUAL, PROCUREMENT_OPEN

TABLE = holidays.default_table()
CN = tl.CHINA
R = ENGINEERING_OPEN


def at(y, m, d, hh=9, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=CN)


def tender(issued=None, deadline=None, **more):
    issued = issued or at(2026, 9, 15)
    deadline = deadline or at(2026, 10, 15, 9, 30)
    anchors = {"notice_published": issued, "documents_issued": issued, "bid_deadline": deadline, **more}
    return tl.compute(R, anchors, TABLE)


def test_late_amendment_moves_the_deadline_across_the_weekend():
    t = tender()
    e = tl.amendment_effect(R, t, at(2026, 10, 10, 10), True, TABLE)
    # 10月10日 + 15 days = 10月25日 (Sunday) -> 10月26日 (民法典第二百零三条), at the deadline's time of day
    assert (
        e.moves_deadline
        and e.new_deadline == at(2026, 10, 26, 9, 30)
        and e.old_deadline == at(2026, 10, 15, 9, 30)
    )
    assert e.basis == Citation("招标投标法", "第二十三条") and e.min_days == 15
    assert e.message_zh == (
        "澄清或者修改的内容可能影响投标文件编制，发出时间（2026年10月10日10:00）距投标截止时间（2026年10月15日9:30）"
        "不足十五日（《招标投标法》第二十三条），投标截止时间应顺延至2026年10月26日9:30"
    )
    assert e.timeline.at("bid_deadline") == e.new_deadline
    assert e.timeline.at("opening") == e.new_deadline  # keeps its relation (the same instant)
    assert ("opening", at(2026, 10, 15, 9, 30), at(2026, 10, 26, 9, 30)) in e.shifted
    assert tl.check(R, e.timeline.times_by_event(), TABLE) == []


def test_amendment_into_the_national_day_holiday():
    t = tender(issued=at(2026, 9, 1), deadline=at(2026, 9, 30, 9, 30))
    e = tl.amendment_effect(R, t, at(2026, 9, 20, 15), True, TABLE)  # 9月20日 is a make-up Sunday
    assert e.new_deadline == at(2026, 10, 8, 9, 30)  # 10月5日 falls in 10月1日-7日


def test_early_amendment_or_one_that_does_not_affect_preparation_changes_nothing():
    t = tender()
    early = tl.amendment_effect(R, t, at(2026, 9, 30, 8), True, TABLE)  # 9月30日 + 15 = 10月15日
    assert not early.moves_deadline and early.new_deadline == early.old_deadline
    assert (
        early.message_zh
        == "澄清或者修改在投标截止时间至少十五日前发出（《招标投标法》第二十三条），投标截止时间（2026年10月15日9:30）不变"
    )
    assert early.timeline is t and early.shifted == ()
    minor = tl.amendment_effect(R, t, at(2026, 10, 14), False, TABLE)
    assert not minor.moves_deadline
    assert (
        minor.message_zh
        == "澄清或者修改的内容不影响投标文件编制，投标截止时间不变（《招标投标法》第二十三条）"
    )
    one_day_late = tl.amendment_effect(R, t, at(2026, 10, 1, 0, 1), True, TABLE)
    assert one_day_late.moves_deadline and one_day_late.new_deadline == at(2026, 10, 16, 9, 30)


def test_later_anchored_events_shift_by_the_same_amount():
    t = tender(evaluation_done=at(2026, 10, 16, 17), publicity_start=at(2026, 10, 19, 9))
    e = tl.amendment_effect(R, t, at(2026, 10, 10, 10), True, TABLE)
    days = e.new_deadline - e.old_deadline
    assert days == dt.timedelta(days=11)
    assert e.timeline.at("evaluation_done") == at(2026, 10, 27, 17)
    assert e.timeline.at("publicity_start") == at(2026, 10, 30, 9)
    assert e.timeline.at("publicity_end") == at(2026, 11, 2, 9, 30)  # recomputed: 11月2日 Monday
    assert e.timeline.at("documents_issued") == at(2026, 9, 15)  # events before the deadline stay
    assert tl.check(R, e.timeline.times_by_event(), TABLE) == []


def test_procurement_cites_its_own_article_and_a_rule_set_period_wins():
    t = tl.compute(
        PROCUREMENT_OPEN,
        {"documents_issued": at(2026, 9, 15), "bid_deadline": at(2026, 10, 15, 9, 30)},
        TABLE,
    )
    e = tl.amendment_effect(PROCUREMENT_OPEN, t, at(2026, 10, 10), True, TABLE)
    assert e.basis == Citation("政府采购法实施条例", "第三十一条") and "第三十一条" in e.message_zh
    own = Period("clarification", "澄清或者修改", "amendment_published", "bid_deadline", 15, "calendar", "min",
                 Citation("政府采购法实施条例", "第三十一条", note="第二款"))  # fmt: skip
    rs = RuleSet(**{**PROCUREMENT_OPEN.__dict__, "periods": (*PROCUREMENT_OPEN.periods, own)})
    t2 = tl.compute(rs, {"documents_issued": at(2026, 9, 15), "bid_deadline": at(2026, 10, 15, 9, 30)}, TABLE)
    assert tl.amendment_effect(rs, t2, at(2026, 10, 10), True, TABLE).basis.note == "第二款"


def test_parameters_override_days_and_article():
    t = tender()
    cit = Citation("某地方规定", "第五条", confirmed=False)
    e = tl.amendment_effect(R, t, at(2026, 10, 10), True, TABLE, min_days=3, basis=cit)
    assert not e.moves_deadline and "至少三日前" in e.message_zh and "（未核实）" in e.message_zh


def test_prequalification_documents_need_three_days():
    t = tl.compute(
        PREQUAL, {"notice_published": at(2026, 9, 1), "prequal_deadline": at(2026, 9, 10, 9, 30)}, TABLE
    )
    e = tl.amendment_effect(PREQUAL, t, at(2026, 9, 8, 16), True, TABLE, deadline_event="prequal_deadline")
    assert e.moves_deadline and e.min_days == 3
    assert e.new_deadline == at(2026, 9, 11, 9, 30)
    assert e.basis == Citation("招标投标法实施条例", "第二十一条")
    assert "可能影响资格预审申请文件编制" in e.message_zh and "不足三日" in e.message_zh


def test_provisional_new_deadline_is_marked():
    t = tl.compute(R, {"documents_issued": at(2027, 9, 1), "bid_deadline": at(2027, 9, 30, 9, 30)}, TABLE)
    e = tl.amendment_effect(R, t, at(2027, 9, 18), True, TABLE)  # + 15 = 10月3日 (provisional holiday)
    assert e.new_deadline == at(2027, 10, 4, 9, 30)
    assert e.provisional and e.message_zh.endswith("（暂定：2027年放假安排尚未发布）")


def test_accelerated_amendment():
    t = tl.compute(R, {"documents_issued": at(2026, 9, 1)}, TABLE, factor=1440)  # a day is a minute
    assert t.at("bid_deadline") == at(2026, 9, 1, 9, 20)
    e = tl.amendment_effect(R, t, at(2026, 9, 1, 9, 10), True, TABLE)  # 15 "days" = 15 minutes
    assert e.new_deadline == at(2026, 9, 1, 9, 25) and "加速模式" in e.message_zh
    assert e.timeline.at("opening") == e.new_deadline


def test_bad_amendments_are_refused():
    t = tender()
    with pytest.raises(InvalidInput) as err:
        tl.amendment_effect(R, t, at(2026, 10, 15, 9, 30), True, TABLE)
    assert err.value.code == "timeline.amendment_after_deadline"
    with pytest.raises(InvalidInput) as err:
        tl.amendment_effect(R, tl.compute(R, {}, TABLE), at(2026, 10, 1), True, TABLE)
    assert err.value.code == "timeline.deadline_missing"
    with pytest.raises(InvalidInput) as err:
        tl.amendment_effect(R, t, at(2026, 10, 1), True, TABLE, min_days=0)
    assert err.value.code == "timeline.amendment_days_invalid"


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 40), st.integers(0, 23), st.booleans())
def test_after_any_amendment_the_deadline_is_at_least_fifteen_days_away(days_before, hour, affects):
    t = tender(issued=at(2026, 8, 1), deadline=at(2026, 9, 15, 9, 30))
    amended = at(2026, 9, 15, 9, 30) - dt.timedelta(days=days_before, hours=hour, minutes=1)
    e = tl.amendment_effect(R, t, amended, affects, TABLE)
    assert e.new_deadline >= e.old_deadline
    if affects:
        b = tl.bound(Period("a", "a", "a", "b", 15, "calendar", "min", e.basis), amended, TABLE)
        assert tl.local(e.new_deadline).date() >= b.date
        assert e.moves_deadline == (tl.local(e.old_deadline).date() < b.date)
        if e.moves_deadline:
            assert tl.local(e.new_deadline).date() == b.date
    else:
        assert not e.moves_deadline
    assert tl.check(R, e.timeline.times_by_event(), TABLE) == []
