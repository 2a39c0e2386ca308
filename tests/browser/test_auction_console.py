"""The operator console of a finished auction in Chromium (docs/auctions.md "Console"): a sale like
the demo's 朔州 parcel (a descending auction taken at once, deposits paid through the simulated bank
and confirmed from the deposits app). The operator opens the auction's console page, sees the
result and the transaction confirmation, verifies it and downloads its signed PDF; a supervisor
sees the real identities behind the bidding numbers. Screenshots are kept as test artifacts under
var/test-artifacts/browser/ (GGZY_ARTIFACTS)."""

from __future__ import annotations

import base64
import datetime as dt

from ggzy.accounts.models import Role
from ggzy.auctions import services, settlement
from ggzy.auctions.models import Confirmation, Contract, Result
from ggzy.core import clock
from ggzy.crypto import platform
from ggzy.deposits import services as deposit_services
from tests import factories
from tests.auctions import helpers
from tests.browser.artifacts import shot as _shot
from tests.browser.test_tender_documents import _login


def _finished_sale():
    """A land parcel sold at once in a descending auction, three bidders who paid their deposits."""
    lot, op = helpers.lot("land.auction")
    a = settlement.auction_setup(
        lot=lot,
        data={"mode": "dutch", "title": "朔州市朔城区浏览器测试地块", "starting_price": "6000000.00",
              "increment": "100000.00", "deposit": "1200000.00", "dutch_step": "100000.00",
              "dutch_floor": "5000000.00", "dutch_interval_seconds": 600,
              "starts_at": (clock.now() - dt.timedelta(seconds=1)).isoformat()},
        actor=op,
    )  # fmt: skip
    regs = []
    for _ in range(3):
        r, user = helpers.bidder(a, op, deposit=False)
        deposit_services.simulate_payment(lot=a.lot, uscc=r.entity.uscc, amount=a.deposit, actor=op)
        regs.append((settlement.deposit_check(registration=r, actor=op), user))
    services.auction_refresh(auction=a)
    winner, user = regs[0]
    services.bid_place(auction=a, bidder=winner, amount="6000000.00", actor=user)
    a.refresh_from_db()
    assert a.result == Result.SOLD
    return a, op, [r for r, _ in regs]


def test_operator_sees_the_result_and_the_confirmation_and_a_supervisor_the_identities(page, browser):
    a, op, regs = _finished_sale()
    c = Confirmation.objects.get(auction=a)
    winner = regs[0]

    _login(page, op, totp=True)
    page.goto(f"{page.base_url}/auctions/console/")
    page.get_by_role("link", name=a.title).first.click()
    page.get_by_role("heading", name="竞价结果").wait_for()
    result = page.locator("h2:has-text('竞价结果') + p").inner_text()
    assert "成交" in result and "6000000" in result and "溢价率" in result
    assert page.get_by_role("heading", name=f"成交确认书 {c.code}").is_visible()
    body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    assert winner.entity.name in body and winner.number in body
    assert "结果已于" in body and "办结" in body  # settled at the close: no retry button
    assert page.locator("button", has_text="重新办理竞价结果").count() == 0
    assert page.locator("button", has_text="重新挂牌").count() == 0  # sold, not defaulted: no relisting
    _shot(page, "auction-console-result")

    # the signed PDF: downloaded through the page's link with the operator's session
    href = page.get_by_role("link", name="下载PDF", exact=True).get_attribute("href")
    pdf = page.request.get(page.base_url + href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    data = pdf.body()
    assert data.startswith(b"%PDF") and data == bytes(c.pdf)
    assert platform.public_key().verify(base64.b64decode(c.signature), data)
    # and the public verification page, opened from the console
    page.get_by_role("link", name="验证", exact=True).click()
    page.wait_for_load_state()
    text = page.inner_text("body")
    assert c.code in text and winner.entity.name in text
    _shot(page, "auction-confirmation-verify")

    # the winner signed at the counter; then the 出让合同 is recorded from the console's form
    page.goto(f"{page.base_url}/auctions/console/{a.pk}/")
    page.get_by_role("button", name="登记竞得人已签订（现场签订）").click()
    page.get_by_role("heading", name="国有建设用地使用权出让合同").wait_for()
    form = page.locator("form", has=page.get_by_role("button", name="登记合同并发布合同公告"))
    assert form.get_by_label("合同价款（元，须与成交价一致）").input_value() == "6000000.00"
    form.get_by_label("合同编号").fill("晋土出让〔2026〕浏览器1号")
    form.get_by_label("签订日期").fill(clock.today().isoformat())
    form.get_by_role("button", name="登记合同并发布合同公告").click()
    page.get_by_text("合同公告").first.wait_for()
    k = Contract.objects.get(confirmation=c)
    assert k.contract_no == "晋土出让〔2026〕浏览器1号" and not k.late
    assert "晋土出让〔2026〕浏览器1号" in page.inner_text("body")
    page.get_by_role("link", name=k.notice_number).click()
    page.wait_for_load_state()
    assert "晋土出让〔2026〕浏览器1号" in page.inner_text("body") and "合同公告" in page.title()
    _shot(page, "auction-contract-notice")

    # a supervisor of the land department: the real identities behind the numbers
    sup = factories.user(Role.SUPERVISOR, department=factories.department("140100", "natural_resources"))
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    try:
        sp = ctx.new_page()
        sp.set_default_timeout(15000)
        sp.base_url = page.base_url
        _login(sp, sup, totp=True)
        sp.goto(f"{page.base_url}/auctions/console/{a.pk}/")
        sp.get_by_role("heading", name="竞买报名与资格审查").wait_for()
        table = sp.locator("table", has=sp.locator("th", has_text="竞买人")).first.inner_text()
        for r in regs:
            assert r.entity.name in table and r.entity.uscc in table and r.number in table
        assert sp.locator("button", has_text="重新挂牌").count() == 0  # supervisors read only
        _shot(sp, "auction-console-supervisor")
        # the hall as a supervisor: the bid's number with the bidder's name
        sp.goto(f"{page.base_url}/auctions/{a.pk}/")
        sp.wait_for_function("document.getElementById('bids').textContent.length > 0")
        bids = sp.locator("#bids").inner_text()
        assert winner.number in bids and winner.entity.name in bids
        _shot(sp, "auction-hall-supervisor")
    finally:
        ctx.close()
