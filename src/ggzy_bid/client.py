"""The bidding client: keys, sealing, resumable upload, receipts, withdrawal, decryption at the opening.

``BidClient(transport)`` talks to ``/api/tendering/…`` through a ``Transport`` (``HttpTransport``
over urllib for a real server; tests plug in Django's test client). Files are streamed: sealing
reads and writes one envelope chunk at a time, the upload reads one upload chunk at a time.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ggzy.crypto import envelope, sm2
from ggzy.tendering import bidfile, receiptlog

API = "/api/tendering"
DEFAULT_UPLOAD_CHUNK = 2 << 20  # ≤ FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): the server keeps a chunk in memory


class ApiError(Exception):
    """A refusal from the platform: its stable ``code`` and Chinese ``message``."""

    def __init__(self, status: int, code: str, message: str, body: Any = None) -> None:
        super().__init__(f"{message}（{code}）")
        self.status, self.code, self.message, self.body = status, code, message, body


class Transport(Protocol):
    def request(
        self, method: str, path: str, *, json_body: Any = None, data: bytes | None = None
    ) -> tuple[int, Any]: ...


class HttpTransport:
    """HTTP(S) with a bearer token, standard library only."""

    def __init__(self, base_url: str, token: str = "", timeout: float = 120) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def request(self, method: str, path: str, *, json_body: Any = None, data: bytes | None = None):
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        elif data is not None:
            body = data
            headers["Content-Type"] = "application/octet-stream"
        req = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        try:
            return status, json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            return status, raw.decode("utf-8", "replace")


# --- keys ------------------------------------------------------------------------------------------
def keygen(private_path: Path, public_path: Path) -> sm2.PrivateKey:
    """A new SM2 key pair: the private key PEM written with mode 0600 (never uploaded)."""
    key = sm2.PrivateKey.generate()
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key.to_pem())
    public_path.write_text(key.public_key.to_pem())
    return key


def load_private(path: Path) -> sm2.PrivateKey:
    return sm2.load_private_key(path.read_bytes())


# --- sealing ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SealedBid:
    path: Path
    digest: str
    size: int
    signature: str  # base64 DER
    key_fingerprint: str


def seal_file(plaintext: Path, out: Path, private_key: sm2.PrivateKey, *, extra_recipients=()) -> SealedBid:
    """Encrypt ``plaintext`` for the bidder's own key (SM4-GCM, fresh key) and sign the digest."""
    with open(plaintext, "rb") as src, open(out, "wb") as dst:
        sealed = envelope.seal(
            src, dst, recipients=[private_key.public_key, *extra_recipients], signer=private_key
        )
        dst.flush()
        os.fsync(dst.fileno())
    return SealedBid(
        path=out,
        digest=sealed.digest,
        size=sealed.size,
        signature=base64.b64encode(sealed.signature).decode("ascii"),
        key_fingerprint=private_key.public_key.fingerprint(),
    )


def pack_bid(summary: dict[str, Any], attachments: list[Path], out: Path) -> Path:
    with open(out, "wb") as f:
        bidfile.pack(summary, attachments, f)
    return out


# --- the client ------------------------------------------------------------------------------------
class BidClient:
    def __init__(self, transport: Transport) -> None:
        self.t = transport

    def _call(self, method: str, path: str, ok: tuple[int, ...] = (200, 201), **kw) -> Any:
        status, body = self.t.request(method, API + path, **kw)
        if status not in ok:
            if isinstance(body, dict):
                raise ApiError(status, str(body.get("code", "")), str(body.get("message", "")), body)
            raise ApiError(status, "http.error", f"服务器返回 {status}", body)
        return body

    # keys and the platform
    def platform_key(self) -> sm2.PublicKey:
        return sm2.load_public_key(self._call("GET", "/platform-key")["pem"])

    def register_key(self, uscc: str, public_key: sm2.PublicKey, label: str = "") -> dict:
        return self._call(
            "POST", "/keys", json_body={"uscc": uscc, "public_key_pem": public_key.to_pem(), "label": label}
        )

    # upload
    def upload(
        self,
        lot: str,
        sealed: SealedBid,
        *,
        chunk_size: int = DEFAULT_UPLOAD_CHUNK,
        device: dict | None = None,
        document: dict | None = None,
        state_file: Path | None = None,
        progress=None,
    ) -> dict:
        """Upload (resuming an earlier attempt named in ``state_file``) and commit; returns the bid
        with the platform-signed receipt."""
        token = None
        if state_file and state_file.exists():
            state = json.loads(state_file.read_text())
            if state.get("digest") == sealed.digest and state.get("lot") == lot:
                token = state["token"]
        info = None
        if token:
            try:
                info = self._call("GET", f"/uploads/{token}")
            except ApiError:
                info = None
            if info is not None and info["status"] != "open":
                info = None
        if info is None:
            info = self._call(
                "POST",
                f"/lots/{lot}/uploads",
                json_body={
                    "key_fingerprint": sealed.key_fingerprint,
                    "size": sealed.size,
                    "ciphertext_sm3": sealed.digest,
                    "signature": sealed.signature,
                    "chunk_size": chunk_size,
                    "device": device or {},
                    "document": document or {},
                },
            )
            if state_file:
                state_file.write_text(
                    json.dumps({"token": info["token"], "lot": lot, "digest": sealed.digest})
                )
        token, size, n = info["token"], info["chunk_size"], info["chunks"]
        have = set(info["received"])
        with open(sealed.path, "rb") as f:
            for i in range(n):
                if i in have:
                    continue
                f.seek(i * size)
                self._call("PUT", f"/uploads/{token}/chunks/{i}", data=f.read(size))
                if progress:
                    progress(i + 1, n)
        bid = self._call("POST", f"/uploads/{token}/commit")
        if state_file:
            state_file.unlink(missing_ok=True)
        return bid

    def bids(self, lot: str = "") -> list[dict]:
        return self._call("GET", "/bids" + (f"?lot={lot}" if lot else ""))

    def withdraw(self, lot: str) -> dict:
        return self._call("POST", f"/lots/{lot}/withdraw")

    def opening(self, lot: str) -> dict:
        return self._call("GET", f"/lots/{lot}/opening")

    def decrypt_share(self, lot: str, envelope_path: Path, private_key: sm2.PrivateKey) -> dict:
        """At the opening: unwrap the content key locally and send only it (never the private key)."""
        with open(envelope_path, "rb") as f:
            key = bidfile.unwrap(f, private_key)
        return self._call("POST", f"/lots/{lot}/decrypt", json_body={"content_key": key.hex()})

    # receipts
    def verify_receipt(
        self, receipt: dict, public_key: sm2.PublicKey, *, online: bool = True
    ) -> receiptlog.Check:
        """The receipt's platform signature and leaf, and (online) its inclusion in the current log."""
        check = receiptlog.verify_receipt(receipt, public_key)
        if not online or not check:
            return check
        proof = self._call("GET", f"/receipt-log/inclusion?leaf_hash={receipt['leaf_hash']}")
        return receiptlog.verify_bundle(receipt, public_key, sth=proof["sth"], inclusion=proof["proof"])
