"""In and Out schemas of the evaluation API (docs/evaluation.md, "API")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class EvaluationStartIn(Schema):
    method: str
    scoring_table: dict[str, Any] | None = None
    experts: list[str] = []  # expert codes, only when the lot has no drawn committee
    suppliers: list[str] = []  # USCCs, procedures with responses (negotiation, quotation, single source)


class QualificationIn(Schema):
    votes: dict[str, dict[str, Any]]  # uscc -> {"passed": bool, "reason": str}


class ScoresIn(Schema):
    scores: dict[str, dict[str, str]]  # uscc -> item code -> score ("12.50")


class QuoteIn(Schema):
    price: str


class RoundIn(Schema):
    final: bool = False


class AdjustmentIn(Schema):
    uscc: str
    amount: str
    reason: str


class SignIn(Schema):
    report_sm3: str
    dissent: str = ""


class ObjectionIn(Schema):
    text: str


class ObjectionAnswerIn(Schema):
    answer: str


class PassedOverIn(Schema):
    uscc: str
    reason: str


class AwardIn(Schema):
    passed_over: list[PassedOverIn] = []


class ContractIn(Schema):
    contract_no: str
    amount: str
    signed_on: str


class PerformanceIn(Schema):
    kind: str
    occurred_on: str
    description: str
    amount: str | None = None


class TerminateIn(Schema):
    reason: str
    retender: bool = False


class EvaluationTendererOut(Schema):
    uscc: str
    name: str
    price: str | None
    qualified: bool | None
    reasons: list[str]
    price_score: str | None
    total: str | None
    rank: int | None


class EvaluationMemberOut(Schema):
    code: str
    name: str
    signed: bool
    dissent: str


class EvaluationOut(Schema):
    lot: str
    status: str
    status_label: str
    method: str
    method_label: str
    version: int
    current_round: int
    scoring_table: dict[str, Any]
    members: list[EvaluationMemberOut]
    tenderers: list[EvaluationTendererOut]
    report: dict[str, Any]
    report_sm3: str
    publicity_start: dt.datetime | None
    publicity_end: dt.datetime | None
    award_code: str | None


class ObjectionOut(Schema):
    id: int
    uscc: str
    name: str
    text: str
    filed_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None


class AwardOut(Schema):
    code: str
    winner: str
    winner_uscc: str
    price: str
    awarded_at: dt.datetime
    pdf_sm3: str
    signature: str
    key_fingerprint: str
    notice_number: str
    contract_due_on: dt.date


class AwardVerifyOut(Schema):
    ok: bool
    signature_ok: bool
    digest_ok: bool
    digest: str
    code: str
    lot: str
    lot_name: str
    project_name: str
    winner: str
    winner_uscc: str
    price: str
    awarded_at: dt.datetime
    key_fingerprint: str
    public_key_pem: str
    signature: str


class ContractOut(Schema):
    id: int
    contract_no: str
    amount: str
    signed_on: dt.date
    late: bool
    notice_number: str


class PerformanceOut(Schema):
    id: int
    kind: str
    occurred_on: dt.date
    amount: str | None
    description: str
    notice_number: str


class NoticeRefOut(Schema):
    number: str
    kind: str
