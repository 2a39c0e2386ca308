"""API schemas of the market-entity registry (In and Out kept apart; public fields never dropped)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class QualificationOut(Schema):
    id: int
    name: str
    certificate_no: str
    grade: str
    issuer: str
    valid_from: dt.date
    valid_until: dt.date | None
    status: str  # valid | expired | not_yet_valid | withdrawn (computed from today's date)
    status_label: str


class EntityOut(Schema):
    """The public view (seed 三(五)): anyone may read it."""

    uscc: str
    name: str
    kind: str
    legal_representative: str
    address: str
    region_code: str
    region_name: str
    trading_roles: list[str]
    trading_role_labels: list[str]
    status: str
    status_label: str
    registered_at: dt.datetime
    version: int


class EntityConfidentialOut(Schema):
    contact_name: str
    contact_phone: str
    contact_email: str
    bank_name: str
    bank_account_name: str
    bank_account_no: str
    channel: str
    channel_label: str
    updated_at: dt.datetime


class EntityDetailOut(EntityOut):
    qualifications: list[QualificationOut]
    confidential: EntityConfidentialOut | None = None


class EntityRegisterIn(Schema):
    """Every field is optional here so the service can name every missing one in Chinese."""

    uscc: str = ""
    name: str = ""
    legal_representative: str = ""
    address: str = ""
    region_code: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    trading_roles: list[str] | str = []
    bank_name: str = ""
    bank_account_name: str = ""
    bank_account_no: str = ""


class EntityUpdateIn(Schema):
    """Only the fields sent are changed. ``expected_version``: the version the client edited."""

    expected_version: int | None = None
    uscc: str | None = None
    name: str | None = None
    legal_representative: str | None = None
    address: str | None = None
    region_code: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    trading_roles: list[str] | str | None = None
    bank_name: str | None = None
    bank_account_name: str | None = None
    bank_account_no: str | None = None


class EntityRevisionOut(Schema):
    version: int
    at: dt.datetime
    actor_label: str
    action: str
    changes: dict


class ProblemOut(Schema):
    code: str
    message: str
    field: str | None = None


class UsccPartOut(Schema):
    position: str
    value: str
    meaning: str


class UsccCheckOut(Schema):
    code: str
    valid: bool
    problems: list[ProblemOut]
    parts: list[UsccPartOut]
    registered: dict | None = None


class EntityImportOut(Schema):
    count: int
    sm3: str
    usccs: list[str]
