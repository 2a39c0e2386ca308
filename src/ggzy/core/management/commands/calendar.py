"""ggzy calendar add 2026-09-30 5 [--working] [--before]
ggzy calendar day 2026-10-10
ggzy calendar load-year 2027 --file notice.txt [--dry-run]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ggzy.core import calendar, selectors, services
from ggzy.core.errors import DomainError
from ggzy.core.permissions import SYSTEM


class Command(BaseCommand):
    help = "法定期间计算与年度放假安排导入"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="计算期间的最后一日")
        add.add_argument("start", help="起算日 YYYY-MM-DD（当日不计入）")
        add.add_argument("days", help="天数")
        add.add_argument("--working", action="store_true", help="按工作日计算")
        add.add_argument("--before", action="store_true", help="向前计算（最晚应在哪一日）")
        day = sub.add_parser("day", help="查询某日是否为工作日")
        day.add_argument("date")
        load = sub.add_parser("load-year", help="导入国务院办公厅的年度放假安排通知")
        load.add_argument("year", type=int)
        load.add_argument("--file", required=True, help="通知全文（UTF-8 文本文件）")
        load.add_argument("--dry-run", action="store_true", help="只预览，不导入")

    def handle(self, *args, **options):
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except DomainError as e:
            lines = [e.message] + [f"  - {x.message}" for x in e.errors if len(e.errors) > 1]
            raise CommandError("\n".join(lines) + f"\n[{e.code}]") from None

    def _add(self, o):
        r = selectors.period(
            o["start"],
            o["days"],
            kind=calendar.WORKING if o["working"] else calendar.CALENDAR,
            direction=calendar.BACKWARD if o["before"] else calendar.FORWARD,
        )
        self.stdout.write(f"{r.end.isoformat()}{r.provisional_note}")
        self.stdout.write(r.describe())
        self.stdout.write(f"依据：{r.basis}")
        for line in r.explanation:
            self.stdout.write(f"  {line}")

    def _day(self, o):
        info = selectors.day_info(o["date"])
        note = "" if info.confirmed else calendar.provisional_note([info.date.year])
        self.stdout.write(f"{info.describe()}：{'工作日' if info.working else '非工作日'}{note}")
        self.stdout.write(f"来源：{info.source}")

    def _load_year(self, o):
        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        text = path.read_text(encoding="utf-8")
        if o["dry_run"]:
            p = selectors.holiday_year_preview(year=o["year"], text=text, actor=SYSTEM)
            self.stdout.write(
                f"{p.year}年：放假{len(p.parsed.holidays)}天，调休上班{len(p.parsed.workdays)}天（预览，未导入）"
            )
            for d, name in p.parsed.workdays.items():
                self.stdout.write(f"  调休上班 {d.isoformat()} {name}")
            for c in p.changes:
                self.stdout.write(
                    f"  将变化：{c.deadline.purpose} {c.old} -> {c.new}{c.result.provisional_note}"
                )
            return
        report = services.holiday_year_load(year=o["year"], text=text, actor=SYSTEM)
        row = report.holiday_year
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入{row.year}年放假安排（{row.source_label}）：放假{len(row.holidays)}天，调休上班{len(row.workdays)}天"
            )
        )
        self.stdout.write(f"重新核对{report.rechecked}个已保存期限，{len(report.changes)}个有变化")
        for c in report.changes:
            self.stdout.write(f"  {c.deadline.purpose}：{c.old} -> {c.new}{c.result.provisional_note}")
