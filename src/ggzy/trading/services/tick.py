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
from ggzy.core import bulk, clock
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


TRANSITION_FIELDS = ("lot", "from_status", "to_status", "actor_id", "actor_label", "at", "reason", "version")
LOT_FIELDS = ("status", "status_changed_at", "version", "next_check_at")
BATCH = 500  # lots per transaction: large enough to amortise the commit, small enough to hold locks briefly


@dataclass
class _Lot:
    """A due lot as locked by the batch (plain values: no model instances on the hot path)."""

    pk: int
    code: str
    status: str
    since: dt.datetime
    version: int
    project_id: int
    project_code: str
    tenderer: str
    ruleset: tuple[str, int]


def _lock_due(ids: list[int], now: dt.datetime) -> list[_Lot]:
    """The lots of ``ids`` that are still due, locked until the transaction ends; a lot another
    tick holds (PostgreSQL: ``SKIP LOCKED``) or has just processed is left out. Only lot rows are
    locked (``OF self``): ticks on sibling lots do not wait on each other."""
    features = connection.features
    options: dict = {}
    if features.has_select_for_update_skip_locked:
        options["skip_locked"] = True
    if features.has_select_for_update_of:
        options["of"] = ("self",)
    rows = (
        Lot.objects.select_for_update(**options)
        .filter(pk__in=ids, next_check_at__lte=now)
        .order_by("id")
        .values_list(*_LOT_COLUMNS)
    )
    return [_Lot(*row[:8], ruleset=(row[8], row[9])) for row in rows]


_LOT_COLUMNS = (
    "id",
    "code",
    "status",
    "status_changed_at",
    "version",
    "project_id",
    "project__code",
    "project__tenderer_uscc",
    "project__ruleset_code",
    "project__ruleset_version",
)


def _pg_sql() -> tuple[str, str]:
    """The lock and the events statements on PostgreSQL: the ids travel as one array parameter
    (``core.bulk.pg_cursor``), not as 500 placeholders."""
    q = connection.ops.quote_name
    lot, project, event = (q(m._meta.db_table) for m in (Lot, Project, LotEvent))
    lock = (
        "SELECT l.id, l.code, l.status, l.status_changed_at, l.version, l.project_id, p.code, "
        "p.tenderer_uscc, p.ruleset_code, p.ruleset_version "
        f"FROM {lot} l JOIN {project} p ON p.id = l.project_id "
        # COALESCE keeps the planner on the primary key: with the bare ``next_check_at <= now`` it
        # may walk the next-check index over every due lot for each batch (EXPLAIN: 4x the rows)
        "WHERE l.id = ANY(%s::bigint[]) AND COALESCE(l.next_check_at, 'infinity') <= %s "
        "ORDER BY l.id FOR UPDATE OF l SKIP LOCKED"
    )
    events = f"SELECT lot_id, event, at FROM {event} WHERE lot_id = ANY(%s::bigint[])"
    return lock, events


def _lock_due_pg(ids: list[int], now: dt.datetime) -> tuple[list[_Lot], dict[int, dict[str, dt.datetime]]]:
    """The lock and the events of ``ids`` in one round trip (psycopg pipeline: BEGIN, both
    statements, one sync); events of a lot left out are read too and never used."""
    lock_sql, events_sql = _pg_sql()
    keys = bulk.pg_ids(ids)
    with bulk.pg_cursor() as lock, bulk.pg_cursor() as read:
        with lock.connection.pipeline():
            lock.execute(lock_sql, [keys, now], binary=True)
            read.execute(events_sql, [keys], binary=True)
        lots = [_Lot(*row[:8], ruleset=(row[8], row[9])) for row in lock.fetchall()]
        rows = read.fetchall()
    return lots, _events_by_lot(ids, rows)


def _events_by_lot(ids, rows) -> dict[int, dict[str, dt.datetime]]:
    events: dict[int, dict[str, dt.datetime]] = {pk: {} for pk in ids}
    for lot_id, event, at in rows:
        events[lot_id][event] = at
    return events


def _lock_with_events(
    ids: list[int], now: dt.datetime
) -> tuple[list[_Lot], dict[int, dict[str, dt.datetime]]]:
    """The due lots of ``ids``, locked (``_lock_due``), and their events by lot."""
    if connection.vendor == "postgresql":
        return _lock_due_pg(ids, now)
    lots = _lock_due(ids, now)
    keys = [lot.pk for lot in lots]
    rows = LotEvent.objects.filter(lot_id__in=keys).order_by().values_list("lot_id", "event", "at")
    return lots, _events_by_lot(keys, rows)


