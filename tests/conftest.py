"""Shared fixtures. Tests run on the database GGZY_DATABASE_URL names (SQLite by default)."""

from __future__ import annotations

import os

import pytest

REQUIRE_SERVICES = os.environ.get("GGZY_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    """Tests that need PostgreSQL or Redis skip without them, except under GGZY_REQUIRE_SERVICES=1."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (GGZY_REQUIRE_SERVICES=1)")
    pytest.skip(reason)
