"""The statutory calendar: periods in calendar days and working days. Pure module (no Django).

Rules (《中华人民共和国民法典》第十章 期间计算):
- art. 201: a period counted in days starts on the day after the start day (the start day is not counted);
- art. 203: if the last day of a period is a 法定休假日 (a statutory holiday or a weekend rest day), the
  period ends on the day after the holiday ends, i.e. the next working day. A make-up working day
  (调休上班, a Saturday or Sunday declared a working day) is NOT a rest day: a period may end on it;
- a period in working days (工作日) counts only working days after the start day, so it always ends on
  a working day and art. 203 never applies.

The data comes in through a ``HolidayTable``: per year, the days off beyond weekends, the make-up
working days, where they come from, and whether the year's schedule is confirmed (published by the
State Council) or only provisional (the fixed holidays of 《全国年节及纪念日放假办法》 plus weekends).
Any result that looked at a day of a provisional year says so (``PeriodResult.provisional_years``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from ggzy.core.errors import InvalidInput

CALENDAR = "calendar"
WORKING = "working"
KINDS = {CALENDAR: "日", WORKING: "工作日"}
FORWARD = "forward"
BACKWARD = "backward"
DIRECTIONS = {FORWARD: "之后", BACKWARD: "之前"}
MAX_DAYS = 3660  # ten years: no statutory period is longer; keeps every loop bounded

WEEKDAYS = "一二三四五六日"
ARTICLE_201 = "《民法典》第二百零一条"
ARTICLE_203 = "《民法典》第二百零三条"

# day kinds (DayInfo.kind)
WORKDAY = "workday"
MAKEUP_WORKDAY = "makeup_workday"
HOLIDAY = "holiday"
REST_DAY = "rest_day"
DAY_KIND_LABELS = {
    WORKDAY: "工作日",
    MAKEUP_WORKDAY: "调休上班日",
    HOLIDAY: "法定节假日",
    REST_DAY: "休息日",
}


@dataclass(frozen=True)
class YearSchedule:
    """One year's schedule. ``holidays`` are the days off beyond weekends (statutory holidays and the
    days off given in lieu, with the festival's name); ``workdays`` are the make-up working days."""

    year: int
    holidays: Mapping[dt.date, str]
    workdays: Mapping[dt.date, str]
    source: str
    confirmed: bool


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    working: bool
    kind: str  # WORKDAY | MAKEUP_WORKDAY | HOLIDAY | REST_DAY
    name: str  # the festival a holiday or make-up day belongs to, else ""
    confirmed: bool
    source: str

    @property
    def kind_label(self) -> str:
        return DAY_KIND_LABELS[self.kind]

    @property
    def weekday_label(self) -> str:
        return "星期" + WEEKDAYS[self.date.weekday()]

    def describe(self) -> str:
        """e.g. "2026年10月3日（星期六，国庆节假期）"."""
        if self.kind == HOLIDAY:
            what = f"{self.name or '法定节假日'}假期"
        elif self.kind == MAKEUP_WORKDAY:
            what = f"{self.name}调休上班日"
        elif self.kind == REST_DAY:
            what = "休息日"
        else:
            what = "工作日"
        return f"{cn_date(self.date)}（{self.weekday_label}，{what}）"


class HolidayTable:
    """Per-year schedules, looked up lazily. ``schedules`` are known years; ``fallback(year)`` gives
    the schedule of any other year (the caller decides: built-in data, else provisional fixed holidays)."""

    def __init__(
        self,
        schedules: Mapping[int, YearSchedule] | None = None,
        *,
        fallback: Callable[[int], YearSchedule],
    ) -> None:
        self._schedules: dict[int, YearSchedule] = dict(schedules or {})
        self._fallback = fallback

    def schedule(self, year: int) -> YearSchedule:
        found = self._schedules.get(year)
        if found is None:
            found = self._fallback(year)
            self._schedules[year] = found
        return found

    def day(self, d: dt.date) -> DayInfo:
        s = self.schedule(d.year)
        if d in s.workdays:
            return DayInfo(d, True, MAKEUP_WORKDAY, s.workdays[d], s.confirmed, s.source)
        if d in s.holidays:
            return DayInfo(d, False, HOLIDAY, s.holidays[d], s.confirmed, s.source)
        if d.weekday() >= 5:
            return DayInfo(d, False, REST_DAY, "", s.confirmed, s.source)
        return DayInfo(d, True, WORKDAY, "", s.confirmed, s.source)

    def is_working_day(self, d: dt.date) -> bool:
        s = self.schedule(d.year)
        if d in s.workdays:
            return True
        if d in s.holidays:
            return False
        return d.weekday() < 5

    def confirmed(self, year: int) -> bool:
        return self.schedule(year).confirmed


