"""Services of an auction's result (docs/auctions.md "Results"): the transaction confirmation
(成交确认书) signed by the platform, the deposits (refunds of the others, the winner's applied to
the price, a defaulter's forfeited), the winner's signing deadline and the lot's status.

A services module like ``services.py`` (every write atomic and audited), kept apart from the bid
path: ``services._after_close`` calls ``result_notice_fields`` and ``on_close`` when an auction
closes; the tick calls ``signing_overdue_check``. Deposits are handled only through the deposits
app's services and selectors; lot statuses only through ``trading.services.lot_transition``.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from ggzy.auctions import confirmpdf, engine
from ggzy.auctions import services as auction_services
from ggzy.auctions.models import (
    Auction,
    Bid,
    Confirmation,
    ConfirmationStatus,
    Phase,
    Registration,
    Result,
)
from ggzy.audit import services as audit
from ggzy.audit.models import AuditEvent
from ggzy.core import calendar, clock
from ggzy.core.errors import Conflict, DomainError, PermissionDenied
from ggzy.core.permissions import SYSTEM, allowed, require
from ggzy.core.selectors import holiday_table
from ggzy.crypto import platform
from ggzy.crypto.sm import sm3_hex
from ggzy.deposits import selectors as deposits
from ggzy.deposits import services as deposit_services
from ggzy.entities import selectors as entities
from ggzy.trading import lifecycle
from ggzy.trading import selectors as trading
from ggzy.trading import services as trading_services

log = logging.getLogger(__name__)

# The winner's signing deadline. 拍卖法第五十二条 says the buyer and the auctioneer sign a
# confirmation after the sale, but gives no period; the land and mining rules (国土资源部令第39号
# etc.) are not in the platform's law library. A rule set may carry a period with the code
# ``confirmation`` (days and kind); otherwise this default applies, marked unconfirmed.
SIGN_PERIOD_CODE = "confirmation"
SIGN_DAYS_DEFAULT = 3
SIGN_KIND_DEFAULT = calendar.WORKING
SIGN_BASIS_DEFAULT = "平台默认：竞价结束后3个工作日内签订（《拍卖法》第五十二条未规定期限；部门规章未核实）"


@dataclass(frozen=True)
class DefaultPolicy:
    """What follows when a winner does not sign in time (the deposit is forfeited in every case)."""

    action: str  # "relist" (再行挂牌/拍卖) | "next_bidder" (由出价次高的竞买人递补)
    label: str
    basis: str
    confirmed: bool


RELIST = DefaultPolicy(
    "relist",
    "标的重新挂牌（再行拍卖）",
    "《拍卖法》第三十九条（再行拍卖；适用于土地、矿业权出让未核实）",
    False,
)
NEXT_BIDDER = DefaultPolicy(
    "next_bidder",
    "由出价次高的竞买人（意向受让方）递补",
    "《企业国有资产交易监督管理办法》（国资委、财政部令第32号，未核实）",
    False,
)
# by the auction's kind; unconfirmed (the sources are not in the law library)
DEFAULT_POLICY = {"land": RELIST, "mining": RELIST, "property": NEXT_BIDDER}


def policy_of(a: Auction) -> DefaultPolicy:
    return DEFAULT_POLICY.get(a.kind, RELIST)


def verify_url(code: str) -> str:
    base = getattr(settings, "GGZY_PUBLIC_URL", "") or getattr(settings, "GGZY_PUBLIC_BASE_URL", "") or ""
    return f"{base.rstrip('/')}/auctions/confirmations/{code}/verify/"


def sign_deadline(a: Auction, start: dt.datetime) -> tuple[dt.datetime, str, bool]:
    """The end of the signing period (24:00 of its last day, 民法典第二百零三条), its basis, and
    whether the basis is confirmed."""
    return period_end(a, start, SIGN_PERIOD_CODE, SIGN_DAYS_DEFAULT, SIGN_KIND_DEFAULT, SIGN_BASIS_DEFAULT)


def period_end(
    a: Auction, start: dt.datetime, code: str, days: int, kind: str, basis: str
) -> tuple[dt.datetime, str, bool]:
    """The end (24:00 of the last day) of the period ``code`` of the auction's rule set counted from
    ``start``, its basis and whether that is confirmed; without such a period, the given default
    (``days`` of ``kind``, ``basis``), unconfirmed."""
    confirmed = False
    try:
        for p in trading.ruleset_of(a.lot.project).periods:
            if p.code == code:
                days, kind, basis, confirmed = p.days, p.kind, p.basis.label(), p.basis.confirmed
    except DomainError:  # the rule set cannot be read: the default
        pass
    day = start.astimezone(clock.CHINA).date()
    last = calendar.add(day, days, holiday_table(), kind=kind).end
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=clock.CHINA)
    return end, basis, confirmed


def confirmation_code(a: Auction, n: int = 1) -> str:
    return f"CJ{a.lot.code}-{a.attempt}" + (f"-{n}" if n > 1 else "")


def _local(t: dt.datetime) -> str:
    t = t.astimezone(clock.CHINA)
    return f"{calendar.cn_date(t.date())} {t:%H:%M:%S}"


def _due_text(end: dt.datetime) -> str:
    return f"{calendar.cn_date((end - dt.timedelta(seconds=1)).astimezone(clock.CHINA).date())}24时"


def _sold(a: Auction) -> bool:
    return a.result in (Result.SOLD, Result.NEGOTIATED) and a.leader_id is not None


def _first_confirmation(a: Auction) -> Confirmation | None:
    return Confirmation.objects.filter(auction=a).order_by("issued_at", "id").first()


def result_notice_fields(a: Auction) -> dict[str, Any]:
    """Extra fields of the transaction result notice (called before it is published, after the
    settlement): the confirmation's number and verification link and the signing deadline it
    actually has (from the close, or from a retry); the reason of a failure."""
    if _sold(a):
        c = _first_confirmation(a)
        if c is None:  # not settled: the notice waits for the retry (result_notice_publish)
            return {}
        return {
            "成交确认书编号": c.code,
            "成交确认书验证": verify_url(c.code),
            "成交确认书签订期限": _due_text(c.sign_due_at)
            + ("" if c.sign_basis_confirmed else "（期限依据未核实）"),
        }
    reason = {
        Result.NO_BIDS: "无竞买人报价，本次交易流拍（终止）",
        Result.RESERVE_NOT_MET: "最高报价未达到保留价，本次交易流拍（终止）",
    }.get(a.result, "")
    return {"流拍原因": reason} if reason else {}


def published_result_notice(a: Auction) -> str:
    """The number of this attempt's result notice: the one the close or a retry published, or one
    the operator published by hand for the lot since the close; "" when there is none."""
    if a.result_notice:
        return a.result_notice
    if a.closed_at is None:
        return ""
    for n in trading.lot_notices(a.lot, ["transaction_result"]):
        if n.published_at >= a.closed_at:
            return n.number
    return ""


def result_notice_publish(a: Auction, actor: Any) -> str:
    """Publish the attempt's transaction result notice (成交结果公告) unless one exists; a sale's
    only once its confirmation is issued (the notice states its number and signing deadline).
    Returns the notice's number ("" when deferred); a refusal (e.g. the fair-competition gate)
    raises ``DomainError``. The caller holds the auction's lock and saves ``result_notice``."""
    found = published_result_notice(a)
    if found:
        return found
    if _sold(a) and _first_confirmation(a) is None:
        return ""
    notice = trading_services.notice_publish(
        project=a.lot.project,
        lot=a.lot,
        kind="transaction_result",
        data=auction_services.result_notice_data(a),
        actor=actor,
    )
    a.result_notice = notice.number
    return notice.number


