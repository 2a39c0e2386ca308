"""A server process (ggzy.asgi) sets the garbage collector's thresholds (docs/deploy.md)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.timeout(120)

PROBE = "import gc, ggzy.asgi; print(','.join(map(str, gc.get_threshold())))"


def _run(tmp_path, value: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GGZY_GC_THRESHOLDS"}
    env.update(GGZY_ENV="test", GGZY_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="ggzy.settings")
    if value is not None:
        env["GGZY_GC_THRESHOLDS"] = value
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True)


def test_server_processes_collect_young_objects_less_often(tmp_path):
    assert _run(tmp_path, None).stdout.strip() == "100000,50,10"
    assert _run(tmp_path, "20000,20,10").stdout.strip() == "20000,20,10"
    python_default = subprocess.run(
        [sys.executable, "-c", "import gc; print(','.join(map(str, gc.get_threshold())))"],
        capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    assert _run(tmp_path, "default").stdout.strip() == python_default != "100000,50,10"


@pytest.mark.parametrize("value", ["abc", "1,2", "0,10,10", "1,-2,3"])
def test_a_bad_value_stops_the_start_with_a_clear_message(tmp_path, value):
    r = _run(tmp_path, value)
    assert r.returncode != 0 and "GGZY_GC_THRESHOLDS must be three positive integers" in r.stderr
