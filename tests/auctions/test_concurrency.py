"""200 concurrent bids on PostgreSQL: the auction lock serialises them (docs/auctions.md)."""

from __future__ import annotations

import itertools
import json
import random
import threading

import pytest
from django.conf import settings
from django.db import connections

from ggzy.auctions import services
from ggzy.auctions.models import Auction, Bid
from ggzy.audit.models import AuditEvent
from ggzy.core.errors import DomainError
from tests.auctions import helpers

pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="SQLite serialises writers at BEGIN IMMEDIATE: concurrency is only meaningful on PostgreSQL",
    ),
    pytest.mark.timeout(300),
]
THREADS, BIDS_EACH, BIDDERS = 20, 10, 20  # 200 bids; PostgreSQL allows 100 connections in all


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("batch", [1, 5], ids=["one_by_one", "group_commit"])
def test_200_concurrent_bids(batch):
    """20 threads (each its own connection) fire 10 bids each at once: one at a time through
    ``bid_place``, or as the hall's group commit does, several per ``bids_place`` transaction."""
    a, op = helpers.auction(countdown_seconds=3600)
    regs = [helpers.bidder(a, op) for _ in range(BIDDERS)]
    barrier = threading.Barrier(THREADS)
    refused: list[str] = []
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        rng = random.Random(n)
        try:
            barrier.wait(timeout=30)
            for i in range(0, BIDS_EACH, batch):
                price = Auction.objects.values_list("price", flat=True).get(pk=a.pk) or a.starting_price
                requests = []
                for k in range(batch):  # a batch holds several bidders' bids, as in the hall
                    r, user = regs[(n + 7 * k) % BIDDERS]
                    amount = price + a.increment * rng.randint(0, 2 + k)
                    requests.append(
                        services.BidRequest(
                            bidder=r, amount=str(amount), actor=user, client_ref=f"{n}-{i + k}"
                        )
                    )
                for out in services.bids_place(auction=a, requests=requests):
                    if isinstance(out, DomainError):
                        refused.append(out.code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=100)
    assert not errors, errors
    bids = list(Bid.objects.filter(auction=a).order_by("seq"))
    assert len(bids) + len(refused) == THREADS * BIDS_EACH
    assert set(refused) <= {"auction.too_low", "auction.already_leading", "auction.off_grid"}
    prices = [b.amount for b in bids]
    assert len(bids) >= 5 and len(set(prices)) == len(prices)
    assert [b.seq for b in bids] == list(range(1, len(bids) + 1))
    assert prices[0] >= a.starting_price
    for prev, cur in itertools.pairwise(bids):
        assert cur.amount >= prev.amount + a.increment and (cur.amount - prev.amount) % a.increment == 0
        assert cur.accepted_at >= prev.accepted_at and cur.registration_id != prev.registration_id
    a.refresh_from_db()
    assert a.price == max(prices) and a.bid_count == len(bids) and a.leader_id == bids[-1].registration_id
    audited = [json.loads(e.summary) for e in AuditEvent.objects.filter(action="auction.bid")]
    assert sorted((s["seq"], s["amount"]) for s in audited) == [(b.seq, str(b.amount)) for b in bids]
