"""API schemas of electronic supervision."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class WarningOut(Schema):
    id: int
    kind: str
    kind_label: str
    level: str
    region_code: str
    category: str
    project_ref: str
    lot_ref: str
    entity_uscc: str
    message: str
    raised_at: dt.datetime
    handled_at: dt.datetime | None
    handled_by: str
    handling_note: str


class WarningHandleIn(Schema):
    note: str = ""
