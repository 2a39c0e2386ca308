"""Rule sets for the trading tests, built directly from the schema's dataclasses so the tests do
not depend on the rules app's shipped data (an integration test checks those separately)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ggzy.core.errors import NotFound
from ggzy.rules.schema import Citation, Period, RuleSet, Stage

LAW = Citation("招标投标法", "第二十四条")

SEALED = RuleSet(
    code="engineering.open_tendering",
    category="engineering",
    procedure="open_tendering",
    name="工程建设项目公开招标",
    version=1,
    effective_from=dt.date(2020, 1, 1),
    mechanism="sealed_bids",
    stages=(
        Stage("notice", "招标公告", "notice_published"),
        Stage("bidding", "投标", "documents_issued"),
        Stage("opening", "开标", "bid_deadline"),
        Stage("evaluation", "评标", "opening"),
        Stage("publicity", "中标候选人公示", "publicity_start"),
        Stage("awarded", "定标", "award_notice"),
        Stage("contracted", "合同签订", "contract_signed"),
    ),
    periods=(
        Period(
            "bid_preparation", "投标准备期", "documents_issued", "bid_deadline", 20, "calendar", "min", LAW
        ),
    ),
    min_bidders=3,
    thresholds={"works": Decimal("4000000"), "goods": Decimal("2000000"), "services": Decimal("1000000")},
)

# version 2 of the same procedure, in force from 2026-07-01 (a project keeps its version)
SEALED_V2 = RuleSet(**{**SEALED.__dict__, "version": 2, "effective_from": dt.date(2026, 7, 1)})

AUCTION = RuleSet(
    code="land.auction",
    category="land",
    procedure="auction",
    name="国有建设用地使用权拍卖出让",
    version=1,
    effective_from=dt.date(2020, 1, 1),
    mechanism="auction",
    stages=(
        Stage("announced", "出让公告", "notice_published"),
        Stage("registration", "竞买报名", "listing_start"),
        Stage("closed", "报名截止", "registration_deadline"),
        Stage("auction", "拍卖会", "auction_start"),
        Stage("result", "结果公示", "result_published"),
        Stage("contracted", "签订出让合同", "contract_signed"),
    ),
    periods=(),
    min_bidders=1,
)

NEGOTIATION = RuleSet(
    code="procurement.competitive_negotiation",
    category="procurement",
    procedure="competitive_negotiation",
    name="政府采购竞争性谈判",
    version=1,
    effective_from=dt.date(2020, 1, 1),
    mechanism="negotiation",
    stages=(
        Stage("invited", "邀请供应商", "notice_published"),
        Stage("responding", "响应", "documents_issued"),
        Stage("negotiating", "谈判", "response_deadline"),
        Stage("publicity", "成交结果公告", "publicity_start"),
        Stage("contracted", "合同签订", None),
    ),
    periods=(),
    min_bidders=3,
)

PROCUREMENT_OPEN = RuleSet(
    **{
        **SEALED.__dict__,
        "code": "procurement.open_tendering",
        "category": "procurement",
        "name": "政府采购公开招标",
    }
)

ALL = (SEALED, SEALED_V2, AUCTION, NEGOTIATION, PROCUREMENT_OPEN)


def effective(code: str, on: dt.date) -> RuleSet:
    found = [r for r in ALL if r.code == code and r.effective_from <= on]
    if not found:
        raise NotFound("rules.not_found", f"未找到{on}有效的交易规则“{code}”")
    return max(found, key=lambda r: r.version)


def version(code: str, number: int) -> RuleSet:
    for r in ALL:
        if r.code == code and r.version == number:
            return r
    raise NotFound("rules.not_found", f"未找到交易规则“{code}”第{number}版")
