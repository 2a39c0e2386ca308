from __future__ import annotations

from typing import Any

from ninja import Schema


class ChangeOut(Schema):
    position: int
    object_type: str
    object_id: str
    project_code: str
    change: str
    label: str
    at: str
    path: str
    payload: dict[str, Any]


class ChangesOut(Schema):
    items: list[ChangeOut]
    next_cursor: str
    has_more: bool


class BulkFileOut(Schema):
    month: str
    dataset: str
    dataset_label: str
    filename: str
    url: str
    size: int
    lines: int
    sha256: str
    sm3: str
    generated_at: str
