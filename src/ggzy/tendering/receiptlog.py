"""The public receipt log's documents and their stand-alone verification. Pure module.

Anyone can check a receipt with this module and the platform's public key alone (no database, no
Django): ``verify_receipt``, ``verify_sth``, ``verify_inclusion`` and ``verify_consistency``, or
``verify_bundle`` for a receipt plus the inclusion proof and signed tree head the API returns.

Documents are canonical JSON (UTF-8, keys sorted, no spaces, strings and integers only) and the
platform signs those bytes with SM2 (SM3, distinguishing ID 1234567812345678); signatures travel as
base64 of the DER ``SEQUENCE {r, s}``.

- **leaf** (public, in the log): version, kind, position, time received, the SM3 digest of the
  ciphertext, and *commitments* to the lot and the bidder: SM3 of ``ggzy.lot:<lot code>:<salt>`` and
  ``ggzy.bidder:<USCC>:<salt>`` with a random per-receipt salt. Before the opening the log shows
  neither who bid nor how many bids a lot has (招标投标法第二十二条); the receipt (held by the bidder)
  and the opening record (published after the opening) carry the salt, so anyone then can check.
- **receipt** (to the bidder, signed): the leaf's fields in clear, the salt, the leaf hash, the
  position, and the tree size and root hash right after the append.
- **signed tree head** (public, signed): tree size, root hash, timestamp, key fingerprint.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ggzy.crypto import merkle, sm2
from ggzy.crypto.sm import sm3_hex

VERSION = 1
KINDS = {"bid.submitted", "bid.replaced", "bid.withdrawn"}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def at_text(at: dt.datetime) -> str:
    """An instant as the log writes it: UTC, ISO 8601 with microseconds."""
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical(doc: dict[str, Any]) -> bytes:
    for value in doc.values():
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise TypeError("canonical documents hold strings and integers only")
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def b64(sig: bytes) -> str:
    return base64.b64encode(sig).decode("ascii")


def unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return b""


def commitment(kind: str, value: str, salt: str) -> str:
    return sm3_hex(f"ggzy.{kind}:{value}:{salt}".encode())


def leaf_document(
    *, kind: str, position: int, received_at: str, ciphertext_sm3: str, lot: str, bidder: str, salt: str
) -> dict[str, Any]:
    return {
        "v": VERSION,
        "kind": kind,
        "position": position,
        "received_at": received_at,
        "ciphertext_sm3": ciphertext_sm3,
        "lot": commitment("lot", lot, salt),
        "bidder": commitment("bidder", bidder, salt),
    }


def leaf_bytes(**fields: Any) -> bytes:
    return canonical(leaf_document(**fields))


def receipt_body(
    *,
    kind: str,
    position: int,
    received_at: str,
    ciphertext_sm3: str,
    lot: str,
    bidder: str,
    salt: str,
    tree_size: int,
    root_hash: str,
    key: str,
) -> dict[str, Any]:
    leaf = leaf_bytes(
        kind=kind,
        position=position,
        received_at=received_at,
        ciphertext_sm3=ciphertext_sm3,
        lot=lot,
        bidder=bidder,
        salt=salt,
    )
    return {
        "v": VERSION,
        "type": "ggzy.receipt",
        "kind": kind,
        "position": position,
        "received_at": received_at,
        "ciphertext_sm3": ciphertext_sm3,
        "lot": lot,
        "bidder": bidder,
        "salt": salt,
        "leaf_hash": merkle.leaf_hash(leaf).hex(),
        "tree_size": tree_size,
        "root_hash": root_hash,
        "key": key,
    }


def sth_body(*, tree_size: int, root_hash: str, timestamp: str, key: str) -> dict[str, Any]:
    return {
        "v": VERSION,
        "type": "ggzy.sth",
        "tree_size": tree_size,
        "root_hash": root_hash,
        "timestamp": timestamp,
        "key": key,
    }


def sign(body: dict[str, Any], key: sm2.PrivateKey) -> dict[str, Any]:
    return {**body, "signature": b64(key.sign(canonical(body)))}


def _signed(doc: dict[str, Any], public_key: sm2.PublicKey) -> bool:
    body = {k: v for k, v in doc.items() if k != "signature"}
    sig = unb64(str(doc.get("signature", "")))
    try:
        data = canonical(body)
    except TypeError:
        return False
    return bool(sig) and public_key.verify(sig, data)


@dataclass
class Check:
    ok: bool
    problems: list[str]

    def __bool__(self) -> bool:
        return self.ok


def _result(problems: list[str]) -> Check:
    return Check(not problems, problems)


def verify_sth(sth: dict[str, Any], public_key: sm2.PublicKey) -> Check:
    problems = []
    if sth.get("type") != "ggzy.sth" or sth.get("v") != VERSION:
        problems.append("不是本平台的签名树头")
    elif sth.get("key") != public_key.fingerprint():
        problems.append("签名树头不是用此公钥签名的")
    elif not _signed(sth, public_key):
        problems.append("签名树头的平台签名无效")
    return _result(problems)


def verify_receipt(receipt: dict[str, Any], public_key: sm2.PublicKey) -> Check:
    """The platform signed this receipt, and its leaf hash matches its fields."""
    problems = []
    if receipt.get("type") != "ggzy.receipt" or receipt.get("v") != VERSION:
        return _result(["不是本平台的投标回执"])
    if receipt.get("key") != public_key.fingerprint():
        problems.append("回执不是用此公钥签名的")
    elif not _signed(receipt, public_key):
        problems.append("回执的平台签名无效")
    try:
        expected = receipt_body(**{k: receipt[k] for k in _RECEIPT_FIELDS})
    except (KeyError, TypeError):
        return _result([*problems, "回执缺少字段"])
    if expected["leaf_hash"] != receipt.get("leaf_hash"):
        problems.append("回执内容与其日志叶子哈希不符")
    if not isinstance(receipt.get("position"), int) or receipt["tree_size"] != receipt["position"] + 1:
        problems.append("回执的位置与树大小不符")
    return _result(problems)


_RECEIPT_FIELDS = (
    "kind",
    "position",
    "received_at",
    "ciphertext_sm3",
    "lot",
    "bidder",
    "salt",
    "tree_size",
    "root_hash",
    "key",
)


def _hex_list(proof: Sequence[str]) -> list[bytes] | None:
    if not all(isinstance(p, str) and _HEX64.match(p) for p in proof):
        return None
    return [bytes.fromhex(p) for p in proof]


def verify_inclusion(
    leaf_hash: str, position: int, tree_size: int, proof: Sequence[str], root_hash: str
) -> bool:
    nodes = _hex_list(proof)
    if nodes is None or not _HEX64.match(leaf_hash or "") or not _HEX64.match(root_hash or ""):
        return False
    return merkle.verify_inclusion(
        bytes.fromhex(leaf_hash), position, tree_size, nodes, bytes.fromhex(root_hash)
    )


def verify_consistency(
    first: int, second: int, first_root: str, second_root: str, proof: Sequence[str]
) -> bool:
    nodes = _hex_list(proof)
    if nodes is None or not _HEX64.match(first_root or "") or not _HEX64.match(second_root or ""):
        return False
    return merkle.verify_consistency(
        first, second, bytes.fromhex(first_root), bytes.fromhex(second_root), nodes
    )


def verify_bundle(
    receipt: dict[str, Any],
    public_key: sm2.PublicKey,
    *,
    sth: dict[str, Any] | None = None,
    inclusion: Sequence[str] | None = None,
) -> Check:
    """A receipt, and (given) its inclusion proof in the tree of the signed tree head ``sth``.

    Without ``sth`` the proof is checked against the root the receipt itself carries (the tree right
    after the append).
    """
    result = verify_receipt(receipt, public_key)
    problems = list(result.problems)
    if inclusion is None:
        return _result(problems)
    if sth is not None:
        problems += verify_sth(sth, public_key).problems
        size, root = sth.get("tree_size"), sth.get("root_hash")
    else:
        size, root = receipt.get("tree_size"), receipt.get("root_hash")
    if not isinstance(size, int) or not verify_inclusion(
        str(receipt.get("leaf_hash")), int(receipt.get("position", -1)), size, inclusion, str(root)
    ):
        problems.append("包含证明无效：回执不在该日志树中")
    return _result(problems)


class LogVerifier:
    """Recompute a whole log from its leaves in order, in O(log n) memory, and check every signed
    tree head against the recomputed root (what ``ggzy receipts verify`` runs)."""

    def __init__(self, public_key: sm2.PublicKey) -> None:
        self.public_key = public_key
        self.size = 0
        self._frontier: list[tuple[int, bytes]] = []  # (level, hash) of the right edge, largest first
        self.problems: list[str] = []

    def add(self, position: int, leaf: str, leaf_hash: str) -> None:
        if position != self.size:
            self.problems.append(f"第 {self.size} 条缺失或顺序错乱（读到第 {position} 条）")
            self.size = position
        h = merkle.leaf_hash(leaf.encode("utf-8"))
        if h.hex() != leaf_hash:
            self.problems.append(f"第 {position} 条的叶子内容与其哈希不符（条目被改写）")
        try:
            doc = json.loads(leaf)
        except ValueError:
            doc = {}
        if doc.get("position") != position:
            self.problems.append(f"第 {position} 条叶子中的位置不符")
        level = 0
        while self._frontier and self._frontier[-1][0] == level:
            _, left = self._frontier.pop()
            h = merkle.node_hash(left, h)
            level += 1
        self._frontier.append((level, h))
        self.size += 1

    def root(self) -> bytes:
        if not self._frontier:
            return merkle.EMPTY_ROOT
        acc = self._frontier[-1][1]
        for _, h in reversed(self._frontier[:-1]):
            acc = merkle.node_hash(h, acc)
        return acc

    def check_sth(self, sth: dict[str, Any]) -> None:
        size = sth.get("tree_size")
        self.problems += [f"树大小 {size}：{p}" for p in verify_sth(sth, self.public_key).problems]
        if size != self.size:
            self.problems.append(f"签名树头的树大小 {size} 与已读条目数 {self.size} 不符")
        elif sth.get("root_hash") != self.root().hex():
            self.problems.append(f"树大小 {size} 的签名树头根哈希与重新计算的不符（日志被改写）")
