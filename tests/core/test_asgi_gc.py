"""A server process (ggzy.asgi) sets the garbage collector's thresholds and the GIL's switch
interval (docs/deploy.md)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.timeout(120)

PROBE = "import gc, sys, ggzy.asgi; print(','.join(map(str, gc.get_threshold())), sys.getswitchinterval())"


def _run(tmp_path, value: str | None, name: str = "GGZY_GC_THRESHOLDS") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GGZY_GC_THRESHOLDS", "GGZY_SWITCH_INTERVAL")}
    env.update(GGZY_ENV="test", GGZY_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="ggzy.settings")
    if value is not None:
        env[name] = value
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True)


def test_server_processes_collect_young_objects_less_often(tmp_path):
    assert _run(tmp_path, None).stdout.split() == ["100000,50,10", "0.0005"]
    assert _run(tmp_path, "20000,20,10").stdout.split()[0] == "20000,20,10"
    assert _run(tmp_path, "0.002", "GGZY_SWITCH_INTERVAL").stdout.split() == ["100000,50,10", "0.002"]
    python_default = subprocess.run(
        [sys.executable, "-c", "import gc; print(','.join(map(str, gc.get_threshold())))"],
        capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    assert _run(tmp_path, "default").stdout.split()[0] == python_default != "100000,50,10"


@pytest.mark.parametrize("value", ["abc", "1,2", "0,10,10", "1,-2,3"])
def test_a_bad_value_stops_the_start_with_a_clear_message(tmp_path, value):
    r = _run(tmp_path, value)
    assert r.returncode != 0 and "GGZY_GC_THRESHOLDS must be three positive integers" in r.stderr


@pytest.mark.parametrize("value", ["abc", "0", "-1", "2", "nan"])
def test_a_bad_switch_interval_stops_the_start(tmp_path, value):
    r = _run(tmp_path, value, "GGZY_SWITCH_INTERVAL")
    assert r.returncode != 0 and "GGZY_SWITCH_INTERVAL must be a number of seconds" in r.stderr
