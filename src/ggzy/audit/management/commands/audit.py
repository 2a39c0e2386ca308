"""``ggzy audit verify``: check the whole audit chain and name the first altered, deleted or
reordered event. Exit status 0 when the chain is intact, 1 when a problem is found.

    ggzy audit verify [--from-seq N] [--to-seq M] [--workers K] [--json]
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from ggzy.audit import selectors
from ggzy.core.errors import DomainError


class Command(BaseCommand):
    help = "审计链工具：verify 校验整条审计链（或一段），指出第一条被篡改、删除或调换的事件。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=type(parser))
        verify = sub.add_parser("verify", help="校验审计链", called_from_command_line=True)
        verify.add_argument("--from-seq", type=int, default=None, help="从该序号开始（默认 1）")
        verify.add_argument("--to-seq", type=int, default=None, help="到该序号为止（默认到链头，并核对链头）")
        verify.add_argument(
            "--workers", type=int, default=0, help="并行进程数（默认 0：按 CPU 数，最多 4；长链才会并行）"
        )
        verify.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        if options["subcommand"] == "verify":
            return self.verify(options)
        raise CommandError(f"未知的子命令：{options['subcommand']}")  # pragma: no cover

    def verify(self, options) -> None:
        try:
            result = selectors.verify_chain_unchecked(
                from_seq=options["from_seq"], to_seq=options["to_seq"], workers=options["workers"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            span = f"第{result.first}号至第{result.last}号" if result.last >= result.first else "（空链）"
            self.stdout.write(
                f"已校验 {result.checked} 条事件（{span}），用时 {result.seconds:.2f} 秒，"
                f"{result.rate:,.0f} 条/秒，{result.workers} 个进程。"
            )
            if result.ok:
                head = "，链头一致" if result.head_checked else ""
                self.stdout.write(self.style.SUCCESS(f"审计链完整{head}。"))
            else:
                p = result.problem
                self.stderr.write(self.style.ERROR(f"审计链校验失败：{p.kind_label}（{p.kind}），{p}"))
        if not result.ok:
            raise SystemExit(1)
