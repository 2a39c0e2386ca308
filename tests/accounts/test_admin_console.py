"""The admin (platform administrators only, saves through services) and the console menu."""

from __future__ import annotations

import pytest
from django.test import override_settings

from ggzy.accounts import totp
from ggzy.accounts.models import Role, ServiceCenter, User
from ggzy.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def _verified(role, **kw):
    user = factories.user(role, **kw)
    User.objects.filter(pk=user.pk).update(
        is_staff=role == Role.PLATFORM_ADMIN, totp_secret=totp.new_secret(), totp_confirmed=True
    )
    return User.objects.get(pk=user.pk)


@override_settings(GGZY_TOTP_REQUIRED=True)
@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.PLATFORM_ADMIN])
def test_admin_refuses_everyone_but_platform_admins(client, role):
    user = _verified(role)
    User.objects.filter(pk=user.pk).update(is_staff=True)  # even a wrongly set flag does not open it
    client.force_login(user)
    r = client.get("/admin/", follow=True)
    assert r.status_code == 403 and "只有平台管理员" in r.content.decode()
    assert client.get("/admin/accounts/user/").status_code == 302


@override_settings(GGZY_TOTP_REQUIRED=True)
def test_admin_requires_an_enrolled_second_factor(client):
    user = factories.user(Role.PLATFORM_ADMIN)
    User.objects.filter(pk=user.pk).update(is_staff=True)
    client.force_login(user)
    assert client.get("/admin/").status_code == 302


@override_settings(GGZY_TOTP_REQUIRED=True)
def test_admin_saves_through_services_and_never_deletes(client):
    boss = _verified(Role.PLATFORM_ADMIN)
    client.force_login(boss)
    assert client.get("/admin/").status_code == 200
    factories.service_center("140000")
    r = client.post(
        "/admin/accounts/servicecenter/add/",
        {
            "name": "大同市公共资源交易中心",
            "region": "140200",
            "address": "",
            "phone": "",
            "complaint_phone": "",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    center = ServiceCenter.objects.get(region_id="140200")
    assert center.level == "city" and center.parent.region_id == "140000"
    assert AuditEvent.objects.filter(
        action="service_center.create", object_id=str(center.pk), actor_id=boss.pk
    ).exists()
    assert client.get(f"/admin/accounts/servicecenter/{center.pk}/delete/").status_code in (302, 403)
    # a user: the add form goes through user_create; the password is never shown
    r = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newop",
            "role": "operator",
            "display_name": "新经办人",
            "email": "",
            "phone": "",
            "service_center": center.pk,
            "password1": "Some-Good-Pass-42",
            "password2": "Some-Good-Pass-42",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    newop = User.objects.get(username="newop")
    assert AuditEvent.objects.filter(action="user.create", object_id=str(newop.pk)).exists()
    page = client.get(f"/admin/accounts/user/{newop.pk}/change/").content.decode()
    assert newop.password not in page and "pbkdf2" not in page
    # the schema-level rule comes back as a Chinese form error, nothing written
    r = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "both",
            "role": "operator",
            "display_name": "两头",
            "service_center": center.pk,
            "department": factories.department("140200").pk,
            "password1": "Some-Good-Pass-42",
            "password2": "Some-Good-Pass-42",
        },
    )
    assert r.status_code == 200 and "不能同时属于行政监督部门" in r.content.decode()
    assert not User.objects.filter(username="both").exists()


def test_console_shows_role_org_scope_and_menu(client):
    op = factories.user(Role.OPERATOR, service_center=factories.service_center("140100"))
    client.force_login(op)
    page = client.get("/console/").content.decode()
    assert "服务中心工作人员" in page and "太原市公共资源交易中心" in page and "所辖县" in page
    assert "/accounts/tokens/" in page and "/admin/" not in page


def test_console_menu_for_platform_admin_has_admin(client):
    boss = factories.user(Role.PLATFORM_ADMIN)
    client.force_login(boss)
    page = client.get("/console/").content.decode()
    assert "基础数据管理" in page and "不能查看保密交易信息" in page


def test_admin_actions_go_through_services_and_report_each_row(client):
    boss = _verified(Role.PLATFORM_ADMIN)
    client.force_login(boss)
    center = factories.service_center("140100")
    locked = factories.user(Role.OPERATOR, service_center=center)
    User.objects.filter(pk=locked.pk).update(failed_logins=5)
    r = client.post(
        "/admin/accounts/servicecenter/",
        {"action": "deactivate", "_selected_action": [center.pk]},
        follow=True,
    )
    assert r.status_code == 200
    assert f"已停用{center}" in r.content.decode()
    center.refresh_from_db()
    assert center.active is False
    assert AuditEvent.objects.filter(object_id=str(center.pk), actor_id=boss.pk).exists()
    r = client.post(
        "/admin/accounts/user/", {"action": "unlock", "_selected_action": [locked.pk]}, follow=True
    )
    assert f"已解锁{locked.username}" in r.content.decode()
    locked.refresh_from_db()
    assert locked.failed_logins == 0


def test_an_action_on_rows_that_are_not_ids_is_refused_clearly(client):
    boss = _verified(Role.PLATFORM_ADMIN)
    client.force_login(boss)
    center = factories.service_center("140100")
    before = AuditEvent.objects.count()
    for selected in ([""], ["abc"], [str(center.pk), "1 OR 1=1"]):
        r = client.post(
            "/admin/accounts/servicecenter/",
            {"action": "deactivate", "_selected_action": selected},
            follow=True,
        )
        assert r.status_code == 200 and "所选记录无效" in r.content.decode(), selected
    center.refresh_from_db()
    assert center.active is True and AuditEvent.objects.count() == before
