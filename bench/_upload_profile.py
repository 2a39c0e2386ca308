"""Where a sealed-bid upload's server time goes: ``bench/bid_upload.py --profile`` serves this module.

It wraps ``ggzy.asgi.application`` after patching, in the server process only (never in the
shipped code), timers around: each API operation (by view name: ``upload_chunk``,
``upload_commit``, ...), every SQL statement (``SELECT ... FOR UPDATE`` counted apart: mostly
waiting for a row lock), transactions begun (SQLite: ``BEGIN IMMEDIATE``, the write-lock wait)
and committed (PostgreSQL: the WAL flush), writes outside a transaction (each one is a commit),
connections taken (from the pool on PostgreSQL), and the file work (chunk write+fsync, SM3
read-back, rename), the receipt append and the audit records. The time a commit holds its locks
is measured from its first locking statement (SQLite: ``BEGIN IMMEDIATE``) to the end of its
COMMIT. Figures are sums per operation, written as JSON to ``GGZY_BENCH_PROFILE`` after every
commit request.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import defaultdict

import django

django.setup()

from django.db.backends import utils as db_utils  # noqa: E402
from django.db.backends.base import base as db_base  # noqa: E402
from django.db.backends.sqlite3 import base as sqlite_base  # noqa: E402
from ninja import operation  # noqa: E402

from ggzy.asgi import application as _app  # noqa: E402
from ggzy.audit import services as audit  # noqa: E402
from ggzy.tendering import receiptlog, services, storage  # noqa: E402

OUT = os.environ["GGZY_BENCH_PROFILE"]
_tl = threading.local()
_lock = threading.Lock()
STATS: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
MAXES: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
SPANS: dict[str, list[float]] = defaultdict(lambda: [float("inf"), 0.0])  # first start, last end


def _kind() -> str:
    return getattr(_tl, "kind", "other")


def _add(name: str, seconds: float | None = None, count: int = 1) -> None:
    k = _kind()
    with _lock:
        STATS[k][name + ".n"] += count
        if seconds is not None:
            STATS[k][name + ".s"] += seconds
            MAXES[k][name + ".max_s"] = max(MAXES[k][name + ".max_s"], seconds)


def _timed(name: str, fn):
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _add(name, time.perf_counter() - t)

    wrapper.__wrapped__ = fn
    return wrapper


def dump() -> None:
    with _lock:
        doc = {
            k: {
                **{n: round(v, 4) for n, v in sorted(s.items())},
                **{n: round(v, 4) for n, v in sorted(MAXES[k].items())},
                "span_s": round(SPANS[k][1] - SPANS[k][0], 3) if SPANS[k][1] else 0,
            }
            for k, s in STATS.items()
        }
    from django.db import connection

    pool = getattr(connection, "pool", None)
    if pool is not None:
        doc["pool"] = pool.get_stats()
    doc["trace_of_one_commit"] = TRACE
    tmp = OUT + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    os.replace(tmp, OUT)


_run = operation.Operation.run


def run(self, request, **kw):
    _tl.kind = getattr(self.view_func, "__name__", "other")
    _tl.lock_from = None
    _tl.trace = [] if not TRACE and _tl.kind == "upload_commit" else None
    t = time.perf_counter()
    try:
        return _run(self, request, **kw)
    finally:
        end = time.perf_counter()
        _add("request", end - t)
        with _lock:
            span = SPANS[_tl.kind]
            span[0], span[1] = min(span[0], t), max(span[1], end)
        if _tl.kind == "upload_commit":
            if _tl.trace and not TRACE:
                TRACE.extend(_tl.trace)
            dump()
        _tl.kind = "other"


operation.Operation.run = run

_execute = db_utils.CursorWrapper.execute
_executemany = db_utils.CursorWrapper.executemany


TRACE: list[str] = []  # the statements of one commit request, in order


def _statement(self, sql, t):
    end = time.perf_counter()
    seconds = end - t
    text = str(sql).lstrip().upper()
    locked = getattr(_tl, "lock_from", None) is not None
    if "FOR UPDATE" in text or "FOR NO KEY UPDATE" in text:
        _add("sql_for_update", seconds)
        if not locked:
            _tl.lock_from = end  # held from when it is granted
    else:
        _add("sql", seconds)
        if locked:
            _add("sql_under_lock", seconds)
    if _kind() == "upload_commit" and getattr(_tl, "trace", None) is not None:
        _tl.trace.append(f"{seconds * 1000:7.1f} ms {'L' if locked else ' '} {str(sql)[:110]}")
    if not self.db.in_atomic_block and text.startswith(("INSERT", "UPDATE", "DELETE")):
        _add("autocommit_write")


def execute(self, sql, params=None):
    t = time.perf_counter()
    try:
        return _execute(self, sql, params)
    finally:
        _statement(self, sql, t)


def executemany(self, sql, param_list):
    t = time.perf_counter()
    try:
        return _executemany(self, sql, param_list)
    finally:
        _statement(self, sql, t)


db_utils.CursorWrapper.execute = execute
db_utils.CursorWrapper.executemany = executemany

_connect = db_base.BaseDatabaseWrapper.connect
db_base.BaseDatabaseWrapper.connect = _timed("connect", _connect)
_begins = {
    "sqlite": sqlite_base.DatabaseWrapper._start_transaction_under_autocommit,
}


def begin(self):
    t = time.perf_counter()
    try:
        return _begins["sqlite"](self)
    finally:
        _add("begin", time.perf_counter() - t)
        if self.vendor == "sqlite":  # BEGIN IMMEDIATE: the database's write lock from here
            _tl.lock_from = time.perf_counter()


sqlite_base.DatabaseWrapper._start_transaction_under_autocommit = begin
_commit = db_base.BaseDatabaseWrapper.commit


def commit(self):
    t = time.perf_counter()
    try:
        return _commit(self)
    finally:
        end = time.perf_counter()
        _add("commit", end - t)
        start = getattr(_tl, "lock_from", None)
        if start is not None:
            _add("locks_held", end - start)
            _tl.lock_from = None


db_base.BaseDatabaseWrapper.commit = commit

storage.write_chunk = _timed("file_chunk_write_fsync", storage.write_chunk)
storage.assemble = _timed("file_sm3_readback", storage.assemble)
storage.install = _timed("file_rename_fsync_dir", storage.install)
services.receipt_append = _timed("receipt_append", services.receipt_append)
services._opening_locked = _timed("opening_locked", services._opening_locked)
audit.record = _timed("audit_record", audit.record)
receiptlog.sign = _timed("sm2_sign", receiptlog.sign)

try:
    import psycopg_pool
except ImportError:
    pass
else:
    psycopg_pool.ConnectionPool.getconn = _timed("pool_getconn", psycopg_pool.ConnectionPool.getconn)
    psycopg_pool.ConnectionPool.putconn = _timed("pool_putconn", psycopg_pool.ConnectionPool.putconn)

application = _app
