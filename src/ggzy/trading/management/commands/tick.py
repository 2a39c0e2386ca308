"""``ggzy tick``: advance every lot whose next check time has passed (once, or every N seconds)."""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from ggzy.trading import services


class Command(BaseCommand):
    help = "定时检查：将到达规定时间的标段推进到相应阶段（可重复运行，结果相同）"

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, metavar="N", help="每 N 秒运行一次，直到按 Ctrl-C")
        parser.add_argument("--limit", type=int, help="本次最多处理的标段数")

    def handle(self, *args, loop=None, limit=None, **options):
        if loop is not None and loop <= 0:
            raise CommandError("--loop 的间隔必须大于 0 秒")
        if loop is None:
            self._once(limit)
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
                self._once(limit)
            except Exception as exc:  # e.g. the database is briefly unreachable: try again next round
                self.stderr.write(f"定时检查出错：{exc}")
                close_old_connections()
            while not stopping and time.monotonic() - started < loop:
                time.sleep(min(0.2, loop))
        self.stdout.write("定时检查已停止。")

    def _once(self, limit):
        report = services.tick_run(limit=limit)
        self.stdout.write(report.summary())
        from ggzy.auctions.services import auction_close_due  # auctions' deadlines (docs/auctions.md)

        self.stdout.write(f"拍卖挂牌：按时开始或结束{auction_close_due()}场")
        from ggzy.evaluation.services import deadlines_check  # contracts, objections (docs/evaluation.md)

        contracts, objections = deadlines_check()
        self.stdout.write(
            f"合同订立期限检查：新增预警{contracts}条；异议答复期限检查：新增预警{objections}条"
        )
        from ggzy.tendering.services import openings_due  # sealed bids (docs/tendering.md)

        closed, finished = openings_due()
        self.stdout.write(f"电子开标：截止投标{closed}个标段，结束解密{finished}个标段")
        from ggzy.deposits.services import refunds_overdue_check  # docs/deposits.md

        self.stdout.write(f"保证金：逾期未退还预警{refunds_overdue_check()}条")
        for code, err, message in report.errors:
            self.stderr.write(f"  标段 {code}：{message}（{err}）")
