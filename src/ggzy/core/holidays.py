"""Where the statutory calendar's data comes from, and the parser of the State Council's notice.
Pure module (no Django).

Precedence for a year (``build_table``):
1. a table staff loaded (from 国务院办公厅关于X年部分节假日安排的通知), confirmed;
2. the data built into ``chinese_calendar`` (2004 to its last covered year), confirmed;
3. otherwise the FIXED holidays of 《全国年节及纪念日放假办法》 (2024 revision, in force from
   2025-01-01) plus weekends, without any 调休: PROVISIONAL.
A loaded notice may also name days of the neighbouring year (e.g. "2022年12月31日至2023年1月2日"):
those override that year's data for those days.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import chinese_calendar
from chinese_calendar import constants as cc_constants
from lunar_python import Lunar

from ggzy.core.calendar import WEEKDAYS, HolidayTable, YearSchedule, cn_date
from ggzy.core.errors import FieldError, InvalidInput, invalid

BUILTIN_VERSION = getattr(chinese_calendar, "__version__", "")
BUILTIN_SOURCE = f"chinese_calendar {BUILTIN_VERSION} 内置的国务院放假安排".replace("  ", " ")
FIXED_SOURCE = "《全国年节及纪念日放假办法》规定的固定假日及周末（暂定，当年放假安排尚未发布）"
MIN_YEAR, MAX_YEAR = 2000, 2099

_CC_NAMES = {
    "new_years_day": "元旦",
    "spring_festival": "春节",
    "tomb_sweeping_day": "清明节",
    "labour_day": "劳动节",
    "dragon_boat_festival": "端午节",
    "national_day": "国庆节",
    "mid_autumn_festival": "中秋节",
    "anti_fascist_70th_day": "抗战胜利纪念日",
}


# --- fixed holidays (provisional years) -------------------------------------------------------


def spring_festival(year: int) -> dt.date:
    """正月初一 of the lunar year that begins in ``year``."""
    s = Lunar.fromYmd(year, 1, 1).getSolar()
    return dt.date(s.getYear(), s.getMonth(), s.getDay())


def qingming(year: int) -> dt.date:
    """清明 (the solar term) of ``year``; checked to be in April of that year."""
    for lunar_year in (year, year + 1, year - 1):
        s = Lunar.fromYmd(lunar_year, 1, 1).getJieQiTable()["清明"]
        if s.getYear() == year:
            return dt.date(s.getYear(), s.getMonth(), s.getDay())
    raise ValueError(f"no 清明 found for {year}")  # pragma: no cover - lunar_python covers all years


def _lunar(year: int, month: int, day: int) -> dt.date:
    s = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(s.getYear(), s.getMonth(), s.getDay())


def fixed_holidays(year: int) -> dict[dt.date, str]:
    """The statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision, art. 2) in ``year``."""
    new_year_lunar = spring_festival(year)
    days: dict[dt.date, str] = {dt.date(year, 1, 1): "元旦"}
    for i in range(-1, 3):  # 除夕 and 正月初一至初三
        days[new_year_lunar + dt.timedelta(days=i)] = "春节"
    days[qingming(year)] = "清明节"
    days[dt.date(year, 5, 1)] = "劳动节"
    days[dt.date(year, 5, 2)] = "劳动节"
    days[_lunar(year, 5, 5)] = "端午节"
    mid_autumn = _lunar(year, 8, 15)  # may fall on 10月1日-3日 (2020, 2001): one day, both names
    for d in (1, 2, 3):
        days[dt.date(year, 10, d)] = "国庆节"
    days[mid_autumn] = "中秋节、国庆节" if mid_autumn in days else "中秋节"
    return dict(sorted(days.items()))


def fixed_schedule(year: int) -> YearSchedule:
    return YearSchedule(year, fixed_holidays(year), {}, FIXED_SOURCE, False)


# --- chinese_calendar ---------------------------------------------------------------------------


def builtin_covers(year: int) -> bool:
    try:
        chinese_calendar.is_holiday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def builtin_years() -> tuple[int, int]:
    years = [d.year for d in cc_constants.holidays]
    return min(years), max(years)


def _cc_name(value: object) -> str:
    for h in cc_constants.Holiday:
        if h.value == value or h is value:
            return _CC_NAMES.get(h.name, h.chinese)
    return str(value)


def builtin_schedule(year: int) -> YearSchedule | None:
    if not builtin_covers(year):
        return None
    holidays = {d: _cc_name(v) for d, v in cc_constants.holidays.items() if d.year == year}
    workdays = {d: _cc_name(v) for d, v in cc_constants.workdays.items() if d.year == year}
    return YearSchedule(
        year, dict(sorted(holidays.items())), dict(sorted(workdays.items())), BUILTIN_SOURCE, True
    )


def base_schedule(year: int) -> YearSchedule:
    """Built-in data if it covers the year, else the provisional fixed holidays."""
    return builtin_schedule(year) or fixed_schedule(year)


# --- the table ----------------------------------------------------------------------------------


def build_table(loaded: Mapping[int, YearSchedule] | None = None) -> HolidayTable:
    """A table with ``loaded`` (staff-loaded years, confirmed) taking precedence over the built-in
    data, and the fixed holidays for any year neither covers. Days a loaded year names in a
    neighbouring year override that year's data for those days."""
    loaded = dict(loaded or {})

    def schedule(year: int) -> YearSchedule:
        base = loaded.get(year) or base_schedule(year)
        holidays = {d: n for d, n in base.holidays.items() if d.year == year}
        workdays = {d: n for d, n in base.workdays.items() if d.year == year}
        for other in (year - 1, year + 1):
            neighbour = loaded.get(other)
            if neighbour is None:
                continue
            for d, n in neighbour.holidays.items():
                if d.year == year:
                    holidays[d] = n
                    workdays.pop(d, None)
            for d, n in neighbour.workdays.items():
                if d.year == year:
                    workdays[d] = n
                    holidays.pop(d, None)
        return YearSchedule(year, holidays, workdays, base.source, base.confirmed)

    return HolidayTable(fallback=schedule)


