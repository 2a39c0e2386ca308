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


class Sm3:
    """Incremental SM3 (for files: update chunk by chunk, then ``digest()``)."""

    def __init__(self, data: bytes = b"") -> None:
        self._h = _PROTO.copy() if _PROTO is not None else hashes.Hash(hashes.SM3())
        self._done: bytes | None = None
        if data:
            self.update(data)

    def update(self, data: bytes) -> None:
        if self._done is not None:
            raise ValueError("digest already taken")
        self._h.update(data)

    def digest(self) -> bytes:
        if self._done is None:
            self._done = self._h.digest() if _PROTO is not None else self._h.finalize()
        return self._done

    def hexdigest(self) -> str:
        return self.digest().hex()
