"""SM2 (GB/T 32918-2016): key pairs, signatures with SM3, public-key encryption. Pure module.

The one place that knows the backend: GmSSL 3 through the ``gmssl-pyx`` binding (C, randomness from
the operating system's CSPRNG). Everything else (key files, signature and ciphertext encodings) is
done here so it matches what OpenSSL reads and writes, which the tests check against the ``openssl``
command line:

- public keys: SubjectPublicKeyInfo (``-----BEGIN PUBLIC KEY-----``), algorithm id-ecPublicKey with
  the SM2 curve OID 1.2.156.10197.1.301, uncompressed point;
- private keys: PKCS#8 (``-----BEGIN PRIVATE KEY-----``) with the public key included, as
  ``openssl genpkey -algorithm SM2`` writes it; SEC1 ``EC PRIVATE KEY`` is read too;
- signatures: SM3 over Z_A ‖ message (Z_A from the distinguishing ID, default
  ``1234567812345678``, GB/T 35276-2017 §10), DER ``SEQUENCE {r, s}``;
- ciphertexts: C1C3C2, DER ``SEQUENCE {x, y, C3 OCTET STRING, C2 OCTET STRING}`` (GB/T 35276 §7.2).

Unencrypted private keys only: a bidder's key stays on the bidder's machine, the platform's in a
file only the server can read.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import gmssl_pyx

from ggzy.crypto import asn1
from ggzy.crypto.sm import sm3, sm3_hex

DEFAULT_ID = b"1234567812345678"
OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
OID_SM2 = "1.2.156.10197.1.301"
BACKEND = f"GmSSL 3 via gmssl-pyx {gmssl_pyx.__version__}"

# Curve parameters (GB/T 32918.5-2017)
P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = P - 3
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0

_ALG_ID = asn1.sequence(asn1.oid(OID_EC_PUBLIC_KEY), asn1.oid(OID_SM2))
_SM2_OID_DER = asn1.oid(OID_SM2)
MAX_ENCRYPT = 255  # the backend's limit; enough to wrap symmetric keys


class Sm2Error(ValueError):
    """Bad key material, a bad signature encoding, or a ciphertext that does not decrypt."""


class KeyFormatError(Sm2Error):
    pass


class DecryptionError(Sm2Error):
    pass


# --- curve arithmetic (key loading only: deriving a missing public key, checking points) ------
def on_curve(x: int, y: int) -> bool:
    return 0 <= x < P and 0 <= y < P and (y * y - (x * x * x + A * x + B)) % P == 0


def _jacobian_double(pt):
    x, y, z = pt
    if y == 0:
        return (0, 0, 0)
    ysq = y * y % P
    s = 4 * x * ysq % P
    zz = z * z % P
    m = (3 * x * x + A * zz * zz) % P
    nx = (m * m - 2 * s) % P
    ny = (m * (s - nx) - 8 * ysq * ysq) % P
    return (nx, ny, 2 * y * z % P)


def _jacobian_add(p1, p2):
    if p1[2] == 0:
        return p2
    if p2[2] == 0:
        return p1
    x1, y1, z1 = p1
    x2, y2, z2 = p2
    z1z1, z2z2 = z1 * z1 % P, z2 * z2 % P
    u1, u2 = x1 * z2z2 % P, x2 * z1z1 % P
    s1, s2 = y1 * z2 * z2z2 % P, y2 * z1 * z1z1 % P
    if u1 == u2:
        return _jacobian_double(p1) if s1 == s2 else (0, 0, 0)
    h, r = (u2 - u1) % P, (s2 - s1) % P
    hh = h * h % P
    hhh = h * hh % P
    v = u1 * hh % P
    nx = (r * r - hhh - 2 * v) % P
    ny = (r * (v - nx) - s1 * hhh) % P
    return (nx, ny, h * z1 * z2 % P)


def _scalar_base(k: int) -> tuple[int, int]:
    acc, add = (0, 0, 0), (GX, GY, 1)
    while k:
        if k & 1:
            acc = _jacobian_add(acc, add)
        add = _jacobian_double(add)
        k >>= 1
    x, y, z = acc
    zinv = pow(z, -1, P)
    return x * zinv * zinv % P, y * zinv * zinv * zinv % P


def z_value(public_raw: bytes, distid: bytes = DEFAULT_ID) -> bytes:
    """Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (GB/T 32918.2 §5.5)."""
    if len(distid) * 8 > 0xFFFF:
        raise Sm2Error("distinguishing ID too long")
    curve = b"".join(v.to_bytes(32, "big") for v in (A, B, GX, GY))
    return sm3((len(distid) * 8).to_bytes(2, "big") + distid + curve + public_raw)


def message_digest(public_raw: bytes, data: bytes, distid: bytes = DEFAULT_ID) -> bytes:
    """e = SM3(Z_A ‖ M): what SM2 actually signs."""
    return sm3(z_value(public_raw, distid) + data)


# --- keys --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublicKey:
    """An SM2 public key; ``raw`` is x ‖ y (64 bytes)."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != 64:
            raise KeyFormatError("an SM2 public key is 64 bytes x ‖ y")
        x, y = int.from_bytes(self.raw[:32], "big"), int.from_bytes(self.raw[32:], "big")
        if not on_curve(x, y):
            raise KeyFormatError("the point is not on the SM2 curve")

    @classmethod
    def from_point(cls, point: bytes) -> PublicKey:
        if len(point) != 65 or point[0] != 4:
            raise KeyFormatError("only uncompressed points (04 ‖ x ‖ y) are accepted")
        return cls(point[1:])

    @property
    def point(self) -> bytes:
        return b"\x04" + self.raw

    def to_der(self) -> bytes:
        return asn1.sequence(_ALG_ID, asn1.bit_string(self.point))

    def to_pem(self) -> str:
        return asn1.pem_encode("PUBLIC KEY", self.to_der()).decode("ascii")

    def fingerprint(self) -> str:
        """SM3 of the SubjectPublicKeyInfo DER, hex: the key's stable identifier."""
        return sm3_hex(self.to_der())

    def verify(self, signature: bytes, data: bytes, *, distid: bytes = DEFAULT_ID) -> bool:
        """True when ``signature`` (DER) is this key's SM2-with-SM3 signature over ``data``."""
        try:
            r, s = decode_signature(signature)
        except Sm2Error:
            return False
        if not (1 <= r < N and 1 <= s < N):
            return False
        try:
            digest = message_digest(self.raw, data, distid)
            return bool(gmssl_pyx.sm2_verify_sm3_digest(self.raw, digest, encode_signature(r, s)))
        except gmssl_pyx.GmsslInnerError:
            return False

    def encrypt(self, plaintext: bytes) -> bytes:
        """SM2 encryption, DER C1C3C2. For short secrets (wrapping keys): 1…255 bytes."""
        if not 1 <= len(plaintext) <= MAX_ENCRYPT:
            raise Sm2Error(f"SM2 encryption takes 1 to {MAX_ENCRYPT} bytes here")
        return gmssl_pyx.sm2_encrypt(self.raw, plaintext)


