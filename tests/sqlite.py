"""SQLite-only test helpers."""

from __future__ import annotations

import pytest
from django.db import connection


def synchronous_level() -> int:
    """The connection's ``PRAGMA synchronous`` (1 NORMAL, 2 FULL); skips the test elsewhere."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL commits durably")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        return cursor.fetchone()[0]
