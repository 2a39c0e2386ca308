"""ggzy deposits simulate-payment --lot CODE --uscc USCC --amount X [--payer-account ACC] [--payer-name NAME]
ggzy deposits check-overdue
ggzy deposits simulated-bank-key
ggzy deposits bank-register --code ICBC14 --name 中国工商银行山西省分行 --key-file bank-sm2-public.pem

The simulated bank builds and signs the callback exactly as a bank would (docs/deposits.md);
refused in production settings."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ggzy.core.errors import DomainError
from ggzy.core.permissions import SYSTEM
from ggzy.deposits import selectors, services, simbank


class Command(BaseCommand):
    help = "保证金：模拟银行付款、逾期退还检查"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        pay = sub.add_parser("simulate-payment", help="通过模拟银行向投标人（竞买人）的子账号付款")
        pay.add_argument("--lot", required=True, help="标段（包）编号")
        pay.add_argument("--uscc", required=True, help="付款单位的统一社会信用代码")
        pay.add_argument("--amount", required=True, help="金额（元）")
        pay.add_argument("--payer-account", default="", help="付款账号（默认取该单位登记的银行账号）")
        pay.add_argument("--payer-name", default="", help="付款户名")
        pay.add_argument("--txn-id", default=None, help="银行流水号（重复发送同一流水号可检验幂等）")
        sub.add_parser("check-overdue", help="检查逾期未退还的保证金并预警（定时检查也会运行）")
        sub.add_parser("simulated-bank-key", help="显示模拟银行的 SM2 公钥")
        reg = sub.add_parser("bank-register", help="登记（或更换公钥）可发送到账回调的银行")
        reg.add_argument("--code", required=True, help="银行代码（回调报文的 bank 字段）")
        reg.add_argument("--name", required=True, help="银行名称")
        reg.add_argument("--key-file", required=True, help="银行的 SM2 公钥（PEM）文件")

    def handle(self, *args, **options):
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except DomainError as e:
            lines = [e.message] + [f"  - {x.message}" for x in e.errors if len(e.errors) > 1]
            raise CommandError("\n".join(lines) + f"\n[{e.code}]") from None

    def _simulate_payment(self, o):
        lot = selectors.lot_get(o["lot"])
        ans = services.simulate_payment(
            lot=lot, uscc=o["uscc"], amount=o["amount"], payer_account=o["payer_account"],
            payer_name=o["payer_name"], txn_id=o["txn_id"], actor=SYSTEM,
        )  # fmt: skip
        self.stdout.write(f"{ans['message']}（子账号 {ans['sub_account']}，流水号 {ans['txn_id']}）")
        self.stdout.write(f"累计到账 {ans['total_paid']} 元；应缴 {ans['required']} 元")

    def _check_overdue(self, o):
        self.stdout.write(f"逾期未退还预警：{services.refunds_overdue_check()}条")

    def _bank_register(self, o):
        try:
            pem = Path(o["key_file"]).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"无法读取公钥文件：{exc}") from None
        bank = services.bank_register(code=o["code"], name=o["name"], public_key_pem=pem, actor=SYSTEM)
        self.stdout.write(f"已登记银行 {bank.name}（{bank.code}），公钥指纹 {bank.fingerprint}")

    def _simulated_bank_key(self, o):
        if not simbank.enabled():
            raise CommandError("生产环境不能使用模拟银行 [deposit.simulator_disabled]")
        self.stdout.write(simbank.private_key().public_key.to_pem())
