"""API of trade projects and lots (thin: parse, call a selector or service, shape the answer).

Mounted with the platform's auth (``api_auth``); public reads say ``auth=None``.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from ggzy.core.pagination import Pages
from ggzy.trading import selectors, services
from ggzy.trading.models import Notice, Project
from ggzy.trading.schemas import (
    LotAddIn,
    LotOut,
    LotScheduleIn,
    LotTransitionIn,
    NoticeAmendIn,
    NoticeOut,
    NoticePublishIn,
    ProjectDetailOut,
    ProjectOut,
    ProjectRegisterIn,
)

router = Router(tags=["交易项目"])


def project_out(p: Project) -> dict:
    return {
        "code": p.code,
        "tender_code": p.tender_code,
        "name": p.name,
        "category": p.category,
        "category_label": p.get_category_display(),
        "ruleset_code": p.ruleset_code,
        "ruleset_version": p.ruleset_version,
        "ruleset_name": p.ruleset_name,
        "region_code": p.region_code,
        "tenderer_uscc": p.tenderer_uscc,
        "tenderer_name": p.tenderer_name,
        "agency_uscc": p.agency_uscc,
        "agency_name": p.agency_name,
        "service_center": p.service_center.name,
        "estimate": p.estimate,
        "item_kind": p.item_kind,
        "public_funded": p.public_funded,
        "mandatory": p.mandatory,
        "mandatory_basis": p.mandatory_basis,
        "acceleration": p.acceleration,
        "status": p.status,
        "status_label": p.get_status_display(),
        "registered_at": p.registered_at,
    }


def project_detail_out(p: Project) -> dict:
    detail = selectors.project_detail(p)
    return {**project_out(p), "lots": detail["lots"]}


def lot_out(project: Project, code: str) -> dict:
    for row in project_detail_out(project)["lots"]:
        if row["code"] == code:
            return row
    raise AssertionError(code)


@router.get("/projects", response=list[ProjectOut], auth=None, summary="交易项目列表（公开）")
@paginate(Pages, page_size=20)
def project_list(request: HttpRequest, category: str = "", region: str = "", status: str = "", q: str = ""):
    """`category`: 交易类别; `region`: 区划代码（140000 全省, 140100 太原市）; `status`: registered | trading | closed."""
    return [
        project_out(p) for p in selectors.project_search(category=category, region=region, status=status, q=q)
    ]


@router.post("/projects", response={201: ProjectDetailOut}, summary="登记交易项目")
def project_register(request: HttpRequest, payload: ProjectRegisterIn):
    data = payload.dict()
    data["lots"] = [lot for lot in data.get("lots") or []]
    project = services.project_register(data=data, actor=request.auth)
    return Status(201, project_detail_out(project))


@router.get(
    "/projects/{code}", response=ProjectDetailOut, auth=None, summary="交易项目详情（含标段及状态变更记录）"
)
def project_detail(request: HttpRequest, code: str):
    return project_detail_out(selectors.project_get(code))


@router.post("/projects/{code}/lots", response={201: LotOut}, summary="增加标段（包）")
def lot_add(request: HttpRequest, code: str, payload: LotAddIn):
    project = selectors.project_get(code)
    lot = services.lot_add(project=project, data=payload.dict(), actor=request.auth)
    return Status(201, lot_out(project, lot.code))


@router.post("/lots/{code}/transition", response=LotOut, summary="变更标段（包）状态")
def lot_transition(request: HttpRequest, code: str, payload: LotTransitionIn):
    """Only moves in the procedure's transition table; `expected_version` guards against lost updates (409)."""
    lot = services.lot_transition(
        lot=selectors.lot_get(code),
        to=payload.to,
        reason=payload.reason,
        actor=request.auth,
        expected_version=payload.expected_version,
    )
    return lot_out(lot.project, lot.code)


@router.post("/lots/{code}/schedule", response=LotOut, summary="确定标段（包）时间安排")
def lot_schedule(request: HttpRequest, code: str, payload: LotScheduleIn):
    """`anchors`: 时间节点 -> 时间（如 documents_issued、bid_deadline）；违反法定期间的返回 422 并引用条文。"""
    lot = services.lot_schedule(lot=selectors.lot_get(code), anchors=payload.anchors, actor=request.auth)
    return lot_out(lot.project, lot.code)


def notice_out(n: Notice) -> dict:
    return {
        "number": n.number,
        "kind": n.kind,
        "kind_label": n.get_kind_display(),
        "title": n.title,
        "project": n.project.code,
        "lot": n.lot.code if n.lot else None,
        "amends": n.amends.number if n.amends else None,
        "amendments": [a.number for a in selectors.notice_amendments(n)],
        "data": n.data,
        "body_html": n.body_html,
        "published_at": n.published_at,
        "published_by": n.published_by_label,
        "fairness_findings": n.fairness_findings,
        "fairness_overrides": n.fairness_overrides,
    }


@router.get("/notices", response=list[NoticeOut], auth=None, summary="公告列表（公开）")
@paginate(Pages, page_size=20)
def notice_list(request: HttpRequest, kind: str = "", category: str = "", region: str = ""):
    return [
        notice_out(n) for n in selectors.notice_search(kind=kind, category=category, region=region)[:1000]
    ]


@router.post("/notices", response={201: NoticeOut}, summary="发布公告（含公平竞争审查）")
def notice_publish(request: HttpRequest, payload: NoticePublishIn):
    """公平竞争审查发现的条款须修改或在 `overrides` 中逐条说明理由（code + reason），否则返回 422 notice.fairness。"""
    project = selectors.project_get(payload.project)
    lot = selectors.lot_get(payload.lot) if payload.lot else None
    notice = services.notice_publish(
        project=project,
        lot=lot,
        kind=payload.kind,
        data=payload.data,
        free_text=payload.free_text,
        overrides=payload.overrides,
        actor=request.auth,
    )
    return Status(201, notice_out(notice))


@router.get("/notices/{number}", response=NoticeOut, auth=None, summary="公告详情（公开）")
def notice_detail(request: HttpRequest, number: str):
    return notice_out(selectors.notice_get(number))


@router.post("/notices/{number}/amend", response={201: NoticeOut}, summary="发布更正（澄清）公告")
def notice_amend(request: HttpRequest, number: str, payload: NoticeAmendIn):
    notice = services.notice_amend(
        notice=selectors.notice_get(number),
        data=payload.data,
        affects_preparation=payload.affects_preparation,
        free_text=payload.free_text,
        kind=payload.kind,
        overrides=payload.overrides,
        actor=request.auth,
    )
    return Status(201, notice_out(notice))
