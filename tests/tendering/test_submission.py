"""Sealed bid submission: resumable upload, deadline on the server's clock, checks, replace, withdraw."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
import time_machine

from ggzy.audit.models import AuditEvent
from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.crypto import envelope
from ggzy.tendering import receiptlog, selectors, services, storage
from ggzy.tendering.models import Bid, BidEvidence, ReceiptLogEntry
from tests.tendering import bidding as b

pytestmark = pytest.mark.django_db


def _counts():
    return (Bid.objects.count(), ReceiptLogEntry.objects.count(), BidEvidence.objects.count())


def test_submit_stores_file_and_returns_a_verifiable_receipt():
    lt, bidder = b.lot(), b.Bidder()
    env, meta = b.seal(b.plaintext(lt, bidder), bidder)
    bid = b.submit(lt, bidder, env, meta, device={"machine_id": "ab" * 32}, document={"a.pdf.author": "张三"},
                   client_ip="10.0.0.8")  # fmt: skip
    assert bid.status == Bid.ACTIVE and bid.version == 1
    assert storage.path_of(bid.path).read_bytes() == env
    receipt = bid.receipt
    assert (
        receipt["kind"] == "bid.submitted" and receipt["lot"] == lt.code and receipt["bidder"] == bidder.uscc
    )
    assert receipt["ciphertext_sm3"] == meta["ciphertext_sm3"]
    from ggzy.crypto import platform

    assert receiptlog.verify_receipt(receipt, platform.public_key())
    ev = bid.evidence
    assert (
        ev.client_ip == "10.0.0.8"
        and ev.device["machine_id"] == "ab" * 32
        and ev.document["a.pdf.author"] == "张三"
    )
    assert not (storage.root() / "uploads").exists() or not any((storage.root() / "uploads").iterdir())
    assert "bid.submitted" in AuditEvent.objects.values_list("action", flat=True)


def test_deadline_one_second_before_accepted_one_after_refused():
    lt = b.lot()
    early, late = b.Bidder(), b.Bidder()
    deadline = clock.now() + dt.timedelta(hours=1)
    b.set_deadline(lt, deadline)
    env_e, meta_e = b.seal(b.plaintext(lt, early), early)
    env_l, meta_l = b.seal(b.plaintext(lt, late), late)
    up = services.bid_upload_create(lot=lt, chunk_size=64 << 10, actor=late.user, **meta_l)
    for i in range(services.chunk_count(up)):
        services.bid_chunk_put(upload=up, index=i, data=env_l[i * 65536 : (i + 1) * 65536], actor=late.user)
    with time_machine.travel(deadline - dt.timedelta(seconds=1), tick=False):
        assert b.submit(lt, early, env_e, meta_e).received_at < deadline
    before = _counts()
    with (
        time_machine.travel(deadline + dt.timedelta(seconds=1), tick=False),
        pytest.raises(DomainError) as err,
    ):
        services.bid_upload_commit(upload=up, actor=late.user)
    assert err.value.code == "bid.deadline_passed"
    assert "已超过投标截止时间" in err.value.message and "不予接收" in err.value.message
    assert _counts() == before
    assert not list((storage.root() / "lots").rglob(f"{up.token}*"))


def test_unencrypted_file_is_refused():
    lt, bidder = b.lot(), b.Bidder()
    plain = b.plaintext(lt, bidder, extra="投标文件正文".encode() * 4000)
    # a forged envelope header over the plaintext: well-formed header, plaintext body
    env, meta = b.seal(plain, bidder)
    header = envelope.read_header(__import__("io").BytesIO(env))
    forged = header.raw + plain + bytes(16 * (len(env) - len(header.raw) - len(plain)) // 16)
    forged = forged[: len(env)]
    from ggzy.crypto.sm import sm3_hex

    meta = dict(meta, ciphertext_sm3=sm3_hex(forged), signature=__import__("base64").b64encode(
        envelope.sign_digest(bidder.key, sm3_hex(forged))).decode())  # fmt: skip
    before = _counts()
    with pytest.raises(DomainError) as err:
        b.submit(lt, bidder, forged, meta)
    assert err.value.code == "bid.not_encrypted" and "未加密" in err.value.message
    assert _counts() == before


def test_plain_pdf_is_refused():
    lt, bidder = b.lot(), b.Bidder()
    pdf = b"%PDF-1.7\n" + b"1 0 obj << /Author (x) >> endobj\n" * 300
    from ggzy.crypto.sm import sm3_hex

    digest = sm3_hex(pdf)
    meta = {"key_fingerprint": bidder.row.fingerprint, "size": len(pdf), "ciphertext_sm3": digest,
            "signature": __import__("base64").b64encode(envelope.sign_digest(bidder.key, digest)).decode()}  # fmt: skip
    with pytest.raises(DomainError) as err:
        b.submit(lt, bidder, pdf, meta)
    assert err.value.code == "bid.not_encrypted"


@pytest.mark.parametrize("what", ["wrong_key", "foreign_key", "bad_signature", "corrupt", "truncated"])
def test_bad_input_is_refused_and_nothing_is_stored(what):
    lt, bidder, other = b.lot(), b.Bidder(), b.Bidder()
    env, meta = b.seal(b.plaintext(lt, bidder), bidder)
    before = _counts()
    with pytest.raises(DomainError) as err:
        if what == "wrong_key":
            b.submit(lt, bidder, env, dict(meta, key_fingerprint="0" * 64))
        elif what == "foreign_key":
            b.submit(lt, bidder, env, dict(meta, key_fingerprint=other.row.fingerprint))
        elif what == "bad_signature":
            _env2, meta2 = b.seal(b.plaintext(lt, bidder), bidder)
            b.submit(lt, bidder, env, dict(meta, signature=meta2["signature"]))
        elif what == "corrupt":
            broken = bytearray(env)
            broken[-100] ^= 1
            b.submit(lt, bidder, bytes(broken), meta)
        else:
            up = services.bid_upload_create(lot=lt, chunk_size=64 << 10, actor=bidder.user, **meta)
            services.bid_chunk_put(
                upload=up, index=0, data=env[: min(65536, len(env)) // 2], actor=bidder.user
            )
            services.bid_upload_commit(upload=up, actor=bidder.user)
    expected = {
        "wrong_key": "bid.key_unknown",
        "foreign_key": "bid.key_unknown",
        "bad_signature": "bid.signature_invalid",
        "corrupt": "bid.digest_mismatch",
        "truncated": "bid.chunk_size_mismatch",
    }[what]
    assert err.value.code == expected, err.value.message
    assert _counts() == before
    assert not (storage.root() / "lots").exists() or not list((storage.root() / "lots").rglob("*.ggzyenv"))


def test_chunks_are_idempotent_and_resumable():
    lt, bidder = b.lot(), b.Bidder()
    env, meta = b.seal(b.plaintext(lt, bidder, extra=os.urandom(300_000)), bidder)
    up = services.bid_upload_create(lot=lt, chunk_size=64 << 10, actor=bidder.user, **meta)
    n = services.chunk_count(up)
    assert n >= 4
    parts = [env[i * 65536 : (i + 1) * 65536] for i in range(n)]
    services.bid_chunk_put(upload=up, index=2, data=parts[2], actor=bidder.user)
    assert services.bid_chunk_put(upload=up, index=2, data=parts[2], actor=bidder.user) == [2]
    with pytest.raises(DomainError) as err:
        services.bid_upload_commit(upload=up, actor=bidder.user)
    assert err.value.code == "bid.chunks_missing"
    for i in range(n):
        services.bid_chunk_put(upload=up, index=i, data=parts[i], actor=bidder.user)
    bid = services.bid_upload_commit(upload=up, actor=bidder.user)
    assert storage.path_of(bid.path).read_bytes() == env
    with pytest.raises(DomainError) as err:
        services.bid_upload_commit(upload=up, actor=bidder.user)
    assert err.value.code == "bid.upload_closed"


def test_another_bidders_upload_is_not_found():
    lt, bidder, other = b.lot(), b.Bidder(), b.Bidder()
    _env, meta = b.seal(b.plaintext(lt, bidder), bidder)
    up = services.bid_upload_create(lot=lt, chunk_size=64 << 10, actor=bidder.user, **meta)
    with pytest.raises(DomainError) as err:
        services.upload_get(up.token, other.user)
    assert err.value.code == "bid.upload_not_found"


def test_duplicate_replace_and_withdraw_keep_every_receipt():
    lt, bidder = b.lot(), b.Bidder()
    env, meta = b.seal(b.plaintext(lt, bidder), bidder)
    first = b.submit(lt, bidder, env, meta)
    with pytest.raises(DomainError) as err:
        b.submit(lt, bidder, env, meta)
    assert err.value.code == "bid.duplicate"
    second = b.submit(lt, bidder, *b.seal(b.plaintext(lt, bidder, price="4700000.00"), bidder))
    first.refresh_from_db()
    assert first.status == Bid.REPLACED and second.version == 2 and second.receipt["kind"] == "bid.replaced"
    withdrawn = services.bid_withdraw(lot=lt, actor=bidder.user)
    assert withdrawn.status == Bid.WITHDRAWN and withdrawn.withdrawal_receipt["kind"] == "bid.withdrawn"
    kinds = list(ReceiptLogEntry.objects.filter(lot_code=lt.code).values_list("kind", flat=True))
    assert kinds == ["bid.submitted", "bid.replaced", "bid.withdrawn"]
    assert [x.version for x in selectors.bids_of(bidder.entity, lt)] == [2, 1]
    with pytest.raises(DomainError) as err:
        services.bid_withdraw(lot=lt, actor=bidder.user)
    assert err.value.code == "bid.none"


def test_withdraw_after_deadline_is_refused():
    lt, bidder = b.lot(), b.Bidder()
    b.submit(lt, bidder)
    with (
        time_machine.travel(clock.now() + dt.timedelta(hours=2), tick=False),
        pytest.raises(DomainError) as err,
    ):
        services.bid_withdraw(lot=lt, actor=bidder.user)
    assert err.value.code == "bid.deadline_passed"


def test_deposit_missing_is_refused():
    """The deposits app's requirement (deposits.selectors.deposit_satisfied): unpaid → refused."""
    from ggzy.core.permissions import SYSTEM
    from ggzy.deposits import services as deposits

    lt, bidder = b.lot(), b.Bidder()
    deposits.deposit_requirement_set(lot=lt, amount="50000.00", actor=SYSTEM)
    before = _counts()
    with pytest.raises(DomainError) as err:
        b.submit(lt, bidder)
    assert err.value.code == "bid.deposit_missing" and "保证金" in err.value.message
    assert _counts() == before


