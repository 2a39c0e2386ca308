"""Benchmark (issue 7): the public notice pages under load, against a minimal Django view.

A scratch database with N generated notices (default 100,000; ``bench/search.py``'s generator) is
served by ``daphne ggzy.asgi:application`` (one process, as ``ggzy serve`` runs it). An asyncio
client holds 32 keep-alive HTTP/1.1 connections and requests, for D seconds each (after a warm-up):

- **minimal view**: ``/robots.txt`` (a Django view returning a few lines, no database): the ceiling,
  measured first and again last, the better run counting;
- **notice list**: ``/notices/`` (the newest 20 notices, paginated);
- **notice page**: ``/notices/<number>/`` for random notices;
- **search**: ``/search/?q=…`` for the 20 queries of bench/search.py.

Prints requests/s and p50/p99 latency of each, and each page's requests/s as a fraction of the
minimal view's (issue target: the list and notice pages ≥ 0.5 of it). The client runs on the same
2 cores as the server, so absolute figures are a floor; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, backends, free_port, run_child, scratch, setup_django, verdict

TARGET = 0.5
CONNECTIONS = 32
BIN = Path(sys.executable).parent


def prepare(n_notices: int) -> dict:
    """(child) Migrate and generate the notices; return some notice numbers."""
    setup_django()
    from ggzy.trading.models import Notice
    from search import QUERIES, _setup

    _setup(n_notices)
    numbers = list(Notice.objects.order_by("?").values_list("number", flat=True)[:500])
    return {"numbers": numbers, "queries": QUERIES}


async def _client(
    host: str, port: int, paths, until: float, latencies: list[float], errors: list[str]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < until:
            path = paths()
            request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: keep-alive\r\n\r\n"
            started = time.perf_counter()
            writer.write(request.encode())
            await writer.drain()
            status = await reader.readline()
            length, chunked = 0, False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
                elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                    chunked = True
            if chunked:
                while True:
                    size = int((await reader.readline()).strip(), 16)
                    await reader.readexactly(size + 2)
                    if size == 0:
                        break
            else:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if not status.startswith(b"HTTP/1.1 200"):
                errors.append(status.decode("latin-1").strip() + " " + path)
    finally:
        writer.close()


def load(port: int, paths, seconds: float) -> dict:
    async def run() -> tuple[list[float], list[str]]:
        latencies: list[float] = []
        errors: list[str] = []
        until = time.perf_counter() + seconds
        await asyncio.gather(
            *[_client("127.0.0.1", port, paths, until, latencies, errors) for _ in range(CONNECTIONS)]
        )
        return latencies, errors

    started = time.perf_counter()
    latencies, errors = asyncio.run(run())
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000, 1),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


def measure(backend: str, n_notices: int, seconds: float) -> dict:
    with scratch(backend) as env:
        started = time.perf_counter()
        data = run_child(__file__, env, "--prepare", "--notices", str(n_notices), timeout=7200)
        setup_s = time.perf_counter() - started
        port = free_port()
        env = {**env, "GGZY_ENV": "development", "GGZY_DEBUG": "0"}
        server = subprocess.Popen(
            [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "ggzy.asgi:application"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.2)
            rng = random.Random(1)
            numbers, queries = data["numbers"], data["queries"]
            cases = {
                "minimal": lambda: "/robots.txt",
                "list": lambda: "/notices/",
                "notice": lambda: f"/notices/{rng.choice(numbers)}/",
                "search": lambda: "/search/?q=" + urllib.request.quote(rng.choice(queries)),
            }
            out = {"backend": backend, "notices": n_notices, "setup_s": round(setup_s, 1)}
            for name, paths in cases.items():
                load(port, paths, 2)  # warm-up
                out[name] = load(port, paths, seconds)
            # the ceiling again at the end: the host is shared, and the better of the two runs of
            # the minimal view is the stricter baseline for the pages measured between them
            again = load(port, cases["minimal"], seconds)
            out["minimal_first_rps"] = out["minimal"]["rps"]
            if again["rps"] > out["minimal"]["rps"]:
                out["minimal"] = again
            for name in ("list", "notice", "search"):
                out[name]["ratio"] = round(out[name]["rps"] / out["minimal"]["rps"], 2)
            return out
        finally:
            server.terminate()
            server.wait(timeout=10)


def main() -> list[dict]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--notices", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(prepare(args.notices), ensure_ascii=False))
        return []
    results = []
    for backend in backends():
        r = measure(backend, args.notices, args.seconds)
        results.append(r)
        parts = []
        for name in ("minimal", "list", "notice", "search"):
            m = r[name]
            text = f"{name} {m['rps']} req/s (p50 {m['p50_ms']} ms, p99 {m['p99_ms']} ms"
            if "ratio" in m:
                text += f", {m['ratio']}x the minimal view"
            if m["errors"]:
                text += f", {m['errors']} errors e.g. {m['first_error']}"
            parts.append(text + ")")
        ok = min(r["list"]["ratio"], r["notice"]["ratio"])
        print(
            f"[portal_http] {backend}: {r['notices']:,} notices, {CONNECTIONS} connections; "
            + "; ".join(parts)
            + f" -> list/notice {verdict(ok, TARGET)} (>= {TARGET}x)"
        )
    return results


if __name__ == "__main__":
    main()
