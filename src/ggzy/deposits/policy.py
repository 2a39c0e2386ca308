"""Deposit rules as arithmetic: the cap, the refund period, sub-account numbers, bank messages.
Pure module (no Django): the services feed it rule-set data and get answers with their legal basis.

- ``cap``: the largest deposit a lot may require, from the rule set's ``deposit`` (percent of the
  lot's estimate or budget, and/or an absolute amount), with the article to cite in a refusal.
- ``refund_period``: the days, their kind and the article for a refund reason.
- ``account_number``: a sub-account number from a keyed digest (the caller computes the digest).
- ``canonical`` / ``parse_callback``: the bank callback's canonical JSON body and its fields.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from ggzy.core.errors import FieldError, InvalidInput, invalid

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Cap:
    amount: Decimal | None  # None: the rule set sets no cap
    explanation: str  # Chinese, with the article


def cap(*, estimate: Decimal, cap_percent: Decimal | None, cap_amount: Decimal | None, basis: str) -> Cap:
    """The cap a lot's deposit must not exceed: the smaller of ``cap_percent`` % of ``estimate``
    (rounded down to the cent: a cap is never exceeded by rounding) and ``cap_amount``."""
    parts, limits = [], []
    if cap_percent is not None:
        by_percent = (estimate * cap_percent / Decimal(100)).quantize(CENT, rounding=ROUND_DOWN)
        limits.append(by_percent)
        parts.append(f"估算价（预算金额）{estimate}元的{cap_percent.normalize():f}%即{by_percent}元")
    if cap_amount is not None:
        limits.append(cap_amount)
        parts.append(f"最高{cap_amount}元")
    if not limits:
        return Cap(None, "交易规则未规定保证金上限")
    where = f"（{basis}）" if basis else ""
    return Cap(min(limits), "保证金不得超过" + "，且".join(parts) + where)


# --- refunds ------------------------------------------------------------------------------------
REASONS = {
    "contract_signed": "书面合同已签订",
    "award_notice": "中标（成交）通知书已发出（未中标、未成交）",
    "withdrawn": "投标截止前撤回投标",
    "terminated": "招标（交易）终止",
    "auction_ended": "拍卖、挂牌或竞价结束（未竞得）",
    "failed": "流标（流拍）",
}
CALENDAR, WORKING = "calendar", "working"


@dataclass(frozen=True)
class RefundPeriod:
    days: int
    kind: str  # calendar | working
    basis: str  # the article, "（未核实）" when the source text is not in the law library
    confirmed: bool


# Rule sets without deposit data (auctions and listings): the figure commonly applied by the land
# and property rules (5 working days after the trade ends); their texts are not in the law library.
FALLBACK = RefundPeriod(
    5, WORKING, "《招标拍卖挂牌出让国有建设用地使用权规定》等部门规章（未核实）", confirmed=False
)
WITHDRAWN_ENGINEERING = RefundPeriod(5, CALENDAR, "《招标投标法实施条例》第三十五条", confirmed=True)


def refund_period(
    *, reason: str, category: str, days: int | None, kind: str | None, basis: str, confirmed: bool = True
) -> RefundPeriod:
    """The refund period for ``reason``: the rule set's ``deposit.refund_days`` / ``refund_kind``
    (engineering: 5 days after the written contract, 实施条例第57条; procurement: 5 working days
    from the award notice for unsuccessful suppliers and from the contract for the winner,
    政府采购法实施条例第33条), with the engineering withdrawal rule (实施条例第35条: 5 days from
    the written withdrawal notice). Without rule-set data: ``FALLBACK`` (unconfirmed)."""
    if reason not in REASONS:
        raise InvalidInput("deposit.refund_reason", "退还原因无法识别", field="reason")
    if reason == "withdrawn" and category == "engineering":
        return WITHDRAWN_ENGINEERING
    if days is None or kind is None:
        return FALLBACK
    return RefundPeriod(days, kind, basis, confirmed)


def end_of_day(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """A period's last day ends at 24:00 (民法典第二百零三条): the first instant after it."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)


# --- sub-account numbers -----------------------------------------------------------------------
def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def luhn_ok(number: str) -> bool:
    return number.isdigit() and len(number) >= 2 and luhn_digit(number[:-1]) == number[-1]