@dataclass(frozen=True)
class PrivateKey:
    """An SM2 private key with its public key."""

    secret: bytes = field(repr=False)
    public_key: PublicKey

    @classmethod
    def generate(cls) -> PrivateKey:
        public, private = gmssl_pyx.sm2_key_generate()
        return cls(private, PublicKey(public))

    @classmethod
    def from_secret(cls, secret: bytes, public: PublicKey | None = None) -> PrivateKey:
        """The key for scalar ``secret``; a given public key must match it."""
        d = int.from_bytes(secret, "big")
        if len(secret) != 32 or not 1 <= d <= N - 2:
            raise KeyFormatError("the private scalar is out of range")
        x, y = _scalar_base(d)
        derived = PublicKey(x.to_bytes(32, "big") + y.to_bytes(32, "big"))
        if public is not None and public != derived:
            raise KeyFormatError("the public key in the file does not belong to the private key")
        return cls(secret, derived)

    def to_der(self) -> bytes:
        """PKCS#8, public key included (as OpenSSL writes it)."""
        ec_private = asn1.sequence(
            asn1.integer(1),
            asn1.octet_string(self.secret),
            asn1.encode(asn1.CONTEXT_1, asn1.bit_string(self.public_key.point)),
        )
        return asn1.sequence(asn1.integer(0), _ALG_ID, asn1.octet_string(ec_private))

    def to_pem(self) -> str:
        return asn1.pem_encode("PRIVATE KEY", self.to_der()).decode("ascii")

    def sign(self, data: bytes, *, distid: bytes = DEFAULT_ID) -> bytes:
        """SM2 signature with SM3 over Z_A ‖ ``data``; DER ``SEQUENCE {r, s}``."""
        # Z_A and e computed here: the backend's own message path is ten times slower
        return gmssl_pyx.sm2_sign_sm3_digest(self.secret, message_digest(self.public_key.raw, data, distid))

    def decrypt(self, ciphertext: bytes) -> bytes:
        """Plaintext of an SM2 ciphertext (DER C1C3C2); DecryptionError if it was not for this key
        or was changed (the C3 check)."""
        try:
            x, y, c3, c2 = decode_ciphertext(ciphertext)
        except Sm2Error as exc:
            raise DecryptionError("malformed SM2 ciphertext") from exc
        if not on_curve(x, y):
            raise DecryptionError("C1 is not a point of the curve")
        canonical = encode_ciphertext(x, y, c3, c2)
        try:
            return gmssl_pyx.sm2_decrypt(self.secret, canonical)
        except gmssl_pyx.GmsslInnerError as exc:
            raise DecryptionError("the ciphertext does not decrypt with this key") from exc


