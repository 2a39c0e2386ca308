"""The pure statutory calendar (民法典 arts. 201-203) over built-in data and fixed holidays."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.core import calendar as cal
from ggzy.core import holidays
from ggzy.core.errors import InvalidInput

D = dt.date
TABLE = holidays.default_table()  # chinese_calendar for 2004-2026, fixed holidays after


def add(start, n, kind=cal.CALENDAR, direction=cal.FORWARD, table=TABLE):
    return cal.add(start, n, table, kind=kind, direction=direction)


# --- 2026 Spring Festival: 2月15日-23日 off, 2月14日 (Sat) and 2月28日 (Sat) working -----------


def test_spring_festival_working_days_cross_the_makeup_saturday_and_the_nine_day_holiday():
    assert add(D(2026, 2, 13), 1, cal.WORKING).end == D(2026, 2, 14)  # the make-up Saturday counts
    assert add(D(2026, 2, 13), 2, cal.WORKING).end == D(2026, 2, 24)  # 2月15日-23日 skipped
    assert add(D(2026, 2, 24), 4, cal.WORKING).end == D(2026, 2, 28)  # Saturday 2月28日 is a working day
    assert cal.working_days_between(D(2026, 2, 13), D(2026, 2, 28), TABLE) == 6


def test_calendar_period_ending_inside_the_spring_festival_moves_to_the_first_working_day():
    r = add(D(2026, 2, 10), 10)
    assert r.raw_end == D(2026, 2, 20) and r.end == D(2026, 2, 24)
    assert r.moved and "第二百零三条" in r.basis
    assert [s.date for s in r.skipped] == [D(2026, 2, d) for d in range(20, 24)]
    assert "春节假期" in r.explanation[-1]
    assert not r.provisional


def test_calendar_period_ending_on_a_makeup_saturday_is_not_moved():
    r = add(D(2026, 2, 4), 10)
    assert r.end == r.raw_end == D(2026, 2, 14)
    assert not r.moved and "调休上班日" in r.explanation[-1]


# --- National Day 2026: 10月1日-7日 off, 9月20日 (Sun) and 10月10日 (Sat) working --------------


def test_national_day_period_ending_on_october_3_ends_on_october_8():
    r = add(D(2026, 9, 28), 5)
    assert r.raw_end == D(2026, 10, 3)
    assert r.end == D(2026, 10, 8)
    assert "国庆节假期" in r.explanation[-1]


def test_national_day_makeup_days_are_working_days():
    assert TABLE.is_working_day(D(2026, 9, 20)) and TABLE.is_working_day(D(2026, 10, 10))
    assert TABLE.day(D(2026, 9, 20)).kind == cal.MAKEUP_WORKDAY
    assert add(D(2026, 9, 19), 1).end == D(2026, 9, 20)  # a Sunday, but a working day: not moved
    assert add(D(2026, 10, 5), 5).end == D(2026, 10, 10)
    assert add(D(2026, 9, 18), 1, cal.WORKING).end == D(2026, 9, 20)  # Saturday 19th skipped
    # 10月8日, 9日, 10日 (Sat), 12日, 13日
    assert add(D(2026, 9, 30), 5, cal.WORKING).end == D(2026, 10, 13)


def test_period_ending_on_a_single_holiday_and_on_a_weekend():
    assert add(D(2026, 4, 1), 3).end == D(2026, 4, 7)  # 4月4日 清明 (Sat) to 6日 off
    r = add(D(2026, 3, 2), 5)  # 3月7日 is a plain Saturday
    assert r.end == D(2026, 3, 9) and [s.kind for s in r.skipped] == [cal.REST_DAY, cal.REST_DAY]
    assert "休息日" in r.explanation[-1]


def test_backwards_latest_date():
    # at least 1 working day before 10月8日: 9月30日 (10月1日-7日 off)
    assert add(D(2026, 10, 8), 1, cal.WORKING, cal.BACKWARD).end == D(2026, 9, 30)
    # at least 10 days before 10月13日: 10月3日 is a holiday, so the latest working day before it
    r = cal.subtract(D(2026, 10, 13), 10, TABLE)
    assert r.raw_end == D(2026, 10, 3) and r.end == D(2026, 9, 30)


def test_next_and_previous_working_day():
    assert cal.next_working_day(D(2026, 9, 30), TABLE) == D(2026, 10, 8)
    assert cal.next_working_day(D(2026, 2, 13), TABLE) == D(2026, 2, 14)
    assert cal.previous_working_day(D(2026, 10, 8), TABLE) == D(2026, 9, 30)
    assert cal.working_days_between(D(2026, 10, 13), D(2026, 9, 30), TABLE) == -5


# --- provisional years ----------------------------------------------------------------------------


def test_period_running_into_2027_is_provisional_and_uses_fixed_holidays():
    r = add(D(2026, 12, 20), 20)
    assert r.end == D(2027, 1, 11)  # 1月9日-10日 weekend
    assert r.provisional and r.provisional_years == (2027,)
    assert r.provisional_note == "（暂定：2027年放假安排尚未发布）"
    assert r.describe().endswith("（暂定：2027年放假安排尚未发布）")
    # 2027 Spring Festival under the 2024 rules: 除夕 2月5日 (Fri) to 初三 2月8日
    r = add(D(2027, 1, 26), 10)
    assert r.raw_end == D(2027, 2, 5) and r.end == D(2027, 2, 9)
    assert TABLE.day(D(2027, 2, 5)).name == "春节"


def test_period_inside_a_confirmed_year_is_not_provisional():
    r = add(D(2026, 12, 1), 10)
    assert not r.provisional and r.provisional_note == ""
    # a working-day period that only touches 2026
    assert not add(D(2026, 12, 1), 20, cal.WORKING).provisional
    assert add(D(2026, 12, 1), 30, cal.WORKING).provisional_years == (2027,)


def test_a_custom_table_is_injected():
    table = cal.HolidayTable(
        {2030: cal.YearSchedule(2030, {D(2030, 3, 4): "测试"}, {D(2030, 3, 9): "测试"}, "测试", True)},
        fallback=cal.weekends_only,
    )
    assert not table.is_working_day(D(2030, 3, 4))
    assert table.is_working_day(D(2030, 3, 9))
    assert cal.add(D(2030, 3, 3), 1, table).end == D(2030, 3, 5)
    assert not cal.add(D(2030, 3, 3), 1, table).provisional
    assert cal.add(D(2030, 12, 30), 5, table).provisional_years == (2031,)


@pytest.mark.parametrize("days", [0, -1, cal.MAX_DAYS + 1, "3", 2.5, True])
def test_bad_day_counts_are_refused(days):
    with pytest.raises(InvalidInput) as e:
        cal.add(D(2026, 1, 1), days, TABLE)
    assert e.value.code == "calendar.days_invalid"


def test_bad_kind_and_direction_are_refused():
    with pytest.raises(InvalidInput, match="日"):
        cal.add(D(2026, 1, 1), 1, TABLE, kind="hours")
    with pytest.raises(InvalidInput) as e:
        cal.add(D(2026, 1, 1), 1, TABLE, direction="sideways")
    assert e.value.code == "calendar.direction_invalid"


# --- properties -----------------------------------------------------------------------------------

starts = st.dates(min_value=D(2004, 1, 1), max_value=D(2029, 12, 31))
counts = st.integers(min_value=1, max_value=300)


@settings(max_examples=150, deadline=None)
@given(starts, counts)
def test_working_day_result_is_a_working_day_strictly_after_start(start, n):
    r = add(start, n, cal.WORKING)
    assert r.end > start
    assert TABLE.is_working_day(r.end)
    assert cal.working_days_between(start, r.end, TABLE) == n
    assert not r.moved


@settings(max_examples=100, deadline=None)
@given(starts, counts)
def test_adding_more_working_days_is_strictly_later(start, n):
    assert add(start, n + 1, cal.WORKING).end > add(start, n, cal.WORKING).end


@settings(max_examples=150, deadline=None)
@given(starts, counts)
def test_calendar_result_is_never_earlier_than_the_raw_date(start, n):
    r = add(start, n)
    assert r.raw_end == start + dt.timedelta(days=n)
    assert r.end >= r.raw_end
    assert TABLE.is_working_day(r.end)
    # every day it moved across is a rest day (art. 203 moves only across 法定休假日)
    d = r.raw_end
    while d < r.end:
        assert not TABLE.is_working_day(d)
        d += dt.timedelta(days=1)
    assert add(start, n + 1).end >= r.end


@settings(max_examples=100, deadline=None)
@given(starts, counts)
def test_provisional_exactly_when_a_day_after_2026_was_looked_at(start, n):
    for kind in (cal.CALENDAR, cal.WORKING):
        r = add(start, n, kind)
        assert r.provisional == (r.end.year > 2026)
        assert all(y > 2026 for y in r.provisional_years)


@settings(max_examples=100, deadline=None)
@given(starts, counts)
def test_backwards_mirrors_forwards(start, n):
    back = add(start, n, cal.WORKING, cal.BACKWARD)
    assert back.end < start and TABLE.is_working_day(back.end)
    # n working days lie after back.end up to and excluding start; (a, b] also counts start itself
    assert cal.working_days_between(back.end, start, TABLE) == n - 1 + TABLE.is_working_day(start)
    if TABLE.is_working_day(start):
        assert add(add(start, n, cal.WORKING).end, n, cal.WORKING, cal.BACKWARD).end == start
    cal_back = add(start, n, cal.CALENDAR, cal.BACKWARD)
    assert cal_back.end <= start - dt.timedelta(days=n) and TABLE.is_working_day(cal_back.end)
