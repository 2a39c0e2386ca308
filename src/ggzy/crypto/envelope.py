"""The sealed-bid envelope: a file encrypted for its recipients only. Pure module.

``seal`` encrypts a stream with SM4-GCM under a fresh random key, in chunks (files of 10^8 bytes are
never held in memory), wraps the key with each recipient's SM2 public key, and returns the SM3
digest of the envelope file and, with the bidder's private key, the bidder's SM2 signature of that
digest. ``inspect`` checks, with no key at all, that a file is a well-formed envelope (the server's
"unencrypted submissions are refused" check, 电子招标投标办法第三十条). ``open_envelope`` decrypts
with a recipient's private key and fails on any change.

Byte format (version 1, integers big-endian; docs/crypto.md has the full table)::

    magic "GGZYENV" (7) ‖ version 0x01 (1) ‖ header length H (4) ‖ header (H bytes) ‖ chunks
    header = chunk size (4) ‖ nonce prefix (7) ‖ key commitment (32) ‖ recipient count R (1) ‖
             R × [key id = SM3(recipient SubjectPublicKeyInfo DER) (32) ‖ length W (2) ‖
                  SM2 ciphertext of the 16-byte content key (W, DER C1C3C2)]
    chunk i = SM4-GCM(key, nonce = prefix ‖ i (4) ‖ last? 0x01 : 0x00, aad = SM3(magic … header),
                      plaintext bytes [i·size, (i+1)·size)) = ciphertext ‖ tag (16)

Every chunk but the last holds exactly ``chunk size`` plaintext bytes; the last holds 1…size bytes
(0 only for an empty file). The chunk index and the last-chunk flag are in the nonce, and the header
digest is the associated data, so chunks cannot be reordered, dropped, duplicated, truncated,
moved to another envelope or given another header without the tag check failing.
"""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from ggzy.core.errors import InvalidInput
from ggzy.crypto import sm2, sm4
from ggzy.crypto.sm import Sm3

MAGIC = b"GGZYENV"
VERSION = 1
PREAMBLE = struct.Struct(">7sBI")  # magic, version, header length
DEFAULT_CHUNK_SIZE = 1 << 20
MIN_CHUNK_SIZE = 1 << 12
MAX_CHUNK_SIZE = 1 << 24
MAX_RECIPIENTS = 16
HEADER_FIXED = 4 + 7 + 32 + 1  # chunk size, nonce prefix, key commitment, recipient count
MAX_HEADER = HEADER_FIXED + MAX_RECIPIENTS * (32 + 2 + 200)
NONCE_PREFIX_SIZE = 7
TAG = sm4.TAG_SIZE
SIGNATURE_CONTEXT = b"GGZY-ENVELOPE-SM3:"
_COPY = 1 << 20


class EnvelopeError(InvalidInput):
    """A file that is not a well-formed envelope, or one that does not open."""


def _error(code: str, message: str) -> EnvelopeError:
    return EnvelopeError(f"envelope.{code}", message)


@dataclass(frozen=True)
class Recipient:
    key_id: bytes  # SM3 of the recipient's SubjectPublicKeyInfo DER
    wrapped_key: bytes  # SM2 ciphertext (DER C1C3C2) of the content key


@dataclass(frozen=True)
class Header:
    chunk_size: int
    nonce_prefix: bytes
    key_commitment: bytes
    recipients: tuple[Recipient, ...]
    raw: bytes  # preamble ‖ header exactly as in the file

    @property
    def aad(self) -> bytes:
        return Sm3(self.raw).digest()


@dataclass(frozen=True)
class Sealed:
    digest: str  # SM3 of the whole envelope file, hex
    size: int  # bytes of the envelope file
    plaintext_size: int
    signature: bytes | None  # the bidder's SM2 signature of signed_message(digest), DER


@dataclass(frozen=True)
class EnvelopeInfo:
    version: int
    chunk_size: int
    recipients: tuple[str, ...]  # key ids, hex
    header_size: int
    size: int
    chunks: int
    plaintext_size: int


def key_id(public_key: sm2.PublicKey) -> bytes:
    return bytes.fromhex(public_key.fingerprint())


def signed_message(digest: str | bytes) -> bytes:
    """What the bidder signs: ``GGZY-ENVELOPE-SM3:`` followed by the digest in lowercase hex."""
    hexdigest = digest.hex() if isinstance(digest, bytes) else digest.lower()
    return SIGNATURE_CONTEXT + hexdigest.encode("ascii")


def sign_digest(private_key: sm2.PrivateKey, digest: str | bytes) -> bytes:
    return private_key.sign(signed_message(digest))


