"""API shapes of the auctions app (names start with ``Auction``: unique across the whole API)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class AuctionSummaryOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    mode: str
    mode_label: str
    phase: str
    phase_label: str
    attempt: int
    starting_price: str
    price: str | None
    bid_count: int
    starts_at: dt.datetime
    deadline: dt.datetime | None
    closed_at: dt.datetime | None
    result: str
    result_label: str
    lot: str
    region_code: str


class AuctionBidOut(Schema):
    seq: int
    number: str | None = None  # bidding number: bidders, staff and supervisors only
    amount: str
    quantity: str | None = None
    at: str


class AuctionDetailOut(Schema):
    """The auction as the viewer may see it: never the reserve before the end, never real names."""

    auction: int
    title: str
    kind: str
    mode: str
    mode_label: str
    phase: str
    phase_label: str
    starting_price: str
    increment: str
    price_cap: str | None
    quantity_label: str
    price: str | None
    quantity: str | None
    leader: str | None
    bid_count: int
    round_no: int
    starts_at: str
    listing_ends_at: str | None
    deadline: str | None
    hard_stop: str | None
    countdown_seconds: int
    acceleration: int
    closed_at: str | None
    result: str
    result_label: str
    final_price: str | None
    premium_rate: str | None
    reserve_price: str | None
    reserve_sealed: bool
    result_notice: str
    bidders: int
    bids: list[AuctionBidOut]
    version: int
    view: str
    you: str | None
    now: str


class AuctionCreateIn(Schema):
    lot: str  # the lot's code
    mode: str | None = None
    title: str | None = None
    starting_price: str
    increment: str
    deposit: str
    reserve_price: str | None = None
    price_cap: str | None = None
    quantity_label: str | None = None
    quantity_start: str | None = None
    quantity_increment: str | None = None
    starts_at: str
    listing_ends_at: str | None = None
    hard_stop_at: str | None = None
    countdown_seconds: int | None = None
    round_seconds: int | None = None
    dutch_step: str | None = None
    dutch_floor: str | None = None
    dutch_interval_seconds: int | None = None


class AuctionRelistIn(Schema):
    starts_at: str
    starting_price: str | None = None
    listing_ends_at: str | None = None
    mode: str | None = None
    dutch_step: str | None = None
    dutch_floor: str | None = None


class AuctionRegistrationOut(Schema):
    """A bidder's own registration (its status and number)."""

    id: int
    auction: int
    status: str
    status_label: str
    number: str
    deposit_confirmed: bool
    may_bid: bool


class AuctionRegistrationStaffOut(Schema):
    """A registration as the service center and supervisors see it (with the deposit's state)."""

    id: int
    entity: str
    uscc: str
    status: str
    status_label: str
    review_note: str
    number: str
    deposit_confirmed_at: dt.datetime | None
    deposit_reference: str
    deposit_state: str
    deposit_state_label: str
    deposit_paid: str
    refund_deadline: dt.date | None
    applied_at: dt.datetime


class AuctionReviewIn(Schema):
    approve: bool
    note: str = ""


class AuctionDepositConfirmIn(Schema):
    reference: str = ""  # empty: confirmed from the deposits app (sub-account or guarantee)


class AuctionContractOut(Schema):
    """The contract of a signed confirmation: recorded, or still due by ``due_on``."""

    recorded: bool
    name: str = Field(description="合同名称（出让合同或产权交易合同）")
    contract_no: str | None
    amount: str = Field(description="合同价款（元）：成交价")
    signed_on: dt.date | None
    due_on: dt.date = Field(description="合同签订期限的最后一日")
    basis: str
    basis_confirmed: bool
    late: bool | None
    notice: str | None = Field(description="合同公告编号")
    overdue: bool
    warned_at: dt.datetime | None = Field(description="逾期未登记时向监督部门预警的时间")


class AuctionContractIn(Schema):
    contract_no: str = Field(description="合同编号")
    amount: str = Field(description="合同价款（元），须与成交价一致")
    signed_on: str = Field(description="签订日期，如 2026-12-01")


class AuctionConfirmationOut(Schema):
    code: str
    number: str
    winner: str | None
    price: str
    premium_rate: str
    issued_at: dt.datetime
    sign_due_at: dt.datetime
    sign_basis: str
    sign_basis_confirmed: bool
    on_default: str
    status: str
    status_label: str
    signed_at: dt.datetime | None
    outcome_note: str
    pdf_url: str
    verify_url: str
    contract: AuctionContractOut | None = Field(description="签订成交确认书后：合同登记情况")


class AuctionResultOut(Schema):
    auction: int
    title: str
    result: str
    result_label: str
    starting_price: str
    final_price: str | None
    premium_rate: str | None
    reserve_price: str | None
    closed_at: dt.datetime | None
    bid_count: int
    result_notice: str
    confirmations: list[AuctionConfirmationOut]


class AuctionConfirmationVerifyOut(Schema):
    ok: bool
    signature_ok: bool
    digest: str
    digest_ok: bool
    code: str
    auction: int
    title: str
    lot: str
    winner: str
    winner_uscc: str
    price: str
    premium_rate: str
    issued_at: dt.datetime
    status: str
    status_label: str
    key_fingerprint: str
    public_key_pem: str
    signature: str
