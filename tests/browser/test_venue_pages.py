"""The venue catalog and a venue's week calendar work in a browser with JavaScript turned off."""

from __future__ import annotations

import re

from tests.experts import helpers as lots
from tests.venues.helpers import at, rooms, venue


def test_catalog_filter_and_calendar_without_javascript(browser, live_server, transactional_db):
    v = venue()
    opening, _ = rooms(v)
    far = venue(name="大同市场所", region="140212", service_center=lots.operator("140200").service_center)
    op = lots.operator()
    lot = lots.lot(op)
    from ggzy.venues import services

    services.booking_create(
        lot=lot, room=opening, purpose="opening", starts_at=at(8, 9), ends_at=at(8, 10), actor=op
    )
    context = browser.new_context(
        locale="zh-CN", java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/venues/")
    assert page.get_by_role("link", name=far.name).is_visible()
    page.select_option("select[name=capability]", "remote")
    page.get_by_role("button", name="筛选").click()
    assert page.get_by_role("link", name=v.name).is_visible()
    assert page.get_by_role("link", name=far.name).count() == 0
    page.get_by_role("link", name=v.name).click()
    page.get_by_role("heading", name=re.compile("预约日历")).wait_for()
    for _ in range(3):  # the booking is 8 days ahead: at most two weeks on
        if page.get_by_text("09:00").count():
            break
        page.get_by_role("link", name="下一周 →").click()
    cell = page.locator("table.venue-week .booking-opening")
    assert cell.count() == 1 and lot.code in cell.inner_text()
    context.close()
