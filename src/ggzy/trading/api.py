"""API of trade projects and lots (thin: parse, call a selector or service, shape the answer).

Mounted with the platform's auth (``api_auth``); public reads say ``auth=None``.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from ggzy.trading import selectors, services
from ggzy.trading.models import Project
from ggzy.trading.schemas import (
    LotAddIn,
    LotOut,
    LotTransitionIn,
    ProjectDetailOut,
    ProjectOut,
    ProjectRegisterIn,
)

router = Router(tags=["交易项目"])


class ProjectPagination(PageNumberPagination):
    page_size = 20


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
@paginate(ProjectPagination)
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
