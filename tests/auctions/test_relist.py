"""Relisting (重新挂牌/再行拍卖, docs/auctions.md "Relisting"): after a failed auction (流拍) or a
winner's default the lot goes back into its procedure through ``trading.services.lot_relist``, its
status follows the new attempt at every step, new bidders pay into their sub-accounts, and the
previous attempt's deposits stay tracked (per attempt: test_relist_deposits.py) — real database, real deposits app."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine

from ggzy.auctions import services, settlement
from ggzy.auctions.models import Auction, Confirmation, ConfirmationStatus, Result
from ggzy.audit.models import AuditEvent
from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.deposits import selectors as deposits
from ggzy.deposits import services as deposit_services
from ggzy.trading import lifecycle
from ggzy.trading import selectors as trading
from ggzy.trading import services as trading_services
from ggzy.trading.models import LotEvent, LotTransition
from tests.auctions import helpers
from tests.trading import helpers as th

code_of = helpers.code_of
setup, paid_bidder, close = helpers.sale, helpers.paid_bidder, helpers.close
pytestmark = pytest.mark.django_db
D = Decimal


def status(a) -> str:
    return trading.lot_get(a.lot.code).status


def moves(a) -> list[tuple[str, str]]:
    return list(
        LotTransition.objects.filter(lot_id=a.lot_id).order_by("id").values_list("from_status", "to_status")
    )


def test_failed_auction_relisted_and_sold_with_the_lot_status_following_every_step():
    a, op = setup()
    old, old_user = paid_bidder(a, op)
    a = close(a)  # nobody bid: 流拍
    assert a.result == Result.NO_BIDS and status(a) == "failed"
    assert trading.lot_get(a.lot.code).project.status == "closed"  # its only lot is terminal
    assert deposits.deposit_status(a.lot, old.entity.uscc).state == "refund_due"

    # relisting at a lower starting price and a smaller deposit, starting in an hour
    starts = clock.now() + dt.timedelta(hours=1)
    b = settlement.auction_list_again(
        auction=a,
        data={"starting_price": "800000.00", "deposit": "150000.00", "starts_at": starts.isoformat()},
        actor=op,
    )
    assert b.attempt == 2 and b.lot_id == a.lot_id and b.starting_price == D("800000.00")
    lot = trading.lot_get(a.lot.code)
    assert lot.status == "notice" and lot.project.status == "trading"
    assert moves(b)[-1] == ("failed", "notice")
    ev = AuditEvent.objects.filter(action="lot.transition", object_id=lot.code).order_by("-seq").first()
    summary = json.loads(ev.summary)
    assert summary["relist"] is True and summary["from"] == "failed" and summary["to"] == "notice"
    # the lot's timeline is the new attempt's: the tick will not walk it on by the old times
    assert LotEvent.objects.get(lot_id=lot.pk, event="auction_start").at == starts
    assert deposits.requirement_of(lot).amount == D("150000.00")
    # relisting the same failed attempt again is refused and changes nothing
    before = AuditEvent.objects.count()
    assert code_of(lambda: settlement.auction_list_again(auction=a, data={}, actor=op)) == "auction.relisted"
    assert AuditEvent.objects.count() == before and Auction.objects.filter(lot=a.lot).count() == 2

    # new bidders register and pay into their sub-accounts (the lot is no longer closed)
    r1, u1 = paid_bidder(b, op)
    r2, u2 = paid_bidder(b, op)
    assert r1.number and r1.deposit_reference.startswith("子账户")
    assert deposits.deposit_status(b.lot, r2.entity.uscc).state == "paid"
    # the previous attempt's bidder registers again: its old deposit (being refunded) is not this
    # attempt's (unpaid until it pays into its new sub-account); the new one is confirmed by hand here
    back = services.registration_apply(auction=b, actor=old_user)
    back = services.registration_review(registration=back, approve=True, actor=op)
    assert code_of(lambda: settlement.deposit_check(registration=back, actor=op)) == "auction.deposit_unpaid"
    back = services.deposit_confirm(registration=back, reference="YH-RELIST-1", actor=op)
    assert back.number
    # the previous attempt's refund is still tracked and can be paid back
    assert deposits.deposit_status(a.lot, old.entity.uscc, attempt=1).refund_deadline is not None
    deposit_services.deposit_refund(lot=a.lot, uscc=old.entity.uscc, actor=op)
    assert deposits.deposit_status(a.lot, old.entity.uscc, attempt=1).state == "refunded"
    assert status(b) == "notice"

    # the auction opens: the lot enters the auction stage
    with time_machine.travel(starts + dt.timedelta(seconds=1), tick=False):
        b = services.auction_refresh(auction=b)
        assert b.phase == "bidding" and status(b) == "auction"
        services.bid_place(auction=b, bidder=r1, amount="800000", actor=u1)
        services.bid_place(auction=b, bidder=r2, amount="850000", actor=u2)
        b.refresh_from_db()
    b = close(b)
    assert b.result == Result.SOLD and b.final_price == D("850000") and status(b) == "result"
    assert [m[1] for m in moves(b)][-4:] == ["notice", "registration", "auction", "result"]
    c = Confirmation.objects.get(auction=b)
    assert c.code.endswith("-2") and c.registration_id == r2.pk
    settle = json.loads(AuditEvent.objects.get(action="auction.settle", object_id=str(b.pk)).summary)
    assert settle["refunds"] == {r1.number: "refund_due", back.number: "offline"}
    assert deposits.deposit_status(b.lot, r1.entity.uscc).state == "refund_due"
    with time_machine.travel(c.sign_due_at - dt.timedelta(hours=1), tick=False):
        settlement.confirmation_sign(confirmation=c, actor=u2)
    assert deposits.deposit_status(b.lot, r2.entity.uscc).state == "applied"


def test_relisting_after_a_default_moves_the_lot_out_of_result():
    a, op = setup()
    r1, u1 = paid_bidder(a, op)
    r2, u2 = paid_bidder(a, op)
    services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1)
    services.bid_place(auction=a, bidder=r2, amount="1010000", actor=u2)
    a = close(a)
    assert status(a) == "result"
    c = Confirmation.objects.get(auction=a)
    with time_machine.travel(c.sign_due_at, tick=False):
        assert settlement.signing_overdue_check() == 1
        starts = clock.now() + dt.timedelta(days=20)
        b = settlement.auction_list_again(auction=a, data={"starts_at": starts.isoformat()}, actor=op)
        assert b.attempt == 2 and status(b) == "notice"
        assert moves(b)[-1] == ("result", "notice")
        # the defaulter's deposit stays forfeited, the other's refund stays due
        assert deposits.deposit_status(a.lot, r2.entity.uscc, attempt=1).state == "forfeited"
        assert deposits.deposit_status(a.lot, r1.entity.uscc, attempt=1).state == "refund_due"
        # a new bidder pays into its sub-account for the new attempt
        n1, v1 = paid_bidder(b, op)
        n2, _ = paid_bidder(b, op)
    with time_machine.travel(starts + dt.timedelta(seconds=1), tick=False):
        b = services.auction_refresh(auction=b)
        assert status(b) == "auction"
        services.bid_place(auction=b, bidder=n1, amount="1000000", actor=v1)
        b.refresh_from_db()
    b = close(b)
    assert b.result == Result.SOLD and status(b) == "result"
    assert Confirmation.objects.get(auction=b).status == ConfirmationStatus.ISSUED
    assert deposits.deposit_status(b.lot, n2.entity.uscc).state == "refund_due"


def test_a_relisted_listing_follows_its_new_times_through_the_tick():
    start = clock.now() - dt.timedelta(seconds=1)
    a, op = setup("land.listing", starts_at=start.isoformat(),
                  listing_ends_at=(start + dt.timedelta(minutes=10)).isoformat())  # fmt: skip
    a = services.auction_refresh(auction=a)
    assert status(a) == "listing"
    with time_machine.travel(a.deadline_at + dt.timedelta(seconds=1), tick=False):
        services.auction_close_due()
    a.refresh_from_db()
    assert a.result == Result.NO_BIDS and status(a) == "failed"
    s2 = clock.now() + dt.timedelta(days=10)
    b = settlement.auction_list_again(
        auction=a,
        data={
            "starting_price": "900000.00",
            "starts_at": s2.isoformat(),
            "listing_ends_at": (s2 + dt.timedelta(days=10)).isoformat(),
        },
        actor=op,
    )
    assert status(b) == "notice"
    trading_services.tick_run(now=clock.now())
    assert status(b) == "notice"  # the old attempt's times are gone: nothing is due yet
    with time_machine.travel(s2 + dt.timedelta(seconds=1), tick=False):
        trading_services.tick_run()
        assert status(b) == "listing"


def test_only_failed_or_result_auction_lots_are_relisted():
    a, op = setup()
    lot = trading.lot_get(a.lot.code)
    before = AuditEvent.objects.count()
    assert (
        code_of(lambda: trading_services.lot_relist(lot=lot, events={}, reason="试图重新挂牌", actor=op))
        == "lot.not_relistable"
    )
    assert AuditEvent.objects.count() == before
    # a failed stays terminal for everything but a relisting (the tick, the ordinary moves)
    table = trading.table_of(lot.project)
    assert table.is_terminal(lifecycle.FAILED) and table.relist_to(lifecycle.FAILED) == "notice"
    assert table.relist_to("result") == "notice" and table.relist_to("auction") is None
    assert not table.allows(lifecycle.FAILED, "notice")


def test_a_failed_tender_is_not_relisted():
    op = th.operator()
    project = trading_services.project_register(
        data=th.data(ruleset_code="land.tender", tenderer_uscc=th.transferor().uscc, item_kind="",
                     public_funded=False),
        actor=op,
    )  # fmt: skip
    lot = project.lots.get()
    assert trading.table_of(project).relists == {}
    for step in ("notice", "bidding", "opening", "failed"):
        lot = trading_services.lot_transition(lot=lot, to=step, reason="不足三家", actor=op)
    assert (
        code_of(lambda: trading_services.lot_relist(lot=lot, events={}, reason="重新挂牌", actor=op))
        == "lot.not_relistable"
    )
    assert trading.lot_get(lot.code).status == "failed"


def test_the_console_relists_a_failed_auction_once(client):
    a, op = setup()
    client.force_login(op)
    url = f"/auctions/console/{a.pk}/"
    assert 'value="relist"' not in client.get(url).content.decode()  # open: nothing to relist
    a = close(a)
    assert 'value="relist"' in client.get(url).content.decode()
    starts = (clock.now() + dt.timedelta(days=20)).astimezone(clock.CHINA).strftime("%Y-%m-%dT%H:%M")
    r = client.post(
        url, {"action": "relist", "starts_at": starts, "starting_price": "900000.00"}, follow=True
    )
    assert r.status_code == 200 and "已重新挂牌（第2次）" in r.content.decode()
    assert status(a) == "notice"
    assert 'value="relist"' not in client.get(url).content.decode()  # relisted: not offered again


def test_a_descending_auction_is_relisted_with_its_terms():
    a, op = setup(mode="dutch", dutch_step="50000.00", dutch_floor="800000.00", dutch_interval_seconds=60,
                  starts_at=(clock.now() - dt.timedelta(seconds=1)).isoformat())  # fmt: skip
    a = services.auction_refresh(auction=a)
    with time_machine.travel(a.starts_at + dt.timedelta(hours=2), tick=False):
        services.auction_close_due()
    a.refresh_from_db()
    assert a.result == Result.NO_BIDS and status(a) == "failed"
    starts = (clock.now() + dt.timedelta(days=20)).isoformat()
    # a starting price below the kept floor needs a new floor: refused with the reason, nothing written
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as e:
        services.auction_relist(
            auction=a, data={"starting_price": "700000.00", "starts_at": starts}, actor=op
        )
    assert "最低价不得高于起始价" in str(e.value.details) + e.value.message
    assert AuditEvent.objects.count() == before and status(a) == "failed"
    b = services.auction_relist(
        auction=a, data={"starting_price": "900000.00", "starts_at": starts}, actor=op
    )
    assert b.mode == "dutch" and b.dutch_step == D("50000.00") and b.dutch_interval_seconds == 60
    assert b.dutch_floor == D("800000.00") and b.reserve_price is None  # the sealed reserve is not kept
    assert status(b) == "notice"
