"""Reading the chain back from the database and checking it (``ggzy audit verify``, the verify page
and API). Read-only; the hashing rule lives in ``chain``.

Speed: rows are read in keyset chunks (``seq > last ORDER BY seq LIMIT n``) through a plain cursor,
and the database builds each event's canonical text itself (SQL below, tested against
``chain.canonical`` on SQLite and PostgreSQL), so Python only hashes. A long chain is split into
ranges verified by separate processes: a range needs only the stored hash of the event before it.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections

from ggzy.audit import chain
from ggzy.audit.models import AuditEvent, AuditHead

CHUNK = 20_000
PARALLEL_MIN_EVENTS = 200_000  # below this one process is faster than starting workers

_TEXT = ("actor_label", "action", "object_type", "object_id", "project_ref", "entity_ref", "summary")


def _canonical_sql(vendor: str) -> tuple[str, list] | None:
    """SQL (and its parameters) yielding ``chain.canonical_text`` of a row as UTF-8 bytes, or None
    for databases without a fast path. SQLite's printf is much faster than a chain of ``||``.
    """
    if vendor == "sqlite":
        fmt = chain.SEP.join(["%d", "%sT%s%s+00:00", *["%s"] * 8])
        at = "substr(at, 1, 10), substr(at, 12), CASE WHEN length(at) = 19 THEN '.000000' ELSE '' END"
        cols = ", ".join(["actor_id", *_TEXT])
        return f"CAST(printf(%s, seq, {at}, {cols}) AS BLOB)", [fmt]
    if vendor == "postgresql":
        at = "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
        parts = ["seq::text", at, "COALESCE(actor_id::text, '')", *(f"COALESCE({f}, '')" for f in _TEXT)]
        return "convert_to(" + " || chr(31) || ".join(parts) + ", 'UTF8')", []
    return None


def _table() -> str:
    return connection.ops.quote_name(AuditEvent._meta.db_table)


def _rows(first: int, last: int, chunk: int = CHUNK):
    """(seq, canonical text, prev_hash, hash) for seq first..last (flattened in C)."""
    return itertools.chain.from_iterable(_batches(first, last, chunk))


def _batches(first: int, last: int, chunk: int = CHUNK):
    """Yield lists of (seq, canonical text, prev_hash, hash) for seq first..last, in keyset chunks."""
    fast = _canonical_sql(connection.vendor)
    table = _table()
    after = first - 1
    with connection.cursor() as cursor:
        while True:
            if fast is not None:
                expr, params = fast
                cursor.execute(
                    f"SELECT seq, {expr}, prev_hash, hash FROM {table} "
                    "WHERE seq > %s AND seq <= %s ORDER BY seq LIMIT %s",
                    [*params, after, last, chunk],
                )
                batch = cursor.fetchall()
            else:  # pragma: no cover - other databases: build the text in Python
                batch = [
                    (r[0], chain.canonical_text(r[:-2]), r[-2], r[-1])
                    for r in _python_rows(after, last, chunk)
                ]
            if not batch:
                return
            yield batch
            if len(batch) < chunk:
                return
            after = batch[-1][0]


def _python_rows(after: int, last: int, chunk: int) -> list[tuple]:  # pragma: no cover
    from ggzy.audit.services import at_text

    qs = AuditEvent.objects.filter(seq__gt=after, seq__lte=last).order_by("seq")
    return [(r[0], at_text(r[1]), *r[2:]) for r in qs.values_list(*chain.FIELDS, "prev_hash", "hash")[:chunk]]


def read_rows(first: int, last: int) -> int:
    """Read the same rows as verification without hashing (the benchmark's baseline)."""
    return sum(len(batch) for batch in _batches(first, last))


def verify_range(first: int, last: int) -> chain.RangeResult:
    """Verify seq first..last from the stored hash of event first-1 (the genesis for 1)."""
    if first > 1:
        prev = AuditEvent.objects.filter(seq=first - 1).values_list("hash", flat=True).first()
        if prev is None:
            return chain.RangeResult(first, last, 0, chain.close_range(first - 1, first - 1, 0, None))
    else:
        prev = chain.GENESIS
    last_hash: list[str] = []

    def tap(rows):
        for row in rows:
            last_hash[:] = [row[3]]
            yield row

    checked, problem = chain.verify_canonical(tap(_rows(first, last)), start_seq=first, start_prev=prev)
    problem = chain.close_range(first, last, checked, problem)
    return chain.RangeResult(
        first, last, checked, problem, last_hash[0] if last_hash and not problem else None
    )


def _worker(first: int, last: int) -> chain.RangeResult:  # runs in a forked process
    try:
        return verify_range(first, last)
    finally:
        connections.close_all()


@dataclass
class VerifyResult:
    ok: bool
    first: int
    last: int
    checked: int
    problem: chain.Problem | None
    head_checked: bool
    head_seq: int
    seconds: float
    workers: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.checked / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "from_seq": self.first,
            "to_seq": self.last,
            "checked": self.checked,
            "problem": self.problem.as_dict() if self.problem else None,
            "head_checked": self.head_checked,
            "head_seq": self.head_seq,
            "seconds": round(self.seconds, 3),
            "events_per_second": round(self.rate),
            "workers": self.workers,
        }


def _snapshot() -> tuple[int, str, int]:
    """Head seq, head hash and the highest stored seq, read in one statement (one snapshot)."""
    head_table = connection.ops.quote_name(AuditHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT h.seq, h.hash, (SELECT MAX(seq) FROM {_table()}) FROM {head_table} h WHERE h.id = 1"
        )
        row = cursor.fetchone()
    if row is None:
        return 0, chain.GENESIS, 0
    return int(row[0]), row[1], int(row[2] or 0)


def _can_fork() -> bool:
    if connection.in_atomic_block:  # other processes would not see this transaction's rows
        return False
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return False
    return connection.vendor in {"sqlite", "postgresql"}


def verify_chain(*, from_seq: int | None = None, to_seq: int | None = None, workers: int = 1) -> VerifyResult:
    """Verify the chain (or seq from_seq..to_seq). With ``to_seq`` left open, also check the head
    row against the last event, so a truncated or extended tail is found.

    ``workers`` > 1 splits a long range over that many processes (forked; only from a command,
    never inside a web server). ``workers`` = 0 means one per CPU, at most 4.
    """
    started = time.perf_counter()
    head_seq, head_hash, max_seq = _snapshot()
    first = max(1, from_seq or 1)
    open_end = to_seq is None
    last = max(head_seq, max_seq) if open_end else to_seq
    if workers == 0:
        workers = min(4, os.cpu_count() or 1)
    n = last - first + 1
    if n < PARALLEL_MIN_EVENTS or not _can_fork():
        workers = 1
    ranges = chain.split(first, last, workers)
    if workers > 1 and len(ranges) > 1:
        connections.close_all()
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(ranges), mp_context=ctx) as pool:
            results = list(pool.map(_worker, *zip(*ranges, strict=True)))
    else:
        results = [verify_range(lo, hi) for lo, hi in ranges]
    checked, problem = chain.merge(results)
    head_checked = False
    if open_end and problem is None:
        last_hash = results[-1].last_hash if results else None
        problem = chain.check_head(head_seq, head_hash, last if n > 0 else None, last_hash)
        head_checked = True
    return VerifyResult(
        ok=problem is None,
        first=first,
        last=last,
        checked=checked,
        problem=problem,
        head_checked=head_checked,
        head_seq=head_seq,
        seconds=time.perf_counter() - started,
        workers=len(ranges) if workers > 1 else 1,
    )
