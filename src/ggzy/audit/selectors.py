"""Reading the trail (inspectors, auditors; supervisors for what they supervise) and verifying it.

Read-only. Every function checks the actor's right first: ``audit.view`` to browse, ``audit.verify``
to run a verification. Supervisors hold ``audit.view`` only within their supervision scope (region
and categories): they browse the trail of one object they supervise, passed as ``scope`` (anything
with ``region_code`` and ``category``, e.g. a project), and the listing is then limited to it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from ggzy.audit import verification
from ggzy.audit.models import AuditEvent
from ggzy.core import clock
from ggzy.core.errors import InvalidInput
from ggzy.core.permissions import allowed, require

MAX_PAGE_SIZE = 200
MAX_PAGE = 100_000


@dataclass(frozen=True)
class EventFilter:
    project_ref: str = ""
    entity_ref: str = ""
    actor_id: int | None = None
    object_type: str = ""
    object_id: str = ""
    action_prefix: str = ""
    since: dt.date | None = None  # Beijing-time dates, inclusive
    until: dt.date | None = None

    def is_empty(self) -> bool:
        return self == EventFilter()


@dataclass(frozen=True)
class Page:
    events: list[AuditEvent]
    number: int
    size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def can_browse_all(actor: Any) -> bool:
    """May ``actor`` browse the whole trail (not only objects it supervises)?"""
    return allowed(actor, "audit.view")


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.CHINA)


def list_events(
    *, actor: Any, filters: EventFilter | None = None, page: int = 1, page_size: int = 50, scope: Any = None
) -> Page:
    """Events matching ``filters``, newest first, one page at a time (no total count: cheap on
    millions of rows).

    ``scope``: an object the caller has resolved (a project with ``project_ref``, ``region_code``,
    ``category``); the right is then checked on it and the listing limited to it. Without a scope
    the actor needs the unscoped right (inspectors, auditors).
    """
    filters = filters or EventFilter()
    if scope is not None:
        require(actor, "audit.view", scope)
        ref = getattr(scope, "project_ref", "") or ""
        if not ref:
            raise InvalidInput("audit.scope_invalid", "查阅范围必须是一个具体的项目")
        filters = EventFilter(**{**filters.__dict__, "project_ref": ref})
    else:
        require(actor, "audit.view")
    if not 1 <= page <= MAX_PAGE:  # a larger page's offset overflows the database's integers
        raise InvalidInput("audit.page_invalid", f"页码应在1到{MAX_PAGE}之间", field="page")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            "audit.page_size_invalid", f"每页条数应在1到{MAX_PAGE_SIZE}之间", field="page_size"
        )
    if filters.since and filters.until and filters.since > filters.until:
        raise InvalidInput("audit.range_invalid", "起始日期不能晚于截止日期", field="since")
    qs = AuditEvent.objects.all()
    if filters.project_ref:
        qs = qs.filter(project_ref=filters.project_ref)
    if filters.entity_ref:
        qs = qs.filter(entity_ref=filters.entity_ref.upper())
    if filters.actor_id is not None:
        qs = qs.filter(actor_id=filters.actor_id)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.action_prefix:
        qs = qs.filter(action__startswith=filters.action_prefix)
    if filters.since:
        qs = qs.filter(at__gte=_day_start(filters.since))
    if filters.until:
        qs = qs.filter(at__lt=_day_start(filters.until + dt.timedelta(days=1)))
    offset = (page - 1) * page_size
    rows = list(qs.order_by("-seq")[offset : offset + page_size + 1])
    return Page(events=rows[:page_size], number=page, size=page_size, has_next=len(rows) > page_size)


def get_event(*, actor: Any, seq: int) -> AuditEvent | None:
    require(actor, "audit.view")
    return AuditEvent.objects.filter(seq=seq).first()


def _show(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def summary_lines(summary_text: str) -> list[str]:
    """The stored summary as lines people read: ``字段：旧 → 新`` for a change, ``字段：值`` otherwise."""
    try:
        data = json.loads(summary_text or "{}")
    except ValueError:
        return [summary_text]
    if not isinstance(data, dict):
        return [_show(data)]
    lines = []
    for key, value in data.items():
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], (dict, list)):
            lines.append(f"{key}：{_show(value[0])} → {_show(value[1])}")
        else:
            lines.append(f"{key}：{_show(value)}")
    return lines


def verify_chain(
    *, actor: Any, from_seq: int | None = None, to_seq: int | None = None, workers: int = 1
) -> verification.VerifyResult:
    """Verify the chain (``audit.verify``). Reads only; safe while the platform keeps writing."""
    require(actor, "audit.verify")
    return verify_chain_unchecked(from_seq=from_seq, to_seq=to_seq, workers=workers)


def verify_chain_unchecked(
    *, from_seq: int | None = None, to_seq: int | None = None, workers: int = 1
) -> verification.VerifyResult:
    """For the ``ggzy audit verify`` command (run by the operating system's administrator, who
    can read the database anyway) and for tests."""
    if from_seq is not None and from_seq < 1:
        raise InvalidInput("audit.from_seq_invalid", "起始序号必须大于等于1", field="from_seq")
    if to_seq is not None and from_seq is not None and to_seq < from_seq:
        raise InvalidInput("audit.to_seq_invalid", "截止序号不能小于起始序号", field="to_seq")
    return verification.verify_chain(from_seq=from_seq, to_seq=to_seq, workers=workers)


# --- the public changes feed (ggzy.opendata) ---------------------------------------------------
def head_seq() -> int:
    """The sequence number of the last committed event (0 for an empty trail).

    Appends lock the head row until their transaction commits and take ``head + 1``, so the
    events ``1..head_seq()`` are all committed when this returns: a reader may treat them as a
    closed, gap-free prefix of the trail (``ggzy.opendata`` builds its changes feed on it).
    """
    from ggzy.audit.models import AuditHead

    found = AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first()
    return int(found or 0)


def events_after(seq: int, *, actions: Any, upto: int | None = None, limit: int = 100) -> list[AuditEvent]:
    """Events with ``seq > seq`` (and ``<= upto``) whose action is in ``actions``, in seq order,
    at most ``limit``. No permission check: the caller publishes only public fields of the
    public actions it names (the open-data changes feed)."""
    qs = AuditEvent.objects.filter(seq__gt=seq, action__in=list(actions))
    if upto is not None:
        qs = qs.filter(seq__lte=upto)
    return list(qs.order_by("seq")[:limit])