def test_crash_between_rename_and_commit_leaves_no_bid_and_no_receipt(monkeypatch):
    """A failure after the file is in place (the audit write) rolls the bid and the receipt back and
    removes the file; an orphan from a hard kill is not a bid (test_crash.py kills a process)."""
    from ggzy.audit import services as audit

    lt, bidder = b.lot(), b.Bidder()
    env, meta = b.seal(b.plaintext(lt, bidder), bidder)
    real = audit.record_many

    def crash(entries):  # the commit records the receipt's event and the bid's together
        if any(e.get("action") == "bid.submitted" for e in entries):
            raise RuntimeError("crash")
        return real(entries)

    up = services.bid_upload_create(lot=lt, chunk_size=64 << 10, actor=bidder.user, **meta)
    for i in range(services.chunk_count(up)):
        services.bid_chunk_put(upload=up, index=i, data=env[i * 65536 : (i + 1) * 65536], actor=bidder.user)
    before = _counts()
    monkeypatch.setattr(audit, "record_many", crash)
    with pytest.raises(RuntimeError):
        services.bid_upload_commit(upload=up, actor=bidder.user)
    assert _counts() == before
    assert not (storage.root() / "lots").exists() or not list((storage.root() / "lots").rglob("*.ggzyenv"))


def test_commit_audits_the_receipt_then_the_bid_in_one_append_and_the_chain_verifies():
    from ggzy.audit.selectors import verify_chain_unchecked

    lt, bidder = b.lot(), b.Bidder()
    first = b.submit(lt, bidder)
    second = b.submit(lt, bidder)  # a replacement
    for bid, action in ((first, "bid.submitted"), (second, "bid.replaced")):
        receipt_event = AuditEvent.objects.get(
            action="receipt.appended", object_id=str(bid.receipt["position"])
        )
        bid_event = AuditEvent.objects.get(seq=receipt_event.seq + 1)
        assert (bid_event.action, bid_event.object_id) == (action, str(bid.pk))
        assert json.loads(bid_event.summary)["position"] == bid.receipt["position"]
        assert json.loads(receipt_event.summary)["leaf_hash"] == bid.receipt["leaf_hash"]
    assert verify_chain_unchecked().ok


