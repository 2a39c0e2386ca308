"""The few DER (ITU-T X.690) structures SM2 keys, signatures and ciphertexts use. Pure module.

Strict: definite, minimal lengths only; no trailing bytes. Enough for SubjectPublicKeyInfo, PKCS#8,
SEC1 ECPrivateKey, ECDSA-style ``SEQUENCE {r, s}`` and the GB/T 35276 SM2 ciphertext.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
SEQUENCE = 0x30
CONTEXT_0 = 0xA0
CONTEXT_1 = 0xA1


class DerError(ValueError):
    """Malformed DER."""


@dataclass(frozen=True)
class Tlv:
    tag: int
    value: bytes


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def encode(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + _length(len(value)) + value


def sequence(*items: bytes) -> bytes:
    return encode(SEQUENCE, b"".join(items))


def integer(n: int) -> bytes:
    if n < 0:
        raise DerError("negative integers are not used here")
    body = n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big")  # a leading 0 when the top bit is set
    return encode(INTEGER, body)


def octet_string(b: bytes) -> bytes:
    return encode(OCTET_STRING, b)


def bit_string(b: bytes) -> bytes:
    return encode(BIT_STRING, b"\x00" + b)


def oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        body.extend(reversed(chunk))
    return encode(OID, bytes(body))


def read(data: bytes, pos: int = 0) -> tuple[Tlv, int]:
    """One TLV at ``pos``: (tlv, position after it)."""
    if pos + 2 > len(data):
        raise DerError("truncated")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise DerError("high tag numbers are not used here")
    first = data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        if n == 0 or n > 4 or pos + n > len(data):
            raise DerError("bad length")
        length = int.from_bytes(data[pos : pos + n], "big")
        if length < 0x80 or data[pos] == 0:
            raise DerError("non-minimal length")
        pos += n
    if pos + length > len(data):
        raise DerError("truncated")
    return Tlv(tag, bytes(data[pos : pos + length])), pos + length


def read_all(data: bytes) -> list[Tlv]:
    """The TLVs that make up ``data`` exactly (the contents of a constructed value)."""
    items, pos = [], 0
    while pos < len(data):
        tlv, pos = read(data, pos)
        items.append(tlv)
    return items


def read_one(data: bytes, tag: int) -> Tlv:
    tlv, end = read(data)
    if end != len(data):
        raise DerError("trailing bytes")
    if tlv.tag != tag:
        raise DerError(f"expected tag {tag:#x}, found {tlv.tag:#x}")
    return tlv


def expect(tlv: Tlv, tag: int) -> bytes:
    if tlv.tag != tag:
        raise DerError(f"expected tag {tag:#x}, found {tlv.tag:#x}")
    return tlv.value


def to_int(value: bytes) -> int:
    if not value:
        raise DerError("empty integer")
    if value[0] & 0x80:
        raise DerError("negative integer")
    if len(value) > 1 and value[0] == 0 and not value[1] & 0x80:
        raise DerError("non-minimal integer")
    return int.from_bytes(value, "big")


def bits(value: bytes) -> bytes:
    if not value or value[0] != 0:
        raise DerError("bit strings with unused bits are not used here")
    return value[1:]


# --- PEM -------------------------------------------------------------------------------------
_PEM = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\s*(.*?)\s*-----END \1-----", re.S)


def pem_decode(data: bytes) -> tuple[str, bytes]:
    """(label, DER) of the first PEM block in ``data``."""
    m = _PEM.search(data)
    if m is None:
        raise DerError("no PEM block")
    body = m.group(2)
    if b":" in body:  # "Proc-Type: 4,ENCRYPTED" headers
        raise DerError("encrypted or annotated PEM is not supported")
    try:
        der = base64.b64decode(b"".join(body.split()), validate=True)
    except ValueError as exc:
        raise DerError("bad base64 in PEM") from exc
    return m.group(1).decode("ascii"), der


def pem_encode(label: str, der: bytes) -> bytes:
    b64 = base64.b64encode(der)
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    return b"".join([f"-----BEGIN {label}-----\n".encode(), *(line + b"\n" for line in lines)]) + (
        f"-----END {label}-----\n".encode()
    )
