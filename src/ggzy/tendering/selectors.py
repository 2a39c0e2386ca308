"""Reads of the tendering app: bidder keys, the receipt log, proofs, the platform key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import QuerySet

from ggzy.core.errors import InvalidInput, NotFound
from ggzy.core.permissions import allowed
from ggzy.crypto import merkle, platform, sm2
from ggzy.tendering import receiptlog
from ggzy.tendering.models import BidderKey, ReceiptLogEntry, ReceiptLogHead, ReceiptLogNode, SignedTreeHead


# --- bidder keys ---------------------------------------------------------------------------------
def can_manage_keys(actor: Any, entity: Any) -> bool:
    """The entity's administrator manages its bid keys (who holds the right to manage its accounts)."""
    return allowed(actor, "entity.manage_members", entity)


def keys_of(entity: Any) -> QuerySet[BidderKey]:
    """All keys an entity ever registered, newest first (public: public keys are public)."""
    return BidderKey.objects.filter(entity_id=entity.pk).order_by("-registered_at", "-id")


def active_keys(entity: Any) -> QuerySet[BidderKey]:
    return keys_of(entity).filter(revoked_at__isnull=True)


def bidder_key_get(fingerprint: str) -> BidderKey:
    found = BidderKey.objects.select_related("entity").filter(fingerprint=(fingerprint or "").lower()).first()
    if found is None:
        raise NotFound("bidder_key.not_found", "未找到该公钥")
    return found


def public_key_of(key: BidderKey) -> sm2.PublicKey:
    return sm2.load_public_key(key.public_key_pem)


# --- platform key --------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlatformKey:
    pem: str
    fingerprint: str
    algorithm: str = "SM2 (GB/T 32918), SM3, ID 1234567812345678"


def platform_key() -> PlatformKey:
    pk = platform.public_key()
    return PlatformKey(pem=pk.to_pem(), fingerprint=pk.fingerprint())


# --- the receipt log -----------------------------------------------------------------------------
def node_fetch(keys: set[merkle.Key]) -> dict[merkle.Key, bytes]:
    """Stored subtree hashes by (level, index): one query for the O(log n) rows a proof needs.

    Plain SQL: building the OR of a dozen conditions through the ORM cost more than running it.
    """
    if not keys:
        return {}
    by_level: dict[int, list[int]] = {}
    for level, index in keys:
        by_level.setdefault(level, []).append(index)
    conn = connections[router.db_for_read(ReceiptLogNode)]
    q = conn.ops.quote_name
    table, lv, ix, h = q(ReceiptLogNode._meta.db_table), q("level"), q("index"), q("hash")
    where, params = [], []
    for level, indexes in by_level.items():
        where.append(f"({lv} = %s AND {ix} IN ({', '.join(['%s'] * len(indexes))}))")
        params += [level, *indexes]
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT {lv}, {ix}, {h} FROM {table} WHERE {' OR '.join(where)}", params)
        found = {(int(a), int(b)): bytes.fromhex(c) for a, b, c in cursor.fetchall()}
    missing = keys - found.keys()
    if missing:
        raise RuntimeError(f"receipt log nodes missing: {sorted(missing)[:5]}")
    return found


def log_size() -> int:
    head = ReceiptLogHead.objects.filter(pk=1).first()
    return head.size if head else 0


def sth_document(sth: SignedTreeHead) -> dict[str, Any]:
    body = receiptlog.sth_body(
        tree_size=sth.tree_size, root_hash=sth.root_hash, timestamp=sth.timestamp_text, key=sth.key
    )
    return {**body, "signature": sth.signature}


def sth_latest() -> SignedTreeHead | None:
    return SignedTreeHead.objects.order_by("-tree_size").first()


def sth_get(tree_size: int) -> SignedTreeHead:
    found = SignedTreeHead.objects.filter(tree_size=tree_size).first()
    if found is None:
        raise NotFound("receipt_log.no_sth", f"没有树大小为 {tree_size} 的签名树头")
    return found


def sth_history() -> QuerySet[SignedTreeHead]:
    return SignedTreeHead.objects.order_by("-tree_size")


