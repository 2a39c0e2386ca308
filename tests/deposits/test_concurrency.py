"""Concurrent duplicate bank callbacks (a bank retrying while the first is still in flight):
exactly one payment is recorded and every caller gets the same answer (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from ggzy.core import clock
from ggzy.deposits import services, simbank
from ggzy.deposits.models import Payment
from tests.deposits import helpers as h


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_callbacks_record_one_payment():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises writers at BEGIN IMMEDIATE: concurrency is only meaningful on PostgreSQL"
        )
    lot, _ = h.lot_with_requirement("50000.00")
    a, _ = h.bidder()
    paid = clock.now()
    # the same transaction: identical retries and freshly signed ones (new nonce and timestamp)
    requests = [
        h.signed(lot, a.uscc, "50000.00", txn_id="CONC0001", paid_at=paid, payer_account="6222000000000009")
    ]
    requests = requests * 4 + [
        h.signed(lot, a.uscc, "50000.00", txn_id="CONC0001", paid_at=paid, payer_account="6222000000000009")
        for _ in range(4)
    ]
    barrier = threading.Barrier(len(requests))
    answers, errors = [], []

    def worker(body: bytes, sig: str) -> None:
        try:
            barrier.wait(timeout=10)
            answers.append(services.bank_callback(body=body, bank_code=simbank.CODE, signature=sig))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker, args=r) for r in requests]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=60)
    assert not errors, errors
    assert Payment.objects.count() == 1
    assert len(answers) == len(requests) and all(x == answers[0] for x in answers)
    assert answers[0]["status"] == "sufficient"
