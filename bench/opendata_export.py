"""Benchmark (issue 7): OCDS export releases per second and peak memory for N projects, against a
baseline measured in the same run.

Setup (outside the timing): N generated engineering and procurement projects inserted in bulk,
each with one lot, its timeline events (notice, documents, bid deadline, opening) and three
notices (tender, award, contract): 4 releases per project (registration + 3 notices).

Measured, per N (default 10,000 and 100,000):

- **export**: ``opendata.selectors.iter_projects`` (keyset pages of 500 projects with their lots,
  events and notices) -> ``ocds.releases`` -> ``json.dumps`` of every release (written to a
  discarding sink): what ``ggzy opendata dump`` does minus gzip;
- **baseline**: the same pages of the same rows (same queries, including the tendering app's
  ``opened_bids`` per lot), each project's facts serialised to JSON as they are, without the OCDS
  mapping;
- **peak memory**: ``tracemalloc`` peak of Python allocations during a second export pass (traced
  separately, so the timing is not slowed by tracing), and the process's peak RSS; flat memory
  means the peak does not grow with N;
- **dump** (smallest N only, it is slow): ``ggzy opendata dump`` of the three months holding
  every release (gzip JSON Lines, SHA-256 and SM3 of the file): each month reads every project
  registered before its end, so the three dumps read the projects three times.

    .venv/bin/python bench/opendata_export.py [--sizes 10000,100000]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import backends, run_child, scratch, setup_django

BATCH = 2000


def populate(n: int) -> None:
    from ggzy.accounts.models import ServiceCenter
    from ggzy.core.models import Region
    from ggzy.trading.models import Lot, LotEvent, Notice, Project

    center, _ = ServiceCenter.objects.get_or_create(
        region=Region.objects.get(code="140100"), defaults={"name": "太原市公共资源交易中心", "level": "city"}
    )
    base = dt.datetime(2026, 9, 1, 1, tzinfo=dt.UTC)
    have = Project.objects.count()
    for start in range(have, n, BATCH):
        stop = min(n, start + BATCH)
        projects = []
        for i in range(start, stop):
            eng = i % 2 == 0
            code = f"M14010526{1 if eng else 2}{i + 1:07d}"
            projects.append(
                Project(
                    code=code,
                    tender_code=code + "001",
                    name=f"太原市测试{'道路改造工程' if eng else '办公设备采购'}{i}",
                    category="engineering" if eng else "procurement",
                    ruleset_code="engineering.open_tendering" if eng else "procurement.open_tendering",
                    ruleset_version=1,
                    ruleset_name="工程建设项目公开招标" if eng else "政府采购公开招标",
                    region_code="140105",
                    tenderer_uscc="91140100MA0000000X"[:18],
                    tenderer_name="太原市测试建设投资有限公司",
                    service_center=center,
                    estimate="5000000.00",
                    item_kind="works" if eng else "goods",
                    registered_at=base + dt.timedelta(seconds=i),
                    registered_by_label="bench",
                    status="closed",
                )
            )
        Project.objects.bulk_create(projects)
        saved = list(Project.objects.filter(code__in=[p.code for p in projects]).order_by("id"))
        lots = [
            Lot(project=p, number=1, code=p.tender_code + "001", name="第1标段", estimate="5000000.00",
                status="contract", status_changed_at=p.registered_at)
            for p in saved
        ]  # fmt: skip
        Lot.objects.bulk_create(lots)
        lots = list(Lot.objects.filter(project__in=saved).select_related("project").order_by("id"))
        events, notices = [], []
        for lot in lots:
            t0 = lot.project.registered_at + dt.timedelta(days=13)
            for k, (ev, days) in enumerate(
                (("notice_published", 0), ("documents_issued", 0), ("bid_deadline", 21), ("opening", 21))
            ):
                events.append(LotEvent(lot=lot, event=ev, at=t0 + dt.timedelta(days=days, minutes=k)))
            for j, (kind, days, data) in enumerate(
                (
                    ("tender", 0, {"资格要求": "具有独立法人资格"}),
                    ("award", 35, {"winner": {"name": "山西测试建筑工程有限公司", "uscc": "911401006900000001"},
                                   "winning_price": "4500000.00"}),
                    ("contract", 50, {"contract_no": "HT-1", "contract_amount": "4500000.00", "signed_on": "2026-11-01"}),
                )
            ):  # fmt: skip
                notices.append(
                    Notice(project=lot.project, lot=lot, kind=kind, number=f"{lot.code}-{j}", title=f"{lot.project.name}{kind}",
                           data=data, body_html="<p>正文</p>", published_at=t0 + dt.timedelta(days=days),
                           published_by_label="bench")
                )  # fmt: skip
        LotEvent.objects.bulk_create(events)
        Notice.objects.bulk_create(notices)


class Discard:
    def __init__(self) -> None:
        self.bytes = 0

    def write(self, text: str) -> None:
        self.bytes += len(text)


def export(limit: int) -> tuple[int, int]:
    from ggzy.opendata import ocds, selectors

    cfg, sink, count = selectors.config(), Discard(), 0
    for facts in selectors.iter_projects(categories=selectors.PURCHASES):
        for release in ocds.releases(facts, cfg):
            sink.write(json.dumps(release, ensure_ascii=False, separators=(",", ":")))
            count += 1
    return count, sink.bytes


def _plain(value: object) -> object:
    """The facts as they are: dataclasses as their fields, times and amounts as text."""
    return vars(value) if dataclasses.is_dataclass(value) else str(value)


def baseline() -> tuple[int, int]:
    from ggzy.opendata import selectors

    sink, count = Discard(), 0
    for facts in selectors.iter_projects(categories=selectors.PURCHASES):
        sink.write(
            json.dumps(dataclasses.asdict(facts), ensure_ascii=False, separators=(",", ":"), default=str)
        )
        count += 1
    return count, sink.bytes


def child(sizes: list[int]) -> dict:
    setup_django()
    from ggzy.core.permissions import SYSTEM
    from ggzy.opendata import services

    out = []
    for n in sizes:
        t = time.perf_counter()
        populate(n)
        setup_s = time.perf_counter() - t
        t = time.perf_counter()
        rows, base_bytes = baseline()
        base_s = time.perf_counter() - t
        t = time.perf_counter()
        releases, ocds_bytes = export(n)
        export_s = time.perf_counter() - t
        tracemalloc.start()
        export(n)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        t, files = time.perf_counter(), []
        if n == min(sizes):
            for month in ("2026-09", "2026-10", "2026-11"):
                files += services.bulk_dump(month=month, actor=SYSTEM, datasets=["ocds-releases"])
        dump_s = time.perf_counter() - t
        out.append(
            {
                "projects": n,
                "setup_s": round(setup_s, 1),
                "releases": releases,
                "export_s": round(export_s, 2),
                "releases_per_s": round(releases / export_s),
                "projects_per_s": round(n / export_s),
                "baseline_s": round(base_s, 2),
                "baseline_projects_per_s": round(rows / base_s),
                "ratio_export_vs_baseline": round(export_s / base_s, 2),
                "ocds_mb": round(ocds_bytes / 1e6, 1),
                "baseline_mb": round(base_bytes / 1e6, 1),
                "peak_traced_mb": round(peak / 1e6, 1),
                "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "dump_lines": sum(f.lines for f in files),
                "dump_s": round(dump_s, 2),
                "dump_releases_per_s": round(sum(f.lines for f in files) / dump_s) if files else None,
                "dump_gzip_mb": round(sum(f.size for f in files) / 1e6, 1),
            }
        )
    return {"runs": out}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--sizes", default="10000,100000")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        print(json.dumps(child(sizes)))
        return
    for backend in backends():
        with scratch(backend) as env:
            result = run_child(__file__, env, "--sizes", args.sizes, timeout=7200)
        for r in result["runs"]:
            print(
                f"{backend:10} N={r['projects']:>7,}: OCDS {r['releases_per_s']:,} releases/s "
                f"({r['releases']:,} releases, {r['export_s']} s) vs baseline {r['baseline_projects_per_s']:,} "
                f"projects/s ({r['baseline_s']} s): export/baseline {r['ratio_export_vs_baseline']}x; "
                f"peak traced {r['peak_traced_mb']} MB, max RSS {r['max_rss_mb']} MB; "
                f"dump {r['dump_releases_per_s'] or '-'} releases/s ({r['dump_gzip_mb']} MB gzip); setup {r['setup_s']} s"
            )


if __name__ == "__main__":
    main()