def entry_get(*, position: int | None = None, leaf_hash: str = "") -> ReceiptLogEntry:
    qs = ReceiptLogEntry.objects.all()
    if position is not None:
        found = qs.filter(position=position).first()
    elif leaf_hash:
        found = qs.filter(leaf_hash=leaf_hash.strip().lower()).first()
    else:
        raise InvalidInput("receipt_log.lookup_required", "请提供日志位置或叶子哈希")
    if found is None:
        raise NotFound("receipt_log.not_found", "回执日志中没有这一条目")
    return found


def _sth_or_latest(tree_size: int | None) -> SignedTreeHead:
    """The signed tree head of ``tree_size`` leaves, or the latest; InvalidInput when there is none."""
    sth = sth_latest() if tree_size is None else SignedTreeHead.objects.filter(tree_size=tree_size).first()
    if sth is None:
        size = log_size()
        raise InvalidInput(
            "receipt_log.bad_size", f"树大小应在 1 到 {size} 之间" if size else "回执日志还没有条目"
        )
    return sth


@dataclass(frozen=True)
class Inclusion:
    entry: ReceiptLogEntry
    tree_size: int
    proof: list[str]
    sth: SignedTreeHead


def inclusion(*, position: int | None = None, leaf_hash: str = "", tree_size: int | None = None) -> Inclusion:
    """The audit path of an entry in the tree of ``tree_size`` leaves (default: the latest)."""
    entry = entry_get(position=position, leaf_hash=leaf_hash)
    sth = _sth_or_latest(tree_size)
    size = sth.tree_size
    if entry.position >= size:
        raise InvalidInput("receipt_log.not_yet_in_tree", f"第 {entry.position} 条不在大小为 {size} 的树中")
    proof = merkle.inclusion_proof(entry.position, size, node_fetch)
    return Inclusion(entry, size, [p.hex() for p in proof], sth)


@dataclass(frozen=True)
class Consistency:
    first: SignedTreeHead
    second: SignedTreeHead
    proof: list[str]


def consistency(first: int, second: int | None = None) -> Consistency:
    second_sth = _sth_or_latest(second)
    if not 1 <= first <= second_sth.tree_size:
        raise InvalidInput("receipt_log.bad_size", f"第一个树大小应在 1 到 {second_sth.tree_size} 之间")
    first_sth = _sth_or_latest(first)
    proof = merkle.consistency_proof(first, second_sth.tree_size, node_fetch)
    return Consistency(first_sth, second_sth, [p.hex() for p in proof])


def receipt_of(entry: ReceiptLogEntry) -> dict[str, Any]:
    """The signed receipt of a stored entry (confidential: for the bidder and supervisors)."""
    body = receiptlog.receipt_body(
        kind=entry.kind,
        position=entry.position,
        received_at=receiptlog.at_text(entry.received_at),
        ciphertext_sm3=entry.ciphertext_sm3,
        lot=entry.lot_code,
        bidder=entry.bidder_uscc,
        salt=entry.salt,
        tree_size=entry.tree_size,
        root_hash=entry.root_hash,
        key=sth_get(entry.tree_size).key,
    )
    return {**body, "signature": entry.receipt_signature}


# --- sealed bids and the opening (docs/tendering.md) ---------------------------------------------
def local_text(at: Any) -> str:
    from ggzy.core import clock

    return at.astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M:%S") if at else ""


def opening_of(lot: Any):
    from ggzy.tendering.models import Opening

    return Opening.objects.filter(lot_id=lot.pk).first()


def _revealed(lot: Any) -> bool:
    from ggzy.tendering.models import Opening

    o = opening_of(lot)
    return o is not None and o.status in (Opening.DECRYPTING, Opening.OPENED)