def verify_digest_signature(public_key: sm2.PublicKey, digest: str | bytes, signature: bytes) -> bool:
    return public_key.verify(signature, signed_message(digest))


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def key_commitment(key: bytes, prefix: bytes) -> bytes:
    """SM3("GGZY-ENVELOPE-KEY:" ‖ key ‖ nonce prefix): binds the envelope to one content key, so
    no two recipients can be given different keys (GCM alone does not commit to its key)."""
    return Sm3(b"GGZY-ENVELOPE-KEY:" + key + prefix).digest()


def _build_header(
    chunk_size: int, prefix: bytes, commitment: bytes, recipients: Sequence[Recipient]
) -> bytes:
    body = struct.pack(">I", chunk_size) + prefix + commitment + bytes([len(recipients)])
    for r in recipients:
        body += r.key_id + struct.pack(">H", len(r.wrapped_key)) + r.wrapped_key
    return PREAMBLE.pack(MAGIC, VERSION, len(body)) + body


def _read_exact(src: BinaryIO, n: int) -> bytes:
    parts, left = [], n
    while left:
        b = src.read(left)
        if not b:
            break
        parts.append(b)
        left -= len(b)
    return b"".join(parts)


def seal(
    src: BinaryIO,
    dst: BinaryIO,
    *,
    recipients: Sequence[sm2.PublicKey],
    signer: sm2.PrivateKey | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Sealed:
    """Encrypt ``src`` into ``dst`` for ``recipients`` (the bidder's own public key first)."""
    if not recipients or len(recipients) > MAX_RECIPIENTS:
        raise ValueError(f"1 to {MAX_RECIPIENTS} recipients")
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError("chunk size out of range")
    key = sm2.random_bytes(sm4.KEY_SIZE)
    prefix = sm2.random_bytes(NONCE_PREFIX_SIZE)
    wrapped = [Recipient(key_id(pk), pk.encrypt(key)) for pk in recipients]
    header = _build_header(chunk_size, prefix, key_commitment(key, prefix), wrapped)
    aad = Sm3(header).digest()
    digest = Sm3(header)
    dst.write(header)
    size, plain = len(header), 0
    index = 0
    current = _read_exact(src, chunk_size)
    while True:
        following = _read_exact(src, chunk_size) if len(current) == chunk_size else b""
        last = not following
        block = sm4.gcm_encrypt(key, _nonce(prefix, index, last), current, aad)
        dst.write(block)
        digest.update(block)
        size += len(block)
        plain += len(current)
        if last:
            break
        current, index = following, index + 1
    hexdigest = digest.hexdigest()
    signature = sign_digest(signer, hexdigest) if signer is not None else None
    return Sealed(digest=hexdigest, size=size, plaintext_size=plain, signature=signature)


def seal_bytes(data: bytes, **kwargs) -> tuple[bytes, Sealed]:
    out = io.BytesIO()
    sealed = seal(io.BytesIO(data), out, **kwargs)
    return out.getvalue(), sealed


def read_header(src: BinaryIO) -> Header:
    """Parse and check the preamble and header (no key needed); leaves ``src`` at the first chunk."""
    pre = _read_exact(src, PREAMBLE.size)
    if len(pre) < PREAMBLE.size or pre[:7] != MAGIC:
        raise _error("not_sealed", "文件不是平台规定格式的加密投标文件，未加密的投标文件不予接收")
    _magic, version, length = PREAMBLE.unpack(pre)
    if version != VERSION:
        raise _error("unsupported_version", f"加密投标文件格式版本 {version} 不受支持，请升级投标客户端")
    if not HEADER_FIXED <= length <= MAX_HEADER:
        raise _error("bad_header", "加密投标文件的文件头长度不正确")
    body = _read_exact(src, length)
    if len(body) != length:
        raise _error("truncated", "加密投标文件不完整（文件头被截断）")
    chunk_size = struct.unpack(">I", body[:4])[0]
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise _error("bad_header", "加密投标文件的分块大小不正确")
    prefix, commitment, count = body[4:11], body[11:43], body[43]
    if not 1 <= count <= MAX_RECIPIENTS:
        raise _error("no_wrapped_key", "加密投标文件中没有数字信封（加密密钥），无法解密")
    pos, recipients = HEADER_FIXED, []
    for _ in range(count):
        if pos + 34 > length:
            raise _error("bad_header", "加密投标文件的数字信封不完整")
        kid = body[pos : pos + 32]
        w = struct.unpack(">H", body[pos + 32 : pos + 34])[0]
        wrapped = body[pos + 34 : pos + 34 + w]
        if len(wrapped) != w:
            raise _error("bad_header", "加密投标文件的数字信封不完整")
        try:
            x, y, _c3, c2 = sm2.decode_ciphertext(wrapped)
        except sm2.Sm2Error as exc:
            raise _error("bad_header", "加密投标文件的数字信封不是有效的SM2密文") from exc
        if len(c2) != sm4.KEY_SIZE or not sm2.on_curve(x, y):
            raise _error("bad_header", "加密投标文件的数字信封不是有效的SM2密文")
        recipients.append(Recipient(kid, wrapped))
        pos += 34 + w
    if pos != length:
        raise _error("bad_header", "加密投标文件的文件头有多余内容")
    return Header(chunk_size, prefix, commitment, tuple(recipients), pre + body)


def chunk_count(body_size: int, chunk_size: int) -> int | None:
    """Number of chunks a body of ``body_size`` bytes holds, or None if no valid layout has that size."""
    full = chunk_size + TAG
    if body_size < TAG:
        return None
    n = max(1, math.ceil(body_size / full))
    last = body_size - (n - 1) * full
    if n > 1 and last < TAG + 1:
        return None
    if n > 0xFFFFFFFF:
        return None
    return n


def _entropy(sample: bytes) -> float:
    counts = [0] * 256
    for b in sample:
        counts[b] += 1
    n = len(sample)
    return -sum(c / n * math.log2(c / n) for c in counts if c)


ENTROPY_SAMPLE = 1 << 16
ENTROPY_MIN_SAMPLE = 1 << 12
ENTROPY_THRESHOLD = 7.8  # random bytes: > 7.95 at 4 KiB; text, office files, images: far less


def inspect(src: BinaryIO, size: int | None = None) -> EnvelopeInfo:
    """Check without any key that ``src`` (seekable, at its start) is a well-formed envelope."""
    header = read_header(src)
    if size is None:
        here = src.tell()
        size = src.seek(0, io.SEEK_END)
        src.seek(here)
    body = size - len(header.raw)
    n = chunk_count(body, header.chunk_size)
    if n is None:
        raise _error("truncated", "加密投标文件不完整或长度不正确，请重新上传")
    sample = _read_exact(src, min(body, ENTROPY_SAMPLE))
    if len(sample) >= ENTROPY_MIN_SAMPLE and _entropy(sample) < ENTROPY_THRESHOLD:
        raise _error("not_sealed", "文件内容未经加密，未加密的投标文件不予接收")
    return EnvelopeInfo(
        version=VERSION,
        chunk_size=header.chunk_size,
        recipients=tuple(r.key_id.hex() for r in header.recipients),
        header_size=len(header.raw),
        size=size,
        chunks=n,
        plaintext_size=body - n * TAG,
    )


def unwrap_key(header: Header, private_key: sm2.PrivateKey) -> bytes:
    kid = key_id(private_key.public_key)
    for r in header.recipients:
        if r.key_id == kid:
            try:
                key = private_key.decrypt(r.wrapped_key)
            except sm2.DecryptionError as exc:
                raise _error("tampered", "数字信封已被篡改，无法解密") from exc
            if len(key) != sm4.KEY_SIZE or key_commitment(key, header.nonce_prefix) != header.key_commitment:
                raise _error("tampered", "数字信封已被篡改，无法解密")
            return key
    raise _error("wrong_key", "该加密投标文件不是用此密钥加密的，请使用投标时的密钥解密")


def open_envelope(src: BinaryIO, dst: BinaryIO, *, private_key: sm2.PrivateKey) -> int:
    """Decrypt ``src`` into ``dst``; returns the plaintext size.

    Raises EnvelopeError (``envelope.tampered`` / ``truncated`` / ``wrong_key`` …) on any change. The
    plaintext is written chunk by chunk, each only after its tag checked; on an error ``dst`` holds a
    prefix: write to a temporary file and keep it only when this returns.
    """
    header = read_header(src)
    key = unwrap_key(header, private_key)
    aad = header.aad
    full = header.chunk_size + TAG
    index, total = 0, 0
    current = _read_exact(src, full)
    while True:
        following = _read_exact(src, full) if len(current) == full else b""
        last = not following
        if len(current) < TAG or (index > 0 and last and len(current) == TAG):
            raise _error("truncated", "加密投标文件不完整（已被截断）")
        try:
            plain = sm4.gcm_decrypt(key, _nonce(header.nonce_prefix, index, last), current, aad)
        except sm4.AuthenticationFailed as exc:
            raise _error("tampered", f"加密投标文件第 {index + 1} 块校验失败：文件已被篡改或不完整") from exc
        dst.write(plain)
        total += len(plain)
        if last:
            return total
        current, index = following, index + 1


def open_bytes(data: bytes, private_key: sm2.PrivateKey) -> bytes:
    out = io.BytesIO()
    open_envelope(io.BytesIO(data), out, private_key=private_key)
    return out.getvalue()


def file_digest(src: BinaryIO) -> str:
    """SM3 of a stream, hex (what ``Sealed.digest`` is for the envelope file)."""
    h = Sm3()
    while block := src.read(_COPY):
        h.update(block)
    return h.hexdigest()
