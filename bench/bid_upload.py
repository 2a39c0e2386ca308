"""Benchmark: N bidders uploading sealed bids of ~S MB at once through the real upload path.

A scratch database (PostgreSQL when it answers, else SQLite) and ``daphne`` servers — one process
per core sharing one listening socket, as docs/deploy.md runs them (``--servers 1``: one); N bidders
(registered SM2 keys, API tokens) each seal a different plaintext of S MB with ``ggzy_bid`` and
upload it concurrently in 2 MiB chunks (create → PUT chunks → commit). Measured in the same run:

- **end-to-end throughput**: envelope bytes / wall time of all uploads (until the last receipt);
- **raw limit**: one process writing, fsyncing and SM3-hashing the same bytes (what storing them
  costs at the least) — the ratio is the figure of merit (issue 4 target ≥ 0.5);
- **receipts**: every upload returns a platform-signed receipt, each verifies with the platform
  public key and its inclusion proof, and the log holds exactly N entries (zero lost);
- **opening**: the deadline passes, the tick closes the box, all N bidders send their content keys
  at once; decryption throughput against raw SM4-GCM decryption of the same bytes in one process.

    .venv/bin/python bench/bid_upload.py --bidders 100 --mb 20
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import _common

BIN = Path(sys.executable).parent


def child_setup(n: int) -> dict:
    _common.setup_django()
    sys.path.insert(0, str(_common.ROOT))
    from tests.tendering import bidding as b

    from ggzy.accounts.services.tokens import token_issue

    lt = b.lot(deadline_in=86400)
    out = []
    for _ in range(n):
        bidder = b.Bidder()
        out.append({"uscc": bidder.uscc, "token": token_issue(user=bidder.user, name="bench", actor=bidder.user)[1],
                    "key": bidder.key.to_pem()})  # fmt: skip
    return {"lot": lt.code, "bidders": out}


def child_open(lot_code: str) -> dict:
    import datetime as dt

    _common.setup_django()
    from ggzy.core import clock
    from ggzy.tendering import services
    from ggzy.trading import services as trading
    from ggzy.trading.models import Lot, LotEvent

    past = clock.now() - dt.timedelta(seconds=1)
    lt = Lot.objects.get(code=lot_code)
    LotEvent.objects.filter(lot=lt, event__in=["bid_deadline", "opening"]).update(at=past)
    Lot.objects.filter(pk=lt.pk).update(next_check_at=past)
    trading.tick_run()
    closed, _ = services.openings_due()
    return {"closed": closed}


def host_cpu() -> tuple[int, int]:
    """(all, idle) CPU time of the host so far, in clock ticks (/proc/stat; (0, 0) elsewhere)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0, 0
    return sum(fields[:8]), fields[3] + fields[4]


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (/proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raw_store(paths: list[Path], tmp: Path) -> float:
    """Seconds to write, fsync and SM3-hash the bytes of ``paths`` in one process."""
    from ggzy.crypto.sm import Sm3

    started = time.perf_counter()
    for i, p in enumerate(paths):
        h = Sm3()
        with open(p, "rb") as src, open(tmp / f"raw{i}", "wb") as dst:
            while block := src.read(1 << 20):
                dst.write(block)
                h.update(block)
            dst.flush()
            os.fsync(dst.fileno())
        h.hexdigest()
    elapsed = time.perf_counter() - started
    for i in range(len(paths)):
        (tmp / f"raw{i}").unlink()
    return elapsed


def raw_sm4(paths: list[Path], keys: list[bytes]) -> float:
    """Seconds to decrypt the envelopes (SM4-GCM, chunk by chunk) in one process, output discarded."""
    from ggzy.tendering import bidfile

    class Null(io.RawIOBase):
        def write(self, b):
            return len(b)

    started = time.perf_counter()
    for p, k in zip(paths, keys, strict=True):
        with open(p, "rb") as f:
            bidfile.open_with_key(f, Null(), k)
    return time.perf_counter() - started


def main() -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bidders", type=int, default=20)
    ap.add_argument("--mb", type=float, default=20)
    ap.add_argument(
        "--chunk-mb", type=float, default=2, help="upload chunk (≤ 2.5 MB stays in memory in Django)"
    )
    ap.add_argument(
        "--pool", type=int, default=20,
        help="PostgreSQL: the server's connection pool size (GGZY_DB_POOL_MAX; 0 = a connection per thread)",
    )  # fmt: skip
    ap.add_argument(
        "--servers", type=int, default=os.cpu_count() or 1,
        help="daphne processes sharing one listening socket (default: one per core, as docs/deploy.md "
        "says production runs them; 1 for a single process)",
    )  # fmt: skip
    ap.add_argument(
        "--profile", action="store_true",
        help="serve bench/_upload_profile.py: where the server's time goes (statements, commits, locks, files)",
    )  # fmt: skip
    args = ap.parse_args()
    backend = "postgresql" if "postgresql" in _common.backends() else "sqlite"
    with _common.scratch(backend) as env, tempfile.TemporaryDirectory(prefix="ggzy-bids-") as work:
        if backend == "postgresql" and args.pool:
            env = dict(env, GGZY_DB_POOL_MAX=str(args.pool))
        work_dir = Path(work)
        app = "ggzy.asgi:application"
        if args.profile:
            app = "_upload_profile:application"
            env = dict(env, GGZY_BENCH_PROFILE=str(work_dir / "profile.json"),
                       PYTHONPATH=env["PYTHONPATH"] + os.pathsep + str(Path(__file__).resolve().parent))  # fmt: skip
        setup = _common.run_child(__file__, env, "setup", str(args.bidders))
        # one listening socket, inherited by every server process (the kernel hands each new
        # connection to one of them): several processes as production runs them, one address
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(512)
        port = listener.getsockname()[1]
        fd = listener.fileno()
        servers = [
            subprocess.Popen(
                [str(BIN / "daphne"), "--fd", str(fd), app], pass_fds=(fd,),
                env=env, cwd=_common.ROOT, stdout=subprocess.DEVNULL,
                stderr=open(work_dir / f"server{i}.log", "wb"),  # noqa: SIM115
            )
            for i in range(max(1, args.servers))
        ]  # fmt: skip
        listener.close()
        try:
            for _ in range(200):
                if _common.port_open("127.0.0.1", port):
                    break
                time.sleep(0.1)
            return run(
                args, setup, f"http://127.0.0.1:{port}", work_dir, env, backend, [p.pid for p in servers]
            )
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(10)
            log = "".join(p.read_text(errors="replace") for p in sorted(work_dir.glob("server*.log")))
            if "Traceback" in log:
                sys.stderr.write(log[-5000:])


def run(args, setup, url, work_dir: Path, env, backend, server_pids: list[int]) -> dict:
    from ggzy.crypto import sm2
    from ggzy.tendering import bidfile, receiptlog
    from ggzy_bid import ApiError, BidClient, HttpTransport, client

    lot, bidders = setup["lot"], setup["bidders"]
    env_pool = int(env.get("GGZY_DB_POOL_MAX", "0")) if backend == "postgresql" else None
    size = int(args.mb * (1 << 20))
    sealed = []
    t0 = time.perf_counter()
    for i, bd in enumerate(bidders):
        key = sm2.load_private_key(bd["key"])
        doc = work_dir / f"doc{i}.bin"
        with open(doc, "wb") as f:
            f.write(os.urandom(size))
        plain = client.pack_bid({"lot": lot, "bidder": bd["uscc"], "price": f"{4_000_000 + i}.00", "period_days": 180},
                                [doc], work_dir / f"bid{i}.zip")  # fmt: skip
        sealed.append(client.seal_file(plain, work_dir / f"bid{i}.ggzyenv", key))
        doc.unlink()
        plain.unlink()
    seal_s = time.perf_counter() - t0
    total = sum(s.size for s in sealed)
    raw_s = raw_store([s.path for s in sealed], work_dir)

    BidClient(HttpTransport(url)).platform_key()  # the server's first request loads the application

    retries = {"upload": 0, "verify": 0, "decrypt": 0}

    def again(kind, call):
        """The shared PostgreSQL server may refuse connections when other suites hold them all
        (``too many clients``): a 5xx is retried (an upload resumes where it stopped)."""
        for attempt in range(8):
            try:
                return call()
            except ApiError as exc:
                if exc.status < 500 or attempt == 7:
                    raise
                retries[kind] += 1
                time.sleep(0.5 * (attempt + 1))
        return None

    def upload(i):
        c = BidClient(HttpTransport(url, bidders[i]["token"], timeout=600))
        state = work_dir / f"bid{i}.upload.json"
        return again(
            "upload",
            lambda: c.upload(lot, sealed[i], chunk_size=int(args.chunk_mb * (1 << 20)), state_file=state),
        )

    cpu0, client0, server0 = host_cpu(), time.process_time(), sum(process_cpu(pid) for pid in server_pids)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(len(bidders)) as pool:
        results = list(pool.map(upload, range(len(bidders))))
    upload_s = time.perf_counter() - t0
    cpu1, client1, server1 = host_cpu(), time.process_time(), sum(process_cpu(pid) for pid in server_pids)
    anon = BidClient(HttpTransport(url))
    pub = anon.platform_key()
    good = sum(1 for r in results if again("verify", lambda r=r: anon.verify_receipt(r["receipt"], pub)))
    sth = again("verify", lambda: anon._call("GET", "/receipt-log/sth"))
    # the opening: deadline passes, the tick closes the box, every bidder sends its content key at once
    _common.run_child(__file__, env, "open", lot)
    keys = []
    for i, s in enumerate(sealed):
        with open(s.path, "rb") as f:
            keys.append(bidfile.unwrap(f, sm2.load_private_key(bidders[i]["key"])))

    def decrypt(i):
        c = BidClient(HttpTransport(url, bidders[i]["token"], timeout=600))
        return again(
            "decrypt",
            lambda: c._call("POST", f"/lots/{lot}/decrypt", json_body={"content_key": keys[i].hex()}),
        )

    t0 = time.perf_counter()
    with ThreadPoolExecutor(len(bidders)) as pool:
        opened = list(pool.map(decrypt, range(len(bidders))))
    decrypt_s = time.perf_counter() - t0
    sm4_s = raw_sm4([s.path for s in sealed], keys)
    mb = total / (1 << 20)
    out = {
        "bench": "bid_upload",
        "backend": backend,
        "bidders": len(bidders),
        "envelope_mb_each": round(sealed[0].size / (1 << 20), 2),
        "chunk_mb": args.chunk_mb,
        "total_mb": round(mb, 1),
        "seal_mb_s_client": round(mb / seal_s, 1),
        "upload_s": round(upload_s, 2),
        "upload_mb_s": round(mb / upload_s, 1),
        "raw_write_fsync_sm3_mb_s": round(mb / raw_s, 1),
        "upload_vs_raw": round(raw_s / upload_s, 2),
        # during the uploads: the host's CPU busy share (all processes, all engineers), and the CPU
        # seconds of the clients (this process) and of the server process (daphne)
        "upload_host_cpu_busy": round(1 - (cpu1[1] - cpu0[1]) / max(1, cpu1[0] - cpu0[0]), 2),
        "servers": len(server_pids),
        "upload_cpu_s": {"clients": round(client1 - client0, 1), "server": round(server1 - server0, 1)},
        "receipts": len(results),
        "receipts_verified": good,
        "log_tree_size": sth["tree_size"],
        "lost_receipts": len(bidders) - good,
        "decrypt_s": round(decrypt_s, 2),
        "decrypt_mb_s": round(mb / decrypt_s, 1),
        "raw_sm4_mb_s": round(mb / sm4_s, 1),
        "decrypt_vs_raw_sm4": round(sm4_s / decrypt_s, 2),
        "opened": sum(1 for o in opened if o["status"] == "opened"),
        "retries_after_5xx": retries,
        "db_pool": env_pool,
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "finished_utc": time.strftime("%H:%M", time.gmtime()),
    }
    assert receiptlog.VERSION == 1
    if args.profile:
        out["profile"] = json.loads((work_dir / "profile.json").read_text())
    return out


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        what = sys.argv[2]
        result = child_setup(int(sys.argv[3])) if what == "setup" else child_open(sys.argv[3])
        print(json.dumps(result))
    else:
        result = main()
        print(json.dumps(result, ensure_ascii=False))
        print(
            f"[bid upload] {result['bidders']} bidders × {result['envelope_mb_each']} MB ({result['backend']}): "
            f"upload {result['upload_mb_s']} MB/s vs raw write+fsync+SM3 {result['raw_write_fsync_sm3_mb_s']} MB/s "
            f"= {result['upload_vs_raw']} ({_common.verdict(result['upload_vs_raw'], 0.5)}); "
            f"receipts {result['receipts_verified']}/{result['bidders']} verified, log size {result['log_tree_size']}; "
            f"decryption {result['decrypt_mb_s']} MB/s vs raw SM4 {result['raw_sm4_mb_s']} MB/s "
            f"= {result['decrypt_vs_raw_sm4']}"
        )
