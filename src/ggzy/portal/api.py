"""Public search API: the same search as the /search/ page, as JSON."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema

from ggzy.portal import selectors

router = Router(tags=["公告检索"])


class NoticeSearchIn(Schema):
    q: str = ""
    category: str = ""
    procedure: str = ""
    region: str = ""
    kind: str = ""
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1


class NoticeHitOut(Schema):
    number: str
    title: str
    kind: str
    project_code: str
    project_name: str
    category: str
    region_code: str
    published_at: dt.datetime
    url: str
    title_html: str
    snippet_html: str


class NoticeSearchOut(Schema):
    query: str
    total: int
    capped: bool = False
    page: int
    pages: int
    results: list[NoticeHitOut]


@router.get("/notices", response=NoticeSearchOut, auth=None, summary="检索公告（中文全文检索）")
def search_notices(request, params: Query[NoticeSearchIn]):
    """Chinese full-text search over every published notice (jieba words and character bigrams),
    best match first among the newest 1,000 matches; ``total`` counts matches up to 1,000
    (``capped`` is true when there are more); without ``q`` the filtered notices newest first. ``title_html`` and
    ``snippet_html`` are escaped HTML with the matches in ``<mark>``."""
    raw = {k: v for k, v in params.dict().items() if v is not None}
    raw["from"] = raw.pop("date_from", "")
    raw["to"] = raw.pop("date_to", "")
    filters = selectors.filters_from({k: str(v) for k, v in raw.items()})
    result = selectors.notice_search(params.q[:100], filters, params.page)
    return {
        "query": result.query,
        "total": result.total,
        "capped": result.capped,
        "page": result.page,
        "pages": result.pages,
        "results": [
            {
                "number": h.notice.number,
                "title": h.notice.title,
                "kind": h.notice.kind,
                "project_code": h.notice.project.code,
                "project_name": h.notice.project.name,
                "category": h.notice.project.category,
                "region_code": h.notice.project.region_code,
                "published_at": h.notice.published_at,
                "url": f"/notices/{h.notice.number}/",
                "title_html": h.title_html,
                "snippet_html": h.snippet_html,
            }
            for h in result.hits
        ],
    }
