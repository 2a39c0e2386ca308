"""Writing the trail. Every service calls ``record`` inside its own transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from django.db import transaction

from ggzy.audit import chain
from ggzy.audit.models import AuditEvent, AuditHead
from ggzy.core import bulk, clock


class Actor(Protocol):
    pk: Any

    def audit_label(self) -> str: ...


SYSTEM_LABEL = "系统"


def _label(actor: Any) -> tuple[int | None, str]:
    if actor is None:
        return None, SYSTEM_LABEL
    if isinstance(actor, str):  # a named system process, e.g. "tick" or "import"
        return None, f"{SYSTEM_LABEL}:{actor}"
    if not getattr(actor, "is_authenticated", True):
        return None, "匿名用户"
    label = actor.audit_label() if hasattr(actor, "audit_label") else str(actor)
    return actor.pk, label


def at_text(at: dt.datetime) -> str:
    """The instant as hashed: UTC ISO text with microseconds."""
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _head_sql() -> tuple[str, str]:
    conn = transaction.get_connection()
    table = conn.ops.quote_name(AuditHead._meta.db_table)
    lock = " FOR UPDATE" if conn.features.has_select_for_update else ""  # SQLite: BEGIN IMMEDIATE
    return (
        f"SELECT seq, hash FROM {table} WHERE id = 1{lock}",
        f"UPDATE {table} SET seq = %s, hash = %s WHERE id = 1",
    )


def _locked_head() -> tuple[int, str]:
    """The head (seq, hash), locked until the caller's transaction ends (appends queue up here).

    Plain SQL: this runs in every service call, and the ORM's query building cost more than the
    statements. Migration 0002 creates the row; a flushed database (transactional tests) gets a
    fresh genesis head. Events without a head mean tampering: every write stops.
    """
    select, _ = _head_sql()
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(select)
        row = cursor.fetchone()
        if row is None:
            if AuditEvent.objects.exists():
                raise RuntimeError("审计链头记录缺失而审计事件存在：请运行 ggzy audit verify 核查，停止写入")
            AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": chain.GENESIS})
            cursor.execute(select)
            row = cursor.fetchone()
    return int(row[0]), row[1]


FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "project_ref",
    "entity_ref",
    "summary",
    "prev_hash",
    "hash",
)


def _event(
    *,
    seq: int,
    prev_hash: str,
    at: dt.datetime,
    actor: Any,
    action: str,
    object_type: str,
    object_id: Any,
    summary: dict[str, Any] | None = None,
    project_ref: str = "",
    entity_ref: str = "",
) -> tuple:
    """The event at ``seq`` after ``prev_hash``, hashed: its values in the order of ``FIELDS``."""
    actor_id, actor_label = _label(actor)
    summary_text = chain.canonical_json(summary or {})
    object_id = str(object_id)
    hashed = (
        seq,
        at_text(at),
        actor_id,
        actor_label,
        action,
        object_type,
        object_id,
        project_ref,
        entity_ref,
        summary_text,
    )
    digest = chain.event_hash(prev_hash, hashed)
    return (seq, at, *hashed[2:], prev_hash, digest)


def _in_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the service's transaction")


def _advance_head(seq: int, digest: str) -> None:
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(_head_sql()[1], [seq, digest])


def record(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: Any,
    summary: dict[str, Any] | None = None,
    project_ref: str = "",
    entity_ref: str = "",
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction."""
    _in_transaction()
    head_seq, head_hash = _locked_head()
    row = _event(
        seq=head_seq + 1,
        prev_hash=head_hash,
        at=clock.now(),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
        project_ref=project_ref,
        entity_ref=entity_ref,
    )
    event = AuditEvent(**dict(zip(FIELDS, row, strict=True)))
    event.save(force_insert=True)
    _advance_head(event.seq, event.hash)
    return event


def record_many(entries: list[dict[str, Any]]) -> int:
    """Append several events (each a dict of ``record``'s arguments) in order, with one lock of
    the head, one multi-row insert and one head update: for jobs that make many changes in one
    transaction (the tick). The chain is the same as ``record`` called once per entry. Returns
    the number of events written."""
    _in_transaction()
    if not entries:
        return 0
    head_seq, prev = _locked_head()
    at = clock.now()
    rows = []
    for offset, entry in enumerate(entries, start=1):
        row = _event(seq=head_seq + offset, prev_hash=prev, at=at, **entry)
        rows.append(row)
        prev = row[-1]
    bulk.insert(AuditEvent, FIELDS, rows)
    _advance_head(rows[-1][0], prev)
    return len(rows)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """A change summary: {field: [old, new]} for the fields that changed."""
    return {
        k: [before.get(k), after.get(k)]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }
