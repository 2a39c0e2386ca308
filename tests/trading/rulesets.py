"""Rule sets for the trading tests, built directly from the schema's dataclasses so the tests do
not depend on the rules app's shipped data (an integration test checks those separately).

- ``SEALED`` (+ ``SEALED_V2``), ``AUCTION``, ``NEGOTIATION``, ``PROCUREMENT_OPEN``: what the
  conftest serves as the rules app (``ALL``, ``effective``, ``version``) for projects and lots;
- ``ENGINEERING_OPEN``, ``PREQUAL``, ``AUCTION_TIMED`` (and ``PROCUREMENT_OPEN``): the periods of
  the timeline tests, with their articles.

``ruleset`` and ``derive`` build them; ``period`` and the ``cite_*`` helpers keep each period one line.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ggzy.core.errors import NotFound
from ggzy.rules.schema import Citation, Period, RuleSet, Stage

LAW = "招标投标法"
REG = "招标投标法实施条例"
GP_LAW = "政府采购法"
GP_REG = "政府采购法实施条例"
SOE_LAW = "企业国有资产法"


def ruleset(
    code: str, name: str, mechanism: str, stages, periods=(), *, min_bidders: int = 3, **over
) -> RuleSet:
    """A version-1 rule set in force since 2020; category and procedure come from ``code``."""
    category, procedure = code.split(".", 1)
    fields = {
        "code": code,
        "category": category,
        "procedure": procedure,
        "name": name,
        "version": 1,
        "effective_from": dt.date(2020, 1, 1),
        "mechanism": mechanism,
        "stages": tuple(stages),
        "periods": tuple(periods),
        "min_bidders": min_bidders,
    }
    fields.update(over)
    return RuleSet(**fields)


def derive(base: RuleSet, **over) -> RuleSet:
    """``base`` with some fields replaced (a ``code`` also sets category and procedure)."""
    if "code" in over:
        category, procedure = over["code"].split(".", 1)
        over = {"category": category, "procedure": procedure, **over}
    return RuleSet(**{**base.__dict__, **over})


def period(code, label, start, end, days, basis, *, kind="calendar", relation="min", minutes=0) -> Period:
    return Period(code, label, start, end, days, kind, relation, basis, minutes)


def stages(*specs: tuple[str, str, str | None]) -> tuple[Stage, ...]:
    return tuple(Stage(*s) for s in specs)


BID_PREPARATION = Citation(LAW, "第二十四条")
SEALED_STAGES = stages(
    ("notice", "招标公告", "notice_published"),
    ("bidding", "投标", "documents_issued"),
    ("opening", "开标", "bid_deadline"),
    ("evaluation", "评标", "opening"),
)

# --- the rules app's stand-ins (conftest.py) --------------------------------------------------------

SEALED = ruleset(
    "engineering.open_tendering",
    "工程建设项目公开招标",
    "sealed_bids",
    SEALED_STAGES
    + stages(
        ("publicity", "中标候选人公示", "publicity_start"),
        ("awarded", "定标", "award_notice"),
        ("contracted", "合同签订", "contract_signed"),
    ),
    [period("bid_preparation", "投标准备期", "documents_issued", "bid_deadline", 20, BID_PREPARATION)],
    thresholds={"works": Decimal("4000000"), "goods": Decimal("2000000"), "services": Decimal("1000000")},
)

# version 2 of the same procedure, in force from 2026-07-01 (a project keeps its version)
SEALED_V2 = derive(SEALED, version=2, effective_from=dt.date(2026, 7, 1))

AUCTION = ruleset(
    "land.auction",
    "国有建设用地使用权拍卖出让",
    "auction",
    stages(
        ("announced", "出让公告", "notice_published"),
        ("registration", "竞买报名", "listing_start"),
        ("closed", "报名截止", "registration_deadline"),
        ("auction", "拍卖会", "auction_start"),
        ("result", "结果公示", "result_published"),
        ("contracted", "签订出让合同", "contract_signed"),
    ),
    min_bidders=1,
)

NEGOTIATION = ruleset(
    "procurement.competitive_negotiation",
    "政府采购竞争性谈判",
    "negotiation",
    stages(
        ("invited", "邀请供应商", "notice_published"),
        ("responding", "响应", "documents_issued"),
        ("negotiating", "谈判", "response_deadline"),
        ("publicity", "成交结果公告", "publicity_start"),
        ("contracted", "合同签订", None),
    ),
)

# the stages of SEALED with procurement's own periods (政府采购法实施条例第三十一条: documents
# supplied for at least 5 working days; 政府采购法第三十五条: 20 days to prepare bids)
PROCUREMENT_OPEN = derive(
    SEALED,
    code="procurement.open_tendering",
    name="政府采购公开招标",
    periods=(
        period("documents_supply", "招标文件提供期限", "documents_issued", "documents_end", 5,
               Citation(GP_REG, "第三十一条"), kind="working"),
        period("bid_preparation", "投标文件编制期", "documents_issued", "bid_deadline", 20,
               Citation(GP_LAW, "第三十五条")),
        period("opening_at_deadline", "开标", "bid_deadline", "opening", 0, Citation(LAW, "第三十四条"),
               relation="exact"),
    ),
)  # fmt: skip

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


# --- the timeline tests: every period of an engineering open tender ------------------------------

ENGINEERING_OPEN = derive(
    SEALED,
    stages=SEALED_STAGES
    + stages(
        ("evaluated", "评标结束", "evaluation_done"),
        ("publicity", "中标候选人公示", "publicity_start"),
        ("awarded", "定标", "award_notice"),
        ("contracted", "合同签订", "contract_signed"),
    ),
    periods=(
        period("documents_after_notice", "公告后发出文件", "notice_published", "documents_issued", 0,
               Citation(REG, "第十六条")),
        period("documents_sale", "招标文件发售期", "documents_issued", "documents_end", 5, Citation(REG, "第十六条")),
        period("bid_preparation", "投标文件编制期", "documents_issued", "bid_deadline", 20, BID_PREPARATION),
        period("opening_at_deadline", "开标", "bid_deadline", "opening", 0, Citation(LAW, "第三十四条"),
               relation="exact"),
        period("publicity_after_report", "公示中标候选人", "evaluation_done", "publicity_start", 3,
               Citation(REG, "第五十四条"), relation="max"),
        period("publicity", "中标候选人公示期", "publicity_start", "publicity_end", 3, Citation(REG, "第五十四条")),
        period("award_after_publicity", "公示期满后定标", "publicity_end", "award_notice", 0,
               Citation(REG, "第五十四条")),
        period("contract", "订立合同", "award_notice", "contract_signed", 30, Citation(LAW, "第四十六条"),
               relation="max"),
    ),
    thresholds={},
)  # fmt: skip

PREQUAL = derive(
    ENGINEERING_OPEN,
    code="engineering.open_tendering_prequal",
    prequalification=True,
    periods=(
        *ENGINEERING_OPEN.periods,
        period("prequal_preparation", "资格预审申请文件编制期", "notice_published", "prequal_deadline", 5,
               Citation(REG, "第十七条")),
    ),
)  # fmt: skip

AUCTION_TIMED = ruleset(
    "property.listed_transfer",
    "产权转让",
    "auction",
    stages(("listing", "挂牌", "listing_start"), ("bidding", "竞价", "auction_start")),
    (
        period("listing", "挂牌期", "listing_start", "listing_end", 10, Citation(SOE_LAW, "第五十四条"), kind="working"),
        period("timed_start", "限时竞价开始", "listing_end", "auction_start", 0,
               Citation(SOE_LAW, "第五十四条", confirmed=False), minutes=5),
    ),
    min_bidders=1,
)  # fmt: skip
