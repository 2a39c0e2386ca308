"""Shared fixtures. Tests run on the database GGZY_DATABASE_URL names (SQLite by default)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

REQUIRE_SERVICES = os.environ.get("GGZY_REQUIRE_SERVICES") == "1"

# Speed is measured in bench/, never asserted in tests: no per-example deadline and no "too slow"
# health check (the suite shares 2 cores with other work; a loaded host failed them at random).
hypothesis_settings.register_profile("ggzy", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("ggzy")


def pytest_configure(config) -> None:
    """``GGZY_TEST_NOW=2027-02-03T09:00:00+08:00 make test`` runs the suite as if it were then (the
    clock ticks on from there): a check ahead of time for code and tests that hold only on some
    dates (the year's end, a year the built-in holiday data does not cover, a deadline across a
    holiday). Processes the tests start (a served platform) keep the real clock."""
    when = os.environ.get("GGZY_TEST_NOW", "").strip()
    if when:
        import datetime as dt

        import time_machine

        try:
            start = dt.datetime.fromisoformat(when)
        except ValueError:
            raise pytest.UsageError(f"GGZY_TEST_NOW={when!r} is not an ISO date-time") from None
        time_machine.travel(start, tick=True).start()


def skip_or_fail(reason: str) -> None:
    """Tests that need PostgreSQL or Redis skip without them, except under GGZY_REQUIRE_SERVICES=1."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (GGZY_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def _ensure_reference_data() -> None:
    """Rows the data migrations create (regions, the audit chain's head) are flushed by any
    transactional test (live server, concurrency): put them back so test order never matters."""
    from ggzy.audit import chain
    from ggzy.audit.models import AuditHead
    from ggzy.core.models import Region

    if not Region.objects.exists():
        import csv
        from pathlib import Path

        import ggzy.core

        path = Path(ggzy.core.__file__).parent / "data" / "regions-shanxi.csv"
        with path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                Region.objects.create(
                    code=row["code"],
                    name=row["name"],
                    level=row["level"],
                    parent_id=row["parent_code"] or None,
                )
    AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": chain.GENESIS})
    _ensure_rule_sets()


def _ensure_rule_sets() -> None:
    """The shipped rule sets (stored by a post_migrate handler, which a flush also triggers)."""
    from ggzy.core.permissions import SYSTEM
    from ggzy.rules.models import RuleSetVersion
    from ggzy.rules.services import ruleset_sync_shipped

    if not RuleSetVersion.objects.filter(source="shipped").exists():
        ruleset_sync_shipped(actor=SYSTEM, record_audit=False)


@pytest.fixture(autouse=True)
def _reference_data(request):
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if names & {"transactional_db", "live_server"} or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker:
        request.getfixturevalue("db")
    else:
        return
    _ensure_reference_data()
