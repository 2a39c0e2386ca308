"""The live bidding hall in Chromium against a real daphne server (WebSockets need ASGI: the
pytest-django live server is WSGI). The server runs on its own scratch SQLite database, set up by a
child process; the bidder's browser carries a logged-in session cookie."""

from __future__ import annotations

import pytest

from tests.browser.served import served

SETUP = """
import datetime as dt, json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from ggzy.auctions import services
from ggzy.core import clock
from tests.auctions import helpers
lot, op = helpers.lot("land.auction")
a = services.auction_create(lot=lot, data={"starting_price": "5000000.00", "increment": "50000.00",
    "deposit": "1000000.00", "countdown_seconds": 240, "reserve_price": "5100000.00",
    "starts_at": (clock.now() - dt.timedelta(seconds=1)).isoformat()}, actor=op)
out = {"auction": a.pk, **helpers.logged_in_bidders(a, op, count=2, first=7000, name="山西浏览器测试竞买单位", reference="B")}
print(json.dumps(out))
"""


@pytest.fixture
def hall_server(tmp_path):
    with served(tmp_path, SETUP) as data:
        yield data


def test_a_bidder_bids_and_the_public_sees_the_price_without_the_number(browser, hall_server):
    url = f"{hall_server['url']}/auctions/{hall_server['auction']}/"
    bidder = browser.new_context(locale="zh-CN")
    bidder.add_cookies(
        [{"name": "sessionid", "value": hall_server["sessions"][0], "url": hall_server["url"]}]
    )
    public = browser.new_context(locale="zh-CN")
    try:
        bp, pp = bidder.new_page(), public.new_page()
        for p in (bp, pp):
            p.set_default_timeout(15000)
            p.goto(url)
            p.wait_for_function("document.getElementById('conn').textContent === '已连接'")
        assert hall_server["numbers"][0] in bp.locator("#you").inner_text()
        assert "已密封" in pp.locator("#reserve").inner_text()
        assert pp.locator("#server-time").inner_text() != "—"
        bp.click("#plus-one")
        assert bp.input_value("#amount") == "5000000.00"
        bp.click("#bid-button")
        bp.wait_for_function("document.getElementById('message').textContent.includes('报价已受理')")
        pp.wait_for_function("document.getElementById('price').textContent === '5000000.00'")
        assert "（您）" in bp.locator("#leader").inner_text()
        assert pp.locator("#leader").inner_text() == "不公开"
        table = pp.locator("#bids").inner_text()
        assert "5000000.00" in table and hall_server["numbers"][0] not in table
        assert hall_server["names"][0] not in pp.content()
        # a bid that is too low is refused to that bidder only, with the reason
        bp.fill("#amount", "5000000.00")
        bp.click("#bid-button")
        bp.wait_for_function("document.getElementById('message').textContent.includes('未被接受')")
        # a reconnecting (reloaded) page gets the full state at once
        pp.reload()
        pp.wait_for_function("document.getElementById('price').textContent === '5000000.00'")
        left = pp.locator("#countdown").inner_text()
        assert "分" in left and "秒" in left
    finally:
        bidder.close()
        public.close()
