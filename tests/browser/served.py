"""A real daphne server (``ggzy.asgi:application``, as ``ggzy serve`` runs it) on a scratch SQLite
database prepared by a setup script in a child process: for page tests that need WebSockets."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tests.test_multiprocess import _free_port, _open

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent


@contextlib.contextmanager
def served(var_dir: Path, setup: str) -> Iterator[dict]:
    """Run ``setup`` (Python source; its last printed line is JSON) in a child process on a fresh
    database under ``var_dir``, start daphne on that database and yield the setup's data with the
    server's ``url``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GGZY_")}
    env.update(GGZY_ENV="test", GGZY_DEBUG="0", GGZY_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="ggzy.settings",
               PYTHONPATH=f"{ROOT / 'src'}:{ROOT}")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", setup], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=180, check=True)  # fmt: skip
    data = json.loads(done.stdout.strip().splitlines()[-1])
    port = _free_port()
    server = subprocess.Popen([str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "ggzy.asgi:application"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(300):
            if _open(port):
                break
            time.sleep(0.1)
        data["url"] = f"http://127.0.0.1:{port}"
        yield data
    finally:
        server.terminate()
        server.wait(timeout=20)
