"""Reads of trade projects and lots, access checks, and the trading app's window on the rules app.

Trading never reads the rules app's models: it asks ``ggzy.rules.selectors`` (rule sets) and
``ggzy.rules.scope`` (mandatory scope, splitting) through the functions below, which tests may
replace. Projects and lots are public (seed 三(五)); their transitions too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from ggzy.core import clock
from ggzy.core import selectors as core_selectors
from ggzy.core.calendar import HolidayTable, provisional_note
from ggzy.core.errors import DomainError, NotFound
from ggzy.core.permissions import allowed
from ggzy.rules import events as rules_events
from ggzy.rules import scope as rules_scope
from ggzy.rules import selectors as rules_selectors
from ggzy.rules.schema import RuleSet
from ggzy.trading import lifecycle, timeline
from ggzy.trading.models import Lot, LotEvent, Project


# --- the rules app ---------------------------------------------------------------------------
def ruleset_effective(code: str, on: dt.date) -> RuleSet:
    """The version of rule set ``code`` in force on ``on`` (a project keeps it for ever)."""
    return rules_selectors.ruleset_effective(code, on)


def ruleset_version(code: str, version: int) -> RuleSet:
    return rules_selectors.ruleset_version(code, version)


def rulesets_published() -> list[RuleSet]:
    return list(rules_selectors.rulesets_published())


def event_label(event: str) -> str:
    return rules_events.EVENTS.get(event, event)


@dataclass(frozen=True)
class ScopeDecision:
    """Whether the project must trade on the platform, and why (recorded on the project)."""

    required: bool | None  # None: no mandatory-scope rule available to decide
    basis: str


def mandatory_scope(
    *, category: str, item_kind: str, estimate: Decimal, public_funded: bool
) -> ScopeDecision:
    """Ask ``ggzy.rules.scope.must_trade_on_platform`` (recorded on the project)."""
    decision = rules_scope.must_trade_on_platform(category, item_kind, estimate, public_funded)
    basis = decision.reason_zh
    citation = getattr(decision, "citation", None)
    if citation is not None:
        basis = f"{basis}（{citation.label()}）"
    return ScopeDecision(bool(decision.must), basis[:500])


@dataclass(frozen=True)
class PriorProject:
    """A tenderer's project, as the splitting check sees it."""

    code: str
    name: str
    tenderer_uscc: str
    category: str
    item_kind: str
    estimate: Decimal
    registered_on: dt.date


@dataclass(frozen=True)
class Splitting:
    """A suspected split: the earlier projects that, with the new one, look like one project cut up
    to stay under a threshold (招标投标法第四条)."""

    related: list[PriorProject]
    total: Decimal
    explanation: str


def splitting_suspects(*, new: PriorProject, recent: list[PriorProject]) -> Splitting | None:
    """Ask ``ggzy.rules.scope.splitting_suspects`` about ``new`` and the tenderer's ``recent``
    projects. None without a suspect."""

    def ref(p: PriorProject) -> Any:
        return rules_scope.ProjectRef(p.tenderer_uscc, p.registered_on, p.item_kind, p.estimate)

    found = rules_scope.splitting_suspects([ref(p) for p in recent], ref(new))
    if not found:
        return None
    suspect = found[0]
    unused = list(recent)
    related = []
    for member in suspect.projects[:-1]:  # the new project is last
        for p in unused:
            if ref(p) == member:
                related.append(p)
                unused.remove(p)
                break
    return Splitting(related=related, total=suspect.total, explanation=suspect.explanation_zh)


# --- projects and lots ------------------------------------------------------------------------
def project_get(code: str) -> Project:
    found = Project.objects.select_related("service_center").filter(code=(code or "").strip().upper()).first()
    if found is None:
        raise NotFound("project.not_found", f"未找到项目编号为“{code}”的交易项目")
    return found


def audit_scope(code: str) -> Any:
    """The project ``code`` as a scope of the audit trail (``audit.scopes``): its reference, region
    and category, on which a supervisor's right to read its trail is checked."""
    return project_scope(project_get(code))


def project_scope(p: Project) -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(project_ref=p.code, region_code=p.region_code, category=p.category, name=p.name)


def lot_get(code: str) -> Lot:
    found = Lot.objects.select_related("project").filter(code=(code or "").strip().upper()).first()
    if found is None:
        raise NotFound("lot.not_found", f"未找到编号为“{code}”的标段（包）")
    return found