def default_table() -> HolidayTable:
    """Built-in data and fixed holidays only (no loaded years)."""
    return build_table({})


# --- the State Council's notice -----------------------------------------------------------------


@dataclass
class ParsedNotice:
    year: int
    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: dict[dt.date, str] = field(default_factory=dict)
    items: list[tuple[str, list[dt.date], list[dt.date]]] = field(default_factory=list)
    title: str = ""
    number: str = ""

    def schedule(self, source: str) -> YearSchedule:
        return YearSchedule(self.year, self.holidays, self.workdays, source, True)


_NUMERALS = "一二三四五六七八九十"
_ITEM = re.compile(rf"^\s*[{_NUMERALS}]+\s*[、.]\s*(?P<name>[^:]{{1,20}}?)\s*:\s*(?P<body>.*)$")
_DATE = r"(?:(?P<{p}y>\d{{4}})年)?(?:(?P<{p}m>\d{{1,2}})月)?(?P<{p}d>\d{{1,2}})日(?:\((?P<{p}note>[^)]*)\))?"
_ONE = re.compile(_DATE.format(p="a"))
_RANGE = re.compile("^" + _DATE.format(p="a") + r"(?:(?:至|-|—|–|~)" + _DATE.format(p="b") + ")?$")
_WORK = re.compile(r"^(?P<dates>.+?)上班$")
_COUNT = re.compile(r"(?:共|放假)(\d+)天")
_TITLE = re.compile(r"国务院办公厅关于(\d{4})年部分节假日安排的通知")
_NUMBER = re.compile(r"国办发明电[〔\[](\d{4})[〕\]](\d+)号")
_WEEKDAY = re.compile(r"(?:周|星期)([一二三四五六日天])")
_IGNORED = ("与周末连休", "不调休", "")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "")


class _LineError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _LineError("holiday_notice.bad_date", f"日期{year}年{month}月{day}日不存在") from None


def _check_weekday(d: dt.date, note: str | None) -> None:
    if not note:
        return
    m = _WEEKDAY.search(note)
    if not m:
        return
    said = "日" if m.group(1) == "天" else m.group(1)
    real = WEEKDAYS[d.weekday()]
    if said != real:
        raise _LineError(
            "holiday_notice.weekday_mismatch",
            f"{cn_date(d)}是星期{real}，但通知中注明为“周{said}”，请核对日期是否抄录有误",
        )


