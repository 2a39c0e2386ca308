"""Holiday data: the notice parser, the fixed holidays of 《全国年节及纪念日放假办法》, precedence."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from chinese_calendar import constants as cc

from ggzy.core import calendar as cal
from ggzy.core import holidays
from ggzy.core.errors import InvalidInput

D = dt.date

NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
　　经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
　　一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
　　二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
　　三、清明节：4月4日（周六）至6日（周一）放假，共3天。
　　四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
　　五、端午节：6月19日（周五）至21日（周日）放假，共3天。
　　六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
　　七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
　　节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。

国务院办公厅
"""

# The 2023 notice: a New Year holiday starting in the previous December, a cross-month range,
# no weekday annotations on the holidays, older "星期六" style on the make-up days.
NOTICE_2023 = """国务院办公厅关于2023年部分节假日安排的通知
一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。
二、春节：1月21日至27日放假调休，共7天。1月28日（星期六）、1月29日（星期日）上班。
三、清明节：4月5日放假，共1天。
四、劳动节：4月29日至5月3日放假调休，共5天。4月23日（星期日）、5月6日（星期六）上班。
五、端午节：6月22日至24日放假调休，共3天。6月25日（星期日）上班。
六、中秋节、国庆节：9月29日至10月6日放假调休，共8天。10月7日（星期六）、10月8日（星期日）上班。
"""

NOTICE_2025 = """一、元旦：1月1日（周三）放假1天，不调休。
二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
三、清明节：4月4日（周五）至6日（周日）放假，共3天。
四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
"""


def builtin(year):
    return (
        {d for d in cc.holidays if d.year == year},
        {d for d in cc.workdays if d.year == year},
    )


def test_the_real_2026_notice_parses_to_the_schedule_chinese_calendar_has():
    n = holidays.parse_notice(NOTICE_2026, 2026)
    assert n.title == "国务院办公厅关于2026年部分节假日安排的通知"
    assert [name for name, _, _ in n.items] == [
        "元旦",
        "春节",
        "清明节",
        "劳动节",
        "端午节",
        "中秋节",
        "国庆节",
    ]
    assert len(n.holidays) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert n.workdays == {
        D(2026, 1, 4): "元旦",
        D(2026, 2, 14): "春节",
        D(2026, 2, 28): "春节",
        D(2026, 5, 9): "劳动节",
        D(2026, 9, 20): "国庆节",
        D(2026, 10, 10): "国庆节",
    }
    assert n.holidays[D(2026, 2, 23)] == "春节" and n.holidays[D(2026, 10, 7)] == "国庆节"
    # cross-check with chinese_calendar's own 2026 data: identical
    assert (set(n.holidays), set(n.workdays)) == builtin(2026)
    assert not any(holidays.compare(n.schedule("x"), holidays.builtin_schedule(2026)).values())


def test_the_2025_notice_with_a_single_day_and_a_combined_item_matches_chinese_calendar():
    n = holidays.parse_notice(NOTICE_2025, 2025)
    assert (set(n.holidays), set(n.workdays)) == builtin(2025)
    assert n.holidays[D(2025, 1, 1)] == "元旦"
    assert n.holidays[D(2025, 10, 8)] == "国庆节、中秋节"


def test_previous_december_and_cross_month_ranges():
    n = holidays.parse_notice(NOTICE_2023, 2023)
    assert D(2022, 12, 31) in n.holidays and D(2023, 1, 2) in n.holidays
    assert [d for d in n.holidays if D(2023, 9, 29) <= d <= D(2023, 10, 6)] == [
        D(2023, 9, 29) + dt.timedelta(days=i) for i in range(8)
    ]
    hs, ws = builtin(2023)
    assert set(n.workdays) == ws
    assert {d for d in n.holidays if d.year == 2023} <= hs
    assert D(2022, 12, 31) in cc.holidays


def test_december_without_a_year_in_the_new_year_item_belongs_to_the_previous_year():
    n = holidays.parse_notice("一、元旦：12月30日至1月1日放假调休，共3天。12月29日（星期六）上班。", 2019)
    assert list(n.holidays) == [D(2018, 12, 30), D(2018, 12, 31), D(2019, 1, 1)]
    assert list(n.workdays) == [D(2018, 12, 29)]
    # and a loaded 2019 table overrides 2018's data for that day
    table = holidays.build_table({2019: n.schedule("2019年通知")})
    assert table.is_working_day(D(2018, 12, 29)) and not table.is_working_day(D(2018, 12, 31))


def _error(text, year=2026):
    with pytest.raises(InvalidInput) as e:
        holidays.parse_notice(text, year)
    return e.value


def test_a_wrong_weekday_annotation_is_refused_naming_the_line():
    e = _error(NOTICE_2026.replace("1月1日（周四）", "1月1日（周五）"))
    assert e.code == "holiday_notice.weekday_mismatch"
    assert "第5行" in e.message and "一、元旦" in e.message
    assert "2026年1月1日是星期四" in e.message
    e = _error(NOTICE_2026.replace("2月28日（周六）", "2月27日（周六）"))
    assert e.code == "holiday_notice.weekday_mismatch"


