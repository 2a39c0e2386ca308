"""API shapes of the deposits app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class RequirementIn(Schema):
    amount: str
    guarantee_allowed: bool | None = None


class RequirementOut(Schema):
    lot: str
    amount: Decimal
    cap: Decimal | None
    cap_explanation: str
    guarantee_allowed: bool
    set_at: dt.datetime
    version: int
    attempt: int = Field(1, description="当前挂牌次数（重新挂牌后每次的保证金单独缴纳、单独退还）")


class SubAccountIn(Schema):
    uscc: str


class SubAccountOut(Schema):
    lot: str
    uscc: str
    entity_name: str
    number: str
    attempt: int = Field(1, description="第几次挂牌的子账号（拍卖重新挂牌时每次一个新子账号）")
    bank_note: str


class StatusOut(Schema):
    lot: str
    uscc: str
    attempt: int = Field(1, description="保证金所属的挂牌次数（招标项目恒为1）")
    required: bool
    amount: Decimal | None
    satisfied: bool
    paid_amount: Decimal
    method: str
    state: str
    state_label: str
    sub_account: str
    refund_deadline: dt.date | None
    refunded: bool


class PaymentOut(Schema):
    txn_id: str
    amount: Decimal
    paid_at: dt.datetime
    received_at: dt.datetime


class GuaranteeIn(Schema):
    uscc: str
    issuer: str
    number: str
    amount: str
    valid_from: dt.date
    valid_until: dt.date


class GuaranteeOut(Schema):
    id: int
    lot: str
    uscc: str
    issuer: str
    number: str
    amount: Decimal
    valid_from: dt.date
    valid_until: dt.date
    status: str
    status_label: str
    note: str


class GuaranteeVerifyIn(Schema):
    approve: bool
    note: str = ""


class RefundDueIn(Schema):
    uscc: str
    reason: str
    due_from: dt.date
    attempt: int | None = Field(None, description="第几次挂牌的保证金；缺省为当前一次")


class RefundIn(Schema):
    reference: str = ""
    interest: str = "0"
    attempt: int | None = Field(None, description="第几次挂牌的保证金；缺省为唯一或当前一次")


class RefundOut(Schema):
    lot: str
    uscc: str
    attempt: int = 1
    amount: Decimal
    reason: str
    reason_label: str
    due_from: dt.date
    deadline: dt.date
    days: int
    kind: str
    basis: str
    provisional: bool
    refunded_at: dt.datetime | None
    reference: str
    interest: Decimal
    overdue: bool


class BidderOut(Schema):
    status: StatusOut
    earlier: list[StatusOut] = Field(default_factory=list, description="重新挂牌前各次的保证金")
    payments: list[PaymentOut]
    guarantees: list[GuaranteeOut]


class DepositLotOut(Schema):
    lot: str
    requirement: RequirementOut | None
    cap: Decimal | None
    cap_explanation: str
    bidders: list[StatusOut]
    guarantees: list[GuaranteeOut]
    refunds: list[RefundOut]


class PayerAccountOut(Schema):
    payer_account: str
    payer_names: list[str]
    payer_bank: str
    usccs: list[str]
    payments: int
    shared: bool


class SimulateIn(Schema):
    uscc: str
    amount: str
    payer_account: str = ""
    payer_name: str = ""


class CallbackAnswerOut(Schema):
    result: str
    txn_id: str
    sub_account: str
    amount: str
    total_paid: str
    required: str | None
    status: str
    message: str
