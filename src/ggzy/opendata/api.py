"""Open data API (public, no login): the changes feed, OCDS packages, national-spec rows, the
sales dataset and the monthly bulk files."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router

from ggzy.opendata import selectors
from ggzy.opendata.schemas import BulkFileOut, ChangesOut

router = Router(tags=["开放数据"])


@router.get(
    "/changes",
    response=ChangesOut,
    auth=None,
    summary="变更订阅（按提交顺序，游标不跳不重）",
    description=(
        "返回游标之后的公开变更（项目登记、标段状态、公告发布与更正等），按提交顺序排列。"
        "首次不带 cursor；之后把返回的 next_cursor 原样传回。has_more 为 false 时可稍后再用同一游标轮询。"
        "游标无效返回 422，代码 changes.bad_cursor。"
    ),
)
def changes(request: HttpRequest, cursor: str | None = None, limit: int | None = Query(None)):
    page = selectors.changes(cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor, "has_more": page.has_more}


@router.get(
    "/ocds/records/{code}",
    response=dict[str, Any],
    auth=None,
    summary="项目的OCDS记录包（工程建设、政府采购）",
)
def ocds_record(request: HttpRequest, code: str):
    return selectors.project_record_package(code)


@router.get(
    "/ocds/releases/{code}",
    response=dict[str, Any],
    auth=None,
    summary="项目的OCDS发布包（登记及每份公告各一个发布）",
)
def ocds_releases(request: HttpRequest, code: str):
    return selectors.project_release_package(code)


@router.get(
    "/national/{code}",
    response=dict[str, Any],
    auth=None,
    summary="项目的全国公共资源交易数据规范数据行（按表名分组）",
)
def national_rows(request: HttpRequest, code: str):
    return selectors.national_rows(code)


@router.get(
    "/sales/{code}",
    response=dict[str, Any],
    auth=None,
    summary="土地、矿业权、国有产权出让转让记录（本地数据集）",
)
def sale(request: HttpRequest, code: str):
    return selectors.sale_record(code)


def bulk_out(f: Any) -> dict[str, Any]:
    return {
        "month": f.month,
        "dataset": f.dataset,
        "dataset_label": f.get_dataset_display(),
        "filename": f.filename,
        "url": reverse("opendata:download", args=[f.month, f.dataset]),
        "size": f.size,
        "lines": f.lines,
        "sha256": f.sha256,
        "sm3": f.sm3,
        "generated_at": f.generated_at.isoformat(),
    }


@router.get("/downloads", response=list[BulkFileOut], auth=None, summary="按月批量下载文件列表")
def downloads(request: HttpRequest):
    return [bulk_out(f) for f in selectors.bulk_files()]
