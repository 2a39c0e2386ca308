"""Numbers a page posts or asks for, read with a clear error instead of a server error (found by
submitting every console form of the demo with odd values as each demo account)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core.errors import InvalidInput
from ggzy.core.params import MAX_ID, posted_id
from tests import factories
from tests.deposits import helpers as deposit_helpers
from tests.entities import helpers as entity_helpers


@given(st.one_of(st.text(max_size=30), st.integers(), st.none()))
def test_posted_id_is_a_positive_key_or_a_clear_refusal(value):
    text = str(value if value is not None else "").strip()
    try:
        n = posted_id(value, field="x", what="保函")
    except InvalidInput as e:
        assert e.code == "request.id_invalid" and e.field == "x" and "保函编号无效" in e.message
        assert not (text.isdecimal() and 1 <= int(text) <= MAX_ID)
    else:
        assert text.isdecimal() and n == int(text) and 1 <= n <= MAX_ID


db = pytest.mark.django_db


def _client(user) -> Client:
    c = Client(raise_request_exception=False)
    c.force_login(user)
    return c


@db
def test_withdrawing_a_qualification_without_a_valid_one_says_so():
    e = entity_helpers.entity(41)
    c = _client(entity_helpers.member_of(e))
    url = reverse("entities:edit", args=[e.uscc])
    before = AuditEvent.objects.count()
    for value in ("", "abc", "-1", "9" * 30):
        r = c.post(url, {"action": "withdraw_qualification", "qualification": value}, follow=True)
        assert r.status_code == 200 and "资质编号无效" in r.content.decode(), value
    assert AuditEvent.objects.count() == before


@db
def test_verifying_a_guarantee_with_a_bad_number_says_so():
    lot, op = deposit_helpers.lot_with_requirement("50000.00")
    c = _client(op)
    url = reverse("deposits:console_lot", args=[lot.code])
    for value in ("x'\"<>", "", "１２a"):
        r = c.post(url, {"action": "verify", "guarantee": value, "approve": "1", "note": ""})
        assert r.status_code < 500 and "保函编号无效" in r.content.decode(), value


@db
def test_the_trail_refuses_a_page_beyond_its_bound():
    c = _client(factories.user(Role.INSPECTOR))
    r = c.get(reverse("audit:trail"), {"page": "9" * 20})
    assert r.status_code == 422 and "页码应在1到100000之间" in r.content.decode()
    r = c.get("/api/audit/events", {"page": 10**12})
    assert r.status_code == 422 and r.json()["code"] == "audit.page_invalid"


@db
def test_answering_an_invitation_with_a_bad_id_says_so():
    c = _client(factories.user(Role.EXPERT))
    r = c.post(reverse("experts:invitations"), {"id": "abc", "accept": "1"}, follow=True)
    assert r.status_code == 200 and "抽取通知编号无效" in r.content.decode()
