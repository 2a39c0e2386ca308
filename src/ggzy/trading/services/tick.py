"""The tick: one idempotent job that moves every due lot into the stages whose time has come.

``tick_run`` selects the lots whose ``next_check_at`` has passed and processes each one in its own
transaction, with the lot row locked (``select_for_update(skip_locked=True)`` where the database
supports it, so two ticks running at once never process the same lot; SQLite serialises writers
at ``BEGIN IMMEDIATE``). After locking it checks again that the lot is still due: a lot another
tick has just processed is left alone.

The stored status is never trusted alone: for each lot the tick recomputes, from its ``LotEvent``
rows and the real clock, how far along the procedure the lot should be — walking the lifecycle
table one stage at a time while the next stage is entered at an event whose time has passed — and
moves it stage by stage, in order, one ``LotTransition`` and one audit event per stage. A
transition's time is the event's time, not the tick's, so a tick that runs late (after downtime)
writes the same history as one that ran on time. ``next_check_at`` then becomes the time of the
event that opens the next stage (None when there is none, or the lot is terminal).

Only time-driven stage entries are made here. Outcomes decided by facts (too few bids -> failed)
belong to the procedures that know those facts. The actor is the system (audit label
``系统:tick``); operators' permission checks do not apply to it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import connection, transaction

from ggzy.audit import services as audit
from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.trading import lifecycle, selectors
from ggzy.trading.models import Lot, LotEvent, LotTransition, Project
from ggzy.trading.services.projects import refresh_project_status

log = logging.getLogger(__name__)

ACTOR = "tick"  # audit.record labels it "系统:tick"
ACTOR_LABEL = f"{audit.SYSTEM_LABEL}:{ACTOR}"
REASON = "到达规定时间，系统自动进入该阶段"


@dataclass
class TickReport:
    now: dt.datetime
    due: int = 0  # lots selected as due
    processed: int = 0  # lots locked and examined (still due after locking)
    skipped: int = 0  # locked by another tick, or no longer due once locked
    advanced: int = 0  # lots that moved at least one stage
    transitions: int = 0  # stage moves written
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (lot code, code, message)

    def summary(self) -> str:
        when = self.now.astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M:%S")
        text = (
            f"[{when}] 定时检查：到期标段{self.due}个，已处理{self.processed}个，"
            f"推进{self.advanced}个标段共{self.transitions}次状态变更，跳过{self.skipped}个"
        )
        if self.errors:
            text += f"，出错{len(self.errors)}个"
        return text


@dataclass(frozen=True)
class Step:
    to: str
    at: dt.datetime
    event: str


def plan(
    table: lifecycle.Table, status: str, since: dt.datetime, events: dict[str, dt.datetime], now: dt.datetime
) -> tuple[list[Step], dt.datetime | None]:
    """The stage moves due for a lot in ``status`` (entered at ``since``) at ``now``, in order, and
    the time of its next check. A step's time is its event's time, never before the step before it.

    The walk follows the table one stage at a time: the next stage is the first allowed move that
    is neither ``terminated`` nor ``failed``; it is taken when that stage is entered at an event
    whose stored time has passed. A stage entered by a person (no event) or an event not yet
    computed stops the walk.
    """
    steps: list[Step] = []
    last = since
    while not table.is_terminal(status):
        nxt = next(
            (s for s in table.next_statuses(status) if s not in (lifecycle.TERMINATED, lifecycle.FAILED)),
            None,
        )
        event = table.events.get(nxt) if nxt else None
        at = events.get(event) if event else None
        if nxt is None or at is None:
            return steps, None
        if at > now:
            return steps, at
        last = max(at, last)
        steps.append(Step(to=nxt, at=last, event=event))
        status = nxt
    return steps, None


def _lock_due(pk: int, now: dt.datetime) -> Lot | None:
    """The lot, locked, if it is still due; None if another tick holds it or has just done it.
    Only the lot row is locked (``of=("self",)``): ticks on sibling lots do not wait on each other."""
    features = connection.features
    options: dict = {}
    if features.has_select_for_update_skip_locked:
        options["skip_locked"] = True
    if features.has_select_for_update_of:
        options["of"] = ("self",)
    qs = Lot.objects.select_for_update(**options).select_related("project")
    found = list(qs.filter(pk=pk, next_check_at__lte=now).order_by()[:1])
    return found[0] if found else None


def _record_transition(lot: Lot, project: Project, step: Step, from_status: str) -> None:
    """One stage move at the event's time, the way ``lot_transition`` records it (the row is
    locked by the caller; the caller saves the lot)."""
    lot.status = step.to
    lot.status_changed_at = step.at
    lot.version += 1
    LotTransition.objects.create(
        lot=lot,
        from_status=from_status,
        to_status=step.to,
        actor_id=None,
        actor_label=ACTOR_LABEL,
        at=step.at,
        reason=REASON,
        version=lot.version,
    )
    audit.record(
        actor=ACTOR,
        action="lot.transition",
        object_type="trading.lot",
        object_id=lot.code,
        summary={
            "from": from_status,
            "to": step.to,
            "reason": REASON,
            "version": lot.version,
            "event": step.event,
            "at": audit.at_text(step.at),
        },
        project_ref=project.code,
        entity_ref=project.tenderer_uscc,
    )


def _tick_lot(pk: int, now: dt.datetime, tables: dict[tuple[str, int], lifecycle.Table]) -> int | None:
    """Process one lot in its own transaction. Returns the number of moves, None when skipped."""
    with transaction.atomic():
        lot = _lock_due(pk, now)
        if lot is None:
            return None
        project = lot.project
        key = (project.ruleset_code, project.ruleset_version)
        if key not in tables:
            tables[key] = selectors.table_of(project)
        table = tables[key]
        events = dict(LotEvent.objects.filter(lot_id=lot.pk).order_by().values_list("event", "at"))
        steps, next_check = plan(table, lot.status, lot.status_changed_at, events, now)
        first = lot.status
        for step in steps:
            _record_transition(lot, project, step, lot.status)
        lot.next_check_at = next_check
        fields = ["next_check_at"]
        if steps:
            fields += ["status", "status_changed_at", "version"]
        lot.save(update_fields=fields)
        # The project's status changes only when a lot leaves draft or reaches a terminal status.
        if steps and (first == lifecycle.DRAFT or table.is_terminal(lot.status)):
            refresh_project_status(project, table)
        return len(steps)


def tick_run(*, now: dt.datetime | None = None, limit: int | None = None) -> TickReport:
    """Advance every lot whose next check time has passed. Idempotent: running it twice, late or
    concurrently gives the same lots, statuses and transitions.

    ``now`` may only hold time back (a check "as of" an earlier instant); it is never later than
    the real clock. ``limit`` caps the lots processed in this run (the earliest due first).
    """
    real = clock.now()
    now = real if now is None else min(now, real)
    report = TickReport(now=now)
    due = Lot.objects.filter(next_check_at__lte=now).order_by("next_check_at", "id")
    ids = list((due[:limit] if limit else due).values_list("id", flat=True))
    report.due = len(ids)
    tables: dict[tuple[str, int], lifecycle.Table] = {}
    for pk in ids:
        try:
            moved = _tick_lot(pk, now, tables)
        except Exception as exc:  # one broken lot (e.g. its rule set is missing) stops no other
            code = Lot.objects.filter(pk=pk).values_list("code", flat=True).first() or str(pk)
            if isinstance(exc, DomainError):
                report.errors.append((code, exc.code, exc.message))
                log.warning("tick: lot %s: %s %s", code, exc.code, exc.message)
            else:
                report.errors.append((code, "tick.error", f"处理出错：{exc}"))
                log.exception("tick: lot %s", code)
            continue
        if moved is None:
            report.skipped += 1
            continue
        report.processed += 1
        if moved:
            report.advanced += 1
            report.transitions += moved
    return report
