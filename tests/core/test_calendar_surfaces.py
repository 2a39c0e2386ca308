"""The calendar's API, pages, management command and admin."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core.models import CalendarDeadline, HolidayYear
from ggzy.core.permissions import SYSTEM
from ggzy.core.services import deadline_compute
from tests import factories
from tests.core.test_calendar_services import NOTICE_2027_TEST
from tests.core.test_holidays import NOTICE_2026

pytestmark = pytest.mark.django_db


# --- API ------------------------------------------------------------------------------------------


def test_api_add(client):
    r = client.get("/api/core/calendar/add", {"start": "2026-09-28", "days": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["end"] == "2026-10-08" and body["raw_end"] == "2026-10-03" and body["moved"]
    assert "第二百零三条" in body["basis"] and not body["provisional"]
    assert body["skipped"][0]["date"] == "2026-10-03"
    r = client.get("/api/core/calendar/add", {"start": "2026-09-30", "days": 5, "kind": "working"})
    assert r.json()["end"] == "2026-10-13"
    r = client.get("/api/core/calendar/add", {"start": "2026-12-20", "days": 20})
    body = r.json()
    assert body["provisional"] and body["provisional_years"] == [2027]
    assert body["provisional_note"] == "（暂定：2027年放假安排尚未发布）"
    assert body["text"].endswith("（暂定：2027年放假安排尚未发布）")


def test_api_add_errors(client):
    r = client.get("/api/core/calendar/add", {"start": "2026-09-28", "days": 0})
    assert r.status_code == 422 and r.json()["code"] == "calendar.days_invalid"
    r = client.get("/api/core/calendar/add", {"start": "2026-09-28", "days": 3, "kind": "hours"})
    assert r.status_code == 422 and r.json()["code"] == "calendar.kind_invalid"
    r = client.get("/api/core/calendar/add", {"start": "2026-02-30", "days": 3})
    assert r.status_code == 422 and r.json()["field"] == "start"


def test_api_day(client):
    body = client.get("/api/core/calendar/day/2026-10-10").json()
    assert body["working"] and body["kind"] == "makeup_workday" and body["name"] == "国庆节"
    assert body["weekday"] == "星期六" and not body["provisional"]
    body = client.get("/api/core/calendar/day/2027-02-05").json()
    assert not body["working"] and body["kind"] == "holiday" and body["provisional"]
    assert body["provisional_note"] == "（暂定：2027年放假安排尚未发布）"


def test_api_holiday_years_load_and_list(client):
    admin = factories.user(Role.PLATFORM_ADMIN)
    operator = factories.user(Role.OPERATOR)
    deadline = deadline_compute(purpose="投标截止", start="2026-12-20", days=20, actor=SYSTEM)
    payload = {"year": 2027, "text": NOTICE_2027_TEST}
    r = client.post("/api/core/holiday-years", payload, content_type="application/json")
    assert r.status_code == 401
    client.force_login(operator)
    r = client.post("/api/core/holiday-years", payload, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "permission.denied"
    assert not HolidayYear.objects.exists()
    client.force_login(admin)
    r = client.post(
        "/api/core/holiday-years", {"year": 2027, "text": "乱写"}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["code"] == "holiday_notice.no_items"
    r = client.post("/api/core/holiday-years", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["holiday_year"]["year"] == 2027 and body["holiday_year"]["workdays"]["2027-01-09"] == "元旦"
    assert body["changes"] == [
        {
            "id": deadline.pk,
            "purpose": "投标截止",
            "owner": "",
            "old": "2027-01-11",
            "new": "2027-01-09",
            "was_provisional": True,
            "provisional": False,
        }
    ]
    r = client.post("/api/core/holiday-years", payload, content_type="application/json")
    assert r.status_code == 409
    years = client.get("/api/core/holiday-years").json()
    assert [y["year"] for y in years] == [2027]
    status = client.get("/api/core/holiday-years/2027").json()
    assert status["confirmed"] and status["loaded"] and status["provisional_note"] == ""
    assert (
        client.get("/api/core/holiday-years/2028").json()["provisional_note"]
        == "（暂定：2028年放假安排尚未发布）"
    )
    assert client.get("/api/core/holiday-years/1800").status_code == 422


def test_api_structured_load(client):
    client.force_login(factories.user(Role.PLATFORM_ADMIN))
    r = client.post(
        "/api/core/holiday-years",
        {"year": 2028, "holidays": {"2028-01-01": "元旦"}, "workdays": [], "source_title": "测试"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["holiday_year"]["source_title"] == "测试"


# --- pages ------------------------------------------------------------------------------------


def test_public_calendar_page(client):
    r = client.get("/calendar/")
    assert r.status_code == 200 and "法定期间计算" in r.content.decode()
    page = client.get("/calendar/", {"start": "2026-09-28", "days": "5", "kind": "calendar"}).content.decode()
    assert 'data-end="2026-10-08"' in page and "第二百零三条" in page and "国庆节假期" in page
    assert "暂定：" not in page.split("放假安排数据来源")[0]
    page = client.get("/calendar/", {"start": "2026-12-20", "days": "20"}).content.decode()
    assert "（暂定：2027年放假安排尚未发布）" in page and 'data-end="2027-01-11"' in page
    r = client.get("/calendar/", {"start": "2026-12-20", "days": "x"})
    assert r.status_code == 422 and "天数" in r.content.decode()


def test_staff_page_is_for_platform_admins_only(client):
    r = client.get("/calendar/years/")
    assert r.status_code == 302  # login first
    client.force_login(factories.user(Role.OPERATOR))
    assert client.get("/calendar/years/").status_code == 403
    assert (
        client.post(
            "/calendar/years/", {"year": 2027, "text": NOTICE_2027_TEST, "action": "confirm"}
        ).status_code
        == 403
    )
    assert not HolidayYear.objects.exists()


def test_staff_page_previews_then_loads(client):
    client.force_login(factories.user(Role.PLATFORM_ADMIN))
    deadline_compute(purpose="投标截止", start="2026-12-20", days=20, actor=SYSTEM)
    assert client.get("/calendar/years/").status_code == 200
    r = client.post(
        "/calendar/years/", {"year": "2027", "mode": "text", "text": NOTICE_2027_TEST, "action": "preview"}
    )
    page = r.content.decode()
    assert r.status_code == 200 and 'id="preview"' in page and "确认导入" in page
    assert "投标截止：2027-01-11 → 2027-01-09" in page
    assert not HolidayYear.objects.exists()
    r = client.post(
        "/calendar/years/", {"year": "2027", "mode": "text", "text": NOTICE_2027_TEST, "action": "confirm"}
    )
    page = r.content.decode()
    assert r.status_code == 200 and 'id="load-report"' in page and "1个有变化" in page
    assert HolidayYear.objects.get().year == 2027
    r = client.post(
        "/calendar/years/",
        {"year": "2026", "text": NOTICE_2026.replace("共9天", "共8天"), "action": "preview"},
    )
    assert r.status_code == 422 and "实为9天" in r.content.decode()
    r = client.post(
        "/calendar/years/",
        {
            "year": "2028",
            "mode": "lists",
            "holidays": "2028-01-01 元旦\n",
            "workdays": "",
            "source_title": "测试",
            "action": "confirm",
        },
    )
    assert r.status_code == 200 and HolidayYear.objects.filter(year=2028).exists()


# --- command and admin ------------------------------------------------------------------------


def test_command_add_and_day(capsys):
    call_command("calendar", "add", "2026-09-30", "5", "--working")
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "2026-10-13"
    call_command("calendar", "add", "2026-12-20", "20")
    assert capsys.readouterr().out.splitlines()[0] == "2027-01-11（暂定：2027年放假安排尚未发布）"
    call_command("calendar", "add", "2026-10-13", "10", "--before")
    assert capsys.readouterr().out.splitlines()[0] == "2026-09-30"
    call_command("calendar", "day", "2026-02-14")
    assert "调休上班日" in capsys.readouterr().out
    with pytest.raises(CommandError, match="天数"):
        call_command("calendar", "add", "2026-09-30", "0")


def test_command_load_year(tmp_path, capsys):
    deadline = deadline_compute(purpose="投标截止", start="2026-12-20", days=20, actor=SYSTEM)
    notice = tmp_path / "notice.txt"
    notice.write_text(NOTICE_2027_TEST, encoding="utf-8")
    call_command("calendar", "load-year", "2027", "--file", str(notice), "--dry-run")
    assert "预览" in capsys.readouterr().out and not HolidayYear.objects.exists()
    call_command("calendar", "load-year", "2027", "--file", str(notice))
    out = capsys.readouterr().out
    assert "已导入2027年放假安排" in out and "投标截止：2027-01-11 -> 2027-01-09" in out
    deadline.refresh_from_db()
    assert not deadline.provisional
    assert AuditEvent.objects.get(action="calendar.holiday_year_load").actor_label == "系统"
    bad = tmp_path / "bad.txt"
    bad.write_text("一、元旦：1月1日（周四）放假。", encoding="utf-8")
    with pytest.raises(CommandError, match="星期五"):
        call_command("calendar", "load-year", "2027", "--file", str(bad))
    assert CalendarDeadline.objects.count() == 1


def test_admin_is_read_only_for_platform_admins(client):
    admin = factories.user(Role.PLATFORM_ADMIN)
    admin.is_staff = True
    admin.totp_confirmed = True  # the admin site wants the second factor enrolled
    admin.save()
    client.force_login(admin)
    r = client.get("/admin/core/region/")
    assert r.status_code == 200 and "太原市" in r.content.decode()
    assert client.get("/admin/core/region/add/").status_code == 403
    assert client.get("/admin/core/holidayyear/").status_code == 200


def test_api_holiday_years_load_with_a_bearer_token(client):
    from ggzy.accounts.services import token_issue

    admin = factories.user(Role.PLATFORM_ADMIN)
    _, token = token_issue(user=admin, name="年度放假安排同步", actor=admin)
    r = client.post(
        "/api/core/holiday-years",
        {"year": 2027, "text": NOTICE_2027_TEST},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.content
    assert HolidayYear.objects.filter(year=2027).exists()
