"""Concurrent registrations and lot moves on PostgreSQL: unique deal codes, no lost update."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connections

from ggzy.core.errors import Conflict
from ggzy.trading import services
from ggzy.trading.models import LotTransition, Project
from tests.trading import helpers


def _run(threads: int, work) -> list[BaseException | object]:
    barrier = threading.Barrier(threads)
    results: list = [None] * threads

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[n] = work(n)
        except BaseException as exc:
            results[n] = exc
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=60)
    return results


# Decided before the database is set up: a transactional test flushes the tables at teardown,
# which would also empty the rule sets loaded by migration for the tests that follow.
pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite serialises writers at BEGIN IMMEDIATE: concurrency is only meaningful on PostgreSQL",
)


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_consecutive_codes():
    op, data = helpers.operator(), helpers.data()
    results = _run(4, lambda n: [services.project_register(data=data, actor=op).code for _ in range(5)])
    assert not [r for r in results if isinstance(r, BaseException)], results
    codes = sorted(Project.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 20
    assert [int(c[-7:]) for c in codes] == list(range(1, 21))


@pytest.mark.django_db(transaction=True)
def test_two_operators_moving_the_same_version_one_wins():
    op = helpers.operator()
    lot = services.project_register(data=helpers.data(), actor=op).lots.get()
    targets = ["notice", "terminated"]
    results = _run(
        2,
        lambda n: services.lot_transition(
            lot=lot, to=targets[n], reason="并发", actor=op, expected_version=1
        ),
    )
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1 and conflicts[0].code == "lot.version_conflict"
    assert LotTransition.objects.filter(lot=lot).count() == 1
