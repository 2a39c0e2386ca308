"""Auctions over HTTP: the JSON API under /api/auctions/ (one test per endpoint group), the
operators' console pages and the public verification page of a confirmation."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ggzy.accounts.models import Role
from ggzy.auctions import services
from ggzy.auctions.models import Auction, Confirmation, Registration
from ggzy.core import clock
from ggzy.deposits import services as deposit_services
from tests import factories
from tests.auctions import helpers
from tests.trading import helpers as th

pytestmark = pytest.mark.django_db
J = "application/json"


def _created(client, op, **over):
    lot, _ = helpers.lot()
    lot.project.service_center_id  # noqa: B018 - the lot's operator is ``op``'s center (region 140100)
    client.force_login(op)
    body = {"lot": lot.code, "starting_price": "1000000.00", "increment": "10000.00", "deposit": "200000.00",
            "reserve_price": "1100000.00", "starts_at": (clock.now() + dt.timedelta(hours=1)).isoformat()}  # fmt: skip
    body.update(over)
    return client.post("/api/auctions/", data=body, content_type=J)


def test_create_list_detail_never_show_the_reserve_or_identities(client):
    op = th.operator()
    r = _created(client, op, starting_price="abc")
    assert r.status_code == 422 and r.json()["field"] == "starting_price" and "起始价" in r.json()["message"]
    r = _created(client, op)
    assert r.status_code == 201, r.content
    a = r.json()
    assert a["reserve_price"] is None and a["reserve_sealed"] is True and a["view"] == "operator"
    auction = Auction.objects.get(pk=a["auction"])
    client.logout()
    listing = client.get("/api/auctions/").json()
    assert any(x["id"] == auction.pk for x in listing) and "reserve_price" not in listing[0]
    detail = client.get(f"/api/auctions/{auction.pk}").json()
    assert detail["view"] == "public" and detail["reserve_price"] is None and "identities" not in detail
    assert client.get("/api/auctions/999999").json()["code"] == "auction.not_found"
    # creating needs a login and the lot's operator
    assert client.post("/api/auctions/", data={}, content_type=J).status_code in (401, 422)


def test_register_review_deposit_advance_result_and_confirmation(client):
    op = th.operator()
    a = Auction.objects.get(pk=_created(client, op, starts_at=(clock.now() + dt.timedelta(seconds=30)).isoformat(),
                                        reserve_price="").json()["auction"])  # fmt: skip
    ent = th.entity(9101, ["transferee"], "山西接口竞买单位甲")
    user = th.member_of(ent, Role.ENTITY_ADMIN)
    client.force_login(user)
    r = client.post(f"/api/auctions/{a.pk}/registrations", content_type=J)
    assert r.status_code == 201 and r.json()["status"] == "applied" and not r.json()["may_bid"]
    rid = r.json()["id"]
    again = client.post(f"/api/auctions/{a.pk}/registrations", content_type=J)
    assert again.status_code == 409 and again.json()["code"] == "auction.already_registered"
    # a bidder cannot qualify itself nor read the registrations
    assert client.post(f"/api/auctions/registrations/{rid}/review", data={"approve": True},
                       content_type=J).status_code == 403  # fmt: skip
    assert client.get(f"/api/auctions/{a.pk}/registrations").status_code == 403
    client.force_login(op)
    r = client.post(f"/api/auctions/registrations/{rid}/review", data={"approve": False}, content_type=J)
    assert r.status_code == 422 and r.json()["code"] == "auction.note_required"
    r = client.post(f"/api/auctions/registrations/{rid}/review", data={"approve": True}, content_type=J)
    assert r.json()["status"] == "qualified" and r.json()["number"] == ""
    r = client.post(f"/api/auctions/registrations/{rid}/deposit", data={}, content_type=J)
    assert r.status_code == 409 and r.json()["code"] == "auction.deposit_unpaid"
    deposit_services.simulate_payment(lot=a.lot, uscc=ent.uscc, amount="200000.00", actor=op)
    r = client.post(f"/api/auctions/registrations/{rid}/deposit", data={}, content_type=J)
    assert r.status_code == 200 and r.json()["may_bid"] and len(r.json()["number"]) == 3
    rows = client.get(f"/api/auctions/{a.pk}/registrations").json()
    assert rows[0]["entity"] == "山西接口竞买单位甲" and rows[0]["deposit_state"] == "paid"
    # start/close only when the rules say so
    r = client.post(f"/api/auctions/{a.pk}/advance", content_type=J)
    assert r.status_code == 409 and r.json()["code"] == "auction.not_due"
    assert client.get(f"/api/auctions/{a.pk}/result").json()["code"] == "auction.not_closed"
    reg = Registration.objects.get(pk=rid)
    with time_machine.travel(a.starts_at + dt.timedelta(seconds=1), tick=False):
        assert client.post(f"/api/auctions/{a.pk}/advance", content_type=J).json()["phase"] == "bidding"
        services.bid_place(auction=a, bidder=reg, amount="1050000", actor=user)
    a.refresh_from_db()
    with time_machine.travel(a.deadline_at + dt.timedelta(seconds=1), tick=False):
        client.logout()
        res = client.get(f"/api/auctions/{a.pk}/result").json()
        assert res["result"] == "sold" and res["premium_rate"] == "5.00"
        c = res["confirmations"][0]
        catalog = client.get("/auctions/").content.decode()
        assert "溢价率5.00%" in catalog and f"/notices/{res['result_notice']}" in catalog
        assert c["status"] == "issued" and c["number"] == reg.number
        v = client.get(f"/api/auctions/confirmations/{c['code']}").json()
        assert v["ok"] and v["winner"] == "山西接口竞买单位甲"
        assert (
            client.get("/api/auctions/confirmations/NOPE").json()["code"] == "auction.confirmation_not_found"
        )
        assert client.post(f"/api/auctions/confirmations/{c['code']}/sign", content_type=J).status_code == 401
        client.force_login(user)
        s = client.post(f"/api/auctions/confirmations/{c['code']}/sign", content_type=J)
        assert s.status_code == 200 and s.json()["status"] == "signed"
        # the public pages: the verification page and the PDF
        page = client.get(c["verify_url"])
        assert page.status_code == 200 and "验证通过" in page.content.decode()
        pdf = client.get(c["pdf_url"])
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert bytes(Confirmation.objects.get(code=c["code"]).pdf) == pdf.content


def test_console_pages_list_create_review_and_result(client):
    op = th.operator()
    client.force_login(op)
    page = client.get("/auctions/console/")
    assert page.status_code == 200 and "拍卖挂牌办理" in page.content.decode()
    lot, _ = helpers.lot()
    bad = client.post("/auctions/console/", {"lot": lot.code, "starting_price": "x"})
    assert bad.status_code == 422 and "起始价" in bad.content.decode()
    start = (clock.now() + dt.timedelta(minutes=5)).astimezone(clock.CHINA).strftime("%Y-%m-%dT%H:%M")
    r = client.post("/auctions/console/", {"lot": lot.code, "starting_price": "1000000", "increment": "10000",
                                           "deposit": "100000", "starts_at": start, "countdown_seconds": "240"})  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    a = Auction.objects.get(lot=lot)
    reg, _user = helpers.bidder(a, op, qualify=False, deposit=False)
    detail = client.get(r["Location"]).content.decode()
    assert reg.entity.name in detail and "审查通过" in detail and "未缴纳" in detail
    r = client.post(
        f"/auctions/console/{a.pk}/", {"action": "review", "registration": reg.pk, "approve": "1"}
    )
    assert r.status_code == 302 and Registration.objects.get(pk=reg.pk).status == "qualified"
    r = client.post(f"/auctions/console/{a.pk}/", {"action": "deposit", "registration": reg.pk})
    assert r.status_code == 422 and "auction.deposit_unpaid" in r.content.decode()
    r = client.post(
        f"/auctions/console/{a.pk}/", {"action": "deposit", "registration": reg.pk, "reference": "YH01"}
    )
    assert r.status_code == 302 and Registration.objects.get(pk=reg.pk).number
    # another service center's operator and a bidder are refused
    other = factories.user(Role.OPERATOR, service_center=factories.service_center("140200"))
    client.force_login(other)
    assert client.get(f"/auctions/console/{a.pk}/").status_code == 403
    # the menu shows the console to operators
    client.force_login(op)
    assert "/auctions/console/" in client.get("/console/").content.decode()