def _table(key: tuple[str, int], tables: dict[tuple[str, int], lifecycle.Table]) -> lifecycle.Table:
    if key not in tables:
        tables[key] = lifecycle.transition_table(selectors.ruleset_version(*key))
    return tables[key]


def _fail(report: TickReport, code: str, exc: Exception) -> None:
    """One broken lot (e.g. its rule set is missing) is reported and stops no other."""
    if isinstance(exc, DomainError):
        report.errors.append((code, exc.code, exc.message))
        log.warning("tick: lot %s: %s %s", code, exc.code, exc.message)
    else:
        report.errors.append((code, "tick.error", f"处理出错：{exc}"))
        log.exception("tick: lot %s", code, exc_info=exc)


def _tick_batch(
    ids: list[int], now: dt.datetime, tables: dict[tuple[str, int], lifecycle.Table], report: TickReport
) -> None:
    """Process the due lots of ``ids`` in one transaction: lock them, plan each one's moves from
    its events and the clock, then write every move with bulk statements — the audit events
    (chained in order, one head lock), the transition rows, the lot rows — and refresh the projects
    a move finished or started. A lot whose plan fails is reported and left untouched; a failing
    write rolls the whole batch back and the caller retries its lots one at a time."""
    with transaction.atomic():
        lots, events = _lock_with_events(ids, now)
        transitions: list[tuple] = []
        trail: list[dict] = []
        updates: list[tuple] = []
        refresh: dict[int, lifecycle.Table] = {}
        advanced = moves = 0
        for lot in lots:
            try:
                table = _table(lot.ruleset, tables)
                steps, next_check = plan(table, lot.status, lot.since, events[lot.pk], now)
            except Exception as exc:  # reported per lot
                _fail(report, lot.code, exc)
                continue
            status, version, since = lot.status, lot.version, lot.since
            for step in steps:
                version += 1
                transitions.append((lot.pk, status, step.to, None, ACTOR_LABEL, step.at, REASON, version))
                trail.append(
                    {
                        "actor": ACTOR,
                        "action": "lot.transition",
                        "object_type": "trading.lot",
                        "object_id": lot.code,
                        "summary": {
                            "from": status,
                            "to": step.to,
                            "reason": REASON,
                            "version": version,
                            "event": step.event,
                            "at": audit.at_text(step.at),
                        },
                        "project_ref": lot.project_code,
                        "entity_ref": lot.tenderer,
                    }
                )
                status, since = step.to, step.at
            updates.append((status, since, version, next_check, lot.pk))
            if steps:
                advanced += 1
                moves += len(steps)
                # A project's status changes only when a lot leaves draft or reaches a terminal status.
                if lot.status == lifecycle.DRAFT or table.is_terminal(status):
                    refresh[lot.project_id] = table
        # PostgreSQL: the head lock of the audit chain is one round trip, then the audit rows, the
        # new head, the transitions and the lot rows go in together (one more)
        with bulk.pipeline():
            audit.record_many(trail)
            bulk.insert(LotTransition, TRANSITION_FIELDS, transitions)
            bulk.update(Lot, LOT_FIELDS, updates)
        for project in Project.objects.filter(pk__in=list(refresh)).order_by("id"):
            refresh_project_status(project, refresh[project.pk])
    report.processed += len(updates)
    report.skipped += len(ids) - len(lots)
    report.advanced += advanced
    report.transitions += moves


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
    for first in range(0, len(ids), BATCH):
        batch = ids[first : first + BATCH]
        reported = len(report.errors)
        try:
            _tick_batch(batch, now, tables, report)
        except Exception:  # a write failed: retry the batch one lot at a time, so one lot stops no other
            log.warning(
                "tick: batch of %d lots failed, retrying them one at a time", len(batch), exc_info=True
            )
            del report.errors[reported:]  # the retries report them again
            for pk in batch:
                try:
                    _tick_batch([pk], now, tables, report)
                except Exception as exc:  # reported per lot
                    code = Lot.objects.filter(pk=pk).values_list("code", flat=True).first() or str(pk)
                    _fail(report, code, exc)
    return report
