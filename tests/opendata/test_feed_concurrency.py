"""The feed under concurrent writes on PostgreSQL: a reader following it while several writers
commit sees every public change exactly once, in commit order."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connections

from ggzy.audit.models import AuditEvent
from ggzy.audit.selectors import verify_chain_unchecked
from ggzy.opendata import feed, selectors
from ggzy.trading import services
from tests.conftest import skip_or_fail
from tests.trading import helpers

WRITERS = 4
PROJECTS = 6  # per writer; each makes 2 public changes (registration, added lot)

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]


def test_concurrency_needs_postgresql():
    """Skips on SQLite (fails under GGZY_REQUIRE_SERVICES=1): the real test below is skipped there."""
    if not ON_POSTGRES:
        skip_or_fail(
            "SQLite serialises writers at BEGIN IMMEDIATE: the concurrent feed test needs PostgreSQL"
        )


# decided before the database is set up: a transactional test on SQLite would flush the rule sets
# loaded by migration for the tests that follow (tests/trading/test_concurrency.py)
@pytest.mark.skipif(not ON_POSTGRES, reason="concurrency is only meaningful on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_reader_following_the_feed_during_concurrent_writes_misses_nothing_and_repeats_nothing():
    from ggzy.core.permissions import SYSTEM
    from ggzy.rules.models import RuleSetVersion
    from ggzy.rules.services import ruleset_sync_shipped

    if not RuleSetVersion.objects.exists():  # a transactional test flushed the migration's rows
        ruleset_sync_shipped(actor=SYSTEM, record_audit=False)
    op, data = helpers.operator(), helpers.data()
    start = selectors.changes(limit=feed.MAX_LIMIT)
    while start.has_more:
        start = selectors.changes(cursor=start.next_cursor, limit=feed.MAX_LIMIT)
    begin = feed.decode_cursor(start.next_cursor)

    done = threading.Event()
    barrier = threading.Barrier(WRITERS + 1)
    errors: list[BaseException] = []
    seen: list[int] = []
    pages = [0]

    def writer(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            for _ in range(PROJECTS):
                project = services.project_register(data=data, actor=op)
                services.lot_add(project=project, data={"name": "第二标段", "estimate": "100.00"}, actor=op)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def reader() -> None:
        try:
            cursor = start.next_cursor
            barrier.wait(timeout=10)
            finished = False
            while True:
                page = selectors.changes(cursor=cursor, limit=3)  # small pages: many reads during the writes
                seen.extend(i["position"] for i in page.items)
                cursor, pages[0] = page.next_cursor, pages[0] + 1
                if not page.has_more:
                    if finished:
                        return
                    finished = done.is_set()  # one more full pass after the writers stopped
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    follower = threading.Thread(target=reader)
    for t in [*threads, follower]:
        t.start()
    for t in threads:
        t.join(timeout=120)
    done.set()
    follower.join(timeout=120)
    assert not errors, errors

    expected = list(
        AuditEvent.objects.filter(seq__gt=begin, action__in=list(feed.PUBLIC_ACTIONS))
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert len(expected) == WRITERS * PROJECTS * 2
    assert seen == expected  # nothing skipped, nothing repeated, in commit order
    assert pages[0] > WRITERS * PROJECTS * 2 / 3  # the reader really read while writes committed
    assert verify_chain_unchecked().ok