# --- the close hook ---------------------------------------------------------------------------------
def on_close(a: Auction) -> None:
    """Called by ``services._after_close`` in the closing transaction (the auction row is locked).
    A refusal here is logged and leaves the close itself recorded (a savepoint), as the notice does."""
    try:
        with transaction.atomic():
            _settle(a)
    except (DomainError, ImproperlyConfigured) as e:  # a missing platform key too: retry later
        log.warning("auction %s: result not settled: %s", a.pk, e)


def settled_at(a: Auction) -> dt.datetime | None:
    """When the auction's result was settled (its audit event ``auction.settle``), or None."""
    ev = (
        AuditEvent.objects.filter(
            action="auction.settle", object_type="auctions.auction", object_id=str(a.pk)
        )
        .order_by("seq")
        .first()
    )
    return ev.at if ev is not None else None


def needs_retry(a: Auction) -> bool:
    """A closed auction whose settlement or result notice is still missing (the console offers
    ``settlement_retry``)."""
    return a.phase == Phase.CLOSED and (settled_at(a) is None or not published_result_notice(a))


@transaction.atomic
def settlement_retry(*, auction: Auction, actor: Any) -> Auction:
    """The operator settles again a closed auction whose settlement or result notice was refused
    at the close (logged only): the confirmation, the refunds, the lot's status, as ``on_close``
    would have, then the result notice if none was published (never a second one), stating the
    confirmation's actual signing deadline. Idempotent: an auction settled with its notice is
    refused with ``auction.already_settled`` and nothing changes; a refusal again is
    ``auction.settle_refused`` with its cause, and nothing is written. The winner's signing
    deadline runs from the retry (the confirmation is issued only now); refunds still run from the
    close. Audited as ``auction.settle`` with ``retry: true`` (a notice only: ``auction.result_notice``)."""
    a = auction_services._lock(auction)
    require(actor, "trade.operate", a.lot.project)
    if a.phase != Phase.CLOSED:
        raise Conflict("auction.not_closed", "竞价尚未结束，没有需要办理的结果")
    done, notice = settled_at(a), published_result_notice(a)
    if done is not None and notice:
        raise Conflict(
            "auction.already_settled",
            f"第{a.attempt}次挂牌的竞价结果已于{_local(done)}办结（成交确认书、保证金、标段状态，"
            f"结果公告{notice}），无需重试，未作任何变更",
            details={"settled_at": done.isoformat(), "notice": notice},
        )
    if a.leader_id is not None:
        a.leader = Registration.objects.select_related("entity").get(pk=a.leader_id)
    try:
        with transaction.atomic():
            if done is None:
                _settle(a, actor, retry=True)
            if not notice:
                notice = result_notice_publish(a, actor)
                if done is not None:  # settled at the close: the notice alone
                    audit.record(
                        actor=actor,
                        action="auction.result_notice",
                        object_type="auctions.auction",
                        object_id=a.pk,
                        summary={"notice": notice, "retry": True},
                        project_ref=a.lot.project.code,
                        entity_ref=a.lot.project.tenderer_uscc,
                    )
                a.save(update_fields=["result_notice"])
    except DomainError as e:
        raise Conflict(
            "auction.settle_refused", f"竞价结果仍不能办结：{e.message}", details={"cause": e.code}
        ) from e
    except ImproperlyConfigured as e:
        raise Conflict(
            "auction.settle_refused",
            "竞价结果仍不能办结：平台签名密钥不可用，成交确认书无法签发，请联系系统管理员",
            details={"cause": "platform.signing_key"},
        ) from e
    return a


