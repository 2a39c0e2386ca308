"""API of the rules app (thin). Reads are public; defining an "other" procedure is for the
platform administrator (the router is mounted with the platform's auth in ``ggzy.api``)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from ggzy.rules import present, scope, selectors, services, validate
from ggzy.rules.schemas import (
    RuleSetDetailOut,
    RuleSetOtherIn,
    RuleSetOut,
    RuleSetSummaryOut,
    ScopeOut,
)

router = Router(tags=["交易规则"])


@router.get("/", response=list[RuleSetSummaryOut], auth=None, summary="全部交易规则（今天施行的版本）")
def ruleset_list(request: HttpRequest):
    out = []
    for p in selectors.published():
        shown = p.current or p.latest
        out.append(
            {
                "code": shown.code,
                "category": shown.category,
                "category_label": validate.CATEGORIES[shown.category],
                "name": shown.name,
                "mechanism": p.ruleset.mechanism,
                "version": shown.version,
                "effective_from": shown.effective_from,
                "in_force": p.current is not None,
                "latest_version": p.latest.version,
                "upcoming_effective_from": p.upcoming.effective_from if p.upcoming else None,
                "digest": shown.digest,
                "unconfirmed": len(p.ruleset.unconfirmed()),
            }
        )
    return out


@router.get("/scope", response=ScopeOut, auth=None, summary="必须进入平台交易的项目范围和规模标准")
def scope_show(request: HttpRequest):
    s = scope.default_scope()
    return {
        "thresholds": [
            {
                "item_kind": t.item_kind,
                "label": t.label,
                "amount": str(t.amount),
                "amount_wan": scope.wan(t.amount),
            }
            for t in s.thresholds.values()
        ],
        "threshold_basis": present.citation(s.threshold_citation),
        "scope_flag": s.scope_flag,
        "scope_basis": [present.citation(c) for c in s.scope_basis],
        "categories": s.category_reasons,
        "splitting": {
            "window_days": s.window_days,
            "ratio": str(s.ratio),
            "basis": present.citation(s.splitting_basis),
        },
    }


@router.post("/other", response={201: RuleSetOut}, summary="定义其他公共资源的交易方式（平台管理员）")
def ruleset_define_other(request: HttpRequest, payload: RuleSetOtherIn):
    """选择交易机制（sealed_bids 密封投标 / auction 竞价）并设定各期限；阶段、评审方法和最少人数未填写时按机制取默认值。
    未通过校验的规则集不会保存，返回每一处错误及其代码。"""
    data = payload.dict(exclude_none=True)
    if "effective_from" in data:
        data["effective_from"] = data["effective_from"].isoformat()
    row = services.ruleset_define_other(data=data, actor=request.user)
    return Status(201, present.ruleset(selectors.to_ruleset(row), row))


@router.get("/{code}", response=RuleSetDetailOut, auth=None, summary="一项交易规则：今天施行的版本和全部版本")
def ruleset_detail(request: HttpRequest, code: str):
    p = selectors.published_one(code)
    shown = p.current or p.latest
    return {
        "current": present.ruleset(p.ruleset, shown),
        "versions": [present.version(r) for r in selectors.version_rows(code)],
    }


@router.get("/{code}/versions/{version}", response=RuleSetOut, auth=None, summary="交易规则的某一版本")
def ruleset_version(request: HttpRequest, code: str, version: int):
    row = selectors.version_row(code, version)
    return present.ruleset(selectors.to_ruleset(row), row)