def test_bid_writes_append_to_the_log_only_in_the_process_queue(monkeypatch):
    """Bid commits and withdrawals take the process's append queue before their transaction (so a
    waiting one holds no pooled connection): the receipt is appended with the queue held."""
    held = []
    real = services._append

    def append(**kw):
        held.append(services._APPEND_LOCK.locked())
        return real(**kw)

    monkeypatch.setattr(services, "_append", append)
    lt, bidder = b.lot(), b.Bidder()
    b.submit(lt, bidder)
    services.bid_withdraw(lot=lt, actor=bidder.user)
    assert held == [True, True]
    assert not services._APPEND_LOCK.locked()


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_a_bid_write_commits_with_a_synced_log(monkeypatch):
    """SQLite's WAL at synchronous=NORMAL does not sync at commit: a power loss could take back a
    bid whose signed receipt the bidder holds. A bid write's transaction runs (and so commits, as
    SQLite cannot change the level inside a transaction) at synchronous=FULL (2); the connection
    goes back to NORMAL (1) for everything else."""
    from django.db import connection

    from tests.sqlite import synchronous_level as level

    level()  # skips on PostgreSQL
    inside = []
    real = services._append

    def append(**kw):
        inside.append((connection.in_atomic_block, level()))
        return real(**kw)

    monkeypatch.setattr(services, "_append", append)
    lt, bidder = b.lot(), b.Bidder()
    assert level() == 1
    b.submit(lt, bidder)
    assert level() == 1
    services.bid_withdraw(lot=lt, actor=bidder.user)
    assert inside == [(True, 2), (True, 2)]
    assert level() == 1