# the timeline events at which an auction's bidding (or listing) starts, by rule set
START_EVENTS = ("auction_start", "listing_start")


def on_open(a: Auction) -> None:
    """Called by ``services`` when an auction opens (its transaction, the row locked): the lot walks
    forward to the stage its bidding or listing runs in (``auction``, ``listing`` …), so its status
    follows the attempt. A refusal (a stage not yet due by the lot's timeline) is logged."""
    table = trading.table_of(a.lot.project)
    target = next((st for st in table.statuses if table.events.get(st) in START_EVENTS), None)
    if target is not None:
        move_lot(a, target, SYSTEM)


def _settle(a: Auction, actor: Any = SYSTEM, retry: bool = False) -> None:
    lot = a.lot
    regs = list(Registration.objects.filter(auction=a).select_related("entity"))
    winner = a.leader if _sold(a) else None
    policy = policy_of(a)
    held = _runner_up(a, winner) if winner is not None and policy.action == "next_bidder" else None
    start = clock.now() if retry else None  # a confirmation issued late: its deadline runs from now
    confirmation = _issue(a, winner, a.final_price, a.premium_rate, 1, start=start) if winner else None
    due_from = a.closed_at or clock.now()
    refunds = {}
    for r in regs:
        if (winner is not None and r.pk == winner.pk) or (held is not None and r.pk == held.registration_id):
            continue
        refunds[r.number or f"报名{r.pk}"] = _refund(a, r, due_from, actor)
    lot_status = move_lot(a, "result" if winner is not None else lifecycle.FAILED, actor)
    audit.record(
        actor=actor,
        action="auction.settle",
        object_type="auctions.auction",
        object_id=a.pk,
        summary={
            "result": a.result,
            "confirmation": confirmation.code if confirmation else None,
            "sign_due_at": confirmation.sign_due_at.isoformat() if confirmation else None,
            "refunds": refunds,
            "held_for_next_bidder": held.registration.number if held else None,
            "lot_status": lot_status,
            **({"retry": True} if retry else {}),
        },
        project_ref=lot.project.code,
        entity_ref=lot.project.tenderer_uscc,
    )


