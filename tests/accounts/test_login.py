"""Login: lockout, second factor, the middleware, password reset."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from ggzy.accounts import totp
from ggzy.accounts.models import Role, User
from ggzy.accounts.secondfactor import PENDING_KEY
from ggzy.audit.models import AuditEvent
from ggzy.core import clock
from tests import factories

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


def _login(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


@override_settings(GGZY_LOGIN_MAX_FAILURES=3, GGZY_LOGIN_LOCK_MINUTES=15)
def test_lockout_after_failures_and_unlock_after_the_period(client):
    user = factories.user(Role.EXPERT, username="lockme")
    with time_machine.travel(T0, tick=False):
        for _ in range(2):
            r = _login(client, "lockme", "wrong-password")
            assert "用户名或密码不正确" in r.content.decode()
        r = _login(client, "lockme", "wrong-password")
        body = r.content.decode()
        assert "已锁定" in body and "2026-03-02 17:15" in body  # 09:15 UTC = 17:15 Beijing
        # even the right password is refused while locked
        r = _login(client, "lockme", factories.PASSWORD)
        assert "已锁定" in r.content.decode()
        assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.locked_until == T0 + dt.timedelta(minutes=15)
    actions = list(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert actions == ["user.login_failed", "user.login_failed", "user.locked", "user.login_refused"]
    assert all(e.actor_id is None for e in AuditEvent.objects.filter(object_id=str(user.pk)))
    assert all("wrong-password" not in e.summary for e in AuditEvent.objects.all())
    with time_machine.travel(T0 + dt.timedelta(minutes=16), tick=False):
        r = _login(client, "lockme", factories.PASSWORD)
        assert r.status_code == 302
    user.refresh_from_db()
    assert user.failed_logins == 0 and user.locked_until is None


def test_unknown_user_gets_the_same_message_but_the_audit_tells(client):
    factories.user(Role.EXPERT, username="known")
    a = _login(client, "known", "wrong-password").content.decode()
    b = _login(client, "nobody", "wrong-password").content.decode()
    assert "用户名或密码不正确" in a and "用户名或密码不正确" in b
    reasons = [e.summary for e in AuditEvent.objects.filter(action="user.login_failed")]
    assert any('"unknown_user"' in s and '"nobody"' in s for s in reasons)
    assert any('"bad_password"' in s for s in reasons)


@override_settings(GGZY_TOTP_REQUIRED=True)
def test_staff_must_enrol_totp_then_reach_the_console(client):
    user = factories.user(Role.OPERATOR, username="op")
    r = _login(client, "op", factories.PASSWORD)
    assert r.status_code == 302 and r["Location"].startswith("/accounts/totp/")
    assert client.session[PENDING_KEY] == user.pk
    # everything else is closed
    r = client.get("/console/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/totp/")
    r = client.get("/api/accounts/me")
    assert r.status_code == 401 and r.json()["code"] == "auth.required"
    page = client.get("/accounts/totp/").content.decode()
    assert "<svg" in page and "绑定动态口令" in page
    user.refresh_from_db()
    assert user.totp_secret and user.totp_secret in page and not user.totp_confirmed
    code = totp.code_at(user.totp_secret, clock.now())
    r = client.post("/accounts/totp/", {"code": code, "next": "/console/"})
    assert r.status_code == 302 and r["Location"] == "/console/"
    assert PENDING_KEY not in client.session
    user.refresh_from_db()
    assert user.totp_confirmed
    r = client.get("/console/")
    assert r.status_code == 200 and "服务中心工作人员" in r.content.decode()
    assert client.get("/api/accounts/me").json()["username"] == "op"


@override_settings(GGZY_TOTP_REQUIRED=True)
def test_replayed_code_is_refused(client):
    user = factories.user(Role.SUPERVISOR, username="sup")
    secret = totp.new_secret()
    User.objects.filter(pk=user.pk).update(totp_secret=secret, totp_confirmed=True)
    with time_machine.travel(T0, tick=False):
        code = totp.code_at(secret, clock.now())
        _login(client, "sup", factories.PASSWORD)
        assert client.post("/accounts/totp/", {"code": code}).status_code == 302
        client.post("/accounts/logout/")
        _login(client, "sup", factories.PASSWORD)
        r = client.post("/accounts/totp/", {"code": code})
        assert r.status_code == 200 and "已使用" in r.content.decode()
        assert client.session[PENDING_KEY] == user.pk
    # the next step's code works; a code from the previous step (before last use) does not
    with time_machine.travel(T0 + dt.timedelta(seconds=30), tick=False):
        old = totp.code_at(secret, T0 - dt.timedelta(seconds=30))
        assert client.post("/accounts/totp/", {"code": old}).status_code == 200
        new = totp.code_at(secret, clock.now())
        assert client.post("/accounts/totp/", {"code": new}).status_code == 302


@override_settings(GGZY_TOTP_REQUIRED=True)
def test_entity_accounts_need_no_second_factor(client):
    factories.user(Role.ENTITY_MEMBER, username="member")
    r = _login(client, "member", factories.PASSWORD)
    assert r.status_code == 302 and r["Location"] == "/console/"
    assert PENDING_KEY not in client.session


@override_settings(GGZY_TOTP_REQUIRED=True)
def test_staff_cannot_skip_totp_through_the_admin_login(client):
    user = factories.user(Role.PLATFORM_ADMIN, username="boss")
    User.objects.filter(pk=user.pk).update(is_staff=True, totp_secret=totp.new_secret(), totp_confirmed=True)
    r = client.get("/admin/login/?next=/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    # a password check with no session to hold the pending factor fails closed
    assert client.login(username="boss", password=factories.PASSWORD) is False
    # the password step through the login page leaves the admin closed until the code
    _login(client, "boss", factories.PASSWORD)
    assert client.session[PENDING_KEY] == user.pk
    r = client.get("/admin/")
    assert r.status_code == 302 and "/accounts/totp/" in r["Location"]


def test_password_reset_by_email(client):
    user = factories.user(Role.EXPERT, username="forgot")
    r = client.post("/accounts/password/reset/", {"email": user.email})
    assert r.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "重设密码" in message.subject and "forgot" in message.body
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    r = client.get(link)  # redirects to the set-password URL with the token in the session
    r = client.post(
        r["Location"], {"new_password1": "Brand-New-Pass-77", "new_password2": "Brand-New-Pass-77"}
    )
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Brand-New-Pass-77")
    actions = set(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert {"user.password_reset_request", "user.password_reset"} <= actions


def test_password_reset_for_unknown_email_sends_nothing_but_is_recorded(client):
    r = client.post("/accounts/password/reset/", {"email": "nobody@example.cn"})
    assert r.status_code == 302 and not mail.outbox
    assert AuditEvent.objects.filter(action="user.password_reset_request", object_id="").exists()
