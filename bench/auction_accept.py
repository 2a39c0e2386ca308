"""Benchmark: the auction service's accept path against the raw commit rate (issue 5, supplement).

Run: .venv/bin/python bench/auction_accept.py [--bids N]

The hall benchmark (bench/auction_hall.py) counts accepted bids per second with 200 bidders who
bid on the last price they saw: most of their bids race for the same price and are refused, so
its accepted rate follows the bidders' round trip more than the platform. This one measures what
the platform's accept path itself can do, in one process on a scratch database: bids that are all
acceptable on arrival (two bidders alternating, each one increment above the last), decided

  - one by one: ``bid_place``, one transaction each (lock, reads, bid row, audit event, commit);
  - together: ``bids_place`` with k bids per transaction (the hall's group commit), k = 10 and 50;

against the raw commit rate of a single-row UPDATE on the same database in the same run, as
durable as a bid (SQLite ``synchronous=FULL``). Modes alternate in rounds so the machine's noise
hits all of them; the audit chain is verified at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, backends, durable_commit_rate, run_child, scratch, setup_django, verdict

TARGET = 0.5
ROUNDS = 3
BATCHES = (1, 10, 50)


def child(bids: int) -> dict:
    setup_django()
    from django.db import connection
    from tests.auctions import helpers

    from ggzy.auctions import services
    from ggzy.auctions.models import Auction, Bid
    from ggzy.audit.selectors import verify_chain_unchecked

    a, op = helpers.auction(countdown_seconds=86400, increment="1000.00")
    pairs = [helpers.bidder(a, op) for _ in range(2)]
    services.auction_refresh(auction=a)
    step = int(a.increment)
    turn = [0]

    def requests(k: int) -> list:
        price = Auction.objects.values_list("price", flat=True).get(pk=a.pk) or a.starting_price - step
        out = []
        for j in range(1, k + 1):  # alternating bidders, each bid one increment above the last
            r, user = pairs[(turn[0] + j) % 2]
            out.append(services.BidRequest(bidder=r, amount=str(int(price) + step * j), actor=user))
        turn[0] += k
        return out

    times = dict.fromkeys(BATCHES, 0.0)
    counts = dict.fromkeys(BATCHES, 0)
    raw = []
    per_round = max(100, bids // ROUNDS)
    for rnd in range(ROUNDS):
        raw.append(durable_commit_rate(2.0))
        for k in BATCHES if rnd % 2 == 0 else tuple(reversed(BATCHES)):
            done = 0
            while done < per_round:
                reqs = requests(k)  # reading the price to bid on is the bidder's work: not timed
                t0 = time.perf_counter()
                if k == 1:
                    q = reqs[0]
                    services.bid_place(auction=a, bidder=q.bidder, amount=q.amount, actor=q.actor)
                else:
                    out = services.bids_place(auction=a, requests=reqs)
                    assert all(isinstance(b, Bid) for b in out), out
                times[k] += time.perf_counter() - t0
                done += k
            counts[k] += done
    assert verify_chain_unchecked().ok
    assert Bid.objects.filter(auction=a).count() == sum(counts.values())
    raw_rate = sorted(raw)[len(raw) // 2]
    return {
        "backend": connection.vendor,
        "raw_commits_per_s": round(raw_rate),
        **{f"accepted_per_s_batch_{k}": round(counts[k] / times[k]) for k in BATCHES},
        **{f"ratio_batch_{k}": round(counts[k] / times[k] / raw_rate, 3) for k in BATCHES},
        "bids": sum(counts.values()),
        "finished_utc": time.strftime("%H:%M", time.gmtime()),
    }


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bids", type=int, default=3000, help="bids per mode (over all rounds)")
    args = parser.parse_args()
    for backend in backends():
        with scratch(backend) as env:
            env["PYTHONPATH"] = f"{ROOT / 'src'}:{ROOT}"  # the auction test helpers set the auction up
            r = run_child(__file__, env, str(args.bids))
        print(json.dumps(r))
        parts = [
            f"{k} per transaction {r[f'accepted_per_s_batch_{k}']}/s (ratio {r[f'ratio_batch_{k}']:.2f}, "
            f"{verdict(r[f'ratio_batch_{k}'], TARGET)})"
            for k in BATCHES
        ]
        print(
            f"{backend}: raw durable single-row commits {r['raw_commits_per_s']}/s; accepted bids: "
            + "; ".join(parts)
        )


if __name__ == "__main__":
    main()
