"""Test data for evaluations.

Bids come through tendering's real services (sealed, submitted, decrypted at the opening:
tests/tendering/bidding.py), so the evaluation reads them through the same interface as in
production (``tendering.selectors.bids_for_evaluation``); nothing of ours is mocked. Suppliers of
the procurement procedures with responses are registered entities.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ggzy.accounts.models import Role
from ggzy.evaluation import services
from ggzy.tendering import services as tendering
from ggzy.trading import services as trading
from ggzy.trading.models import Lot
from tests.experts import helpers as eh
from tests.tendering import bidding as b
from tests.trading import helpers as th

PRICES = ("4800000.00", "4750000.00", "4900000.00")


def operator():
    return th.operator("140100")


@dataclass
class Opened:
    lot: Lot
    op: Any
    bidders: list[Any] = field(default_factory=list)

    def bidder(self, i: int):
        return self.bidders[i]


def opened_lot(at, prices=PRICES, ruleset: str = "engineering.open_tendering") -> Opened:
    """A lot whose opening is over with one decrypted bid per price (the clock is moved to just
    after the deadline)."""
    lt = b.lot(deadline_in=600, ruleset=ruleset)
    out = Opened(lot=lt, op=operator())
    envs = []
    for price in prices:
        bidder = b.Bidder()
        env, meta = b.seal(b.plaintext(lt, bidder, price=price), bidder)
        b.submit(lt, bidder, env, meta)
        out.bidders.append(bidder)
        envs.append(env)
    at.shift(dt.timedelta(seconds=601))
    trading.tick_run()
    tendering.openings_due()
    for bidder, env in zip(out.bidders, envs, strict=True):
        tendering.bid_decrypt(lot=lt, content_key=b.content_key(env, bidder), actor=bidder.user)
    tendering.opening_finish(lot=lt, actor=out.op, force=True)
    lt.refresh_from_db()
    return out


def experts(n: int = 5) -> list[tuple[Any, Any]]:
    """``n`` active experts with accounts: (expert, user)."""
    eh.specialties()
    out = []
    for _ in range(n):
        e = eh.expert()
        out.append((e, eh.expert_user(e)))
    return out


def codes(panel) -> list[str]:
    return [e.code for e, _u in panel]


SCORING_TABLE = {
    "items": [
        {"code": "price", "label": "投标报价", "kind": "price", "max_score": "40"},
        {"code": "tech", "label": "施工组织设计", "kind": "technical", "max_score": "40"},
        {"code": "biz", "label": "企业业绩与信誉", "kind": "commercial", "max_score": "20"},
    ]
}


def all_pass(ev) -> dict:
    return {t.uscc: {"passed": True, "reason": ""} for t in ev.tenderers.all()}


def qualify_all(ev, panel) -> None:
    for _e, u in panel:
        services.qualification_submit(evaluation=ev, votes=all_pass(ev), actor=u)
    ev.refresh_from_db()


def sign_all(ev, panel) -> None:
    ev.refresh_from_db()
    for _e, u in panel:
        services.report_sign(evaluation=ev, report_sm3=ev.report_sm3, actor=u)
    ev.refresh_from_db()


def entity_user(entity, role=Role.ENTITY_ADMIN):
    return th.member_of(entity, role)