def _runner_up(a: Auction, winner: Registration) -> Bid | None:
    """The next-highest bidder's best bid (at or above the reserve)."""
    q = Bid.objects.filter(auction=a).exclude(registration=winner).select_related("registration__entity")
    best = q.order_by("-amount", "-quantity", "seq").first()
    if best is None or (a.reserve_price is not None and best.amount < a.reserve_price):
        return None
    return best


# A deposit the deposits app has already settled (refund scheduled or made, applied, forfeited).
# Deposits are kept per lot, bidder and attempt (the auction's ``attempt``; a relisting starts the
# next one in the deposits app, ``relist_lot``): an earlier attempt's deposit is never this one's.
SETTLED = ("refund_due", "refunded", "applied", "forfeited")


def _on_platform(a: Auction, uscc: str) -> bool:
    """Whether the bidder's deposit for this attempt is cash paid into its sub-account (otherwise
    it was confirmed by hand, with a reference, and is handled outside the platform)."""
    return deposits.deposit_status(a.lot, uscc, attempt=a.attempt).paid_amount > 0


def _refund(a: Auction, r: Registration, due_from: dt.datetime, actor: Any) -> str:
    """Schedule a bidder's refund through the deposits app; a deposit confirmed by hand (not paid
    into the platform's sub-account) is refunded outside the platform: say so."""
    if not _on_platform(a, r.entity.uscc):
        return "offline" if r.deposit_confirmed_at is not None else "no_deposit"
    try:
        with transaction.atomic():
            deposit_services.deposit_refund_due(
                lot=a.lot,
                uscc=r.entity.uscc,
                reason="auction_ended",
                due_from=due_from,
                actor=actor,
                attempt=a.attempt,
            )
        return "refund_due"
    except DomainError as e:
        if e.code == "deposit.refund_scheduled":
            return "refund_due"
        if e.code == "deposit.nothing_to_refund":
            return "offline"  # confirmed by reference (e.g. paid at the counter): refunded outside
        raise


