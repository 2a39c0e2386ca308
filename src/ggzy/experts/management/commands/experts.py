"""``ggzy experts``: the expert pool's tools.

ggzy experts import-specialties [--file PATH]     the specialty classification (reports conflicts)
ggzy experts verify-draw CODE | --file EXPORT.json recompute a revealed draw; exit 1 on mismatch
ggzy experts export-draw CODE                      a revealed draw's verification data (JSON)
ggzy experts export-pool > pool.jsonl              the active pool (docs/experts.md format)
ggzy experts import-pool pool.jsonl
ggzy experts send-notifications                    send pending SMS from the outbox
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ggzy.core.errors import DomainError
from ggzy.core.permissions import SYSTEM
from ggzy.experts import draw as drawing
from ggzy.experts import selectors, services

DEFAULT_SPECIALTIES = Path(__file__).resolve().parents[2] / "data" / "expert-specialties.csv"


class Command(BaseCommand):
    help = "评标专家库工具：import-specialties 导入专业分类，verify-draw 验证抽取，export-pool/import-pool 专家库交换"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        p = sub.add_parser("import-specialties", help="导入评标专业分类", called_from_command_line=True)
        p.add_argument("--file", default=str(DEFAULT_SPECIALTIES))
        p = sub.add_parser("verify-draw", help="重新计算并验证已公开的抽取", called_from_command_line=True)
        p.add_argument("code", nargs="?", default="")
        p.add_argument("--file", default="", help="从导出的 JSON 文件验证（无需数据库）")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("export-draw", help="导出已公开抽取的验证数据", called_from_command_line=True)
        p.add_argument("code")
        sub.add_parser("export-pool", help="导出在库专家（JSON Lines）", called_from_command_line=True)
        p = sub.add_parser("import-pool", help="导入专家（JSON Lines）", called_from_command_line=True)
        p.add_argument("path")
        sub.add_parser("send-notifications", help="发送待发的短信通知", called_from_command_line=True)

    def handle(self, *args, action, **options):
        try:
            getattr(self, action.replace("-", "_"))(options)
        except DomainError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from exc

    def import_specialties(self, options):
        report = services.specialty_import(
            text=Path(options["file"]).read_text(encoding="utf-8"), actor=SYSTEM
        )
        self.stdout.write(f"评标专业分类：新增{report['added']}个，已有{report['unchanged']}个。")
        for line in report["report"]:
            self.stdout.write(f"  注意：{line}")

    def verify_draw(self, options):
        if options["file"]:
            record = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
            result = drawing.verify(record).as_dict()
            code = record.get("request_id", "")
        elif options["code"]:
            result = selectors.verify_draw(options["code"])
            code = options["code"]
        else:
            raise CommandError("请给出抽取编号，或用 --file 指定导出的验证数据")
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        elif result["ok"]:
            self.stdout.write(
                f"抽取{code}验证通过：承诺值相符，专家库快照符合回避和地区规则，按公开算法重新抽取的名单与公布的一致。"
            )
            for spec, ids in result["selected"].items():
                self.stdout.write(f"  专业{spec}：{'、'.join(ids)}")
        else:
            self.stdout.write(f"抽取{code}验证未通过：")
            for p in result["problems"]:
                self.stdout.write(f"  - {p}")
        if not result["ok"]:
            sys.exit(1)

    def export_draw(self, options):
        d = selectors.draw_get(options["code"])
        if not d.revealed:
            raise CommandError("该次抽取尚未公开验证数据")
        self.stdout.write(json.dumps(d.revealed, ensure_ascii=False, indent=1))

    def export_pool(self, options):
        for line in selectors.pool_export(viewer=SYSTEM):
            self.stdout.write(line, ending="")

    def import_pool(self, options):
        result = services.expert_import(text=Path(options["path"]).read_text(encoding="utf-8"), actor=SYSTEM)
        self.stdout.write(f"导入专家：新增{result['added']}人，已在库跳过{result['skipped']}人。")

    def send_notifications(self, options):
        self.stdout.write(f"已发送{services.notifications_dispatch()}条通知。")
