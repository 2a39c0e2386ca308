"""The public sees a project with its lots and stages, and a notice with its schedule."""

from __future__ import annotations

import datetime as dt

from ggzy.core import clock
from ggzy.trading import services
from tests.trading import helpers


def _published_lot():
    op = helpers.operator()
    project = services.project_register(data=helpers.data(name="太原市迎泽大街排水改造工程施工"), actor=op)
    lot = project.lots.get()
    day = clock.today() + dt.timedelta(days=1)
    start = dt.datetime(day.year, day.month, day.day, 9, 30, tzinfo=clock.CHINA)
    services.lot_schedule(lot=lot, anchors={"notice_published": start, "documents_issued": start}, actor=op)
    notice = services.notice_publish(
        project=project, lot=lot, kind="tender", data={"资格要求": "具有独立法人资格"}, actor=op
    )
    return project, notice


def test_project_and_notice_pages(page):
    project, notice = _published_lot()
    page.goto(page.base_url + "/projects/")
    page.get_by_role("link", name="太原市迎泽大街排水改造工程施工").first.click()
    text = page.locator("main").inner_text()
    assert project.code in text
    assert "交易流程" in text
    # the lot's computed timeline: the period each time satisfies and its article
    schedule = page.locator("table.trade-schedule").inner_text()
    assert "距招标文件开始发出之日不少于20日" in schedule and "《招标投标法》第二十四条" in schedule
    page.goto(page.base_url + "/notices/")
    page.get_by_role("link", name=notice.title).first.click()
    text = page.locator("main").inner_text()
    assert notice.number in text
    assert "投标截止" in text  # the schedule computed from the rule set
    assert "第二十四条" in text  # the article each computed date comes from
