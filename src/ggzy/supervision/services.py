"""Writes of electronic supervision: raising a warning (the platform) and handling it (a supervisor)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ggzy.audit import services as audit
from ggzy.core import clock
from ggzy.core.errors import Conflict, InvalidInput
from ggzy.core.permissions import SYSTEM, require
from ggzy.supervision.models import Warning, WarningKind, WarningLevel

NOTE_MAX = 2000


@transaction.atomic
def warning_raise(
    *,
    kind: str,
    region_code: str,
    category: str,
    message: str,
    level: str = WarningLevel.WARNING,
    project_ref: str = "",
    lot_ref: str = "",
    entity_uscc: str = "",
    details: dict[str, Any] | None = None,
    actor: Any = SYSTEM,
) -> Warning:
    """Raise a warning for the supervisors of ``category`` in ``region_code``. Called by the
    platform's own checks (inside the caller's transaction: a refused registration raises nothing)."""
    if kind not in WarningKind.values:
        raise InvalidInput("warning.kind", f"未知的预警类型“{kind}”")
    if level not in WarningLevel.values:
        raise InvalidInput("warning.level", f"未知的预警级别“{level}”")
    if not message.strip():
        raise InvalidInput("warning.message_required", "预警内容不能为空")
    warning = Warning.objects.create(
        kind=kind,
        level=level,
        region_code=region_code,
        category=category,
        project_ref=project_ref,
        lot_ref=lot_ref,
        entity_uscc=entity_uscc,
        message_zh=message.strip(),
        details=details or {},
        raised_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action="warning.raise",
        object_type="supervision.warning",
        object_id=warning.pk,
        summary={"kind": kind, "level": level, "region_code": region_code, "category": category},
        project_ref=project_ref,
        entity_ref=entity_uscc,
    )
    return warning


@transaction.atomic
def warning_handle(*, warning: Warning, note: str, actor: Any) -> Warning:
    """A supervisor of the warning's region and category records how it was handled."""
    require(actor, "trade.supervise", warning)
    note = (note or "").strip()
    if not note:
        raise InvalidInput("warning.note_required", "请填写处理意见", field="note")
    if len(note) > NOTE_MAX:
        raise InvalidInput("warning.note_too_long", f"处理意见不能超过{NOTE_MAX}字", field="note")
    locked = Warning.objects.select_for_update().get(pk=warning.pk)
    if locked.handled_at is not None:
        raise Conflict(
            "warning.already_handled",
            f"该预警已于{locked.handled_at.astimezone(clock.CHINA):%Y-%m-%d %H:%M}"
            f"由{locked.handled_by_label}处理，不能重复处理",
        )
    locked.handled_at = clock.now()
    locked.handled_by = actor
    locked.handled_by_label = actor.audit_label()
    locked.handling_note = note
    locked.save(update_fields=["handled_at", "handled_by", "handled_by_label", "handling_note"])
    audit.record(
        actor=actor,
        action="warning.handle",
        object_type="supervision.warning",
        object_id=locked.pk,
        summary={"note": note},
        project_ref=locked.project_ref,
        entity_ref=locked.entity_uscc,
    )
    return locked
