"""Background tasks of the trading app (django-tasks). Thin: they call services.

``tick`` runs one tick (``services.tick_run``). The periodic tick is the ``ggzy tick --loop 30``
process that ``ggzy serve`` starts (and a systemd unit in production, docs/deploy.md); the task is
for anything that wants a tick soon without waiting for the loop (e.g. after publishing a notice):
``tick.enqueue()``. Running it next to the loop is safe: the tick is idempotent and concurrent
runs never process the same lot.
"""

from __future__ import annotations

from django_tasks import task

from ggzy.trading import services


@task()
def tick(limit: int | None = None) -> dict:
    report = services.tick_run(limit=limit)
    return {
        "now": report.now.isoformat(),
        "due": report.due,
        "processed": report.processed,
        "skipped": report.skipped,
        "advanced": report.advanced,
        "transitions": report.transitions,
        "errors": [list(e) for e in report.errors],
    }
