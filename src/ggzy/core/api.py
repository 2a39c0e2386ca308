"""API for core (thin: parse, call a selector or service, shape the answer)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from ggzy.core import calendar, selectors, services
from ggzy.core.schemas import (
    DayOut,
    HolidayYearLoadIn,
    HolidayYearLoadOut,
    HolidayYearOut,
    PeriodOut,
    YearStatusOut,
)

router = Router(tags=["法定期间"])


class PeriodQuery(Schema):
    start: dt.date
    days: int
    kind: str = calendar.CALENDAR
    direction: str = calendar.FORWARD


def day_out(info: calendar.DayInfo) -> dict[str, Any]:
    return {
        "date": info.date,
        "weekday": info.weekday_label,
        "working": info.working,
        "kind": info.kind,
        "kind_label": info.kind_label,
        "name": info.name,
        "provisional": not info.confirmed,
        "provisional_note": "" if info.confirmed else calendar.provisional_note([info.date.year]),
        "source": info.source,
    }


def period_out(r: calendar.PeriodResult) -> dict[str, Any]:
    return {
        "start": r.start,
        "days": r.days,
        "kind": r.kind,
        "direction": r.direction,
        "raw_end": r.raw_end,
        "end": r.end,
        "moved": r.moved,
        "skipped": [{"date": s.date, "kind": s.kind, "name": s.name} for s in r.skipped],
        "basis": r.basis,
        "explanation": list(r.explanation),
        "provisional": r.provisional,
        "provisional_years": list(r.provisional_years),
        "provisional_note": r.provisional_note,
        "text": r.describe(),
    }


@router.get("/calendar/add", response=PeriodOut, summary="计算期间（日或工作日）", auth=None)
def calendar_add(request: HttpRequest, q: Query[PeriodQuery]):
    """按《民法典》第二百零一条至第二百零三条计算：开始的当日不计入；按日计算的期间最后一日是法定休假日的，
    顺延至休假日结束的次日。涉及尚未发布放假安排的年份时，结果为暂定（provisional）。"""
    return period_out(selectors.period(q.start, q.days, kind=q.kind, direction=q.direction))


@router.get("/calendar/day/{day}", response=DayOut, summary="查询某日是否为工作日", auth=None)
def calendar_day(request: HttpRequest, day: dt.date):
    return day_out(selectors.day_info(day))


@router.get("/holiday-years", response=list[HolidayYearOut], summary="已导入的年度放假安排", auth=None)
def holiday_years(request: HttpRequest):
    return list(selectors.holiday_years())


@router.get("/holiday-years/{year}", response=YearStatusOut, summary="某年的放假安排及其来源", auth=None)
def holiday_year(request: HttpRequest, year: int):
    s = selectors.year_status(year)
    return {
        "year": s.year,
        "source": s.source,
        "confirmed": s.confirmed,
        "provisional_note": s.provisional_note,
        "loaded": s.loaded is not None,
        "holidays": {d.isoformat(): n for d, n in sorted(s.holidays.items())},
        "workdays": {d.isoformat(): n for d, n in sorted(s.workdays.items())},
    }


@router.post(
    "/holiday-years",
    response={201: HolidayYearLoadOut},
    summary="导入年度放假安排（平台管理员）",
)
def holiday_year_load(request: HttpRequest, payload: HolidayYearLoadIn):
    """粘贴国务院办公厅放假安排通知全文（text），或逐项填写 holidays / workdays。导入后重新核对依赖该年的
    所有已保存期限，返回变化（旧日期→新日期）。"""
    report = services.holiday_year_load(
        year=payload.year,
        text=payload.text,
        holidays=payload.holidays,
        workdays=payload.workdays,
        source_title=payload.source_title,
        source_number=payload.source_number,
        actor=request.user,
    )
    return Status(
        201,
        {
            "holiday_year": report.holiday_year,
            "replaced_id": report.replaced.pk if report.replaced else None,
            "rechecked": report.rechecked,
            "changes": [c.as_summary() for c in report.changes],
        },
    )
