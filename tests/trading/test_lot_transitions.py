"""Lot status moves through the service: table, permission, clock, locking, and the full trace."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core.errors import Conflict, InvalidInput, PermissionDenied
from ggzy.core.permissions import SYSTEM
from ggzy.trading import services
from ggzy.trading.models import Lot, LotEvent, LotTransition, Project
from tests import factories
from tests.trading import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def op():
    return helpers.operator()


@pytest.fixture
def lot(op):
    return services.project_register(data=helpers.data(), actor=op).lots.get()


def _counts():
    return (
        LotTransition.objects.count(),
        AuditEvent.objects.count(),
        Lot.objects.values_list("status", "version"),
    )


def test_moves_are_recorded_with_from_to_actor_time_and_audit(op, lot):
    with time_machine.travel(dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC), tick=False):
        moved = services.lot_transition(
            lot=lot, to="notice", reason="发布招标公告", actor=op, expected_version=1
        )
    assert (moved.status, moved.version) == ("notice", 2)
    t = LotTransition.objects.get(lot=lot)
    assert (t.from_status, t.to_status, t.actor_id, t.reason, t.version) == (
        "draft",
        "notice",
        op.pk,
        "发布招标公告",
        2,
    )
    assert t.at == dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC)
    assert op.username in t.actor_label
    event = AuditEvent.objects.get(action="lot.transition")
    assert (event.object_id, event.project_ref, event.entity_ref) == (
        lot.code,
        lot.project.code,
        lot.project.tenderer_uscc,
    )
    assert Project.objects.get(pk=lot.project_id).status == "trading"


@pytest.mark.parametrize("to", ["opening", "failed", "contracted", "draft"])
def test_illegal_moves_are_refused_and_nothing_written(op, lot, to):
    before = (LotTransition.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InvalidInput) as err:
        services.lot_transition(lot=lot, to=to, reason="测试", actor=op)
    assert err.value.code == "lot.illegal_transition"
    assert "“登记”" in err.value.message and "“招标公告”" in err.value.message
    assert (LotTransition.objects.count(), AuditEvent.objects.count()) == before
    assert Lot.objects.get(pk=lot.pk).status == "draft" and Lot.objects.get(pk=lot.pk).version == 1


def test_terminal_status_has_no_way_out(op, lot):
    services.lot_transition(lot=lot, to="terminated", reason="项目取消", actor=op)
    assert Project.objects.get(pk=lot.project_id).status == "closed"
    with pytest.raises(InvalidInput) as err:
        services.lot_transition(lot=lot, to="notice", actor=op)
    assert "终结状态" in err.value.message


def test_termination_and_failure_need_a_reason(op, lot):
    before = LotTransition.objects.count()
    with pytest.raises(InvalidInput) as err:
        services.lot_transition(lot=lot, to="terminated", reason="  ", actor=op)
    assert err.value.code == "lot.reason_required"
    assert LotTransition.objects.count() == before


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.INSPECTOR, Role.ENTITY_ADMIN, Role.PLATFORM_ADMIN])
def test_wrong_role_is_refused_and_nothing_written(lot, role):
    actor = factories.user(role)
    if role == Role.ENTITY_ADMIN:  # even the tenderer's own administrator: the platform operates
        actor = helpers.member_of(helpers.tenderer(), Role.ENTITY_ADMIN)
    before = (LotTransition.objects.count(), AuditEvent.objects.count())
    with pytest.raises(PermissionDenied):
        services.lot_transition(lot=lot, to="notice", actor=actor)
    assert (LotTransition.objects.count(), AuditEvent.objects.count()) == before


def test_operator_of_another_platform_is_refused(lot):
    with pytest.raises(PermissionDenied):
        services.lot_transition(lot=lot, to="notice", actor=helpers.operator("140200"))
    # the province platform covers the whole province
    assert services.lot_transition(lot=lot, to="notice", actor=helpers.operator("140000")).status == "notice"


def test_stale_version_is_a_conflict(op, lot):
    services.lot_transition(lot=lot, to="notice", actor=op, expected_version=1)
    before = (LotTransition.objects.count(), AuditEvent.objects.count())
    with pytest.raises(Conflict) as err:
        services.lot_transition(lot=lot, to="bidding", actor=op, expected_version=1)
    assert err.value.code == "lot.version_conflict"
    assert err.value.details == {"version": 2}
    assert (LotTransition.objects.count(), AuditEvent.objects.count()) == before


def test_a_stage_cannot_be_entered_before_its_event_time(op, lot):
    start = dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC)
    deadline = dt.datetime(2026, 3, 25, 1, 30, tzinfo=dt.UTC)  # 09:30 Beijing time
    LotEvent.objects.create(lot=lot, event="bid_deadline", at=deadline, basis="《招标投标法》第二十四条")
    with time_machine.travel(start, tick=False):
        services.lot_transition(lot=lot, to="notice", actor=op)
        lot = services.lot_transition(lot=lot, to="bidding", actor=op)
    assert lot.next_check_at == deadline  # the tick looks again at the bid deadline
    with time_machine.travel(deadline - dt.timedelta(seconds=1), tick=False):
        before = (LotTransition.objects.count(), AuditEvent.objects.count())
        with pytest.raises(InvalidInput) as err:
            services.lot_transition(lot=lot, to="opening", actor=SYSTEM)
        assert err.value.code == "lot.too_early"
        assert "2026-03-25 09:30" in err.value.message and "投标截止" in err.value.message
        assert (LotTransition.objects.count(), AuditEvent.objects.count()) == before
    with time_machine.travel(deadline, tick=False):
        lot = services.lot_transition(lot=lot, to="opening", actor=SYSTEM)
    assert lot.status == "opening"
    assert LotTransition.objects.filter(lot=lot).last().actor_label == "系统"


def test_a_full_walk_to_the_last_stage_closes_the_project(op, lot):
    for to in ["notice", "bidding", "opening", "evaluation", "publicity", "awarded", "contracted"]:
        lot = services.lot_transition(lot=lot, to=to, actor=op, expected_version=lot.version)
    assert lot.version == 8
    assert Project.objects.get(pk=lot.project_id).status == "closed"
    assert list(LotTransition.objects.filter(lot=lot).values_list("version", flat=True)) == list(range(2, 9))


def test_failed_only_after_the_bid_deadline(op, lot):
    for to in ["notice", "bidding"]:
        lot = services.lot_transition(lot=lot, to=to, actor=op)
    with pytest.raises(InvalidInput):
        services.lot_transition(lot=lot, to="failed", reason="投标人不足3家", actor=op)
    lot = services.lot_transition(lot=lot, to="opening", actor=op)
    lot = services.lot_transition(lot=lot, to="failed", reason="投标人不足3家", actor=op)
    assert lot.status == "failed" and lot.next_check_at is None
