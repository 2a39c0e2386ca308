"""Shared helpers for the benchmarks: scratch databases and running a measurement in a child process.

Every benchmark runs against a scratch database, never var/ggzy.sqlite3: SQLite in a temporary
GGZY_VAR_DIR, and PostgreSQL (when 127.0.0.1:5432 answers) in a database created for the run and
dropped afterwards. Django settings are read once per process, so each backend is measured in its
own child process (``python bench/<name>.py --child``), which prints one JSON line.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("GGZY_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(var_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GGZY_")}
    env.update(
        {
            "GGZY_ENV": "test",
            "GGZY_DEBUG": "0",  # no query log: it would slow the loops and grow memory
            "GGZY_VAR_DIR": var_dir,
            "DJANGO_SETTINGS_MODULE": "ggzy.settings",
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    return env


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


@contextlib.contextmanager
def scratch(backend: str) -> Iterator[dict[str, str]]:
    """An environment for a child process on a fresh, empty database of ``backend``."""
    with tempfile.TemporaryDirectory(prefix="ggzy-bench-") as var_dir:
        env = base_env(var_dir)
        if backend == "sqlite":
            yield env
            return
        name = f"ggzy_bench_{secrets.token_hex(4)}"
        _psql(f'CREATE DATABASE "{name}"')
        try:
            env["GGZY_DATABASE_URL"] = f"{PG_ADMIN_URL}/{name}"
            yield env
        finally:
            _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def backends() -> list[str]:
    """SQLite always; PostgreSQL when it answers (GGZY_BENCH_BACKENDS=sqlite to skip it)."""
    wanted = os.environ.get("GGZY_BENCH_BACKENDS", "sqlite,postgresql").split(",")
    found = []
    if "sqlite" in wanted:
        found.append("sqlite")
    if "postgresql" in wanted:
        if port_open("127.0.0.1", 5432):
            found.append("postgresql")
        else:
            print("PostgreSQL is not running on 127.0.0.1:5432: measured on SQLite only")
    return found


def run_child(script: str, env: dict[str, str], *args: str, timeout: int = 1800) -> dict:
    """Run ``script --child`` in ``env``; return the JSON object it printed last."""
    proc = subprocess.run(
        [sys.executable, script, "--child", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"{Path(script).name} failed (exit {proc.returncode})")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1])


def setup_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def durable_commit_rate(seconds: float = 3.0) -> float:
    """Commits per second of a single-row UPDATE (one transaction each) on the current database,
    as durable as a bid's commit (SQLite: ``synchronous=FULL``; PostgreSQL as configured): the
    raw rate issue 5's hall target is measured against. Run in a child after ``setup_django``."""
    from django.db import connection, transaction

    from ggzy.core.durability import durable

    with connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_counter (id integer primary key, n integer not null)")
        c.execute("DELETE FROM bench_counter")
        c.execute("INSERT INTO bench_counter (id, n) VALUES (1, 0)")
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        with durable(), transaction.atomic(), connection.cursor() as c:
            c.execute("UPDATE bench_counter SET n = n + 1 WHERE id = 1")
        done += 1
    return done / (time.perf_counter() - started)


def verdict(value: float, target: float, *, higher_is_better: bool = True) -> str:
    met = value >= target if higher_is_better else value <= target
    return "target met" if met else "BELOW TARGET"
