"""The platform's SM2 signing key (receipts, signed tree heads, signed documents).

``GGZY_SIGNING_KEY_FILE`` names a PEM file (PKCS#8, as ``openssl genpkey -algorithm SM2`` writes
it). Outside production the file is created on first use (default ``<GGZY_VAR_DIR>/keys/
platform-sm2.pem``, mode 0600); in production it must exist, and using the key without it raises
ImproperlyConfigured. The public key is published (``/receipts/platform-key/``,
``/api/tendering/platform-key``): anyone can check the platform's signatures with it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ggzy.crypto import sm2

_lock = threading.Lock()
_cache: dict[tuple[str, int, int], sm2.PrivateKey] = {}


def key_path() -> Path | None:
    name = getattr(settings, "GGZY_SIGNING_KEY_FILE", "") or ""
    return Path(name) if name else None


def _create(path: Path) -> None:
    """Write a new key without ever exposing a half-written file or replacing an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(sm2.PrivateKey.generate().to_pem())
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):  # another process made the key first: keep it
            os.link(tmp, path)  # atomic
    finally:
        tmp.unlink(missing_ok=True)


def signing_key() -> sm2.PrivateKey:
    path = key_path()
    production = getattr(settings, "PRODUCTION", False)
    if path is None:
        raise ImproperlyConfigured(
            "GGZY_SIGNING_KEY_FILE must name the platform's SM2 signing key file in production "
            "(create one with `openssl genpkey -algorithm SM2 -out platform-sm2.pem`, see docs/crypto.md)"
        )
    with _lock:
        if not path.exists():
            if production:
                raise ImproperlyConfigured(
                    f"The platform signing key file {path} (GGZY_SIGNING_KEY_FILE) does not exist; "
                    "production never generates it (see docs/crypto.md)"
                )
            _create(path)
        st = path.stat()
        cache_key = (str(path), st.st_mtime_ns, st.st_size)
        key = _cache.get(cache_key)
        if key is None:
            try:
                key = sm2.load_private_key(path.read_bytes())
            except sm2.KeyFormatError as exc:
                raise ImproperlyConfigured(
                    f"The platform signing key file {path} is not an SM2 private key: {exc}"
                ) from exc
            _cache.clear()
            _cache[cache_key] = key
        return key


def public_key() -> sm2.PublicKey:
    return signing_key().public_key


def public_pem() -> str:
    return public_key().to_pem()


def fingerprint() -> str:
    return public_key().fingerprint()


def sign(data: bytes) -> bytes:
    return signing_key().sign(data)


def check_document(data: bytes, signature_b64: str, recorded_sm3: str) -> dict[str, object]:
    """A document the platform signed (a notice of award, a transaction confirmation), checked with
    only the public key: its SM2 signature and its SM3 digest against the one recorded at issue."""
    import base64

    from ggzy.crypto.sm import sm3_hex

    digest = sm3_hex(data)
    try:
        signature_ok = public_key().verify(base64.b64decode(signature_b64), data)
    except Exception:  # a malformed signature is simply not valid
        signature_ok = False
    digest_ok = digest == recorded_sm3
    return {
        "ok": signature_ok and digest_ok,
        "signature_ok": signature_ok,
        "digest": digest,
        "digest_ok": digest_ok,
    }


def check() -> list[str]:
    """Problems with the configured key (for the system check); empty when it is usable."""
    try:
        signing_key()
    except ImproperlyConfigured as exc:
        return [str(exc)]
    return []
