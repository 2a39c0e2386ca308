"""Issue 7: a new visitor finds a notice by search, opens it and its project's timeline and
downloads the project's OCDS record, which the offline OCDS validator accepts. Screenshots are kept as test artifacts under var/test-artifacts/browser/ (GGZY_ARTIFACTS)."""

from __future__ import annotations

import datetime as dt
import json

from ggzy.core import clock
from ggzy.trading import services
from tests.browser.artifacts import ARTIFACTS
from tests.browser.artifacts import shot as _shot
from tests.opendata.ocdsvalidate import validate
from tests.trading import helpers


def _publish(name: str):
    op = helpers.operator()
    project = services.project_register(data=helpers.data(name=name), actor=op)
    lot = project.lots.get()
    day = clock.today() + dt.timedelta(days=1)
    start = dt.datetime(day.year, day.month, day.day, 9, 30, tzinfo=clock.CHINA)
    services.lot_schedule(lot=lot, anchors={"notice_published": start, "documents_issued": start}, actor=op)
    return services.notice_publish(project=project, lot=lot, kind="tender", data={}, actor=op)


def test_a_visitor_finds_a_notice_by_search_opens_its_project_timeline_and_downloads_ocds(page, tmp_path):
    wanted = _publish("太原市迎泽大街排水改造工程施工")
    _publish("大同市平城区学校食堂改造工程")
    page.goto(page.base_url + "/")
    page.get_by_role("searchbox", name="检索公告").fill("排水")
    page.get_by_role("button", name="检索").click()
    summary = page.locator("#search-summary").inner_text()
    assert "共找到 1 条公告" in summary
    assert page.locator(".search-results mark").first.inner_text() == "排水"
    _shot(page, "search-results")
    page.get_by_role("link", name=wanted.title).click()
    assert wanted.number in page.locator("main").inner_text()
    _shot(page, "notice")
    page.get_by_role("link", name="查看项目").click()
    schedule = page.locator("table.trade-schedule").inner_text()
    assert "投标截止" in schedule and "《招标投标法》第二十四条" in schedule
    _shot(page, "project-timeline")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载本项目 OCDS 记录（JSON）").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".json")
    saved = ARTIFACTS / "browser" / download.suggested_filename
    download.save_as(saved)
    package = json.loads(saved.read_text(encoding="utf-8"))
    record = package["records"][0]
    assert record["ocid"].endswith(wanted.project.code)
    assert record["compiledRelease"]["tender"]["title"] == wanted.project.name
    validate(package, tmp_path)
