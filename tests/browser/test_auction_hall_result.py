"""The live hall page when the auction closes while it is open (docs/auctions.md "The live hall"):
Chromium against a real daphne server (WebSockets need ASGI). The auction opens, a bid, then the countdown (10 s)
runs out: the closing state arrives and the page shows the result notice link to everyone and the
transaction confirmation link to the winner only. Screenshots under var/test-artifacts/browser/."""

from __future__ import annotations

import pytest

from tests.browser.artifacts import shot as _shot
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
a = services.auction_create(lot=lot, data={"starting_price": "3000000.00", "increment": "50000.00",
    "deposit": "600000.00", "countdown_seconds": 10,
    "starts_at": (clock.now() + dt.timedelta(seconds=20)).isoformat()}, actor=op)
out = {"auction": a.pk, **helpers.logged_in_bidders(a, op, count=2, first=7100, name="山西浏览器结果测试单位", reference="R")}
print(json.dumps(out))
"""


@pytest.fixture
def hall_server(tmp_path):
    with served(tmp_path, SETUP) as data:
        yield data


def test_the_links_appear_when_the_auction_closes_while_the_page_is_open(browser, hall_server):
    url = f"{hall_server['url']}/auctions/{hall_server['auction']}/"
    contexts, pages = [], {}
    try:
        for who, session in (("winner", hall_server["sessions"][0]), ("other", hall_server["sessions"][1]),
                             ("public", None)):  # fmt: skip
            ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
            if session:
                ctx.add_cookies([{"name": "sessionid", "value": session, "url": hall_server["url"]}])
            contexts.append(ctx)
            p = ctx.new_page()
            p.set_default_timeout(30000)
            p.goto(url)
            p.wait_for_function("document.getElementById('conn').textContent === '已连接'")
            assert p.locator("#result-links a").count() == 0
            pages[who] = p
        w = pages["winner"]
        w.wait_for_function(
            "document.getElementById('phase').textContent.startsWith('竞价中')", timeout=60000
        )
        w.click("#plus-one")
        w.click("#bid-button")
        w.wait_for_function("document.getElementById('message').textContent.includes('报价已受理')")
        # the countdown (10 s) runs out: the closing state arrives and each page fetches its links
        for p in pages.values():
            p.wait_for_selector("#result-notice-link")
        assert w.locator("a.confirmation-link").count() == 1
        assert "成交确认书" in w.locator("#result-links").inner_text()
        assert pages["other"].locator("a.confirmation-link").count() == 0
        assert pages["public"].locator("a.confirmation-link").count() == 0
        _shot(w, "auction-hall-closed-winner")
        _shot(pages["public"], "auction-hall-closed-public")
        w.click("a.confirmation-link")
        w.wait_for_load_state()
        assert "成交确认书" in w.inner_text("body")
    finally:
        for ctx in contexts:
            ctx.close()
