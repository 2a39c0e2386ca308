"""Writing the trail: inside the service's transaction only, gap-free under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from ggzy.audit.models import AuditEvent, AuditHead
from ggzy.audit.selectors import verify_chain_unchecked
from ggzy.audit.services import diff, record
from tests.factories import service_center


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_raises():
    with pytest.raises(RuntimeError):
        record(actor=None, action="x.y", object_type="t", object_id=1)
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_rolled_back_service_leaves_no_event_and_no_gap():
    center = service_center()

    def change_phone(phone: str, fail: bool) -> None:
        with transaction.atomic():
            type(center).objects.filter(pk=center.pk).update(phone=phone)
            record(actor="test", action="center.update", object_type="center", object_id=center.pk)
            if fail:
                raise ValueError("boom")

    change_phone("1", fail=False)
    with pytest.raises(ValueError):
        change_phone("2", fail=True)
    change_phone("3", fail=False)
    center.refresh_from_db()
    assert center.phone == "3"
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2]
    assert AuditHead.objects.get().seq == 2
    assert verify_chain_unchecked().ok


def test_diff_lists_changed_fields_only():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {"b": [2, 3], "c": [None, 4]}


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_seq_gap_free():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises writers at BEGIN IMMEDIATE: concurrency is only meaningful on PostgreSQL"
        )
    threads, per_thread = 4, 15
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(per_thread):
                with transaction.atomic():
                    record(actor=f"t{n}", action="x.concurrent", object_type="t", object_id=f"{n}-{i}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=60)
    assert not errors
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, threads * per_thread + 1))
    assert verify_chain_unchecked().ok


@pytest.mark.django_db
def test_record_many_writes_the_same_chain_as_one_record_per_entry():
    from ggzy.audit.services import record_many

    entries = [
        {"actor": "tick", "action": "demo.step", "object_type": "demo", "object_id": n, "summary": {"n": n}}
        for n in range(3)
    ]
    with transaction.atomic():
        head = AuditHead.objects.get(pk=1)
        assert record_many(entries) == 3
        assert record_many([]) == 0
    events = list(AuditEvent.objects.filter(seq__gt=head.seq).order_by("seq"))
    assert [e.seq for e in events] == [head.seq + 1, head.seq + 2, head.seq + 3]
    assert [e.object_id for e in events] == ["0", "1", "2"]
    assert events[0].prev_hash == head.hash
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert AuditHead.objects.get(pk=1).hash == events[-1].hash
    assert verify_chain_unchecked().ok
