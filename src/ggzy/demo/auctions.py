"""Demo auctions (docs/auctions.md "Demo"): one of each kind on the demo's land, mining and state
property lots, bidders registered, qualified and given numbers, some quotes and bids; the land
auction in 晋中 runs live in accelerated mode (starts a few minutes after loading, 60 s countdown),
so a new user sees it open, take bids and close; the demo's entity accounts hold a bidding number
in it (log in as entity_admin and bid). Idempotent: nothing is added when an auction exists."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from ggzy.core import clock
from ggzy.core.permissions import SYSTEM

LIVE_START = dt.timedelta(minutes=3)


def load(added: Counter) -> None:
    from ggzy.accounts.models import User
    from ggzy.auctions import services as auctions
    from ggzy.auctions.models import Auction
    from ggzy.entities import services as entities
    from ggzy.entities.models import Entity
    from ggzy.trading.models import Lot

    # the demo's entity accounts (entity_admin, entity_member) act as transferees (竞买人): their
    # entity also holds that role, as a company that tenders and buys land would. Checked on every
    # load (before the early return), so a database loaded before this fix gets the role too.
    demo_user = User.objects.filter(username="entity_admin").select_related("membership__entity").first()
    demo_entity = getattr(getattr(demo_user, "membership", None), "entity", None)
    if demo_entity is not None and "transferee" not in demo_entity.trading_roles:
        demo_entity = entities.entity_update(
            entity=demo_entity,
            changes={"trading_roles": [*demo_entity.trading_roles, "transferee"]},
            actor=SYSTEM,
        )
    if Auction.objects.exists():
        return
    lots = {
        lot.project.ruleset_code: lot
        for lot in Lot.objects.select_related("project")
        .filter(
            project__ruleset_code__in=[
                "land.auction",
                "land.listing",
                "mining.auction",
                "mining.listing",
                "property.listed_transfer",
            ],
            number=1,
        )
        .order_by("id")
    }
    people = list(Entity.objects.filter(trading_roles__icontains="transferee").order_by("uscc")[:6])
    if len(people) < 3:
        return
    now = clock.now()

    def users_of(entity):
        return [m.user for m in entity.memberships.filter(active=True).select_related("user")]

    def register(a, entities):
        regs = []
        for e in entities:
            if e.uscc == a.lot.project.tenderer_uscc:
                continue
            member = next(iter(users_of(e)), None)
            if member is not None:
                r = auctions.registration_apply(auction=a, actor=member)
            else:  # the service center registers on the entity's behalf (offline application)
                from ggzy.auctions.models import Registration

                r = Registration.objects.create(auction=a, entity=e, created_at=clock.now())
            r = auctions.registration_review(registration=r, approve=True, actor=SYSTEM)
            r = auctions.deposit_confirm(registration=r, reference=f"DEMO{r.pk:06d}", actor=SYSTEM)
            regs.append(r)
        return regs

    def create(code, **data):
        lot = lots.get(code)
        if lot is None:
            return None
        base = {
            "increment": "100000.00",
            "deposit": str(int(lot.estimate * 20 / 100)),
            "starting_price": str(lot.estimate),
        }
        base.update(data)
        added["auctions"] += 1
        return auctions.auction_create(lot=lot, data=base, actor=SYSTEM)

    live_people = [e for e in [demo_entity, *people[:2]] if e is not None]
    # 1. land auction, live and accelerated: opens 3 minutes after loading, 4-minute countdown / 4
    live = create("land.auction", mode="timed", starts_at=(now + LIVE_START).isoformat(), countdown_seconds=240,
                  acceleration=4, reserve_price=None, price_cap=None)  # fmt: skip
    if live:
        register(live, live_people)
    # 2. land listing: quoting now, ends in 7 days; two bidders quoted and want timed bidding
    listing = create("land.listing", mode="listing", starts_at=(now - dt.timedelta(days=3)).isoformat(),
                     listing_ends_at=(now + dt.timedelta(days=7)).isoformat(), increment="50000.00",
                     price_cap=str(lots["land.listing"].estimate * 2) if "land.listing" in lots else None)  # fmt: skip
    if listing:
        regs = register(listing, people[1:4])
        auctions.auction_refresh(auction=listing)
        price = listing.starting_price
        for r in regs[:2]:
            auctions.bid_place(auction=listing, bidder=r, amount=str(price), actor=SYSTEM)
            price += listing.increment
    # 3. mining auction: open now with a few bids; its countdown closes it minutes after loading
    mining = create("mining.auction", mode="timed", starts_at=(now - dt.timedelta(seconds=1)).isoformat(),
                    countdown_seconds=600, reserve_price=str(lots["mining.auction"].estimate * 11 / 10)
                    if "mining.auction" in lots else None)  # fmt: skip
    if mining:
        regs = register(mining, people[2:5])
        price = mining.starting_price
        for r in [*regs, *regs][:5]:
            auctions.bid_place(auction=mining, bidder=r, amount=str(price), actor=SYSTEM)
            price += mining.increment * 3
    # 4. mining listing: quoting, one bidder so far
    ml = create("mining.listing", mode="listing", starts_at=(now - dt.timedelta(days=1)).isoformat(),
                listing_ends_at=(now + dt.timedelta(days=9)).isoformat())  # fmt: skip
    if ml:
        regs = register(ml, people[3:5])
        auctions.auction_refresh(auction=ml)
        auctions.bid_place(auction=ml, bidder=regs[0], amount=str(ml.starting_price), actor=SYSTEM)
    # 5. state property: online bidding in English rounds after the disclosure, tomorrow
    prop = create("property.listed_transfer", mode="english", starts_at=(now + dt.timedelta(days=1)).isoformat(),
                  round_seconds=300, increment="50000.00")  # fmt: skip
    if prop:
        register(prop, people[:2])
