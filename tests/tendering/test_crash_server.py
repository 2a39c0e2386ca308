"""Killing the real server process in the middle of an upload leaves no bid and no receipt
(issue 4, Tests): an ASGI server (daphne, as ``ggzy serve`` runs it) in its own process, on its own
database file (SQLite: a copy of the test database; PostgreSQL: the test database itself) and bid
directory. The ``ggzy_bid`` client library sends the first chunks of a sealed bid; a further chunk
is in flight (headers and half its body sent) when the server gets SIGKILL. Nothing of a bid is
left: no bid row, no receipt-log entry or tree head, no audit event, no file among the accepted
envelopes. The server is started again on the same database and directory; the client resumes
from its state file (the chunks the server acknowledged are not sent again) and gets exactly one
receipt, which verifies with the platform's public key."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from ggzy.accounts.services.tokens import token_issue
from ggzy.audit.models import AuditEvent
from ggzy.crypto import platform
from ggzy.tendering import storage
from ggzy.tendering.models import Bid, ReceiptLogEntry, SignedTreeHead
from ggzy_bid import BidClient, client
from ggzy_bid.client import HttpTransport
from tests.tendering import bidding as b

CHUNK = 64 << 10
STARTUP_TIMEOUT = 90  # seconds: a loaded 2-core machine imports Django slowly


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """daphne serving ``ggzy.asgi:application`` in a process of its own."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        daphne = os.path.join(os.path.dirname(sys.executable), "daphne")
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [daphne, "-b", "127.0.0.1", "-p", str(self.port), "ggzy.asgi:application"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"the server exited ({self.proc.returncode}):\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/api/tendering/platform-key", timeout=10) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"the server did not answer within {STARTUP_TIMEOUT} s:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        assert self.proc.wait(timeout=30) == -signal.SIGKILL

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)


def _server_env(var: Path) -> tuple[dict[str, str], Callable[[str], int]]:
    """The server's environment and a function counting rows in the server's database."""
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="ggzy.settings",
        GGZY_ENV="test",
        GGZY_VAR_DIR=str(var),
        GGZY_SECRET_KEY=django_settings.SECRET_KEY,
        GGZY_DATA_KEY_FILE=str(django_settings.GGZY_DATA_KEY_FILE),
        GGZY_SIGNING_KEY_FILE=str(django_settings.GGZY_SIGNING_KEY_FILE),
    )
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
        env["GGZY_DATABASE_URL"] = (
            f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        )

        def count(sql: str) -> int:
            with connection.cursor() as c:
                c.execute(sql)
                return c.fetchone()[0]

        return env, count
    assert connection.vendor == "sqlite"
    env.pop("GGZY_DATABASE_URL", None)
    db = var / "ggzy.sqlite3"  # the server's default SQLite file under GGZY_VAR_DIR
    with connection.cursor() as c:  # the test database (users, lot, key) copied to a file
        c.execute("VACUUM INTO '{}'".format(str(db).replace("'", "''")))

    def count(sql: str) -> int:
        with sqlite3.connect(db, timeout=30) as conn:
            return conn.execute(sql).fetchone()[0]

    return env, count


def _put_half_a_chunk(port: int, token: str, upload: str, index: int, data: bytes) -> socket.socket:
    """Start a chunk's PUT and send half its body: the request is in flight."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (
        f"PUT /api/tendering/uploads/{upload}/chunks/{index} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    s.sendall(head.encode() + data[: len(data) // 2])
    return s


@pytest.mark.django_db(transaction=True)
def test_server_killed_mid_upload_leaves_no_bid_and_resumes_to_one_receipt(tmp_path, settings):
    var = tmp_path / "var"
    var.mkdir()
    settings.GGZY_BID_DIR = str(var / "bids")  # the server's: <GGZY_VAR_DIR>/bids
    lt, bidder = b.lot(), b.Bidder()
    token = token_issue(user=bidder.user, name="投标客户端", actor=bidder.user)[1]
    platform.public_key()  # the signing key file exists before the server starts
    attachment = tmp_path / "技术标.bin"
    attachment.write_bytes(os.urandom(9 * CHUNK))
    summary = {
        "lot": lt.code,
        "bidder": bidder.uscc,
        "price": "4800000.00",
        "period_days": 200,
        "quality": "合格",
    }
    plain = client.pack_bid(summary, [attachment], tmp_path / "bid.zip")
    sealed = client.seal_file(plain, tmp_path / "bid.ggzyenv", bidder.key)
    n = -(-sealed.size // CHUNK)
    assert n >= 8
    env, count = _server_env(var)
    tables = {m: m._meta.db_table for m in (Bid, ReceiptLogEntry, SignedTreeHead, AuditEvent)}

    def state() -> tuple[int, int, int, int]:
        return (
            count(f"SELECT COUNT(*) FROM {tables[Bid]} WHERE lot_id = {int(lt.pk)}"),
            count(f"SELECT COUNT(*) FROM {tables[ReceiptLogEntry]}"),
            count(f"SELECT COUNT(*) FROM {tables[SignedTreeHead]}"),
            count(f"SELECT COUNT(*) FROM {tables[AuditEvent]} WHERE action = 'bid.submitted'"),
        )

    before = state()
    assert before[0] == 0 and before[1] == 0
    server = Server(env, tmp_path / "server.log")
    state_file = tmp_path / "upload-state.json"

    class Stop(Exception):
        pass

    def stop_after_three(i: int, total: int) -> None:
        if i == 3:
            raise Stop

    try:
        server.start()
        c = BidClient(HttpTransport(server.url, token, timeout=60))
        with pytest.raises(Stop):  # chunks 0, 1 and 2 acknowledged
            c.upload(lt.code, sealed, chunk_size=CHUNK, state_file=state_file, progress=stop_after_three)
        upload = json.loads(state_file.read_text())["token"]
        with open(sealed.path, "rb") as f:
            f.seek(3 * CHUNK)
            in_flight = _put_half_a_chunk(server.port, token, upload, 3, f.read(CHUNK))
        time.sleep(0.3)  # the server is reading the body
        server.kill()
        in_flight.close()

        # nothing of a bid: no row, no receipt, no tree head, no audit event, no accepted file
        assert state() == before
        assert storage.orphans(set()) == []
        assert not (var / "bids" / "lots").exists() or not any((var / "bids" / "lots").rglob("*"))
        assert storage.received(upload) == [0, 1, 2]  # only the acknowledged chunks count

        # the same server, database and directory again: the client resumes and commits once
        server.start()
        c = BidClient(HttpTransport(server.url, token, timeout=60))
        sent: list[int] = []
        bid = c.upload(
            lt.code, sealed, chunk_size=CHUNK, state_file=state_file, progress=lambda i, total: sent.append(i)
        )
        assert sent == list(range(4, n + 1))  # chunks 3 … n-1: the first three were not sent again
        assert not state_file.exists()
        receipt = bid["receipt"]
        assert receipt["ciphertext_sm3"] == sealed.digest and receipt["lot"] == lt.code
        assert c.verify_receipt(receipt, c.platform_key())
        assert c.verify_receipt(receipt, platform.public_key(), online=False)
        assert [x["version"] for x in c.bids(lt.code)] == [1]
    finally:
        server.stop()
    after = state()
    assert after[0] == 1 and after[1] == before[1] + 1 and after[3] == before[3] + 1
    (accepted,) = (var / "bids" / "lots").rglob("*.ggzyenv")
    assert accepted.read_bytes() == Path(sealed.path).read_bytes()
