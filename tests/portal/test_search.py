"""Chinese full-text search over published notices, on SQLite (FTS5) and PostgreSQL (GIN)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from ggzy.portal import selectors
from ggzy.portal.models import NoticeDocument
from ggzy.portal.selectors import Filters
from ggzy.trading import services
from ggzy.trading.models import Notice
from tests import factories
from tests.trading import helpers

pytestmark = pytest.mark.django_db
CN = dt.timezone(dt.timedelta(hours=8))
REGISTERED = dt.datetime(2026, 9, 1, 1, tzinfo=dt.UTC)


def published(name: str, region: str = "140105", free_text: str = "", day: int = 14, **data) -> Notice:
    """A project registered, scheduled and its tender notice published (on 2026-09-``day``)."""
    city = region[:4] + "00"
    op = helpers.operator(city)
    data.setdefault("service_center", factories.service_center(city).pk)
    start = dt.datetime(2026, 9, day, 9, 30, tzinfo=CN)
    with time_machine.travel(REGISTERED, tick=False):
        project = services.project_register(
            data=helpers.data(name=name, region_code=region, **data), actor=op
        )
        lot = services.lot_schedule(
            lot=project.lots.get(), anchors={"notice_published": start, "documents_issued": start}, actor=op
        )
    with time_machine.travel(start, tick=False):
        notice = services.notice_publish(
            project=project,
            lot=lot,
            kind="tender",
            data={"资格要求": "具有独立法人资格"},
            free_text=free_text,
            actor=op,
        )
    return notice


def numbers(query: str = "", **filters) -> list[str]:
    return [h.notice.number for h in selectors.notice_search(query, Filters(**filters)).hits]


@pytest.fixture
def notices():
    return {
        "road": published("太原市迎泽区道路改造工程", region="140106", day=14),
        "school": published("大同市平城区学校食堂改造工程", region="140213", day=15),
        "bridge": published(
            "晋中市榆次区桥梁维修工程",
            region="140702",
            day=16,
            free_text="<p>材料自呼和浩特市运至施工现场。</p>",
        ),
        "procure": published(
            "太原市小店区办公设备采购",
            region="140105",
            day=17,
            ruleset_code="procurement.open_tendering",
            item_kind="goods",
        ),
    }


def test_publishing_a_notice_indexes_it_in_the_same_transaction(notices):
    assert NoticeDocument.objects.count() == len(notices)
    doc = NoticeDocument.objects.get(notice=notices["road"])
    assert doc.region_code == "140106" and doc.category == "engineering" and doc.kind == "tender"


def test_two_character_words_and_place_names_are_found(notices):
    n = {k: v.number for k, v in notices.items()}
    assert set(numbers("道路")) == {n["road"]}
    assert set(numbers("食堂")) == {n["school"]}
    assert set(numbers("改造")) == {n["road"], n["school"]}
    # every tender notice says 招标（采购）公告 and names the tenderer 太原市测试建设投资有限公司:
    # the notices with the word in their title come first
    assert numbers("采购")[0] == n["procure"]
    assert len(numbers("采购")) == 4
    assert set(numbers("太原")[:2]) == {n["road"], n["procure"]}
    # a place name inside a longer word: jieba yields only 呼和浩特市 for the document
    assert numbers("呼和浩特") == [n["bridge"]]
    assert numbers("兰州") == []


def test_several_terms_must_all_match(notices):
    assert numbers("迎泽 改造") == [notices["road"].number]
    assert numbers("太原 改造")[0] == notices["road"].number
    assert numbers("大同 道路") == []


def test_title_matches_rank_above_body_matches(notices):
    # "呼和浩特" only in the bridge's body; a new notice has it in the title
    titled = published("呼和浩特路段绿化工程", region="140105", day=18)
    assert numbers("呼和浩特") == [titled.number, notices["bridge"].number]


def test_filters_narrow_the_results(notices):
    n = {k: v.number for k, v in notices.items()}
    assert set(numbers("改造", region="140200")) == {n["school"]}  # the city covers its counties
    assert set(numbers("太原", category="procurement")) == {n["procure"]}
    assert set(numbers("", region="140100")) == {n["road"], n["procure"]}
    assert set(numbers("", procedure="procurement.open_tendering")) == {n["procure"]}
    assert numbers("", kind="award") == []
    day = dt.date(2026, 9, 15)
    assert set(numbers("改造", date_from=day, date_to=day)) == {n["school"]}
    assert numbers("", status="closed") == []
    # without a query: newest first
    assert numbers("") == [n["procure"], n["bridge"], n["school"], n["road"]]


def test_search_page_highlights_matches_and_escapes_the_query(client, notices):
    page = client.get(reverse("portal:search"), {"q": "道路"}).content.decode()
    assert "<mark>道路</mark>" in page
    assert "共找到 <strong>1</strong> 条公告" in page
    evil = client.get(reverse("portal:search"), {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in evil and "&lt;script&gt;" in evil
    bad = client.get(reverse("portal:search"), {"q": "道路", "region": "x", "from": "昨天", "page": "abc"})
    assert bad.status_code == 200  # bad filters are ignored on the public page


def test_search_api(client, notices):
    r = client.get("/api/search/notices", {"q": "迎泽 改造"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 1 and body["results"][0]["number"] == notices["road"].number
    assert "<mark>" in body["results"][0]["title_html"]
    r = client.get("/api/search/notices", {"category": "procurement"})
    assert [x["number"] for x in r.json()["results"]] == [notices["procure"].number]
    assert client.get("/api/search/notices", {"date_from": "not-a-date"}).status_code == 422


def test_reindex_rebuilds_the_index_and_is_audited(notices):
    from ggzy.audit.models import AuditEvent

    NoticeDocument.objects.all().delete()
    assert numbers("道路") == []
    call_command("search", "reindex")
    assert numbers("道路") == [notices["road"].number]
    assert AuditEvent.objects.filter(action="search.reindex").exists()


def test_feeds_per_category_and_region(client, notices):
    rss = client.get(reverse("portal:feed")).content.decode()
    assert rss.startswith("<?xml") and "<rss" in rss
    assert all(n.number in rss for n in notices.values())
    by_category = client.get(reverse("portal:feed_category", args=["procurement"])).content.decode()
    assert notices["procure"].number in by_category and notices["road"].number not in by_category
    assert "政府采购交易公告" in by_category
    atom = client.get(reverse("portal:feed_region_atom", args=["140200"])).content.decode()
    assert "<feed" in atom and notices["school"].number in atom and notices["road"].number not in atom
    assert client.get(reverse("portal:feed_category", args=["nonsense"])).status_code == 404
    assert client.get(reverse("portal:feed_region", args=["99"])).status_code == 404


def test_sitemap_lists_notices_and_projects(client, notices):
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-notices.xml" in index
    page = client.get("/sitemap-notices.xml").content.decode()
    assert all(f"/notices/{n.number}/" in page for n in notices.values())
    assert (
        f"/projects/{notices['road'].project.code}/" in client.get("/sitemap-projects.xml").content.decode()
    )


def test_home_page_shows_the_latest_notices_by_category(client, notices):
    page = client.get("/").content.decode()
    assert notices["road"].title in page and notices["procure"].title in page
    assert "更多政府采购公告" in page


def test_robots_txt_points_to_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /console/" in text and "Sitemap: http://testserver/sitemap.xml" in text


def test_broad_queries_rank_the_newest_candidates_and_cap_the_count(monkeypatch, notices):
    from ggzy.portal import fulltext

    monkeypatch.setattr(fulltext, "CANDIDATES", 2)
    result = selectors.notice_search("采购")  # in every tender notice
    assert (result.total, result.capped, result.pages) == (2, True, 1)
    # ranked among the two newest matches: the procurement notice (title match) first
    assert [h.notice.number for h in result.hits] == [notices["procure"].number, notices["bridge"].number]
    past = selectors.notice_search("采购", page=2)
    assert (past.hits, past.total, past.capped) == ([], 2, True)
    narrow = selectors.notice_search("食堂")
    assert (narrow.total, narrow.capped) == (1, False)


def test_bad_search_input_gets_an_answer_never_a_server_error(client, notices):
    long = "道路" * 300
    r = client.get("/api/search/notices", {"q": long})
    assert r.status_code == 200 and r.json()["query"] == long[:100]
    assert client.get("/api/search/notices", {"q": "，。！？"}).json()["total"] == len(
        notices
    )  # nothing to search
    assert client.get("/api/search/notices", {"page": "-5"}).json()["page"] == 1
    assert client.get("/api/search/notices", {"page": "99999"}).json()["results"] == []
    r = client.get("/api/search/notices", {"page": "abc"})
    assert r.status_code == 422 and r.json()["code"] == "field.invalid"
    assert client.get("/api/search/notices", {"region": "太原", "kind": "nonsense"}).json()["total"] == len(
        notices
    )
    for params in ({"q": "'\"); DROP TABLE x; --"}, {"q": "AND OR NOT NEAR"}, {"q": "道路*"}, {"q": '"'}):
        assert client.get("/api/search/notices", params).status_code == 200
        assert client.get(reverse("portal:search"), params).status_code == 200
    assert client.get("/notices/NO-SUCH-NOTICE/").status_code == 404


def test_listing_without_a_query_is_counted_up_to_the_bound(monkeypatch, notices):
    from ggzy.portal import fulltext

    monkeypatch.setattr(fulltext, "CANDIDATES", 3)
    result = selectors.notice_search("")
    assert (result.total, result.capped) == (3, True)
    assert len(result.hits) == 4  # the page itself is not cut: newest first
    narrow = selectors.notice_search("", Filters(region="140200"))
    assert (narrow.total, narrow.capped) == (1, False)