def move_lot(a: Auction, target: str, actor: Any, reason: str = "") -> str:
    """Walk the lot forward through its transition table to ``target`` (the result or contract
    stage, or ``failed`` from the first stage that allows it), one ``lot_transition`` per move.
    Returns the status reached; a lot that cannot move (terminal, or a stage not yet due) is left
    and logged."""
    lot = trading.lot_get(a.lot.code)
    table = trading.table_of(lot.project)
    reason = reason or {
        "result": f"竞价结束：{a.get_result_display()}",
        lifecycle.FAILED: f"{a.get_result_display()}（第{a.attempt}次挂牌）",
    }.get(target, f"竞价开始（第{a.attempt}次挂牌）")
    if target not in table.labels:
        return lot.status
    order = table.statuses
    if (
        target not in lifecycle.FIXED_LABELS
        and lot.status in order
        and order.index(lot.status) >= order.index(target)
    ):
        return lot.status  # already there or beyond (e.g. the tick entered a later stage)
    try:
        with transaction.atomic():
            for _ in range(len(table.statuses)):
                if lot.status == target or table.is_terminal(lot.status):
                    break
                if table.allows(lot.status, target):
                    step = target
                else:
                    ahead = [
                        s
                        for s in table.next_statuses(lot.status)
                        if s not in (lifecycle.TERMINATED, lifecycle.FAILED)
                    ]
                    if not ahead:
                        break
                    step = ahead[0]
                lot = trading_services.lot_transition(lot=lot, to=step, reason=reason, actor=actor)
    except DomainError as e:
        log.warning("auction %s: lot %s not moved to %s: %s", a.pk, lot.code, target, e)
        lot = trading.lot_get(a.lot.code)
    return lot.status


# --- the confirmation -------------------------------------------------------------------------------
def _issue(a: Auction, r: Registration, price: Decimal, premium: Decimal, n: int,
           start: dt.datetime | None = None) -> Confirmation:  # fmt: skip
    code = confirmation_code(a, n)
    start = start or a.closed_at or clock.now()
    end, basis, confirmed = sign_deadline(a, start)
    policy = policy_of(a) if n == 1 else RELIST
    project = a.lot.project
    quantity = ""
    if a.price_cap is not None and price == a.price_cap and a.quantity is not None and n == 1:
        quantity = f"{a.quantity_label or '第二报价指标'}：{a.quantity}"
    doc = confirmpdf.TransactionConfirmation(
        code=code,
        title=a.title,
        kind=a.get_kind_display(),
        mode=a.get_mode_display(),
        project_code=project.code,
        lot_code=a.lot.code,
        attempt=a.attempt,
        transferor=_name(project.tenderer_uscc),
        winner=r.entity.name,
        winner_uscc=r.entity.uscc,
        number=r.number,
        starting_price=f"{a.starting_price:,.2f}",
        price=f"{price:,.2f}",
        premium_rate=str(premium),
        quantity=quantity,
        deposit=f"{a.deposit:,.2f}",
        closed_at=_local(a.closed_at or start),
        sign_due=_due_text(end),
        sign_basis=basis + ("" if confirmed else "，未核实"),
        on_default=policy.label,
        verify_url=verify_url(code),
        key_fingerprint=platform.fingerprint(),
    )
    pdf = confirmpdf.render(doc)
    c = Confirmation.objects.create(
        auction=a, registration=r, code=code, price=price, premium_rate=premium, issued_at=clock.now(),
        sign_due_at=end, sign_basis=basis[:300], sign_basis_confirmed=confirmed, on_default=policy.action,
        pdf=pdf, pdf_sm3=sm3_hex(pdf), signature=base64.b64encode(platform.sign(pdf)).decode(),
        key_fingerprint=platform.fingerprint(),
    )  # fmt: skip
    audit.record(
        actor=SYSTEM,
        action="auction.confirmation_issue",
        object_type="auctions.confirmation",
        object_id=code,
        summary={"auction": a.pk, "number": r.number, "price": str(price), "premium_rate": str(premium),
                 "pdf_sm3": c.pdf_sm3, "sign_due_at": end.isoformat(), "basis": basis},
        project_ref=project.code,
        entity_ref=r.entity.uscc,
    )  # fmt: skip
    return c


def _name(uscc: str) -> str:
    try:
        return entities.entity_get(uscc).name
    except DomainError:
        return uscc


def _winner_or_operator(actor: Any, c: Confirmation) -> None:
    if allowed(actor, "trade.operate", c.auction.lot.project):
        return
    m = getattr(actor, "membership", None) if getattr(actor, "is_authenticated", False) else None
    if m is None or not m.active or m.entity_id != c.registration.entity_id:
        raise PermissionDenied("auction.not_winner", "只有竞得人（或交易服务中心代为登记）可以签订成交确认书")


