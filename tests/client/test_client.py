"""The bidding client library end to end against the API (Django's test client through a transport
adapter), and the ``ggzy-bid`` command line against a live test server."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import time_machine
from django.test import Client

from ggzy.accounts.services.tokens import token_issue
from ggzy.crypto import platform
from ggzy.tendering import services
from ggzy.trading import services as trading
from ggzy_bid import ApiError, BidClient, client, metadata
from ggzy_bid import cli as bid_cli
from tests.tendering import bidding as b


class DjangoTransport:
    """``ggzy_bid.Transport`` over Django's test client with a bearer token."""

    def __init__(self, token: str) -> None:
        self.c = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        self.calls: list[tuple[str, str]] = []

    def request(self, method, path, *, json_body=None, data=None):
        self.calls.append((method, path))
        if json_body is not None:
            body, ctype = json.dumps(json_body), "application/json"
        else:
            body, ctype = data or b"", "application/octet-stream"
        resp = self.c.generic(method, path, body, content_type=ctype, **self.headers)
        return resp.status_code, (json.loads(resp.content) if resp.content else None)


def _token(user) -> str:
    return token_issue(user=user, name="投标客户端", actor=user)[1]


def _summary(lt, bidder, price="4800000.00"):
    return {"lot": lt.code, "bidder": bidder.uscc, "price": price, "period_days": 200, "quality": "合格"}


@pytest.mark.django_db
def test_library_register_seal_resume_upload_verify_withdraw(tmp_path):
    lt = b.lot()
    bidder = b.Bidder()
    c = BidClient(DjangoTransport(_token(bidder.user)))
    # a second key, registered through the API
    key = client.keygen(tmp_path / "k.key", tmp_path / "k.pub.pem")
    assert oct((tmp_path / "k.key").stat().st_mode & 0o777) == "0o600"
    assert (
        c.register_key(bidder.uscc, key.public_key, "第二把")["fingerprint"] == key.public_key.fingerprint()
    )
    doc = tmp_path / "商务标.docx"
    import zipfile

    with zipfile.ZipFile(doc, "w") as z:
        z.writestr(
            "docProps/core.xml",
            '<cp:coreProperties xmlns:cp="x" xmlns:dc="y"><dc:creator>赵六</dc:creator></cp:coreProperties>',
        )
        z.writestr(
            "docProps/app.xml", '<Properties xmlns="z"><Application>WPS Office</Application></Properties>'
        )
        z.writestr("word/document.xml", os.urandom(200_000).hex())
    plain = client.pack_bid(_summary(lt, bidder), [doc], tmp_path / "bid.zip")
    sealed = client.seal_file(plain, tmp_path / "bid.ggzyenv", key)
    document = metadata.document_metadata([doc])
    assert document["商务标.docx.author"] == "赵六" and document["商务标.docx.application"] == "WPS Office"
    state = tmp_path / "state.json"

    class Stop(Exception):
        pass

    def stop_after_two(i, n):
        if i == 2:
            raise Stop

    with pytest.raises(Stop):
        c.upload(
            lt.code, sealed, chunk_size=64 << 10, document=document, state_file=state, progress=stop_after_two
        )
    assert state.exists()
    calls = []
    bid = c.upload(
        lt.code, sealed, chunk_size=64 << 10, state_file=state, progress=lambda i, n: calls.append(i)
    )
    assert 1 not in calls and 2 not in calls and calls  # resumed: the first two chunks were not sent again
    assert bid["version"] == 1 and bid["receipt"]["ciphertext_sm3"] == sealed.digest and not state.exists()
    assert c.verify_receipt(bid["receipt"], platform.public_key())
    forged = dict(bid["receipt"], ciphertext_sm3="0" * 64)
    assert not c.verify_receipt(forged, platform.public_key())
    assert [x["version"] for x in c.bids(lt.code)] == [1]
    # a duplicate is refused with its code
    with pytest.raises(ApiError) as err:
        c.upload(lt.code, sealed, chunk_size=64 << 10)
    assert err.value.code == "bid.duplicate" and err.value.status == 409
    w = c.withdraw(lt.code)
    assert w["status"] == "withdrawn" and c.verify_receipt(w["withdrawal_receipt"], platform.public_key())
    # supervision evidence is not in anything the bidder sees
    assert "赵六" not in json.dumps(c.bids(lt.code), ensure_ascii=False)


