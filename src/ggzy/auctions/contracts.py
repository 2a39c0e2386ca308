"""Services of the contract that follows a signed confirmation (docs/auctions.md "Contract"):
土地使用权、矿业权 — the transfer contract (出让合同) the winner signs with the transferor; 国有产权 —
the property transaction contract (产权交易合同). The platform does not draft or sign it: the
service center records it (number, price, date), the record is published as a contract notice
(合同公告, the seed's 依法公开……成交信息、履约信息), the lot moves to its ``contract`` stage, and
supervisors are warned once when a signed confirmation has no contract by its deadline.

A services module beside ``settlement.py`` (every write atomic and audited); the tick calls
``contracts_overdue``. Lot statuses move only through ``settlement.move_lot``; notices through
``trading.services.notice_publish``; warnings through ``supervision.services``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from ggzy.auctions import services as auction_services
from ggzy.auctions import settlement
from ggzy.auctions.models import Auction, Confirmation, ConfirmationStatus, Contract
from ggzy.audit import services as audit
from ggzy.core import calendar, clock
from ggzy.core.errors import Conflict, InvalidInput
from ggzy.core.money import yuan
from ggzy.core.permissions import SYSTEM, require
from ggzy.core.selectors import parse_date
from ggzy.supervision import services as supervision
from ggzy.trading import services as trading_services

# The contract's deadline. 国土资源部令第39号（招标拍卖挂牌出让国有建设用地使用权规定）第二十条 asks the
# winner to sign the transfer contract within the time the confirmation sets, and 国资委、财政部令第32号
# has the property transaction contract signed once the transferee is decided; neither is in the
# platform's law library and neither gives a number here. A rule set may carry a period with the code
# ``contract`` (days and kind, from the confirmation's signing); otherwise this default, unconfirmed.
PERIOD_CODE = "contract"
DAYS_DEFAULT = 10
KIND_DEFAULT = calendar.WORKING
BASIS_DEFAULT = (
    "平台默认：成交确认书签订后10个工作日内签订合同（国土资源部令第39号第二十条、国资委财政部令第32号"
    "要求按约定时间签订，未规定天数；部门规章不在平台法规库中）"
)

# by the auction's kind (Auction.kind)
NAMES = {"land": "国有建设用地使用权出让合同", "mining": "矿业权出让合同", "property": "产权交易合同"}


def name_of(a: Auction) -> str:
    return NAMES.get(a.kind, "成交合同")


def deadline(c: Confirmation) -> tuple[dt.datetime, str, bool]:
    """The end of the contract's signing period (24:00 of its last day, 民法典第二百零三条), counted
    from the confirmation's signing; its basis and whether that is confirmed."""
    start = c.signed_at or c.issued_at
    return settlement.period_end(c.auction, start, PERIOD_CODE, DAYS_DEFAULT, KIND_DEFAULT, BASIS_DEFAULT)


def last_day(end: dt.datetime) -> dt.date:
    return (end - dt.timedelta(seconds=1)).astimezone(clock.CHINA).date()


