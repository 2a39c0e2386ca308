"""An entity administrator registers a bid key; the public checks the receipt log."""

from __future__ import annotations

from ggzy.crypto import sm2
from ggzy.tendering.models import BidderKey
from tests import factories
from tests.tendering import helpers as h


def test_register_a_bid_key_from_the_console(page):
    entity, admin = h.entity_with_admin(31)
    key = sm2.PrivateKey.generate()
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", admin.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(page.base_url + "/console/")
    page.get_by_role("link", name="投标公钥").first.click()
    page.fill("textarea[name=public_key_pem]", key.to_pem())  # a private key by mistake
    page.get_by_role("button", name="登记").click()
    assert "私钥" in page.locator("[role=alert]").inner_text()
    page.fill("textarea[name=public_key_pem]", key.public_key.to_pem())
    page.fill("input[name=label]", "2026年投标密钥")
    page.get_by_role("button", name="登记").click()
    text = page.locator("main").inner_text()
    assert key.public_key.fingerprint() in text and "有效" in text
    assert BidderKey.objects.get().entity_id == entity.pk


def test_public_receipt_log_page(page):
    out = h.append(5)
    page.goto(page.base_url + "/receipts/")
    assert out[-1].sth["root_hash"] in page.locator("main").inner_text()
    page.fill("input[name=position]", "2")
    page.get_by_role("button", name="查找").click()
    text = page.locator("main").inner_text()
    assert out[2].receipt["leaf_hash"] in text and "审计路径" in text
    page.get_by_role("link", name="平台签名公钥").first.click()
    assert "BEGIN PUBLIC KEY" in page.locator("pre").inner_text()