@pytest.mark.django_db
def test_opening_with_the_library_and_the_public_record(tmp_path):
    lt = b.lot(deadline_in=600)
    clients = []
    for price in ("4800000.00", "4700000.00", "4600000.00"):
        bidder = b.Bidder()
        c = BidClient(DjangoTransport(_token(bidder.user)))
        plain = client.pack_bid(_summary(lt, bidder, price), [], tmp_path / f"{bidder.uscc}.zip")
        sealed = client.seal_file(plain, tmp_path / f"{bidder.uscc}.ggzyenv", bidder.key)
        c.upload(lt.code, sealed)
        clients.append((bidder, c, sealed))
    bidder, c, sealed = clients[0]
    with pytest.raises(ApiError) as err:
        c.decrypt_share(lt.code, sealed.path, bidder.key)
    assert err.value.code == "bid.not_opening"
    public = Client()
    assert public.get(f"/api/tendering/lots/{lt.code}/opened-bids").json() == []
    assert public.get(f"/api/tendering/lots/{lt.code}/opening").json()["bids"] == []
    deadline = services.bid_deadline(lt)
    with time_machine.travel(deadline + dt.timedelta(seconds=1), tick=False):
        trading.tick_run()
        services.openings_due()
        for bidder, c, sealed in clients:
            out = c.decrypt_share(lt.code, sealed.path, bidder.key)
            assert out["status"] == "opened"
        # every bid decrypted: the opening can end before the window does
        services.opening_finish(lot=lt, force=True)
        rows = public.get(f"/api/tendering/lots/{lt.code}/opened-bids").json()
    assert sorted(r["price"] for r in rows) == ["4600000.00", "4700000.00", "4800000.00"]
    assert all("client_ip" not in r and "device" not in r for r in rows)
    # evidence: supervisors only
    assert public.get(f"/api/tendering/lots/{lt.code}/evidence").status_code == 401
    bidder, c, _ = clients[0]
    status, _body = c.t.request("GET", f"/api/tendering/lots/{lt.code}/evidence")
    assert status == 403


@pytest.mark.django_db(transaction=True)
def test_command_line_against_a_live_server(live_server, tmp_path, capsys, monkeypatch):
    lt = b.lot()
    bidder = b.Bidder()
    token = _token(bidder.user)
    monkeypatch.chdir(tmp_path)
    common = ["--server", live_server.url, "--token", token]
    assert bid_cli.main([*common, "keygen", "--out", "mine"]) == 0
    assert bid_cli.main([*common, "register-key", "--uscc", bidder.uscc, "--public", "mine.pub.pem"]) == 0
    Path("bid.json").write_text(json.dumps(_summary(lt, bidder)), encoding="utf-8")
    Path("技术标.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj << /Author (Wang) /Producer (WPS) >> endobj\n" + os.urandom(50_000)
    )
    args = [
        *common,
        "bid",
        "--lot",
        lt.code,
        "--key",
        "mine.key",
        "--summary",
        "bid.json",
        "--out",
        "bid.ggzyenv",
    ]
    assert bid_cli.main([*args, "技术标.pdf"]) == 0
    out = capsys.readouterr().out
    assert "回执验证：通过" in out
    Path("platform.pem").write_text(platform.public_pem())
    assert (
        bid_cli.main([*common, "verify", "--platform-key", "platform.pem", "bid.ggzyenv.receipt.json"]) == 0
    )
    assert "回执验证通过" in capsys.readouterr().out
    assert bid_cli.main([*common, "withdraw", "--lot", lt.code]) == 0
    assert bid_cli.main([*common, "withdraw", "--lot", lt.code]) == 2
    assert "bid.none" in capsys.readouterr().err
