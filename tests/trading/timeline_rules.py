"""Rule sets for the timeline tests, built directly from the schema's dataclasses."""

from __future__ import annotations

import datetime as dt

from ggzy.rules.schema import Citation, Period, RuleSet, Stage

LAW = "招标投标法"
REG = "招标投标法实施条例"
GP_REG = "政府采购法实施条例"

ENGINEERING_OPEN = RuleSet(
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
        Stage("evaluated", "评标结束", "evaluation_done"),
        Stage("publicity", "中标候选人公示", "publicity_start"),
        Stage("awarded", "定标", "award_notice"),
        Stage("contracted", "合同签订", "contract_signed"),
    ),
    periods=(
        Period("documents_after_notice", "公告后发出文件", "notice_published", "documents_issued", 0,
               "calendar", "min", Citation(REG, "第十六条")),
        Period("documents_sale", "招标文件发售期", "documents_issued", "documents_end", 5, "calendar", "min",
               Citation(REG, "第十六条")),
        Period("bid_preparation", "投标文件编制期", "documents_issued", "bid_deadline", 20, "calendar", "min",
               Citation(LAW, "第二十四条")),
        Period("opening_at_deadline", "开标", "bid_deadline", "opening", 0, "calendar", "exact",
               Citation(LAW, "第三十四条")),
        Period("publicity_after_report", "公示中标候选人", "evaluation_done", "publicity_start", 3, "calendar",
               "max", Citation(REG, "第五十四条")),
        Period("publicity", "中标候选人公示期", "publicity_start", "publicity_end", 3, "calendar", "min",
               Citation(REG, "第五十四条")),
        Period("award_after_publicity", "公示期满后定标", "publicity_end", "award_notice", 0, "calendar", "min",
               Citation(REG, "第五十四条")),
        Period("contract", "订立合同", "award_notice", "contract_signed", 30, "calendar", "max",
               Citation(LAW, "第四十六条")),
    ),
    min_bidders=3,
)  # fmt: skip

PROCUREMENT_OPEN = RuleSet(
    code="procurement.open_tendering",
    category="procurement",
    procedure="open_tendering",
    name="政府采购公开招标",
    version=1,
    effective_from=dt.date(2020, 1, 1),
    mechanism="sealed_bids",
    stages=(
        Stage("notice", "招标公告", "notice_published"),
        Stage("bidding", "投标", "documents_issued"),
        Stage("opening", "开标", "bid_deadline"),
        Stage("evaluation", "评标", "opening"),
    ),
    periods=(
        Period("documents_supply", "招标文件提供期限", "documents_issued", "documents_end", 5, "working", "min",
               Citation(GP_REG, "第三十一条")),
        Period("bid_preparation", "投标文件编制期", "documents_issued", "bid_deadline", 20, "calendar", "min",
               Citation("政府采购法", "第三十五条")),
        Period("opening_at_deadline", "开标", "bid_deadline", "opening", 0, "calendar", "exact",
               Citation(LAW, "第三十四条")),
    ),
    min_bidders=3,
)  # fmt: skip

PREQUAL = RuleSet(
    **{
        **ENGINEERING_OPEN.__dict__,
        "code": "engineering.open_tendering_prequal",
        "prequalification": True,
        "periods": (
            *ENGINEERING_OPEN.periods,
            Period(
                "prequal_preparation",
                "资格预审申请文件编制期",
                "notice_published",
                "prequal_deadline",
                5,
                "calendar",
                "min",
                Citation(REG, "第十七条"),
            ),
        ),
    }
)

AUCTION_TIMED = RuleSet(
    code="property.listed_transfer",
    category="property",
    procedure="listed_transfer",
    name="产权转让",
    version=1,
    effective_from=dt.date(2020, 1, 1),
    mechanism="auction",
    stages=(Stage("listing", "挂牌", "listing_start"), Stage("bidding", "竞价", "auction_start")),
    periods=(
        Period("listing", "挂牌期", "listing_start", "listing_end", 10, "working", "min", Citation("企业国有资产法", "第五十四条")),
        Period("timed_start", "限时竞价开始", "listing_end", "auction_start", 0, "calendar", "min",
               Citation("企业国有资产法", "第五十四条", confirmed=False), minutes=5),
    ),
    min_bidders=1,
)  # fmt: skip
