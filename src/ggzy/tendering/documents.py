"""Tender documents (issue 4 item 2): published with the lot's notice, downloaded by entities, each
download recorded per entity; supervisors see who downloaded, other bidders and the public never do.

Services (writes, atomic, audited) and selectors (reads with their access checks) of the documents,
kept apart from ``services.py`` (bids, receipts and the opening), which is at its size limit.

Law: 招标投标法第二十二条 (the tenderer must not disclose who obtained the documents);
电子招标投标办法第二十二条 (documents published on the platform with the notice, downloaded
free of charge) and 第二十三条 (the platform records the downloads).
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from typing import Any

from django.db import transaction

from ggzy.audit import services as audit
from ggzy.core import clock
from ggzy.core.errors import Conflict, FieldError, NotFound, PermissionDenied, invalid
from ggzy.core.permissions import allowed, require
from ggzy.crypto import platform, sm
from ggzy.tendering import storage
from ggzy.tendering.models import DocumentDownload, TenderDocument

MAX_SIZE = 200 << 20  # 200 MB
SIGNED_PREFIX = "GGZY-DOCUMENT-SM3:"
_BAD_NAME = re.compile(r"[\\/\x00-\x1f]")


def _label(actor: Any) -> str:
    return getattr(actor, "display_name", "") or getattr(actor, "username", "") or str(actor)


def _dir(lot_code: str) -> Path:
    return storage.root() / "documents" / lot_code


@transaction.atomic
def document_publish(*, lot: Any, name: str, filename: str, data: bytes, actor: Any) -> TenderDocument:
    """Publish a tender document of ``lot`` (the service center's operator). The file is written
    atomically (temporary file, fsync, rename) before the row commits; its SM3 is signed by the
    platform. Refused after the bid deadline (the documents must be available the whole period)."""
    from ggzy.tendering.services import bid_deadline

    require(actor, "trade.operate", lot)
    name, filename = (name or "").strip(), Path((filename or "").strip()).name
    errors = []
    if not name or len(name) > 200 or _BAD_NAME.search(name):
        errors.append(FieldError("document.name_invalid", "请填写文件名称（200字以内）", "name"))
    if not filename or len(filename) > 200 or _BAD_NAME.search(filename):
        errors.append(FieldError("document.filename_invalid", "文件名无效", "file"))
    if not data:
        errors.append(FieldError("document.empty", "文件为空", "file"))
    elif len(data) > MAX_SIZE:
        errors.append(FieldError("document.too_large", "文件不能超过200MB", "file"))
    if errors:
        raise invalid(errors, "招标文件")
    deadline = bid_deadline(lot)
    if deadline is None:
        raise PermissionDenied("document.not_sealed_bid", "本标段（包）的交易方式不发布招标文件")
    if clock.now() >= deadline:
        raise Conflict("document.deadline_passed", "投标截止时间已过，不能再发布招标文件")
    digest = sm.sm3_hex(data)
    if TenderDocument.objects.filter(lot_id=lot.pk, sm3=digest).exists():
        raise Conflict("document.duplicate", "同一文件已经发布")
    d = _dir(lot.code)
    d.mkdir(parents=True, exist_ok=True)
    final = d / f"{digest}.bin"
    tmp = d / f".{digest}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, final)
    signature = base64.b64encode(platform.sign((SIGNED_PREFIX + digest).encode())).decode()
    doc = TenderDocument.objects.create(
        lot=lot,
        name=name,
        filename=filename,
        path=str(final.relative_to(storage.root())),
        size=len(data),
        sm3=digest,
        signature=signature,
        published_at=clock.now(),
        published_by_label=_label(actor),
    )
    audit.record(
        actor=actor,
        action="tender_document.publish",
        object_type="tender_document",
        object_id=doc.pk,
        summary={"lot": lot.code, "name": name, "sm3": digest, "size": len(data)},
        project_ref=lot.project.code,
    )
    return doc


@transaction.atomic
def document_download(
    *, document_id: int, actor: Any, client_ip: str | None = None
) -> tuple[TenderDocument, Path]:
    """A member of a market entity downloads a document: the download is recorded against its
    entity (who, when, from where) and the file's path returned. Others are refused."""
    from ggzy.entities import selectors as entity_selectors

    doc = TenderDocument.objects.select_related("lot__project").filter(pk=document_id).first()
    if doc is None:
        raise NotFound("document.not_found", "未找到该招标文件")
    entity = entity_selectors.entity_of_user(actor)
    if entity is None:
        raise PermissionDenied(
            "document.not_an_entity", "招标文件由市场主体的经办人登录后下载，下载记录保存在本单位名下"
        )
    DocumentDownload.objects.create(
        document=doc,
        entity=entity,
        user_id=actor.pk,
        user_label=_label(actor),
        at=clock.now(),
        client_ip=client_ip,
    )
    audit.record(
        actor=actor,
        action="tender_document.download",
        object_type="tender_document",
        object_id=doc.pk,
        summary={"lot": doc.lot.code, "sm3": doc.sm3},
        project_ref=doc.lot.project.code,
        entity_ref=entity.uscc,
    )
    return doc, storage.root() / doc.path


# --- selectors -----------------------------------------------------------------------------------------
def document_row(doc: TenderDocument) -> dict[str, Any]:
    return {"id": doc.pk, "lot": doc.lot.code, "name": doc.name, "filename": doc.filename, "size": doc.size,
            "sm3": doc.sm3, "signature": doc.signature, "published_at": doc.published_at}  # fmt: skip


def documents_of(lot: Any) -> list[dict[str, Any]]:
    """The lot's published documents (public: names, sizes, digests and the platform's signatures)."""
    return [document_row(d) for d in TenderDocument.objects.filter(lot_id=lot.pk).select_related("lot")]


def can_see_downloads(actor: Any, lot: Any) -> bool:
    """Supervision and oversight only: the supervising department (``trade.supervise``) and those
    who may read the audit trail (``audit.view``: supervisors, inspectors, auditors), where the
    downloads are recorded anyway. Not the service center's operators, although they read other
    confidential trade data: who holds the documents must stay unknown to anyone running the
    trade (招标投标法第二十二条: the names and number of potential bidders are not disclosed)."""
    return allowed(actor, "trade.supervise", lot) or allowed(actor, "audit.view", lot)


def downloads_of(lot: Any, actor: Any) -> list[dict[str, Any]]:
    """Who downloaded the lot's documents, per entity (supervision and oversight only)."""
    if not can_see_downloads(actor, lot):
        raise PermissionDenied(
            "document.downloads_forbidden", "招标文件的下载记录只有监督人员可以查看（招标投标法第二十二条）"
        )
    rows = (
        DocumentDownload.objects.filter(document__lot_id=lot.pk)
        .select_related("document", "entity")
        .order_by("at", "id")
    )
    return [
        {
            "document": r.document.name,
            "sm3": r.document.sm3,
            "uscc": r.entity.uscc,
            "entity": r.entity.name,
            "user": r.user_label,
            "at": r.at,
            "client_ip": r.client_ip or "",
        }
        for r in rows
    ]


def verify_signature(doc_sm3: str, signature_b64: str) -> bool:
    """Anyone's check of a document's digest with the platform's public key."""
    try:
        return platform.public_key().verify(
            base64.b64decode(signature_b64), (SIGNED_PREFIX + doc_sm3).encode()
        )
    except (ValueError, TypeError):
        return False
