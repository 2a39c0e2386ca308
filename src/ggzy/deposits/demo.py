"""Demo deposits (``ggzy demo load``): on one engineering lot, three bidders — one paid in full
through the simulated bank, one short, one with an electronic guarantee awaiting verification;
on one procurement lot two suppliers paid from the same account (the supervisor sees the red flag)
and a refund already past its deadline (the tick warns). Idempotent: nothing when a requirement exists.
Skipped in production (the simulated bank is refused there)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_DOWN, Decimal

from ggzy.core import clock
from ggzy.core.permissions import SYSTEM
from ggzy.deposits import services, simbank
from ggzy.deposits.models import Requirement
from ggzy.entities import selectors as entity_selectors
from ggzy.trading import selectors as trading


def _lot(category: str):
    for project in trading.project_search(category=category):
        if project.ruleset_code.endswith("open_tendering"):
            lot = project.lots.order_by("number").first()
            if lot is not None and lot.status not in services.CLOSED:
                return lot
    return None


def _amount(lot) -> Decimal:
    cap = services.cap_of(lot).amount or lot.estimate / 50
    return max(Decimal("1000"), (cap / 1000).quantize(Decimal(1), rounding=ROUND_DOWN) * 1000)


def load(added: Counter) -> None:
    if not simbank.enabled() or Requirement.objects.exists():
        return
    bidders = [e.uscc for e in entity_selectors.entity_search(role="bidder")[:5]]
    eng, proc = _lot("engineering"), _lot("procurement")
    if len(bidders) < 3 or eng is None or proc is None:
        return
    amount = _amount(eng)
    services.deposit_requirement_set(lot=eng, amount=amount, actor=SYSTEM)
    services.simulate_payment(lot=eng, uscc=bidders[0], amount=amount, actor=SYSTEM)
    services.simulate_payment(lot=eng, uscc=bidders[1], amount=amount / 2, actor=SYSTEM)
    today = clock.today()
    services.guarantee_record(
        lot=eng, uscc=bidders[2], issuer="山西省融资再担保集团有限公司", number=f"DZBH{today:%Y%m%d}0001",
        amount=amount, valid_from=today, valid_until=today + dt.timedelta(days=120), actor=SYSTEM,
    )  # fmt: skip
    amount = _amount(proc)
    services.deposit_requirement_set(lot=proc, amount=amount, actor=SYSTEM)
    for uscc in bidders[3:5] or bidders[:2]:
        services.simulate_payment(
            lot=proc, uscc=uscc, amount=amount, payer_account="6217000012345678901", actor=SYSTEM
        )
    services.deposit_refund_due(
        lot=proc, uscc=(bidders[3:5] or bidders[:2])[0], reason="award_notice",
        due_from=today - dt.timedelta(days=20), actor=SYSTEM,
    )  # fmt: skip
    services.refunds_overdue_check()
    added["deposit_requirements"] += 2
