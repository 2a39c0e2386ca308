"""Durable commits for the writes a participant is told about at once (docs/architecture.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def durable() -> Iterator[None]:
    """SQLite runs with ``synchronous=NORMAL`` (WAL): a commit is not synced to disk, and a power
    loss may take back the last transactions. For a write already acknowledged to its author and
    others (a sealed bid's signed receipt, an auction bid announced in the hall) that would take
    back what everyone saw, so such a transaction commits with ``synchronous=FULL`` (one fsync of
    the log per commit). SQLite cannot change the level inside a transaction: called within a
    caller's transaction (the demo loader, tests), the caller's commit decides. PostgreSQL commits
    durably anyway."""
    from django.db import connection

    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=FULL")
    try:
        yield
    finally:
        if not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=NORMAL")
