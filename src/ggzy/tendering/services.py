"""Writes of the tendering app: bidder keys and the receipt log. Each is atomic and audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from ggzy.audit import services as audit
from ggzy.core import clock, uscc
from ggzy.core.errors import Conflict, FieldError, PermissionDenied, invalid
from ggzy.crypto import merkle, platform, sm2
from ggzy.tendering import receiptlog, selectors
from ggzy.tendering.models import BidderKey, ReceiptLogEntry, ReceiptLogHead, ReceiptLogNode, SignedTreeHead

MAX_ACTIVE_KEYS = 5
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


# --- bidder keys ---------------------------------------------------------------------------------
def _require_manager(actor: Any, entity: Any) -> None:
    if not selectors.can_manage_keys(actor, entity):
        raise PermissionDenied("bidder_key.forbidden", "只有本主体的管理员可以登记或撤销本主体的投标公钥")


def parse_public_key(pem: str) -> sm2.PublicKey:
    """An SM2 public key from PEM text, or InvalidInput with a Chinese message."""
    text = (pem or "").strip()
    if not text:
        raise invalid([FieldError("bidder_key.required", "请提供SM2公钥（PEM格式）", "public_key_pem")])
    if "PRIVATE KEY" in text:
        raise invalid(
            [
                FieldError(
                    "bidder_key.private_key",
                    "您提交的是私钥！私钥只能保存在本单位，请勿上传；请只提交公钥（-----BEGIN PUBLIC KEY-----）",
                    "public_key_pem",
                )
            ]
        )
    try:
        return sm2.load_public_key(text)
    except sm2.KeyFormatError as exc:
        raise invalid(
            [FieldError("bidder_key.invalid", f"不是有效的SM2公钥（PEM格式）：{exc}", "public_key_pem")]
        ) from exc


def bidder_key_register(*, entity: Any, public_key_pem: str, label: str = "", actor: Any) -> BidderKey:
    """Register ``entity``'s SM2 public key (its administrator only)."""
    _require_manager(actor, entity)
    key = parse_public_key(public_key_pem)
    label = (label or "").strip()
    if len(label) > 100:
        raise invalid([FieldError("bidder_key.label_too_long", "名称不能超过100个字", "label")])
    fingerprint = key.fingerprint()
    with transaction.atomic():
        existing = BidderKey.objects.select_for_update().filter(fingerprint=fingerprint).first()
        if existing is not None:
            if existing.entity_id != entity.pk:
                raise Conflict("bidder_key.taken", "该公钥已由其他市场主体登记，每个公钥只能属于一个主体")
            if existing.revoked_at is not None:
                raise Conflict(
                    "bidder_key.revoked", "该公钥已被撤销，撤销的公钥不能重新登记，请生成新的密钥对"
                )
            raise Conflict("bidder_key.duplicate", "该公钥已经登记")
        active = BidderKey.objects.filter(entity_id=entity.pk, revoked_at__isnull=True).count()
        if active >= MAX_ACTIVE_KEYS:
            raise Conflict(
                "bidder_key.too_many",
                f"每个主体最多同时登记{MAX_ACTIVE_KEYS}个有效公钥，请先撤销不再使用的公钥",
            )
        row = BidderKey.objects.create(
            entity_id=entity.pk,
            fingerprint=fingerprint,
            public_key_pem=key.to_pem(),
            label=label,
            registered_at=clock.now(),
            registered_by_id=getattr(actor, "pk", None),
        )
        audit.record(
            actor=actor,
            action="bidder_key.registered",
            object_type="bidder_key",
            object_id=row.pk,
            summary={"fingerprint": fingerprint, "label": label},
            entity_ref=entity.uscc,
        )
    return row


def bidder_key_revoke(*, key: BidderKey, reason: str, actor: Any) -> BidderKey:
    """Revoke a key (kept as history; bids sealed with it before stay verifiable)."""
    _require_manager(actor, key.entity)
    reason = (reason or "").strip()
    if not reason:
        raise invalid([FieldError("bidder_key.reason_required", "请填写撤销原因", "reason")])
    if len(reason) > 200:
        raise invalid([FieldError("bidder_key.reason_too_long", "撤销原因不能超过200个字", "reason")])
    with transaction.atomic():
        row = BidderKey.objects.select_for_update().get(pk=key.pk)
        if row.revoked_at is not None:
            raise Conflict("bidder_key.already_revoked", "该公钥已经撤销")
        row.revoked_at = clock.now()
        row.revoked_by_id = getattr(actor, "pk", None)
        row.revoke_reason = reason
        row.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit.record(
            actor=actor,
            action="bidder_key.revoked",
            object_type="bidder_key",
            object_id=row.pk,
            summary={"fingerprint": row.fingerprint, "reason": reason},
            entity_ref=row.entity.uscc,
        )
    return row


# --- the receipt log -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Appended:
    receipt: dict[str, Any]  # signed, for the bidder
    sth: dict[str, Any]  # signed tree head right after the append
    entry: ReceiptLogEntry


def _head_sql() -> tuple[str, str]:
    conn = transaction.get_connection()
    table = conn.ops.quote_name(ReceiptLogHead._meta.db_table)
    lock = " FOR UPDATE" if conn.features.has_select_for_update else ""  # SQLite: BEGIN IMMEDIATE
    return (
        f"SELECT size FROM {table} WHERE id = 1{lock}",
        f"UPDATE {table} SET size = %s, root_hash = %s WHERE id = 1",
    )


