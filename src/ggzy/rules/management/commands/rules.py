"""ggzy rules list
ggzy rules show engineering.open_tendering [--version 1]
ggzy rules sync"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ggzy.core.errors import DomainError
from ggzy.core.permissions import SYSTEM
from ggzy.rules import selectors, services, validate


class Command(BaseCommand):
    help = "交易规则：列出、查看、载入随平台发布的规则集"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="列出全部规则集（今天施行的版本）")
        show = sub.add_parser("show", help="查看一个规则集")
        show.add_argument("code")
        show.add_argument("--version", type=int, default=None, help="版本号（默认：今天施行的版本）")
        sub.add_parser("sync", help="载入随平台发布的规则集（已载入的不变）")

    def handle(self, *args, **options):
        try:
            getattr(self, "_" + options["action"])(options)
        except DomainError as e:
            lines = [e.message] + [f"  - {x.message}" for x in e.errors if len(e.errors) > 1]
            raise CommandError("\n".join(lines) + f"\n[{e.code}]") from None

    def _list(self, o):
        for p in selectors.published():
            row = p.current or p.latest
            state = "施行中" if p.current else "尚未生效"
            later = f"，第{p.upcoming.version}版{p.upcoming.effective_from}起施行" if p.upcoming else ""
            self.stdout.write(
                f"{row.code}\t第{row.version}版\t{row.effective_from}（{state}{later}）\t{row.name}"
            )

    def _show(self, o):
        if o["version"]:
            row = selectors.version_row(o["code"], o["version"])
        else:
            p = selectors.published_one(o["code"])
            row = p.current or p.latest
        rs = selectors.to_ruleset(row)
        self.stdout.write(f"{rs.name}（{rs.code}）第{rs.version}版，{rs.effective_from}起施行")
        self.stdout.write(f"SM3：{row.digest}")
        self.stdout.write(f"机制：{validate.MECHANISMS[rs.mechanism]}；最少{rs.min_bidders}个投标（竞买）人")
        self.stdout.write("阶段：" + " → ".join(s.label for s in rs.stages))
        self.stdout.write("期限：")
        for p in rs.periods:
            self.stdout.write(f"  {p.label}：{validate.period_text(p)}（{p.basis.label()}）")

    def _sync(self, o):
        report = services.ruleset_sync_shipped(actor=SYSTEM)
        for row in report.created:
            self.stdout.write(f"已载入 {row.code} 第{row.version}版（SM3 {row.digest[:16]}…）")
        self.stdout.write(
            self.style.SUCCESS(f"新载入{len(report.created)}个，已存在且一致{len(report.unchanged)}个")
        )
