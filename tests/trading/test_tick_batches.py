"""The tick writes due lots in batches: the history is the same whatever the batch size, and a
batch whose writes fail is retried lot by lot so one broken lot stops no other."""

from __future__ import annotations

import pytest

from ggzy.audit.models import AuditEvent
from ggzy.audit.selectors import verify_chain_unchecked
from ggzy.trading.models import Lot, LotTransition
from ggzy.trading.services import tick
from tests.trading.test_tick import TIMES, history, scheduled_lot, tick_at

pytestmark = pytest.mark.django_db

AFTER_OPENING = TIMES["opening"]


def test_lots_split_over_several_batches_get_the_same_history_as_in_one(monkeypatch):
    reference = scheduled_lot()
    tick_at(AFTER_OPENING)  # one lot, one batch
    expected = history(reference)
    assert [to for _, to, _, _ in expected][:3] == ["notice", "bidding", "opening"]
    lots = [scheduled_lot() for _ in range(5)]
    monkeypatch.setattr(tick, "BATCH", 2)
    first_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    report = tick_at(AFTER_OPENING)
    assert (report.due, report.processed, report.advanced, report.errors) == (5, 5, 5, [])
    for lot in lots:
        assert history(lot) == expected
        assert Lot.objects.get(pk=lot.pk).version == expected[-1][-1]
    moves = AuditEvent.objects.filter(action="lot.transition", seq__gt=first_seq).order_by("seq")
    # the trail lists each lot's moves in order, lot after lot
    assert [e.object_id for e in moves] == [lot.code for lot in lots for _ in expected]
    assert verify_chain_unchecked().ok


def test_a_batch_whose_writes_fail_is_retried_one_lot_at_a_time(monkeypatch):
    lots = [scheduled_lot() for _ in range(4)]
    broken = lots[2]
    real = tick.bulk.update

    def failing(model, fields, rows):  # the database refuses the write of one lot (a disk error…)
        if any(pk == broken.pk for *_, pk in rows):
            raise RuntimeError("写入失败")
        real(model, fields, rows)

    monkeypatch.setattr(tick.bulk, "update", failing)
    events_before = AuditEvent.objects.count()
    report = tick_at(AFTER_OPENING)
    assert report.errors == [(broken.code, "tick.error", "处理出错：写入失败")]
    moves = len(history(lots[0]))
    assert (report.processed, report.advanced, report.transitions) == (3, 3, 3 * moves)
    assert Lot.objects.get(pk=broken.pk).status == "draft"
    assert not LotTransition.objects.filter(lot=broken).exists()
    assert not AuditEvent.objects.filter(object_id=broken.code).exists()
    assert AuditEvent.objects.count() == events_before + 3 * moves
    for lot in lots:
        if lot != broken:
            assert Lot.objects.get(pk=lot.pk).version == 1 + moves
    assert verify_chain_unchecked().ok
    # the next tick, with the database healthy again, catches the broken lot up
    monkeypatch.setattr(tick.bulk, "update", real)
    again = tick_at(AFTER_OPENING)
    assert (again.processed, again.transitions, again.errors) == (1, moves, [])
    assert history(broken) == history(lots[0])


def test_a_write_the_database_refuses_rolls_the_batch_back_and_only_that_lot_is_reported():
    """A real constraint violation (a transition row already holds the version the tick would
    write): on PostgreSQL it surfaces when the batch's pipelined writes reach the server."""
    lots = [scheduled_lot() for _ in range(3)]
    broken = lots[1]
    LotTransition.objects.create(
        lot=broken, from_status="draft", to_status="notice", actor_label="测试", at=broken.status_changed_at,
        version=broken.version + 1,
    )  # fmt: skip
    events_before = AuditEvent.objects.count()
    report = tick_at(AFTER_OPENING)
    assert [(code, err) for code, err, _ in report.errors] == [(broken.code, "tick.error")]
    moves = len(history(lots[0]))
    assert (report.processed, report.advanced, report.transitions) == (2, 2, 2 * moves)
    assert Lot.objects.get(pk=broken.pk).status == "draft"
    assert LotTransition.objects.filter(lot=broken).count() == 1  # only the row put there above
    assert not AuditEvent.objects.filter(object_id=broken.code).exists()
    assert AuditEvent.objects.count() == events_before + 2 * moves
    assert verify_chain_unchecked().ok