def _region_prefix(code: str) -> str:
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def project_search(
    *, category: str = "", region: str = "", status: str = "", q: str = ""
) -> QuerySet[Project]:
    qs = Project.objects.select_related("service_center")
    if category:
        qs = qs.filter(category=category)
    region = (region or "").strip()
    if len(region) == 6 and region.isdigit():
        qs = qs.filter(region_code__startswith=_region_prefix(region))
    if status:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q.upper()) | Q(tenderer_name__icontains=q))
    return qs.order_by("-registered_at", "-id")


def projects_for_console(user: Any) -> QuerySet[Project]:
    """The projects an account works on: its platform's (operators) or its entity's (tenderer or agency)."""
    from ggzy.entities.selectors import entity_of_user

    role = getattr(user, "role", "")
    if role == "operator" and user.service_center_id:
        return project_search(region=user.service_center.region_id)
    if role in ("entity_admin", "entity_member"):
        entity = entity_of_user(user)
        if entity is None:
            return Project.objects.none()
        return Project.objects.filter(Q(tenderer_uscc=entity.uscc) | Q(agency_uscc=entity.uscc)).order_by(
            "-registered_at"
        )
    return Project.objects.none()


def may_register_for(
    actor: Any, *, region_code: str, category: str, tenderer_uscc: str, agency_uscc: str
) -> bool:
    """``trade.register`` on the project: an operator of the region's platform, or an account of
    the tenderer or of the agency."""
    for uscc in filter(None, (tenderer_uscc, agency_uscc)):
        obj = _Scope(region_code, category, uscc)
        if allowed(actor, "trade.register", obj):
            return True
    return allowed(actor, "trade.register", _Scope(region_code, category, ""))


@dataclass(frozen=True)
class _Scope:
    region_code: str
    category: str
    uscc: str


def can_add_lot(viewer: Any, project: Project) -> bool:
    return may_register_for(
        viewer,
        region_code=project.region_code,
        category=project.category,
        tenderer_uscc=project.tenderer_uscc,
        agency_uscc=project.agency_uscc,
    )


def can_operate(viewer: Any, project: Project) -> bool:
    return allowed(viewer, "trade.operate", project)


def table_of(project: Project) -> lifecycle.Table:
    return lifecycle.transition_table(ruleset_version(project.ruleset_code, project.ruleset_version))


def _source_label(basis: str) -> str:
    """How a stored time was obtained (``LotEvent.basis`` starts with it), e.g. "操作人员确定"."""
    return next((text for text in timeline.SOURCE_LABELS.values() if basis.startswith(text)), "")