def account_number(prefix: str, digest_hex: str, length: int = 14) -> str:
    """``prefix`` + ``length`` decimal digits taken from a keyed digest + a Luhn check digit.
    The same lot and bidder always give the same number; without the key nobody can compute it."""
    if not prefix.isdigit():
        raise ValueError("the sub-account prefix must be digits")
    body = prefix + str(int(digest_hex, 16) % 10**length).zfill(length)
    return body + luhn_digit(body)


# --- bank callbacks ----------------------------------------------------------------------------
def canonical(payload: dict[str, Any]) -> bytes:
    """The one byte form of a callback body: sorted keys, no spaces, UTF-8 (not \\u-escaped)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


FIELDS = {
    "bank": "银行代码",
    "txn_id": "银行交易流水号",
    "sub_account": "收款子账号",
    "amount": "金额",
    "currency": "币种",
    "payer_account": "付款账号",
    "payer_name": "付款户名",
    "payer_bank": "付款行",
    "paid_at": "入账时间",
    "nonce": "随机数",
    "timestamp": "签名时间",
}
OPTIONAL = {"payer_bank"}
_TXN = re.compile(r"^[0-9A-Za-z_\-]{4,64}$")
_NONCE = re.compile(r"^[0-9a-f]{32,64}$")


@dataclass(frozen=True)
class Callback:
    bank: str
    txn_id: str
    sub_account: str
    amount: Decimal
    payer_account: str
    payer_name: str
    payer_bank: str
    paid_at: dt.datetime
    nonce: str
    timestamp: dt.datetime


def _time(value: Any, name: str, errs: list[FieldError]) -> dt.datetime:
    try:
        t = dt.datetime.fromisoformat(str(value))
    except ValueError:
        t = None
    if t is None or t.tzinfo is None:
        errs.append(FieldError("deposit.callback_field", f"{FIELDS[name]}应为带时区的 ISO 8601 时间", name))
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return t


def parse_callback(body: bytes) -> Callback:
    """Read a callback body. It must be canonical JSON (what was signed is what is read)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("deposit.callback_malformed", "回调报文不是有效的 UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise InvalidInput("deposit.callback_malformed", "回调报文应为 JSON 对象")
    if canonical(data) != body:
        raise InvalidInput(
            "deposit.callback_not_canonical", "回调报文不是规范格式（键按字典序、无空白、UTF-8）"
        )
    errs: list[FieldError] = []
    unknown = set(data) - set(FIELDS)
    if unknown:
        errs.append(FieldError("deposit.callback_field", f"无法识别的字段：{'、'.join(sorted(unknown))}"))
    for name, label in FIELDS.items():
        if name not in OPTIONAL and (not isinstance(data.get(name), str) or not data[name].strip()):
            errs.append(FieldError("deposit.callback_field", f"缺少{label}或格式不正确", name))
    if errs:
        raise invalid(errs, "回调报文")
    if data["currency"] != "CNY":
        errs.append(FieldError("deposit.callback_currency", "保证金只收人民币（CNY）", "currency"))
    amount = Decimal(0)
    if not isinstance(data["amount"], str):
        errs.append(FieldError("deposit.callback_amount", '金额应为字符串形式的元，如"12000.00"', "amount"))
    else:
        try:
            amount = Decimal(data["amount"])
        except InvalidOperation:
            amount = Decimal(-1)
        if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
            errs.append(FieldError("deposit.callback_amount", "金额应大于0且最多两位小数", "amount"))
    if not _TXN.match(str(data["txn_id"])):
        errs.append(
            FieldError("deposit.callback_field", "银行交易流水号应为4至64位字母、数字、-或_", "txn_id")
        )
    if not _NONCE.match(str(data["nonce"])):
        errs.append(FieldError("deposit.callback_field", "随机数应为32至64位小写十六进制", "nonce"))
    paid_at = _time(data["paid_at"], "paid_at", errs)
    stamp = _time(data["timestamp"], "timestamp", errs)
    if errs:
        raise invalid(errs, "回调报文")
    return Callback(
        bank=str(data["bank"]),
        txn_id=str(data["txn_id"]),
        sub_account=str(data["sub_account"]),
        amount=amount.quantize(CENT),
        payer_account=str(data["payer_account"])[:40],
        payer_name=str(data["payer_name"])[:200],
        payer_bank=str(data.get("payer_bank") or "")[:100],
        paid_at=paid_at,
        nonce=str(data["nonce"]),
        timestamp=stamp,
    )
