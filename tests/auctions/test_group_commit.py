"""Group commit: several bids decided in one transaction (services.bids_place, the hall's batches).

A batch must decide every bid exactly as the same bids placed one after the other would be, give
each accepted bid its own row, sequence number and audit event, and commit them together."""

from __future__ import annotations

import asyncio
import json
import random

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from ggzy.auctions import consumers, engine, services
from ggzy.auctions.models import Auction, Bid
from ggzy.audit import selectors as audit_selectors
from ggzy.audit.models import AuditEvent
from ggzy.core.errors import DomainError
from ggzy.routing import websocket_urlpatterns
from tests.auctions import helpers
from tests.sqlite import synchronous_level as level

BIDDERS = 5


def _requests(seed: int, bidders: int, increment: int) -> list[dict]:
    """A random stream: on the grid and off it, too low, repeated refs, another entity's number,
    an unqualified bidder, malformed amounts (as indexes into the bidders, so two auctions get the
    same stream)."""
    rng = random.Random(seed)
    price, out, refs = 1_000_000, [], []
    for k in range(40):
        who = rng.randrange(bidders)
        roll = rng.random()
        if roll < 0.55:
            amount = str(price + increment * rng.randint(0, 3))
            price += increment * rng.randint(0, 2)
        elif roll < 0.65:
            amount = str(price + increment // 3)  # off the grid
        elif roll < 0.72:
            amount = str(price - increment)  # too low
        elif roll < 0.77:
            amount = rng.choice(["abc", "-5", "", "1e999"])
        else:
            amount = str(price + increment * rng.randint(1, 4))
        ref = rng.choice(refs) if refs and rng.random() < 0.15 else f"r{k}"
        refs.append(ref)
        actor = (who + 1) % bidders if rng.random() < 0.05 else who  # 5 %: not the bidder's own entity
        out.append({"who": who, "actor": actor, "amount": amount, "ref": ref})
    return out


def _setup() -> tuple[Auction, list, list]:
    a, op = helpers.auction(countdown_seconds=3600)
    pairs = [helpers.bidder(a, op) for _ in range(BIDDERS - 1)]
    pairs.append(helpers.bidder(a, op, deposit=False))  # registered, no number: may not bid
    return a, [r for r, _ in pairs], [u for _, u in pairs]


def _outcome(results: list, regs: list) -> list:
    index = {r.pk: i for i, r in enumerate(regs)}
    return [
        ("refused", x.code)
        if isinstance(x, DomainError)
        else ("accepted", x.seq, str(x.amount), index[x.registration_id])
        for x in results
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(6))
def test_a_batch_decides_every_bid_as_one_by_one_would(seed):
    a1, regs1, users1 = _setup()
    a2, regs2, users2 = _setup()
    stream = _requests(seed, BIDDERS, int(a1.increment))
    one_by_one = []
    for q in stream:
        try:
            one_by_one.append(
                services.bid_place(
                    auction=a1,
                    bidder=regs1[q["who"]],
                    amount=q["amount"],
                    actor=users1[q["actor"]],
                    client_ref=q["ref"],
                )
            )
        except DomainError as e:
            one_by_one.append(e)
    before = AuditEvent.objects.filter(action="auction.bid").count()
    batch = services.bids_place(
        auction=a2,
        requests=[
            services.BidRequest(
                bidder=regs2[q["who"]], amount=q["amount"], actor=users2[q["actor"]], client_ref=q["ref"]
            )
            for q in stream
        ],
    )
    assert _outcome(batch, regs2) == _outcome(one_by_one, regs1)
    accepted = [x for x in batch if isinstance(x, Bid)]
    assert len(accepted) >= 3
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert (a2.price, a2.bid_count, a2.phase) == (a1.price, a1.bid_count, a1.phase)
    assert regs2.index(a2.leader) == regs1.index(a1.leader)
    # each accepted bid: its own row and its own audit event; one acceptance time for the batch
    stored = list(Bid.objects.filter(auction=a2).order_by("seq"))
    assert [(b.pk, b.seq, b.amount) for b in stored] == [(b.pk, b.seq, b.amount) for b in accepted]
    assert len({b.accepted_at for b in stored}) == 1
    events = [
        json.loads(e.summary)
        for e in AuditEvent.objects.filter(action="auction.bid").order_by("seq")[before:]
    ]
    assert [(s["auction"], s["seq"], s["amount"]) for s in events] == [
        (a2.pk, b.seq, str(b.amount)) for b in stored
    ]
    assert audit_selectors.verify_chain_unchecked().ok


@pytest.mark.django_db
def test_a_batch_of_refusals_changes_nothing():
    a, regs, users = _setup()
    services.bid_place(auction=a, bidder=regs[0], amount="1000000", actor=users[0], client_ref="first")
    a.refresh_from_db()
    state = (a.price, a.bid_count, a.version, Bid.objects.count(), AuditEvent.objects.count())
    out = services.bids_place(
        auction=a,
        requests=[
            services.BidRequest(bidder=regs[1], amount="999999", actor=users[1]),
            services.BidRequest(bidder=regs[0], amount="1020000", actor=users[0], client_ref="first"),
            services.BidRequest(bidder=regs[4], amount="1030000", actor=users[4]),
            services.BidRequest(bidder=regs[2], amount="x", actor=users[2]),
            services.BidRequest(bidder=regs[3], amount="1030000", actor=users[2]),
        ],
    )
    assert [e.code for e in out] == [
        "auction.too_low",
        "auction.duplicate",
        "auction.not_qualified",
        "auction.invalid_amount",
        "auction.not_yours",
    ]
    a.refresh_from_db()
    assert (a.price, a.bid_count, a.version, Bid.objects.count(), AuditEvent.objects.count()) == state
    with pytest.raises(ValueError):
        services.bids_place(
            auction=a,
            requests=[services.BidRequest(bidder=regs[1], amount="1", actor=users[1])]
            * (services.MAX_BATCH + 1),
        )


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_bids_commit_with_a_synced_log(monkeypatch):
    """An accepted bid is announced to the whole hall at once: on SQLite its transaction runs (and
    commits) at synchronous=FULL (2), as a sealed bid's does; everything else stays at NORMAL (1)."""
    level()  # skips on PostgreSQL
    a, regs, users = _setup()
    inside = []
    real = engine.place

    def place(*args, **kwargs):
        inside.append((connection.in_atomic_block, level()))
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "place", place)
    assert level() == 1
    services.bid_place(auction=a, bidder=regs[0], amount="1000000", actor=users[0])
    assert inside == [(True, 2)] and level() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_the_hall_commits_the_bids_that_wait_together():
    a, op = helpers.auction(countdown_seconds=3600)
    pairs = [helpers.bidder(a, op) for _ in range(8)]
    async_to_sync(_hall)(a, pairs)


async def _hall(a, pairs):
    viewer = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/auctions/{a.pk}/")
    viewer.scope["user"] = AnonymousUser()
    assert (await viewer.connect())[0]
    await viewer.receive_from(timeout=5)
    step = int(a.increment)
    requests = [
        services.BidRequest(bidder=r, amount=str(1_000_000 + step * k), actor=u, client_ref=f"h{k}")
        for k, (r, u) in enumerate(pairs)
    ]
    # the first starts a transaction at once; the seven sent meanwhile wait and share the next one
    results = await asyncio.gather(*(consumers._submit(a.pk, q) for q in requests), return_exceptions=True)
    assert all(isinstance(b, Bid) for b in results), results
    assert [b.seq for b in results] == list(range(1, 9))
    assert len({b.accepted_at for b in results[1:]}) == 1 and results[0].accepted_at <= results[1].accepted_at
    assert not consumers._pending and not consumers._committers
    # every bid reaches the public after commit (frames may hold several)
    seen = 0
    while seen < 8:
        m = json.loads(await viewer.receive_from(timeout=5))
        if m["type"] == "bid":
            seen = m["bid_count"]
    assert m["price"] == str(1_000_000 + step * 7) + ".00"
    await viewer.disconnect()
