"""``ggzy receipts verify --server``: a receipt holder checks the live log with the public key only."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from ggzy.crypto import merkle, platform
from ggzy.tendering.models import ReceiptLogEntry, ReceiptLogNode
from tests.tendering import helpers as h


@pytest.mark.django_db(transaction=True)
def test_remote_receipt_and_consistency(live_server, tmp_path, capsys):
    out = h.append(5)
    pub = tmp_path / "platform.pem"
    pub.write_text(platform.public_pem())
    receipt = tmp_path / "receipt.json"
    receipt.write_text(json.dumps(out[1].receipt, ensure_ascii=False))
    kept = tmp_path / "sth.json"
    kept.write_text(json.dumps(out[-1].sth))
    base = ["receipts", "verify", "--public-key", str(pub), "--server", live_server.url]

    h.append(4)
    call_command(*base, "--receipt", str(receipt), "--sth", str(kept), "--update-sth")
    text = capsys.readouterr().out
    assert "树大小 9" in text and "从树大小 5 到 9 只追加" in text
    assert json.loads(kept.read_text())["tree_size"] == 9

    # the operator rewrites an old entry and rebuilds the stored tree: caught
    h.append(1)
    ReceiptLogEntry.objects.filter(position=2).update(leaf_hash=merkle.leaf_hash(b"forged").hex())
    ReceiptLogNode.objects.all().delete()
    tree = merkle.MemoryTree()
    for lh in ReceiptLogEntry.objects.order_by("position").values_list("leaf_hash", flat=True):
        tree.append(bytes.fromhex(lh))
    ReceiptLogNode.objects.bulk_create(
        [ReceiptLogNode(level=lv, index=ix, hash=v.hex()) for (lv, ix), v in tree.nodes.items()]
    )
    with pytest.raises(SystemExit):
        call_command(*base, "--sth", str(kept))
    assert "日志被改写过" in capsys.readouterr().err