@transaction.atomic
def confirmation_sign(*, confirmation: Confirmation, actor: Any) -> Confirmation:
    """The winner signs the confirmation (its own account, or the service center records a signing
    at the counter) before the deadline: its deposit is applied to the price; a deposit held for the
    next bidder is refunded."""
    c = (
        Confirmation.objects.select_for_update(of=("self",))
        .select_related("auction__lot__project", "registration__entity")
        .get(pk=confirmation.pk)
    )
    _winner_or_operator(actor, c)
    if c.status != ConfirmationStatus.ISSUED:
        raise Conflict(
            "auction.confirmation_closed", f"成交确认书{c.code}已{c.get_status_display()}，不能签订"
        )
    now = clock.now()
    if now >= c.sign_due_at:
        raise Conflict(
            "auction.sign_overdue",
            f"签订期限（{_due_text(c.sign_due_at)}）已过，不能签订；保证金不予退还",
        )
    a = c.auction
    c.status, c.signed_at, c.signed_by_label = (
        ConfirmationStatus.SIGNED,
        now,
        auction_services._label(actor)[:200],
    )
    deposit = _apply(a, c, actor)
    c.outcome_note = {
        "applied": "竞买保证金已抵作成交价款",
        "offline": "竞买保证金线下确认，须线下抵作价款",
    }.get(deposit, "")
    c.save(update_fields=["status", "signed_at", "signed_by_label", "outcome_note"])
    released = []
    if c.on_default == "next_bidder":  # the deposit held for the next bidder is no longer needed
        for r in (
            Registration.objects.filter(auction=a).exclude(pk=c.registration_id).select_related("entity")
        ):
            if deposits.deposit_status(a.lot, r.entity.uscc, attempt=a.attempt).state in (
                "paid",
                "guaranteed",
            ):
                released.append({r.number: _refund(a, r, now, SYSTEM)})
    audit.record(
        actor=actor,
        action="auction.confirmation_sign",
        object_type="auctions.confirmation",
        object_id=c.code,
        summary={"auction": a.pk, "number": c.registration.number, "price": str(c.price), "deposit": deposit,
                 "released": released},
        project_ref=a.lot.project.code,
        entity_ref=c.registration.entity.uscc,
    )  # fmt: skip
    return c


def _apply(a: Auction, c: Confirmation, actor: Any) -> str:
    uscc = c.registration.entity.uscc
    if not _on_platform(a, uscc):
        return "offline"
    deposit_services.deposit_apply_to_price(
        lot=a.lot, uscc=uscc, price=c.price, reference=c.code, actor=SYSTEM, attempt=a.attempt
    )
    return "applied"