def _local_text(at: dt.datetime, seconds: bool) -> str:
    return at.astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def schedule_table(
    ruleset: RuleSet,
    times: dict[str, dt.datetime],
    holidays: HolidayTable,
    factor: int = 1,
    *,
    provisional: Any = (),
    sources: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """A timeline as its pages show it (``trading/_lot_timeline.html``): every event of the rule
    set with its Beijing time, the stage it opens, each period ending at it with the article, and
    provisional (暂定) and accelerated marks. ``sources``: event -> how its time was obtained."""
    sources = sources or {}
    out = []
    for r in timeline.schedule_rows(ruleset, times, holidays, factor=factor, provisional=provisional):
        out.append(
            {
                "event": r.event,
                "label": r.label,
                "stage": r.stage or "",
                "at": r.at,
                "at_text": _local_text(r.at, r.accelerated) if r.at else "待定",
                "source": sources.get(r.event, ""),
                "provisional": r.provisional,
                "provisional_note": r.provisional_note,
                "accelerated": r.accelerated,
                "satisfied": r.satisfied,
                "requirements": [
                    {
                        "text": q.text,
                        "article": q.basis.label(),
                        "satisfied": q.satisfied,
                        "limit": q.limit,
                        "provisional_note": provisional_note(q.provisional_years),
                    }
                    for q in r.requirements
                ],
            }
        )
    return out


def lot_schedule_rows(
    lot: Lot, ruleset: RuleSet, holidays: HolidayTable, factor: int = 1, events: list[LotEvent] | None = None
) -> list[dict[str, Any]]:
    """The lot's stored timeline for its pages (``schedule_table``; empty until it is scheduled)."""
    known = set(timeline.events_of(ruleset))
    stored = {e.event: e for e in (events if events is not None else lot.events.all()) if e.event in known}
    if not stored:
        return []
    return schedule_table(
        ruleset,
        {ev: e.at for ev, e in stored.items()},
        holidays,
        factor,
        provisional=[ev for ev, e in stored.items() if e.provisional],
        sources={ev: _source_label(e.basis) for ev, e in stored.items()},
    )


def ruleset_of(project: Project) -> RuleSet:
    """The project's own rule set version."""
    return ruleset_version(project.ruleset_code, project.ruleset_version)


def lot_anchor_times(lot: Lot) -> dict[str, dt.datetime]:
    """The times the operator chose when the lot was scheduled (Beijing time, naive, for a form)."""
    chosen = timeline.SOURCE_LABELS[timeline.ANCHOR]
    return {
        e.event: e.at.astimezone(clock.CHINA).replace(tzinfo=None)
        for e in lot.events.all()
        if e.basis.startswith(chosen)
    }


@dataclass(frozen=True)
class SchedulePreview:
    """What the scheduling form shows before anything is stored."""

    bounds: dict[str, dict[str, str]]  # event -> {"earliest", "latest"} or {"exact"} (with the article)
    errors: list[Any]  # FieldError per violation (as ``services.lot_schedule`` would refuse them)
    rows: list[dict[str, Any]]  # the timeline the anchors give (``schedule_table``)


def _bound_text(b: timeline.Bound | None) -> str:
    if b is None:
        return ""
    return f"{b.describe()}（{b.basis.label()}）{provisional_note(b.provisional_years)}"


def schedule_preview(lot: Lot, anchors: dict[str, dt.datetime]) -> SchedulePreview:
    """The earliest and latest lawful time of every event given the other anchors, the violations
    and the resulting timeline: no write (the service checks again when the operator saves)."""
    project = lot.project
    ruleset = ruleset_of(project)
    holidays = core_selectors.holiday_table()
    factor = project.acceleration
    fixed = {
        ev: t if t.tzinfo else t.replace(tzinfo=clock.CHINA) for ev, t in anchors.items() if t is not None
    }
    try:
        bounds = timeline.anchor_bounds(ruleset, fixed, holidays, factor=factor)
        errors: list[Any] = []
        try:
            tl = timeline.lawful_timeline(ruleset, fixed, holidays, factor)
        except DomainError as exc:
            errors = list(exc.errors or [exc])
            tl = timeline.compute(ruleset, fixed, holidays, factor=factor)
    except DomainError as exc:
        return SchedulePreview({}, list(exc.errors or [exc]), [])
    rows = []
    if fixed:
        rows = schedule_table(
            ruleset,
            tl.times_by_event(),
            holidays,
            factor,
            provisional=[e.event for e in tl.events if e.provisional],
            sources={e.event: timeline.SOURCE_LABELS[e.source] for e in tl.events},
        )
    shown = {}
    for ev, (lo, hi) in bounds.items():
        if lo is not None and hi is not None and lo.at == hi.at:
            shown[ev] = {"exact": _bound_text(lo)}  # e.g. the opening at the bid deadline
        else:
            shown[ev] = {"earliest": _bound_text(lo), "latest": _bound_text(hi)}
    return SchedulePreview(shown, errors, rows)


def lot_rows(
    project: Project,
    table: lifecycle.Table | None,
    ruleset: RuleSet | None = None,
    holidays: HolidayTable | None = None,
) -> list[dict[str, Any]]:
    rows = []
    for lot in project.lots.order_by("number"):
        events = list(lot.events.order_by("at", "id"))
        rows.append(
            {
                "lot": lot,
                "code": lot.code,
                "number": lot.number,
                "name": lot.name,
                "estimate": lot.estimate,
                "status": lot.status,
                "status_label": table.label(lot.status) if table else lot.status,
                "status_changed_at": lot.status_changed_at,
                "version": lot.version,
                "next": [{"code": s, "label": table.label(s)} for s in table.next_statuses(lot.status)]
                if table
                else [],
                "transitions": [
                    {
                        "from_status": t.from_status,
                        "from_label": table.label(t.from_status) if table else t.from_status,
                        "to_status": t.to_status,
                        "to_label": table.label(t.to_status) if table else t.to_status,
                        "actor_label": t.actor_label,
                        "at": t.at,
                        "reason": t.reason,
                    }
                    for t in lot.transitions.order_by("at", "id")
                ],
                "events": [
                    {
                        "event": e.event,
                        "label": event_label(e.event),
                        "at": e.at,
                        "provisional": e.provisional,
                        "basis": e.basis,
                    }
                    for e in events
                ],
                "schedule": lot_schedule_rows(lot, ruleset, holidays, project.acceleration, events)
                if ruleset is not None and holidays is not None
                else [],
            }
        )
    return rows


def project_detail(project: Project, *, schedule: bool = False) -> dict[str, Any]:
    """Everything the public project page and the API show (all of it public); with ``schedule``
    each lot's row has its computed timeline (``lot_schedule_rows``, for the pages)."""
    try:
        ruleset = ruleset_version(project.ruleset_code, project.ruleset_version)
    except NotFound:
        ruleset = table = None
    else:
        table = lifecycle.transition_table(ruleset)
    holidays = core_selectors.holiday_table() if schedule and ruleset is not None else None
    return {
        "project": project,
        "table": table,
        "lots": lot_rows(project, table, ruleset, holidays),
        "statuses": [{"code": s, "label": table.label(s)} for s in table.statuses] if table else [],
    }


def lot_event_time(lot: Lot, event: str) -> LotEvent | None:
    return LotEvent.objects.filter(lot=lot, event=event).first()


def project_names() -> set[str]:
    """Names of all registered projects (the demo loader keeps itself idempotent with them)."""
    return set(Project.objects.values_list("name", flat=True))


# --- notices -----------------------------------------------------------------------------------
NOTICES_VERSION_KEY = "notices-version:v1"


def notices_version() -> int:
    """Changes whenever a notice is published: the highest notice id (one index lookup). Public
    page caches key on it. Kept in the cache for ``GGZY_NOTICES_VERSION_SECONDS`` (a publication
    deletes it on commit, ``services.notices``), so a cached page needs no database at all."""
    from django.conf import settings
    from django.core.cache import cache

    seconds = settings.GGZY_NOTICES_VERSION_SECONDS
    if seconds <= 0:
        return _highest_notice_id()
    return cache.get_or_set(NOTICES_VERSION_KEY, _highest_notice_id, seconds)


def _highest_notice_id() -> int:
    from django.db import connection

    from ggzy.trading.models import Notice

    # plain SQL: asked on every public page request, and the ORM took longer to compile the query
    # than the database takes to answer it from the primary key
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(Notice._meta.db_table)}")
        return cursor.fetchone()[0] or 0


