"""``ggzy search reindex``: rebuild the notice search index from every published notice."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ggzy.core.permissions import SYSTEM
from ggzy.portal import services


class Command(BaseCommand):
    help = "公告全文检索索引：reindex 重建索引"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["reindex"])

    def handle(self, *args, **options):
        from ggzy.trading.models import Notice

        count = services.search_reindex(actor=SYSTEM, notices=Notice.objects.all())
        self.stdout.write(f"已重建公告检索索引：{count}条公告")
