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
