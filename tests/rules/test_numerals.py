from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ggzy.rules import numerals


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "零"),
        (2, "二"),
        (5, "五"),
        (10, "十"),
        (15, "十五"),
        (20, "二十"),
        (30, "三十"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (1001, "一千零一"),
        (2020, "二千零二十"),
    ],
)
def test_to_chinese(n, text):
    assert numerals.to_chinese(n) == text
    assert numerals.from_chinese(text) == n


@given(st.integers(min_value=0, max_value=9999))
def test_round_trip(n):
    assert numerals.from_chinese(numerals.to_chinese(n)) == n


def test_two_and_out_of_range():
    assert numerals.from_chinese("两") == 2
    with pytest.raises(ValueError):
        numerals.to_chinese(10000)
    with pytest.raises(ValueError):
        numerals.from_chinese("二x")


def test_days_in_chinese_and_arabic():
    assert numerals.states_days("最短不得少于二十日。", 20, "calendar")
    assert numerals.states_days("发售期不得少于5日。", 5, "calendar")
    assert numerals.states_days("不得少于5个工作日。", 5, "working")
    # 十五日 is not 五日, 15日 is not 5日, and working days are not calendar days
    assert not numerals.states_days("至少十五日前", 5, "calendar")
    assert not numerals.states_days("至少15日前", 5, "calendar")
    assert not numerals.states_days("不得少于5个工作日", 5, "calendar")
    assert not numerals.states_days("不得少于5日", 5, "working")
    assert numerals.states_days("同一时间公开进行", 0, "calendar")


def test_percent_and_count():
    assert numerals.states_percent("不得超过招标项目估算价的2%。", 2)
    assert numerals.states_percent("不得超过百分之二", "2")
    assert not numerals.states_percent("不得超过12%", 2)
    assert numerals.states_count("投标人少于3个的，不得开标", 3)
    assert numerals.states_count("不足三家的", 3)
    assert not numerals.states_count("十三个", 3)
