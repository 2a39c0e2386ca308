"""Rule sets as data: the shape every procedure's configuration takes. Pure module.

A rule set is one category × procedure, versioned: it states the lot's stages, the statutory
periods between events (calendar or working days, with the article they come from), thresholds,
the minimum number of bidders, allowed evaluation methods, deposit caps and how it ends (an opening
of sealed bids, an auction, or a negotiation). Shipped rule sets live as JSON in ``rules/data/``;
``validate`` turns a dict into a ``RuleSet`` or raises ``InvalidInput`` in Chinese.

This module is the contract between ``rules`` (which stores, versions and publishes rule sets) and
``trading`` (which computes timelines and moves lots through the stages).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

MECHANISMS = {
    "sealed_bids": "密封投标、开标",
    "auction": "竞价（拍卖、挂牌、网络竞价）",
    "negotiation": "谈判、磋商或协商",
}
DAY_KINDS = {"calendar": "日", "working": "工作日"}
RELATIONS = {"min": "不少于", "max": "不超过", "exact": "为"}


@dataclass(frozen=True)
class Citation:
    """Where a figure comes from. ``confirmed`` is False when the source text is not in the
    platform's law library (``rules/law/``), e.g. a department rule: such figures are shown as
    unconfirmed until someone checks them against the official text."""

    law: str  # e.g. 招标投标法 / 招标投标法实施条例 / 国土资源部39号令
    article: str  # e.g. 第二十四条
    confirmed: bool = True
    note: str = ""

    def label(self) -> str:
        text = f"《{self.law}》{self.article}"
        return text if self.confirmed else f"{text}（未核实）"


@dataclass(frozen=True)
class Period:
    """A statutory period between two lot events: e.g. from ``documents_issued`` to
    ``bid_deadline`` at least 20 calendar days (招标投标法第二十四条)."""

    code: str
    label: str  # Chinese
    start_event: str
    end_event: str
    days: int
    kind: str  # calendar | working
    relation: str  # min | max | exact
    basis: Citation
    minutes: int = 0  # for periods counted in minutes (timed bidding starts ≥ 5 minutes after listing)


@dataclass(frozen=True)
class Stage:
    """A lot status of this procedure, in order. ``event`` is the timeline event whose time makes
    the lot enter the stage (the tick moves it then); None for stages entered by a person's action."""

    code: str
    label: str  # Chinese
    event: str | None = None


@dataclass(frozen=True)
class Deposit:
    cap_percent: Decimal | None  # of the estimate / budget, e.g. 2
    cap_amount: Decimal | None  # absolute cap in yuan, if any
    refund_days: int
    refund_kind: str  # calendar | working
    basis: Citation | None = None
    refund_basis: Citation | None = None  # where the refund period comes from, when another article


@dataclass(frozen=True)
class RuleSet:
    code: str  # e.g. engineering.open_tendering
    category: str  # ggzy.core.choices.Category value
    procedure: str  # e.g. open_tendering
    name: str  # Chinese, e.g. 工程建设项目公开招标
    version: int
    effective_from: dt.date
    mechanism: str  # sealed_bids | auction | negotiation
    stages: tuple[Stage, ...]
    periods: tuple[Period, ...]
    min_bidders: int
    evaluation_methods: tuple[str, ...] = ()
    prequalification: bool = False
    deposit: Deposit | None = None
    publicity_days: int | None = None  # e.g. candidate publicity ≥ 3 days
    thresholds: dict[str, Decimal] = field(default_factory=dict)
    citations: tuple[Citation, ...] = ()  # the rule set's general legal basis
    notes: str = ""
    min_bidders_basis: Citation | None = None  # the article that sets min_bidders
    threshold_basis: Citation | None = None  # the rule that sets ``thresholds``
    evaluation_basis: Citation | None = None  # the article that lists the evaluation methods

    def unconfirmed(self) -> tuple[Citation, ...]:
        """Every citation of this rule set whose source is not in the law library."""
        return tuple(c for c in self.all_citations() if not c.confirmed)

    def all_citations(self) -> tuple[Citation, ...]:
        found: list[Citation] = [p.basis for p in self.periods]
        for c in (self.min_bidders_basis, self.threshold_basis, self.evaluation_basis):
            if c is not None:
                found.append(c)
        if self.deposit is not None:
            found += [c for c in (self.deposit.basis, self.deposit.refund_basis) if c is not None]
        found += list(self.citations)
        return tuple(found)

    def stage_codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.stages)

    def period(self, code: str) -> Period:
        for p in self.periods:
            if p.code == code:
                return p
        raise KeyError(code)
