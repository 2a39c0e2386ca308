"""Schedules and notices: a lot's statutory timeline, publishing notices, amendments.

- ``lot_schedule`` computes the lot's timeline (``trading.timeline``) from the project's rule set
  version, the platform's holiday table and the acceleration factor; unlawful dates are refused
  with the article; the times are stored as ``LotEvent`` rows.
- ``notice_publish`` runs the fair-competition check (``trading.fairness``) on every text of the
  notice; each finding must be fixed or overridden with a reason; renders the kind's template,
  sanitises the free text with nh3, stores the notice for ever (no service updates a notice).
- ``notice_amend`` publishes an amendment linked to the notice it amends and, when it affects bid
  preparation fewer than 15 days before the deadline, moves the deadline and the events after it
  (招标投标法第二十三条; 政府采购法实施条例第三十一条).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import nh3
from django.db import transaction
from django.template.loader import render_to_string

from ggzy.audit import services as audit
from ggzy.core import clock
from ggzy.core import selectors as core_selectors
from ggzy.core.errors import Conflict, FieldError, InvalidInput, invalid
from ggzy.core.permissions import require
from ggzy.rules import events as rules_events
from ggzy.rules.schema import RuleSet
from ggzy.trading import fairness, lifecycle, notice_fields, selectors, timeline
from ggzy.trading.models import Lot, LotEvent, Notice, NoticeKind, Project
from ggzy.trading.services.projects import _actor_ref, _next_check, lot_transition

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td"}
FREE_TEXT_MAX = 50_000
TITLE_MAX = 300
REASON_MAX = 500
MAX_NOTICES = 99  # numbers are the project code + "-G" + 2 digits
AMENDING_KINDS = (NoticeKind.AMENDMENT, NoticeKind.CLARIFICATION)
# Notices that open a lot's competition: publishing one moves a scheduled draft lot into its first stage.
OPENING_KINDS = (NoticeKind.TENDER, NoticeKind.PREQUALIFICATION, NoticeKind.LISTING)
DEADLINE_EVENTS = ("bid_deadline", "response_deadline", "registration_deadline", "listing_end")


def sanitise(html: str) -> str:
    """The free text of a notice with only basic tags (scripts, styles and attributes removed)."""
    return nh3.clean(html or "", tags=ALLOWED_TAGS, attributes={})


def _ruleset(project: Project) -> RuleSet:
    return selectors.ruleset_version(project.ruleset_code, project.ruleset_version)


def _basis_label(e: timeline.TimelineEvent) -> str:
    text = timeline.SOURCE_LABELS.get(e.source, e.source)
    if e.basis is not None:
        text += f"（{e.basis.label()}）"
    return (text + e.provisional_note)[:300]


def _parse_anchors(anchors: Mapping[str, Any]) -> dict[str, dt.datetime]:
    out, errors = {}, []
    for event, value in (anchors or {}).items():
        if value in (None, ""):
            continue
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value)
            except ValueError:
                errors.append(
                    FieldError("timeline.time_invalid", f"{timeline.label(event)}应为日期和时间", event)
                )
                continue
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=clock.CHINA)
        out[event] = value
    if errors:
        raise invalid(errors, "时间安排")
    if not out:
        raise InvalidInput(
            "schedule.anchors_required", "请至少填写一个时间节点（如公告发布时间、投标截止时间）"
        )
    return out


def _store_events(lot: Lot, tl: timeline.Timeline, now: dt.datetime) -> list[dict[str, Any]]:
    """Replace the lot's event rows with the timeline's scheduled events."""
    rows = []
    LotEvent.objects.filter(lot=lot).delete()
    for e in tl.events:
        if e.at is None:
            continue
        LotEvent.objects.create(
            lot=lot, event=e.event, at=e.at, provisional=e.provisional, basis=_basis_label(e), updated_at=now
        )
        rows.append({"event": e.event, "at": e.at.isoformat(), "provisional": e.provisional})
    return rows


@transaction.atomic
def lot_schedule(*, lot: Lot, anchors: Mapping[str, Any], actor: Any) -> Lot:
    """Compute and store the lot's timeline from the operator's ``anchors`` (event -> time).

    Refused (nothing written) when a date breaks a period of the rule set: the message cites the
    article and names the earliest (or latest) lawful date (``timeline.period_too_short`` …); the
    anchors are checked among themselves, then against the events computed from them (an opening
    chosen before the computed bid deadline is refused too). Each error names its event (``field``).
    Only a lot still in "draft" is scheduled here; later changes go through ``notice_amend``."""
    locked = Lot.objects.select_for_update().select_related("project").get(pk=lot.pk)
    project = locked.project
    require(actor, "trade.operate", locked)
    if locked.status != lifecycle.DRAFT:
        raise Conflict(
            "schedule.locked",
            f"标段（包）“{locked.name}”已进入交易，时间安排只能通过发布更正（澄清）公告变更",
        )
    ruleset = _ruleset(project)
    fixed = _parse_anchors(anchors)
    table = core_selectors.holiday_table()
    factor = project.acceleration
    tl = timeline.lawful_timeline(ruleset, fixed, table, factor)
    now = clock.now()
    rows = _store_events(locked, tl, now)
    locked.next_check_at = _next_check(locked, selectors.table_of(project))
    locked.version += 1
    locked.save(update_fields=["next_check_at", "version"])
    audit.record(
        actor=actor,
        action="lot.schedule",
        object_type="trading.lot",
        object_id=locked.code,
        summary={
            "anchors": {k: v.isoformat() for k, v in fixed.items()},
            "events": rows,
            "factor": factor,
            "provisional_years": list(tl.provisional_years),
        },
        project_ref=project.code,
        entity_ref=project.tenderer_uscc,
    )
    return locked


# --- notices ---------------------------------------------------------------------------------
def _texts(title: str, free_text: str, data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """(field, text) of every text the fair-competition check reads."""
    out = []
    if not prefix:
        out = [("title", title), ("free_text", free_text)]
    if isinstance(data, Mapping):
        for key, value in data.items():
            out += _texts("", "", value, f"{prefix}{key}.")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _texts("", "", value, f"{prefix}{i}.")
    elif isinstance(data, str) and prefix:
        out.append((prefix.rstrip("."), data))
    return [(f, t) for f, t in out if t]


def fairness_findings(*, project: Project, title: str, free_text: str, data: Any) -> list[dict[str, Any]]:
    """Every finding of the fair-competition check in the notice's texts (field + offsets)."""
    found = []
    for field, text in _texts(title, free_text, data):
        for f in fairness.check(text, category=project.category):
            found.append({"field": field, **f.as_dict(), "articles_label": f.articles})
    return found


