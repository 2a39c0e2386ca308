from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.core.management import call_command

from ggzy.accounts.models import Department, OversightBody, Role, ServiceCenter, User
from ggzy.audit.models import AuditEvent
from ggzy.core import uscc
from ggzy.demo import data
from ggzy.demo.accounts import ACCOUNTS, PASSWORD
from ggzy.demo.loader import load
from ggzy.entities.models import Entity


def test_generated_entities_are_valid_and_unique():
    regions = {"140105": "太原市小店区", "140215": "大同市云州区"}
    rows = data.entities(regions)
    assert len(rows) == 200
    assert len({r.uscc for r in rows}) == 200
    assert all(uscc.is_valid(r.uscc) for r in rows)
    assert any(not r.region_code.startswith("14") for r in rows), "some entities come from other provinces"
    assert data.entities(regions) == rows, "the demo is deterministic"


@pytest.mark.django_db
def test_demo_load_is_complete_and_idempotent():
    added = load()
    assert ServiceCenter.objects.count() == 129  # province + 11 cities + 117 county branches
    assert ServiceCenter.objects.filter(level="branch", parent__level="city").count() == 117
    assert Department.objects.count() == 129 * 7  # seven kinds at province, city and county level
    assert OversightBody.objects.count() == 129 * 2
    assert Entity.objects.count() == 200
    assert {u.role for u in User.objects.all()} == set(Role.values)
    assert added["entities"] == 200
    from ggzy.rules.selectors import rulesets_published
    from ggzy.trading.models import Lot, Project

    codes = {p.ruleset_code for p in Project.objects.all()}
    assert codes >= {rs.code for rs in rulesets_published() if not rs.code.startswith("other.")}
    assert Lot.objects.count() >= Project.objects.count() + 2  # two projects have two lots
    stages = set(Lot.objects.values_list("status", flat=True))
    assert "draft" not in stages and len(stages) >= 5, stages  # lots at different stages
    events = AuditEvent.objects.count()
    assert events > 200  # every demo row went through a service
    again = load()
    assert sum(again.values()) == 0
    assert AuditEvent.objects.count() == events
    staff = User.objects.get(username="operator")
    assert staff.check_password(PASSWORD) and staff.totp_confirmed
    admin = User.objects.get(username="entity_admin")
    assert admin.membership.entity.trading_roles and "bidder" in admin.membership.entity.trading_roles


@pytest.mark.django_db
def test_demo_accounts_command_prints_one_login_per_role(capsys):
    load()
    call_command("demo", "accounts")
    out = capsys.readouterr().out
    for a in ACCOUNTS:
        assert a.username in out
    assert PASSWORD in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(proc: subprocess.Popen, port: int) -> str:
    """The health answer of the server on ``port`` ("" if it never answered or serve exited)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2).read().decode()
        except OSError:
            time.sleep(0.3)
    return ""


@pytest.mark.timeout(900)  # a fresh migrate in a subprocess: minutes on a loaded 2-core host
def test_serve_starts_server_and_worker_and_ctrl_c_stops_both(tmp_path):
    env = dict(os.environ, GGZY_VAR_DIR=str(tmp_path), GGZY_ENV="development")
    env.pop("GGZY_DATABASE_URL", None)
    ggzy = [sys.executable, "-m", "ggzy.cli"]
    subprocess.run([*ggzy, "migrate", "-v0"], env=env, check=True, timeout=400)
    for _attempt in range(3):
        # a free port can be taken by another test's connection before the server binds it: the
        # server then exits (and serve with it), and the test tries again on another port
        port = _free_port()
        proc = subprocess.Popen([*ggzy, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True, text=True)  # fmt: skip
        body = _health(proc, port)
        if body or proc.poll() is None:
            break
        proc.communicate(timeout=30)
    try:
        assert '"status":"ok"' in body.replace(" ", "")
        children = subprocess.run(
            ["pgrep", "-g", str(proc.pid), "-f", "db_worker"], capture_output=True, text=True
        )
        assert children.stdout.strip(), "the task worker runs beside the server"
        os.killpg(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        assert "平台已停止" in out
        assert f"http://127.0.0.1:{port}/" in out
        leftover = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True)
        assert not leftover.stdout.strip()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
