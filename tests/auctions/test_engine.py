"""The auction engine (pure): hypothesis properties and examples of each rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.auctions import engine
from ggzy.auctions.engine import Bid, Config

T0 = dt.datetime(2026, 10, 1, 2, 0, tzinfo=dt.UTC)
D = Decimal


def s(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


bids_st = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5),  # bidder
        st.integers(min_value=-3, max_value=40),  # price offset in tenths of an increment
        st.integers(min_value=0, max_value=300),  # seconds after the previous bid
    ),
    max_size=40,
)


def run(config: Config, state, bids):
    accepted, t = [], 0.0
    for who, offset, gap in bids:
        t += gap
        base = state.price if state.price is not None else config.starting_price
        amount = (base + config.increment * D(offset) / 10).quantize(D("0.01"))
        if amount <= 0:
            continue
        d = engine.place(config, state, Bid(bidder=f"{who:03d}", amount=amount, at=s(t)))
        if d.accepted:
            accepted.append((d.state, amount, s(t), state))
            state = d.state
        else:
            assert d.code in engine.MESSAGES and d.message and d.state.price == state.price
    return state, accepted


@settings(max_examples=150, deadline=None)
@given(bids=bids_st, mode=st.sampled_from(["timed", "english"]), cap=st.booleans(), reserve=st.booleans())
def test_accepted_prices_rise_on_the_grid_and_the_result_is_the_highest(bids, mode, cap, reserve):
    config = Config(
        mode=mode,
        starting_price=D("1000.00"),
        increment=D("50.00"),
        price_cap=D("1275.00") if cap else None,
        reserve_price=D("1200.00") if reserve else None,
        countdown_seconds=240,
        round_seconds=200,
    )
    state0 = engine.start(config, T0)
    state, accepted = run(config, state0, bids)
    prices = [a for _, a, _, _ in accepted]
    for after, amount, at, before in accepted:
        if cap and amount > config.price_cap:
            pytest.fail("a bid passed the cap")
        if before.price is None:
            assert amount >= config.starting_price
            assert amount == config.price_cap or (amount - config.starting_price) % config.increment == 0
        else:
            assert amount > before.price or (cap and before.phase == "cap")
            if before.phase != "cap":
                assert amount == config.price_cap or amount >= before.price + config.increment
                assert amount == config.price_cap or (amount - before.price) % config.increment == 0
        assert after.leader != before.leader or before.leader is None
        if mode == "timed":  # every accepted bid restarts the countdown
            assert after.deadline == at + dt.timedelta(seconds=240)
        else:  # a raise never moves the round's end; the round is marked raised
            assert after.round_raised
        assert at < before.deadline if mode == "timed" else True
    assert prices == sorted(prices)
    if not cap:
        assert len(set(prices)) == len(prices)
    final = engine.advance(config, state, s(10**7))
    assert final.phase == "closed"
    out = engine.outcome(config, final)
    if not prices:
        assert out.code == "no_bids" and not out.sold
    else:
        assert out.price == max(prices) == final.price
        assert out.sold == (not reserve or max(prices) >= config.reserve_price)


@settings(max_examples=100, deadline=None)
@given(gaps=st.lists(st.integers(min_value=1, max_value=400), max_size=15))
def test_countdown_no_bid_within_it_ends_the_auction(gaps):
    config = Config(mode="timed", starting_price=D(100), increment=D(10), countdown_seconds=240)
    state = engine.start(config, T0)
    t, price = 0, D(100)
    for gap in gaps:
        t += gap
        d = engine.place(config, state, Bid(bidder=str(t % 2 + len(str(t))), amount=price, at=s(t)))
        expired = s(t) >= state.deadline
        if expired:
            assert not d.accepted and d.code == "auction.closed"
            return
        if d.accepted:
            state, price = d.state, price + 10
        else:
            assert d.code == "auction.already_leading"


def test_english_rounds_roll_over_only_after_a_raise():
    config = Config(mode="english", starting_price=D(100), increment=D(10), round_seconds=100)
    st0 = engine.start(config, T0)
    assert st0.deadline == s(100) and st0.round_no == 1
    d = engine.place(config, st0, Bid("001", D(100), s(99)))
    assert d.accepted and d.state.deadline == s(100)
    st1 = engine.advance(config, d.state, s(150))
    assert st1.phase == "bidding" and st1.round_no == 2 and st1.deadline == s(200) and not st1.round_raised
    assert engine.advance(config, st1, s(200)).phase == "closed"
    # a bid in the round that has no raise yet, after the rollover, still counts
    d2 = engine.place(config, d.state, Bid("002", D(110), s(199)))
    assert d2.accepted and d2.state.round_no == 2
    assert engine.advance(config, d2.state, s(250)).round_no == 3


def test_hard_stop_bounds_the_countdown_and_refuses_late_bids():
    config = Config(mode="timed", starting_price=D(100), increment=D(10), hard_stop=s(300))
    state = engine.start(config, T0)
    d = engine.place(config, state, Bid("001", D(100), s(200)))
    assert d.state.deadline == s(300)
    late = engine.place(config, d.state, Bid("002", D(110), s(300)))
    assert not late.accepted and late.code == "auction.hard_stop"


def test_first_bid_may_equal_the_start_then_increments():
    config = Config(mode="timed", starting_price=D("1000.00"), increment=D("100.00"))
    state = engine.start(config, T0)
    assert engine.place(config, state, Bid("001", D("999.00"), s(1))).code == "auction.below_start"
    assert engine.place(config, state, Bid("001", D("1050.00"), s(1))).code == "auction.off_grid"
    d = engine.place(config, state, Bid("001", D("1000.00"), s(1)))
    assert d.accepted
    assert engine.place(config, d.state, Bid("002", D("1000.00"), s(2))).code == "auction.too_low"
    assert engine.place(config, d.state, Bid("002", D("1150.00"), s(2))).code == "auction.off_grid"
    assert engine.place(config, d.state, Bid("001", D("1100.00"), s(2))).code == "auction.already_leading"
    assert engine.place(config, d.state, Bid("002", D("1300.00"), s(2))).accepted
    assert engine.place(config, d.state, Bid("002", D("1100.001"), s(2))).code == "auction.invalid_amount"


def test_cap_then_second_quantity():
    config = Config(
        mode="timed", starting_price=D(1000), increment=D(100), price_cap=D(1250),
        quantity_start=D(0), quantity_increment=D(500),
    )  # fmt: skip
    state = engine.start(config, T0)
    state = engine.place(config, state, Bid("001", D(1200), s(1))).state
    assert engine.place(config, state, Bid("002", D(1300), s(2))).code == "auction.above_cap"
    d = engine.place(config, state, Bid("002", D(1250), s(2)))  # less than one increment: the cap
    assert d.accepted and d.state.phase == "cap" and d.state.quantity == 0
    assert engine.place(config, d.state, Bid("001", D(1250), s(3))).code == "auction.quantity_required"
    bad = engine.place(config, d.state, Bid("001", D(1250), s(3), quantity=D(700)))
    assert bad.code == "auction.quantity_off_grid"
    d2 = engine.place(config, d.state, Bid("001", D(1250), s(3), quantity=D(1000)))
    assert d2.accepted and d2.state.quantity == 1000 and d2.state.leader == "001"
    out = engine.outcome(config, engine.advance(config, d2.state, s(10**5)))
    assert out.sold and out.quantity == 1000 and out.winner == "001"


def test_reserve_below_means_no_sale():
    config = Config(mode="timed", starting_price=D(100), increment=D(10), reserve_price=D(150))
    state = engine.place(config, engine.start(config, T0), Bid("001", D(140), s(1))).state
    out = engine.outcome(config, engine.advance(config, state, s(1000)))
    assert not out.sold and out.code == "reserve_not_met"


def test_listing_then_timed_bidding():
    config = Config(mode="listing", starting_price=D(100), increment=D(10), countdown_seconds=240)
    state = engine.start(config, T0, deadline=s(3600))
    state = engine.place(config, state, Bid("001", D(100), s(10))).state
    state = engine.place(config, state, Bid("002", D(120), s(20))).state
    assert state.deadline == s(3600)  # quotes never extend the listing
    ended = engine.advance(config, state, s(3600))
    assert ended.phase == "listing_ended"
    assert engine.place(config, state, Bid("001", D(130), s(3600))).code == "auction.closed"
    bidding = engine.listing_end(config, ended, continuing=2, at=s(4000))
    assert bidding.phase == "bidding" and bidding.deadline == s(4240)
    d = engine.place(config, bidding, Bid("001", D(130), s(4100)))
    assert d.accepted and d.state.deadline == s(4340)
    closed = engine.listing_end(config, ended, continuing=1, at=s(4000))
    assert engine.outcome(config, closed).price == 120


def test_dutch_descends_and_first_taker_wins():
    config = Config(
        mode="dutch", starting_price=D(1000), increment=D(10), dutch_step=D(100), dutch_floor=D(700),
        dutch_interval_seconds=60,
    )  # fmt: skip
    state = engine.start(config, T0)
    assert state.deadline == s(60 * 4)
    assert engine.dutch_price(config, state, s(130)) == 800
    assert engine.dutch_price(config, state, s(10**4)) == 700
    assert engine.place(config, state, Bid("001", D(900), s(130))).code == "auction.dutch_price"
    d = engine.place(config, state, Bid("001", D(800), s(130)))
    assert d.accepted and d.state.phase == "closed"
    assert engine.place(config, d.state, Bid("002", D(800), s(131))).code == "auction.closed"


def test_premium_rate():
    assert engine.premium_rate(D("1250000.00"), D("1000000.00")) == D("25.00")
