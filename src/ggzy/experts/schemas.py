"""API schemas of the experts app (In for requests, Out for answers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class SpecialtyOut(Schema):
    code: str
    name: str
    level: int
    parent_id: str | None = None


class DeclarationIn(Schema):
    uscc: str
    kind: str = "relationship"
    name: str = ""
    note: str = ""


class ExpertApplyIn(Schema):
    name: str
    id_number: str
    phone: str
    employer_uscc: str
    employer_name: str = ""
    title: str
    years: int
    region_code: str
    specialties: list[str]
    declarations: list[DeclarationIn] = []


class ExpertOut(Schema):
    code: str
    name: str
    status: str
    status_label: str
    title: str
    years: int
    region_code: str
    employer_name: str


class WantedIn(Schema):
    code: str
    count: int
    reserves: int = 0


class DrawCommitIn(Schema):
    lot_code: str
    region_rule: str
    wanted: list[WantedIn]
    avoid_usccs: list[str] = []


class DrawOut(Schema):
    code: str
    lot_code: str
    lot_name: str
    project_name: str
    region_rule: str
    region_rule_label: str
    wanted: list[dict[str, Any]]
    status: str
    status_label: str
    pool_size: int
    commitment: str
    committed_at: dt.datetime
    commit_seq: int
    public_value: str
    drawn_at: dt.datetime | None = None
    draw_seq: int | None = None
    revealed_at: dt.datetime | None = None


class DrawResultOut(Schema):
    members: list[dict[str, Any]]
    missing: dict[str, int]


class VerificationOut(Schema):
    ok: bool
    problems: list[str]
    commitment: str
    selected: dict[str, list[str]]
    reserves: dict[str, list[str]]
    record: dict[str, Any]


class InvitationOut(Schema):
    id: int
    draw_code: str
    lot_code: str
    lot_name: str
    specialty: str
    status: str
    status_label: str
    sent_at: dt.datetime
    answered_at: dt.datetime | None = None


class InvitationAnswerIn(Schema):
    accept: bool


class ExpertReviewIn(Schema):
    approve: bool
    reason: str


class ExpertStatusIn(Schema):
    status: str
    reason: str


class ExpertRateIn(Schema):
    lot_code: str
    punctuality: int
    conduct: int
    quality: int
    comment: str = ""


class CheckInIn(Schema):
    remote: bool = False
