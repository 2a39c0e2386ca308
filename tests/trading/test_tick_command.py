"""``ggzy tick`` runs the lots' tick and then every other app's check (``HOOKS``); one that fails
is reported in Chinese on stderr, the others still run, and the command exits nonzero."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from ggzy.trading.management.commands import tick as command
from ggzy.trading.models import Lot
from tests.trading.test_tick import scheduled_lot

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2026, 3, 26, tzinfo=dt.UTC)  # four stages of a scheduled lot are due


def _broken() -> str:
    raise RuntimeError("测试用的检查失败")


def _run(**kwargs) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with time_machine.travel(WHEN, tick=False):
        call_command("tick", stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_every_registered_check_runs_and_prints_its_line():
    lot = scheduled_lot()
    out, err = _run()
    assert "到期标段1个" in out and "共4次状态变更" in out
    assert out.count("\n") == 1 + len(command.HOOKS)  # the lots' summary, then one line per hook
    for line in ("拍卖挂牌", "合同订立期限检查", "电子开标", "保证金"):
        assert line in out
    assert err == ""
    assert Lot.objects.get(pk=lot.pk).status != "draft"  # moved (the opening check may then fail it: no bids)


@pytest.mark.parametrize("position", [0, 2, None])
def test_a_failing_check_stops_no_other_and_the_command_exits_nonzero(monkeypatch, position):
    lot = scheduled_lot()
    hooks = list(command.HOOKS)
    hooks.insert(len(hooks) if position is None else position, ("测试检查", _broken))
    monkeypatch.setattr(command, "HOOKS", hooks)
    out, err = io.StringIO(), io.StringIO()
    with time_machine.travel(WHEN, tick=False), pytest.raises(CommandError) as raised:
        call_command("tick", stdout=out, stderr=err)
    assert raised.value.returncode == 1  # ``ggzy tick`` exits with status 1
    assert "1项出错（测试检查）" in str(raised.value)
    assert "测试检查出错：测试用的检查失败" in err.getvalue()
    # the lots' tick and every other check ran, in order
    lines = out.getvalue().splitlines()
    assert len(lines) == len(hooks)  # the summary + every hook but the failing one
    assert "共4次状态变更" in lines[0]
    assert [line.split("：")[0] for line in lines[1:]] == [
        line.split("：")[0] for line in _shipped_lines(hooks)
    ]
    assert Lot.objects.get(pk=lot.pk).status != "draft"  # moved (the opening check may then fail it: no bids)


def _shipped_lines(hooks) -> list[str]:
    return [fn() for label, fn in hooks if fn is not _broken]