def weekends_only(year: int) -> YearSchedule:
    """A provisional schedule with weekends only (for tests of the arithmetic)."""
    return YearSchedule(year, {}, {}, "仅按周末计算（暂定）", False)


@dataclass(frozen=True)
class PeriodResult:
    start: dt.date
    days: int
    kind: str  # CALENDAR | WORKING
    direction: str  # FORWARD | BACKWARD
    raw_end: dt.date  # the n-th day counted (calendar) or the n-th working day (working)
    end: dt.date  # the result after art. 203 (or its mirror backwards)
    skipped: tuple[DayInfo, ...]  # rest days the end was moved across (calendar periods only)
    years: tuple[int, ...]  # every year whose schedule the result depends on
    provisional_years: tuple[int, ...]
    explanation: tuple[str, ...] = field(default=())

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    @property
    def moved(self) -> bool:
        return self.end != self.raw_end

    @property
    def basis(self) -> str:
        if self.kind == CALENDAR and self.moved:
            return f"{ARTICLE_201}、{ARTICLE_203}"
        return ARTICLE_201

    @property
    def provisional_note(self) -> str:
        return provisional_note(self.provisional_years)

    def describe(self) -> str:
        """One line, e.g. "2026年9月30日之后5个工作日：2026年10月12日"."""
        unit = "个工作日" if self.kind == WORKING else "日"
        text = f"{cn_date(self.start)}{DIRECTIONS[self.direction]}{self.days}{unit}：{cn_date(self.end)}"
        return text + self.provisional_note


def provisional_note(years: Iterable[int]) -> str:
    years = sorted(set(years))
    if not years:
        return ""
    return "（暂定：" + "、".join(f"{y}年" for y in years) + "放假安排尚未发布）"


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _check_days(days: int, kind: str, direction: str) -> None:
    if kind not in KINDS:
        raise InvalidInput("calendar.kind_invalid", "期间单位应为“日”或“工作日”", field="kind")
    if direction not in DIRECTIONS:
        raise InvalidInput("calendar.direction_invalid", "计算方向应为“之后”或“之前”", field="direction")
    if isinstance(days, bool) or not isinstance(days, int):
        raise InvalidInput("calendar.days_invalid", "天数应为整数", field="days")
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput("calendar.days_invalid", f"天数应在1至{MAX_DAYS}之间", field="days")


def _step(d: dt.date, sign: int) -> dt.date:
    try:
        return d + dt.timedelta(days=sign)
    except OverflowError:
        raise InvalidInput("calendar.date_out_of_range", "日期超出可计算的范围", field="start") from None


def _shift(d: dt.date, days: int) -> dt.date:
    try:
        return d + dt.timedelta(days=days)
    except OverflowError:
        raise InvalidInput("calendar.date_out_of_range", "日期超出可计算的范围", field="start") from None


