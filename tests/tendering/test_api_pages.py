"""One test per endpoint and page, with the error codes partners rely on; the verify command."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from ggzy.accounts.models import Role
from ggzy.crypto import platform, sm2
from ggzy.tendering import receiptlog
from ggzy.tendering.models import BidderKey, ReceiptLogEntry
from tests.entities import helpers as eh
from tests.tendering import helpers as h

pytestmark = pytest.mark.django_db


def test_platform_key_api_and_pages(client):
    r = client.get("/api/tendering/platform-key")
    assert r.status_code == 200
    body = r.json()
    assert sm2.load_public_key(body["pem"]) == platform.public_key()
    assert body["fingerprint"] == platform.fingerprint()
    page = client.get("/receipts/platform-key/")
    assert page.status_code == 200 and body["fingerprint"] in page.content.decode()
    pem = client.get("/receipts/platform-key.pem")
    assert pem.status_code == 200 and pem.content.decode() == body["pem"]


def test_key_register_list_revoke_api(client):
    e, admin = h.entity_with_admin(11)
    k = h.new_key()
    client.force_login(admin)
    r = client.post(
        "/api/tendering/keys",
        {"uscc": e.uscc, "public_key_pem": k.public_key.to_pem(), "label": "主密钥"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    fp = r.json()["fingerprint"]
    assert fp == k.public_key.fingerprint() and r.json()["active"]
    r = client.post(
        "/api/tendering/keys", {"uscc": e.uscc, "public_key_pem": "x"}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["code"] == "bidder_key.invalid"
    r = client.post(f"/api/tendering/keys/{fp}/revoke", {"reason": ""}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "bidder_key.reason_required"
    r = client.post(f"/api/tendering/keys/{fp}/revoke", {"reason": "泄露"}, content_type="application/json")
    assert r.status_code == 200 and not r.json()["active"]
    client.logout()
    listed = client.get(f"/api/tendering/entities/{e.uscc}/keys").json()
    assert [x["fingerprint"] for x in listed] == [fp] and listed[0]["revoke_reason"] == "泄露"
    r = client.post(
        "/api/tendering/keys", {"uscc": e.uscc, "public_key_pem": "x"}, content_type="application/json"
    )
    assert r.status_code == 401
    client.force_login(eh.member_of(e, Role.ENTITY_MEMBER))
    r = client.post(
        "/api/tendering/keys",
        {"uscc": e.uscc, "public_key_pem": h.new_key().public_key.to_pem()},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["code"] == "bidder_key.forbidden"


def test_receipt_log_api_round_trip(client):
    out = h.append(6)
    pub = sm2.load_public_key(client.get("/api/tendering/platform-key").json()["pem"])
    sth = client.get("/api/tendering/receipt-log/sth").json()
    assert sth["tree_size"] == 6 and receiptlog.verify_sth(sth, pub)
    history = client.get("/api/tendering/receipt-log/sth/history").json()
    assert history["count"] == 6 and history["items"][0] == sth
    assert all(receiptlog.verify_sth(s, pub) for s in history["items"])
    assert client.get("/api/tendering/receipt-log/sth/3").json()["tree_size"] == 3
    assert client.get("/api/tendering/receipt-log/sth/99").json()["code"] == "receipt_log.no_sth"
    entry = client.get("/api/tendering/receipt-log/entries/2").json()
    assert entry["leaf_hash"] == out[2].receipt["leaf_hash"]
    inc = client.get("/api/tendering/receipt-log/inclusion", {"leaf_hash": entry["leaf_hash"]}).json()
    assert receiptlog.verify_bundle(out[2].receipt, pub, sth=inc["sth"], inclusion=inc["proof"])
    r = client.get("/api/tendering/receipt-log/inclusion", {"position": 99})
    assert r.status_code == 404 and r.json()["code"] == "receipt_log.not_found"
    c = client.get("/api/tendering/receipt-log/consistency", {"first": 2}).json()
    assert receiptlog.verify_consistency(
        2, 6, c["first_sth"]["root_hash"], c["second_sth"]["root_hash"], c["proof"]
    )
    r = client.get("/api/tendering/receipt-log/consistency", {"first": 7})
    assert r.status_code == 422 and r.json()["code"] == "receipt_log.bad_size"


def test_empty_log(client):
    r = client.get("/api/tendering/receipt-log/sth")
    assert r.status_code == 404 and r.json()["code"] == "receipt_log.empty"
    assert client.get("/receipts/").status_code == 200


def test_public_receipts_page(client):
    out = h.append(3)
    page = client.get("/receipts/", {"position": 1, "first": 2}).content.decode()
    assert out[1].receipt["leaf_hash"] in page and out[2].sth["root_hash"] in page
    assert out[1].receipt["lot"] not in page  # lot and bidder stay hidden before the opening
    assert "回执日志中没有这一条目" in client.get("/receipts/", {"position": 50}).content.decode()
    assert "日志位置应为非负整数" in client.get("/receipts/", {"position": "x"}).content.decode()


def test_keys_console_page(client):
    _entity, admin = h.entity_with_admin(12)
    client.force_login(admin)
    assert "投标公钥" in client.get("/tendering/keys/").content.decode()
    k = h.new_key()
    r = client.post(
        "/tendering/keys/", {"action": "register", "public_key_pem": k.public_key.to_pem(), "label": "甲"}
    )
    assert r.status_code == 302
    row = BidderKey.objects.get()
    r = client.post("/tendering/keys/", {"action": "register", "public_key_pem": k.to_pem()})
    assert "私钥" in r.content.decode()
    r = client.post(
        "/tendering/keys/", {"action": "revoke", "fingerprint": row.fingerprint, "reason": "到期"}
    )
    assert r.status_code == 302
    row.refresh_from_db()
    assert not row.active
    client.force_login(eh.operator())
    assert client.get("/tendering/keys/").status_code == 403


def test_verify_command_whole_log_and_offline(tmp_path, capsys):
    out = h.append(9)
    call_command("receipts", "verify")
    assert "校验通过" in capsys.readouterr().out
    pub = tmp_path / "platform.pem"
    pub.write_text(platform.public_pem())
    receipt = tmp_path / "receipt.json"
    receipt.write_text(json.dumps(out[3].receipt, ensure_ascii=False))
    from ggzy.tendering import selectors

    inc = selectors.inclusion(position=3)
    inclusion = tmp_path / "inclusion.json"
    inclusion.write_text(
        json.dumps(
            {"leaf_hash": inc.entry.leaf_hash, "proof": inc.proof, "sth": selectors.sth_document(inc.sth)}
        )
    )
    call_command(
        "receipts",
        "verify",
        "--public-key",
        str(pub),
        "--receipt",
        str(receipt),
        "--inclusion",
        str(inclusion),
    )
    assert "校验通过" in capsys.readouterr().out
    # a forged receipt fails
    receipt.write_text(json.dumps({**out[3].receipt, "ciphertext_sm3": "f" * 64}))
    with pytest.raises(SystemExit) as e:
        call_command("receipts", "verify", "--public-key", str(pub), "--receipt", str(receipt))
    assert e.value.code == 1
    # a rewritten entry is found
    entry = ReceiptLogEntry.objects.get(position=4)
    ReceiptLogEntry.objects.filter(position=4).update(leaf=entry.leaf.replace('"v":1', '"v":2'))
    with pytest.raises(SystemExit):
        call_command("receipts", "verify")
    assert "第 4 条的叶子内容与其哈希不符" in capsys.readouterr().err


def test_verify_command_consistency(tmp_path, capsys, client):
    h.append(7)
    pub = tmp_path / "platform.pem"
    pub.write_text(platform.public_pem())
    body = client.get("/api/tendering/receipt-log/consistency", {"first": 3}).json()
    c = tmp_path / "consistency.json"
    c.write_text(json.dumps(body))
    call_command("receipts", "verify", "--public-key", str(pub), "--consistency", str(c))
    assert "校验通过" in capsys.readouterr().out
    body["proof"][0] = "0" * 64
    c.write_text(json.dumps(body))
    with pytest.raises(SystemExit):
        call_command("receipts", "verify", "--public-key", str(pub), "--consistency", str(c))
    assert "一致性证明无效" in capsys.readouterr().err
