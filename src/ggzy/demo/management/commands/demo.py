"""``ggzy demo load`` loads the Shanxi demo (idempotent); ``ggzy demo totp USER`` prints a demo
account's current TOTP code; ``ggzy demo accounts`` lists the demo logins; ``ggzy demo bidder``
prints the shell lines of docs/client.md's worked example (``eval "$(ggzy demo bidder)"``)."""

from __future__ import annotations

import pyotp
from django.core.management.base import BaseCommand, CommandError

from ggzy.demo.accounts import ACCOUNTS, banner_lines


class Command(BaseCommand):
    help = "山西演示数据：load 加载（可重复执行），accounts 列出演示账户，totp 显示演示账户的当前动态口令"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="加载演示数据（已有数据保留）")
        sub.add_parser("accounts", help="列出演示账户")
        b = sub.add_parser(
            "bidder", help="打印演示投标人的命令行环境（服务器、令牌、标段、密钥），供 eval 使用"
        )
        b.add_argument("--server", default="http://127.0.0.1:8000")
        p = sub.add_parser("totp", help="显示演示账户当前的动态口令")
        p.add_argument("username")

    def handle(self, *args, action, **options):
        if action == "load":
            from ggzy.demo.loader import load

            try:
                added = load()
            except RuntimeError as e:
                raise CommandError(str(e)) from e
            if added:
                parts = "，".join(f"{LABELS.get(k, k)} {n} 个" for k, n in added.items())
                self.stdout.write(f"演示数据已加载：新增{parts}。")
            else:
                self.stdout.write("演示数据已存在，未作改动。")
        elif action == "bidder":
            from ggzy.demo.sealed import shell_lines

            lines = shell_lines(options["server"])
            if not lines:
                raise CommandError("演示投标标段或演示投标人的令牌不存在：请先运行 ggzy demo load")
            for line in lines:
                self.stdout.write(line)
        elif action == "accounts":
            for line in banner_lines():
                self.stdout.write(line)
        else:
            account = next((a for a in ACCOUNTS if a.username == options["username"]), None)
            if account is None or not account.totp_secret:
                raise CommandError(f"“{options['username']}”不是需要动态口令的演示账户")
            self.stdout.write(pyotp.TOTP(account.totp_secret).now())


LABELS = {
    "service_centers": "交易服务中心",
    "departments": "行政监督部门",
    "oversight_bodies": "监察审计机构",
    "entities": "市场主体",
    "accounts": "账户",
    "projects": "交易项目",
    "lots_opened": "已发布公告的标段（包）",
    "specialties": "评标专业",
    "experts": "评标专家",
    "expert_draws": "已公开验证的专家抽取",
    "venues": "交易场所",
    "venue_bookings": "已预约开评标场所的标段",
    "auctions": "拍卖挂牌标的",
    "auction_contracts": "已签订出让合同的拍卖标的",
    "deposit_requirements": "保证金要求",
    "bidding_lots": "投标中的演示标段",
    "bidder_keys": "演示投标人SM2密钥",
    "awarded_lots": "已定标并签订合同的演示标段",
}
