"""SM4 (GB/T 32907-2016) in GCM mode (authenticated; RFC 8998), from ``cryptography``. Pure module."""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KEY_SIZE = 16
NONCE_SIZE = 12
TAG_SIZE = 16


class AuthenticationFailed(ValueError):
    """The ciphertext, its tag, the nonce or the associated data were changed, or the key is wrong."""


def gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    """ciphertext ‖ 16-byte tag."""
    if len(key) != KEY_SIZE or len(nonce) != NONCE_SIZE:
        raise ValueError("SM4-GCM takes a 16-byte key and a 12-byte nonce")
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    if aad:
        enc.authenticate_additional_data(aad)
    body = enc.update(plaintext) + enc.finalize()
    return body + enc.tag


def gcm_decrypt(key: bytes, nonce: bytes, data: bytes, aad: bytes = b"") -> bytes:
    """Plaintext of ciphertext ‖ tag; AuthenticationFailed on any change."""
    if len(key) != KEY_SIZE or len(nonce) != NONCE_SIZE:
        raise ValueError("SM4-GCM takes a 16-byte key and a 12-byte nonce")
    if len(data) < TAG_SIZE:
        raise AuthenticationFailed("shorter than a tag")
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, data[-TAG_SIZE:])).decryptor()
    if aad:
        dec.authenticate_additional_data(aad)
    try:
        return dec.update(data[:-TAG_SIZE]) + dec.finalize()
    except InvalidTag as exc:
        raise AuthenticationFailed("SM4-GCM authentication failed") from exc