def test_the_day_count_must_match_the_range():
    e = _error(NOTICE_2026.replace("共9天", "共8天"))
    assert e.code == "holiday_notice.count_mismatch"
    assert "二、春节" in e.message and "实为9天" in e.message


def test_unreadable_items_are_refused_and_nothing_is_guessed():
    e = _error("一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。\n二、春节：待定。")
    assert e.code == "holiday_notice.unparsed" and "第2行" in e.message and "待定" in e.message
    e = _error("一、元旦：1月1日、2日放假。")
    assert e.code == "holiday_notice.unparsed"
    assert _error("经国务院批准，现将安排通知如下。").code == "holiday_notice.no_items"
    assert _error("   ").code == "holiday_notice.empty"
    several = _error(NOTICE_2026.replace("共9天", "共8天").replace("共7天", "共6天"))
    assert len(several.errors) == 2 and "2处错误" in several.message


def test_other_refusals():
    assert _error(NOTICE_2026, 2027).code == "holiday_notice.year_mismatch"
    e = _error("一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月5日（周一）上班。")
    assert e.code == "holiday_notice.workday_not_weekend"
    e = _error("一、元旦：1月1日至3日放假，共3天。\n二、春节：1月3日放假，共1天。")
    assert e.code == "holiday_notice.duplicate"
    e = _error("一、元旦：1月1日至3日放假，共3天。1月3日（周六）上班。")
    assert e.code == "holiday_notice.overlap"
    assert _error("一、元旦：2月30日放假。").code == "holiday_notice.bad_date"
    assert _error("一、春节：6月2日（周一）放假。", 2026).code == "holiday_notice.weekday_mismatch"


def test_structured_lists():
    n = holidays.schedule_from_lists(2027, {"2027-01-01": "元旦"}, ["2027-01-09"])
    assert n.holidays == {D(2027, 1, 1): "元旦"} and n.workdays == {D(2027, 1, 9): ""}
    for bad, code in [
        ((["2027-13-01"], []), "holiday_year.bad_date"),
        ((["2029-01-01"], []), "holiday_year.wrong_year"),
        ((["2027-01-01"], ["2027-01-04"]), "holiday_year.workday_not_weekend"),
        ((["2027-01-09"], ["2027-01-09"]), "holiday_year.overlap"),
        (([], []), "holiday_year.no_holidays"),
    ]:
        with pytest.raises(InvalidInput) as e:
            holidays.schedule_from_lists(2027, *bad)
        assert e.value.code == code


# --- fixed holidays (2024 revision of 《全国年节及纪念日放假办法》) ------------------------------


def test_mid_autumn_on_national_day_is_one_day_with_both_names():
    f = holidays.fixed_holidays(2020)
    assert f[D(2020, 10, 1)] == "中秋节、国庆节" and len(f) == 12


def test_fixed_holidays_2027():
    f = holidays.fixed_holidays(2027)
    assert f[D(2027, 1, 1)] == "元旦"
    assert [d for d, n in f.items() if n == "春节"] == [
        D(2027, 2, 5),
        D(2027, 2, 6),
        D(2027, 2, 7),
        D(2027, 2, 8),
    ]
    assert [d for d, n in f.items() if n == "劳动节"] == [D(2027, 5, 1), D(2027, 5, 2)]
    assert [d for d, n in f.items() if n == "国庆节"] == [D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3)]
    assert len(f) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3 statutory days


@pytest.mark.parametrize("year", [2025, 2026])
def test_fixed_holidays_are_inside_the_real_schedules_under_the_2024_rules(year):
    hs, _ = builtin(year)
    assert set(holidays.fixed_holidays(year)) <= hs


@pytest.mark.parametrize("year", range(2008, 2027))
def test_lunar_and_solar_term_dates_agree_with_chinese_calendar(year):
    hs, _ = builtin(year)
    assert holidays.qingming(year) in hs
    assert holidays.qingming(year).month == 4
    assert holidays.spring_festival(year) in hs
    # 端午 and 中秋 are days off every year (chinese_calendar lacks a few that fell on a weekend)
    for name in ("端午节", "中秋节"):
        (day,) = [d for d, n in holidays.fixed_holidays(year).items() if name in n]
        assert chinese_calendar.is_holiday(day)


def test_precedence_loaded_over_builtin_over_fixed():
    table = holidays.default_table()
    assert table.schedule(2026).confirmed and "chinese_calendar" in table.schedule(2026).source
    assert not table.schedule(2027).confirmed and "暂定" in table.schedule(2027).source
    loaded = cal.YearSchedule(2026, {D(2026, 3, 2): "测试"}, {}, "测试通知", True)
    table = holidays.build_table({2026: loaded})
    assert not table.is_working_day(D(2026, 3, 2))
    # the loaded table replaces the built-in data for its year (it is not merged with it)
    assert table.is_working_day(D(2026, 10, 1))
    assert table.schedule(2026).source == "测试通知"
