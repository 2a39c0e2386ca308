"""The notification outbox: rows are written in the caller's transaction and sent after commit
(or by ``ggzy experts send-notifications``), so a rolled-back draw notifies nobody."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from ggzy.core import clock
from ggzy.crypto import sealing
from ggzy.experts.models import Notification, OutboxStatus
from ggzy.experts.notify import backend
from ggzy.experts.services.rows import insert as insert_rows

MAX_ATTEMPTS = 5


def _context(n: Notification) -> str:
    return f"experts.notification:{n.purpose}:{n.ref}"


def enqueue(*, purpose: str, ref: str, recipient: str, text: str, now: dt.datetime) -> Notification:
    """Part of the caller's service (no audit event of its own)."""
    n = Notification(purpose=purpose, ref=ref, created_at=now)
    n.sealed = sealing.seal_json({"to": recipient, "text": text}, context=_context(n))
    n.save()
    return n


def enqueue_many(*, purpose: str, ref: str, messages: list[tuple[str, str]], now: dt.datetime) -> None:
    """Many rows in one statement (``core.bulk``: no model instances)."""
    context = _context(Notification(purpose=purpose, ref=ref))
    insert_rows(
        Notification,
        ("channel", "purpose", "ref", "sealed", "status", "attempts", "created_at", "sent_at", "error"),
        [
            ("sms", purpose, ref, sealing.seal_json({"to": to, "text": text}, context=context),
             OutboxStatus.PENDING, 0, now, None, "")
            for to, text in messages
        ],
    )  # fmt: skip


def dispatch_later() -> None:
    """After commit: hand the sending to a background task (the request does not wait for the
    SMS gateway)."""
    from ggzy.experts.tasks import enqueue_send

    enqueue_send()


def dispatch() -> int:
    """Send every pending notification once; returns how many were sent. Each row is claimed in
    its own short transaction (safe to run from several processes)."""
    sent = 0
    send = backend()
    ids = list(
        Notification.objects.filter(status=OutboxStatus.PENDING, attempts__lt=MAX_ATTEMPTS).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        with transaction.atomic():
            n = Notification.objects.select_for_update().filter(pk=pk, status=OutboxStatus.PENDING).first()
            if n is None:
                continue
            message = sealing.unseal_json(n.sealed, context=_context(n))
            n.attempts += 1
            try:
                send.send(message["to"], message["text"])
            except Exception as e:
                n.error = str(e)[:300]
                if n.attempts >= MAX_ATTEMPTS:
                    n.status = OutboxStatus.FAILED
            else:
                n.status, n.sent_at, n.error = OutboxStatus.SENT, clock.now(), ""
                sent += 1
            n.save(update_fields=["status", "attempts", "sent_at", "error"])
    return sent