def _locked_size() -> int:
    """The log's size, its head row locked until the transaction ends (appends queue up here).

    Plain SQL, as the audit chain's head: the ORM's query building cost more than the statement.
    """
    select, _ = _head_sql()
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(select)
        row = cursor.fetchone()
        if row is None:  # a flushed test database; migration 0002 creates the row
            if ReceiptLogEntry.objects.exists():
                raise RuntimeError("回执日志头记录缺失而日志条目存在：请运行 ggzy receipts verify 核查")
            ReceiptLogHead.objects.get_or_create(
                pk=1, defaults={"size": 0, "root_hash": merkle.EMPTY_ROOT.hex()}
            )
            cursor.execute(select)
            row = cursor.fetchone()
    return int(row[0])


def _validate(kind: str, lot_code: str, bidder_uscc: str, ciphertext_sm3: str) -> tuple[str, str, str]:
    errors = []
    if kind not in receiptlog.KINDS:
        errors.append(FieldError("receipt.kind_invalid", f"回执类型“{kind}”不正确", "kind"))
    lot_code = (lot_code or "").strip()
    if not lot_code or len(lot_code) > 64 or ":" in lot_code:
        errors.append(FieldError("receipt.lot_invalid", "标段编号不能为空、不能超过64个字符", "lot_code"))
    code = uscc.normalise(bidder_uscc or "")
    if not uscc.is_valid(code):
        errors.append(FieldError("receipt.bidder_invalid", "投标人统一社会信用代码不正确", "bidder_uscc"))
    digest = (ciphertext_sm3 or "").strip().lower()
    if not _HEX64.match(digest):
        errors.append(FieldError("receipt.digest_invalid", "密文SM3摘要应为64位十六进制数", "ciphertext_sm3"))
    if errors:
        raise invalid(errors, "回执")
    return lot_code, code, digest


def receipt_append(
    *, lot_code: str, bidder_uscc: str, ciphertext_sm3: str, actor: Any, kind: str = "bid.submitted"
) -> Appended:
    """Append a receipt to the public log; returns the platform-signed receipt and the new STH.

    Serialised by the lock on the log head; the entry, the tree nodes, the signed tree head and the
    audit event commit together or not at all. The time received is the server clock's, taken
    under the lock, so positions and times increase together. Callers (bid submission) check their
    own permissions and deadlines; this service only records.
    """
    lot_code, bidder_uscc, ciphertext_sm3 = _validate(kind, lot_code, bidder_uscc, ciphertext_sm3)
    key = platform.signing_key()
    fingerprint = key.public_key.fingerprint()
    with transaction.atomic():
        position = _locked_size()
        received_at = clock.now()
        received_text = receiptlog.at_text(received_at)
        salt = sm2.random_bytes(16).hex()
        fields = {
            "kind": kind,
            "position": position,
            "received_at": received_text,
            "ciphertext_sm3": ciphertext_sm3,
            "lot": lot_code,
            "bidder": bidder_uscc,
            "salt": salt,
        }
        leaf = receiptlog.leaf_bytes(**fields)
        leaf_hash = merkle.leaf_hash(leaf)
        # one read for both the left siblings the append needs and the subtrees of the new root
        size = position + 1
        stored = merkle.keys_for([(0, size)]) - merkle.created_keys(position)
        nodes = selectors.node_fetch(merkle.append_keys(position) | stored)
        created = merkle.append_nodes(position, leaf_hash, nodes)
        ReceiptLogNode.objects.bulk_create(
            [ReceiptLogNode(level=lv, index=ix, hash=h.hex()) for (lv, ix), h in created]
        )
        nodes.update(created)
        root = merkle.range_hash(0, size, nodes).hex()
        receipt = receiptlog.sign(
            receiptlog.receipt_body(**fields, tree_size=size, root_hash=root, key=fingerprint), key
        )
        entry = ReceiptLogEntry.objects.create(
            position=position,
            kind=kind,
            leaf=leaf.decode("utf-8"),
            leaf_hash=leaf_hash.hex(),
            received_at=received_at,
            lot_code=lot_code,
            bidder_uscc=bidder_uscc,
            salt=salt,
            ciphertext_sm3=ciphertext_sm3,
            receipt_signature=receipt["signature"],
            tree_size=size,
            root_hash=root,
        )
        sth = receiptlog.sign(
            receiptlog.sth_body(tree_size=size, root_hash=root, timestamp=received_text, key=fingerprint), key
        )
        SignedTreeHead.objects.create(
            tree_size=size,
            root_hash=root,
            timestamp=received_at,
            timestamp_text=received_text,
            key=fingerprint,
            signature=sth["signature"],
        )
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(_head_sql()[1], [size, root])
        audit.record(
            actor=actor,
            action="receipt.appended",
            object_type="receipt_log_entry",
            object_id=position,
            summary={"kind": kind, "leaf_hash": leaf_hash.hex(), "tree_size": size, "root_hash": root},
            entity_ref=bidder_uscc,
        )
    return Appended(receipt=receipt, sth=sth, entry=entry)
