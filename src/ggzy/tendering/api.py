"""API of the tendering app: bidder keys, the platform key and the public receipt log (thin)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from ggzy.accounts.auth import api_auth
from ggzy.core.errors import InvalidInput, NotFound
from ggzy.core.pagination import Pages
from ggzy.entities import selectors as entity_selectors
from ggzy.tendering import selectors, services
from ggzy.tendering.schemas import (
    BidderKeyOut,
    BidderKeyRegisterIn,
    BidderKeyRevokeIn,
    BidOut,
    ConsistencyOut,
    DecryptIn,
    DocumentDownloadOut,
    EvidenceOut,
    HallOut,
    InclusionOut,
    LogEntryOut,
    OpenedBidOut,
    PlatformKeyOut,
    SthOut,
    TenderDocumentOut,
    UploadCreateIn,
    UploadOut,
)
from ggzy.trading import selectors as trading_selectors

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
@paginate(Pages, page_size=50)
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


# --- sealed bids (docs/tendering.md) -------------------------------------------------------------
def _upload_out(u) -> dict:
    from ggzy.tendering import storage

    return {
        "token": u.token,
        "lot": u.lot.code,
        "size": u.size,
        "chunk_size": u.chunk_size,
        "chunks": services.chunk_count(u),
        "received": storage.received(u.token) if u.status == "open" else [],
        "status": u.status,
    }


def _bid_out(b) -> dict:
    return {
        "lot": b.lot.code,
        "uscc": b.entity.uscc,
        "version": b.version,
        "status": b.status,
        "status_label": b.get_status_display(),
        "ciphertext_sm3": b.ciphertext_sm3,
        "size": b.size,
        "received_at": b.received_at,
        "receipt": b.receipt,
        "withdrawal_receipt": b.withdrawal_receipt or {},
        "decrypted_at": b.decrypted_at,
        "summary": b.summary or {},
        "problem": b.problem,
    }


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@router.post(
    "/lots/{lot}/uploads", response={201: UploadOut}, auth=api_auth, summary="开始上传加密投标文件（可续传）"
)
def upload_create(request: HttpRequest, lot: str, payload: UploadCreateIn):
    """申报文件大小、密文SM3摘要、投标人签名和公钥指纹；之后按序号 PUT 各分块，最后提交。"""
    u = services.bid_upload_create(
        lot=trading_selectors.lot_get(lot),
        key_fingerprint=payload.key_fingerprint,
        size=payload.size,
        ciphertext_sm3=payload.ciphertext_sm3,
        signature=payload.signature,
        chunk_size=payload.chunk_size,
        device=payload.device,
        document=payload.document,
        client_ip=_ip(request),
        actor=request.auth,
    )
    return Status(201, _upload_out(u))


@router.get("/uploads/{token}", response=UploadOut, auth=api_auth, summary="上传进度（已收到的分块）")
def upload_status(request: HttpRequest, token: str):
    return _upload_out(services.upload_get(token, request.auth))


@router.put(
    "/uploads/{token}/chunks/{index}", response=UploadOut, auth=api_auth, summary="上传一个分块（可重复）"
)
def upload_chunk(request: HttpRequest, token: str, index: int):
    """请求体为该分块的原始字节（application/octet-stream）。同一分块重复上传不影响结果。"""
    u = services.upload_get(token, request.auth)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > services.MAX_UPLOAD_CHUNK:
        raise InvalidInput("bid.chunk_size_mismatch", "分块过大", field="index")
    data = request.read(length) if length else b""
    services.bid_chunk_put(upload=u, index=index, data=data, actor=request.auth)
    return _upload_out(u)


@router.post(
    "/uploads/{token}/commit", response={201: BidOut}, auth=api_auth, summary="提交投标文件，取得回执"
)
def upload_commit(request: HttpRequest, token: str):
    """服务器按自己的时钟检查投标截止时间，校验文件格式、摘要和签名、保证金，保存文件并返回平台签名的回执。"""
    u = services.upload_get(token, request.auth)
    bid = services.bid_upload_commit(upload=u, client_ip=_ip(request), actor=request.auth)
    return Status(201, _bid_out(bid))


@router.post("/lots/{lot}/withdraw", response=BidOut, auth=api_auth, summary="撤回投标文件（截止前）")
def bid_withdraw(request: HttpRequest, lot: str):
    return _bid_out(services.bid_withdraw(lot=trading_selectors.lot_get(lot), actor=request.auth))


@router.get("/bids", response=list[BidOut], auth=api_auth, summary="本单位的投标文件和回执")
def my_bids(request: HttpRequest, lot: str = ""):
    entity = services._bidder_entity(request.auth)
    lt = trading_selectors.lot_get(lot) if lot else None
    return [_bid_out(b) for b in selectors.bids_of(entity, lt).select_related("entity")]


@router.post("/lots/{lot}/decrypt", response=BidOut, auth=api_auth, summary="开标解密（提交内容密钥）")
def bid_decrypt(request: HttpRequest, lot: str, payload: DecryptIn):
    """投标人客户端用自己的私钥解开数字信封，只提交16字节的内容密钥（私钥从不离开本单位）。"""
    bid = services.bid_decrypt(
        lot=trading_selectors.lot_get(lot), content_key=payload.content_key, actor=request.auth
    )
    return _bid_out(bid)


@router.get("/lots/{lot}/opening", response=HallOut, auth=None, summary="开标大厅状态")
def opening_state(request: HttpRequest, lot: str):
    return selectors.hall_state(trading_selectors.lot_get(lot))


@router.get(
    "/lots/{lot}/opened-bids", response=list[OpenedBidOut], auth=None, summary="开标记录（开标后公开）"
)
def opened_bids(request: HttpRequest, lot: str):
    return selectors.opened_bids(trading_selectors.lot_get(lot))


@router.get(
    "/lots/{lot}/evidence", response=list[EvidenceOut], auth=api_auth, summary="投标监督信息（仅监督人员）"
)
def evidence(request: HttpRequest, lot: str):
    return selectors.bid_evidence(trading_selectors.lot_get(lot), request.auth)


# --- tender documents (docs/tendering.md "Tender documents") ------------------------------------------
@router.get(
    "/lots/{lot}/documents",
    response=list[TenderDocumentOut],
    auth=None,
    summary="招标文件（名称、SM3与平台签名）",
)
def documents(request: HttpRequest, lot: str):
    from ggzy.tendering import documents as docs

    return docs.documents_of(trading_selectors.lot_get(lot))


@router.post(
    "/lots/{lot}/documents",
    response={201: TenderDocumentOut},
    auth=api_auth,
    summary="发布招标文件（交易中心经办人）",
)
def document_publish(request: HttpRequest, lot: str, name: Form[str], file: UploadedFile = File(...)):  # noqa: B008
    from ggzy.tendering import documents as docs

    doc = docs.document_publish(
        lot=trading_selectors.lot_get(lot),
        name=name,
        filename=file.name or "",
        data=file.read(),
        actor=request.auth,
    )
    return Status(201, docs.document_row(doc))


@router.get("/documents/{document_id}/file", auth=api_auth, summary="下载招标文件（下载记录计入本单位）")
def document_file(request: HttpRequest, document_id: int):
    """The file itself; the download is recorded against the caller's entity (supervisors see it)."""
    from django.http import FileResponse

    from ggzy.tendering import documents as docs

    doc, path = docs.document_download(document_id=document_id, actor=request.auth, client_ip=_ip(request))
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=doc.filename)  # noqa: SIM115
    response["X-Content-SM3"] = doc.sm3
    return response


@router.get(
    "/lots/{lot}/document-downloads",
    response=list[DocumentDownloadOut],
    auth=api_auth,
    summary="招标文件下载记录（仅监督人员）",
)
def document_downloads(request: HttpRequest, lot: str):
    from ggzy.tendering import documents as docs

    return docs.downloads_of(trading_selectors.lot_get(lot), request.auth)
