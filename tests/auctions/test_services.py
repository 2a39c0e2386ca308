"""Auction services on a real database: registration, numbers, bids, closing, results."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine

from ggzy.auctions import selectors, services
from ggzy.auctions.models import Auction, Bid, Phase, Result
from ggzy.audit.models import AuditEvent
from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.core.permissions import SYSTEM
from ggzy.trading.models import Notice
from tests.auctions import helpers

pytestmark = pytest.mark.django_db
D = Decimal


def code_of(fn) -> str:
    with pytest.raises(DomainError) as e:
        fn()
    return e.value.code


def test_only_qualified_bidders_with_a_deposit_get_a_number_and_may_bid():
    a, op = helpers.auction()
    r1, u1 = helpers.bidder(a, op)
    r2, u2 = helpers.bidder(a, op, deposit=False)
    r3, _u3 = helpers.bidder(a, op, qualify=False)
    assert len(r1.number) == 3 and not r2.number and not r3.number
    before = (Bid.objects.count(), AuditEvent.objects.count())
    assert code_of(lambda: services.bid_place(auction=a, bidder=r2, amount="1000000", actor=u2)) == (
        "auction.not_qualified"
    )
    assert (
        code_of(lambda: services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u2))
        == "auction.not_yours"
    )
    # a refused bid (other than the clock opening the auction) changes nothing
    after = (Bid.objects.count(), AuditEvent.objects.count())
    assert after[0] == before[0]
    r2 = services.deposit_confirm(registration=r2, reference="YH1", actor=op)
    assert r2.number and r2.number != r1.number
    assert code_of(lambda: services.registration_apply(auction=a, actor=u1)) == "auction.already_registered"


def test_timed_bidding_countdown_close_result_and_notice():
    a, op = helpers.auction(reserve_price="1015000.00")
    r1, u1 = helpers.bidder(a, op)
    r2, u2 = helpers.bidder(a, op)
    b1 = services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1, client_ref="c1")
    assert b1.seq == 1 and Auction.objects.get(pk=a.pk).phase == Phase.BIDDING
    assert code_of(
        lambda: services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1, client_ref="c1")
    ) == ("auction.duplicate")
    assert (
        code_of(lambda: services.bid_place(auction=a, bidder=r2, amount="1005000", actor=u2))
        == "auction.too_low"
    )
    assert (
        code_of(lambda: services.bid_place(auction=a, bidder=r2, amount="abc", actor=u2))
        == "auction.invalid_amount"
    )
    b2 = services.bid_place(auction=a, bidder=r2, amount="1020000", actor=u2)
    a.refresh_from_db()
    assert a.deadline_at == b2.accepted_at + dt.timedelta(seconds=240) and a.price == D("1020000")
    assert selectors.hall_payload(a)["reserve_price"] is None  # sealed while open
    assert services.auction_close_due() == 0
    with time_machine.travel(a.deadline_at + dt.timedelta(seconds=1), tick=False):
        assert code_of(lambda: services.bid_place(auction=a, bidder=r1, amount="1030000", actor=u1)) == (
            "auction.closed"
        )
        assert services.auction_close_due() == 0  # the bid's read already closed it
    a.refresh_from_db()
    assert a.phase == Phase.CLOSED and a.result == Result.SOLD and a.final_price == D("1020000")
    assert a.premium_rate == D("2.00") and a.closed_at == b2.accepted_at + dt.timedelta(seconds=240)
    assert a.leader_id == r2.pk
    notice = Notice.objects.get(number=a.result_notice)
    assert notice.kind == "transaction_result"
    assert AuditEvent.objects.filter(action="auction.bid").count() == 2
    close = json.loads(AuditEvent.objects.get(action="auction.close").summary)
    assert close["reserve_price"] == "1015000.00" and close["winner"] == r2.number


def test_close_is_idempotent_and_decided_by_the_deadline_not_the_tick():
    a, op = helpers.auction(reserve_price="2000000.00")
    r1, u1 = helpers.bidder(a, op)
    services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1)
    a.refresh_from_db()
    deadline = a.deadline_at
    with time_machine.travel(deadline + dt.timedelta(hours=3), tick=False):
        assert services.auction_close_due() == 1
        assert services.auction_close_due() == 0
    a.refresh_from_db()
    assert a.closed_at == deadline and a.result == Result.RESERVE_NOT_MET and a.final_price is None
    assert AuditEvent.objects.filter(action="auction.close").count() == 1
    relisted = services.auction_relist(auction=a, data={"starting_price": "900000.00",
                                                        "starts_at": clock.now().isoformat()}, actor=op)  # fmt: skip
    assert relisted.attempt == 2 and relisted.starting_price == D("900000.00")


def test_listing_then_timed_bidding_with_two_continuing():
    now = clock.now()
    a, op = helpers.auction(
        "land.listing", mode="listing", listing_ends_at=(now + dt.timedelta(days=10)).isoformat()
    )
    r1, u1 = helpers.bidder(a, op)
    r2, u2 = helpers.bidder(a, op)
    services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1)
    services.bid_place(auction=a, bidder=r2, amount="1010000", actor=u2)
    assert (
        code_of(lambda: services.bid_place(auction=a, bidder=r1, amount="1010000", actor=u1))
        == "auction.too_low"
    )
    services.registration_continue(registration=r1, actor=u1)
    services.registration_continue(registration=r2, actor=u2)
    end = now + dt.timedelta(days=10)
    with time_machine.travel(end + dt.timedelta(seconds=10), tick=False):
        services.auction_close_due()
        a.refresh_from_db()
        assert a.phase == Phase.BIDDING and a.deadline_at == end + dt.timedelta(seconds=240)
        services.bid_place(auction=a, bidder=r1, amount="1020000", actor=u1)
    with time_machine.travel(end + dt.timedelta(hours=1), tick=False):
        services.auction_close_due()
    a.refresh_from_db()
    assert a.result == Result.SOLD and a.final_price == D("1020000") and a.leader_id == r1.pk


def test_listing_with_one_bidder_is_a_deal_at_its_quote_and_none_is_a_failure():
    now = clock.now()
    end = (now + dt.timedelta(days=10)).isoformat()
    a, op = helpers.auction("mining.listing", mode="listing", listing_ends_at=end)
    b, _ = helpers.auction("mining.listing", mode="listing", listing_ends_at=end)
    r1, u1 = helpers.bidder(a, op)
    services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1)
    with time_machine.travel(now + dt.timedelta(days=11), tick=False):
        assert services.auction_close_due() == 2
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.result == Result.SOLD and a.final_price == D("1000000") and a.premium_rate == D("0.00")
    assert b.result == Result.NO_BIDS and b.phase == Phase.CLOSED


def test_state_property_one_transferee_is_a_negotiated_transfer_several_bid_in_rounds():
    a, op = helpers.auction("property.listed_transfer", starts_in=60, round_seconds=120)
    assert a.mode == "english"
    r1, _u1 = helpers.bidder(a, op)
    with time_machine.travel(clock.now() + dt.timedelta(seconds=61), tick=False):
        services.auction_close_due()
    a.refresh_from_db()
    assert a.result == Result.NEGOTIATED and a.final_price == a.starting_price and a.leader_id == r1.pk
    b, op = helpers.auction("property.listed_transfer", starts_in=60, round_seconds=120)
    s1, v1 = helpers.bidder(b, op)
    helpers.bidder(b, op)
    with time_machine.travel(clock.now() + dt.timedelta(seconds=61), tick=False):
        services.bid_place(auction=b, bidder=s1, amount="1000000", actor=v1)
        b.refresh_from_db()
        assert b.phase == Phase.BIDDING and b.round_no == 1 and b.round_raised
    with time_machine.travel(b.deadline_at + dt.timedelta(seconds=1), tick=False):
        services.auction_close_due()
        b.refresh_from_db()
        assert b.phase == Phase.BIDDING and b.round_no == 2  # a raise in round 1: a new round
    with time_machine.travel(b.deadline_at + dt.timedelta(seconds=1), tick=False):
        services.auction_close_due()
    b.refresh_from_db()
    assert b.result == Result.SOLD and b.leader_id == s1.pk


def test_dutch_closes_on_the_first_taker():
    a, op = helpers.auction(mode="dutch", dutch_step="50000.00", dutch_floor="800000.00",
                            dutch_interval_seconds=60)  # fmt: skip
    r1, u1 = helpers.bidder(a, op)
    services.auction_close_due()
    a.refresh_from_db()
    with time_machine.travel(a.opened_at + dt.timedelta(seconds=125), tick=False):
        assert code_of(lambda: services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1)) == (
            "auction.dutch_price"
        )
        services.bid_place(auction=a, bidder=r1, amount="900000", actor=u1)
    a.refresh_from_db()
    assert a.result == Result.SOLD and a.final_price == D("900000") and a.premium_rate == D("-10.00")


def test_views_hide_identities_from_the_public():
    a, op = helpers.auction()
    r1, u1 = helpers.bidder(a, op)
    services.bid_place(auction=a, bidder=r1, amount="1000000", actor=SYSTEM)
    payload = selectors.hall_payload(Auction.objects.get(pk=a.pk))
    public = selectors.public_view(payload, "public")
    assert "identities" not in public and public["leader"] is None and "number" not in public["bids"][0]
    bidder = selectors.public_view(payload, selectors.view_of(a, u1), r1.number)
    assert bidder["view"] == "bidder" and bidder["you"] == r1.number and "identities" not in bidder
    assert r1.entity.name not in str(bidder)
    sup = selectors.public_view(payload, "supervisor")
    assert sup["identities"][r1.number] == r1.entity.name
