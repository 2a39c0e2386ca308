"""Submissions, replacements and withdrawals racing the deadline and the tick that closes the box
(PostgreSQL: real concurrency). Whatever the interleaving: everything accepted has a receipt time
before the deadline, everything refused is refused as late, no half-stored bid, no lost receipt."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections

from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.tendering import services, storage
from ggzy.tendering.models import Bid, Opening, ReceiptLogEntry
from ggzy.trading import services as trading
from tests.tendering import bidding as b


def _prepared_upload(lt, bidder, price):
    env, meta = b.seal(b.plaintext(lt, bidder, price=price), bidder)
    up = services.bid_upload_create(lot=lt, chunk_size=64 << 10, actor=bidder.user, **meta)
    for i in range(services.chunk_count(up)):
        services.bid_chunk_put(upload=up, index=i, data=env[i * 65536 : (i + 1) * 65536], actor=bidder.user)
    return up


@pytest.mark.django_db(transaction=True)
def test_submit_replace_withdraw_and_the_tick_racing_the_deadline():
    if connection.vendor != "postgresql":
        pytest.skip("a race needs concurrent writers: PostgreSQL only")
    lt = b.lot(deadline_in=3600)
    holders = [b.Bidder() for _ in range(4)]  # already bid: two replace, two withdraw
    for h in holders:
        b.submit(lt, h)
    newcomers = [b.Bidder() for _ in range(6)]
    jobs = []
    for i, h in enumerate(holders):
        if i % 2 == 0:
            jobs.append(("replace", h, _prepared_upload(lt, h, "4100000.00")))
        else:
            jobs.append(("withdraw", h, None))
    for n in newcomers:
        jobs.append(("submit", n, _prepared_upload(lt, n, "4200000.00")))
    # 8 s: the threads start and meet at the barrier well before it, even on a loaded host
    deadline = clock.now() + dt.timedelta(seconds=8)
    b.set_deadline(lt, deadline)
    from ggzy.trading.models import Lot

    Lot.objects.filter(pk=lt.pk).update(next_check_at=deadline)
    results: dict[int, object] = {}
    barrier = threading.Barrier(len(jobs) + 1)

    def run(i, kind, who, upload):
        try:
            barrier.wait(timeout=30)
            # spread the attempts over ±300 ms around the deadline; the first two go early, so
            # that some are accepted however slow the host (and the last ones are late anyway)
            offset = -4000 if i < 2 else (i % 7) * 100 - 300
            target = deadline + dt.timedelta(milliseconds=offset)
            time.sleep(max(0.0, (target - clock.now()).total_seconds()))
            if kind == "withdraw":
                results[i] = services.bid_withdraw(lot=lt, actor=who.user)
            else:
                results[i] = services.bid_upload_commit(upload=upload, actor=who.user)
        except DomainError as exc:
            results[i] = exc
        except BaseException as exc:
            results[i] = exc
        finally:
            connections.close_all()

    def tick():
        try:
            barrier.wait(timeout=30)
            while clock.now() < deadline:
                time.sleep(0.002)
            trading.tick_run()
            services.openings_due()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, *job)) for i, job in enumerate(jobs)]
    threads.append(threading.Thread(target=tick))
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # a lot locked by a bid write at that moment is skipped by the tick (SKIP LOCKED): the next run closes it
    trading.tick_run()
    services.openings_due()
    accepted = [r for r in results.values() if isinstance(r, Bid)]
    refused = [r for r in results.values() if not isinstance(r, Bid)]
    assert len(results) == len(jobs)
    assert accepted and refused  # the race happened on both sides of the deadline
    assert all(isinstance(r, DomainError) and r.code == "bid.deadline_passed" for r in refused), refused
    for r in accepted:
        stamp = r.withdrawn_at if r.status == Bid.WITHDRAWN else r.received_at
        assert stamp < deadline
    entries = ReceiptLogEntry.objects.filter(lot_code=lt.code)
    assert entries.count() == len(holders) + len(accepted)  # one receipt per accepted action, none lost
    assert all(e.received_at < deadline for e in entries)
    assert Bid.objects.filter(lot=lt).count() == len(holders) + sum(
        1 for r in accepted if r.status != Bid.WITHDRAWN
    )
    known = set(Bid.objects.filter(lot=lt).values_list("path", flat=True))
    assert storage.orphans(known) == []
    # the box was closed once, counting exactly the bids current at the deadline
    current = Bid.objects.filter(lot=lt, status=Bid.ACTIVE).count()
    opening = Opening.objects.get(lot=lt)
    assert opening.status in (Opening.DECRYPTING, Opening.FAILED)
    for entity_id in Bid.objects.filter(lot=lt).values_list("entity_id", flat=True).distinct():
        assert Bid.objects.filter(lot=lt, entity_id=entity_id, status=Bid.ACTIVE).count() <= 1
    assert current >= 3 or opening.status == Opening.FAILED