def _parse_range(text: str, year: int, name: str) -> list[dt.date]:
    m = _RANGE.match(text)
    if not m:
        raise _LineError("holiday_notice.unparsed", f"无法识别放假日期“{text}”")
    if m.group("am") is None:
        raise _LineError("holiday_notice.unparsed", f"放假日期“{text}”缺少月份")
    a_month = int(m.group("am"))
    a_year = int(m.group("ay")) if m.group("ay") else _default_year(year, a_month, name)
    start = _date(a_year, a_month, int(m.group("ad")))
    _check_weekday(start, m.group("anote"))
    if m.group("bd") is None:
        return [start]
    b_month = int(m.group("bm")) if m.group("bm") else a_month
    rollover = a_year + 1 if b_month < a_month else a_year  # "12月31日至1月2日"
    b_year = int(m.group("by")) if m.group("by") else rollover
    end = _date(b_year, b_month, int(m.group("bd")))
    _check_weekday(end, m.group("bnote"))
    if end < start:
        raise _LineError("holiday_notice.bad_range", f"放假结束日{cn_date(end)}早于开始日{cn_date(start)}")
    if (end - start).days > 14:
        raise _LineError(
            "holiday_notice.bad_range", f"放假日期{cn_date(start)}至{cn_date(end)}超过15天，请核对"
        )
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _default_year(year: int, month: int, name: str) -> int:
    # The New Year item may begin or make up work in December of the previous year.
    return year - 1 if month == 12 and "元旦" in name else year


def _parse_workdays(text: str, year: int, name: str) -> list[dt.date]:
    days = []
    for part in text.split("、"):
        m = _ONE.fullmatch(part)
        if not m or m.group("am") is None:
            raise _LineError("holiday_notice.unparsed", f"无法识别上班日期“{part}”")
        month = int(m.group("am"))
        y = int(m.group("ay")) if m.group("ay") else _default_year(year, month, name)
        d = _date(y, month, int(m.group("ad")))
        _check_weekday(d, m.group("anote"))
        days.append(d)
    return days


def _parse_item(name: str, body: str, year: int) -> tuple[list[dt.date], list[dt.date]]:
    holidays: list[dt.date] | None = None
    workdays: list[dt.date] = []
    for sentence in re.split(r"[。;]", body):
        sentence = sentence.strip(",")
        if sentence in _IGNORED:
            continue
        if "放假" in sentence:
            if holidays is not None:
                raise _LineError("holiday_notice.unparsed", "一个条目中出现了两处放假日期")
            dates_text, _, rest = sentence.partition("放假")
            holidays = _parse_range(dates_text, year, name)
            tail = "放假" + rest
            count = _COUNT.search(tail)
            if count and int(count.group(1)) != len(holidays):
                span = cn_date(holidays[0])
                if len(holidays) > 1:
                    span += f"至{cn_date(holidays[-1])}"
                raise _LineError(
                    "holiday_notice.count_mismatch",
                    f"通知写“{count.group(0)}”，但{span}实为{len(holidays)}天",
                )
            leftover = _COUNT.sub("", tail)
            for word in ("与周末连休", "不调休", "调休", "放假"):
                leftover = leftover.replace(word, "")
            if leftover.strip(","):
                raise _LineError(
                    "holiday_notice.unparsed", f"无法识别“{sentence}”中的“{leftover.strip(',')}”"
                )
            continue
        m = _WORK.match(sentence)
        if m:
            workdays.extend(_parse_workdays(m.group("dates"), year, name))
            continue
        raise _LineError("holiday_notice.unparsed", f"无法识别“{sentence}”")
    if holidays is None:
        raise _LineError("holiday_notice.unparsed", "没有找到放假日期（应写作“X月X日至X日放假”）")
    return holidays, workdays


