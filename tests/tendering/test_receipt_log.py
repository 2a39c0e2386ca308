"""The public receipt log: appends, signed receipts and tree heads, proofs, rewriting detected."""

from __future__ import annotations

import pytest

from ggzy.audit.models import AuditEvent
from ggzy.core.errors import InvalidInput
from ggzy.crypto import merkle, platform, sm2
from ggzy.tendering import receiptlog, selectors, services
from ggzy.tendering.models import ReceiptLogEntry, ReceiptLogNode, SignedTreeHead
from tests import factories
from tests.tendering import helpers as h

pytestmark = pytest.mark.django_db


def test_append_returns_a_signed_receipt_that_verifies_with_the_public_key_only():
    pub = sm2.load_public_key(platform.public_pem())
    before = AuditEvent.objects.count()
    (a,) = h.append(1, lot="E1401000001001", uscc=factories.valid_uscc(7))
    r = a.receipt
    assert r["position"] == 0 and r["tree_size"] == 1 and r["lot"] == "E1401000001001"
    assert r["bidder"] == factories.valid_uscc(7) and r["ciphertext_sm3"] == "0" * 64
    assert receiptlog.verify_receipt(r, pub)
    assert receiptlog.verify_sth(a.sth, pub)
    assert r["root_hash"] == r["leaf_hash"] == a.sth["root_hash"]
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.order_by("-seq").first().action == "receipt.appended"
    # the public leaf hides the lot and the bidder
    leaf = ReceiptLogEntry.objects.get(position=0).leaf
    assert "E1401000001001" not in leaf and factories.valid_uscc(7) not in leaf
    assert selectors.receipt_of(a.entry) == r
    # a changed receipt fails
    for field, value in (
        ("ciphertext_sm3", "1" * 64),
        ("received_at", "2020-01-01T00:00:00.000000+00:00"),
        ("lot", "X"),
    ):
        assert not receiptlog.verify_receipt({**r, field: value}, pub)
    assert not receiptlog.verify_receipt(r, sm2.PrivateKey.generate().public_key)


def test_many_appends_proofs_against_every_sth():
    pub = platform.public_key()
    out = h.append(13)
    assert [a.receipt["position"] for a in out] == list(range(13))
    assert SignedTreeHead.objects.count() == 13
    leaves = [bytes.fromhex(e.leaf_hash) for e in ReceiptLogEntry.objects.order_by("position")]
    for a in out:
        size = a.receipt["tree_size"]
        assert a.sth["root_hash"] == merkle.naive_root(leaves[:size]).hex()
    latest = selectors.sth_latest()
    for pos in (0, 5, 12):
        inc = selectors.inclusion(position=pos)
        assert inc.tree_size == 13
        assert receiptlog.verify_bundle(
            out[pos].receipt, pub, sth=selectors.sth_document(latest), inclusion=inc.proof
        )
        by_hash = selectors.inclusion(leaf_hash=out[pos].receipt["leaf_hash"], tree_size=pos + 1)
        assert receiptlog.verify_bundle(
            out[pos].receipt, pub, inclusion=by_hash.proof
        )  # the receipt's own root
    for first in (1, 4, 7, 12):
        c = selectors.consistency(first)
        assert receiptlog.verify_consistency(first, 13, c.first.root_hash, c.second.root_hash, c.proof)
    with pytest.raises(InvalidInput):
        selectors.consistency(14)
    with pytest.raises(InvalidInput):
        selectors.inclusion(position=5, tree_size=3)


def test_a_rewritten_log_is_detected():
    out = h.append(8)
    old_sth = out[4].sth  # a tree head someone kept
    # an operator rewrites entry 2 and recomputes the stored tree
    entry = ReceiptLogEntry.objects.get(position=2)
    forged = entry.leaf.replace(entry.leaf[-10:-2], "deadbeef")
    new_hash = merkle.leaf_hash(forged.encode()).hex()
    ReceiptLogEntry.objects.filter(position=2).update(leaf=forged, leaf_hash=new_hash)
    ReceiptLogNode.objects.all().delete()
    tree = merkle.MemoryTree()
    for e in ReceiptLogEntry.objects.order_by("position"):
        tree.append(bytes.fromhex(e.leaf_hash))
    ReceiptLogNode.objects.bulk_create(
        [ReceiptLogNode(level=lv, index=ix, hash=v.hex()) for (lv, ix), v in tree.nodes.items()]
    )
    c = selectors.consistency(5, 8)
    assert not receiptlog.verify_consistency(5, 8, old_sth["root_hash"], tree.root().hex(), c.proof)
    # and the receipt of entry 2 no longer proves into the (re-signed or not) tree
    inc = selectors.inclusion(position=2)
    assert not receiptlog.verify_inclusion(out[2].receipt["leaf_hash"], 2, 8, inc.proof, tree.root().hex())


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"lot_code": ""}, "receipt.lot_invalid"),
        ({"bidder_uscc": "123"}, "receipt.bidder_invalid"),
        ({"ciphertext_sm3": "xyz"}, "receipt.digest_invalid"),
        ({"kind": "bid.other"}, "receipt.kind_invalid"),
    ],
)
def test_bad_input_appends_nothing(kw, code):
    args = {
        "lot_code": "E1",
        "bidder_uscc": factories.valid_uscc(1),
        "ciphertext_sm3": "a" * 64,
        "actor": None,
    }
    args.update(kw)
    with pytest.raises(InvalidInput) as err:
        services.receipt_append(**args)
    assert err.value.code == code
    assert not ReceiptLogEntry.objects.exists() and not SignedTreeHead.objects.exists()


def test_a_failed_append_leaves_no_trace(monkeypatch):
    h.append(2)
    counts = (ReceiptLogEntry.objects.count(), ReceiptLogNode.objects.count(), SignedTreeHead.objects.count())
    audit_before = AuditEvent.objects.count()

    def boom(**kwargs):
        raise RuntimeError("crash after the tree was written")

    monkeypatch.setattr(services.audit, "record", boom)
    with pytest.raises(RuntimeError):
        h.append(1)
    assert (
        ReceiptLogEntry.objects.count(),
        ReceiptLogNode.objects.count(),
        SignedTreeHead.objects.count(),
    ) == counts
    assert AuditEvent.objects.count() == audit_before
    monkeypatch.undo()
    (a,) = h.append(1)
    assert a.receipt["position"] == 2
