"""SM2 through the facade, checked against the ``openssl`` command line both ways."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.crypto import asn1, sm2

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="no openssl command line")
DISTID = "distid:1234567812345678"


def openssl(*args: str, input: bytes | None = None) -> bytes:
    r = subprocess.run([OPENSSL, *args], input=input, capture_output=True, check=False)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout


@pytest.fixture(scope="module")
def key() -> sm2.PrivateKey:
    return sm2.PrivateKey.generate()


def test_generate_sign_verify(key):
    sig = key.sign(b"bid")
    assert key.public_key.verify(sig, b"bid")
    assert not key.public_key.verify(sig, b"bie")
    assert not sm2.PrivateKey.generate().public_key.verify(sig, b"bid")
    assert not key.public_key.verify(sig, b"bid", distid=b"other-id")
    assert not key.public_key.verify(b"\x30\x00", b"bid")
    assert not key.public_key.verify(b"junk", b"bid")
    assert key.sign(b"bid") != sig  # randomised


def test_pem_der_round_trip(key):
    assert sm2.load_private_key(key.to_pem()) == key
    assert sm2.load_private_key(key.to_der()) == key
    assert sm2.load_public_key(key.public_key.to_pem()) == key.public_key
    assert sm2.load_public_key(key.public_key.to_der()) == key.public_key
    assert len(key.public_key.fingerprint()) == 64


def test_encrypt_decrypt(key):
    ct = key.public_key.encrypt(b"k" * 16)
    assert key.decrypt(ct) == b"k" * 16
    with pytest.raises(sm2.DecryptionError):
        sm2.PrivateKey.generate().decrypt(ct)
    x, y, c3, c2 = sm2.decode_ciphertext(ct)
    for bad in (
        sm2.encode_ciphertext(x, y, c3, bytes([c2[0] ^ 1]) + c2[1:]),
        sm2.encode_ciphertext(x, y, bytes([c3[0] ^ 1]) + c3[1:], c2),
        sm2.encode_ciphertext(x, y ^ 1, c3, c2),
        ct[:-1],
        b"",
    ):
        with pytest.raises(sm2.DecryptionError):
            key.decrypt(bad)
    with pytest.raises(sm2.Sm2Error):
        key.public_key.encrypt(b"")


@pytest.mark.parametrize(
    "bad",
    [
        b"",
        b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        b"\x30\x03\x02\x01\x00",
    ],
)
def test_bad_public_keys_are_refused(bad):
    with pytest.raises(sm2.KeyFormatError):
        sm2.load_public_key(bad)


def test_point_off_the_curve_is_refused(key):
    raw = bytearray(key.public_key.raw)
    raw[-1] ^= 1
    der = asn1.sequence(
        asn1.sequence(asn1.oid(sm2.OID_EC_PUBLIC_KEY), asn1.oid(sm2.OID_SM2)), asn1.bit_string(b"\x04" + raw)
    )
    with pytest.raises(sm2.KeyFormatError):
        sm2.load_public_key(der)


def test_mismatched_public_key_in_private_key_file_is_refused(key):
    other = sm2.PrivateKey.generate().public_key
    ec = asn1.sequence(
        asn1.integer(1),
        asn1.octet_string(key.secret),
        asn1.encode(asn1.CONTEXT_1, asn1.bit_string(other.point)),
    )
    der = asn1.sequence(
        asn1.integer(0),
        asn1.sequence(asn1.oid(sm2.OID_EC_PUBLIC_KEY), asn1.oid(sm2.OID_SM2)),
        asn1.octet_string(ec),
    )
    with pytest.raises(sm2.KeyFormatError):
        sm2.load_private_key(der)


def test_p256_key_is_refused():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(sm2.KeyFormatError, match="SM2"):
        sm2.load_public_key(pem)


def test_public_key_derivation_matches_backend(key):
    assert sm2.PrivateKey.from_secret(key.secret).public_key == key.public_key


@settings(max_examples=25, deadline=None)
@given(st.binary(min_size=0, max_size=300))
def test_sign_verify_any_message(data):
    k = sm2.PrivateKey.generate()
    assert k.public_key.verify(k.sign(data), data)


# --- interoperability with OpenSSL --------------------------------------------------------------
@needs_openssl
def test_openssl_key_signature_and_ciphertext_work_here(tmp_path: Path):
    kp = tmp_path / "k.pem"
    openssl("genpkey", "-algorithm", "SM2", "-out", str(kp))
    pub_pem = openssl("pkey", "-in", str(kp), "-pubout")
    priv = sm2.load_private_key(kp.read_bytes())
    assert sm2.load_public_key(pub_pem) == priv.public_key
    # DER forms as openssl writes them
    assert sm2.load_private_key(openssl("pkey", "-in", str(kp), "-outform", "DER")) == priv
    assert (
        sm2.load_public_key(openssl("pkey", "-in", str(kp), "-pubout", "-outform", "DER")) == priv.public_key
    )
    # our PEM encodings are byte-for-byte what openssl writes
    assert priv.to_pem().encode() == openssl("pkey", "-in", str(kp))
    assert priv.public_key.to_pem().encode() == pub_pem

    msg = tmp_path / "m.bin"
    msg.write_bytes("投标文件摘要".encode())
    sig = openssl(
        "pkeyutl", "-sign", "-inkey", str(kp), "-rawin", "-digest", "sm3", "-pkeyopt", DISTID, "-in", str(msg)
    )
    assert priv.public_key.verify(sig, msg.read_bytes())
    assert not priv.public_key.verify(sig, msg.read_bytes() + b"x")

    pub_file = tmp_path / "pub.pem"
    pub_file.write_bytes(pub_pem)
    ct = openssl("pkeyutl", "-encrypt", "-pubin", "-inkey", str(pub_file), input=b"0123456789abcdef")
    assert priv.decrypt(ct) == b"0123456789abcdef"


@needs_openssl
def test_our_key_signature_and_ciphertext_work_in_openssl(tmp_path: Path):
    key = sm2.PrivateKey.generate()
    kp, pub = tmp_path / "k.pem", tmp_path / "pub.pem"
    kp.write_text(key.to_pem())
    pub.write_text(key.public_key.to_pem())
    text = openssl("pkey", "-in", str(kp), "-text", "-noout").decode()
    assert "ASN1 OID: SM2" in text
    assert openssl("pkey", "-pubin", "-in", str(pub)).decode() == key.public_key.to_pem()
    (tmp_path / "k.der").write_bytes(key.to_der())
    assert openssl("pkey", "-inform", "DER", "-in", str(tmp_path / "k.der")).decode() == key.to_pem()

    msg = tmp_path / "m.bin"
    msg.write_bytes(b"receipt")
    sig = tmp_path / "sig.der"
    sig.write_bytes(key.sign(b"receipt"))
    out = openssl(
        "pkeyutl", "-verify", "-pubin", "-inkey", str(pub), "-rawin", "-digest", "sm3",
        "-pkeyopt", DISTID, "-in", str(msg), "-sigfile", str(sig),
    )  # fmt: skip
    assert b"Signature Verified Successfully" in out
    msg.write_bytes(b"receipT")
    r = subprocess.run(
        [OPENSSL, "pkeyutl", "-verify", "-pubin", "-inkey", str(pub), "-rawin", "-digest", "sm3",
         "-pkeyopt", DISTID, "-in", str(msg), "-sigfile", str(sig)],
        capture_output=True, check=False,
    )  # fmt: skip
    assert r.returncode != 0

    ct = tmp_path / "ct.der"
    ct.write_bytes(key.public_key.encrypt(b"fedcba9876543210"))
    assert openssl("pkeyutl", "-decrypt", "-inkey", str(kp), "-in", str(ct)) == b"fedcba9876543210"
