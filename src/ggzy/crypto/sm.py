"""SM3 (GB/T 32905-2016) hashing. Pure module.

Backend: OpenSSL's SM3 through hashlib when the linked OpenSSL has it (fastest), otherwise the
``cryptography`` package's SM3. Both are checked against the standard's test vector in the tests.
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import hashes

try:
    _PROTO = hashlib.new("sm3")
except ValueError:  # OpenSSL built without SM3
    _PROTO = None


def sm3(data: bytes) -> bytes:
    """The 32-byte SM3 digest of ``data``."""
    if _PROTO is not None:
        h = _PROTO.copy()
        h.update(data)
        return h.digest()
    h2 = hashes.Hash(hashes.SM3())
    h2.update(data)
    return h2.finalize()


def sm3_hex(data: bytes) -> str:
    return sm3(data).hex()


def sm3_cryptography(data: bytes) -> bytes:
    """SM3 through ``cryptography`` only (used to cross-check the fast path)."""
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def backend() -> str:
    return "openssl-hashlib" if _PROTO is not None else "cryptography"
