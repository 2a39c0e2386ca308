"""Loading a year's schedule and re-checking stored deadlines (services on a real database)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core import selectors, services
from ggzy.core.errors import Conflict, InvalidInput, NotAuthenticated, PermissionDenied
from ggzy.core.models import CalendarDeadline, HolidayYear
from ggzy.core.permissions import SYSTEM
from tests import factories
from tests.core.test_holidays import NOTICE_2026

pytestmark = pytest.mark.django_db
D = dt.date

# A made-up 2027 notice (test data, not the real one): 元旦 1月1日-3日, and Saturday 1月9日 a
# make-up working day, so a provisional deadline on 1月11日 moves back to 1月9日.
NOTICE_2027_TEST = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。1月9日（周六）上班。
二、春节：2月5日（农历除夕、周五）至11日（周四）放假调休，共7天。2月20日（周六）上班。
"""


@pytest.fixture
def admin():
    return factories.user(Role.PLATFORM_ADMIN)


def test_a_provisional_deadline_into_2027_is_rechecked_when_2027_is_loaded(
    admin, django_capture_on_commit_callbacks
):
    received = []
    services.deadlines_rechecked.connect(
        lambda sender, **kw: received.append(kw), weak=False, dispatch_uid="t"
    )
    try:
        d = services.deadline_compute(
            purpose="投标截止",
            owner_type="trading.lot",
            owner_id=7,
            start="2026-12-20",
            days=20,
            actor=SYSTEM,
        )
        assert d.result == D(2027, 1, 11) and d.provisional and d.provisional_years == [2027]
        assert d.provisional_note == "（暂定：2027年放假安排尚未发布）"
        untouched = services.deadline_compute(purpose="公示", start="2026-11-02", days=5, actor=SYSTEM)
        with django_capture_on_commit_callbacks(execute=True):
            report = services.holiday_year_load(year=2027, text=NOTICE_2027_TEST, actor=admin)
    finally:
        services.deadlines_rechecked.disconnect(dispatch_uid="t")
    d.refresh_from_db()
    assert d.result == D(2027, 1, 9) and not d.provisional and d.provisional_years == []
    assert d.recomputed_count == 1
    assert [(c.deadline.pk, c.old, c.new) for c in report.changes] == [(d.pk, D(2027, 1, 11), D(2027, 1, 9))]
    untouched.refresh_from_db()
    assert untouched.recomputed_count == 0
    event = AuditEvent.objects.filter(action="calendar.holiday_year_load").get()
    summary = json.loads(event.summary)
    assert summary["year"] == 2027 and summary["workdays"] == ["2027-01-09", "2027-02-20"]
    assert summary["deadline_changes"] == [
        {
            "id": d.pk,
            "purpose": "投标截止",
            "owner": "trading.lot:7",
            "old": "2027-01-11",
            "new": "2027-01-09",
            "was_provisional": True,
            "provisional": False,
        }
    ]
    assert event.actor_id == admin.pk
    assert received and received[0]["year"] == 2027 and received[0]["changes"][0]["new"] == "2027-01-09"
    # the platform's calendar now uses the loaded 2027 table
    assert selectors.day_info("2027-01-09").working
    assert selectors.year_status(2027).confirmed


def test_a_deadline_whose_date_stays_is_still_marked_confirmed(admin):
    d = services.deadline_compute(purpose="澄清", start="2026-12-28", days=10, actor=SYSTEM)
    assert d.result == D(2027, 1, 7) and d.provisional
    report = services.holiday_year_load(year=2027, text=NOTICE_2027_TEST, actor=admin)
    d.refresh_from_db()
    assert d.result == D(2027, 1, 7) and not d.provisional
    assert [c.deadline.pk for c in report.changes] == [d.pk]  # listed: provisional -> confirmed


def test_non_admin_is_refused_and_nothing_is_written():
    for role in (Role.OPERATOR, Role.SUPERVISOR, Role.INSPECTOR, Role.ENTITY_ADMIN):
        with pytest.raises(PermissionDenied) as e:
            services.holiday_year_load(year=2027, text=NOTICE_2027_TEST, actor=factories.user(role))
        assert e.value.code == "permission.denied" and "无权导入年度节假日安排" in e.value.message
    with pytest.raises(NotAuthenticated):
        services.holiday_year_load(year=2027, text=NOTICE_2027_TEST, actor=None)
    assert not HolidayYear.objects.exists() and not AuditEvent.objects.exists()


