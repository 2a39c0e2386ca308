"""Benchmark: the live auction hall over real WebSockets (issue 5).

Run: .venv/bin/python bench/auction_hall.py [--clients N] [--bidders B] [--seconds S]

For each database (SQLite; PostgreSQL when it answers), on a scratch database:
  1. a child process migrates, creates one timed land auction with B qualified bidders (each a
     market entity with an account and a logged-in session) and measures the raw commit rate of a
     single-row UPDATE (one transaction each) on the same database: the floor the target names;
  2. one daphne server (in-memory channel layer) serves ``ggzy.asgi`` (``--servers N --redis URL``:
     N processes on one inherited listening socket, sharing the hall through Redis);
  3. this process opens the B bidders' WebSocket clients (with their session cookies) and a child
     process (--viewer-procs, default 1) the N - B anonymous public viewers; daphne's memory is
     read before and after N public connections (memory per connection); then every bidder bids
     for S seconds in a loop: it sends the latest broadcast price plus a random 1..B increments and
     waits for its own reply. Refusals (a higher bid was accepted first) are counted, not errors.

Reported: accepted bids per second; p50/p99 of the time from a bid's send to the first frame holding
that bid (bid_count >= its seq; frames may coalesce several bids) reaching every one of the N clients
(time.perf_counter is CLOCK_MONOTONIC, one clock for all the processes of the machine); the raw
commit rate (as durable as a bid: SQLite WAL, synchronous=FULL, BEGIN IMMEDIATE; PostgreSQL
as configured); memory per connection (daphne's RSS); the time and the load average.
Targets (issue 5): accepted bids/s >= 0.5 x the raw commit rate; p99 <= 100 ms.
The clients share the machine's 2 cores with the server: at large N they are part of what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, backends, durable_commit_rate, run_child, scratch, setup_django, verdict

BIN = Path(sys.executable).parent
VIEWER_PROCS = 1


def child_setup(bidders: int) -> None:
    setup_django()
    import datetime as dt

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from tests.auctions import helpers

    from ggzy.accounts.models import Role
    from ggzy.auctions import services
    from ggzy.core import clock

    lot, op = helpers.lot("land.auction")
    a = services.auction_create(
        lot=lot,
        data={"starting_price": "1000000.00", "increment": "1000.00", "deposit": "1.00", "countdown_seconds": 3600,
              "starts_at": (clock.now() - dt.timedelta(seconds=1)).isoformat()},
        actor=op,
    )  # fmt: skip
    sessions = []
    for n in range(bidders):
        ent = helpers.th.entity(5000 + n, ["transferee"], f"山西压测竞买单位{n}")
        user = helpers.th.member_of(ent, Role.ENTITY_ADMIN)
        r = services.registration_apply(auction=a, actor=user)
        services.registration_review(registration=r, approve=True, actor=op)
        services.deposit_confirm(registration=r, reference=f"B{n}", actor=op)
        s = SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = "ggzy.accounts.backends.LockoutBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        sessions.append(s.session_key)
    services.auction_refresh(auction=a)
    rate = durable_commit_rate()  # the raw commit rate of a single-row update, same database
    print(json.dumps({"auction": a.pk, "sessions": sessions, "commit_rate": rate}))


def _worst(seen: list[dict[int, float]]) -> dict[int, float]:
    """For every bid count s: the time by which every client had a frame with bid_count >= s
    (counts only rise on a connection, so the first such frame is the one with the least count)."""
    top = max((max(m) for m in seen if m), default=0)
    worst: dict[int, float] = {}
    missing: set[int] = set()
    for mine in seen:
        counts = sorted(mine)
        i, best = len(counts) - 1, None
        firsts: dict[int, float] = {}
        for s in range(top, 0, -1):  # walk down: the least count >= s
            while i >= 0 and counts[i] >= s:
                t = mine[counts[i]]
                best = t if best is None else min(best, t)
                i -= 1
            if best is None:
                missing.add(s)
            else:
                firsts[s] = best
        for s, t in firsts.items():
            if t > worst.get(s, 0.0):
                worst[s] = t
    return {s: t for s, t in worst.items() if s not in missing}


class _Viewer(asyncio.Protocol):
    """A lean public viewer: a raw WebSocket client that only notes when each bid count first
    arrives (``websockets`` + ``json.loads`` per frame made the clients, not the server, the limit
    at 1,000 connections on 2 cores). Server frames are unmasked; pings are answered."""

    COUNT = re.compile(rb'"bid_count": (\d+)')

    def __init__(self, mine: dict[int, float], ready: asyncio.Future):
        self.mine, self.ready, self.buf, self.open = mine, ready, b"", False

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        t = time.perf_counter()
        self.buf += data
        if not self.open:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in self.buf[: self.buf.find(b"\r\n")]:
                self.ready.set_exception(RuntimeError(self.buf[:200].decode(errors="replace")))
                return
            self.open, self.buf = True, self.buf[end + 4 :]
            self.ready.set_result(None)
        buf = self.buf
        while len(buf) >= 2:
            opcode, n, i = buf[0] & 0x0F, buf[1] & 0x7F, 2
            if n == 126:
                if len(buf) < 4:
                    break
                n, i = int.from_bytes(buf[2:4], "big"), 4
            elif n == 127:
                if len(buf) < 10:
                    break
                n, i = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < i + n:
                break
            payload, buf = buf[i : i + n], buf[i + n :]
            if opcode == 0x9:  # ping -> pong (client frames are masked)
                mask = os.urandom(4)
                body = bytes(b ^ mask[k % 4] for k, b in enumerate(payload))
                self.transport.write(bytes([0x8A, 0x80 | len(body)]) + mask + body)
            elif opcode == 0x1:
                m = self.COUNT.search(payload)
                if m:
                    self.mine.setdefault(int(m.group(1)), t)
        self.buf = buf


async def _viewers(port: int, auction: int, n: int) -> None:
    """A child process holding ``n`` public viewers (clients other than the bidders); prints its
    worst arrival per bid count."""
    import base64

    loop = asyncio.get_running_loop()
    seen: list[dict[int, float]] = [{} for _ in range(n)]
    conns = []
    for i in range(n):
        ready = loop.create_future()
        transport, _ = await loop.create_connection(
            lambda i=i, ready=ready: _Viewer(seen[i], ready), "127.0.0.1", port
        )
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            f"GET /ws/auctions/{auction}/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: http://127.0.0.1:{port}\r\n\r\n".encode()
        )
        await asyncio.wait_for(ready, 60)
        conns.append(transport)
    print("ready", flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)
    for transport in conns:
        transport.close()
    print(json.dumps({str(s): t for s, t in _worst(seen).items()}), flush=True)


def rss_kib(pid: int) -> int:
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def _loaded(pids: list[int]) -> None:
    """Wait until every server process has loaded the application (the listening socket is open
    from the start: it is inherited), i.e. its memory has stopped growing."""
    last, steady = None, 0
    for _ in range(300):
        now = [rss_kib(pid) for pid in pids]
        steady = (
            steady + 1
            if last and all(abs(a - b) < 256 and a > 40_000 for a, b in zip(now, last, strict=True))
            else 0
        )
        if steady >= 3:
            return
        last = now
        time.sleep(0.3)
    raise RuntimeError("the server processes did not start")


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


async def measure(
    port: int, auction: int, sessions: list[str], clients: int, seconds: float, pids: list[int]
) -> dict:
    import websockets

    url = f"ws://127.0.0.1:{port}/ws/auctions/{auction}/"
    origin = f"http://127.0.0.1:{port}"
    seen: list[dict[int, float]] = []  # per client: bid_count -> first arrival time
    latest = {"price": None, "increment": 1000, "start": 1000000}
    conns = []

    async def reader(ws, idx: int, replies: asyncio.Queue | None):
        mine = seen[idx]
        async for raw in ws:
            m = json.loads(raw)
            t = time.perf_counter()
            if m["type"] in ("state", "bid"):
                count = m["bid_count"]
                if count not in mine:
                    mine[count] = t
                if m["price"] is not None:
                    latest["price"] = max(float(m["price"]), latest["price"] or 0)
            elif replies is not None and m["type"] in ("accepted", "refused"):
                await replies.put(m)

    # the public viewers live in child processes (VIEWER_PROCS), the bidders here
    local = len(sessions) if VIEWER_PROCS else clients
    children = []
    rest = clients - local
    for k in range(VIEWER_PROCS if rest else 0):
        n = rest // VIEWER_PROCS + (1 if k < rest % VIEWER_PROCS else 0)
        children.append(subprocess.Popen(
            [sys.executable, __file__, "--child", "viewers", str(port), str(auction), str(n)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        ))  # fmt: skip
    tasks = []
    for i in range(local):
        bidder = i < len(sessions)
        headers = {"Cookie": f"sessionid={sessions[i]}"} if bidder else {}
        ws = await websockets.connect(url, origin=origin, additional_headers=headers, max_queue=None,
                                      open_timeout=60, compression=None)  # fmt: skip
        seen.append({})
        q: asyncio.Queue | None = asyncio.Queue() if bidder else None
        conns.append((ws, q))
        tasks.append(asyncio.create_task(reader(ws, i, q)))
    for child in children:
        line = await asyncio.get_running_loop().run_in_executor(None, child.stdout.readline)
        assert line.strip() == "ready", line
    await asyncio.sleep(1)
    sent: dict[int, float] = {}
    stats = {"accepted": 0, "refused": 0}
    codes: dict[str, int] = {}
    stop_at = time.perf_counter() + seconds

    async def bidder_loop(ws, q: asyncio.Queue, n: int):
        rng = random.Random(n)
        k = 0
        while time.perf_counter() < stop_at:
            price = latest["price"]
            # the latest price seen plus a random number of increments (bidders who all bid exactly one
            # increment would collide on every price and measure only the broadcast round trip)
            amount = (
                latest["start"]
                if price is None
                else price + latest["increment"] * rng.randint(1, len(sessions))
            )
            t0 = time.perf_counter()
            await ws.send(json.dumps({"type": "bid", "amount": f"{amount:.2f}", "ref": f"{n}-{k}"}))
            k += 1
            reply = await q.get()
            if reply["type"] == "accepted":
                stats["accepted"] += 1
                sent[reply["seq"]] = t0
            else:
                stats["refused"] += 1
                codes[reply.get("code")] = codes.get(reply.get("code"), 0) + 1
                await asyncio.sleep(0.005)

    spy = None
    if os.environ.get("GGZY_BENCH_SPY"):  # a py-spy profile of the server while bidding (raw format)
        spy = subprocess.Popen([os.environ.get("GGZY_BENCH_PYSPY", str(BIN / "py-spy")), "record", "-p", str(pids[0]), "-d", str(int(seconds)), "-f", "raw",
                                "-o", os.environ["GGZY_BENCH_SPY"], "-t"])  # fmt: skip
    started = time.perf_counter()
    await asyncio.gather(*(bidder_loop(ws, q, n) for n, (ws, q) in enumerate(conns[: len(sessions)])))
    elapsed = time.perf_counter() - started
    await asyncio.sleep(2)  # let the last broadcasts arrive
    if spy is not None:
        spy.wait(timeout=60)
    worst = [_worst(seen)]
    for child in children:
        out, _ = child.communicate("stop\n", timeout=120)
        worst.append({int(k): v for k, v in json.loads(out.strip().splitlines()[-1]).items()})
    latencies = []
    for seq, t0 in sent.items():
        if all(seq in w for w in worst):  # every client of every process got it
            latencies.append((max(w[seq] for w in worst) - t0) * 1000)
    for t in tasks:
        t.cancel()
    for ws, _ in conns:
        await ws.close()
    lat = sorted(latencies)
    return {
        "accepted": stats["accepted"],
        "refused": stats["refused"],
        "accepted_per_s": stats["accepted"] / elapsed,
        # every bid answered (accepted or refused): what the hall decides, whatever the bidders' luck
        "decided_per_s": (stats["accepted"] + stats["refused"]) / elapsed,
        "p50_ms": statistics.median(lat) if lat else None,
        "p90_ms": lat[min(len(lat) - 1, int(len(lat) * 0.90))] if lat else None,
        "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else None,
        "measured_bids": len(lat),
        "frames_per_s": len(seen[0]) / elapsed if seen else None,  # as the first bidder got them
        "refusals": codes,
    }


async def connect_only(port: int, auction: int, clients: int, pids: list[int]) -> tuple[int, int]:
    """Memory of the servers before and after ``clients`` public connections."""
    import websockets

    before = sum(rss_kib(pid) for pid in pids)
    conns = [
        await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/auctions/{auction}/", origin=f"http://127.0.0.1:{port}"
        )
        for _ in range(clients)
    ]
    for ws in conns:
        await ws.recv()
    await asyncio.sleep(1)
    after = sum(rss_kib(pid) for pid in pids)
    for ws in conns:
        await ws.close()
    return before, after


def run_backend(
    backend: str, clients: int, bidders: int, seconds: float, redis: str = "", servers: int = 1
) -> dict:
    with scratch(backend) as env:
        env["PYTHONPATH"] = f"{ROOT / 'src'}:{ROOT}"
        if redis:  # the Redis channel layer (as with several server processes)
            env["GGZY_REDIS_URL"] = redis
        setup = run_child(__file__, env, "setup", str(bidders))
        # one listening socket inherited by every server process (the kernel hands each new
        # connection to one of them), as docs/deploy.md runs one process per core
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1024)
        port, fd = listener.getsockname()[1], listener.fileno()
        servers_ = [
            subprocess.Popen(
                [str(BIN / "daphne"), "--fd", str(fd), "ggzy.asgi:application"], pass_fds=(fd,),
                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
            for _ in range(servers)
        ]  # fmt: skip
        listener.close()
        pids = [p.pid for p in servers_]
        try:
            _loaded(pids)
            before, after = asyncio.run(connect_only(port, setup["auction"], clients, pids))
            result = asyncio.run(measure(port, setup["auction"], setup["sessions"], clients, seconds, pids))
        finally:
            for server in servers_:
                server.terminate()
            for server in servers_:
                server.wait(timeout=20)
    result.update(
        backend=backend,
        clients=clients,
        bidders=bidders,
        commit_rate=setup["commit_rate"],
        rss_before_mib=before / 1024,
        rss_after_mib=after / 1024,
        kib_per_connection=(after - before) / clients,
    )
    return result


def main() -> None:
    # the clients collect garbage as the server processes do (ggzy.asgi, GGZY_GC_THRESHOLDS): with
    # Python's defaults a client's full collection (its 1,000 connections' objects) delays its
    # frames and would count as the server's latency
    gc.set_threshold(100_000, 50, 10)
    if len(sys.argv) > 2 and sys.argv[1] == "--child" and sys.argv[2] == "setup":
        child_setup(int(sys.argv[3]))
        return
    if len(sys.argv) > 2 and sys.argv[1] == "--child" and sys.argv[2] == "viewers":
        asyncio.run(_viewers(int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--bidders", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--redis", default="", help="channel layer on this Redis URL (default: in memory)")
    parser.add_argument(
        "--viewer-procs",
        type=int,
        default=1,
        help="child processes holding the public viewers (0: every client in this process)",
    )
    parser.add_argument(
        "--servers", type=int, default=1,
        help="daphne processes sharing one listening socket (more than one needs --redis)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.servers > 1 and not args.redis:
        parser.error("several server processes share the hall through Redis: add --redis URL")
    global VIEWER_PROCS
    VIEWER_PROCS = args.viewer_procs
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    for backend in backends():
        load_before = os.getloadavg()[0]
        r = run_backend(backend, args.clients, args.bidders, args.seconds, args.redis, args.servers)
        r["channel_layer"] = "redis" if args.redis else "memory"
        r["servers"] = args.servers
        r["finished_utc"] = time.strftime("%H:%M", time.gmtime())
        r["load_1min"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
        print(json.dumps(r))
        if not r["p50_ms"]:
            continue
        ratio = r["accepted_per_s"] / r["commit_rate"]
        print(
            f"{backend}: {r['clients']} clients, {r['bidders']} bidding for {args.seconds:g} s: "
            f"{r['servers']} server process(es), {r['channel_layer']} channel layer: "
            f"{r['accepted_per_s']:.1f} accepted bids/s ({r['accepted']} accepted, {r['refused']} refused; "
            f"{r['decided_per_s']:.0f} bids decided/s); "
            f"raw single-row commits {r['commit_rate']:.0f}/s, ratio {ratio:.3f} "
            f"({verdict(ratio, 0.5)}); bid to broadcast on all clients p50 {r['p50_ms']:.1f} ms, "
            f"p99 {r['p99_ms']:.1f} ms ({verdict(r['p99_ms'], 100, higher_is_better=False)}); "
            f"daphne {r['rss_before_mib']:.0f} -> {r['rss_after_mib']:.0f} MiB, "
            f"{r['kib_per_connection']:.0f} KiB per connection "
            f"(finished {r['finished_utc']} UTC, load average {r['load_1min'][0]} -> {r['load_1min'][1]})"
        )
        print(json.dumps(r))


if __name__ == "__main__":
    main()