def _overrides(overrides: Any, actor_label: str) -> dict[str, dict[str, str]]:
    """code -> {code, reason, by}; only overrides with a non-empty reason count."""
    out: dict[str, dict[str, str]] = {}
    items = overrides.items() if isinstance(overrides, Mapping) else None
    if items is None:
        items = [(o.get("code", ""), o.get("reason", "")) for o in overrides or [] if isinstance(o, Mapping)]
    for code, reason in items:
        reason = str(reason or "").strip()
        if code and reason:
            if len(reason) > REASON_MAX:
                raise InvalidInput("notice.override_too_long", f"保留理由不能超过{REASON_MAX}字", field=code)
            out[str(code)] = {"code": str(code), "reason": reason, "by": actor_label}
    return out


def _refuse_unfair(uncovered: list[dict[str, Any]]) -> None:
    lines = [
        f"{i}. {f['title']}：“{f['excerpt']}”——{f['message']}（依据：{f['articles_label']}）"
        for i, f in enumerate(uncovered, 1)
    ]
    raise InvalidInput(
        "notice.fairness",
        "公告内容未通过公平竞争审查，请修改下列条款或逐条说明保留理由：" + "；".join(lines),
        errors=[
            FieldError("notice.fairness", line, f["field"]) for line, f in zip(lines, uncovered, strict=False)
        ],
        details={"findings": uncovered},
    )


def _schedule_rows(lot: Lot | None) -> list[dict[str, Any]]:
    if lot is None:
        return []
    return [
        {
            "event": e.event,
            "label": selectors.event_label(e.event),
            "at": e.at.astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M"),
            "provisional": e.provisional,
            "basis": e.basis,
        }
        for e in LotEvent.objects.filter(lot=lot).order_by("at", "id")
    ]


def _next_number(project: Project) -> str:
    used = Notice.objects.filter(project=project).count()
    if used >= MAX_NOTICES:
        raise Conflict("notice.too_many", f"一个项目最多发布{MAX_NOTICES}份公告")
    return f"{project.code}-G{used + 1:02d}"


