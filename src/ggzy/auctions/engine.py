"""The auction engine: accept or refuse one bid against an auction's state. Pure module.

No Django, no database, no clock: the caller passes the server's time of acceptance (``Bid.at``),
so ties are ordered by the server and never by a client's clock. Money is ``Decimal`` yuan.

Modes (``Config.mode``):

- ``listing`` 挂牌: quotes until the listing end (a fixed time, never extended); each quote must beat
  the current price by a whole number of increments (the first may equal the starting price).
  What follows the listing end is decided by ``listing_end`` (0 quotes: failed; one bidder:
  deal at the quote; two or more wanting to continue: timed bidding).
- ``timed`` 限时竞价: every accepted bid restarts a countdown (e.g. 240 s); no bid within it ends the
  auction. Capped by ``hard_stop``.
- ``english`` 多轮竞价 (ProZorro.Sale's anti-sniping rule): bidding runs in rounds of fixed length;
  a round with at least one raise is followed by a new round, a round with none ends the auction.
- ``dutch`` 降价竞价 (for repeated failed listings): the price falls from the starting price by
  ``dutch_step`` every ``dutch_interval`` seconds down to ``dutch_floor``; the first bid at the
  current price wins at once.

Price cap 最高限价: a bid may reach the cap but never pass it. Once the price is at the cap the
competition continues on a second quantity (e.g. 配建面积): each bid keeps the capped price and
must raise the quantity by a whole number of ``quantity_increment``.

Reserve price 保留价: sealed; the engine never refuses a bid for being below it. At the close a best
price below the reserve means no sale (``outcome``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

MODES = ("listing", "timed", "english", "dutch")
OPEN_PHASES = ("listing", "bidding", "cap")

# phase: pending (not started), listing, bidding, cap (bidding on the second quantity), closed
MESSAGES = {
    "auction.not_started": "竞价尚未开始",
    "auction.closed": "竞价已经结束",
    "auction.hard_stop": "已到竞价截止时间，不再接受报价",
    "auction.invalid_amount": "报价必须是大于零的金额，最多保留两位小数",
    "auction.below_start": "首次报价不得低于起始价",
    "auction.too_low": "报价必须高于当前价，且至少加价一个增价幅度",
    "auction.off_grid": "加价必须是增价幅度的整数倍",
    "auction.above_cap": "报价不得超过最高限价",
    "auction.at_cap": "报价已达最高限价，请对配建面积等第二报价指标报价",
    "auction.quantity_required": "报价已达最高限价，须同时报出第二报价指标",
    "auction.quantity_too_low": "第二报价指标必须高于当前值，且至少增加一个幅度",
    "auction.quantity_off_grid": "第二报价指标的增加量必须是其增加幅度的整数倍",
    "auction.already_leading": "您已是当前最高报价人，不能对自己的报价加价",
    "auction.dutch_price": "降价竞价只能按当前价格应价",
}


@dataclass(frozen=True)
class Config:
    mode: str
    starting_price: Decimal
    increment: Decimal
    reserve_price: Decimal | None = None
    price_cap: Decimal | None = None
    quantity_start: Decimal = Decimal(0)
    quantity_increment: Decimal | None = None
    countdown_seconds: int = 240
    round_seconds: int = 300
    hard_stop: dt.datetime | None = None
    dutch_step: Decimal | None = None
    dutch_floor: Decimal | None = None
    dutch_interval_seconds: int = 60

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}")
        if self.starting_price <= 0 or self.increment <= 0:
            raise ValueError("starting price and increment must be positive")
        if self.price_cap is not None and self.price_cap < self.starting_price:
            raise ValueError("the price cap is below the starting price")
        if self.countdown_seconds <= 0 or self.round_seconds <= 0 or self.dutch_interval_seconds <= 0:
            raise ValueError("periods must be positive")
        if self.mode == "dutch" and (self.dutch_step is None or self.dutch_step <= 0):
            raise ValueError("a descending auction needs a positive step")


@dataclass(frozen=True)
class State:
    phase: str = "pending"
    price: Decimal | None = None  # the current (highest accepted) price
    quantity: Decimal | None = None  # the second quantity, once at the cap
    leader: str | None = None  # the bidding number of the current leader
    bids: int = 0
    deadline: dt.datetime | None = None  # listing end, countdown end, round end, dutch end
    round_no: int = 0
    round_raised: bool = False  # english: a raise in the current round
    started_at: dt.datetime | None = None


@dataclass(frozen=True)
class Bid:
    bidder: str  # the bidding number
    amount: Decimal
    at: dt.datetime  # the server's acceptance time
    quantity: Decimal | None = None


@dataclass(frozen=True)
class Decision:
    accepted: bool
    state: State
    code: str = ""
    message: str = ""

    @staticmethod
    def refuse(state: State, code: str, message: str | None = None) -> Decision:
        return Decision(False, state, code, message or MESSAGES[code])


@dataclass(frozen=True)
class Outcome:
    sold: bool
    price: Decimal | None
    quantity: Decimal | None
    winner: str | None
    code: str  # sold, no_bids, reserve_not_met
    message: str


def start(config: Config, at: dt.datetime, *, deadline: dt.datetime | None = None) -> State:
    """Open an auction at ``at``. ``deadline``: the listing end (listing mode); otherwise derived."""
    if config.mode == "listing":
        if deadline is None:
            raise ValueError("a listing needs its end time")
        return State(phase="listing", deadline=deadline, started_at=at)
    if config.mode == "timed":
        end = _bounded(config, at + dt.timedelta(seconds=config.countdown_seconds))
        return State(phase="bidding", deadline=end, started_at=at)
    if config.mode == "english":
        end = _bounded(config, at + dt.timedelta(seconds=config.round_seconds))
        return State(phase="bidding", deadline=end, round_no=1, started_at=at)
    return State(phase="bidding", deadline=_bounded(config, dutch_end(config, at)), started_at=at)


def _bounded(config: Config, t: dt.datetime) -> dt.datetime:
    return min(t, config.hard_stop) if config.hard_stop is not None else t


def minimum_next(config: Config, state: State) -> Decimal:
    """The lowest price a bid may have now (ignoring the cap)."""
    if state.price is None:
        return config.starting_price
    return state.price + config.increment


def dutch_price(config: Config, state: State, at: dt.datetime) -> Decimal:
    """The descending auction's current price: one step lower every interval, never below the floor."""
    assert config.dutch_step is not None and state.started_at is not None
    steps = max(0, int((at - state.started_at).total_seconds() // config.dutch_interval_seconds))
    price = config.starting_price - config.dutch_step * steps
    floor = config.dutch_floor if config.dutch_floor is not None else config.dutch_step
    return max(price, floor)


def dutch_end(config: Config, at: dt.datetime) -> dt.datetime:
    """A descending auction ends one interval after its price reaches the floor."""
    assert config.dutch_step is not None
    floor = config.dutch_floor if config.dutch_floor is not None else config.dutch_step
    steps = max(0, -(-(config.starting_price - floor) // config.dutch_step))
    return at + dt.timedelta(seconds=config.dutch_interval_seconds * (int(steps) + 1))


def advance(config: Config, state: State, now: dt.datetime) -> State:
    """The state at ``now`` by the clock alone: English rounds roll over; a passed deadline closes
    the auction (listing: to ``listing_ended``, which ``listing_end`` resolves). Idempotent."""
    if state.phase not in OPEN_PHASES or state.deadline is None:
        return state
    s = state
    if config.mode == "english" and s.phase in ("bidding", "cap"):
        while s.deadline is not None and now >= s.deadline:
            hard = config.hard_stop is not None and s.deadline >= config.hard_stop
            if not s.round_raised or hard:
                return dataclasses.replace(s, phase="closed")
            nxt = _bounded(config, s.deadline + dt.timedelta(seconds=config.round_seconds))
            s = dataclasses.replace(s, deadline=nxt, round_no=s.round_no + 1, round_raised=False)
        return s
    if now >= s.deadline:
        return dataclasses.replace(s, phase="listing_ended" if s.phase == "listing" else "closed")
    return s


def listing_end(config: Config, state: State, *, continuing: int, at: dt.datetime) -> State:
    """After the listing end: with two or more bidders wanting to continue, timed bidding from the
    listing's best quote; otherwise the auction closes on the quotes it has."""
    if state.phase != "listing_ended":
        raise ValueError("the listing has not ended")
    if continuing >= 2:
        end = _bounded(config, at + dt.timedelta(seconds=config.countdown_seconds))
        phase = "cap" if config.price_cap is not None and state.price == config.price_cap else "bidding"
        return dataclasses.replace(state, phase=phase, deadline=end)
    return dataclasses.replace(state, phase="closed")


def _multiple(delta: Decimal, step: Decimal) -> bool:
    return delta >= 0 and delta % step == 0


def place(config: Config, state: State, bid: Bid) -> Decision:
    """Accept or refuse ``bid``. The state is first advanced to the bid's time."""
    s = advance(config, state, bid.at)
    if s.phase == "pending":
        return Decision.refuse(s, "auction.not_started")
    if s.phase not in OPEN_PHASES:
        hard = config.hard_stop is not None and bid.at >= config.hard_stop
        return Decision.refuse(s, "auction.hard_stop" if hard else "auction.closed")
    if config.hard_stop is not None and bid.at >= config.hard_stop:
        return Decision.refuse(s, "auction.hard_stop")
    amount = bid.amount
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0 or amount != round(amount, 2):
        return Decision.refuse(s, "auction.invalid_amount")
    if s.leader is not None and s.leader == bid.bidder and config.mode != "dutch":
        return Decision.refuse(s, "auction.already_leading")

    if config.mode == "dutch":
        current = dutch_price(config, s, bid.at)
        if amount != current:
            return Decision.refuse(s, "auction.dutch_price", f"降价竞价只能按当前价格{current}元应价")
        new = dataclasses.replace(s, phase="closed", price=amount, leader=bid.bidder, bids=s.bids + 1)
        return Decision(True, new)

    cap = config.price_cap
    if s.phase == "cap":
        return _place_quantity(config, s, bid)
    if cap is not None and amount > cap:
        return Decision.refuse(s, "auction.above_cap", f"报价不得超过最高限价{cap}元")
    if s.price is None:
        if amount < config.starting_price:
            return Decision.refuse(
                s, "auction.below_start", f"首次报价不得低于起始价{config.starting_price}元"
            )
        if amount != cap and not _multiple(amount - config.starting_price, config.increment):
            return Decision.refuse(s, "auction.off_grid")
    else:
        # reaching the cap is allowed even when it is less than one increment away
        if amount <= s.price or (amount != cap and amount < s.price + config.increment):
            return Decision.refuse(
                s, "auction.too_low", f"报价必须不低于{s.price + config.increment}元（当前价加一个增价幅度）"
            )
        if amount != cap and not _multiple(amount - s.price, config.increment):
            return Decision.refuse(s, "auction.off_grid", f"加价必须是增价幅度{config.increment}元的整数倍")
    phase = s.phase
    quantity = None
    if cap is not None and amount == cap:
        phase = "cap" if s.phase == "bidding" else s.phase
        quantity = config.quantity_start
    return Decision(True, _accepted(config, s, bid, amount, quantity, phase))


def _place_quantity(config: Config, s: State, bid: Bid) -> Decision:
    if bid.amount != config.price_cap:
        return Decision.refuse(
            s, "auction.at_cap", f"报价已达最高限价{config.price_cap}元，请对第二报价指标报价"
        )
    q = bid.quantity
    step = config.quantity_increment or Decimal(1)
    if q is None or not isinstance(q, Decimal) or not q.is_finite():
        return Decision.refuse(s, "auction.quantity_required")
    base = s.quantity if s.quantity is not None else config.quantity_start
    if q < base + step:
        return Decision.refuse(s, "auction.quantity_too_low", f"第二报价指标必须不低于{base + step}")
    if not _multiple(q - base, step):
        return Decision.refuse(s, "auction.quantity_off_grid")
    return Decision(True, _accepted(config, s, bid, bid.amount, q, "cap"))


def _accepted(
    config: Config, s: State, bid: Bid, amount: Decimal, quantity: Decimal | None, phase: str
) -> State:
    deadline = s.deadline
    round_raised = s.round_raised
    if phase in ("bidding", "cap"):
        if config.mode == "english":
            round_raised = True
        else:  # timed (and timed bidding after a listing): every valid bid restarts the countdown
            deadline = _bounded(config, bid.at + dt.timedelta(seconds=config.countdown_seconds))
    return dataclasses.replace(
        s,
        phase=phase,
        price=amount,
        quantity=quantity,
        leader=bid.bidder,
        bids=s.bids + 1,
        deadline=deadline,
        round_raised=round_raised,
    )


def outcome(config: Config, state: State) -> Outcome:
    """The result of a closed auction: the highest accepted bid, if it meets the sealed reserve."""
    if state.price is None or state.leader is None:
        return Outcome(False, None, None, None, "no_bids", "无人报价，流拍")
    if config.reserve_price is not None and state.price < config.reserve_price:
        return Outcome(
            False, state.price, state.quantity, None, "reserve_not_met", "最高报价低于保留价，不成交"
        )
    return Outcome(True, state.price, state.quantity, state.leader, "sold", "成交")


def premium_rate(price: Decimal, starting_price: Decimal) -> Decimal:
    """溢价率: (price − starting price) / starting price, in percent with two places."""
    return ((price - starting_price) * 100 / starting_price).quantize(Decimal("0.01"))
