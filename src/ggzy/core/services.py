"""Writes for core: loading a year's holiday schedule and computing stored deadlines.

Both write their audit event through ``ggzy.audit.services.record`` in the same transaction (the one
import from core into another app, allowed by an explicit ``ignore_imports`` line in the
import-linter contract: audit is the platform's trail and depends on core only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from ggzy.audit.services import record
from ggzy.core import calendar, clock, holidays, selectors
from ggzy.core.errors import Conflict, InvalidInput, NotAuthenticated
from ggzy.core.models import CalendarDeadline, HolidayYear, PeriodDirection, PeriodKind

# Sent after commit when loading a year changed stored deadlines: ``changes`` is a list of
# DeadlineChange.as_summary() dicts. Apps that own deadlines (trading ...) listen to reschedule.
deadlines_rechecked = Signal()


def _label(actor: Any) -> str:
    if hasattr(actor, "audit_label"):
        return actor.audit_label()
    return str(actor)


def _apply(deadline: CalendarDeadline, result: calendar.PeriodResult, *, recheck: bool) -> None:
    deadline.raw_date = result.raw_end
    deadline.result = result.end
    deadline.provisional = result.provisional
    deadline.provisional_years = list(result.provisional_years)
    deadline.first_year = min(result.years)
    deadline.last_year = max(result.years)
    deadline.explanation = "\n".join(result.explanation)
    deadline.computed_at = clock.now()
    if recheck:
        deadline.recomputed_count += 1


@dataclass
class LoadReport:
    holiday_year: HolidayYear
    replaced: HolidayYear | None
    rechecked: int
    changes: list[selectors.DeadlineChange] = field(default_factory=list)


@transaction.atomic
def holiday_year_load(
    *,
    year: Any,
    text: str | None = None,
    holidays: Any = None,
    workdays: Any = None,
    source_title: str = "",
    source_number: str = "",
    actor: Any,
) -> LoadReport:
    """Load (or reload, superseding) a year's schedule from the notice text or from date lists,
    then re-check every stored deadline that depends on it, in this same transaction."""
    preview = selectors.holiday_year_preview(
        year=year,
        text=text,
        holidays_list=holidays,
        workdays_list=workdays,
        source_title=source_title,
        source_number=source_number,
        actor=actor,
    )  # checks "calendar.load_year" and validates everything before anything is written
    y = preview.year
    holidays_json = _to_json(preview.parsed.holidays)
    workdays_json = _to_json(preview.parsed.workdays)
    previous = HolidayYear.objects.select_for_update().filter(year=y, current=True).first()
    if (
        previous is not None
        and previous.holidays == holidays_json
        and previous.workdays == workdays_json
        and previous.source_title == preview.source_title
        and previous.source_number == preview.source_number
    ):
        raise Conflict("holiday_year.unchanged", f"{y}年的放假安排已导入，内容完全相同，无需重复导入")
    now = clock.now()
    if previous is not None:
        previous.current = False
        previous.superseded_at = now
        previous.save(update_fields=["current", "superseded_at"])
    row = HolidayYear.objects.create(
        year=y,
        holidays=holidays_json,
        workdays=workdays_json,
        source_title=preview.source_title,
        source_number=preview.source_number,
        source_text=(text or "").strip(),
        loaded_at=now,
        loaded_by=_label(actor),
        current=True,
    )
    table = selectors.holiday_table()
    rechecks = selectors.deadline_rechecks(table, preview.affected_years)
    changes = []
    for c in rechecks:
        _apply(c.deadline, c.result, recheck=True)
        c.deadline.save(
            update_fields=[
                "raw_date",
                "result",
                "provisional",
                "provisional_years",
                "first_year",
                "last_year",
                "explanation",
                "computed_at",
                "recomputed_count",
            ]
        )
        if c.changed or c.was_provisional != c.result.provisional:
            changes.append(c)
    summary = {
        "year": y,
        "source": row.source_label,
        "from_text": bool(text and text.strip()),
        "holidays": sorted(holidays_json),
        "workdays": sorted(workdays_json),
        "replaced": previous.pk if previous else None,
        "previous_source": preview.current_source,
        "agrees_with_builtin": preview.agrees_with_builtin,
        "rechecked": len(rechecks),
        "deadline_changes": [c.as_summary() for c in changes],
    }
    record(
        actor=actor,
        action="calendar.holiday_year_load",
        object_type="holiday_year",
        object_id=y,
        summary=summary,
    )
    if changes:
        payload = [c.as_summary() for c in changes]
        transaction.on_commit(lambda: deadlines_rechecked.send(sender=HolidayYear, year=y, changes=payload))
    return LoadReport(row, previous, len(rechecks), changes)


def _to_json(days: dict[dt.date, str]) -> dict[str, str]:
    return holidays.to_json(days)


@transaction.atomic
def deadline_compute(
    *,
    purpose: str,
    start: Any,
    days: Any,
    kind: str = PeriodKind.CALENDAR,
    direction: str = PeriodDirection.FORWARD,
    owner_type: str = "",
    owner_id: Any = "",
    actor: Any,
    record_audit: bool = True,
) -> CalendarDeadline:
    """Compute a statutory date and keep it, so it is re-checked when a year's table is loaded.

    The calling service decides who may attach a deadline to its object (it has checked its own
    permission); this one only requires an authenticated actor. A service that computes deadlines as
    part of its own change passes ``record_audit=False`` and puts ``deadline_summary(d)`` into its
    own single audit event.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated("auth.required", "请先登录后再计算法定期限")
    purpose = (purpose or "").strip()
    if not purpose:
        raise InvalidInput("deadline.purpose_required", "请填写期限的用途", field="purpose")
    if len(purpose) > 200 or len(str(owner_type)) > 50 or len(str(owner_id)) > 100:
        raise InvalidInput("deadline.too_long", "用途或所属对象标识过长", field="purpose")
    result = selectors.period(start, days, kind=kind, direction=direction)
    deadline = CalendarDeadline(
        purpose=purpose,
        owner_type=str(owner_type),
        owner_id=str(owner_id),
        start=result.start,
        days=result.days,
        kind=result.kind,
        direction=result.direction,
    )
    _apply(deadline, result, recheck=False)
    deadline.save()
    if record_audit:
        record(
            actor=actor,
            action="calendar.deadline_compute",
            object_type="calendar_deadline",
            object_id=deadline.pk,
            summary=deadline_summary(deadline),
        )
    return deadline


def deadline_summary(d: CalendarDeadline) -> dict[str, Any]:
    return {
        "id": d.pk,
        "purpose": d.purpose,
        "owner": f"{d.owner_type}:{d.owner_id}" if d.owner_type else "",
        "start": d.start.isoformat(),
        "days": d.days,
        "kind": d.kind,
        "direction": d.direction,
        "result": d.result.isoformat(),
        "provisional_years": list(d.provisional_years),
    }
