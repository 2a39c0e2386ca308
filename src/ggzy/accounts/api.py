"""API for accounts (thin: parse, call a selector or service, shape the answer)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from ggzy.accounts import selectors
from ggzy.accounts.auth import api_auth, session_auth
from ggzy.accounts.schemas import MeOut, TokenIssuedOut, TokenIssueIn, TokenOut
from ggzy.accounts.services import token_issue, token_revoke

router = Router(tags=["账户"])

_ORG_TYPES = {
    "ServiceCenter": "service_center",
    "Department": "department",
    "OversightBody": "oversight_body",
}


@router.get("/me", response=MeOut, auth=api_auth, summary="当前账户")
def me(request: HttpRequest):
    user = request.user
    org = selectors.user_org(user)
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "role_label": user.get_role_display(),
        "organisation": None
        if org is None
        else {
            "type": _ORG_TYPES[type(org).__name__],
            "id": org.pk,
            "name": org.name,
            "region_code": org.region_id,
        },
        "scope": selectors.user_scope(user),
        "second_factor_enrolled": user.totp_confirmed,
        "via_token": bool(getattr(request, "ggzy_api_token", False)),
    }


@router.get("/tokens", response=list[TokenOut], auth=api_auth, summary="我的访问令牌")
def tokens(request: HttpRequest):
    return list(selectors.tokens_of(request.user))


@router.post(
    "/tokens",
    response={201: TokenIssuedOut},
    auth=session_auth,  # a token cannot mint tokens: issue them from a fully logged-in session
    summary="签发访问令牌（令牌只返回这一次）",
)
def token_create(request: HttpRequest, payload: TokenIssueIn):
    token, raw = token_issue(
        user=request.user, name=payload.name, expires_in_days=payload.expires_in_days, actor=request.user
    )
    out = TokenOut.from_orm(token).dict()
    return Status(201, {**out, "token": raw})


@router.delete("/tokens/{token_id}", response=TokenOut, auth=api_auth, summary="吊销访问令牌")
def token_delete(request: HttpRequest, token_id: int):
    return token_revoke(token=token_id, actor=request.user)
