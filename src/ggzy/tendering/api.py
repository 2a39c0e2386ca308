"""API of the tendering app: bidder keys, the platform key and the public receipt log (thin)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from ggzy.accounts.auth import api_auth
from ggzy.core.errors import NotFound
from ggzy.entities import selectors as entity_selectors
from ggzy.tendering import selectors, services
from ggzy.tendering.schemas import (
    BidderKeyOut,
    BidderKeyRegisterIn,
    BidderKeyRevokeIn,
    ConsistencyOut,
    InclusionOut,
    LogEntryOut,
    PlatformKeyOut,
    SthOut,
)

router = Router(tags=["电子投标：密钥与回执日志"])


def _key_out(k) -> dict:
    return {
        "fingerprint": k.fingerprint,
        "public_key_pem": k.public_key_pem,
        "label": k.label,
        "uscc": k.entity.uscc,
        "registered_at": k.registered_at,
        "active": k.active,
        "revoked_at": k.revoked_at,
        "revoke_reason": k.revoke_reason,
    }


class SthPagination(PageNumberPagination):
    page_size = 50


@router.get("/platform-key", response=PlatformKeyOut, auth=None, summary="平台签名公钥（SM2，PEM）")
def platform_key(request: HttpRequest):
    """回执和签名树头用这把公钥验证；`fingerprint` 是公钥 DER 编码的 SM3 摘要。"""
    k = selectors.platform_key()
    return {"pem": k.pem, "fingerprint": k.fingerprint, "algorithm": k.algorithm}


@router.get("/entities/{uscc}/keys", response=list[BidderKeyOut], auth=None, summary="市场主体登记的投标公钥")
def entity_keys(request: HttpRequest, uscc: str):
    """包括已撤销的公钥（历史保留）。公钥是公开的，私钥从不上传平台。"""
    entity = entity_selectors.entity_get(uscc)
    return [_key_out(k) for k in selectors.keys_of(entity).select_related("entity")]


@router.post("/keys", response={201: BidderKeyOut}, auth=api_auth, summary="登记本主体的投标公钥")
def key_register(request: HttpRequest, payload: BidderKeyRegisterIn):
    entity = entity_selectors.entity_get(payload.uscc)
    row = services.bidder_key_register(
        entity=entity, public_key_pem=payload.public_key_pem, label=payload.label, actor=request.auth
    )
    return Status(201, _key_out(row))


@router.post("/keys/{fingerprint}/revoke", response=BidderKeyOut, auth=api_auth, summary="撤销投标公钥")
def key_revoke(request: HttpRequest, fingerprint: str, payload: BidderKeyRevokeIn):
    row = services.bidder_key_revoke(
        key=selectors.bidder_key_get(fingerprint), reason=payload.reason, actor=request.auth
    )
    return _key_out(row)


@router.get("/receipt-log/sth", response=SthOut, auth=None, summary="最新的签名树头")
def sth_latest(request: HttpRequest):
    sth = selectors.sth_latest()
    if sth is None:
        raise NotFound("receipt_log.empty", "回执日志还没有条目")
    return selectors.sth_document(sth)


@router.get("/receipt-log/sth/history", response=list[SthOut], auth=None, summary="签名树头历史（新的在前）")
@paginate(SthPagination)
def sth_history(request: HttpRequest):
    return selectors.sth_history()


@router.get("/receipt-log/sth/{tree_size}", response=SthOut, auth=None, summary="某一树大小的签名树头")
def sth_get(request: HttpRequest, tree_size: int):
    return selectors.sth_document(selectors.sth_get(tree_size))


@router.get(
    "/receipt-log/entries/{position}", response=LogEntryOut, auth=None, summary="回执日志条目（公开叶子）"
)
def entry_get(request: HttpRequest, position: int):
    return selectors.entry_get(position=position)


@router.get("/receipt-log/inclusion", response=InclusionOut, auth=None, summary="包含证明")
def inclusion(
    request: HttpRequest, position: int | None = None, leaf_hash: str = "", tree_size: int | None = None
):
    """按位置 `position` 或叶子哈希 `leaf_hash` 查找条目，给出它在树大小 `tree_size`（默认最新）中的审计路径。"""
    inc = selectors.inclusion(position=position, leaf_hash=leaf_hash, tree_size=tree_size)
    return {
        "position": inc.entry.position,
        "leaf_hash": inc.entry.leaf_hash,
        "leaf": inc.entry.leaf,
        "tree_size": inc.tree_size,
        "proof": inc.proof,
        "sth": selectors.sth_document(inc.sth),
    }


@router.get("/receipt-log/consistency", response=ConsistencyOut, auth=None, summary="一致性证明")
def consistency(request: HttpRequest, first: int, second: int | None = None):
    """证明树大小 `second`（默认最新）的日志是树大小 `first` 的日志只追加、未改写的延续。"""
    c = selectors.consistency(first, second)
    return {
        "first": c.first.tree_size,
        "second": c.second.tree_size,
        "proof": c.proof,
        "first_sth": selectors.sth_document(c.first),
        "second_sth": selectors.sth_document(c.second),
    }
