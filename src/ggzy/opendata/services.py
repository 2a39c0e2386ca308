"""Writes of the open data: the monthly bulk files (``ggzy opendata dump``)."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from ggzy.audit import services as audit
from ggzy.core import clock
from ggzy.crypto.sm import Sm3
from ggzy.opendata import national, ocds, selectors
from ggzy.opendata.models import BulkFile, Dataset


class _Digesting:
    """A binary file wrapper that counts and hashes (SHA-256 and SM3) what is written."""

    def __init__(self, raw: Any) -> None:
        self.raw, self.size = raw, 0
        self.sha256, self.sm3 = hashlib.sha256(), Sm3()

    def write(self, data: bytes) -> int:
        self.raw.write(data)
        self.sha256.update(data)
        self.sm3.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        self.raw.flush()


def write_jsonl_gz(path: Path, items: Iterable[dict[str, Any]]) -> tuple[int, int, str, str]:
    """Stream ``items`` as gzip JSON Lines to ``path`` (atomically: a temporary file renamed at
    the end). Returns (lines, size, sha256, sm3) of the compressed file. Flat memory: one item
    at a time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    lines = 0
    with open(tmp, "wb") as raw:
        sink = _Digesting(raw)
        # mtime=0: the same data gives the same bytes (and digests)
        with gzip.GzipFile(filename="", mode="wb", fileobj=sink, mtime=0) as gz:  # type: ignore[arg-type]
            for item in items:
                gz.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode())
                gz.write(b"\n")
                lines += 1
    os.replace(tmp, path)
    return lines, sink.size, sink.sha256.hexdigest(), sink.sm3.hexdigest()


def _ocds_items(month: str) -> Iterator[dict[str, Any]]:
    """Every release dated in ``month``: the registration releases of projects registered in it
    and the releases of notices published in it (each release is a snapshot as of its notice, so
    a project registered earlier contributes only this month's releases). Only the projects
    registered or with a notice in the month are read."""
    start, end = selectors.parse_month(month)
    cfg = selectors.config()
    for facts in selectors.iter_projects(
        categories=selectors.PURCHASES, since=start, until=end, touched=True
    ):
        for release in ocds.releases(facts, cfg):
            if _in(release["date"], start, end):
                yield release


def _in(iso: str, start: dt.datetime, end: dt.datetime) -> bool:
    at = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return start <= at < end


def _national_items(month: str) -> Iterator[dict[str, Any]]:
    start, end = selectors.parse_month(month)
    base = settings.GGZY_PUBLIC_BASE_URL.rstrip("/")
    code = settings.GGZY_NATIONAL_PLATFORM_CODE
    categories = selectors.PURCHASES + selectors.SALES
    for facts in selectors.iter_projects(categories=categories, since=start, until=end, touched=True):
        for item in national.flat(facts, platform_code=code, base_url=base):
            if item["row"]["DATA_TIMESTAMP"][:7] == month:  # Beijing time, like the month
                yield item


def _sales_items(month: str) -> Iterator[dict[str, Any]]:
    start, end = selectors.parse_month(month)
    cfg = selectors.config()
    for facts in selectors.iter_projects(categories=selectors.SALES, since=start, until=end):
        yield ocds.sale_record(facts, cfg)


GENERATORS = {Dataset.OCDS: _ocds_items, Dataset.NATIONAL: _national_items, Dataset.SALES: _sales_items}


def bulk_dump(*, month: str, actor: Any, datasets: Iterable[str] | None = None) -> list[BulkFile]:
    """Write the month's files (every dataset by default) and record them. The files are written
    first (streamed, outside the transaction), then the rows and one audit event per file."""
    selectors.parse_month(month)  # a bad month changes nothing
    folder = Path(settings.GGZY_OPENDATA_DIR)
    done = []
    for dataset in datasets or list(GENERATORS):
        dataset = Dataset(dataset)
        filename = f"{month}-{dataset.value}.jsonl.gz"
        lines, size, sha256, sm3 = write_jsonl_gz(folder / filename, GENERATORS[dataset](month))
        done.append(_record_file(month, dataset, filename, lines, size, sha256, sm3, actor))
    return done


@transaction.atomic
def _record_file(month, dataset, filename, lines, size, sha256, sm3, actor) -> BulkFile:
    row, _ = BulkFile.objects.select_for_update().update_or_create(
        month=month,
        dataset=dataset.value,
        defaults={
            "filename": filename,
            "size": size,
            "lines": lines,
            "sha256": sha256,
            "sm3": sm3,
            "generated_at": clock.now(),
        },
    )
    audit.record(
        actor=actor,
        action="opendata.dump",
        object_type="opendata.bulkfile",
        object_id=filename,
        summary={
            "month": month,
            "dataset": dataset.value,
            "lines": lines,
            "size": size,
            "sha256": sha256,
            "sm3": sm3,
        },
    )
    return row
