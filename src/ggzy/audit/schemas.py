from __future__ import annotations

import datetime as dt

from ninja import Schema


class AuditEventOut(Schema):
    seq: int
    at: dt.datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    project_ref: str
    entity_ref: str
    summary: dict | list | str | int | float | bool | None
    summary_lines: list[str]
    prev_hash: str
    hash: str


class AuditEventPageOut(Schema):
    page: int
    page_size: int
    has_next: bool
    items: list[AuditEventOut]


class AuditVerifyIn(Schema):
    from_seq: int | None = None
    to_seq: int | None = None


class AuditProblemOut(Schema):
    seq: int
    kind: str
    kind_label: str
    message: str


class AuditVerifyOut(Schema):
    ok: bool
    from_seq: int
    to_seq: int
    checked: int
    problem: AuditProblemOut | None
    head_checked: bool
    head_seq: int
    seconds: float
    events_per_second: int
    workers: int