# --- encodings ---------------------------------------------------------------------------------
def encode_signature(r: int, s: int) -> bytes:
    return asn1.sequence(asn1.integer(r), asn1.integer(s))


def decode_signature(der: bytes) -> tuple[int, int]:
    try:
        items = asn1.read_all(asn1.read_one(der, asn1.SEQUENCE).value)
        if len(items) != 2:
            raise asn1.DerError("two integers expected")
        return asn1.to_int(asn1.expect(items[0], asn1.INTEGER)), asn1.to_int(
            asn1.expect(items[1], asn1.INTEGER)
        )
    except asn1.DerError as exc:
        raise Sm2Error(f"bad signature encoding: {exc}") from exc


def encode_ciphertext(x: int, y: int, c3: bytes, c2: bytes) -> bytes:
    return asn1.sequence(asn1.integer(x), asn1.integer(y), asn1.octet_string(c3), asn1.octet_string(c2))


def decode_ciphertext(der: bytes) -> tuple[int, int, bytes, bytes]:
    """(x, y, C3, C2) of a DER SM2 ciphertext; checks the shape, not the point."""
    try:
        items = asn1.read_all(asn1.read_one(der, asn1.SEQUENCE).value)
        if len(items) != 4:
            raise asn1.DerError("four fields expected")
        x = asn1.to_int(asn1.expect(items[0], asn1.INTEGER))
        y = asn1.to_int(asn1.expect(items[1], asn1.INTEGER))
        c3 = asn1.expect(items[2], asn1.OCTET_STRING)
        c2 = asn1.expect(items[3], asn1.OCTET_STRING)
    except asn1.DerError as exc:
        raise Sm2Error(f"bad ciphertext encoding: {exc}") from exc
    if len(c3) != 32 or not c2:
        raise Sm2Error("C3 must be 32 bytes and C2 not empty")
    return x, y, c3, c2


def _algorithm_is_sm2(alg: asn1.Tlv) -> None:
    items = asn1.read_all(asn1.expect(alg, asn1.SEQUENCE))
    if len(items) != 2 or asn1.encode(items[0].tag, items[0].value) != asn1.oid(OID_EC_PUBLIC_KEY):
        raise KeyFormatError("not an elliptic-curve key")
    if asn1.encode(items[1].tag, items[1].value) != _SM2_OID_DER:
        raise KeyFormatError("not a key on the SM2 curve")


