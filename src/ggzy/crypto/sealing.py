"""Server-side encryption at rest (SM4-GCM) with the platform's data key, and keyed tags (HMAC-SM3).

For data the platform itself must be able to read later, but that a database dump must not show:
confidential draw results and snapshots, expert contact details in the notification outbox. (Sealed
bids are different: the platform never holds their key; see the envelope module.)

The key: 16 random bytes, hex, in the file ``GGZY_DATA_KEY_FILE`` (default ``<GGZY_VAR_DIR>/data_key``)
or in the environment variable ``GGZY_DATA_KEY``. Development and tests generate the file on first
use; production refuses to start sealing without one (a lost key means lost data: back it up apart
from the database, see docs/deploy.md).

Format of a sealed value (bytes): ``b"GS1" ‖ key id (4 bytes, SM3 of the key) ‖ nonce (12) ‖
ciphertext ‖ GCM tag (16)``. The ``context`` string (e.g. ``"experts.draw:42:result"``) is bound as
associated data, so a sealed value moved to another row or field does not open.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ggzy.crypto.sm import sm3

MAGIC = b"GS1"
NONCE_BYTES = 12
TAG_BYTES = 16


class SealError(Exception):
    """A sealed value that does not open: wrong key, wrong context or changed bytes."""


def _key_path() -> Path:
    configured = getattr(settings, "GGZY_DATA_KEY_FILE", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "data_key"


@lru_cache(maxsize=1)
def _key() -> bytes:
    raw = os.environ.get("GGZY_DATA_KEY", "").strip()
    if not raw:
        path = _key_path()
        if not path.exists():
            if getattr(settings, "PRODUCTION", False):
                raise ImproperlyConfigured(
                    f"生产环境必须提供平台数据密钥：设置 GGZY_DATA_KEY 或密钥文件 {path}（见 docs/deploy.md）"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(16))
        raw = path.read_text().strip()
    try:
        key = bytes.fromhex(raw)
    except ValueError as e:
        raise ImproperlyConfigured("平台数据密钥必须是32位十六进制字符（16字节）") from e
    if len(key) != 16:
        raise ImproperlyConfigured("平台数据密钥必须是32位十六进制字符（16字节）")
    return key


def check() -> list[str]:
    """Problems with the data key (for the production system check), in Chinese; [] when usable."""
    try:
        _key()
    except ImproperlyConfigured as e:
        return [str(e)]
    return []


def reset_key_cache() -> None:
    """For tests that switch the key."""
    _key.cache_clear()
    _key_id.cache_clear()


def key_id() -> bytes:
    return _key_id(_key())


@lru_cache(maxsize=4)
def _key_id(key: bytes) -> bytes:
    return sm3(b"ggzy-data-key-id" + key)[:4]


def seal(data: bytes, *, context: str) -> bytes:
    key = _key()
    nonce = secrets.token_bytes(NONCE_BYTES)
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(context.encode())
    body = enc.update(data) + enc.finalize()
    return MAGIC + key_id() + nonce + body + enc.tag


def unseal(blob: bytes, *, context: str) -> bytes:
    blob = bytes(blob)
    if len(blob) < len(MAGIC) + 4 + NONCE_BYTES + TAG_BYTES or not blob.startswith(MAGIC):
        raise SealError("不是平台加密的数据")
    kid = blob[3:7]
    if kid != key_id():
        raise SealError("数据由另一把平台数据密钥加密，无法解密")
    nonce = blob[7 : 7 + NONCE_BYTES]
    body, tag = blob[7 + NONCE_BYTES : -TAG_BYTES], blob[-TAG_BYTES:]
    dec = Cipher(algorithms.SM4(_key()), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(context.encode())
    try:
        return dec.update(body) + dec.finalize()
    except InvalidTag as e:
        raise SealError("加密数据校验失败：数据被改动或不属于此处") from e


def seal_json(value: Any, *, context: str) -> bytes:
    return seal(json.dumps(value, ensure_ascii=False, sort_keys=True).encode(), context=context)


def unseal_json(blob: bytes, *, context: str) -> Any:
    return json.loads(unseal(blob, context=context))


def tag(purpose: str, value: str) -> str:
    """A keyed pseudonym (HMAC-SM3 under a key derived from the data key), hex: lets the platform
    find rows by a confidential value without storing the value."""
    derived = sm3(b"ggzy-tag-key:" + purpose.encode() + b":" + _key())
    h = hmac.HMAC(derived, hashes.SM3())
    h.update(value.encode())
    return h.finalize().hex()


def tags(purpose: str, values: list[str]) -> list[str]:
    """``tag(purpose, v)`` for each value, with the derived key and the HMAC pads hashed once
    (RFC 2104 over hashlib's SM3 states, copied per value): the same digests, several times faster
    for hundreds of values (every eligible expert of a draw)."""
    derived = sm3(b"ggzy-tag-key:" + purpose.encode() + b":" + _key())
    try:
        inner, outer = hashlib.new("sm3"), hashlib.new("sm3")
    except ValueError:  # pragma: no cover - OpenSSL without SM3
        return [tag(purpose, v) for v in values]
    block = derived.ljust(64, b"\0")  # SM3's block is 64 bytes; the key (32) is padded with zeros
    inner.update(bytes(b ^ 0x36 for b in block))
    outer.update(bytes(b ^ 0x5C for b in block))
    out = []
    for v in values:
        h = inner.copy()
        h.update(v.encode())
        o = outer.copy()
        o.update(h.digest())
        out.append(o.hexdigest())
    return out
