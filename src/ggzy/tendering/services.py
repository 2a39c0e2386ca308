"""Writes of the tendering app: bidder keys and the receipt log. Each is atomic and audited."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from ggzy.audit import services as audit
from ggzy.core import clock, uscc
from ggzy.core.durability import durable
from ggzy.core.errors import Conflict, DomainError, FieldError, PermissionDenied, invalid
from ggzy.crypto import merkle, platform, sm2
from ggzy.tendering import receiptlog, selectors
from ggzy.tendering.models import BidderKey, ReceiptLogEntry, ReceiptLogHead, ReceiptLogNode, SignedTreeHead

MAX_ACTIVE_KEYS = 5
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _release_connection() -> None:
    """Before long file work (fsync of a chunk, SM3 of the whole file, SM4 decryption: seconds for
    100 MB), give the database connection back when a pool is configured (``GGZY_DB_POOL_MAX``):
    under ASGI every concurrent request holds a connection from its first query to its end, so 100
    simultaneous uploads would otherwise need 100 connections, or wait on a pool of 20 for minutes.
    The next query takes a connection again. Never inside a transaction (no-op in tests)."""
    from django.db import connection

    if connection.in_atomic_block or not connection.settings_dict.get("OPTIONS", {}).get("pool"):
        return
    connection.close()


_APPEND_LOCK = threading.Lock()


@contextlib.contextmanager
def _appending() -> Iterator[None]:
    """One bid write (commit, withdrawal) at a time in this process, queued *before* a database
    connection is taken. Every such write serialises on its lot's Opening row and on the receipt
    log head anyway; without this, N simultaneous commits each hold a pooled connection while they
    wait for those row locks, the pool runs dry, and the other bidders' chunk uploads (three short
    reads each) wait behind the whole queue of commits (docs/benchmarks.md (t)). Waiting here holds
    no connection. Between processes the row locks still order the writes; nothing is weaker."""
    _release_connection()
    with _APPEND_LOCK, durable():
        yield


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
    with transaction.atomic():
        appended, event = _append(
            lot_code=lot_code, bidder_uscc=bidder_uscc, ciphertext_sm3=ciphertext_sm3, actor=actor, kind=kind
        )
        audit.record(**event)
    return appended


def _append(
    *, lot_code: str, bidder_uscc: str, ciphertext_sm3: str, actor: Any, kind: str
) -> tuple[Appended, dict[str, Any]]:
    """The rows of an append, in the caller's transaction (no savepoint of its own: a bid commit
    rolls back whole on any error), and its audit event for the caller to record: a bid commit
    records it together with its own in one append to the audit chain (``audit.record_many``),
    which halves the statements run while the log head is locked."""
    lot_code, bidder_uscc, ciphertext_sm3 = _validate(kind, lot_code, bidder_uscc, ciphertext_sm3)
    key = platform.signing_key()
    fingerprint = key.public_key.fingerprint()
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
    event = {
        "actor": actor,
        "action": "receipt.appended",
        "object_type": "receipt_log_entry",
        "object_id": position,
        "summary": {"kind": kind, "leaf_hash": leaf_hash.hex(), "tree_size": size, "root_hash": root},
        "entity_ref": bidder_uscc,
    }
    return Appended(receipt=receipt, sth=sth, entry=entry), event


# --- sealed bids: upload, commit, replace, withdraw (docs/tendering.md) -----------------------------
MAX_BID_SIZE = 4 << 30  # 4 GiB
MIN_UPLOAD_CHUNK = 64 << 10
MAX_UPLOAD_CHUNK = 32 << 20
DEADLINE_EVENTS = ("bid_deadline", "response_deadline")
LATE_MESSAGE = "已超过投标截止时间（{deadline}），投标文件不予接收（招标投标法第二十八条）"


def _deadline_text(at) -> str:
    return at.astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M:%S")


def bid_deadline(lot: Any):
    """The lot's bid (or response) deadline, or None when its procedure takes no sealed bids."""
    from ggzy.trading import selectors as trading_selectors

    for event in DEADLINE_EVENTS:
        found = trading_selectors.lot_event_time(lot, event)
        if found is not None:
            return found.at
    return None


def _late(deadline) -> Conflict:
    return Conflict("bid.deadline_passed", LATE_MESSAGE.format(deadline=_deadline_text(deadline)))


