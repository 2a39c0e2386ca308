"""A lot's statutory schedule through ``lot_schedule``: the 2026 holidays, provisional 2027 dates."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core.errors import InvalidInput, PermissionDenied
from ggzy.trading import services
from ggzy.trading.models import LotEvent
from tests import factories
from tests.trading import helpers

pytestmark = pytest.mark.django_db
CN = dt.timezone(dt.timedelta(hours=8))


def at(y, m, d, h=9, mi=30):
    return dt.datetime(y, m, d, h, mi, tzinfo=CN)


@pytest.fixture
def op():
    return helpers.operator()


@pytest.fixture
def lot(op):
    with time_machine.travel(dt.datetime(2026, 9, 1, 1, tzinfo=dt.UTC), tick=False):
        return services.project_register(data=helpers.data(), actor=op).lots.get()


def test_a_deadline_inside_national_day_is_refused_naming_article_and_earliest_date(op, lot):
    before = (LotEvent.objects.count(), AuditEvent.objects.count())
    anchors = {
        "notice_published": at(2026, 9, 14),
        "documents_issued": at(2026, 9, 14),
        "bid_deadline": at(2026, 10, 5),
    }
    with (
        time_machine.travel(dt.datetime(2026, 9, 2, 1, tzinfo=dt.UTC), tick=False),
        pytest.raises(InvalidInput) as exc,
    ):
        services.lot_schedule(lot=lot, anchors=anchors, actor=op)
    assert exc.value.code == "timeline.period_too_short"
    assert "招标投标法" in exc.value.message and "第二十四条" in exc.value.message
    # day 20 (10-04) is inside the 2026 National Day holiday: the period ends on the next working day
    assert "最早为2026年10月8日" in exc.value.message
    assert (LotEvent.objects.count(), AuditEvent.objects.count()) == before


def test_lawful_schedule_stores_events_and_next_check(op, lot):
    anchors = {
        "notice_published": at(2026, 9, 14),
        "documents_issued": at(2026, 9, 14),
        "bid_deadline": at(2026, 10, 8),
    }
    with time_machine.travel(dt.datetime(2026, 9, 2, 1, tzinfo=dt.UTC), tick=False):
        lot = services.lot_schedule(lot=lot, anchors=anchors, actor=op)
    events = {e.event: e for e in LotEvent.objects.filter(lot=lot)}
    assert events["bid_deadline"].at == at(2026, 10, 8)
    assert "opening" not in events  # nothing determines it in this rule set: unscheduled, not stored
    assert "操作人员确定" in events["bid_deadline"].basis
    assert lot.next_check_at == at(2026, 9, 14)  # notice_published opens the first stage
    assert AuditEvent.objects.filter(action="lot.schedule", object_id=lot.code).count() == 1


def test_dates_in_2027_are_provisional(op, lot):
    with time_machine.travel(dt.datetime(2026, 11, 26, 1, tzinfo=dt.UTC), tick=False):
        services.lot_schedule(lot=lot, anchors={"documents_issued": at(2026, 12, 28)}, actor=op)
    events = {e.event: e for e in LotEvent.objects.filter(lot=lot)}
    assert not events["documents_issued"].provisional  # an anchor: chosen by the operator
    deadline = events["bid_deadline"]
    assert deadline.provisional and deadline.at.year == 2027
    assert "暂定" in deadline.basis and "2027" in deadline.basis


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ENTITY_ADMIN])
def test_wrong_role_is_refused(lot, role):
    with pytest.raises(PermissionDenied):
        services.lot_schedule(lot=lot, anchors={"bid_deadline": at(2026, 10, 9)}, actor=factories.user(role))
    assert not LotEvent.objects.filter(lot=lot).exists()


def test_an_anchor_before_an_event_computed_from_the_others_is_refused(op, lot):
    # the bid deadline is computed (documents + 20 days -> 10月8日); an opening chosen before it
    # breaks the order of the stages even though no anchor contradicts another
    anchors = {
        "notice_published": at(2026, 9, 14),
        "documents_issued": at(2026, 9, 14),
        "opening": at(2026, 9, 30),
    }
    with (
        time_machine.travel(dt.datetime(2026, 9, 2, 1, tzinfo=dt.UTC), tick=False),
        pytest.raises(InvalidInput) as exc,
    ):
        services.lot_schedule(lot=lot, anchors=anchors, actor=op)
    assert exc.value.code == "timeline.order" and exc.value.errors[0].field == "opening"
    assert "2026年10月8日9:30" in exc.value.message
    assert not LotEvent.objects.filter(lot=lot).exists()
