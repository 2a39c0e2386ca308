"""Chinese numerals, and whether a law's text states a figure. Pure module.

Laws write figures in Chinese (招标投标法: 二十日, 十五日) or in Arabic digits (招标投标法实施条例:
5日, 2%). ``states_days`` and friends accept both, and never mistake 十五日 for 五日.
"""

from __future__ import annotations

import re
from decimal import Decimal

DIGITS = "零一二三四五六七八九"
_VALUES = {c: i for i, c in enumerate(DIGITS)} | {"两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL_CHARS = "0-9零一二三四五六七八九十百千两"


def to_chinese(n: int) -> str:
    """0..9999 in Chinese: 5 -> 五, 15 -> 十五, 20 -> 二十, 105 -> 一百零五, 110 -> 一百一十."""
    if not 0 <= n <= 9999:
        raise ValueError(n)
    if n == 0:
        return "零"
    if 10 <= n < 20:
        return "十" + (DIGITS[n - 10] if n > 10 else "")
    parts: list[str] = []
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            zero = bool(parts)
            continue
        if zero:
            parts.append("零")
            zero = False
        parts.append(DIGITS[digit] + unit)
    return "".join(parts)


def from_chinese(text: str) -> int:
    """The inverse of ``to_chinese`` (also reads 两 and a leading 十)."""
    if not text:
        raise ValueError(text)
    if text == "零":
        return 0
    total = 0
    digit: int | None = None
    for ch in text:
        if ch in _VALUES:
            digit = _VALUES[ch]
        elif ch in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            raise ValueError(text)
    return total + (digit or 0)


def _numbers(n: int) -> list[str]:
    return [to_chinese(n), str(n)] + (["两"] if n == 2 else [])


def _mentions(text: str, numbers: list[str], suffixes: list[str]) -> bool:
    for number in numbers:
        for suffix in suffixes:
            pattern = f"(?<![{_NUMERAL_CHARS}]){re.escape(number)}{suffix}"
            if re.search(pattern, text):
                return True
    return False


def day_phrases(days: int, kind: str) -> list[str]:
    """How a law writes the period: 二十日 / 20日, 五个工作日 / 5个工作日."""
    unit = "个工作日" if kind == "working" else "日"
    return [n + unit for n in _numbers(days)]


def states_days(text: str, days: int, kind: str) -> bool:
    """Does ``text`` state a period of ``days`` (calendar or working) days?

    A period of 0 days is the same instant: the law says 同一时间 (招标投标法第三十四条)."""
    if days == 0:
        return "同一时间" in text
    if kind == "working":
        return _mentions(text, _numbers(days), ["个工作日"])
    # calendar days: 二十日 / 20日 (never 二十个工作日, and never 十五日 for 五日: see the look-behind)
    return _mentions(text, _numbers(days), ["日"])


def states_percent(text: str, percent: Decimal | int | str) -> bool:
    """百分之二 / 2%."""
    value = Decimal(str(percent)).normalize()
    if value != value.to_integral_value():
        return f"{value}%" in text
    n = int(value)
    return _mentions(text, [str(n)], ["%"]) or _mentions(text, ["百分之" + to_chinese(n)], [""])


def states_count(text: str, count: int) -> bool:
    """三个 / 3个 / 三家 / 三人 (a minimum number of bidders or suppliers)."""
    return _mentions(text, _numbers(count), ["个", "家", "人"])