def _years_result(
    table: HolidayTable, examined: Iterable[dt.date]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    years = tuple(sorted({d.year for d in examined}))
    return years, tuple(y for y in years if not table.confirmed(y))


def add(
    start: dt.date, days: int, table: HolidayTable, *, kind: str = CALENDAR, direction: str = FORWARD
) -> PeriodResult:
    """The end of a period of ``days`` calendar days or working days from ``start`` (forward), or
    the latest date at least that many days before ``start`` (backward, see ``subtract``)."""
    _check_days(days, kind, direction)
    if direction == BACKWARD:
        return subtract(start, days, table, kind=kind)
    if kind == WORKING:
        d, counted, examined = start, 0, []
        while counted < days:
            d = _step(d, 1)
            examined.append(d)
            if table.is_working_day(d):
                counted += 1
        years, provisional = _years_result(table, examined)
        lines = (
            f"依据{ARTICLE_201}，开始的当日（{cn_date(start)}）不计入，自下一日起计算。",
            f"按工作日计算：跳过法定节假日和休息日，调休上班日计入；"
            f"第{days}个工作日为{table.day(d).describe()}。",
        )
        return PeriodResult(start, days, kind, direction, d, d, (), years, provisional, lines)

    raw = _shift(start, days)
    end, skipped = raw, []
    info = table.day(end)
    while not info.working:
        skipped.append(info)
        end = _step(end, 1)
        info = table.day(end)
    years, provisional = _years_result(table, [raw, *[s.date for s in skipped], end])
    lines = [
        f"依据{ARTICLE_201}，开始的当日（{cn_date(start)}）不计入，自下一日起计算；"
        f"第{days}日为{table.day(raw).describe()}。"
    ]
    if skipped:
        lines.append(_moved_text(skipped, end))
    elif table.day(raw).kind == MAKEUP_WORKDAY:
        lines.append(f"该日虽为周末，但为调休上班日，不是法定休假日，期间不顺延（{ARTICLE_203}）。")
    else:
        lines.append(f"该日为工作日，不适用{ARTICLE_203}的顺延。")
    return PeriodResult(
        start, days, kind, direction, raw, end, tuple(skipped), years, provisional, tuple(lines)
    )


def _moved_text(skipped: list[DayInfo], end: dt.date) -> str:
    first, last = skipped[0], skipped[-1]
    names = sorted({s.name for s in skipped if s.kind == HOLIDAY and s.name})
    what = "、".join(n + "假期" for n in names) if names else "休息日"
    if names and any(s.kind == REST_DAY for s in skipped):
        what += "及休息日"
    span = cn_date(first.date) if first is last else f"{cn_date(first.date)}至{cn_date(last.date)}"
    return (
        f"期间的最后一日是法定休假日（{span}为{what}），依据{ARTICLE_203}，"
        f"以法定休假日结束的次日{cn_date(end)}（星期{WEEKDAYS[end.weekday()]}）为期间的最后一日。"
    )


def subtract(start: dt.date, days: int, table: HolidayTable, *, kind: str = CALENDAR) -> PeriodResult:
    """The latest date that is at least ``days`` (calendar or working) days before ``start``.

    Working days: the ``days``-th working day before ``start`` (``start`` not counted), so that
    exactly ``days`` working days lie after it up to ``start``. Calendar days: ``start - days``; if
    that is a rest day it moves to the previous working day (the mirror of art. 203: an act due
    "at least N days before" must be done by then, and moving earlier still satisfies the period).
    """
    _check_days(days, kind, BACKWARD)
    if kind == WORKING:
        d, counted, examined = start, 0, []
        while counted < days:
            d = _step(d, -1)
            examined.append(d)
            if table.is_working_day(d):
                counted += 1
        years, provisional = _years_result(table, examined)
        lines = (
            f"自{cn_date(start)}向前计算（该日不计入）{days}个工作日，跳过法定节假日和休息日，调休上班日计入；"
            f"最晚应在{table.day(d).describe()}。",
        )
        return PeriodResult(start, days, kind, BACKWARD, d, d, (), years, provisional, lines)
    raw = _shift(start, -days)
    end, skipped = raw, []
    info = table.day(end)
    while not info.working:
        skipped.append(info)
        end = _step(end, -1)
        info = table.day(end)
    years, provisional = _years_result(table, [raw, *[s.date for s in skipped], end])
    lines = [f"自{cn_date(start)}向前计算（该日不计入）{days}日为{table.day(raw).describe()}。"]
    if skipped:
        lines.append(
            f"该日为法定休假日，提前至此前最后一个工作日{cn_date(end)}（星期{WEEKDAYS[end.weekday()]}）。"
        )
    return PeriodResult(
        start, days, kind, BACKWARD, raw, end, tuple(skipped), years, provisional, tuple(lines)
    )


def is_working_day(d: dt.date, table: HolidayTable) -> bool:
    return table.is_working_day(d)


def next_working_day(d: dt.date, table: HolidayTable) -> dt.date:
    """The first working day strictly after ``d``."""
    d = _step(d, 1)
    for _ in range(MAX_DAYS):
        if table.is_working_day(d):
            return d
        d = _step(d, 1)
    raise InvalidInput("calendar.no_working_day", "在可计算的范围内找不到工作日")


def previous_working_day(d: dt.date, table: HolidayTable) -> dt.date:
    """The last working day strictly before ``d``."""
    d = _step(d, -1)
    for _ in range(MAX_DAYS):
        if table.is_working_day(d):
            return d
        d = _step(d, -1)
    raise InvalidInput("calendar.no_working_day", "在可计算的范围内找不到工作日")


def working_days_between(a: dt.date, b: dt.date, table: HolidayTable) -> int:
    """Working days in (a, b]: ``a`` not counted (art. 201), ``b`` counted. Negative if b < a."""
    if b < a:
        return -working_days_between(b, a, table)
    if (b - a).days > MAX_DAYS * 10:
        raise InvalidInput("calendar.range_too_long", "日期范围过长", field="end")
    count, d = 0, a
    while d < b:
        d = d + dt.timedelta(days=1)
        if table.is_working_day(d):
            count += 1
    return count
