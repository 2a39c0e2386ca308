"""Benchmark: `ggzy audit verify` over 1,000,000 events (target >= 200,000 events/s).

Run: .venv/bin/python bench/audit_verify.py [--events N]

For each backend (SQLite in a temporary directory; PostgreSQL in a scratch database when it runs):
generate N correctly chained events with bulk inserts, then in the same run measure
  - baseline: reading the same rows the verifier reads (same keyset chunks, no hashing),
  - verify:   the full verification (`verify_chain`, as the command runs it: 2 worker processes),
and print events/s and the ratio verify/baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import backends, run_child, scratch, setup_django, verdict

TARGET = 200_000
ROUNDS = 3
INSERT_BATCH = 20_000


def generate(n: int) -> float:
    """Insert ``n`` chained events (as ``record`` would write them) and set the head; seconds."""
    from django.db import connection, transaction

    from ggzy.audit import chain
    from ggzy.audit.models import AuditEvent, AuditHead
    from ggzy.audit.services import at_text

    started = time.perf_counter()
    t0 = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)
    prev = chain.GENESIS
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    cols = [*chain.FIELDS, "prev_hash", "hash"]
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
    actions = ["entity.register", "entity.update", "project.register", "notice.publish", "bid.submit"]
    batch: list[tuple] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for seq in range(1, n + 1):
            at = t0 + dt.timedelta(milliseconds=37 * seq)
            summary = chain.canonical_json(
                {"contact_phone": ["0351-1234567", f"0351-{seq % 10_000_000:07d}"]}
            )
            fields = (
                seq,
                at_text(at),
                1000 + seq % 50 if seq % 7 else None,
                f"operator{seq % 50}（测试，服务中心工作人员，太原市公共资源交易中心）",
                actions[seq % len(actions)],
                "entity",
                str(seq % 200 + 1),
                f"SX-2026-{seq % 5000:05d}" if seq % 3 == 0 else "",
                "91140100MA0L8QX12A" if seq % 5 == 0 else "",
                summary,
            )
            digest = chain.event_hash(prev, fields)
            db_fields = (
                seq,
                at if connection.vendor != "sqlite" else str(at.replace(tzinfo=None)),
                *fields[2:],
            )
            batch.append((*db_fields, prev, digest))
            prev = digest
            if len(batch) == INSERT_BATCH:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
        AuditHead.objects.filter(pk=1).update(seq=n, hash=prev)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


def child(n: int) -> dict:
    setup_django()
    from django.db import connection

    from ggzy.audit import verification

    gen = generate(n)
    if connection.vendor == "sqlite":
        # A fresh bulk load sits in the WAL file; a real chain has long been checkpointed.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # The machine is shared: measure the three modes interleaved, ROUNDS times, and keep each
    # mode's best run (the one least disturbed by other work); all rounds are reported too.
    reads, ones, twos = [], [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        read = verification.read_rows(1, n)
        reads.append(time.perf_counter() - started)
        assert read == n, (read, n)
        one = verification.verify_chain(workers=1)
        two = verification.verify_chain(workers=2)
        assert one.ok and two.ok, (one.problem, two.problem)
        ones.append(one)
        twos.append(two)
    baseline = min(reads)
    one = min(ones, key=lambda r: r.seconds)
    result = min(twos, key=lambda r: r.seconds)
    return {
        "backend": connection.vendor,
        "events": n,
        "generate_s": round(gen, 2),
        "read_s": round(baseline, 3),
        "read_per_s": round(n / baseline),
        "verify_1_worker_s": round(one.seconds, 3),
        "verify_1_worker_per_s": round(one.rate),
        "verify_s": round(result.seconds, 3),
        "verify_per_s": round(result.rate),
        "workers": result.workers,
        "ratio_vs_read": round(result.rate / (n / baseline), 2),
        "rounds_verify_per_s": [round(r.rate) for r in twos],
        "rounds_read_per_s": [round(n / t) for t in reads],
    }


def main() -> list[dict]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.events)))
        return []
    results = []
    for backend in backends():
        with scratch(backend) as env:
            r = run_child(__file__, env, "--events", str(args.events))
        results.append(r)
        print(
            f"[audit verify] {r['backend']}: {r['events']:,} events; generated in {r['generate_s']} s; "
            f"read only {r['read_per_s']:,}/s; verify 1 worker {r['verify_1_worker_per_s']:,}/s; "
            f"verify {r['workers']} workers {r['verify_per_s']:,}/s ({r['verify_s']} s); "
            f"ratio verify/read {r['ratio_vs_read']} -> {verdict(r['verify_per_s'], TARGET)} (>= {TARGET:,}/s); "
            f"best of {ROUNDS} rounds: verify {r['rounds_verify_per_s']}, read {r['rounds_read_per_s']}"
        )
    return results


if __name__ == "__main__":
    main()
