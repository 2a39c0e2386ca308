"""Rule sets as plain dicts for the API and the pages (labels added). No writes."""

from __future__ import annotations

from typing import Any

from ggzy.rules import events, validate
from ggzy.rules.models import RuleSetVersion
from ggzy.rules.schema import MECHANISMS, Citation, RuleSet


def citation(c: Citation | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"law": c.law, "article": c.article, "confirmed": c.confirmed, "note": c.note, "label": c.label()}


def _dec(d) -> str | None:
    return None if d is None else format(d.normalize(), "f")


def ruleset(rs: RuleSet, row: RuleSetVersion) -> dict[str, Any]:
    deposit = None
    if rs.deposit is not None:
        deposit = {
            "cap_percent": _dec(rs.deposit.cap_percent),
            "cap_amount": _dec(rs.deposit.cap_amount),
            "refund_days": rs.deposit.refund_days,
            "refund_kind": rs.deposit.refund_kind,
            "basis": citation(rs.deposit.basis),
            "refund_basis": citation(rs.deposit.refund_basis),
        }
    procedures = validate.PROCEDURES.get(rs.category, {})
    return {
        "code": rs.code,
        "category": rs.category,
        "category_label": validate.CATEGORIES.get(rs.category, rs.category),
        "procedure": rs.procedure,
        "procedure_label": procedures.get(rs.procedure, rs.name),
        "name": rs.name,
        "version": rs.version,
        "effective_from": rs.effective_from,
        "mechanism": rs.mechanism,
        "mechanism_label": MECHANISMS[rs.mechanism],
        "stages": [
            {"code": s.code, "label": s.label, "event": s.event, "event_label": events.label(s.event)}
            for s in rs.stages
        ],
        "periods": [
            {
                "code": p.code,
                "label": p.label,
                "start_event": p.start_event,
                "start_event_label": events.label(p.start_event),
                "end_event": p.end_event,
                "end_event_label": events.label(p.end_event),
                "days": p.days,
                "minutes": p.minutes,
                "kind": p.kind,
                "relation": p.relation,
                "text": validate.period_text(p),
                "basis": citation(p.basis),
            }
            for p in rs.periods
        ],
        "min_bidders": rs.min_bidders,
        "min_bidders_basis": citation(rs.min_bidders_basis),
        "evaluation_methods": [
            {"code": m, "label": validate.EVALUATION_METHODS[m]} for m in rs.evaluation_methods
        ],
        "evaluation_basis": citation(rs.evaluation_basis),
        "prequalification": rs.prequalification,
        "deposit": deposit,
        "publicity_days": rs.publicity_days,
        "thresholds": {k: _dec(v) for k, v in rs.thresholds.items()},
        "threshold_basis": citation(rs.threshold_basis),
        "citations": [citation(c) for c in rs.citations],
        "notes": rs.notes,
        "digest": row.digest,
        "source": row.source,
        "published_at": row.published_at,
        "unconfirmed": len(rs.unconfirmed()),
    }


def version(row: RuleSetVersion) -> dict[str, Any]:
    return {
        "version": row.version,
        "effective_from": row.effective_from,
        "digest": row.digest,
        "source": row.source,
        "published_at": row.published_at,
        "created_by": row.created_by,
    }