def _instant(value: Any) -> dt.datetime | dt.date | None:
    """A time written in a notice's data: a datetime, or ISO text (Beijing time when no zone is
    given); a bare date stays a date."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=clock.CHINA)
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=clock.CHINA)


def _check_dates(lot: Lot | None, data: Mapping[str, Any]) -> None:
    """A time a notice states for a timeline event (e.g. ``bid_deadline``) must be the lot's
    scheduled time where the timeline has one: the timeline is what is checked against the
    statutory periods, so a notice can never announce a deadline the law would refuse. Events the
    timeline does not hold yet (a publicity's start, set by its notice) are taken as stated."""
    dated = [key for key in data if key in rules_events.EVENTS]
    if not dated:
        return
    stored = dict(LotEvent.objects.filter(lot=lot).values_list("event", "at")) if lot is not None else {}
    for key in dated:
        label = selectors.event_label(key)
        given = _instant(data[key])
        if given is None:
            raise InvalidInput("notice.date_invalid", f"公告中的“{label}”不是有效的时间", field=f"data.{key}")
        at = stored.get(key)
        if at is None:  # not on the timeline yet: this notice sets it (e.g. a publicity's start)
            continue
        local = at.astimezone(clock.CHINA)
        same = given == local.date() if not isinstance(given, dt.datetime) else given == at
        if not same:
            shown = given.isoformat() if not isinstance(given, dt.datetime) else given.astimezone(clock.CHINA)
            if isinstance(shown, dt.datetime):
                shown = shown.strftime("%Y-%m-%d %H:%M")
            raise InvalidInput(
                "notice.date_mismatch",
                f"公告中的“{label}”（{shown}）与标段（包）时间表中的时间（{local.strftime('%Y-%m-%d %H:%M')}）"
                "不一致：公告中的时间应与经法定期间校验的时间表一致，请先调整时间表",
                field=f"data.{key}",
                details={"event": key, "scheduled": at.isoformat()},
            )


def _create(
    *,
    project: Project,
    lot: Lot | None,
    kind: str,
    data: Mapping[str, Any],
    free_text: str,
    overrides: Any,
    actor: Any,
    amends: Notice | None = None,
    extra: Mapping[str, Any] | None = None,
) -> tuple[Notice, list[dict[str, Any]], dict[str, dict[str, str]]]:
    """Validate, check fairness, render and store a notice (no audit: the caller records it)."""
    if kind not in NoticeKind.values:
        raise InvalidInput("notice.kind_invalid", f"未知的公告类型“{kind}”", field="kind")
    if not isinstance(data, Mapping):
        raise InvalidInput("notice.data_invalid", "公告内容应为结构化字段", field="data")
    if lot is not None and lot.project_id != project.pk:
        raise InvalidInput("notice.lot_mismatch", "标段（包）不属于该项目", field="lot")
    bare = notice_fields.unlabelled(data)
    if bare:
        raise InvalidInput(
            "notice.field_unlabelled",
            f"公告字段{'、'.join(f'“{k}”' for k in bare[:10])}没有中文名称：请使用中文字段名，"
            "或平台规定的字段（见公告字段说明）",
            field="data",
            details={"fields": bare},
        )
    _check_dates(lot, data)
    free_text = str(free_text or "")
    if len(free_text) > FREE_TEXT_MAX:
        raise InvalidInput(
            "notice.free_text_too_long", f"补充说明不能超过{FREE_TEXT_MAX}字", field="free_text"
        )
    kind_label = NoticeKind(kind).label
    title = (
        str(data.get("title") or "").strip()
        or f"{project.name}{lot.name if lot and lot.name != project.name else ''}{kind_label}"
    )
    if len(title) > TITLE_MAX:
        raise InvalidInput("notice.title_too_long", f"标题不能超过{TITLE_MAX}字", field="title")
    _, actor_label = _actor_ref(actor)
    findings = fairness_findings(project=project, title=title, free_text=free_text, data=data)
    given = _overrides(overrides, actor_label)
    uncovered = [f for f in findings if f["code"] not in given]
    if uncovered:
        _refuse_unfair(uncovered)
    used = {f["code"] for f in findings}
    kept = [o for code, o in given.items() if code in used]
    clean = sanitise(free_text)
    stored = {**dict(data), **dict(extra or {})}
    if lot is not None and "schedule" not in stored:
        stored["schedule"] = _schedule_rows(lot)
    now = clock.now()
    number = _next_number(project)
    body = render_to_string(
        f"trading/notices/{kind}.html",
        {
            "project": project,
            "lot": lot,
            "kind_label": kind_label,
            "title": title,
            "number": number,
            "data": stored,
            "fields": notice_fields.display(stored),
            "free_text": clean,
            "amends": amends,
            "published_at": now,
        },
    )
    actor_id, _ = _actor_ref(actor)
    notice = Notice.objects.create(
        project=project,
        lot=lot,
        kind=kind,
        number=number,
        title=title,
        data=stored,
        free_text=clean,
        body_html=body,
        amends=amends,
        published_at=now,
        published_by_id=actor_id,
        published_by_label=actor_label,
        fairness_findings=findings,
        fairness_overrides=kept,
    )
    from ggzy.portal.services import notice_index

    notice_index(notice)  # searchable exactly when it is public, in the same transaction
    transaction.on_commit(_public_pages_renewed)
    return notice, findings, {o["code"]: o for o in kept}


def _public_pages_renewed() -> None:
    """The cached public pages key on the notices' version: forget it, so the next page asks."""
    from django.core.cache import cache

    cache.delete(selectors.NOTICES_VERSION_KEY)


def _warn_overrides(notice: Notice, kept: dict[str, dict[str, str]], findings: list[dict[str, Any]]) -> None:
    """Supervisors of the category and region see every overridden flag."""
    from ggzy.supervision.services import warning_raise

    if not kept:
        return
    project = notice.project
    lines = [
        f"“{f['excerpt']}”（{f['title']}，{f['articles_label']}），保留理由：{kept[f['code']]['reason']}"
        for f in findings
        if f["code"] in kept
    ]
    warning_raise(
        kind="other",
        region_code=project.region_code,
        category=project.category,
        project_ref=project.code,
        lot_ref=notice.lot.code if notice.lot else "",
        entity_uscc=project.tenderer_uscc,
        message=(
            f"公告{notice.number}（{notice.title}）经公平竞争审查提示的条款未修改即发布，"
            f"发布人{notice.published_by_label}：" + "；".join(lines)
        ),
        details={"type": "fairness_override", "notice": notice.number, "overrides": list(kept.values())},
    )


def _lock_project(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


@transaction.atomic
def notice_publish(
    *,
    project: Project,
    lot: Lot | None = None,
    kind: str,
    data: Mapping[str, Any],
    free_text: str = "",
    overrides: Any = None,
    actor: Any,
) -> Notice:
    """Publish a notice of ``kind`` generated from ``data`` (+ sanitised ``free_text``).

    Refused with ``notice.fairness`` (nothing written) while a fair-competition finding is neither
    fixed nor overridden with a reason. Overridden findings raise a supervision warning. A tender,
    prequalification or listing notice for a scheduled draft lot whose first stage has begun moves
    the lot into it."""
    project = _lock_project(project)
    require(actor, "trade.operate", project)
    if kind in AMENDING_KINDS:
        raise InvalidInput(
            "notice.use_amend", "更正和澄清公告须针对已发布的公告发布（使用“更正公告”）", field="kind"
        )
    if lot is not None:
        lot = Lot.objects.select_related("project").get(pk=lot.pk)
    notice, findings, kept = _create(
        project=project, lot=lot, kind=kind, data=data, free_text=free_text, overrides=overrides, actor=actor
    )
    audit.record(
        actor=actor,
        action="notice.publish",
        object_type="trading.notice",
        object_id=notice.number,
        summary={
            "kind": kind,
            "title": notice.title,
            "lot": lot.code if lot else "",
            "findings": len(findings),
            "overrides": list(kept.values()),
        },
        project_ref=project.code,
        entity_ref=project.tenderer_uscc,
    )
    _warn_overrides(notice, kept, findings)
    if lot is not None and kind in OPENING_KINDS and lot.status == lifecycle.DRAFT:
        _open_lot(lot, actor)
    return notice


def _open_lot(lot: Lot, actor: Any) -> None:
    """Move a scheduled draft lot into its first stage once that stage's event time has come."""
    table = selectors.table_of(lot.project)
    first = table.next_statuses(lifecycle.DRAFT)
    if not first or not LotEvent.objects.filter(lot=lot).exists():
        return
    event = table.events.get(first[0])
    stored = LotEvent.objects.filter(lot=lot, event=event).first() if event else None
    if stored is not None and stored.at > clock.now():
        return  # the tick enters the stage at its time (next_check_at is set)
    lot_transition(lot=lot, to=first[0], reason="公告发布", actor=actor)


@transaction.atomic
def notice_amend(
    *,
    notice: Notice,
    data: Mapping[str, Any],
    affects_preparation: bool,
    free_text: str = "",
    actor: Any,
    kind: str = NoticeKind.AMENDMENT,
    overrides: Any = None,
) -> Notice:
    """Publish an amendment (or clarification) of ``notice``. If it affects bid preparation and
    comes fewer than the minimum days (15; 3 for a prequalification deadline) before the deadline,
    the deadline and the events after it move; the new notice states the new deadline and article."""
    original = Notice.objects.select_related("project", "lot").get(pk=notice.pk)
    project = _lock_project(original.project)
    require(actor, "trade.operate", project)
    if kind not in AMENDING_KINDS:
        raise InvalidInput("notice.kind_invalid", "更正公告的类型应为更正或澄清", field="kind")
    if not isinstance(affects_preparation, bool):
        raise InvalidInput(
            "notice.affects_invalid", "请说明是否影响投标文件编制", field="affects_preparation"
        )
    lot = original.lot
    extra: dict[str, Any] = {"amends": original.number, "affects_preparation": affects_preparation}
    moved: list[tuple[str, dt.datetime, dt.datetime]] = []
    if lot is not None:
        lot = Lot.objects.select_for_update().select_related("project").get(pk=lot.pk)
        if lot.status in (lifecycle.TERMINATED, lifecycle.FAILED):
            raise Conflict("notice.lot_closed", f"标段（包）“{lot.name}”已终止或流标，不能再更正公告")
        stored = {e.event: e for e in LotEvent.objects.filter(lot=lot)}
        deadline_event = next((ev for ev in DEADLINE_EVENTS if ev in stored), None)
        if deadline_event is not None:
            ruleset = _ruleset(project)
            table = core_selectors.holiday_table()
            factor = project.acceleration
            tl = timeline.compute(ruleset, {ev: e.at for ev, e in stored.items()}, table, factor=factor)
            effect = timeline.amendment_effect(
                ruleset, tl, clock.now(), affects_preparation, table, deadline_event=deadline_event
            )
            extra["deadline"] = {
                "event": deadline_event,
                "label": selectors.event_label(deadline_event),
                "moved": effect.moves_deadline,
                "old": effect.old_deadline.astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M"),
                "new": effect.new_deadline.astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M"),
                "article": effect.basis.label(),
                "message": effect.message_zh,
                "provisional": effect.provisional,
            }
            if effect.moves_deadline:
                now = clock.now()
                new_tl = effect.timeline
                for ev, row in stored.items():
                    new_at = new_tl.at(ev) if ev in new_tl else None
                    if new_at is not None and new_at != row.at:
                        moved.append((ev, row.at, new_at))
                        row.at = new_at
                        row.provisional = new_tl[ev].provisional or row.provisional
                        row.updated_at = now
                        row.save(update_fields=["at", "provisional", "updated_at"])
                lot.next_check_at = _next_check(lot, selectors.table_of(project))
                lot.version += 1
                lot.save(update_fields=["next_check_at", "version"])
    new, findings, kept = _create(
        project=project,
        lot=lot,
        kind=kind,
        data={
            "title": f"{original.title}（更正）"
            if kind == NoticeKind.AMENDMENT
            else f"{original.title}（澄清）",
            **data,
        },
        free_text=free_text,
        overrides=overrides,
        actor=actor,
        amends=original,
        extra=extra,
    )
    audit.record(
        actor=actor,
        action="notice.amend",
        object_type="trading.notice",
        object_id=new.number,
        summary={
            "amends": original.number,
            "kind": kind,
            "affects_preparation": affects_preparation,
            "moved": [{"event": ev, "old": old.isoformat(), "new": n.isoformat()} for ev, old, n in moved],
            "overrides": list(kept.values()),
        },
        project_ref=project.code,
        entity_ref=project.tenderer_uscc,
    )
    _warn_overrides(new, kept, findings)
    return new
