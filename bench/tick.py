"""Benchmark: the tick over 100,000 active lots of which 2,000 are due, against bare queries on the
same due rows in the same run (issue 3: target <= 5x a bare query selecting the due rows).

Run: .venv/bin/python bench/tick.py [--lots N] [--due D] [--rounds R]

Setup (bulk inserts, no services): 20,000 engineering open-tendering projects with 5 lots each, all
in ``bidding`` with an ``opening`` event and ``next_check_at`` in the future. Each round makes D
fresh lots due (their opening time and next check moved into the past), then measures, on the
same due rows:
  - select:         one query selecting the due lot rows (the bare floor the issue names);
  - select+update:  that select, then one UPDATE of the same rows (one transaction);
  - per-lot:        one transaction per due lot: SELECT ... FOR UPDATE and an UPDATE of the row
                    (the least a tick that locks and processes each lot alone can do);
  - tick:           ``services.tick_run()``: lock, recompute from the lot's events and the clock,
                    one ``LotTransition`` + one hash-chained audit event per stage, reschedule.
The tick moves each due lot one stage (bidding -> opening). Baselines take the best of 3 runs (2
for per-lot);
the tick runs once per round (it consumes the due rows); the best round is reported.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import backends, run_child, scratch, setup_django, verdict

TARGET = 5.0
PROFILE = os.environ.get("GGZY_BENCH_PROFILE", "")  # a path prefix: cProfile stats of each tick
LOTS_PER_PROJECT = 5


def _setup(n_lots: int) -> tuple[list[int], dt.datetime]:
    from django.db import transaction

    from ggzy.accounts.models import ServiceCenter
    from ggzy.core import clock
    from ggzy.core.models import Region
    from ggzy.trading.models import Lot, LotEvent, Project

    now = clock.now()
    region = Region.objects.get(code="140100")
    center, _ = ServiceCenter.objects.get_or_create(
        region=region, defaults={"name": "太原市公共资源交易中心", "level": "city"}
    )
    future = now + dt.timedelta(days=30)
    n_projects = n_lots // LOTS_PER_PROJECT
    lot_ids: list[int] = []
    with transaction.atomic():
        for start in range(0, n_projects, 5000):
            projects = Project.objects.bulk_create(
                Project(
                    code=f"M14010526{1:01d}{i + 1:07d}",
                    tender_code=f"M14010526{1:01d}{i + 1:07d}001",
                    name=f"测试工程{i + 1}",
                    category="engineering",
                    ruleset_code="engineering.open_tendering",
                    ruleset_version=1,
                    ruleset_name="工程建设项目公开招标",
                    region_code="140105",
                    tenderer_uscc="91140100MA0000000X",
                    tenderer_name="太原市测试建设投资有限公司",
                    service_center=center,
                    estimate="5000000.00",
                    item_kind="works",
                    status="trading",
                    registered_at=now - dt.timedelta(days=40),
                    registered_by_label="bench",
                )
                for i in range(start, min(start + 5000, n_projects))
            )
            lots = Lot.objects.bulk_create(
                Lot(
                    project=p,
                    number=k,
                    code=f"{p.tender_code}{k:03d}",
                    name=f"{p.name}第{k}标段",
                    estimate="1000000.00",
                    status="bidding",
                    status_changed_at=now - dt.timedelta(days=20),
                    next_check_at=future,
                    version=3,
                )
                for p in projects
                for k in range(1, LOTS_PER_PROJECT + 1)
            )
            lot_ids += [lot.pk for lot in lots]
            LotEvent.objects.bulk_create(
                LotEvent(lot=lot, event=event, at=at)
                for lot in lots
                for event, at in (
                    ("documents_issued", now - dt.timedelta(days=20)),
                    ("opening", future),
                )
            )
    return lot_ids, now


def child(n_lots: int, n_due: int, rounds: int) -> dict:
    setup_django()
    from django.db import connection, transaction
    from django.db.models import F

    from ggzy.audit.selectors import verify_chain_unchecked
    from ggzy.core import clock
    from ggzy.trading import services
    from ggzy.trading.models import Lot, LotEvent, LotTransition

    started = time.perf_counter()
    lot_ids, _ = _setup(n_lots)
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    setup_s = time.perf_counter() - started

    def best(fn, times: int = 3) -> float:
        out = []
        for _ in range(times):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
        return min(out)

    results = []
    stride = len(lot_ids) // n_due  # due lots spread over the table, as real deadlines are
    for r in range(rounds):
        due_ids = lot_ids[r::stride][:n_due]
        past = clock.now() - dt.timedelta(minutes=5)
        with transaction.atomic():
            LotEvent.objects.filter(lot_id__in=due_ids, event="opening").update(at=past)
            Lot.objects.filter(pk__in=due_ids).update(next_check_at=past)
        now = clock.now()

        def select(now=now):
            rows = list(Lot.objects.filter(next_check_at__lte=now))
            assert len(rows) == n_due, len(rows)

        def select_update(now=now):
            with transaction.atomic():
                ids = [lot.pk for lot in Lot.objects.filter(next_check_at__lte=now)]
                Lot.objects.filter(pk__in=ids).update(version=F("version"))

        def per_lot(now=now):
            ids = list(Lot.objects.filter(next_check_at__lte=now).values_list("id", flat=True))
            for pk in ids:
                with transaction.atomic():
                    lot = Lot.objects.select_for_update().get(pk=pk)
                    Lot.objects.filter(pk=lot.pk).update(version=F("version"))

        t_select, t_update, t_per_lot = best(select), best(select_update), best(per_lot, 2)
        profiler = cProfile.Profile() if PROFILE else None
        t = time.perf_counter()
        if profiler:
            profiler.enable()
        report = services.tick_run()
        t_tick = time.perf_counter() - t
        if profiler:
            profiler.disable()
            profiler.dump_stats(f"{PROFILE}.{connection.vendor}.{r}")
        assert (report.processed, report.transitions, report.errors) == (n_due, n_due, []), report
        assert not Lot.objects.filter(next_check_at__lte=now).exists()
        results.append((t_tick, t_select, t_update, t_per_lot))
    assert LotTransition.objects.count() == n_due * rounds
    assert verify_chain_unchecked().ok
    t_tick, t_select, t_update, t_per_lot = min(results, key=lambda x: x[0] / x[1])
    return {
        "backend": connection.vendor,
        "lots": len(lot_ids),
        "due": n_due,
        "rounds": rounds,
        "setup_s": round(setup_s, 1),
        "tick_ms": round(t_tick * 1000, 1),
        "tick_lots_per_s": round(n_due / t_tick),
        "select_ms": round(t_select * 1000, 1),
        "select_update_ms": round(t_update * 1000, 1),
        "per_lot_ms": round(t_per_lot * 1000, 1),
        "ratio_select": round(t_tick / t_select, 1),
        "ratio_select_update": round(t_tick / t_update, 1),
        "ratio_per_lot": round(t_tick / t_per_lot, 1),
    }


def main() -> list[dict]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--lots", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.lots, args.due, args.rounds)))
        return []
    results = []
    for backend in backends():
        with scratch(backend) as env:
            env["GGZY_BENCH_PROFILE"] = PROFILE
            r = run_child(__file__, env, "--lots", str(args.lots), "--due", str(args.due),
                          "--rounds", str(args.rounds))  # fmt: skip
        results.append(r)
        print(
            f"[tick] {r['backend']}: {r['lots']:,} active lots, {r['due']:,} due (setup {r['setup_s']} s); "
            f"tick {r['tick_ms']:,} ms ({r['tick_lots_per_s']:,} lots/s); bare select {r['select_ms']} ms "
            f"-> ratio {r['ratio_select']}x ({verdict(r['ratio_select'], TARGET, higher_is_better=False)}, "
            f"<= {TARGET}x); select+update {r['select_update_ms']} ms -> {r['ratio_select_update']}x; "
            f"per-lot lock+update {r['per_lot_ms']} ms -> {r['ratio_per_lot']}x"
        )
    return results


if __name__ == "__main__":
    main()
