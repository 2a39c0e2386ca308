"""The sealed-bid envelope: round trips, tampering, the keyless well-formedness check, OpenSSL."""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ggzy.crypto import envelope, sm2, sm4
from ggzy.crypto.sm import sm3_hex

CS = envelope.MIN_CHUNK_SIZE
BIDDER = sm2.PrivateKey.generate()
OTHER = sm2.PrivateKey.generate()


def seal(data: bytes, **kw) -> tuple[bytes, envelope.Sealed]:
    kw.setdefault("recipients", [BIDDER.public_key])
    kw.setdefault("signer", BIDDER)
    kw.setdefault("chunk_size", CS)
    return envelope.seal_bytes(data, **kw)


sizes = st.one_of(
    st.integers(0, 4 * CS + 3),
    st.sampled_from([0, 1, CS - 1, CS, CS + 1, 2 * CS - 1, 2 * CS, 2 * CS + 1, 3 * CS]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(size=sizes, seed=st.integers(0, 2**32))
def test_round_trip(size, seed):
    data = (seed.to_bytes(8, "big") * (size // 8 + 1))[:size]
    blob, sealed = seal(data)
    assert envelope.open_bytes(blob, BIDDER) == data
    assert sealed.digest == sm3_hex(blob) and sealed.size == len(blob) and sealed.plaintext_size == size
    assert envelope.verify_digest_signature(BIDDER.public_key, sealed.digest, sealed.signature)
    info = envelope.inspect(io.BytesIO(blob))
    assert info.plaintext_size == size and info.recipients == (BIDDER.public_key.fingerprint(),)
    assert info.chunks == max(1, -(-size // CS))


def test_several_recipients_each_open():
    data = os.urandom(CS + 5)
    blob, _ = seal(data, recipients=[BIDDER.public_key, OTHER.public_key])
    assert envelope.open_bytes(blob, BIDDER) == data == envelope.open_bytes(blob, OTHER)


def test_a_key_wrapped_for_another_recipient_must_be_the_committed_key():
    """A sender cannot give two recipients two different content keys (GCM does not commit to
    its key): a wrapped key other than the committed one is refused as tampering."""
    data = os.urandom(100)
    blob, _ = seal(data, recipients=[BIDDER.public_key, OTHER.public_key])
    h = envelope.read_header(io.BytesIO(blob))
    forged_wrap = OTHER.public_key.encrypt(os.urandom(16))
    recipients = [h.recipients[0], envelope.Recipient(h.recipients[1].key_id, forged_wrap)]
    header = envelope._build_header(h.chunk_size, h.nonce_prefix, h.key_commitment, recipients)
    forged = header + blob[len(h.raw) :]
    assert envelope.open_bytes(blob, OTHER) == data
    with pytest.raises(envelope.EnvelopeError) as e:
        envelope.open_bytes(forged, OTHER)
    assert e.value.code == "envelope.tampered"


def test_wrong_key_is_a_clear_error():
    blob, _ = seal(b"x" * 10)
    with pytest.raises(envelope.EnvelopeError) as e:
        envelope.open_bytes(blob, OTHER)
    assert e.value.code == "envelope.wrong_key" and "密钥" in e.value.message


MARKER = "投标报价壹仟万元".encode() * 600  # > 2 chunks of 4 KiB
BLOB, SEALED = seal(MARKER)


def test_ciphertext_holds_no_plaintext():
    assert "投标报价".encode() not in BLOB


def _opens(blob: bytes) -> bool:
    try:
        envelope.open_bytes(blob, BIDDER)
    except envelope.EnvelopeError:
        return False
    return True


def _flip(blob: bytes, i: int) -> bytes:
    b = bytearray(blob)
    b[i] ^= 0x01
    return bytes(b)


def test_any_flipped_header_byte_fails():
    header_len = envelope.PREAMBLE.size + struct.unpack(">I", BLOB[8:12])[0]
    for i in range(header_len):
        assert not _opens(_flip(BLOB, i)), i


@settings(max_examples=150, deadline=None)
@given(st.integers(0, len(BLOB) - 1), st.integers(0, 7))
def test_any_flipped_byte_fails(i, bit):
    b = bytearray(BLOB)
    b[i] ^= 1 << bit
    assert not _opens(bytes(b))


def _chunks(blob: bytes) -> tuple[bytes, list[bytes]]:
    h = envelope.read_header(io.BytesIO(blob))
    body = blob[len(h.raw) :]
    full = h.chunk_size + envelope.TAG
    return h.raw, [body[i : i + full] for i in range(0, len(body), full)]


def test_reordered_dropped_truncated_or_spliced_chunks_fail():
    head, chunks = _chunks(BLOB)
    assert len(chunks) >= 3
    assert _opens(head + b"".join(chunks))
    assert not _opens(head + chunks[1] + chunks[0] + b"".join(chunks[2:]))  # swapped
    assert not _opens(head + b"".join(chunks[:-1]))  # last chunk dropped (truncated at a boundary)
    assert not _opens(head + chunks[0] + b"".join(chunks[2:]))  # middle chunk dropped
    assert not _opens(head + b"".join(chunks) + chunks[-1])  # extra chunk
    assert not _opens(BLOB[:-1])
    assert not _opens(head)
    other_blob, _ = seal(MARKER)
    other_head, other_chunks = _chunks(other_blob)
    assert not _opens(head + other_chunks[0] + b"".join(chunks[1:]))  # chunk from another envelope
    assert not _opens(other_head + b"".join(chunks))  # header from another envelope


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"%PDF-1.7\n" + "投标文件".encode() * 3000, "envelope.not_sealed"),
        (b"", "envelope.not_sealed"),
        (b"GGZYENV\x02" + b"\x00" * 40, "envelope.unsupported_version"),
    ],
)
def test_inspect_refuses_what_is_not_an_envelope(content, code):
    with pytest.raises(envelope.EnvelopeError) as e:
        envelope.inspect(io.BytesIO(content))
    assert e.value.code == code


def test_inspect_refuses_a_wellformed_header_over_plaintext():
    head, _ = _chunks(BLOB)
    fake = head + ("明文" * 5000).encode()[: len(BLOB) - len(head)]
    with pytest.raises(envelope.EnvelopeError) as e:
        envelope.inspect(io.BytesIO(fake))
    assert e.value.code == "envelope.not_sealed"


def test_inspect_refuses_wrong_length_and_missing_key():
    head, chunks = _chunks(BLOB)
    with pytest.raises(envelope.EnvelopeError) as e:
        envelope.inspect(io.BytesIO(head + b"".join(chunks)[: -len(chunks[-1]) + 5]))
    assert e.value.code == "envelope.truncated"
    no_key = envelope.PREAMBLE.pack(envelope.MAGIC, 1, 44) + struct.pack(">I", CS) + b"\x00" * 39 + b"\x00"
    with pytest.raises(envelope.EnvelopeError) as e:
        envelope.inspect(io.BytesIO(no_key + os.urandom(100)))
    assert e.value.code == "envelope.no_wrapped_key"


class _Zeros(io.RawIOBase):
    """A large plaintext that is never in memory."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = min(len(b), self.left)
        b[:n] = b"\x07" * n
        self.left -= n
        return n


def test_large_files_stream_in_bounded_memory(tmp_path: Path):
    size = 40 * (1 << 20)
    target = tmp_path / "bid.ggzyenv"
    tracemalloc.start()
    with target.open("wb") as out:
        sealed = envelope.seal(io.BufferedReader(_Zeros(size)), out, recipients=[BIDDER.public_key])
    _, peak_seal = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    with target.open("rb") as src, (tmp_path / "plain").open("wb") as dst:
        assert envelope.open_envelope(src, dst, private_key=BIDDER) == size
    _, peak_open = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak_seal < 8 * (1 << 20) and peak_open < 8 * (1 << 20), (peak_seal, peak_open)
    with target.open("rb") as src:
        assert envelope.file_digest(src) == sealed.digest
    with target.open("rb") as src:
        assert envelope.inspect(src).plaintext_size == size


# --- OpenSSL: digest, signature and wrapped key are standard ---------------------------------------
OPENSSL = shutil.which("openssl")


@pytest.mark.skipif(OPENSSL is None, reason="no openssl command line")
def test_envelope_checks_with_openssl(tmp_path: Path):
    f = tmp_path / "bid.ggzyenv"
    f.write_bytes(BLOB)
    out = subprocess.run([OPENSSL, "dgst", "-sm3", str(f)], capture_output=True, check=True).stdout.decode()
    assert out.strip().endswith(SEALED.digest)
    (tmp_path / "pub.pem").write_text(BIDDER.public_key.to_pem())
    (tmp_path / "k.pem").write_text(BIDDER.to_pem())
    (tmp_path / "msg").write_bytes(envelope.signed_message(SEALED.digest))
    (tmp_path / "sig").write_bytes(SEALED.signature)
    r = subprocess.run(
        [OPENSSL, "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "pub.pem"), "-rawin",
         "-digest", "sm3", "-pkeyopt", "distid:1234567812345678", "-in", str(tmp_path / "msg"),
         "-sigfile", str(tmp_path / "sig")],
        capture_output=True, check=False,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    # OpenSSL unwraps the content key; with it, the first chunk opens with plain SM4-GCM
    header = envelope.read_header(io.BytesIO(BLOB))
    (tmp_path / "wrapped").write_bytes(header.recipients[0].wrapped_key)
    key = subprocess.run(
        [OPENSSL, "pkeyutl", "-decrypt", "-inkey", str(tmp_path / "k.pem"), "-in", str(tmp_path / "wrapped")],
        capture_output=True,
        check=True,
    ).stdout
    first = BLOB[len(header.raw) : len(header.raw) + CS + envelope.TAG]
    nonce = header.nonce_prefix + struct.pack(">IB", 0, 0)
    assert sm4.gcm_decrypt(key, nonce, first, header.aad) == MARKER[:CS]