def signing_overdue_check(now: dt.datetime | None = None) -> int:
    """Tick hook: every confirmation not signed by its deadline is marked defaulted (once: a
    conditional update decides which run does it), the winner's deposit is forfeited, and the
    policy follows: the next-highest bidder gets a confirmation, or the lot is to be listed again.
    Returns how many defaulted. Idempotent and safe to run concurrently."""
    now = min(now or clock.now(), clock.now())
    due = Confirmation.objects.filter(status=ConfirmationStatus.ISSUED, sign_due_at__lte=now)
    n = 0
    for pk in list(due.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            if not Confirmation.objects.filter(pk=pk, status=ConfirmationStatus.ISSUED).update(
                status=ConfirmationStatus.DEFAULTED, defaulted_at=now
            ):
                continue
            _default(
                Confirmation.objects.select_related("auction__lot__project", "registration__entity").get(
                    pk=pk
                ),
                now,
            )
            n += 1
    return n


def _default(c: Confirmation, now: dt.datetime) -> None:
    a = auction_services._lock(c.auction)
    uscc = c.registration.entity.uscc
    reason = f"竞得人未在期限（{_due_text(c.sign_due_at)}）内签订成交确认书{c.code}"
    forfeited = "offline"
    if _on_platform(a, uscc):
        deposit_services.deposit_forfeit(lot=a.lot, uscc=uscc, reason=reason, basis=c.sign_basis,
                                         reference=c.code, actor=SYSTEM, attempt=a.attempt)  # fmt: skip
        forfeited = "forfeited"
    follow = None
    if c.on_default == "next_bidder":
        nxt = _runner_up(a, c.registration)
        if (
            nxt is not None
            and not Confirmation.objects.filter(auction=a, registration=nxt.registration).exists()
        ):
            premium = engine.premium_rate(nxt.amount, a.starting_price)
            n = Confirmation.objects.filter(auction=a).count() + 1
            follow = _issue(a, nxt.registration, nxt.amount, premium, n, start=now)
    c.outcome_note = (
        f"由出价次高的竞买人（竞买号{follow.registration.number}）递补，成交确认书{follow.code}"
        if follow
        else "须重新挂牌（再行拍卖）：交易服务中心办理重新挂牌"
    )[:300]
    c.save(update_fields=["outcome_note"])
    audit.record(
        actor=SYSTEM,
        action="auction.confirmation_default",
        object_type="auctions.confirmation",
        object_id=c.code,
        summary={"auction": a.pk, "number": c.registration.number, "deposit": forfeited,
                 "follow": follow.code if follow else None, "policy": c.on_default,
                 "defaulted_at": now.isoformat()},
        project_ref=a.lot.project.code,
        entity_ref=uscc,
    )  # fmt: skip


# --- operator helpers over the auction services -----------------------------------------------------
@transaction.atomic
def auction_setup(*, lot: Any, data: Mapping[str, Any], actor: Any) -> Auction:
    """Create an auction for a lot and set its bidding deposit (竞买保证金) as the lot's deposit
    requirement in the deposits app (bidders then pay into their sub-accounts)."""
    a = auction_services.auction_create(lot=lot, data=data, actor=actor)
    deposit_services.deposit_requirement_set(lot=lot, amount=a.deposit, actor=actor)
    return a


@transaction.atomic
def deposit_check(*, registration: Registration, actor: Any) -> Registration:
    """Confirm a bidder's deposit from the deposits app (paid in full into its sub-account, or a
    verified guarantee): the same confirmation as by hand, with the sub-account as the reference."""
    r = Registration.objects.select_related("auction__lot__project", "entity").get(pk=registration.pk)
    require(actor, "trade.operate", r.auction.lot.project)
    st = deposits.deposit_status(r.auction.lot, r.entity.uscc, attempt=r.auction.attempt)
    if not st.required:
        raise Conflict("auction.deposit_not_required", "本标的未在保证金系统设定竞买保证金，请按到账凭证确认")
    if st.state in SETTLED:  # this attempt's deposit is already refunded, applied or forfeited
        raise Conflict(
            "auction.deposit_settled",
            f"该单位第{r.auction.attempt}次挂牌的保证金{st.state_label}，不能确认到账",
        )
    if not st.satisfied:
        raise Conflict("auction.deposit_unpaid", f"保证金{st.state_label}，不能确认到账")
    ref = f"{'子账户' if st.method == 'cash' else '电子保函'}{st.sub_account}"[:64]
    return auction_services.deposit_confirm(registration=r, reference=ref, actor=actor)


@transaction.atomic
def auction_relist_after_default(*, auction: Auction, data: Mapping[str, Any], actor: Any) -> Auction:
    """List the lot again after a winner defaulted (再行拍卖): a new attempt, like a relisting after
    a failed one (``services.auction_relist``)."""
    a = auction_services._lock(auction)
    require(actor, "trade.operate", a.lot.project)
    c = Confirmation.objects.filter(auction=a).order_by("-issued_at", "-id").first()
    if c is None or c.status != ConfirmationStatus.DEFAULTED or c.on_default != "relist":
        raise Conflict(
            "auction.not_defaulted", "只有竞得人逾期未签订成交确认书、须重新挂牌的标的才能重新挂牌"
        )
    if Auction.objects.filter(lot=a.lot, attempt__gt=a.attempt).exists():
        raise Conflict("auction.relisted", "该标的已经重新挂牌")
    base = {**auction_services.relist_terms(a), "starting_price": a.starting_price}
    base.update(data)
    new = auction_services.auction_create(lot=a.lot, data=base, actor=actor)
    relist_lot(previous=a, auction=new, reason=f"竞得人逾期未签订成交确认书{c.code}，再行拍卖", actor=actor)
    return new


def relistable(a: Auction) -> bool:
    """Whether the operator may list this attempt again (流拍, or a default under the relist
    policy) and has not yet done so: what the console offers (the services check it again)."""
    if a.phase != Phase.CLOSED or Auction.objects.filter(lot_id=a.lot_id, attempt__gt=a.attempt).exists():
        return False
    if a.result in (Result.NO_BIDS, Result.RESERVE_NOT_MET):
        return True
    c = Confirmation.objects.filter(auction=a).order_by("-issued_at", "-id").first()
    return c is not None and c.status == ConfirmationStatus.DEFAULTED and c.on_default == "relist"


def relist_lot(*, previous: Auction, auction: Auction, reason: str, actor: Any) -> str:
    """The lot of a relisted auction goes back into its procedure for the new attempt: from
    ``failed`` (流拍) or the result stage (a default) to the first stage through
    ``trading.services.lot_relist``, with the new attempt's start (and listing end) as the lot's
    timeline events; the deposits app starts the new attempt (``deposit_attempt_start``: the new
    attempt's deposit, new sub-accounts). Deposits of the previous attempt stay as they are
    (refunds scheduled with their deadlines, a defaulter's forfeited; their sub-accounts closed). A terminated lot
    is refused; a lot still within its procedure (never moved on) is left where it is. Called by the
    relisting services in their transaction. Returns the lot's status."""
    lot = trading.lot_get(auction.lot.code)
    table = trading.table_of(lot.project)
    if lot.status == lifecycle.TERMINATED:
        raise Conflict("auction.lot_terminated", "标的已终止交易，不能重新挂牌")
    if table.relist_to(lot.status) is not None:
        first = table.statuses[1]  # the first stage (after draft): the new notice, from now
        events: dict[str, dt.datetime] = {}
        if table.events.get(first):
            events[table.events[first]] = clock.now()
        known = {e for e in table.events.values() if e}
        for event in START_EVENTS:
            if event in known:
                events[event] = auction.starts_at
        if "listing_end" in known and auction.listing_ends_at is not None:
            events["listing_end"] = auction.listing_ends_at
        text = f"第{auction.attempt}次挂牌（前次：{previous.get_result_display()}）：{reason}"
        lot = trading_services.lot_relist(lot=lot, events=events, reason=text[:200], actor=actor)
    req = deposits.requirement_of(lot)
    if req is not None and req.attempt < auction.attempt:  # new sub-accounts for the new attempt
        deposit_services.deposit_attempt_start(
            lot=lot, attempt=auction.attempt, amount=auction.deposit, actor=actor
        )
    elif req is not None and req.amount != auction.deposit:
        deposit_services.deposit_requirement_set(lot=lot, amount=auction.deposit, actor=actor)
    auction.lot = lot  # the caller's auction carries the lot as it is now
    return lot.status


def auction_advance(*, auction: Auction, actor: Any) -> Auction:
    """The operator's 开始/结束: an auction starts and ends by the server clock as its rules say
    (never early); this brings it up to the clock now, or says that nothing is due."""
    a = Auction.objects.select_related("lot__project").get(pk=auction.pk)
    require(actor, "trade.operate", a.lot.project)
    before = a.version
    a = auction_services.auction_refresh(auction=a)
    if a.version == before:
        raise Conflict(
            "auction.not_due",
            "未到开始时间或本阶段截止时间：竞价按规则由服务器时间开始和结束，不能提前开始或结束",
        )
    return a


def auction_list_again(*, auction: Auction, data: Mapping[str, Any], actor: Any) -> Auction:
    """重新挂牌: after a failed auction (流拍) or a winner's default, whichever applies."""
    if auction.result in (Result.NO_BIDS, Result.RESERVE_NOT_MET):
        require(actor, "trade.operate", auction.lot.project)
        return auction_services.auction_relist(auction=auction, data=data, actor=actor)
    return auction_relist_after_default(auction=auction, data=data, actor=actor)