@transaction.atomic
def contract_record(
    *, confirmation: Confirmation, contract_no: str, amount: Any, signed_on: Any, actor: Any
) -> Contract:
    """Record the contract of a signed confirmation (the service center, ``trade.operate``): its
    number, price (the confirmation's price, to the cent) and signing date (from the confirmation's
    signing to today). Publishes the contract notice and moves the lot to its ``contract`` stage.
    Late contracts are recorded and marked late (the deadline is the platform's default unless the
    rule set has a ``contract`` period). Refusals change nothing."""
    c = (
        Confirmation.objects.select_for_update(of=("self",))
        .select_related("auction__lot__project", "registration__entity")
        .get(pk=confirmation.pk)
    )
    a = c.auction
    require(actor, "trade.operate", a.lot.project)
    name = name_of(a)
    if Contract.objects.filter(confirmation=c).exists():
        raise Conflict("auction.contract_exists", f"成交确认书{c.code}的{name}已登记，不能重复登记")
    if c.status != ConfirmationStatus.SIGNED:
        raise Conflict(
            "auction.contract_not_signed",
            f"成交确认书{c.code}{c.get_status_display()}，须竞得人签订成交确认书后才能登记{name}",
        )
    number = (contract_no or "").strip()
    if not number or len(number) > 60:
        raise InvalidInput("auction.contract_no_invalid", "请填写合同编号（不超过60字）", field="contract_no")
    if amount is None or not str(amount).strip():
        raise InvalidInput("auction.contract_amount_required", "请填写合同价款（元）", field="amount")
    value = yuan(amount, field="amount")
    if value != c.price:
        raise InvalidInput(
            "auction.contract_amount",
            f"合同价款（{value:,.2f}元）应与成交价（{c.price:,.2f}元，成交确认书{c.code}）一致",
            field="amount",
            details={"price": str(c.price)},
        )
    signed = parse_date(signed_on, "signed_on")
    confirmed_on = (c.signed_at or c.issued_at).astimezone(clock.CHINA).date()
    today = clock.today()
    if signed < confirmed_on or signed > today:
        raise InvalidInput(
            "auction.contract_date_range",
            f"合同签订日期应在成交确认书签订之日（{confirmed_on.isoformat()}）至今天（{today.isoformat()}）之间",
            field="signed_on",
        )
    end, basis, basis_confirmed = deadline(c)
    due = last_day(end)
    contract = Contract.objects.create(
        confirmation=c, name=name, contract_no=number, amount=value, signed_on=signed, due_on=due,
        basis=basis[:300], basis_confirmed=basis_confirmed, late=signed > due, recorded_at=clock.now(),
        recorded_by_label=auction_services._label(actor)[:200],
    )  # fmt: skip
    notice = trading_services.notice_publish(
        project=a.lot.project,
        lot=a.lot,
        kind="contract",
        data={
            "title": f"{a.title}{name}公告",
            "合同名称": name,
            "contract_no": number,
            "contract_amount": str(value),
            "signed_on": signed.isoformat(),
            "winner": c.registration.entity.name,
            "winning_price": str(c.price),
            "成交确认书编号": c.code,
            "合同签订期限": f"{calendar.cn_date(due)}（{basis}{'' if basis_confirmed else '，未核实'}）",
            **({"备注": "逾期签订"} if contract.late else {}),
        },
        actor=actor,
    )
    contract.notice_number = notice.number
    contract.save(update_fields=["notice_number"])
    status = settlement.move_lot(a, "contract", actor, reason=f"签订{name}（{number}）")
    audit.record(
        actor=actor,
        action="auction.contract_record",
        object_type="auctions.contract",
        object_id=contract.pk,  # the number is the parties' own text: not unique across lots
        summary={"auction": a.pk, "confirmation": c.code, "name": name, "contract_no": number, "amount": str(value),
                 "signed_on": signed.isoformat(), "due_on": due.isoformat(), "late": contract.late,
                 "notice": notice.number, "lot_status": status},
        project_ref=a.lot.project.code,
        entity_ref=c.registration.entity.uscc,
    )  # fmt: skip
    return contract


def contracts_overdue(now: dt.datetime | None = None) -> int:
    """Tick hook: one supervision warning for every signed confirmation whose contract was not
    recorded by its deadline (raised once: a conditional update decides which run does it).
    Returns how many were raised. Idempotent and safe to run concurrently."""
    now = min(now or clock.now(), clock.now())
    # a deadline is at least one day after the signing: only those can be due
    candidates = Confirmation.objects.filter(
        status=ConfirmationStatus.SIGNED,
        contract__isnull=True,
        contract_warned_at__isnull=True,
        signed_at__lte=now - dt.timedelta(days=1),
    ).select_related("auction__lot__project", "registration__entity")
    raised = 0
    for c in list(candidates.order_by("signed_at", "id")[:500]):
        end, basis, basis_confirmed = deadline(c)
        if now < end:
            continue
        with transaction.atomic():
            if not Confirmation.objects.filter(
                pk=c.pk, contract_warned_at__isnull=True, contract__isnull=True
            ).update(contract_warned_at=now):
                continue
            _warn(c, end, basis, basis_confirmed, now)
            raised += 1
    return raised


def _warn(c: Confirmation, end: dt.datetime, basis: str, basis_confirmed: bool, now: dt.datetime) -> None:
    a = c.auction
    lot = a.lot
    name = name_of(a)
    due = last_day(end)
    signed = (c.signed_at or c.issued_at).astimezone(clock.CHINA).date()
    w = supervision.warning_raise(
        kind="other",
        region_code=lot.region_code,
        category=lot.category,
        message=(
            f"标的{lot.code}（{a.title}）的成交确认书{c.code}已于{calendar.cn_date(signed)}签订，"
            f"至{calendar.cn_date(due)}期限届满仍未登记{name}（{basis}{'' if basis_confirmed else '，未核实'}）"
        ),
        project_ref=lot.project.code,
        lot_ref=lot.code,
        entity_uscc=c.registration.entity.uscc,
        details={"confirmation": c.code, "due_on": due.isoformat(), "price": str(c.price)},
    )
    audit.record(
        actor=SYSTEM,
        action="auction.contract_overdue",
        object_type="auctions.confirmation",
        object_id=c.code,
        summary={"auction": a.pk, "due_on": due.isoformat(), "warning": w.pk, "at": now.isoformat()},
        project_ref=lot.project.code,
        entity_ref=c.registration.entity.uscc,
    )
