"""Benchmark: audit events written inside real service transactions vs a plain insert (target ratio >= 0.5).

Run: .venv/bin/python bench/audit_write.py [--events N]

One transaction per event, as a service does it: a real model change (a service center's phone
number) plus, either
  - audited:  ``audit.services.record`` (locks the head row, chains the SM3 hash, inserts, moves the head),
  - baseline: a plain ``AuditEvent`` insert of the same fields (no lock, no hash).
The two modes alternate in rounds in the same process and database, so the machine's noise hits both.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import backends, run_child, scratch, setup_django, verdict

TARGET = 0.5
ROUNDS = 4


def child(n: int) -> dict:
    setup_django()
    from django.db import connection, transaction

    from ggzy.accounts.models import ServiceCenter
    from ggzy.audit import chain
    from ggzy.audit.models import AuditEvent
    from ggzy.audit.selectors import verify_chain_unchecked
    from ggzy.audit.services import record
    from ggzy.core import clock
    from ggzy.core.models import Region

    region = Region.objects.get(code="140100")
    center, _ = ServiceCenter.objects.get_or_create(
        region=region, defaults={"name": "太原市公共资源交易中心", "level": "city"}
    )
    summary = {"phone": ["0351-0000000", "0351-1111111"]}
    plain_seq = [10**12]

    def audited(i: int) -> None:
        with transaction.atomic():
            ServiceCenter.objects.filter(pk=center.pk).update(phone=f"0351-{i:07d}")
            record(actor="bench", action="center.update", object_type="center", object_id=center.pk,
                   summary=summary)  # fmt: skip

    def plain(i: int) -> None:
        with transaction.atomic():
            ServiceCenter.objects.filter(pk=center.pk).update(phone=f"0351-{i:07d}")
            plain_seq[0] += 1
            AuditEvent.objects.create(
                seq=plain_seq[0], at=clock.now(), actor_label="系统:bench", action="center.update",
                object_type="center", object_id=str(center.pk), summary=chain.canonical_json(summary),
                prev_hash="", hash="",
            )  # fmt: skip

    times = {"audited": 0.0, "plain": 0.0}
    per_round = max(1, n // ROUNDS)
    for r in range(ROUNDS):
        for name, fn in (("plain", plain), ("audited", audited)) if r % 2 == 0 else (
            ("audited", audited), ("plain", plain)):  # fmt: skip
            started = time.perf_counter()
            for i in range(per_round):
                fn(i)
            times[name] += time.perf_counter() - started
    total = per_round * ROUNDS
    AuditEvent.objects.filter(seq__gt=10**12).delete()  # the baseline rows are not part of the chain
    assert verify_chain_unchecked().ok
    audited_rate, plain_rate = total / times["audited"], total / times["plain"]
    return {
        "backend": connection.vendor,
        "events": total,
        "audited_per_s": round(audited_rate),
        "plain_per_s": round(plain_rate),
        "ratio": round(audited_rate / plain_rate, 2),
    }


def main() -> list[dict]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--events", type=int, default=4000)
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
            f"[audit write] {r['backend']}: {r['events']:,} transactions per mode; "
            f"audited {r['audited_per_s']:,}/s, plain insert {r['plain_per_s']:,}/s, "
            f"ratio {r['ratio']} -> {verdict(r['ratio'], TARGET)} (>= {TARGET})"
        )
    return results


if __name__ == "__main__":
    main()