def _check_open_for_bids(lot: Any):
    from ggzy.trading import lifecycle

    deadline = bid_deadline(lot)
    if deadline is None:
        raise Conflict("bid.not_sealed_bid", "本标段（包）不采用电子投标，不接收加密投标文件")
    if lot.status == lifecycle.DRAFT or lot.status in (lifecycle.TERMINATED, lifecycle.FAILED):
        raise Conflict("bid.lot_not_open", "本标段（包）当前不接收投标文件")
    if clock.now() >= deadline:
        raise _late(deadline)
    return deadline


def _bidder_entity(actor: Any) -> Any:
    from ggzy.entities import selectors as entity_selectors

    entity = entity_selectors.entity_of_user(actor)
    if entity is None:
        raise PermissionDenied(
            "bid.not_a_bidder", "只有市场主体的经办人可以递交投标文件，请使用本单位账户登录"
        )
    return entity


def _opening_locked(lot: Any, *, lock_lot: bool = False):
    """Lock the lot's Opening row (every bid write and the closing take it first). With ``lock_lot``
    the lot row is locked next (``FOR NO KEY UPDATE``): a bid write appends a receipt, which takes
    the audit head, and then inserts rows referring to the lot; the tick locks lots and then the
    audit head. Taking the lot before the audit head keeps one order: Opening, lot, audit head."""
    from ggzy.tendering.models import Opening
    from ggzy.trading.models import Lot

    opening = Opening.objects.select_for_update().filter(lot_id=lot.pk).first()
    if opening is None:  # the lot's first bid write: create the row, then lock it
        Opening.objects.get_or_create(lot_id=lot.pk)
        opening = Opening.objects.select_for_update().get(lot_id=lot.pk)
    if lock_lot:
        options = (
            {"no_key": True} if transaction.get_connection().features.has_select_for_no_key_update else {}
        )
        list(Lot.objects.select_for_update(**options).filter(pk=lot.pk).values_list("pk", flat=True))
    return opening


def bid_upload_create(
    *,
    lot: Any,
    key_fingerprint: str,
    size: int,
    ciphertext_sm3: str,
    signature: str,
    chunk_size: int,
    device: dict | None = None,
    document: dict | None = None,
    client_ip: str | None = None,
    actor: Any,
):
    """Start a resumable upload of a sealed bid: the declared size, digest and the bidder's signature
    are checked now (and again on commit, against the bytes received)."""
    from ggzy.crypto import envelope
    from ggzy.tendering.models import Bid, BidUpload

    entity = _bidder_entity(actor)
    errors = []
    digest = (ciphertext_sm3 or "").strip().lower()
    if not _HEX64.match(digest):
        errors.append(FieldError("bid.digest_invalid", "密文SM3摘要应为64位十六进制数", "ciphertext_sm3"))
    if not isinstance(size, int) or not 1 <= size <= MAX_BID_SIZE:
        errors.append(FieldError("bid.size_invalid", "投标文件大小不正确（最大4GB）", "size"))
    if not isinstance(chunk_size, int) or not MIN_UPLOAD_CHUNK <= chunk_size <= MAX_UPLOAD_CHUNK:
        errors.append(FieldError("bid.chunk_size_invalid", "分块大小应在64KB至32MB之间", "chunk_size"))
    sig = receiptlog.unb64(signature or "")
    if not sig:
        errors.append(FieldError("bid.signature_invalid", "投标人签名应为base64编码的SM2签名", "signature"))
    if errors:
        raise invalid(errors, "投标文件上传")
    key = BidderKey.objects.filter(fingerprint=(key_fingerprint or "").strip().lower()).first()
    if key is None or key.entity_id != entity.pk:
        raise invalid(
            [
                FieldError(
                    "bid.key_unknown", "该公钥未由本单位登记，请先登记公钥（ggzy-bid register-key）", "key"
                )
            ]
        )
    if not key.active:
        raise invalid([FieldError("bid.key_revoked", "该公钥已被撤销，请使用有效的公钥加密和签名", "key")])
    if not envelope.verify_digest_signature(selectors.public_key_of(key), digest, sig):
        raise invalid(
            [
                FieldError(
                    "bid.signature_invalid", "投标人签名验证失败：签名与文件摘要或登记的公钥不符", "signature"
                )
            ]
        )
    _check_open_for_bids(lot)
    if Bid.objects.filter(
        lot_id=lot.pk, entity_id=entity.pk, status=Bid.ACTIVE, ciphertext_sm3=digest
    ).exists():
        raise Conflict("bid.duplicate", "相同的投标文件已经递交，无需重复递交")
    evidence = {
        "client_ip": client_ip or None,
        "device": _clean_evidence(device),
        "document": _clean_evidence(document),
    }
    with transaction.atomic():
        upload = BidUpload.objects.create(
            token=sm2.random_bytes(16).hex(),
            lot_id=lot.pk,
            entity_id=entity.pk,
            key=key,
            size=size,
            chunk_size=chunk_size,
            ciphertext_sm3=digest,
            signature=receiptlog.b64(sig),
            evidence=evidence,
            created_at=clock.now(),
            created_by_id=actor.pk,
        )
        audit.record(
            actor=actor,
            action="bid_upload.created",
            object_type="bid_upload",
            object_id=upload.pk,
            summary={"lot": lot.code, "size": size, "ciphertext_sm3": digest, "key": key.fingerprint},
            project_ref=lot.project.code,
            entity_ref=entity.uscc,
        )
    return upload


