"""API tokens and the API endpoints of accounts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ggzy.accounts.models import ApiToken, Role
from ggzy.accounts.services import token_issue, token_revoke
from ggzy.audit.models import AuditEvent
from ggzy.core import clock
from ggzy.core.errors import NotFound, PermissionDenied
from tests import factories

pytestmark = pytest.mark.django_db


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_token_auth_works_and_a_revoked_token_fails(client):
    user = factories.user(Role.ENTITY_MEMBER, username="sys1")
    token, raw = token_issue(user=user, name="某交易系统", actor=user)
    assert ApiToken.objects.get(pk=token.pk).token_hash != raw and raw not in str(
        AuditEvent.objects.filter(action="api_token.issue").values_list("summary", flat=True)[0]
    )
    r = client.get("/api/accounts/me", **_bearer(raw))
    assert r.status_code == 200 and r.json()["username"] == "sys1" and r.json()["via_token"] is True
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    token_revoke(token=token, actor=user)
    r = client.get("/api/accounts/me", **_bearer(raw))
    assert r.status_code == 401 and r.json()["code"] == "auth.required"


def test_expired_token_fails(client):
    user = factories.user(Role.ENTITY_MEMBER)
    _, raw = token_issue(user=user, name="短期", expires_in_days=1, actor=user)
    with time_machine.travel(clock.now() + dt.timedelta(days=2)):
        assert client.get("/api/accounts/me", **_bearer(raw)).status_code == 401


def test_token_of_deactivated_user_fails(client):
    user = factories.user(Role.ENTITY_MEMBER)
    _, raw = token_issue(user=user, name="x", actor=user)
    user.is_active = False
    user.save()
    assert client.get("/api/accounts/me", **_bearer(raw)).status_code == 401


def test_nobody_issues_or_revokes_tokens_of_others():
    owner = factories.user(Role.ENTITY_MEMBER)
    other = factories.user(Role.OPERATOR)
    with pytest.raises(PermissionDenied):
        token_issue(user=owner, name="x", actor=other)
    token, _ = token_issue(user=owner, name="x", actor=owner)
    with pytest.raises(NotFound):
        token_revoke(token=token, actor=other)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_api_issue_list_revoke(client):
    user = factories.user(Role.ENTITY_MEMBER, username="apiuser")
    client.force_login(user)
    r = client.post("/api/accounts/tokens", {"name": "对接系统"}, content_type="application/json")
    assert r.status_code == 201
    body = r.json()
    assert body["token"].startswith("ggzy_") and body["prefix"] == body["token"][:12]
    listed = client.get("/api/accounts/tokens").json()
    assert [t["id"] for t in listed] == [body["id"]] and "token" not in listed[0]
    # a token cannot mint tokens
    client.logout()
    r = client.post(
        "/api/accounts/tokens", {"name": "再来"}, content_type="application/json", **_bearer(body["token"])
    )
    assert r.status_code == 401
    r = client.delete(f"/api/accounts/tokens/{body['id']}", **_bearer(body["token"]))
    assert r.status_code == 200 and r.json()["revoked_at"]


def test_api_bad_input_has_a_code(client):
    user = factories.user(Role.ENTITY_MEMBER)
    client.force_login(user)
    r = client.post("/api/accounts/tokens", {"name": " "}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "token.name_required"
    assert not ApiToken.objects.exists()


def test_tokens_page_shows_token_once(client):
    user = factories.user(Role.ENTITY_MEMBER)
    client.force_login(user)
    r = client.post("/accounts/tokens/", {"name": "页面令牌", "expires_in_days": 30})
    raw = r.context["issued"]["raw"]
    assert raw in r.content.decode()
    assert raw not in client.get("/accounts/tokens/").content.decode()
    token = ApiToken.objects.get()
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert ApiToken.objects.get().revoked_at is not None
