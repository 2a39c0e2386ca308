"""Concurrent appends are serialised: positions gap-free, the tree and every tree head consistent."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from ggzy.crypto import merkle
from ggzy.tendering import services
from ggzy.tendering.models import ReceiptLogEntry, SignedTreeHead
from tests import factories


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_are_serialised(capsys):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises writers at BEGIN IMMEDIATE: concurrency is only meaningful on PostgreSQL"
        )
    threads, per_thread = 4, 8
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(per_thread):
                services.receipt_append(
                    lot_code=f"L{n}",
                    bidder_uscc=factories.valid_uscc(200 + n),
                    ciphertext_sm3=f"{n * 100 + i:064x}",
                    actor=None,
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=60)
    assert not errors, errors
    total = threads * per_thread
    entries = list(ReceiptLogEntry.objects.order_by("position"))
    assert [e.position for e in entries] == list(range(total))
    times = [e.received_at for e in entries]
    assert times == sorted(times)  # positions and server times increase together
    leaves = [bytes.fromhex(e.leaf_hash) for e in entries]
    for sth in SignedTreeHead.objects.all():
        assert sth.root_hash == merkle.naive_root(leaves[: sth.tree_size]).hex()
    call_command("receipts", "verify")
    assert "校验通过" in capsys.readouterr().out
