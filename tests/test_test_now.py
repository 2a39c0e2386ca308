"""GGZY_TEST_NOW moves the whole suite's clock (tests/conftest.py), for checking dates ahead."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from django.utils import timezone

from ggzy.core import clock


def test_the_suite_runs_at_ggzy_test_now():
    when = os.environ.get("GGZY_TEST_NOW", "").strip()
    if when:  # the suite itself runs shifted: the platform's clock and Python's agree with it
        start = dt.datetime.fromisoformat(when)
        assert dt.timedelta(0) <= timezone.now() - start < dt.timedelta(hours=3)
        assert abs(clock.now() - timezone.now()) < dt.timedelta(minutes=1)
        return
    out = _pytest_at("2027-02-03T09:00:00+08:00")
    assert out.returncode == 0 and "1 passed" in out.stdout, out.stdout + out.stderr
    bad = _pytest_at("next tuesday")
    assert bad.returncode != 0 and "not an ISO date-time" in bad.stdout + bad.stderr


def _pytest_at(when: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", __file__],
        env={**os.environ, "GGZY_TEST_NOW": when},
        cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=300,
    )  # fmt: skip
