"""A finished demo auction (docs/auctions.md "Demo"): a land parcel in 朔州 sold in a descending
(降价) auction as soon as the demo loads, so the result shows at once — the transaction result
notice with the premium rate, the confirmation (成交确认书, signed by the platform) awaiting the
winner's signature, the other bidders' deposits refunded through the deposits app with their
deadlines, and the lot in its result stage. The winner is the demo's own entity: log in as
entity_admin to sign it (POST /api/auctions/confirmations/<code>/sign), or as operator to see the
console (工作台 → 拍卖挂牌办理).

Deposits are paid through the simulated bank, so the demo is skipped in production. Idempotent:
nothing when the project exists. Runs after the deposits demo (which adds nothing once any deposit
requirement exists)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from ggzy.core import clock
from ggzy.core.permissions import SYSTEM

NAME = "朔州市朔城区SC-2026-05号地块国有建设用地使用权出让"
REGION = "140602"
ESTIMATE = Decimal("16800000.00")


def load(added: Counter) -> None:
    from ggzy.accounts.models import ServiceCenter, User
    from ggzy.auctions import services as auctions
    from ggzy.auctions import settlement
    from ggzy.auctions.models import Registration
    from ggzy.demo.loader import open_lot
    from ggzy.deposits import services as deposit_services
    from ggzy.deposits import simbank
    from ggzy.entities.models import Entity
    from ggzy.trading import services as trading
    from ggzy.trading.selectors import project_names

    if not simbank.enabled() or NAME in project_names():
        return
    demo_user = User.objects.filter(username="entity_admin").select_related("membership__entity").first()
    winner = getattr(getattr(demo_user, "membership", None), "entity", None)
    transferor = (
        Entity.objects.filter(trading_roles__icontains="transferor", region_code__startswith="1406").first()
        or Entity.objects.filter(trading_roles__icontains="transferor").order_by("uscc").first()
    )
    center = ServiceCenter.objects.filter(region_id="140600").first()
    if winner is None or transferor is None or center is None or "transferee" not in winner.trading_roles:
        return
    others = list(
        Entity.objects.filter(trading_roles__icontains="transferee")
        .exclude(uscc__in=[winner.uscc, transferor.uscc])
        .order_by("-uscc")[:2]
    )
    project = trading.project_register(
        data={"name": NAME, "ruleset_code": "land.auction", "region_code": REGION,
              "tenderer_uscc": transferor.uscc, "service_center": center.pk, "estimate": str(ESTIMATE),
              "item_kind": "", "public_funded": True},
        actor=SYSTEM,
    )  # fmt: skip
    added["projects"] += 1
    lot = project.lots.get()
    open_lot(lot, days_ago=25)  # notice published 25 days ago: the auction stage has come
    trading.tick_run()
    now = clock.now()
    a = settlement.auction_setup(
        lot=lot,
        data={"mode": "dutch", "title": f"{NAME}（降价竞价）", "starting_price": str(ESTIMATE),
              "increment": "100000.00", "deposit": str(ESTIMATE / 5), "dutch_step": "200000.00",
              "dutch_floor": str(ESTIMATE * 9 / 10), "dutch_interval_seconds": 300,
              "starts_at": (now - dt.timedelta(seconds=1)).isoformat()},
        actor=SYSTEM,
    )  # fmt: skip
    added["auctions"] += 1
    regs = []
    for e in [winner, *others]:
        member = e.memberships.filter(active=True).select_related("user").first()
        if member is not None:
            r = auctions.registration_apply(auction=a, actor=member.user)
        else:  # the service center registers on the entity's behalf (offline application)
            r = Registration.objects.create(auction=a, entity=e, created_at=clock.now())
        auctions.registration_review(registration=r, approve=True, actor=SYSTEM)
        deposit_services.simulate_payment(lot=lot, uscc=e.uscc, amount=a.deposit, actor=SYSTEM)
        regs.append(settlement.deposit_check(registration=r, actor=SYSTEM))
    a = auctions.auction_refresh(auction=a)
    # the demo entity takes the first (descending) price: the auction is sold at once
    auctions.bid_place(auction=a, bidder=regs[0], amount=str(a.starting_price), actor=SYSTEM)