def notice_get(number: str):
    from ggzy.trading.models import Notice

    # order_by(): a unique key needs no ORDER BY (``first()`` would add one, and the model's
    # default ordering costs the ORM more to compile than the query costs to run)
    rows = list(
        Notice.objects.select_related("project", "lot", "amends").order_by().filter(number=number)[:1]
    )
    found = rows[0] if rows else None
    if found is None:
        raise NotFound("notice.not_found", f"未找到编号为“{number}”的公告")
    return found


def notice_page(number: str):
    """A notice with what its public page shows (and nothing more: the page's first render is what
    a visitor waits for; docs/benchmarks.md (p)), and its amendments oldest first."""
    from ggzy.trading.models import Notice

    rows = list(
        Notice.objects.select_related("project", "amends")
        .only(
            "number",
            "title",
            "body_html",
            "published_by_label",
            "published_at",
            "project__code",
            "amends__number",
            "amends__title",
        )
        .order_by()
        .filter(number=number)[:1]
    )
    if not rows:
        raise NotFound("notice.not_found", f"未找到编号为“{number}”的公告")
    notice = rows[0]
    amendments = sorted(
        notice.amendments.order_by().only("number", "title", "published_at"),
        key=lambda a: (a.published_at, a.id),
    )
    return notice, amendments


def notice_amendments(notice) -> list:
    """The amendments and clarifications of ``notice``, oldest first. Sorted here, not by the
    database (``order_by()`` drops the model's default ordering too): with ``ORDER BY published_at``
    SQLite's planner walks the whole publication-time index instead of the ``amends`` index, a
    full scan per notice page (108 ms at 20,000 notices, 0.2 ms by the index). A notice has a
    handful of amendments at most."""
    return sorted(notice.amendments.order_by(), key=lambda a: (a.published_at, a.id))


def notice_search(*, kind: str = "", category: str = "", region: str = ""):
    """Published notices (all public), newest first; ``region`` matches the project's region prefix."""
    from ggzy.trading.models import Notice

    qs = Notice.objects.select_related("project", "lot")
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = qs.filter(project__category=category)
    if region:
        qs = qs.filter(project__region_code__startswith=_region_prefix(region))
    return qs.order_by("-published_at", "-id")


def lot_notices(lot: Lot, kinds: tuple[str, ...] | list[str]) -> list[Any]:
    """The lot's published notices of ``kinds``, oldest first (the evaluation app's chain links)."""
    from ggzy.trading.models import Notice

    return list(
        Notice.objects.filter(lot_id=lot.pk, kind__in=list(kinds))
        .only("number", "title", "kind", "published_at")
        .order_by("published_at", "id")
    )
