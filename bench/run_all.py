"""Run every benchmark (`make bench`). Figures and commands are recorded in docs/benchmarks.md.

Environment: GGZY_BENCH_BACKENDS=sqlite (skip PostgreSQL), GGZY_BENCH_EVENTS (verify size,
default 1,000,000).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    ("audit_write.py", []),
    ("audit_verify.py", ["--events", os.environ.get("GGZY_BENCH_EVENTS", "1000000")]),
    ("server_memory.py", []),
    ("timeline.py", []),
    ("tick.py", []),
    ("receipt_log.py", []),
    ("opendata_export.py", []),
    ("auction_accept.py", []),
]


def main() -> int:
    failed = []
    for name, args in SCRIPTS:
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, str(HERE / name), *args]).returncode != 0:
            failed.append(name)
    if failed:
        print("failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
