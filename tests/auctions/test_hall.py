"""The live hall: WebSocket consumer (in-memory channel layer) and the page."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from ggzy.accounts.models import Role
from ggzy.auctions.models import Bid
from ggzy.routing import websocket_urlpatterns
from tests import factories
from tests.auctions import helpers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]
app = URLRouter(websocket_urlpatterns)


async def connect(pk, user):
    c = WebsocketCommunicator(app, f"/ws/auctions/{pk}/")
    c.scope["user"] = user
    ok, _ = await c.connect()
    assert ok
    return c, json.loads(await c.receive_from(timeout=5))


async def next_state(c, kind="state"):
    while True:
        m = json.loads(await c.receive_from(timeout=5))
        if m["type"] == kind:
            return m


@pytest.fixture
def setup():
    a, op = helpers.auction()
    r1, u1 = helpers.bidder(a, op)
    r2, u2 = helpers.bidder(a, op)
    sup = factories.user(Role.SUPERVISOR, department=factories.department("140100", "natural_resources"))
    return a, r1, u1, r2, u2, sup


def test_bid_is_broadcast_after_commit_and_views_differ(setup):
    async_to_sync(_run)(*setup)


async def _run(a, r1, u1, r2, u2, sup):
    b1, s1 = await connect(a.pk, u1)
    pub, sp = await connect(a.pk, AnonymousUser())
    assert s1["view"] == "bidder" and s1["you"] == r1.number and "identities" not in s1 and s1["now"]
    assert sp["view"] == "public" and sp["you"] is None
    await b1.send_to(text_data=json.dumps({"type": "bid", "amount": "1000000", "ref": "x1"}))
    replies = [json.loads(await b1.receive_from(timeout=5)) for _ in range(2)]
    assert {m["type"] for m in replies} == {"accepted", "bid"}
    st = await next_state(pub, "bid")
    assert (
        st["price"] == "1000000.00"
        and st["leader"] is None
        and "number" not in st["bid"]
        and "name" not in st
    )
    # a bid not above the price this connection knows is refused without a database round trip
    await b1.send_to(text_data=json.dumps({"type": "bid", "amount": "999999", "ref": "low"}))
    assert json.loads(await b1.receive_from(timeout=5))["code"] == "auction.too_low"
    # the same ref again: refused to that bidder only
    await b1.send_to(text_data=json.dumps({"type": "bid", "amount": "1010000", "ref": "x1"}))
    m = json.loads(await b1.receive_from(timeout=5))
    assert m["type"] == "refused" and m["code"] == "auction.duplicate"
    await b1.send_to(text_data="{not json")
    assert json.loads(await b1.receive_from(timeout=5))["code"] == "hall.malformed"
    await b1.send_to(text_data=json.dumps({"type": "bid", "amount": "1000001"}))
    assert json.loads(await b1.receive_from(timeout=5))["code"] == "auction.already_leading"
    assert await pub.receive_nothing(timeout=0.3)
    await pub.send_to(text_data=json.dumps({"type": "bid", "amount": "1010000"}))
    assert json.loads(await pub.receive_from(timeout=5))["code"] == "auction.not_registered"
    # a reconnecting client gets the full state; a supervisor sees identities
    b2, s2 = await connect(a.pk, u2)
    assert s2["price"] == "1000000.00" and s2["leader"] == r1.number and s2["you"] == r2.number
    sv, ss = await connect(a.pk, sup)
    assert ss["view"] == "supervisor" and ss["identities"][r1.number] == r1.entity.name
    await b2.send_to(text_data=json.dumps({"type": "bid", "amount": "1010000", "ref": "y1"}))
    seen = await next_state(sv, "bid")
    assert seen["name"] == r2.entity.name and seen["bid"]["number"] == r2.number
    assert "name" not in await next_state(b1, "bid")
    for c in (b1, pub, b2, sv):
        await c.disconnect()
    assert await Bid.objects.acount() == 2


def test_hall_page(client, setup):
    a, r1, u1, *_ = setup
    page = client.get(f"/auctions/{a.pk}/").content.decode()
    assert "竞价大厅" in page and "公众只能看到价格和时间" in page and r1.entity.name not in page
    client.force_login(u1)
    page = client.get(f"/auctions/{a.pk}/").content.decode()
    assert "您的竞买号" in page and r1.number in page
    assert a.title in client.get("/auctions/").content.decode()
    assert client.get("/auctions/999999/").status_code == 404
