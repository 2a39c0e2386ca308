"""居民身份证号码 (GB 11643-1999): 6-digit region, 8-digit birth date, 3-digit sequence, ISO 7064
MOD 11-2 check character. Pure module."""

from __future__ import annotations

import datetime as dt

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def check_character(body17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(body17, WEIGHTS, strict=True)) % 11]


def normalise(raw: str) -> str:
    return (raw or "").strip().upper()


def problem(raw: str, today: dt.date | None = None) -> str:
    """A Chinese explanation of what is wrong with the number, or "" when it is valid."""
    n = normalise(raw)
    if len(n) != 18:
        return f"身份证号码应为18位，现为{len(n)}位"
    if not n[:17].isdigit() or not (n[17].isdigit() or n[17] == "X"):
        return "身份证号码前17位应为数字，第18位为数字或X"
    try:
        born = dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        return f"身份证号码中的出生日期{n[6:14]}不存在"
    if born.year < 1900 or (today and born > today):
        return f"身份证号码中的出生日期{n[6:14]}不合理"
    expected = check_character(n[:17])
    if n[17] != expected:
        return f"身份证号码校验位应为{expected}，现为{n[17]}，请核对号码"
    return ""


def make(region: str, born: dt.date, sequence: int) -> str:
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + check_character(body)


def masked(raw: str) -> str:
    n = normalise(raw)
    return n[:3] + "*" * 11 + n[-4:] if len(n) == 18 else "*" * len(n)
