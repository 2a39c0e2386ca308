"""API of the market-entity registry (thin: parse, call a selector or service, shape the answer)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from ggzy.accounts.auth import api_auth
from ggzy.core.pagination import Pages
from ggzy.entities import selectors, services
from ggzy.entities.schemas import (
    EntityDetailOut,
    EntityImportOut,
    EntityOut,
    EntityRegisterIn,
    EntityRevisionOut,
    EntityUpdateIn,
    UsccCheckOut,
)

router = Router(tags=["市场主体"])


def _anonymous(request: HttpRequest):
    """Last resort of the optional auth on public reads: the visitor is anonymous."""
    return AnonymousUser()


optional_auth = [*api_auth, _anonymous]


def _viewer(request: HttpRequest):
    auth = getattr(request, "auth", None)
    return auth if hasattr(auth, "is_authenticated") else AnonymousUser()


@router.get("/", response=list[EntityOut], auth=None, summary="市场主体名录（公开信息）")
@paginate(Pages, page_size=20)
def entity_list(request: HttpRequest, q: str = "", region: str = "", role: str = ""):
    """`q`: 名称或统一社会信用代码包含; `region`: 区划代码（140000 全省, 140100 太原市）; `role`: 交易角色代码."""
    return selectors.public_list(selectors.entity_search(q=q, region=region, role=role))


@router.get("/uscc-check", response=UsccCheckOut, auth=None, summary="校验统一社会信用代码")
def uscc_check(request: HttpRequest, code: str = ""):
    """Every problem with its stable code and a Chinese message; a valid code is explained part by part."""
    result = selectors.uscc_check(code)
    return {
        "code": result.code,
        "valid": result.valid,
        "problems": [p.as_dict() for p in result.problems],
        "parts": result.parts,
        "registered": result.registered,
    }


@router.post("/", response={201: EntityDetailOut}, auth=api_auth, summary="窗口代为注册市场主体")
def entity_register(request: HttpRequest, payload: EntityRegisterIn):
    entity = services.entity_register(data=payload.dict(), actor=request.auth)
    return Status(201, selectors.entity_detail(entity, request.auth))


@router.post("/import", response=EntityImportOut, auth=api_auth, summary="批量导入市场主体（CSV或Excel）")
def entity_import(request: HttpRequest, file: UploadedFile = File(...)):  # noqa: B008
    """All or nothing: with any bad row, 422 `entity.import_invalid` and `details.report` row by row."""
    result = services.entity_import(file=file.read(), filename=file.name or "", actor=request.auth)
    return {"count": result.count, "sm3": result.digest, "usccs": result.usccs}


@router.get("/{uscc}", response=EntityDetailOut, auth=optional_auth, summary="市场主体详情")
def entity_detail(request: HttpRequest, uscc: str):
    """Public fields for everyone; `confidential` only for those allowed to see it."""
    return selectors.entity_detail(selectors.entity_get(uscc), _viewer(request))


@router.patch("/{uscc}", response=EntityDetailOut, auth=api_auth, summary="修改市场主体信息")
def entity_update(request: HttpRequest, uscc: str, payload: EntityUpdateIn):
    changes = payload.dict(exclude_unset=True)
    expected = changes.pop("expected_version", None)
    entity = services.entity_update(
        entity=selectors.entity_get(uscc), changes=changes, expected_version=expected, actor=request.auth
    )
    return selectors.entity_detail(entity, request.auth)


@router.get("/{uscc}/revisions", response=list[EntityRevisionOut], auth=api_auth, summary="市场主体变更记录")
def entity_revisions(request: HttpRequest, uscc: str):
    return list(selectors.entity_revisions(selectors.entity_get(uscc), request.auth))
