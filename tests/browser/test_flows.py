"""What people do on the pages: register an entity, log in as staff with TOTP, compute a period."""

from __future__ import annotations

import pyotp

from ggzy.accounts.models import Role
from ggzy.entities.models import Entity
from tests import factories


def test_self_registration_shows_chinese_errors_then_registers(page):
    page.goto(page.base_url + "/entities/register/")
    code = factories.valid_uscc(4242, region="140105")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    page.fill("#id_uscc", wrong)
    page.fill("#id_name", "太原市晋阳测试建设有限公司")
    page.get_by_role("button", name="提交注册").click()
    body = page.locator("main").inner_text()
    assert "第18位校验码应为" in body
    assert Entity.objects.count() == 0

    page.fill("#id_uscc", code)
    for field, value in {
        "name": "太原市晋阳测试建设有限公司",
        "legal_representative": "王建国",
        "address": "太原市小店区长风街1号",
        "region_code": "140105",
        "contact_name": "李丽华",
        "contact_phone": "13812345678",
        "contact_email": "lilihua@example.cn",
        "admin_display_name": "李丽华",
        "admin_username": "lilihua",
        "admin_email": "lilihua@example.cn",
        "admin_phone": "13812345678",
        "admin_password": "Jinyang-Test-2026",
    }.items():
        page.fill(f"#id_{field}", value)
    page.get_by_label("投标人/供应商").check()
    page.get_by_role("button", name="提交注册").click()
    page.wait_for_load_state()
    entity = Entity.objects.get(uscc=code)
    assert entity.trading_roles == ["bidder"]
    assert "太原市晋阳测试建设有限公司" in page.locator("main").inner_text()


def test_staff_login_requires_totp(page):
    inspector = factories.user(Role.INSPECTOR, username="inspector_b")
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", "inspector_b")
    page.fill("input[name=password]", factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    # first login: enrolment with a QR code and the secret
    assert page.locator("svg").count() >= 1
    inspector.refresh_from_db()
    secret = inspector.totp_secret
    assert secret
    page.fill("input[name=code]", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="确认绑定").click()
    assert "动态口令" in page.locator("main").inner_text()
    # half logged in: the console is out of reach until the code is right
    page.goto(page.base_url + "/console/")
    assert "纪检监察人员" not in page.locator("main").inner_text()
    page.goto(page.base_url + "/accounts/totp/")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="确认绑定").click()
    page.goto(page.base_url + "/console/")
    text = page.locator("main").inner_text()
    assert "纪检监察人员" in text


def test_calendar_page_moves_a_period_off_national_day(page):
    page.goto(page.base_url + "/calendar/?start=2026-09-28&days=5&kind=calendar")
    text = page.locator("main").inner_text()
    assert "2026年10月8日" in text or "2026-10-08" in text
    assert "第二百零三条" in text
