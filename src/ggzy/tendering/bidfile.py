"""The plaintext of a sealed bid and opening an envelope with its content key. Pure module.

Shared by the server (opening) and the bidding client (``ggzy_bid``). The plaintext inside the
envelope is a ZIP archive with ``bid.json`` (the 开标一览表, read at the opening) and the bid
documents as further members::

    {"v": 1, "lot": "<lot code>", "bidder": "<USCC>", "price": "1234567.89", "period_days": 180,
     "quality": "合格", "project_manager": "张三", "notes": ""}

At the opening the bidder's client unwraps the content key with its private key and sends the
16-byte key (never the private key); the server checks it against the envelope's key commitment
and decrypts the stored file chunk by chunk (``open_with_key``).
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO

from ggzy.core.errors import FieldError, invalid
from ggzy.crypto import envelope, sm2, sm4

SUMMARY_NAME = "bid.json"
SUMMARY_VERSION = 1
MAX_SUMMARY = 64 * 1024
_PRICE = re.compile(r"^\d{1,15}(\.\d{1,2})?$")
TEXT_FIELDS = {"quality": "质量标准", "project_manager": "项目负责人", "notes": "备注"}


def validate_summary(doc: Any, *, lot: str | None = None, bidder: str | None = None) -> dict[str, Any]:
    """The 开标一览表 in its canonical form, or InvalidInput (``bid.summary_invalid``) naming each problem."""
    errors: list[FieldError] = []

    def err(field: str, message: str) -> None:
        errors.append(FieldError("bid.summary_invalid", message, field))

    if not isinstance(doc, dict):
        raise invalid([FieldError("bid.summary_invalid", "开标一览表（bid.json）应为JSON对象", "bid.json")])
    out: dict[str, Any] = {"v": SUMMARY_VERSION}
    price = str(doc.get("price", "")).strip()
    if not _PRICE.match(price):
        err("price", "投标报价应为以元为单位、最多两位小数的金额")
    else:
        try:
            out["price"] = str(Decimal(price).quantize(Decimal("0.01")))
        except InvalidOperation:
            err("price", "投标报价应为以元为单位、最多两位小数的金额")
    period = doc.get("period_days")
    if not isinstance(period, int) or isinstance(period, bool) or not 1 <= period <= 36500:
        err("period_days", "工期（服务期）应为1至36500之间的整数（日历天）")
    else:
        out["period_days"] = period
    for name, label in TEXT_FIELDS.items():
        value = doc.get(name, "")
        if not isinstance(value, str) or len(value) > 200:
            err(name, f"{label}应为不超过200字的文字")
        else:
            out[name] = value.strip()
    for name, expected, label in (("lot", lot, "标段编号"), ("bidder", bidder, "投标人统一社会信用代码")):
        value = str(doc.get(name, "")).strip()
        if expected is not None and value != expected:
            err(name, f"开标一览表中的{label}“{value}”与本次投标不符")
        out[name] = value
    if errors:
        raise invalid(errors, "开标一览表")
    return out


def pack(summary: dict[str, Any], attachments: Iterable[Path | str], dst: BinaryIO) -> None:
    """Write the bid's plaintext archive: ``bid.json`` first, then the documents (streamed)."""
    summary = validate_summary(summary)
    with zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:
        z.writestr(SUMMARY_NAME, json.dumps(summary, ensure_ascii=False, indent=1))
        seen = {SUMMARY_NAME}
        for path in attachments:
            p = Path(path)
            name = p.name
            while name in seen:
                name = "_" + name
            seen.add(name)
            z.write(p, arcname=name)


def read_summary(src: BinaryIO | Path | str, **expect: str | None) -> dict[str, Any]:
    """The 开标一览表 of a decrypted bid archive (checked), or InvalidInput."""
    try:
        with zipfile.ZipFile(src) as z:
            info = z.getinfo(SUMMARY_NAME)
            if info.file_size > MAX_SUMMARY:
                raise ValueError("too large")
            doc = json.loads(z.read(info).decode("utf-8"))
    except (KeyError, ValueError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise invalid(
            [FieldError("bid.summary_missing", "投标文件中没有可读取的开标一览表（bid.json）", "bid.json")]
        ) from exc
    return validate_summary(doc, **expect)


def members(src: BinaryIO | Path | str) -> list[str]:
    with zipfile.ZipFile(src) as z:
        return z.namelist()


def unwrap(src: BinaryIO, private_key: sm2.PrivateKey) -> bytes:
    """The envelope's content key, unwrapped with the bidder's private key (on the bidder's machine)."""
    return envelope.unwrap_key(envelope.read_header(src), private_key)


def check_key(header: envelope.Header, key: bytes) -> None:
    if len(key) != sm4.KEY_SIZE or envelope.key_commitment(key, header.nonce_prefix) != header.key_commitment:
        raise envelope.EnvelopeError(
            "envelope.key_mismatch", "提交的解密密钥与投标文件不符，请使用投标时的密钥文件重新解密"
        )


def open_with_key(src: BinaryIO, dst: BinaryIO, key: bytes) -> int:
    """Decrypt ``src`` into ``dst`` with the content key; as ``envelope.open_envelope`` otherwise
    (``envelope.key_mismatch`` for a key that is not this envelope's, ``tampered``/``truncated``)."""
    header = envelope.read_header(src)
    check_key(header, key)
    aad = header.aad
    full = header.chunk_size + envelope.TAG
    index, total = 0, 0
    current = envelope._read_exact(src, full)
    while True:
        following = envelope._read_exact(src, full) if len(current) == full else b""
        last = not following
        if len(current) < envelope.TAG or (index > 0 and last and len(current) == envelope.TAG):
            raise envelope.EnvelopeError("envelope.truncated", "加密投标文件不完整（已被截断）")
        nonce = header.nonce_prefix + struct.pack(">IB", index, 1 if last else 0)
        try:
            plain = sm4.gcm_decrypt(key, nonce, current, aad)
        except sm4.AuthenticationFailed as exc:
            raise envelope.EnvelopeError(
                "envelope.tampered", f"加密投标文件第 {index + 1} 块校验失败：文件已被篡改或不完整"
            ) from exc
        dst.write(plain)
        total += len(plain)
        if last:
            return total
        current, index = following, index + 1


def open_bytes_with_key(data: bytes, key: bytes) -> bytes:
    out = io.BytesIO()
    open_with_key(io.BytesIO(data), out, key)
    return out.getvalue()