def _clean_evidence(doc: Any) -> dict:
    """Client-reported evidence: a flat mapping of short strings (anything else dropped)."""
    if not isinstance(doc, dict):
        return {}
    out = {}
    for k, v in list(doc.items())[:50]:
        if isinstance(k, str) and isinstance(v, str | int | float) and not isinstance(v, bool):
            out[k[:64]] = str(v)[:300]
    return out


def upload_get(token: str, actor: Any):
    """The actor's own upload (another bidder's is "not found": nothing leaks)."""
    from ggzy.core.errors import NotFound
    from ggzy.tendering.models import BidUpload

    entity = _bidder_entity(actor)
    upload = BidUpload.objects.select_related("lot", "lot__project", "key").filter(token=token or "").first()
    if upload is None or upload.entity_id != entity.pk:
        raise NotFound("bid.upload_not_found", "未找到该上传任务")
    return upload


def chunk_count(upload) -> int:
    return -(-upload.size // upload.chunk_size)


def bid_chunk_put(*, upload, index: int, data: bytes, actor: Any) -> list[int]:
    """Store chunk ``index`` (idempotent: the same chunk again is accepted). Only file system writes:
    nothing enters the database or the audit trail until the commit."""
    from ggzy.tendering import storage
    from ggzy.tendering.models import BidUpload

    if upload.status != BidUpload.OPEN:
        raise Conflict("bid.upload_closed", "该上传任务已经提交或已取消")
    n = chunk_count(upload)
    if not isinstance(index, int) or not 0 <= index < n:
        raise invalid([FieldError("bid.chunk_index", f"分块序号应在0至{n - 1}之间", "index")])
    expected = upload.chunk_size if index < n - 1 else upload.size - (n - 1) * upload.chunk_size
    if len(data) != expected:
        raise invalid(
            [
                FieldError(
                    "bid.chunk_size_mismatch", f"第{index}块应为{expected}字节，收到{len(data)}字节", "index"
                )
            ]
        )
    _release_connection()
    storage.write_chunk(upload.token, index, index * upload.chunk_size, data)
    return storage.received(upload.token)


def bid_upload_commit(*, upload, client_ip: str | None = None, actor: Any):
    """Assemble, check and accept an upload: the server's own clock against the deadline, a well-formed
    envelope for the registered key, the digest and signature, the deposit; then the file is renamed
    into place, and the bid, the receipt (public log) and the audit event commit together.

    A replacement supersedes the bidder's current version (the old receipt stays in the log)."""
    from ggzy.crypto import envelope
    from ggzy.tendering import deposits_adapter, storage
    from ggzy.tendering.models import Bid, BidEvidence, BidUpload, Opening

    if upload.status != BidUpload.OPEN:
        raise Conflict("bid.upload_closed", "该上传任务已经提交或已取消")
    lot = upload.lot
    entity = _bidder_entity(actor)
    if upload.entity_id != entity.pk:
        raise PermissionDenied("bid.forbidden", "不能提交其他单位的投标文件")
    n = chunk_count(upload)
    have = set(storage.received(upload.token))
    missing = [i for i in range(n) if i not in have]
    if missing:
        raise Conflict(
            "bid.chunks_missing",
            f"还有{len(missing)}个分块未上传（例如第{missing[0]}块），请续传后再提交",
            details={"missing": missing[:100]},
        )
    _check_open_for_bids(lot)
    _release_connection()
    tmp, digest, size = storage.assemble(upload.token, upload.size)
    if not digest:
        raise Conflict(
            "bid.chunks_missing",
            "上次提交被中断，请重新上传全部分块后再提交",
            details={"missing": list(range(n))},
        )
    final_rel = None
    try:
        if size != upload.size or digest != upload.ciphertext_sm3:
            storage.drop_upload(upload.token)  # corrupt: every chunk must be sent again
            raise invalid(
                [
                    FieldError(
                        "bid.digest_mismatch",
                        "收到的文件与申报的大小或SM3摘要不符（文件损坏或不完整），请重新上传",
                        "file",
                    )
                ]
            )
        try:
            with open(tmp, "rb") as f:
                info = envelope.inspect(f, size)
        except envelope.EnvelopeError as exc:
            code = "bid.not_encrypted" if exc.code == "envelope.not_sealed" else "bid.malformed"
            raise invalid([FieldError(code, exc.message, "file")]) from exc
        if upload.key.fingerprint not in info.recipients:
            raise invalid(
                [
                    FieldError(
                        "bid.key_not_recipient",
                        "投标文件不是用本单位登记的公钥加密的，开标时将无法解密",
                        "key",
                    )
                ]
            )
        if not envelope.verify_digest_signature(
            selectors.public_key_of(upload.key), digest, receiptlog.unb64(upload.signature)
        ):
            raise invalid([FieldError("bid.signature_invalid", "投标人签名验证失败", "signature")])
        if not deposits_adapter.satisfied(lot, entity.uscc):
            raise Conflict(
                "bid.deposit_missing", "未按招标文件要求缴纳投标保证金（或提交电子保函），投标文件不予接收"
            )
        final_rel = storage.install(tmp, lot.code, entity.uscc, upload.token)
        with _appending(), transaction.atomic():
            opening = _opening_locked(lot, lock_lot=True)
            deadline = bid_deadline(lot)
            if opening.status != Opening.BIDDING or clock.now() >= deadline:
                raise _late(deadline)
            # the bidder's versions, newest first: the current one and the next number in one read
            versions = list(
                Bid.objects.filter(lot_id=lot.pk, entity_id=entity.pk)
                .order_by("-version")
                .only("id", "version", "status", "ciphertext_sm3")
            )
            current = next((b for b in versions if b.status == Bid.ACTIVE), None)
            if current is not None and current.ciphertext_sm3 == digest:
                raise Conflict("bid.duplicate", "相同的投标文件已经递交，无需重复递交")
            version = (versions[0].version if versions else 0) + 1
            if current is not None:
                current.status = Bid.REPLACED
                current.save(update_fields=["status"])
            kind = "bid.replaced" if current is not None else "bid.submitted"
            appended, receipt_event = _append(
                lot_code=lot.code, bidder_uscc=entity.uscc, ciphertext_sm3=digest, actor=actor, kind=kind
            )
            received_at = appended.entry.received_at
            if received_at >= deadline:  # the receipt's time is the time of record
                raise _late(deadline)
            bid = Bid.objects.create(
                lot_id=lot.pk,
                entity_id=entity.pk,
                version=version,
                key=upload.key,
                ciphertext_sm3=digest,
                size=size,
                signature=upload.signature,
                path=final_rel,
                received_at=received_at,
                receipt=appended.receipt,
            )
            ev = dict(upload.evidence)
            BidEvidence.objects.create(
                bid=bid,
                client_ip=ev.get("client_ip") or client_ip or None,
                device=ev.get("device") or {},
                document=ev.get("document") or {},
            )
            upload.status = BidUpload.COMMITTED
            upload.save(update_fields=["status"])
            audit.record_many(
                [
                    receipt_event,
                    {
                        "actor": actor,
                        "action": kind,
                        "object_type": "bid",
                        "object_id": bid.pk,
                        "summary": {
                            "lot": lot.code,
                            "version": version,
                            "ciphertext_sm3": digest,
                            "size": size,
                            "position": appended.entry.position,
                        },
                        "project_ref": lot.project.code,
                        "entity_ref": entity.uscc,
                    },
                ]
            )
    except BaseException:
        if final_rel:  # renamed into place, but no bid: take it back
            storage.restore(storage.path_of(final_rel), upload.token)
        else:
            storage.restore(tmp, upload.token)
        raise
    storage.drop_upload(upload.token)
    return bid


def bid_withdraw(*, lot: Any, actor: Any):
    """Withdraw the actor's current bid before the deadline (招标投标法第二十九条); the withdrawal gets
    its own receipt in the public log; the earlier receipts stay."""
    from ggzy.core.errors import NotFound
    from ggzy.tendering.models import Bid, Opening

    entity = _bidder_entity(actor)
    _check_open_for_bids(lot)
    with _appending(), transaction.atomic():
        opening = _opening_locked(lot, lock_lot=True)
        deadline = bid_deadline(lot)
        if opening.status != Opening.BIDDING or clock.now() >= deadline:
            raise _late(deadline)
        bid = (
            Bid.objects.select_for_update()
            .filter(lot_id=lot.pk, entity_id=entity.pk, status=Bid.ACTIVE)
            .first()
        )
        if bid is None:
            raise NotFound("bid.none", "本单位在该标段（包）没有可撤回的投标文件")
        appended = receipt_append(
            lot_code=lot.code,
            bidder_uscc=entity.uscc,
            ciphertext_sm3=bid.ciphertext_sm3,
            actor=actor,
            kind="bid.withdrawn",
        )
        if appended.entry.received_at >= deadline:
            raise _late(deadline)
        bid.status = Bid.WITHDRAWN
        bid.withdrawn_at = appended.entry.received_at
        bid.withdrawal_receipt = appended.receipt
        bid.save(update_fields=["status", "withdrawn_at", "withdrawal_receipt"])
        audit.record(
            actor=actor,
            action="bid.withdrawn",
            object_type="bid",
            object_id=bid.pk,
            summary={"lot": lot.code, "version": bid.version, "position": appended.entry.position},
            project_ref=lot.project.code,
            entity_ref=entity.uscc,
        )
    return bid


# --- opening (开标): closing at the deadline, decryption by the bidders, the opening record ----------
MIN_BIDDERS_BASIS = "招标投标法实施条例第四十四条"


def _notify_hall(lot_id: int, event: str) -> None:
    from ggzy.tendering import hall

    transaction.on_commit(lambda: hall.notify(lot_id, event))


def _decryption_window():
    import datetime as dt

    from django.conf import settings

    return dt.timedelta(minutes=float(getattr(settings, "GGZY_DECRYPTION_WINDOW_MINUTES", 60)))


def _ruleset_of(lot: Any):
    from ggzy.trading import selectors as trading_selectors

    return trading_selectors.ruleset_of(lot.project)


def opening_close(*, lot: Any, actor: Any = None) -> Any:
    """Close the lot's bid box at its deadline (called by the tick, idempotent). With fewer bids than
    the rule set's minimum there is no opening and the lot fails (招标投标法实施条例第四十四条:
    投标人少于3个的，不得开标；招标人应当重新招标); otherwise the decryption window opens."""
    from ggzy.core.permissions import SYSTEM
    from ggzy.tendering.models import Bid, Opening
    from ggzy.trading import lifecycle
    from ggzy.trading import selectors as trading_selectors
    from ggzy.trading import services as trading_services

    actor = actor or SYSTEM
    deadline = bid_deadline(lot)
    now = clock.now()
    if deadline is None or now < deadline:
        return None
    table = trading_selectors.table_of(lot.project)
    with transaction.atomic():
        opening = _opening_locked(lot)
        if opening.status != Opening.BIDDING:
            return opening
        lot.refresh_from_db(fields=["status", "version"])
        if not table.allows(lot.status, lifecycle.FAILED):  # the tick has not yet moved it past bidding
            return None
        ruleset = _ruleset_of(lot)
        minimum = ruleset.min_bidders or 1
        count = Bid.objects.filter(lot_id=lot.pk, status=Bid.ACTIVE).count()
        opening.closed_at = deadline
        if count < minimum:
            opening.status = Opening.FAILED
            opening.finished_at = now
            opening.reason = (
                f"投标截止时提交投标文件的投标人为{count}个，少于{minimum}个，不予开标，"
                f"招标人应当依法重新招标（{MIN_BIDDERS_BASIS}）"
            )
            opening.save()
            # the failure and the re-tender are published (a termination notice, 实施条例第四十四条)
            trading_services.notice_publish(
                project=lot.project,
                lot=lot,
                kind="termination",
                data={"title": f"{lot.project.name}{lot.name}终止公告", "reason": opening.reason,
                      "重新招标（采购）": True},
                actor=SYSTEM,
            )  # fmt: skip
            trading_services.lot_transition(lot=lot, to=lifecycle.FAILED, reason=opening.reason, actor=SYSTEM)
        else:
            opening.status = Opening.DECRYPTING
            opening.window_ends_at = max(deadline, now) + _decryption_window()
            opening.save()
        audit.record(
            actor=actor,
            action="opening.closed",
            object_type="opening",
            object_id=opening.pk,
            summary={"lot": lot.code, "bids": count, "min_bidders": minimum, "status": opening.status},
            project_ref=lot.project.code,
        )
        _notify_hall(lot.pk, "closed")
    return opening


def bid_decrypt(*, lot: Any, content_key: str, actor: Any):
    """Open the actor's bid with the content key its client unwrapped (never the private key).

    The key must match the envelope's key commitment (else refused, nothing recorded: try again);
    the stored file must still have its SM3 digest and every chunk its tag — otherwise the bid is
    recorded as ``tampered`` (and ``bid.tampered`` raised after that record commits)."""
    import os

    from ggzy.core.errors import NotFound
    from ggzy.crypto import envelope
    from ggzy.tendering import bidfile, storage
    from ggzy.tendering.models import Bid, Opening

    entity = _bidder_entity(actor)
    text = (content_key or "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{32}", text):
        raise invalid(
            [FieldError("bid.content_key_invalid", "解密密钥应为32位十六进制数（16字节）", "content_key")]
        )
    key = bytes.fromhex(text)
    opening = Opening.objects.filter(lot_id=lot.pk).first()
    now = clock.now()
    if opening is None or opening.status == Opening.BIDDING:
        raise Conflict("bid.not_opening", "尚未开标，投标截止前任何人都不能解密投标文件")
    if opening.status != Opening.DECRYPTING or now >= opening.window_ends_at:
        raise Conflict("bid.window_closed", "解密时间已结束，未解密的投标文件视为撤回")
    bid = Bid.objects.filter(lot_id=lot.pk, entity_id=entity.pk, status=Bid.ACTIVE).first()
    if bid is None:
        raise NotFound("bid.none", "本单位在该标段（包）没有待解密的投标文件")
    path = storage.path_of(bid.path)
    _release_connection()
    with open(path, "rb") as f:
        bidfile.check_key(envelope.read_header(f), key)  # a wrong key: refused, the bidder may retry
    problem, summary = "", {}
    out = storage.opened_path(lot.code, bid.pk)
    tmp = out.with_name(out.name + ".tmp")
    if storage.file_sm3(path) != bid.ciphertext_sm3:
        problem = "存储的投标文件与回执中的SM3摘要不符：文件已被替换或篡改"
    else:
        try:
            with open(path, "rb") as src, open(tmp, "wb") as dst:
                bidfile.open_with_key(src, dst, key)
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(tmp, out)
        except envelope.EnvelopeError as exc:
            storage.discard(tmp)
            problem = exc.message
    if not problem:
        try:
            summary = bidfile.read_summary(out, lot=lot.code, bidder=entity.uscc)
        except DomainError as exc:
            summary = {"problem": exc.message}
    with transaction.atomic():
        opening = _opening_locked(lot, lock_lot=True)
        locked = Bid.objects.select_for_update().get(pk=bid.pk)
        if opening.status != Opening.DECRYPTING or clock.now() >= opening.window_ends_at:
            storage.discard(out)
            raise Conflict("bid.window_closed", "解密时间已结束，未解密的投标文件视为撤回")
        if locked.status != Bid.ACTIVE:
            raise Conflict("bid.already_decrypted", "该投标文件已经解密")
        locked.decrypted_at = clock.now()
        locked.content_key = text
        locked.status = Bid.TAMPERED if problem else Bid.OPENED
        locked.problem = problem[:500]
        locked.summary = summary
        locked.save(update_fields=["decrypted_at", "content_key", "status", "problem", "summary"])
        audit.record(
            actor=actor,
            action="bid.tampered" if problem else "bid.decrypted",
            object_type="bid",
            object_id=locked.pk,
            summary={"lot": lot.code, "problem": problem[:200], "price": summary.get("price", "")},
            project_ref=lot.project.code,
            entity_ref=entity.uscc,
        )
        _notify_hall(lot.pk, "decrypted")
    if problem:
        raise Conflict("bid.tampered", f"投标文件校验失败，已记录：{problem}")
    return locked


def opening_finish(*, lot: Any, actor: Any = None, force: bool = False) -> Any:
    """End the decryption window (at its time, or earlier once every bid is decrypted): bids not
    decrypted count as withdrawn (the bidder's own reason); publish the opening record as a notice."""
    from ggzy.core.permissions import SYSTEM
    from ggzy.tendering.models import Bid, Opening

    actor = actor or SYSTEM
    now = clock.now()
    with transaction.atomic():
        opening = _opening_locked(lot, lock_lot=True)
        if opening.status != Opening.DECRYPTING:
            return opening
        pending = Bid.objects.filter(lot_id=lot.pk, status=Bid.ACTIVE)
        if now < opening.window_ends_at and pending.exists() and not force:
            return opening
        undecrypted = pending.update(status=Bid.NOT_DECRYPTED)
        opening.status = Opening.OPENED
        opening.finished_at = now
        opening.save(update_fields=["status", "finished_at"])
        number = _publish_opening_record(lot, opening)
        if number:
            opening.notice_number = number
            opening.save(update_fields=["notice_number"])
        audit.record(
            actor=actor,
            action="opening.finished",
            object_type="opening",
            object_id=opening.pk,
            summary={"lot": lot.code, "not_decrypted": undecrypted, "notice": number},
            project_ref=lot.project.code,
        )
        _notify_hall(lot.pk, "opened")
    return opening


def _publish_opening_record(lot: Any, opening: Any) -> str:
    """The opening record (bidder, price, period, deposit, decryption status; the receipt position and
    salt, so anyone can recompute the log's commitments) as a trading notice (电子招标投标办法第三十一条)."""
    from ggzy.core.permissions import SYSTEM
    from ggzy.trading import selectors as trading_selectors
    from ggzy.trading import services as trading_services

    rows = selectors.opened_bids(lot)
    opening_event = trading_selectors.lot_event_time(lot, "opening")
    data: dict[str, Any] = {}
    if opening_event is not None:
        data["opening"] = opening_event.at.isoformat()
    data["bid_count"] = str(sum(1 for r in rows if r["status"] == "opened"))
    data["opening_record"] = [
        {
            "name": r["name"],
            "uscc": r["uscc"],
            "price": r["price"] or "—",
            "period_days": str(r["period_days"] or "—"),
            "deposit": r["deposit"],
            "decryption": r["status_label"],
            "receipt_position": str(r["receipt_position"]),
            "salt": r["salt"],
        }
        for r in rows
    ]
    notice = trading_services.notice_publish(
        project=lot.project, lot=lot, kind="opening_record", data=data, actor=SYSTEM
    )
    return notice.number


def openings_due(*, now=None) -> tuple[int, int]:
    """The tick's hook: close every bid box whose deadline has passed and end every decryption window
    that has run out. Returns (closed, finished). Each lot in its own transaction."""
    import logging

    from ggzy.tendering.models import Opening
    from ggzy.trading.models import Lot, LotEvent

    log = logging.getLogger(__name__)
    now = now or clock.now()
    closed = finished = 0
    done = Opening.objects.exclude(status=Opening.BIDDING).values("lot_id")
    lot_ids = (
        LotEvent.objects.filter(event__in=DEADLINE_EVENTS, at__lte=now)
        .exclude(lot_id__in=done)
        .exclude(lot__status__in=["draft", "terminated", "failed"])
        .values_list("lot_id", flat=True)
    )
    for lot in Lot.objects.filter(pk__in=list(lot_ids)).select_related("project"):
        try:
            if _ruleset_of(lot).mechanism != "sealed_bids":
                continue
            if opening_close(lot=lot) is not None:
                closed += 1
        except DomainError as exc:
            log.warning("opening: lot %s: %s %s", lot.code, exc.code, exc.message)
    for o in Opening.objects.filter(status=Opening.DECRYPTING, window_ends_at__lte=now).select_related(
        "lot", "lot__project"
    ):
        try:
            opening_finish(lot=o.lot)
            finished += 1
        except DomainError as exc:
            log.warning("opening: lot %s: %s %s", o.lot.code, exc.code, exc.message)
    return closed, finished