def parse_notice(text: str, year: int) -> ParsedNotice:
    """Parse the text of 国务院办公厅关于``year``年部分节假日安排的通知.

    Only the numbered items ("一、元旦：……") are read; every other line (title, addressees, the
    closing paragraph) is ignored. Any item that cannot be read exactly is refused with the line
    named, so nothing is guessed.
    """
    if not text or not text.strip():
        raise InvalidInput("holiday_notice.empty", "请粘贴节假日安排通知的全文", field="text")
    notice = ParsedNotice(year=year)
    errors: list[FieldError] = []
    normalised = _norm(text)
    title = _TITLE.search(normalised)
    if title:
        notice.title = title.group(0)
        if int(title.group(1)) != year:
            errors.append(
                FieldError(
                    "holiday_notice.year_mismatch",
                    f"通知标题是{title.group(1)}年的放假安排，但正在导入{year}年",
                    "text",
                )
            )
    number = _NUMBER.search(normalised)
    if number:
        notice.number = f"国办发明电〔{number.group(1)}〕{number.group(2)}号"
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = _norm(raw)
        m = _ITEM.match(line)
        if not m:
            continue
        name = m.group("name")
        label = f"第{lineno}行“{raw.strip()}”"
        try:
            holidays, workdays = _parse_item(name, m.group("body"), year)
            for d in holidays:
                if d in notice.holidays:
                    raise _LineError(
                        "holiday_notice.duplicate", f"{cn_date(d)}已在“{notice.holidays[d]}”中放假"
                    )
            for d in workdays:
                if d.weekday() < 5:
                    raise _LineError(
                        "holiday_notice.workday_not_weekend",
                        f"调休上班日{cn_date(d)}是星期{WEEKDAYS[d.weekday()]}，调休上班日应为周六或周日",
                    )
                if d in holidays or d in notice.holidays:
                    raise _LineError("holiday_notice.overlap", f"{cn_date(d)}既放假又上班")
            _check_years(year, [*holidays, *workdays])
        except _LineError as e:
            errors.append(FieldError(e.code, f"{label}：{e.message}", "text"))
            continue
        notice.items.append((name, holidays, workdays))
        notice.holidays.update(dict.fromkeys(holidays, name))
        notice.workdays.update(dict.fromkeys(workdays, name))
    if not notice.items and not errors:
        errors.append(
            FieldError(
                "holiday_notice.no_items", "没有找到“一、元旦：1月1日……放假”这样的放假安排条目", "text"
            )
        )
    for d in [d for d in notice.workdays if d in notice.holidays]:
        errors.append(
            FieldError("holiday_notice.overlap", f"{cn_date(d)}在一个条目中放假、在另一个条目中上班", "text")
        )
    if errors:
        raise invalid(errors, "节假日安排通知")
    notice.holidays = dict(sorted(notice.holidays.items()))
    notice.workdays = dict(sorted(notice.workdays.items()))
    return notice


def _check_years(year: int, days: Iterable[dt.date]) -> None:
    for d in days:
        if d.year == year or (d.year == year - 1 and d.month == 12) or (d.year == year + 1 and d.month == 1):
            continue
        raise _LineError("holiday_notice.wrong_year", f"{cn_date(d)}不属于{year}年的放假安排")


def schedule_from_lists(
    year: int,
    holidays: Mapping[str, str] | Iterable[str] | None,
    workdays: Mapping[str, str] | Iterable[str] | None,
) -> ParsedNotice:
    """The structured alternative: explicit ISO date lists (or {date: festival name} mappings)."""
    notice = ParsedNotice(year=year)
    errors: list[FieldError] = []
    for fieldname, values, target in (
        ("holidays", holidays, notice.holidays),
        ("workdays", workdays, notice.workdays),
    ):
        pairs = values.items() if isinstance(values, Mapping) else ((v, "") for v in (values or []))
        for raw, name in pairs:
            try:
                d = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw).strip())
            except ValueError:
                errors.append(
                    FieldError("holiday_year.bad_date", f"“{raw}”不是有效日期（应为YYYY-MM-DD）", fieldname)
                )
                continue
            try:
                _check_years(year, [d])
            except _LineError as e:
                errors.append(
                    FieldError(e.code.replace("holiday_notice", "holiday_year"), e.message, fieldname)
                )
                continue
            if fieldname == "workdays" and d.weekday() < 5:
                errors.append(
                    FieldError(
                        "holiday_year.workday_not_weekend",
                        f"调休上班日{cn_date(d)}是星期{WEEKDAYS[d.weekday()]}，调休上班日应为周六或周日",
                        fieldname,
                    )
                )
                continue
            target[d] = str(name or "")
    for d in notice.workdays:
        if d in notice.holidays:
            errors.append(FieldError("holiday_year.overlap", f"{cn_date(d)}既放假又上班", "workdays"))
    if not notice.holidays and not errors:
        errors.append(FieldError("holiday_year.no_holidays", "请至少填写一个放假日期", "holidays"))
    if errors:
        raise invalid(errors, "节假日安排")
    notice.holidays = dict(sorted(notice.holidays.items()))
    notice.workdays = dict(sorted(notice.workdays.items()))
    return notice


def compare(a: YearSchedule, b: YearSchedule) -> dict[str, list[dt.date]]:
    """Days where two schedules of the same year disagree (empty lists: they agree)."""
    return {
        "holidays_only_in_first": sorted(set(a.holidays) - set(b.holidays)),
        "holidays_only_in_second": sorted(set(b.holidays) - set(a.holidays)),
        "workdays_only_in_first": sorted(set(a.workdays) - set(b.workdays)),
        "workdays_only_in_second": sorted(set(b.workdays) - set(a.workdays)),
    }


def to_json(days: Mapping[dt.date, str]) -> dict[str, str]:
    return {d.isoformat(): n for d, n in sorted(days.items())}


def from_json(days: Mapping[str, str]) -> dict[dt.date, str]:
    return {dt.date.fromisoformat(k): v for k, v in days.items()}
