"""API schemas of trade projects and lots (In and Out kept apart; public fields never dropped)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema


class LotAddIn(Schema):
    """Optional fields so the service can name every missing one in Chinese."""

    name: str = ""
    estimate: str | int | None = None  # yuan, as a string ("1234.50"); floats are refused


class ProjectRegisterIn(Schema):
    name: str = ""
    ruleset_code: str = ""
    category: str = ""
    region_code: str = ""
    tenderer_uscc: str = ""
    agency_uscc: str = ""
    service_center: int | None = None  # operators: defaults to their own service center
    estimate: str | int | None = None
    item_kind: str = ""  # works | goods | services (engineering and procurement)
    public_funded: bool = False
    acceleration: int = 1
    lots: list[LotAddIn] = []


class LotTransitionIn(Schema):
    to: str
    reason: str = ""
    expected_version: int | None = None


class LotTransitionOut(Schema):
    from_status: str
    from_label: str
    to_status: str
    to_label: str
    actor_label: str
    at: dt.datetime
    reason: str


class LotEventOut(Schema):
    event: str
    label: str
    at: dt.datetime
    provisional: bool
    basis: str


class LotOut(Schema):
    code: str
    number: int
    name: str
    estimate: Decimal
    status: str
    status_label: str
    status_changed_at: dt.datetime
    version: int
    next: list[dict[str, Any]]
    transitions: list[LotTransitionOut]
    events: list[LotEventOut]


class ProjectOut(Schema):
    code: str
    tender_code: str
    name: str
    category: str
    category_label: str
    ruleset_code: str
    ruleset_version: int
    ruleset_name: str
    region_code: str
    tenderer_uscc: str
    tenderer_name: str
    agency_uscc: str
    agency_name: str
    service_center: str
    estimate: Decimal
    item_kind: str
    public_funded: bool
    mandatory: bool | None
    mandatory_basis: str
    acceleration: int
    status: str
    status_label: str
    registered_at: dt.datetime


class ProjectDetailOut(ProjectOut):
    lots: list[LotOut]


class LotScheduleIn(Schema):
    anchors: dict[str, dt.datetime]


class NoticePublishIn(Schema):
    project: str
    lot: str | None = None
    kind: str
    data: dict[str, Any] = {}
    free_text: str = ""
    overrides: list[dict[str, str]] = []


class NoticeAmendIn(Schema):
    data: dict[str, Any] = {}
    affects_preparation: bool
    free_text: str = ""
    kind: str = "amendment"
    overrides: list[dict[str, str]] = []


class NoticeOut(Schema):
    number: str
    kind: str
    kind_label: str
    title: str
    project: str
    lot: str | None
    amends: str | None
    amendments: list[str]
    data: dict[str, Any]
    body_html: str
    published_at: dt.datetime
    published_by: str
    fairness_findings: list[dict[str, Any]]
    fairness_overrides: list[dict[str, Any]]
