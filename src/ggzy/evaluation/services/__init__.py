"""Every write of the evaluation app (docs/evaluation.md)."""

from ggzy.evaluation.services.award import (
    award_decide,
    contract_record,
    contracts_overdue,
    deadlines_check,
    lot_terminate,
    objection_answer,
    objection_file,
    objections_overdue,
    performance_record,
    publicity_publish,
)
from ggzy.evaluation.services.evaluate import (
    adjustment_set,
    evaluation_start,
    qualification_submit,
    quote_submit,
    quotes_close,
    report_sign,
    round_next,
    score_submit,
)

__all__ = [
    "adjustment_set",
    "award_decide",
    "contract_record",
    "contracts_overdue",
    "deadlines_check",
    "evaluation_start",
    "lot_terminate",
    "objection_answer",
    "objection_file",
    "objections_overdue",
    "performance_record",
    "publicity_publish",
    "qualification_submit",
    "quote_submit",
    "quotes_close",
    "report_sign",
    "round_next",
    "score_submit",
]
