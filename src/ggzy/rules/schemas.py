"""API schemas of the rules app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class CitationOut(Schema):
    law: str
    article: str
    confirmed: bool = Field(
        description="false：出处不在平台法规库中，数字未对照官方文本核实（页面标注“未核实”）"
    )
    note: str
    label: str


class StageOut(Schema):
    code: str
    label: str
    event: str | None
    event_label: str


class RulePeriodOut(Schema):
    code: str
    label: str
    start_event: str
    start_event_label: str
    end_event: str
    end_event_label: str
    days: int
    minutes: int
    kind: str = Field(description="calendar（日）| working（工作日）")
    relation: str = Field(description="min（不少于）| max（不超过）| exact（为）")
    text: str = Field(description="中文表述，如“不少于20日”")
    basis: CitationOut


class DepositOut(Schema):
    cap_percent: str | None
    cap_amount: str | None
    refund_days: int
    refund_kind: str
    basis: CitationOut | None
    refund_basis: CitationOut | None


class MethodOut(Schema):
    code: str
    label: str


class RuleSetOut(Schema):
    code: str
    category: str
    category_label: str
    procedure: str
    procedure_label: str
    name: str
    version: int
    effective_from: dt.date
    mechanism: str
    mechanism_label: str
    stages: list[StageOut]
    periods: list[RulePeriodOut]
    min_bidders: int
    min_bidders_basis: CitationOut | None
    evaluation_methods: list[MethodOut]
    evaluation_basis: CitationOut | None
    prequalification: bool
    deposit: DepositOut | None
    publicity_days: int | None
    thresholds: dict[str, str]
    threshold_basis: CitationOut | None
    citations: list[CitationOut]
    notes: str
    digest: str = Field(description="规则内容（规范化 JSON）的 SM3 摘要")
    source: str = Field(description="shipped（随平台发布）| admin（平台管理员定义）")
    published_at: dt.datetime
    unconfirmed: int = Field(description="未核实的依据条数")


class RuleSetSummaryOut(Schema):
    code: str
    category: str
    category_label: str
    name: str
    mechanism: str
    version: int = Field(description="今天施行的版本（尚无施行版本时为最新版本）")
    effective_from: dt.date
    in_force: bool
    latest_version: int
    upcoming_effective_from: dt.date | None
    digest: str
    unconfirmed: int


class RuleSetVersionOut(Schema):
    version: int
    effective_from: dt.date
    digest: str
    source: str
    published_at: dt.datetime
    created_by: str


class RuleSetDetailOut(Schema):
    current: RuleSetOut
    versions: list[RuleSetVersionOut]


class ThresholdOut(Schema):
    item_kind: str
    label: str
    amount: str = Field(description="元")
    amount_wan: str = Field(description="万元")


class SplittingOut(Schema):
    window_days: int
    ratio: str
    basis: CitationOut


class ScopeOut(Schema):
    thresholds: list[ThresholdOut]
    threshold_basis: CitationOut
    scope_flag: str
    scope_basis: list[CitationOut]
    categories: dict[str, str]
    splitting: SplittingOut


class RuleSetOtherIn(Schema):
    code: str = Field(description="other.英文代码，如 other.emission_rights")
    name: str
    mechanism: str = Field(description="sealed_bids（密封投标）| auction（竞价）")
    periods: list[dict[str, Any]] = []
    effective_from: dt.date | None = None
    stages: list[dict[str, Any]] | None = None
    evaluation_methods: list[str] | None = None
    min_bidders: int | None = None
    deposit: dict[str, Any] | None = None
    publicity_days: int | None = None
    citations: list[dict[str, Any]] | None = None
    notes: str = ""
