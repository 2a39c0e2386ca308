"""``ggzy tick``: advance every lot whose next check time has passed (once, or every N seconds),
then run the other apps' deadline checks (``HOOKS``).

Each step is isolated: one that raises is logged, reported on stderr in Chinese and the others
still run; a single run (no ``--loop``) then exits with a nonzero status. The hooks are not part
of ``services.tick_run`` (the lots' tick, benchmarked on its own in bench/tick.py).
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from ggzy.trading import services

log = logging.getLogger(__name__)


def _auctions() -> str:
    from ggzy.auctions.services import auction_close_due  # auctions' deadlines (docs/auctions.md)

    return f"拍卖挂牌：按时开始或结束{auction_close_due()}场"


def _auction_signing() -> str:
    from ggzy.auctions.settlement import signing_overdue_check  # 成交确认书 (docs/auctions.md)

    return f"成交确认书：逾期未签订{signing_overdue_check()}份"


def _auction_contracts() -> str:
    from ggzy.auctions.contracts import contracts_overdue  # 出让合同 (docs/auctions.md "Contract")

    return f"出让合同（产权交易合同）：逾期未登记预警{contracts_overdue()}条"


def _evaluation() -> str:
    from ggzy.evaluation.services import deadlines_check  # contracts, objections (docs/evaluation.md)

    contracts, objections = deadlines_check()
    return f"合同订立期限检查：新增预警{contracts}条；异议答复期限检查：新增预警{objections}条"


def _openings() -> str:
    from ggzy.tendering.services import openings_due  # sealed bids (docs/tendering.md)

    closed, finished = openings_due()
    return f"电子开标：截止投标{closed}个标段，结束解密{finished}个标段"


def _deposits() -> str:
    from ggzy.deposits.services import refunds_overdue_check  # docs/deposits.md

    return f"保证金：逾期未退还预警{refunds_overdue_check()}条"


# The other apps' checks, run in this order after the lots' tick: (Chinese label for an error
# line, a callable that does the check and returns the line to print). To add one, add an entry.
HOOKS: list[tuple[str, Callable[[], str]]] = [
    ("拍卖挂牌按时开始或结束", _auctions),
    ("成交确认书逾期未签订检查", _auction_signing),
    ("出让合同逾期未登记检查", _auction_contracts),
    ("合同订立与异议答复期限检查", _evaluation),
    ("电子开标截止与解密结束", _openings),
    ("保证金逾期未退还检查", _deposits),
]


class Command(BaseCommand):
    help = "定时检查：将到达规定时间的标段推进到相应阶段（可重复运行，结果相同）"

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, metavar="N", help="每 N 秒运行一次，直到按 Ctrl-C")
        parser.add_argument("--limit", type=int, help="本次最多处理的标段数")

    def handle(self, *args, loop=None, limit=None, **options):
        if loop is not None and loop <= 0:
            raise CommandError("--loop 的间隔必须大于 0 秒")
        if loop is None:
            failed = self._once(limit)
            if failed:
                raise CommandError(f"定时检查：{len(failed)}项出错（{'、'.join(failed)}），其余各项已运行")
            return
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"定时检查已启动：每{loop:g}秒运行一次，按 Ctrl-C 停止。")
        while not stopping:
            started = time.monotonic()
            try:
                if self._once(limit):  # reported on stderr; the next round runs every step again
                    close_old_connections()  # e.g. the database went away: reconnect next round
            except Exception as exc:  # not expected (each step is isolated), but never stop the loop
                self.stderr.write(f"定时检查出错：{exc}")
                close_old_connections()
            while not stopping and time.monotonic() - started < loop:
                time.sleep(min(0.2, loop))
        self.stdout.write("定时检查已停止。")

    def _step(self, label: str, fn: Callable[[], str], failed: list[str]) -> None:
        try:
            line = fn()
        except Exception as exc:  # one failing check stops no other
            log.exception("tick: %s failed", label)
            self.stderr.write(f"{label}出错：{exc}")
            failed.append(label)
            return
        self.stdout.write(line)

    def _once(self, limit) -> list[str]:
        """One run of every step; returns the labels of those that failed."""
        failed: list[str] = []

        def lots() -> str:
            report = services.tick_run(limit=limit)
            for code, err, message in report.errors:  # lots the tick reported; the others moved
                self.stderr.write(f"  标段 {code}：{message}（{err}）")
            return report.summary()

        self._step("标段定时推进", lots, failed)
        for label, hook in HOOKS:
            self._step(label, hook, failed)
        return failed
