"""API schemas of the tendering app (In and Out kept apart; public fields never dropped)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class PlatformKeyOut(Schema):
    pem: str
    fingerprint: str  # SM3 of the SubjectPublicKeyInfo DER, hex
    algorithm: str


class BidderKeyOut(Schema):
    fingerprint: str
    public_key_pem: str
    label: str
    uscc: str
    registered_at: dt.datetime
    active: bool
    revoked_at: dt.datetime | None
    revoke_reason: str


class BidderKeyRegisterIn(Schema):
    uscc: str = ""
    public_key_pem: str = ""
    label: str = ""


class BidderKeyRevokeIn(Schema):
    reason: str = ""


class SthOut(Schema):
    """A signed tree head; ``signature`` (base64 DER) is over the canonical JSON of the other fields."""

    v: int
    type: str
    tree_size: int
    root_hash: str
    timestamp: str
    key: str
    signature: str

    # from a SignedTreeHead row (history pages) or from a document (selectors.sth_document)
    @staticmethod
    def resolve_v(obj) -> int:
        return obj["v"] if isinstance(obj, dict) else 1

    @staticmethod
    def resolve_type(obj) -> str:
        return obj["type"] if isinstance(obj, dict) else "ggzy.sth"

    @staticmethod
    def resolve_timestamp(obj) -> str:
        return obj["timestamp"] if isinstance(obj, dict) else obj.timestamp_text


class LogEntryOut(Schema):
    position: int
    leaf: str  # canonical JSON, as hashed
    leaf_hash: str
    received_at: dt.datetime


class InclusionOut(Schema):
    position: int
    leaf_hash: str
    leaf: str
    tree_size: int
    proof: list[str]
    sth: SthOut


class ConsistencyOut(Schema):
    first: int
    second: int
    proof: list[str]
    first_sth: SthOut
    second_sth: SthOut


# --- sealed bids -------------------------------------------------------------------------------
class UploadCreateIn(Schema):
    key_fingerprint: str = ""
    size: int = 0
    ciphertext_sm3: str = ""
    signature: str = ""  # base64 DER SM2 signature of "GGZY-ENVELOPE-SM3:<digest>"
    chunk_size: int = 2 << 20
    device: dict = {}  # hashes of machine id, MAC, disk serial (supervision only)
    document: dict = {}  # author, software, machine code of the plaintext documents (supervision only)


class UploadOut(Schema):
    token: str
    lot: str
    size: int
    chunk_size: int
    chunks: int
    received: list[int]
    status: str


class BidOut(Schema):
    lot: str
    uscc: str
    version: int
    status: str
    status_label: str
    ciphertext_sm3: str
    size: int
    received_at: dt.datetime
    receipt: dict
    withdrawal_receipt: dict
    decrypted_at: dt.datetime | None
    summary: dict
    problem: str


class DecryptIn(Schema):
    content_key: str = ""  # 32 hex digits: the envelope's content key, unwrapped by the bidder's client


class HallBidOut(Schema):
    name: str
    uscc: str
    status: str
    status_label: str
    price: str
    period_days: int | None


class HallOut(Schema):
    lot: str
    lot_name: str
    status: str
    status_label: str
    deadline: str | None
    window_ends_at: str | None
    reason: str
    notice: str
    now: str
    bids: list[HallBidOut]


class OpenedBidOut(Schema):
    uscc: str
    name: str
    price: str
    period_days: int | None
    status: str
    status_label: str
    received_at: dt.datetime
    decrypted_at: dt.datetime | None
    ciphertext_sm3: str
    receipt_position: int | None
    salt: str
    deposit: str
    problem: str


class EvidenceOut(Schema):
    uscc: str
    version: int
    client_ip: str | None
    device: dict
    document: dict


class TenderDocumentOut(Schema):
    id: int
    lot: str
    name: str
    filename: str
    size: int
    sm3: str
    signature: str
    published_at: dt.datetime


class DocumentDownloadOut(Schema):
    document: str
    sm3: str
    uscc: str
    entity: str
    user: str
    at: dt.datetime
    client_ip: str
