"""The JSON API under /api/ (django-ninja). Each app contributes a thin router from its api.py."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, ValidationError

import ggzy
from ggzy.core import clock
from ggzy.core.errors import DomainError

api = NinjaAPI(
    title="山西省公共资源交易平台 API",
    version="1.0",
    description=(
        "公共资源交易平台的数据接口。错误统一返回 "
        '`{"code": 稳定的错误代码, "message": 中文说明, "field": 出错字段, "errors": [...]}`。'
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    errors: list[dict] = []


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def schema_error(request: HttpRequest, exc: ValidationError):
    errors = []
    for e in exc.errors:
        loc = [str(p) for p in e.get("loc", []) if p not in ("body", "payload", "query", "path")]
        field = ".".join(loc) or None
        kind = e.get("type", "")
        if kind == "missing":
            msg = f"缺少必填字段“{field}”"
            code = "field.required"
        else:
            msg = f"字段“{field}”格式不正确（{e.get('msg', '')}）"
            code = "field.invalid"
        errors.append({"code": code, "message": msg, "field": field})
    first = errors[0] if errors else {"code": "field.invalid", "message": "请求格式不正确", "field": None}
    body = {
        "code": first["code"],
        "message": "；".join(e["message"] for e in errors) or first["message"],
        "field": first["field"],
        "errors": errors,
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request,
        {"code": "auth.required", "message": "请先登录或提供有效的访问令牌", "field": None, "errors": []},
        status=401,
    )


@api.exception_handler(MultiPartParserError)
def multipart_error(request: HttpRequest, exc: MultiPartParserError):
    # a multipart body without a boundary, or a broken one: the client's request, not a server error
    return api.create_response(
        request,
        {"code": "request.multipart_invalid", "message": "上传的表单数据格式不正确（multipart 边界缺失或损坏），请重新上传",
         "field": None, "errors": []},
        status=400,
    )  # fmt: skip


class HealthOut(Schema):
    status: str
    version: str
    database: str
    time: str
    accelerated_clock: bool


@api.get("/health", response=HealthOut, tags=["平台"], summary="健康检查", auth=None)
def health(request: HttpRequest):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {
        "status": "ok",
        "version": ggzy.__version__,
        "database": connection.vendor,
        "time": clock.now().isoformat(),
        "accelerated_clock": clock.is_accelerated(),
    }


def _mount() -> None:
    from ggzy.accounts.api import router as accounts_router
    from ggzy.accounts.auth import api_auth
    from ggzy.auctions.api import router as auctions_router
    from ggzy.audit.api import router as audit_router
    from ggzy.core.api import router as core_router
    from ggzy.deposits.api import router as deposits_router
    from ggzy.entities.api import router as entities_router
    from ggzy.evaluation.api import router as evaluation_router
    from ggzy.experts.api import router as experts_router
    from ggzy.opendata.api import router as opendata_router
    from ggzy.portal.api import router as portal_router
    from ggzy.rules.api import router as rules_router
    from ggzy.supervision.api import router as supervision_router
    from ggzy.tendering.api import router as tendering_router
    from ggzy.trading.api import router as trading_router
    from ggzy.venues.api import router as venues_router

    # core and audit may not import accounts (import-linter): their routers get the platform's
    # auth (bearer token or a session past its second factor) here; public reads say auth=None.
    api.add_router("/core", core_router, auth=api_auth)
    api.add_router("/accounts", accounts_router)
    api.add_router("/entities", entities_router)
    api.add_router("/audit", audit_router, auth=api_auth)
    api.add_router("/rules", rules_router, auth=api_auth)  # public reads say auth=None
    api.add_router("/trading", trading_router, auth=api_auth)
    api.add_router("/supervision", supervision_router, auth=api_auth)
    api.add_router("/experts", experts_router, auth=api_auth)  # public reads say auth=None
    api.add_router("/venues", venues_router, auth=api_auth)  # public reads say auth=None
    api.add_router("/tendering", tendering_router)  # public reads say auth=None
    api.add_router("/deposits", deposits_router, auth=api_auth)  # the bank callback says auth=None
    api.add_router("/evaluation", evaluation_router, auth=api_auth)  # public reads say auth=None
    api.add_router("/auctions", auctions_router, auth=api_auth)  # public reads say auth=None
    api.add_router("/search", portal_router)  # public
    api.add_router("/opendata", opendata_router)  # public


_mount()
