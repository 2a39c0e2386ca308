"""Background tasks of the experts app (django-tasks). Thin: they call services.

``send_notifications`` empties the outbox; services enqueue it after their transaction commits
(in tests the immediate backend runs it at once)."""

from __future__ import annotations

from django_tasks import task

from ggzy.experts import services


@task()
def send_notifications() -> int:
    return services.notifications_dispatch()


def enqueue_send() -> None:
    send_notifications.enqueue()
