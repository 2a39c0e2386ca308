"""Where the bids to evaluate come from (docs/evaluation.md, "Interfaces").

Sealed-bid procedures: ``ggzy.tendering.selectors.bids_for_evaluation(lot)`` after the opening,
one mapping per decrypted bid with at least ``uscc``, ``name``, ``price`` (yuan, text) and
``summary`` (the 开标一览表), in receipt order. Procedures with responses (negotiation,
consultation, request for quotation, single source) record their suppliers and quotes here instead.
"""

from __future__ import annotations

from typing import Any


class SourceMissing(Exception):
    pass


def opened_bids(lot: Any) -> list[dict[str, Any]]:
    try:
        from ggzy.tendering import selectors as tendering
    except ImportError as exc:  # pragma: no cover - tendering ships with the platform
        raise SourceMissing(str(exc)) from exc
    fetch = getattr(tendering, "bids_for_evaluation", None)
    if fetch is None:
        raise SourceMissing("ggzy.tendering.selectors.bids_for_evaluation")
    rows = []
    for n, b in enumerate(fetch(lot), start=1):
        summary = dict(b.get("summary") or {})
        rows.append(
            {
                "uscc": b["uscc"],
                "name": b["name"],
                "price": str(b.get("price") or summary.get("price") or ""),
                "summary": {
                    k: v
                    for k, v in summary.items()
                    if k in ("price", "period_days", "quality", "project_manager")
                },
                "order": n,
                "ref": f"bid:{b.get('bid_id', '')}",
            }
        )
    return rows
