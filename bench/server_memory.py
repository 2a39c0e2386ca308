"""Benchmark: the ASGI server's memory (RSS) with the Shanxi demo loaded (target <= 250 MB).

Run: .venv/bin/python bench/server_memory.py

In a temporary GGZY_VAR_DIR (SQLite): `ggzy migrate`, `ggzy demo load`, then start
`daphne ggzy.asgi:application` on a free port, fetch a few pages, and read VmRSS and VmHWM (peak)
from /proc/<pid>/status. Skips with a message when the demo command does not exist yet.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, base_env, free_port, verdict

TARGET_MB = 250
PAGES = ["/", "/api/health", "/entities/", "/calendar/", "/api/openapi.json", "/api/docs", "/accounts/login/"]
BIN = Path(sys.executable).parent


def status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def main() -> dict | None:
    with tempfile.TemporaryDirectory(prefix="ggzy-bench-") as var_dir:
        env = base_env(var_dir)
        env["GGZY_ENV"] = "development"
        ggzy = str(BIN / "ggzy")
        subprocess.run([ggzy, "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)
        if subprocess.run([ggzy, "help", "demo"], env=env, cwd=ROOT, capture_output=True).returncode != 0:
            print("[server memory] skipped: `ggzy demo load` does not exist yet")
            return None
        started = time.perf_counter()
        subprocess.run([ggzy, "demo", "load"], env=env, cwd=ROOT, check=True, capture_output=True)
        load_s = time.perf_counter() - started
        port = free_port()
        server = subprocess.Popen(
            [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "ggzy.asgi:application"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(base + "/api/health", timeout=2).read()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("[server memory] the server did not start") from None
                    time.sleep(0.2)
            for _ in range(3):
                for page in PAGES:
                    try:
                        urllib.request.urlopen(base + page, timeout=30).read()
                    except OSError as exc:
                        print(f"[server memory] {page}: {exc}")
            rss = status_kb(server.pid, "VmRSS") / 1024
            hwm = status_kb(server.pid, "VmHWM") / 1024
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(
        f"[server memory] daphne with the demo loaded (loaded in {load_s:.1f} s), after {3 * len(PAGES)} requests: "
        f"RSS {rss:.0f} MB, peak {hwm:.0f} MB -> {verdict(rss, TARGET_MB, higher_is_better=False)} (<= {TARGET_MB} MB)"
    )
    return {"rss_mb": round(rss), "peak_mb": round(hwm), "demo_load_s": round(load_s, 1)}


if __name__ == "__main__":
    main()