def opened_bids(lot: Any) -> list[dict[str, Any]]:
    """Every bid that was current at the deadline, after the opening has begun (empty before: before
    the deadline nobody learns who bid, 招标投标法第二十二条): bidder USCC and name, price, period,
    deposit, status. For the opening record, the OCDS bids extension and the hall."""
    from ggzy.tendering import deposits_adapter
    from ggzy.tendering.models import Bid

    if not _revealed(lot):
        return []
    rows = []
    current = [Bid.OPENED, Bid.NOT_DECRYPTED, Bid.TAMPERED, Bid.ACTIVE]
    for b in (
        Bid.objects.filter(lot_id=lot.pk, status__in=current).select_related("entity").order_by("received_at")
    ):
        s = b.summary or {}
        rows.append(
            {
                "bid_id": b.pk,
                "uscc": b.entity.uscc,
                "name": b.entity.name,
                "price": s.get("price", "") if b.status == Bid.OPENED else "",
                "period_days": s.get("period_days") if b.status == Bid.OPENED else None,
                "quality": s.get("quality", "") if b.status == Bid.OPENED else "",
                "project_manager": s.get("project_manager", "") if b.status == Bid.OPENED else "",
                "status": b.status,
                "status_label": "待解密" if b.status == Bid.ACTIVE else b.get_status_display(),
                "received_at": b.received_at,
                "decrypted_at": b.decrypted_at,
                "ciphertext_sm3": b.ciphertext_sm3,
                "receipt_position": b.receipt.get("position"),
                "salt": b.receipt.get("salt", ""),
                "problem": b.problem,
                "deposit": deposits_adapter.status_text(lot, b.entity.uscc),
            }
        )
    return rows


def bids_for_evaluation(lot: Any) -> list[dict[str, Any]]:
    """The bids decrypted at the opening, for the evaluation committee: bidder, the 开标一览表 and the
    decrypted archive (path and member names). Empty until the opening is over."""
    from ggzy.tendering import bidfile, storage
    from ggzy.tendering.models import Bid, Opening

    o = opening_of(lot)
    if o is None or o.status != Opening.OPENED:
        return []
    out = []
    for b in (
        Bid.objects.filter(lot_id=lot.pk, status=Bid.OPENED).select_related("entity").order_by("received_at")
    ):
        path = storage.opened_path(lot.code, b.pk)
        out.append(
            {
                "bid_id": b.pk,
                "uscc": b.entity.uscc,
                "name": b.entity.name,
                "summary": b.summary,
                "price": b.summary.get("price", ""),
                "period_days": b.summary.get("period_days"),
                "archive_path": str(path),
                "members": bidfile.members(path) if path.exists() else [],
                "ciphertext_sm3": b.ciphertext_sm3,
            }
        )
    return out


def bids_of(entity: Any, lot: Any | None = None):
    """An entity's own bids (every version), newest first: what its bidders may fetch again."""
    from ggzy.tendering.models import Bid

    qs = Bid.objects.filter(entity_id=entity.pk).select_related("lot").order_by("-received_at")
    return qs.filter(lot_id=lot.pk) if lot is not None else qs


def bid_evidence(lot: Any, viewer: Any) -> list[dict[str, Any]]:
    """Supervision-only evidence of every bid of a lot (never public, never for bidders)."""
    from ggzy.core.permissions import require
    from ggzy.tendering.models import BidEvidence

    require(viewer, "trade.supervise", lot)
    return [
        {
            "uscc": e.bid.entity.uscc,
            "version": e.bid.version,
            "client_ip": e.client_ip,
            "device": e.device,
            "document": e.document,
        }
        for e in BidEvidence.objects.filter(bid__lot_id=lot.pk).select_related("bid", "bid__entity")
    ]


def hall_state(lot: Any) -> dict[str, Any]:
    """What the opening hall shows everyone: the box's status and times; after the deadline, who bid
    and who has decrypted (before it: nothing about the bids, not even their number)."""
    from ggzy.core import clock
    from ggzy.tendering import services
    from ggzy.tendering.models import Opening

    o = opening_of(lot)
    deadline = services.bid_deadline(lot)
    state = {
        "type": "state",
        "lot": lot.code,
        "lot_name": lot.name,
        "status": o.status if o else Opening.BIDDING,
        "status_label": o.get_status_display() if o else "投标中",
        "deadline": deadline.isoformat() if deadline else None,
        "window_ends_at": o.window_ends_at.isoformat() if o and o.window_ends_at else None,
        "reason": o.reason if o else "",
        "notice": o.notice_number if o else "",
        "now": clock.now().isoformat(),
        "bids": [],
    }
    for r in opened_bids(lot):
        state["bids"].append(
            {
                "name": r["name"],
                "uscc": r["uscc"],
                "status": r["status"],
                "status_label": r["status_label"],
                "price": r["price"],
                "period_days": r["period_days"],
            }
        )
    return state