def public_key_from_der(der: bytes) -> PublicKey:
    try:
        items = asn1.read_all(asn1.read_one(der, asn1.SEQUENCE).value)
        if len(items) != 2:
            raise KeyFormatError("SubjectPublicKeyInfo has two fields")
        _algorithm_is_sm2(items[0])
        return PublicKey.from_point(asn1.bits(asn1.expect(items[1], asn1.BIT_STRING)))
    except asn1.DerError as exc:
        raise KeyFormatError(f"bad public key encoding: {exc}") from exc


def _ec_private_key(der: bytes, *, need_params: bool) -> PrivateKey:
    """SEC1 ECPrivateKey: SEQUENCE {1, OCTET STRING d, [0] curve OID?, [1] BIT STRING point?}."""
    items = asn1.read_all(asn1.read_one(der, asn1.SEQUENCE).value)
    if len(items) < 2 or asn1.to_int(asn1.expect(items[0], asn1.INTEGER)) != 1:
        raise KeyFormatError("ECPrivateKey version must be 1")
    secret = asn1.expect(items[1], asn1.OCTET_STRING)
    if len(secret) < 32:
        secret = secret.rjust(32, b"\x00")
    public = None
    saw_params = False
    for item in items[2:]:
        if item.tag == asn1.CONTEXT_0:
            if item.value != _SM2_OID_DER:
                raise KeyFormatError("not a key on the SM2 curve")
            saw_params = True
        elif item.tag == asn1.CONTEXT_1:
            public = PublicKey.from_point(asn1.bits(asn1.read_one(item.value, asn1.BIT_STRING).value))
        else:
            raise KeyFormatError("unexpected field in ECPrivateKey")
    if need_params and not saw_params:
        raise KeyFormatError("the curve is not named in the key")
    return PrivateKey.from_secret(secret, public)


def private_key_from_der(der: bytes) -> PrivateKey:
    """PKCS#8 (unencrypted) or SEC1 DER."""
    try:
        outer = asn1.read_all(asn1.read_one(der, asn1.SEQUENCE).value)
        if len(outer) >= 3 and outer[1].tag == asn1.SEQUENCE:  # PKCS#8
            if asn1.to_int(asn1.expect(outer[0], asn1.INTEGER)) != 0:
                raise KeyFormatError("unsupported PKCS#8 version")
            _algorithm_is_sm2(outer[1])
            return _ec_private_key(asn1.expect(outer[2], asn1.OCTET_STRING), need_params=False)
        return _ec_private_key(der, need_params=True)
    except asn1.DerError as exc:
        raise KeyFormatError(f"bad private key encoding: {exc}") from exc


def load_public_key(data: bytes | str) -> PublicKey:
    """A public key from PEM (``PUBLIC KEY``) or DER SubjectPublicKeyInfo."""
    raw = data.encode("ascii", "replace") if isinstance(data, str) else data
    if raw.lstrip().startswith(b"-----BEGIN"):
        try:
            label, der = asn1.pem_decode(raw)
        except asn1.DerError as exc:
            raise KeyFormatError(str(exc)) from exc
        if label != "PUBLIC KEY":
            raise KeyFormatError(f"expected a PUBLIC KEY block, found {label}")
        raw = der
    return public_key_from_der(raw)


def load_private_key(data: bytes | str) -> PrivateKey:
    """A private key from PEM (``PRIVATE KEY`` or ``EC PRIVATE KEY``) or DER."""
    raw = data.encode("ascii", "replace") if isinstance(data, str) else data
    if raw.lstrip().startswith(b"-----BEGIN"):
        try:
            label, der = asn1.pem_decode(raw)
        except asn1.DerError as exc:
            raise KeyFormatError(str(exc)) from exc
        if label not in ("PRIVATE KEY", "EC PRIVATE KEY"):
            raise KeyFormatError(f"expected a PRIVATE KEY block, found {label}")
        raw = der
    return private_key_from_der(raw)


def random_bytes(n: int) -> bytes:
    return secrets.token_bytes(n)
