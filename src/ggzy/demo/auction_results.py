"""A finished demo auction (docs/auctions.md "Demo"): a land parcel in 朔州 sold in a descending
(降价) auction as soon as the demo loads, so the result shows at once — the transaction result
notice with the premium rate, the confirmation (成交确认书, signed by the platform) awaiting the
winner's signature, the other bidders' deposits refunded through the deposits app with their
deadlines, and the lot in its result stage. The winner is the demo's own entity: log in as
entity_admin to sign it (POST /api/auctions/confirmations/<code>/sign), or as operator to see the
console (工作台 → 拍卖挂牌办理).

A second parcel (平鲁区) went the whole way: sold to another entity, the confirmation signed and the
国有建设用地使用权出让合同 recorded, so its contract notice (合同公告) is public and the lot is in its
contract stage (docs/auctions.md "Contract").

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
CONTRACTED_NAME = "朔州市平鲁区PL-2026-02号地块国有建设用地使用权出让"
CONTRACTED_REGION = "140603"
CONTRACTED_ESTIMATE = Decimal("9600000.00")


def load(added: Counter) -> None:
    from ggzy.accounts.models import ServiceCenter, User
    from ggzy.auctions import settlement
    from ggzy.deposits import simbank
    from ggzy.entities.models import Entity
    from ggzy.trading.selectors import project_names

    if not simbank.enabled():
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
    names = project_names()
    if NAME not in names:  # the demo entity's own win, awaiting its signature
        _sold(added, NAME, REGION, ESTIMATE, transferor, center, [winner, *others])
    if CONTRACTED_NAME not in names and others:  # another entity's, signed and contracted
        from ggzy.auctions import contracts, settlement
        from ggzy.auctions.models import Confirmation

        a = _sold(added, CONTRACTED_NAME, CONTRACTED_REGION, CONTRACTED_ESTIMATE, transferor, center,
                  [others[0], winner])  # fmt: skip
        c = settlement.confirmation_sign(confirmation=Confirmation.objects.get(auction=a), actor=SYSTEM)
        contracts.contract_record(confirmation=c, contract_no="朔平自然资出让〔2026〕第02号", amount=str(c.price),
                                  signed_on=clock.today().isoformat(), actor=SYSTEM)  # fmt: skip
        added["auction_contracts"] += 1


def _sold(added: Counter, name: str, region: str, estimate: Decimal, transferor, center, bidders: list):
    """A land parcel sold at once in a descending auction to ``bidders[0]`` (the others registered
    and paid their deposits too). Returns the closed auction."""
    from ggzy.auctions import services as auctions
    from ggzy.auctions import settlement
    from ggzy.auctions.models import Registration
    from ggzy.demo.loader import open_lot
    from ggzy.deposits import services as deposit_services
    from ggzy.trading import services as trading

    project = trading.project_register(
        data={"name": name, "ruleset_code": "land.auction", "region_code": region,
              "tenderer_uscc": transferor.uscc, "service_center": center.pk, "estimate": str(estimate),
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
        data={"mode": "dutch", "title": f"{name}（降价竞价）", "starting_price": str(estimate),
              "increment": "100000.00", "deposit": str(estimate / 5), "dutch_step": "200000.00",
              "dutch_floor": str(estimate * 9 / 10), "dutch_interval_seconds": 300,
              "starts_at": (now - dt.timedelta(seconds=1)).isoformat()},
        actor=SYSTEM,
    )  # fmt: skip
    added["auctions"] += 1
    regs = []
    for e in bidders:
        member = e.memberships.filter(active=True).select_related("user").first()
        if member is not None:
            r = auctions.registration_apply(auction=a, actor=member.user)
        else:  # the service center registers on the entity's behalf (offline application)
            r = Registration.objects.create(auction=a, entity=e, created_at=clock.now())
        auctions.registration_review(registration=r, approve=True, actor=SYSTEM)
        deposit_services.simulate_payment(lot=lot, uscc=e.uscc, amount=a.deposit, actor=SYSTEM)
        regs.append(settlement.deposit_check(registration=r, actor=SYSTEM))
    a = auctions.auction_refresh(auction=a)
    # the first bidder takes the first (descending) price: the auction is sold at once
    auctions.bid_place(auction=a, bidder=regs[0], amount=str(a.starting_price), actor=SYSTEM)
    a.refresh_from_db()
    return a
