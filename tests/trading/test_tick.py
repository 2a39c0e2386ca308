"""The tick: due lots move stage by stage at their event times; idempotent, late-safe, real clock."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.audit.models import AuditEvent
from ggzy.trading import lifecycle, services
from ggzy.trading.models import Lot, LotEvent, LotTransition, Project, ProjectStatus
from ggzy.trading.services.tick import plan
from tests.trading import helpers, rulesets

pytestmark = pytest.mark.django_db

UTC = dt.UTC
REGISTERED = dt.datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
# engineering.open_tendering (test rule set): notice, bidding, opening, evaluation, publicity, awarded, contracted
TIMES = {
    "notice_published": dt.datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
    "documents_issued": dt.datetime(2026, 3, 3, 1, 0, tzinfo=UTC),
    "bid_deadline": dt.datetime(2026, 3, 25, 1, 30, tzinfo=UTC),
    "opening": dt.datetime(2026, 3, 25, 1, 30, tzinfo=UTC),
    "publicity_start": dt.datetime(2026, 3, 28, 1, 0, tzinfo=UTC),
    "award_notice": dt.datetime(2026, 4, 5, 1, 0, tzinfo=UTC),
    "contract_signed": dt.datetime(2026, 4, 20, 1, 0, tzinfo=UTC),
}
STAGE_EVENTS = [(s.code, s.event) for s in rulesets.SEALED.stages]


def scheduled_lot(times: dict[str, dt.datetime] = TIMES, ruleset_code: str = "engineering.open_tendering"):
    """A registered lot in draft with its event times stored and its first check scheduled."""
    with time_machine.travel(REGISTERED, tick=False):
        project = services.project_register(
            data=helpers.data(ruleset_code=ruleset_code), actor=helpers.operator()
        )
    lot = project.lots.get()
    for event, at in times.items():
        LotEvent.objects.create(lot=lot, event=event, at=at)
    Lot.objects.filter(pk=lot.pk).update(next_check_at=min(times.values()))
    return Lot.objects.get(pk=lot.pk)


def history(lot) -> list[tuple[str, str, dt.datetime, int]]:
    return list(
        LotTransition.objects.filter(lot=lot)
        .order_by("version")
        .values_list("from_status", "to_status", "at", "version")
    )


def state() -> tuple:
    return (
        list(
            Lot.objects.order_by("id").values_list("status", "version", "next_check_at", "status_changed_at")
        ),
        LotTransition.objects.count(),
        AuditEvent.objects.count(),
    )


def tick_at(when: dt.datetime, **kw):
    with time_machine.travel(when, tick=False):
        return services.tick_run(**kw)


def test_after_downtime_a_lot_goes_through_each_passed_stage_in_order_at_the_event_times():
    lot = scheduled_lot()
    audit_before = AuditEvent.objects.count()
    report = tick_at(dt.datetime(2026, 3, 26, 4, 0, tzinfo=UTC))
    assert (report.due, report.processed, report.advanced, report.transitions) == (1, 1, 1, 4)
    assert history(lot) == [
        ("draft", "notice", TIMES["notice_published"], 2),
        ("notice", "bidding", TIMES["documents_issued"], 3),
        ("bidding", "opening", TIMES["bid_deadline"], 4),
        ("opening", "evaluation", TIMES["opening"], 5),
    ]
    lot.refresh_from_db()
    assert (lot.status, lot.version) == ("evaluation", 5)
    assert lot.status_changed_at == TIMES["opening"]
    assert lot.next_check_at == TIMES["publicity_start"]  # the event of the next stage
    assert lot.project.status == ProjectStatus.TRADING
    audits = AuditEvent.objects.filter(seq__gt=0).order_by("seq")[audit_before:]
    assert [a.action for a in audits] == ["lot.transition"] * 4
    assert {a.actor_label for a in audits} == {"系统:tick"}
    assert {a.project_ref for a in audits} == {lot.project.code}
    assert set(LotTransition.objects.filter(lot=lot).values_list("actor_label", flat=True)) == {"系统:tick"}


def test_running_twice_changes_nothing_the_second_time():
    scheduled_lot()
    when = dt.datetime(2026, 3, 26, 4, 0, tzinfo=UTC)
    tick_at(when)
    after_first = state()
    second = tick_at(when)
    assert (second.due, second.transitions) == (0, 0)
    assert state() == after_first


def test_a_lot_forced_due_again_is_recomputed_not_moved_twice():
    """A stale next_check_at (e.g. an amendment that moved an event later) is only rescheduled."""
    lot = scheduled_lot()
    when = dt.datetime(2026, 3, 26, 4, 0, tzinfo=UTC)
    tick_at(when)
    before = state()
    Lot.objects.filter(pk=lot.pk).update(next_check_at=when - dt.timedelta(days=1))
    report = tick_at(when)
    assert (report.processed, report.transitions) == (1, 0)
    assert state() == before  # next_check_at restored to the publicity start, nothing else written


def test_late_ticks_write_the_same_history_as_punctual_ones():
    late = scheduled_lot()
    tick_at(dt.datetime(2026, 4, 21, tzinfo=UTC))  # once, after everything
    assert Lot.objects.get(pk=late.pk).status == "contracted"
    # a second project ticked at every event time (and a little after)
    punctual = scheduled_lot()
    for at in sorted(set(TIMES.values())):
        tick_at(at)
        tick_at(at + dt.timedelta(minutes=1))
    punctual_history = [(f, t, a) for f, t, a, _ in history(punctual)]
    assert punctual_history == [(f, t, a) for f, t, a, _ in history(late)]
    assert [t for _, t, _ in punctual_history] == [code for code, _ in STAGE_EVENTS]
    done = Lot.objects.get(pk=punctual.pk)
    assert (done.status, done.next_check_at) == ("contracted", None)
    assert done.project.status == ProjectStatus.CLOSED  # the last stage completes the trade


def test_stepping_through_time_one_stage_at_a_time():
    lot = scheduled_lot()
    tick_at(TIMES["notice_published"] - dt.timedelta(seconds=1))
    assert Lot.objects.get(pk=lot.pk).status == "draft"  # not due yet
    tick_at(TIMES["notice_published"])
    lot.refresh_from_db()
    assert (lot.status, lot.next_check_at) == ("notice", TIMES["documents_issued"])
    tick_at(TIMES["documents_issued"] + dt.timedelta(hours=1))
    lot.refresh_from_db()
    assert (lot.status, lot.next_check_at) == ("bidding", TIMES["bid_deadline"])
    tick_at(TIMES["bid_deadline"] - dt.timedelta(microseconds=1))
    assert Lot.objects.get(pk=lot.pk).status == "bidding"  # bidding stays open until the deadline


def test_a_lot_not_yet_due_is_untouched_even_if_its_events_passed():
    lot = scheduled_lot()
    future = dt.datetime(2026, 5, 1, tzinfo=UTC)
    Lot.objects.filter(pk=lot.pk).update(next_check_at=future)
    before = state()
    report = tick_at(dt.datetime(2026, 3, 26, tzinfo=UTC))
    assert report.due == 0
    assert state() == before


def test_now_can_hold_time_back_but_never_run_ahead_of_the_real_clock():
    lot = scheduled_lot()
    real = dt.datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # after documents_issued
    report = tick_at(real, now=dt.datetime(2027, 1, 1, tzinfo=UTC))
    assert report.now == real
    assert Lot.objects.get(pk=lot.pk).status == "bidding"
    other = scheduled_lot()
    tick_at(real, now=TIMES["notice_published"])
    assert Lot.objects.get(pk=other.pk).status == "notice"


def test_a_stage_entered_by_a_person_stops_the_walk():
    """Competitive negotiation: the contract stage has no event; the tick stops before it."""
    times = {
        "notice_published": TIMES["notice_published"],
        "documents_issued": TIMES["documents_issued"],
        "response_deadline": TIMES["bid_deadline"],
        "publicity_start": TIMES["publicity_start"],
    }
    lot = scheduled_lot(times, "procurement.competitive_negotiation")
    tick_at(dt.datetime(2026, 6, 1, tzinfo=UTC))
    lot.refresh_from_db()
    assert (lot.status, lot.next_check_at) == ("publicity", None)
    assert LotTransition.objects.filter(lot=lot).count() == 4


def test_an_event_not_yet_computed_stops_the_walk():
    times = {k: v for k, v in TIMES.items() if k != "bid_deadline"}
    lot = scheduled_lot(times)
    tick_at(dt.datetime(2026, 4, 30, tzinfo=UTC))
    lot.refresh_from_db()
    assert (lot.status, lot.next_check_at) == ("bidding", None)


def test_a_move_is_never_dated_before_the_status_it_leaves():
    lot = scheduled_lot()
    op = helpers.operator()
    manual = dt.datetime(2026, 3, 4, tzinfo=UTC)  # an operator opened the notice late
    with time_machine.travel(manual, tick=False):
        services.lot_transition(lot=lot, to="notice", actor=op)
    Lot.objects.filter(pk=lot.pk).update(next_check_at=TIMES["documents_issued"])
    tick_at(manual + dt.timedelta(hours=1))
    assert history(lot)[1] == ("notice", "bidding", manual, 3)


def test_a_terminated_lot_is_only_unscheduled():
    lot = scheduled_lot()
    services.lot_transition(lot=lot, to="terminated", reason="项目取消", actor=helpers.operator())
    Lot.objects.filter(pk=lot.pk).update(next_check_at=TIMES["notice_published"])
    before = LotTransition.objects.count()
    report = tick_at(dt.datetime(2026, 4, 1, tzinfo=UTC))
    lot.refresh_from_db()
    assert (report.processed, report.transitions) == (1, 0)
    assert (lot.status, lot.next_check_at) == ("terminated", None)
    assert LotTransition.objects.count() == before


def test_limit_takes_the_earliest_due_first():
    first = scheduled_lot()
    second = scheduled_lot()
    Lot.objects.filter(pk=second.pk).update(next_check_at=TIMES["notice_published"] - dt.timedelta(hours=1))
    report = tick_at(TIMES["notice_published"], limit=1)
    assert report.due == 1
    assert Lot.objects.get(pk=second.pk).status == "notice"
    assert Lot.objects.get(pk=first.pk).status == "draft"


def test_a_lot_whose_rule_set_is_missing_is_reported_and_others_still_move():
    broken = scheduled_lot()
    fine = scheduled_lot()
    Project.objects.filter(pk=broken.project_id).update(ruleset_version=99)
    report = tick_at(TIMES["notice_published"])
    assert [(code, err) for code, err, _ in report.errors] == [(broken.code, "rules.not_found")]
    assert Lot.objects.get(pk=fine.pk).status == "notice"
    assert Lot.objects.get(pk=broken.pk).status == "draft"
    assert "出错1个" in report.summary()


def test_command_prints_a_chinese_summary():
    scheduled_lot()
    out = io.StringIO()
    with time_machine.travel(dt.datetime(2026, 3, 26, tzinfo=UTC), tick=False):
        call_command("tick", stdout=out)
    assert "到期标段1个" in out.getvalue() and "共4次状态变更" in out.getvalue()


def test_task_runs_the_tick():
    from ggzy.trading.tasks import tick

    lot = scheduled_lot()
    with time_machine.travel(dt.datetime(2026, 3, 26, tzinfo=UTC), tick=False):
        result = tick.enqueue()
    assert result.return_value["transitions"] == 4
    assert Lot.objects.get(pk=lot.pk).status == "evaluation"


# --- the plan alone (no database) ------------------------------------------------------------
TABLE = lifecycle.transition_table(rulesets.SEALED)
EVENTS = [e for _, e in STAGE_EVENTS]
T0 = dt.datetime(2026, 1, 1, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(
    offsets=st.dictionaries(st.sampled_from(EVENTS), st.integers(0, 100)),
    now_offset=st.integers(0, 100),
    start=st.integers(0, len(STAGE_EVENTS)),
)
def test_plan_walks_the_table_in_order_and_never_goes_back_in_time(offsets, now_offset, start):
    statuses = ["draft", *[code for code, _ in STAGE_EVENTS]]
    status = statuses[start]
    events = {e: T0 + dt.timedelta(hours=h) for e, h in offsets.items()}
    now = T0 + dt.timedelta(hours=now_offset)
    steps, next_check = plan(TABLE, status, T0, events, now)
    current = status
    previous = T0
    for step in steps:
        assert TABLE.allows(current, step.to)
        assert events[step.event] <= now and step.at >= previous
        assert step.at == max(events[step.event], previous)
        previous, current = step.at, step.to
    # the walk stopped exactly where the next stage's event is missing or still in the future
    following = statuses[statuses.index(current) + 1] if current != statuses[-1] else None
    event = TABLE.events.get(following) if following else None
    if event in events and events[event] > now:
        assert next_check == events[event]
    else:
        assert next_check is None
        assert following is None or event not in events
