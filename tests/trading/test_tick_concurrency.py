"""Two ticks at once on PostgreSQL: every stage is entered exactly once, nothing is lost."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings

from ggzy.audit.models import AuditEvent
from ggzy.audit.selectors import verify_chain_unchecked
from ggzy.trading import services
from ggzy.trading.models import Lot, LotTransition
from tests.trading.test_concurrency import _run
from tests.trading.test_tick import TIMES, scheduled_lot

# Decided before the database is set up (see test_concurrency.py: a transactional test on SQLite
# would flush the rule sets loaded by migration for the tests that follow).
pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite serialises writers at BEGIN IMMEDIATE: concurrency is only meaningful on PostgreSQL",
)

LOTS = 12
THREADS = 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_ticks_enter_each_stage_exactly_once():
    lots = [scheduled_lot() for _ in range(LOTS)]
    audit_before = AuditEvent.objects.count()
    when = dt.datetime(2026, 3, 26, 4, 0, tzinfo=dt.UTC)  # four stages due per lot
    with time_machine.travel(when, tick=False):
        results = _run(THREADS, lambda n: services.tick_run())
    errors = [r for r in results if isinstance(r, BaseException) or r.errors]
    assert not errors, errors
    assert sum(r.processed for r in results) == LOTS  # each lot processed by exactly one tick
    assert sum(r.transitions for r in results) == LOTS * 4
    for lot in lots:
        moves = list(LotTransition.objects.filter(lot=lot).order_by("version").values_list("to_status", "at"))
        assert moves == [
            ("notice", TIMES["notice_published"]),
            ("bidding", TIMES["documents_issued"]),
            ("opening", TIMES["bid_deadline"]),
            ("evaluation", TIMES["opening"]),
        ]
    assert set(Lot.objects.values_list("status", "version", "next_check_at")) == {
        ("evaluation", 5, TIMES["publicity_start"])
    }
    assert AuditEvent.objects.count() - audit_before == LOTS * 4
    assert verify_chain_unchecked().ok
