"""``ggzy opendata dump --month 2026-09``: write the month's bulk files (docs/opendata.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ggzy.core.errors import DomainError
from ggzy.core.permissions import SYSTEM
from ggzy.opendata import services
from ggzy.opendata.models import Dataset


class Command(BaseCommand):
    help = "开放数据：dump 生成某月的批量下载文件（JSON Lines，gzip）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["dump"])
        parser.add_argument("--month", required=True, help="月份，例如 2026-09（北京时间）")
        parser.add_argument(
            "--dataset", action="append", choices=[d.value for d in Dataset], help="只生成指定数据集"
        )

    def handle(self, *args, **options):
        try:
            files = services.bulk_dump(month=options["month"], actor=SYSTEM, datasets=options["dataset"])
        except DomainError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from None
        for f in files:
            self.stdout.write(
                f"已生成 {f.filename}：{f.lines}条，{f.size}字节，SHA-256 {f.sha256}，SM3 {f.sm3}"
            )
