"""Deposits over HTTP: the signed bank callback, the JSON API and the console/bidder pages."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from ggzy.accounts.models import Role
from ggzy.deposits import simbank
from ggzy.deposits.models import Payment
from tests import factories
from tests.deposits import helpers as h

pytestmark = pytest.mark.django_db
CB = "/api/deposits/bank/callback"


def _post_callback(client, body: bytes, sig: str, bank: str = simbank.CODE):
    return client.post(
        CB, data=body, content_type="application/json", HTTP_X_GGZY_BANK=bank, HTTP_X_GGZY_SIGNATURE=sig
    )


def test_bank_callback_over_http(client):
    lot, _op = h.lot_with_requirement("50000.00")
    a, _ = h.bidder()
    body, sig = h.signed(lot, a.uscc, "50000.00", txn_id="HTTP0001")
    r = _post_callback(client, body, sig)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "sufficient"
    again = _post_callback(client, body, sig)
    assert again.json() == r.json() and Payment.objects.count() == 1
    bad = _post_callback(client, body, sig[:-4] + "AAAA")
    assert bad.status_code == 403 and bad.json()["code"] == "deposit.bad_signature"
    assert "签名" in bad.json()["message"]
    stale_body, stale_sig = h.signed(lot, a.uscc, "1.00", txn_id="HTTP0002", timestamp=_minutes_ago(10))
    stale = _post_callback(client, stale_body, stale_sig)
    assert stale.status_code == 422 and stale.json()["code"] == "deposit.stale"
    assert Payment.objects.count() == 1


def _minutes_ago(n):
    import datetime as dt

    from ggzy.core import clock

    return clock.now() - dt.timedelta(minutes=n)


def test_api_requirement_sub_account_status_and_other_bidders(client):
    lot, op = h.lot()
    client.force_login(op)
    r = client.put(
        f"/api/deposits/lots/{lot.code}/requirement",
        data={"amount": "200000.00"},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["code"] == "deposit.above_cap"
    r = client.put(
        f"/api/deposits/lots/{lot.code}/requirement",
        data={"amount": "80000.00"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["amount"] == "80000.00"
    a, ua = h.bidder()
    b, _ub = h.bidder()
    client.force_login(ua)
    r = client.post(
        f"/api/deposits/lots/{lot.code}/sub-accounts", data={"uscc": a.uscc}, content_type="application/json"
    )
    assert r.status_code == 200 and len(r.json()["number"]) == 19
    r = client.post(
        f"/api/deposits/lots/{lot.code}/simulate-payment",
        data={"uscc": a.uscc, "amount": "80000.00"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "sufficient"
    r = client.get(f"/api/deposits/lots/{lot.code}/bidders/{a.uscc}")
    assert r.status_code == 200 and r.json()["status"]["satisfied"]
    assert "payer" not in json.dumps(r.json())
    # another bidder's data, the lot overview, payer accounts: refused
    for url in (f"/api/deposits/lots/{lot.code}/bidders/{b.uscc}", f"/api/deposits/lots/{lot.code}",
                f"/api/deposits/lots/{lot.code}/payer-accounts"):  # fmt: skip
        assert client.get(url).status_code == 403, url
    r = client.post(
        f"/api/deposits/lots/{lot.code}/sub-accounts", data={"uscc": b.uscc}, content_type="application/json"
    )
    assert r.status_code == 403 and r.json()["code"] == "deposit.not_yours"
    # operator: overview and refunds
    client.force_login(op)
    r = client.get(f"/api/deposits/lots/{lot.code}")
    assert r.status_code == 200 and r.json()["bidders"][0]["paid_amount"] == "80000.00"
    r = client.post(
        f"/api/deposits/lots/{lot.code}/refunds",
        data={"uscc": a.uscc, "reason": "contract_signed", "due_from": "2026-09-30"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["deadline"] == "2026-10-08"
    r = client.post(
        f"/api/deposits/lots/{lot.code}/refunds/{a.uscc}/refund", data={}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["reference"].startswith("SIMR")
    r = client.post(
        f"/api/deposits/lots/{lot.code}/refunds/{a.uscc}/refund", data={}, content_type="application/json"
    )
    assert r.status_code == 409 and r.json()["code"] == "deposit.refunded"
    # supervisor of the region and category: payer accounts
    sup = factories.user(Role.SUPERVISOR, department=factories.department("140100", "housing"))
    client.force_login(sup)
    r = client.get(f"/api/deposits/lots/{lot.code}/payer-accounts")
    assert r.status_code == 200 and r.json()[0]["usccs"] == [a.uscc]


def test_console_and_bidder_pages(client):
    lot, op = h.lot_with_requirement("50000.00")
    a, ua = h.bidder()
    client.force_login(ua)
    page = client.get(reverse("deposits:mine_lot", args=[lot.code]))
    assert page.status_code == 200 and "获取缴纳子账号" in page.content.decode()
    client.post(reverse("deposits:mine_lot", args=[lot.code]), {"action": "open"})
    client.post(reverse("deposits:mine_lot", args=[lot.code]), {"action": "simulate", "amount": "50000.00"})
    text = client.get(reverse("deposits:mine_lot", args=[lot.code])).content.decode()
    assert "已足额到账" in text and "付款账号" not in text
    assert client.get(reverse("deposits:console_lot", args=[lot.code])).status_code == 403
    client.force_login(op)
    text = client.get(reverse("deposits:console_lot", args=[lot.code])).content.decode()
    assert a.uscc in text and "付款账户（仅监督人员可见）" not in text
    r = client.post(
        reverse("deposits:console_lot", args=[lot.code]), {"action": "requirement", "amount": "999999999"}
    )
    assert r.status_code == 200 and "deposit.above_cap" in r.content.decode()
    client.post(reverse("deposits:console_lot", args=[lot.code]),
                {"action": "refund_due", "uscc": a.uscc, "reason": "contract_signed", "due_from": "2020-01-02"})  # fmt: skip
    text = client.get(reverse("deposits:console_lot", args=[lot.code])).content.decode()
    assert "已逾期" in text and 'class="error"' in text
    assert "保证金管理" in client.get(reverse("deposits:console")).content.decode()
