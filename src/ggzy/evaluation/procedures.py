"""How a rule set drives the evaluation machinery (pure: no Django).

A procedure is configuration, not code (DESIGN "Rules are data"): this module reads the fields of
a rule set (mechanism, procedure, stages, evaluation methods, publicity days, minimum bidders) and
says which parts of the one machinery apply. docs/evaluation.md has the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BIDS, RESPONSES = "bids", "responses"  # where the bidders come from
EVALUATION_STAGES = ("evaluation", "review", "negotiation")
MULTI_ROUND = ("competitive_negotiation", "competitive_consultation")  # 多轮报价，以最后报价为准
METHOD_LABELS = {
    "lowest_evaluated_price": "经评审的最低投标价法",
    "comprehensive_scoring": "综合评估法（综合评分法）",
    "lowest_price": "最低评标价法",
    "lowest_quote": "最低报价法",
    "negotiated_price": "协商确定成交价格",
}


@dataclass(frozen=True)
class Procedure:
    code: str
    category: str
    procedure: str
    mechanism: str
    methods: tuple[str, ...]
    source: str  # BIDS (sealed bids opened by tendering) | RESPONSES (quotes recorded here)
    multi_round: bool  # several quote rounds, the final round counts
    evaluation_stage: str
    before_stage: str | None  # the stage a sealed-bid lot leaves when the evaluation starts
    prior_publicity: bool  # single source: the reason's publicity stage comes before
    candidate_publicity_days: int | None  # a candidate publicity stage after the evaluation
    min_bidders: int
    award_stage: str | None
    contract_stage: str | None

    @property
    def single_source(self) -> bool:
        return self.procedure == "single_source"


def derive(
    *,
    code: str,
    category: str,
    procedure: str,
    mechanism: str,
    stages: Sequence[str],
    methods: Sequence[str],
    publicity_days: int | None,
    min_bidders: int,
) -> Procedure | None:
    """The evaluation configuration of a rule set, or None when it has no evaluation (auctions,
    listings)."""
    stages = list(stages)
    evaluation = next((s for s in stages if s in EVALUATION_STAGES), None)
    if evaluation is None or mechanism not in ("sealed_bids", "negotiation"):
        return None
    i = stages.index(evaluation)
    after = stages[i + 1 :]
    before = stages[:i]
    return Procedure(
        code=code,
        category=category,
        procedure=procedure,
        mechanism=mechanism,
        methods=tuple(methods),
        source=BIDS if mechanism == "sealed_bids" else RESPONSES,
        multi_round=procedure in MULTI_ROUND,
        evaluation_stage=evaluation,
        before_stage=before[-1] if before and mechanism == "sealed_bids" else None,
        prior_publicity="publicity" in before,
        candidate_publicity_days=publicity_days if "publicity" in after and publicity_days else None,
        min_bidders=min_bidders,
        award_stage="award" if "award" in stages else None,
        contract_stage="contract" if "contract" in stages else None,
    )
