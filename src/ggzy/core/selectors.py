"""Reads for core: the statutory calendar with the loaded yearly tables, holiday years, deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from ggzy.core import calendar, holidays
from ggzy.core.errors import InvalidInput, NotFound
from ggzy.core.models import CalendarDeadline, HolidayYear
from ggzy.core.permissions import require


def parse_date(value: Any, field_name: str = "start") -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(
            "calendar.date_invalid", f"“{value}”不是有效日期（应为YYYY-MM-DD）", field=field_name
        ) from None


def check_year(year: Any, field_name: str = "year") -> int:
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise InvalidInput("calendar.year_invalid", f"“{year}”不是有效年份", field=field_name) from None
    if not holidays.MIN_YEAR <= y <= holidays.MAX_YEAR:
        raise InvalidInput(
            "calendar.year_out_of_range",
            f"年份应在{holidays.MIN_YEAR}至{holidays.MAX_YEAR}年之间",
            field=field_name,
        )
    return y


def _schedule_of(row: HolidayYear) -> calendar.YearSchedule:
    return calendar.YearSchedule(
        row.year, holidays.from_json(row.holidays), holidays.from_json(row.workdays), row.source_label, True
    )


def loaded_schedules() -> dict[int, calendar.YearSchedule]:
    return {row.year: _schedule_of(row) for row in HolidayYear.objects.filter(current=True)}


def holiday_table(extra: dict[int, calendar.YearSchedule] | None = None) -> calendar.HolidayTable:
    """The calendar as the platform uses it: loaded years, then chinese_calendar, then fixed holidays."""
    return holidays.build_table({**loaded_schedules(), **(extra or {})})


def period(
    start: Any,
    days: Any,
    *,
    kind: str = calendar.CALENDAR,
    direction: str = calendar.FORWARD,
    table: calendar.HolidayTable | None = None,
) -> calendar.PeriodResult:
    """Compute a period (validating raw input as it comes from a page, the API or a command)."""
    start_date = parse_date(start, "start")
    check_year(start_date.year, "start")
    try:
        n = int(str(days).strip())
    except ValueError:
        raise InvalidInput("calendar.days_invalid", f"天数“{days}”应为整数", field="days") from None
    return calendar.add(start_date, n, table or holiday_table(), kind=kind, direction=direction)


def day_info(value: Any) -> calendar.DayInfo:
    d = parse_date(value, "date")
    check_year(d.year, "date")
    return holiday_table().day(d)


def holiday_years() -> QuerySet[HolidayYear]:
    """The current loaded table of every year, newest year first."""
    return HolidayYear.objects.filter(current=True).order_by("-year")


def holiday_year_history(year: int) -> QuerySet[HolidayYear]:
    return HolidayYear.objects.filter(year=year).order_by("-loaded_at", "-id")


@dataclass
class YearStatus:
    year: int
    source: str
    confirmed: bool
    loaded: HolidayYear | None
    holidays: dict[dt.date, str]
    workdays: dict[dt.date, str]

    @property
    def provisional_note(self) -> str:
        return "" if self.confirmed else calendar.provisional_note([self.year])


def year_status(year: Any) -> YearStatus:
    y = check_year(year)
    schedule = holiday_table().schedule(y)
    loaded = HolidayYear.objects.filter(year=y, current=True).first()
    return YearStatus(
        y, schedule.source, schedule.confirmed, loaded, dict(schedule.holidays), dict(schedule.workdays)
    )


def year_statuses(years: list[int]) -> list[YearStatus]:
    table = holiday_table()
    loaded = {r.year: r for r in holiday_years().filter(year__in=years)}
    out = []
    for y in years:
        s = table.schedule(y)
        out.append(YearStatus(y, s.source, s.confirmed, loaded.get(y), dict(s.holidays), dict(s.workdays)))
    return out


def deadline_get(pk: int) -> CalendarDeadline:
    found = CalendarDeadline.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound("deadline.not_found", "找不到该法定期限")
    return found


def deadlines_of(owner_type: str, owner_id: str) -> QuerySet[CalendarDeadline]:
    return CalendarDeadline.objects.filter(owner_type=owner_type, owner_id=str(owner_id))


def deadlines_depending_on(years: set[int]) -> QuerySet[CalendarDeadline]:
    """Stored deadlines whose computation looked at a day of any of ``years``."""
    if not years:
        return CalendarDeadline.objects.none()
    return CalendarDeadline.objects.filter(first_year__lte=max(years), last_year__gte=min(years)).order_by(
        "id"
    )


def recompute(deadline: CalendarDeadline, table: calendar.HolidayTable) -> calendar.PeriodResult:
    return calendar.add(
        deadline.start, deadline.days, table, kind=deadline.kind, direction=deadline.direction
    )


@dataclass
class DeadlineChange:
    deadline: CalendarDeadline
    old: dt.date
    new: dt.date
    was_provisional: bool
    result: calendar.PeriodResult

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def as_summary(self) -> dict[str, Any]:
        d = self.deadline
        return {
            "id": d.pk,
            "purpose": d.purpose,
            "owner": f"{d.owner_type}:{d.owner_id}" if d.owner_type else "",
            "old": self.old.isoformat(),
            "new": self.new.isoformat(),
            "was_provisional": self.was_provisional,
            "provisional": self.result.provisional,
        }


def deadline_rechecks(table: calendar.HolidayTable, years: set[int]) -> list[DeadlineChange]:
    """What every deadline depending on ``years`` becomes under ``table`` (nothing is written)."""
    out = []
    for d in deadlines_depending_on(years):
        if not any(d.first_year <= y <= d.last_year for y in years):
            continue
        result = recompute(d, table)
        out.append(DeadlineChange(d, d.result, result.end, d.provisional, result))
    return out


@dataclass
class HolidayYearPreview:
    year: int
    parsed: holidays.ParsedNotice
    source_title: str
    source_number: str
    current_source: str  # what the year used before this load
    current_confirmed: bool
    differences: dict[str, list[dt.date]]  # against what the year used before
    builtin_differences: dict[str, list[dt.date]] | None  # against chinese_calendar, if it covers the year
    affected_years: set[int]
    rechecks: list[DeadlineChange] = field(default_factory=list)

    @property
    def changes(self) -> list[DeadlineChange]:
        return [c for c in self.rechecks if c.changed or c.was_provisional != c.result.provisional]

    @property
    def agrees_with_builtin(self) -> bool | None:
        if self.builtin_differences is None:
            return None
        return not any(self.builtin_differences.values())


def holiday_year_preview(
    *,
    year: Any,
    text: str | None = None,
    holidays_list: Any = None,
    workdays_list: Any = None,
    source_title: str = "",
    source_number: str = "",
    actor: Any,
) -> HolidayYearPreview:
    """Parse and check a year's schedule and show what loading it would change. Writes nothing."""
    require(actor, "calendar.load_year")
    y = check_year(year)
    if text and text.strip():
        if holidays_list or workdays_list:
            raise InvalidInput(
                "holiday_year.ambiguous", "请只选择一种方式：粘贴通知全文，或逐项填写日期", field="text"
            )
        parsed = holidays.parse_notice(text, y)
        title = (source_title or "").strip() or parsed.title or f"国务院办公厅关于{y}年部分节假日安排的通知"
        number = (source_number or "").strip() or parsed.number
    else:
        if holidays_list is None and workdays_list is None:
            raise InvalidInput(
                "holiday_year.empty", "请粘贴通知全文，或填写放假日期和调休上班日期", field="text"
            )
        parsed = holidays.schedule_from_lists(y, holidays_list, workdays_list)
        title = (source_title or "").strip()
        number = (source_number or "").strip()
        if not title:
            raise InvalidInput("holiday_year.source_required", "请填写依据的通知名称", field="source_title")
    if len(title) > 200 or len(number) > 50:
        raise InvalidInput("holiday_year.source_too_long", "通知名称或文号过长", field="source_title")
    label = f"{title}（{number}）" if number else title
    new_schedule = parsed.schedule(label)
    before = holiday_table().schedule(y)
    builtin = holidays.builtin_schedule(y)
    previous = HolidayYear.objects.filter(year=y, current=True).first()
    affected = {y} | {d.year for d in [*parsed.holidays, *parsed.workdays]}
    if previous is not None:
        affected |= {d.year for d in holidays.from_json({**previous.holidays, **previous.workdays})}
    table = holiday_table(extra={y: new_schedule})
    return HolidayYearPreview(
        year=y,
        parsed=parsed,
        source_title=title,
        source_number=number,
        current_source=before.source,
        current_confirmed=before.confirmed,
        differences=holidays.compare(_within(new_schedule), before),
        builtin_differences=holidays.compare(_within(new_schedule), builtin) if builtin else None,
        affected_years=affected,
        rechecks=deadline_rechecks(table, affected),
    )


def _within(s: calendar.YearSchedule) -> calendar.YearSchedule:
    """Only the days of the schedule's own year (a notice may name days of the previous December)."""
    return calendar.YearSchedule(
        s.year,
        {d: n for d, n in s.holidays.items() if d.year == s.year},
        {d: n for d, n in s.workdays.items() if d.year == s.year},
        s.source,
        s.confirmed,
    )


def builtin_range() -> tuple[int, int]:
    return holidays.builtin_years()
