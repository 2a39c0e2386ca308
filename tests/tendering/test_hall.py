"""The opening hall: WebSocket state on connect, broadcast after a decryption commits; the page."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from ggzy.core import clock
from ggzy.routing import websocket_urlpatterns
from ggzy.tendering import services
from ggzy.trading import services as trading
from ggzy.trading.models import Lot
from tests.tendering import bidding as b

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]
app = URLRouter(websocket_urlpatterns)


@pytest.fixture
def opened_lot():
    lt = b.lot()
    bidders = []
    for price in ("4800000.00", "4700000.00", "4600000.00"):
        bidder = b.Bidder()
        env, meta = b.seal(b.plaintext(lt, bidder, price=price), bidder)
        b.submit(lt, bidder, env, meta)
        bidders.append((bidder, env))
    past = clock.now() - dt.timedelta(seconds=1)
    b.set_deadline(lt, past)
    Lot.objects.filter(pk=lt.pk).update(next_check_at=past)
    trading.tick_run()
    assert services.openings_due() == (1, 0)
    return lt, bidders


async def _connect(code):
    c = WebsocketCommunicator(app, f"/ws/openings/{code}/")
    c.scope["user"] = AnonymousUser()
    ok, _ = await c.connect()
    assert ok
    return c, json.loads(await c.receive_from(timeout=5))


def test_state_on_connect_and_broadcast_after_decryption(opened_lot):
    lt, bidders = opened_lot
    async_to_sync(_run)(lt, bidders)


async def _run(lt, bidders):
    c, state = await _connect(lt.code)
    assert state["status"] == "decrypting" and [x["status_label"] for x in state["bids"]] == ["待解密"] * 3
    bidder, env = bidders[0]
    await database_sync_to_async(services.bid_decrypt)(
        lot=lt, content_key=b.content_key(env, bidder), actor=bidder.user
    )
    msg = json.loads(await c.receive_from(timeout=5))
    assert msg["event"] == "decrypted"
    row = next(x for x in msg["bids"] if x["uscc"] == bidder.uscc)
    assert row["status"] == "opened" and row["price"] == "4800000.00"
    await c.disconnect()
    c2, again = await _connect(lt.code)  # a reconnecting viewer gets the full state
    assert sorted(x["status"] for x in again["bids"]) == ["active", "active", "opened"]
    await c2.send_to(text_data="nonsense")
    assert json.loads(await c2.receive_from(timeout=5))["code"] == "hall.unknown"
    await c2.disconnect()
    bad = WebsocketCommunicator(app, "/ws/openings/NO-SUCH-LOT/")
    bad.scope["user"] = AnonymousUser()
    ok, _code = await bad.connect()
    assert not ok


def test_hall_page(client, opened_lot):
    lt, bidders = opened_lot
    r = client.get(f"/tendering/openings/{lt.code}/")
    assert r.status_code == 200
    text = r.content.decode()
    assert "开标大厅" in text and bidders[0][0].entity.name in text and "/ws/openings/" in text
    assert client.get("/tendering/openings/NO-SUCH/").status_code == 404


def test_hall_page_links_the_evaluation_room_only_where_it_opens(client, opened_lot):
    """Before evaluation starts the room answers everyone but the lot's operators that it has not
    begun: the hall links it only for them (a link to a refusal is a dead end for a clerk)."""
    from ggzy.accounts.models import Role
    from tests import factories
    from tests.trading import helpers as th

    lt, _bidders = opened_lot
    room = f"/evaluation/lots/{lt.code}/"
    client.force_login(factories.user(Role.SUPERVISOR, department=factories.department("140100")))
    assert room not in client.get(f"/tendering/openings/{lt.code}/").content.decode()
    assert client.get(room).status_code == 404  # what the link would have led to
    client.force_login(th.operator())
    assert room in client.get(f"/tendering/openings/{lt.code}/").content.decode()
    assert client.get(room).status_code == 200  # the operator starts the evaluation there