def test_bad_notice_changes_nothing(admin):
    d = services.deadline_compute(purpose="投标截止", start="2026-12-20", days=20, actor=SYSTEM)
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as e:
        services.holiday_year_load(year=2027, text=NOTICE_2027_TEST.replace("共3天", "共4天"), actor=admin)
    assert e.value.code == "holiday_notice.count_mismatch"
    assert not HolidayYear.objects.exists() and AuditEvent.objects.count() == before
    d.refresh_from_db()
    assert d.provisional and d.result == D(2027, 1, 11)


def test_input_is_validated(admin):
    cases = [
        (dict(year=2027), "holiday_year.empty"),
        (dict(year=1999, text=NOTICE_2026), "calendar.year_out_of_range"),
        (dict(year="x", text=NOTICE_2026), "calendar.year_invalid"),
        (dict(year=2027, text=NOTICE_2027_TEST, holidays=["2027-01-01"]), "holiday_year.ambiguous"),
        (dict(year=2027, holidays=["2027-01-01"]), "holiday_year.source_required"),
    ]
    for kwargs, code in cases:
        with pytest.raises(InvalidInput) as e:
            services.holiday_year_load(**kwargs, actor=admin)
        assert e.value.code == code
    assert not HolidayYear.objects.exists()


def test_reload_supersedes_and_identical_reload_is_refused(admin):
    first = services.holiday_year_load(year=2026, text=NOTICE_2026, actor=admin).holiday_year
    with pytest.raises(Conflict) as e:
        services.holiday_year_load(year=2026, text=NOTICE_2026, actor=admin)
    assert e.value.code == "holiday_year.unchanged"
    second = services.holiday_year_load(
        year=2026,
        holidays={"2026-01-01": "元旦", "2026-03-02": "测试"},
        workdays=[],
        source_title="测试用安排",
        actor=admin,
    )
    first.refresh_from_db()
    assert not first.current and first.superseded_at is not None
    assert second.replaced == first and second.holiday_year.current
    assert HolidayYear.objects.count() == 2
    table = selectors.holiday_table()
    assert not table.is_working_day(D(2026, 3, 2)) and table.is_working_day(D(2026, 10, 8))
    assert selectors.year_status(2026).source == "测试用安排"
    assert AuditEvent.objects.filter(action="calendar.holiday_year_load").count() == 2


def test_loading_a_covered_year_takes_precedence_and_rechecks_confirmed_deadlines(admin):
    d = services.deadline_compute(purpose="答疑", start="2026-02-25", days=5, actor=SYSTEM)
    assert d.result == D(2026, 3, 2) and not d.provisional
    preview = selectors.holiday_year_preview(
        year=2026, holidays_list=["2026-03-02"], workdays_list=[], source_title="更正", actor=admin
    )
    assert preview.agrees_with_builtin is False
    assert [(c.old, c.new) for c in preview.changes] == [(D(2026, 3, 2), D(2026, 3, 3))]
    assert not HolidayYear.objects.exists()  # a preview writes nothing
    report = services.holiday_year_load(year=2026, holidays=["2026-03-02"], source_title="更正", actor=admin)
    d.refresh_from_db()
    assert d.result == D(2026, 3, 3) and report.changes[0].new == D(2026, 3, 3)


def test_deadline_compute_audits_and_validates():
    user = factories.user(Role.OPERATOR)
    d = services.deadline_compute(
        purpose="最短等标期",
        start="2026-09-28",
        days=5,
        kind="calendar",
        actor=user,
        owner_type="t",
        owner_id="1",
    )
    assert d.raw_date == D(2026, 10, 3) and d.result == D(2026, 10, 8)
    assert "第二百零三条" in d.explanation
    assert (d.first_year, d.last_year) == (2026, 2026)
    e = AuditEvent.objects.get(action="calendar.deadline_compute")
    assert json.loads(e.summary)["result"] == "2026-10-08" and e.object_id == str(d.pk)
    w = services.deadline_compute(
        purpose="x", start="2026-09-30", days=5, kind="working", actor=user, record_audit=False
    )
    assert w.result == D(2026, 10, 13)
    assert AuditEvent.objects.count() == 1
    for kwargs, code in [
        (dict(purpose="", start="2026-01-01", days=1), "deadline.purpose_required"),
        (dict(purpose="x", start="2026-02-30", days=1), "calendar.date_invalid"),
        (dict(purpose="x", start="2026-01-01", days="abc"), "calendar.days_invalid"),
        (dict(purpose="x", start="2026-01-01", days=3, kind="hours"), "calendar.kind_invalid"),
    ]:
        with pytest.raises(InvalidInput) as exc:
            services.deadline_compute(**kwargs, actor=user)
        assert exc.value.code == code
    with pytest.raises(NotAuthenticated):
        services.deadline_compute(purpose="x", start="2026-01-01", days=1, actor=None)
    assert CalendarDeadline.objects.count() == 2
