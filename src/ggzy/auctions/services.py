"""Every write of the auctions app: auctions, registrations, deposits, bids, closing (docs/auctions.md).

Each service is atomic and writes one audit event; broadcasts to the live hall go out with
``transaction.on_commit`` (a rolled-back bid is never announced).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from ggzy.auctions import engine, hall
from ggzy.auctions.models import Auction, Bid, Kind, Mode, Phase, Registration, RegStatus, Result
from ggzy.audit import services as audit
from ggzy.core import clock
from ggzy.core.durability import durable
from ggzy.core.errors import Conflict, DomainError, FieldError, InvalidInput, PermissionDenied, invalid
from ggzy.core.money import yuan
from ggzy.core.permissions import SYSTEM, allowed, require

log = logging.getLogger(__name__)

# rule set code -> the default mode (the rule sets say "ends in auction"; the way it ends is ours)
DEFAULT_MODE = {
    "land.auction": Mode.TIMED,
    "land.listing": Mode.LISTING,
    "mining.auction": Mode.TIMED,
    "mining.listing": Mode.LISTING,
    "property.listed_transfer": Mode.ENGLISH,
}
MIN_PERIOD = 5  # seconds: an accelerated countdown never drops below this


def _label(actor: Any) -> str:
    return actor.audit_label() if hasattr(actor, "audit_label") else str(actor)


def config_of(a: Auction) -> engine.Config:
    return engine.Config(
        mode=a.mode,
        starting_price=a.starting_price,
        increment=a.increment,
        reserve_price=a.reserve_price,
        price_cap=a.price_cap,
        quantity_start=a.quantity_start,
        quantity_increment=a.quantity_increment,
        countdown_seconds=a.countdown_seconds,
        round_seconds=a.round_seconds,
        hard_stop=a.hard_stop_at,
        dutch_step=a.dutch_step,
        dutch_floor=a.dutch_floor,
        dutch_interval_seconds=a.dutch_interval_seconds,
    )


def state_of(a: Auction) -> engine.State:
    return engine.State(
        phase=a.phase,
        price=a.price,
        quantity=a.quantity,
        leader=a.leader.number if a.leader_id else None,
        bids=a.bid_count,
        deadline=a.deadline_at,
        round_no=a.round_no,
        round_raised=a.round_raised,
        started_at=a.opened_at,
    )


def _store_state(a: Auction, s: engine.State) -> list[str]:
    a.phase = s.phase
    a.price = s.price
    a.quantity = s.quantity
    a.bid_count = s.bids
    a.deadline_at = s.deadline
    a.round_no = s.round_no
    a.round_raised = s.round_raised
    a.opened_at = s.started_at
    a.version += 1
    return ["phase", "price", "quantity", "bid_count", "deadline_at", "round_no", "round_raised", "opened_at",
            "version"]  # fmt: skip


def _broadcast(a: Auction, kind: str) -> None:
    """After commit: tell the hall's group (every server process through the channel layer)."""
    pk = a.pk
    transaction.on_commit(lambda: hall.notify(pk, kind))


# --- creating an auction ------------------------------------------------------------------


def _money(data: Mapping[str, Any], key: str, label: str, errors: list[FieldError], required=True):
    value = data.get(key)
    if value in (None, ""):
        if required:
            errors.append(FieldError("auction.required", f"请填写{label}", key))
        return None
    try:
        amount = yuan(value, field=key)
    except DomainError as e:
        errors.append(FieldError(e.code, f"{label}：{e.message}", key))
        return None
    if amount <= 0:
        errors.append(FieldError("auction.not_positive", f"{label}必须大于零", key))
        return None
    return amount


def _time(data: Mapping[str, Any], key: str, label: str, errors: list[FieldError], required=True):
    value = data.get(key)
    if value in (None, ""):
        if required:
            errors.append(FieldError("auction.required", f"请填写{label}", key))
        return None
    if isinstance(value, dt.datetime):
        t = value
    else:
        try:
            t = dt.datetime.fromisoformat(str(value))
        except ValueError:
            errors.append(FieldError("auction.bad_time", f"{label}不是有效的时间", key))
            return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=clock.CHINA)
    return t


def _seconds(data: Mapping[str, Any], key: str, default: int, errors: list[FieldError]) -> int:
    try:
        n = int(data.get(key) or default)
    except (TypeError, ValueError):
        n = 0
    if n <= 0:
        errors.append(FieldError("auction.bad_period", "时长必须是正整数秒", key))
    return n


@transaction.atomic
def auction_create(*, lot: Any, data: Mapping[str, Any], actor: Any) -> Auction:
    """Set up the auction (or listing) of a land, mining or state property lot."""
    project = lot.project
    require(actor, "trade.operate", project)
    if project.category not in Kind.values:
        raise InvalidInput("auction.category", "只有土地使用权、矿业权和国有产权交易采用拍卖挂牌")
    errors: list[FieldError] = []
    mode = data.get("mode") or DEFAULT_MODE.get(project.ruleset_code)
    if mode not in Mode.values:
        errors.append(FieldError("auction.mode", "请选择竞价方式（挂牌、拍卖、网络竞价或降价竞价）", "mode"))
    starting = _money(data, "starting_price", "起始价", errors)
    increment = _money(data, "increment", "增价幅度", errors)
    reserve = _money(data, "reserve_price", "保留价", errors, required=False)
    cap = _money(data, "price_cap", "最高限价", errors, required=False)
    deposit = _money(data, "deposit", "竞买保证金", errors)
    starts = _time(data, "starts_at", "开始时间", errors)
    listing_end = _time(data, "listing_ends_at", "挂牌截止时间", errors, required=mode == Mode.LISTING)
    hard_stop = _time(data, "hard_stop_at", "竞价最迟结束时间", errors, required=False)
    acc = max(1, int(data.get("acceleration") or project.acceleration))
    if acc > 1 and not getattr(settings, "GGZY_PROJECT_ACCELERATION_ALLOWED", False):
        errors.append(
            FieldError("project.acceleration_forbidden", "生产环境不能使用演示加速", "acceleration")
        )
    countdown = _seconds(data, "countdown_seconds", 240, errors)
    round_s = _seconds(data, "round_seconds", 300, errors)
    interval = _seconds(data, "dutch_interval_seconds", 60, errors)
    dutch_step = _money(data, "dutch_step", "每次降价", errors, required=mode == Mode.DUTCH)
    dutch_floor = _money(data, "dutch_floor", "最低价", errors, required=False)
    q_inc = _money(data, "quantity_increment", "第二指标增加幅度", errors, required=False)
    if starting and cap and cap < starting:
        errors.append(FieldError("auction.cap_below_start", "最高限价不得低于起始价", "price_cap"))
    if starting and dutch_floor and dutch_floor > starting:
        errors.append(FieldError("auction.floor_above_start", "最低价不得高于起始价", "dutch_floor"))
    if starts and listing_end and listing_end <= starts:
        errors.append(FieldError("auction.listing_end", "挂牌截止时间必须晚于开始时间", "listing_ends_at"))
    if errors:
        raise invalid(errors, "拍卖挂牌设置")
    attempt = Auction.objects.filter(lot=lot).count() + 1
    a = Auction.objects.create(
        lot=lot,
        attempt=attempt,
        kind=project.category,
        mode=mode,
        title=str(data.get("title") or lot.name),
        starting_price=starting,
        increment=increment,
        reserve_price=reserve,
        price_cap=cap,
        quantity_label=str(data.get("quantity_label") or ("配建面积（平方米）" if cap else "")),
        quantity_start=Decimal(str(data.get("quantity_start") or 0)),
        quantity_increment=q_inc,
        deposit=deposit,
        countdown_seconds=max(MIN_PERIOD, countdown // acc),
        round_seconds=max(MIN_PERIOD, round_s // acc),
        dutch_step=dutch_step,
        dutch_floor=dutch_floor,
        dutch_interval_seconds=max(MIN_PERIOD, interval // acc),
        acceleration=acc,
        starts_at=starts,
        listing_ends_at=listing_end,
        hard_stop_at=hard_stop,
        created_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action="auction.create",
        object_type="auctions.auction",
        object_id=a.pk,
        summary={
            "lot": lot.code,
            "attempt": attempt,
            "mode": mode,
            "starting_price": str(starting),
            "increment": str(increment),
            "reserve_sealed": reserve is not None,  # the reserve itself stays sealed until the end
            "price_cap": str(cap) if cap else None,
            "starts_at": starts.isoformat(),
        },
        project_ref=project.code,
        entity_ref=project.tenderer_uscc,
    )
    return a


def relist_terms(a: Auction) -> dict[str, Any]:
    """The terms a relisting keeps unless the operator changes them (the new attempt's periods are
    given unaccelerated, as to ``auction_create``). Not kept: the starting price of a 流拍 (usually
    lowered, so it must be given), the sealed reserve, the times. A descending auction keeps its
    step, interval and floor (a lower starting price than the floor needs a new floor)."""
    terms: dict[str, Any] = {
        "mode": a.mode,
        "title": a.title,
        "increment": a.increment,
        "deposit": a.deposit,
        "countdown_seconds": a.countdown_seconds * a.acceleration,
        "round_seconds": a.round_seconds * a.acceleration,
        "dutch_interval_seconds": a.dutch_interval_seconds * a.acceleration,
    }
    if a.dutch_step is not None:
        terms["dutch_step"] = a.dutch_step
    if a.dutch_floor is not None:  # the transferor's floor stays unless a new one is given
        terms["dutch_floor"] = a.dutch_floor
    return terms


@transaction.atomic
def auction_relist(*, auction: Auction, data: Mapping[str, Any], actor: Any) -> Auction:
    """After a failed listing: list again (降价后重新披露) with a new (usually lower) starting price."""
    auction = _lock(auction)
    if auction.result not in (Result.NO_BIDS, Result.RESERVE_NOT_MET):
        raise Conflict("auction.not_failed", "只有流拍的标的才能重新挂牌")
    if Auction.objects.filter(lot=auction.lot, attempt__gt=auction.attempt).exists():
        raise Conflict("auction.relisted", "该标的已经重新挂牌")
    base = relist_terms(auction)
    base.update(data)
    new = auction_create(lot=auction.lot, data=base, actor=actor)
    from ggzy.auctions import settlement  # the lot and its deposits follow the new attempt

    settlement.relist_lot(previous=auction, auction=new, reason="流拍后重新挂牌", actor=actor)
    return new


# --- registrations ------------------------------------------------------------------------


def _entity_of(actor: Any):
    m = getattr(actor, "membership", None) if getattr(actor, "is_authenticated", False) else None
    if m is None or not m.active:
        raise PermissionDenied("auction.not_entity", "只有市场主体的账户可以报名竞买")
    return m.entity


def _lock(auction: Auction) -> Auction:
    # Only the auction row is locked (never the lot or project rows joined for reading). The leader
    # is not joined: after waiting for the lock PostgreSQL re-checks the locked row but keeps the
    # joined rows it read before the wait, so a joined leader could be missing or the previous one.
    return Auction.objects.select_for_update(of=("self",)).select_related("lot__project").get(pk=auction.pk)


@transaction.atomic
def registration_apply(*, auction: Auction, actor: Any) -> Registration:
    """A market entity applies to bid (竞买申请 / 意向受让登记)."""
    entity = _entity_of(actor)
    a = _lock(auction)
    if a.phase == Phase.CLOSED or (a.phase not in (Phase.PENDING, Phase.LISTING)):
        raise Conflict("auction.registration_closed", "报名已截止")
    if "transferee" not in (entity.trading_roles or []):
        raise PermissionDenied(
            "auction.not_transferee", "本单位未登记“竞买人/意向受让方”交易角色，不能报名竞买"
        )
    if entity.uscc == a.lot.project.tenderer_uscc:
        raise InvalidInput("auction.own_lot", "出让人（转让方）不得参加自己标的的竞买")
    if Registration.objects.filter(auction=a, entity=entity).exists():
        raise Conflict("auction.already_registered", "已经报名，不能重复报名")
    r = Registration.objects.create(auction=a, entity=entity, created_at=clock.now())
    audit.record(
        actor=actor,
        action="auction.register",
        object_type="auctions.registration",
        object_id=r.pk,
        summary={"auction": a.pk},
        project_ref=a.lot.project.code,
        entity_ref=entity.uscc,
    )
    return r


def _give_number(r: Registration) -> None:
    if r.number or r.status != RegStatus.QUALIFIED or r.deposit_confirmed_at is None:
        return
    taken = set(
        Registration.objects.filter(auction_id=r.auction_id)
        .exclude(number="")
        .values_list("number", flat=True)
    )
    # random, not in order of registration: the number must not tell who registered first
    while True:
        n = f"{secrets.randbelow(900) + 100}"
        if n not in taken:
            r.number = n
            return


@transaction.atomic
def registration_review(
    *, registration: Registration, approve: bool, note: str = "", actor: Any
) -> Registration:
    """Qualification review (资格审查) by the service center."""
    a = _lock(registration.auction)
    require(actor, "trade.operate", a.lot.project)
    r = Registration.objects.select_for_update().get(pk=registration.pk)
    if r.status != RegStatus.APPLIED:
        raise Conflict("auction.already_reviewed", "该报名已经审查")
    if not approve and not note.strip():
        raise InvalidInput("auction.note_required", "审查不通过须写明理由", field="note")
    r.status = RegStatus.QUALIFIED if approve else RegStatus.REJECTED
    r.review_note = note.strip()
    _give_number(r)
    r.save(update_fields=["status", "review_note", "number"])
    audit.record(
        actor=actor,
        action="auction.review",
        object_type="auctions.registration",
        object_id=r.pk,
        summary={"auction": a.pk, "status": r.status, "note": r.review_note, "number": r.number},
        project_ref=a.lot.project.code,
        entity_ref=r.entity.uscc,
    )
    return r


@transaction.atomic
def deposit_confirm(*, registration: Registration, reference: str, actor: Any) -> Registration:
    """The service center confirms that the bidding deposit (竞买保证金) has arrived."""
    a = _lock(registration.auction)
    require(actor, "trade.operate", a.lot.project)
    r = Registration.objects.select_for_update().get(pk=registration.pk)
    if r.deposit_confirmed_at is not None:
        raise Conflict("auction.deposit_confirmed", "保证金已经确认到账")
    if not reference.strip():
        raise InvalidInput("auction.reference_required", "请填写到账凭证号", field="reference")
    r.deposit_confirmed_at = clock.now()
    r.deposit_reference = reference.strip()[:64]
    _give_number(r)
    r.save(update_fields=["deposit_confirmed_at", "deposit_reference", "number"])
    audit.record(
        actor=actor,
        action="auction.deposit_confirm",
        object_type="auctions.registration",
        object_id=r.pk,
        summary={
            "auction": a.pk,
            "amount": str(a.deposit),
            "reference": r.deposit_reference,
            "number": r.number,
        },
        project_ref=a.lot.project.code,
        entity_ref=r.entity.uscc,
    )
    return r


@transaction.atomic
def registration_continue(*, registration: Registration, actor: Any) -> Registration:
    """During the listing a bidder declares it wants timed bidding if others do (要求现场竞价)."""
    r = Registration.objects.select_for_update().select_related("entity").get(pk=registration.pk)
    if _entity_of(actor).pk != r.entity_id:
        raise PermissionDenied("auction.not_yours", "只能以本单位的竞买号操作")
    a = _lock(r.auction)
    if a.phase not in (Phase.PENDING, Phase.LISTING) or not r.may_bid:
        raise Conflict("auction.continue_closed", "只有取得竞买号的竞买人可在挂牌截止前要求现场竞价")
    r.wants_to_continue = True
    r.save(update_fields=["wants_to_continue"])
    audit.record(
        actor=actor,
        action="auction.continue",
        object_type="auctions.registration",
        object_id=r.pk,
        summary={"auction": a.pk, "number": r.number},
        project_ref=a.lot.project.code,
        entity_ref=r.entity.uscc,
    )
    return r


# --- bidding ------------------------------------------------------------------------------


# The bid path's two reads, compiled by the ORM once per database and then run as raw queries: for
# a bid, building these queries cost more than running them (as in ggzy.audit's head). The auction
# row is locked as in _lock (of=("self",)); only the project's code is joined (for the audit event).
_BID_SQL: dict[tuple[str, str], str] = {}


def _compiled(key: str, build: Any) -> str:
    conn = transaction.get_connection()
    sql = _BID_SQL.get((conn.vendor, key))
    if sql is None:
        sql, _ = build().query.get_compiler(connection=conn).as_sql()
        _BID_SQL[(conn.vendor, key)] = sql
    return sql


def _lock_for_bid(pk: int) -> Auction:
    sql = _compiled(
        "lock",
        lambda: (
            Auction.objects.select_for_update(of=("self",))
            .annotate(project_code=F("lot__project__code"))
            .filter(pk=0)
        ),
    )
    for a in Auction.objects.raw(sql, [pk]):
        return a
    raise Auction.DoesNotExist("Auction matching query does not exist.")


def _bid_registrations(ids: list[int]) -> list[Registration]:
    # distinct placeholder values: Django drops repeated values from an IN list
    sql = _compiled(
        f"regs{len(ids)}",
        lambda: (
            Registration.objects.annotate(entity_uscc=F("entity__uscc"), entity_name=F("entity__name"))
            .filter(pk__in=list(range(-len(ids), 0)))
            .order_by()
        ),
    )
    return list(Registration.objects.raw(sql, ids))


class _ClockMoved(Exception):
    """The auction must first be brought up to the clock (in its own transaction)."""


@dataclass
class BidRequest:
    """One bid as it arrived: ``bids_place`` takes several, in the order the server received them."""

    bidder: Registration
    amount: Any
    actor: Any
    quantity: Any = None
    client_ref: str = ""


@dataclass
class _Parsed:
    index: int
    request: BidRequest
    value: Decimal
    quantity: Decimal | None
    ref: str


MAX_BATCH = 500  # bids in one transaction at most (the hall's group commit)


def bid_place(
    *,
    auction: Auction,
    bidder: Registration,
    amount: Any,
    actor: Any,
    quantity: Any = None,
    client_ref: str = "",
) -> Bid:
    """One bid (or listing quote). The auction row is locked, so bids serialise and no two accepted
    bids share a price; the server's time of acceptance orders them. Refused: ``InvalidInput`` /
    ``Conflict`` / ``PermissionDenied`` with a stable code and a Chinese message; nothing changes
    (except that an auction whose time has come is first opened or closed, as any read would)."""
    request = BidRequest(bidder=bidder, amount=amount, actor=actor, quantity=quantity, client_ref=client_ref)
    out = bids_place(auction=auction, requests=[request])[0]
    if isinstance(out, DomainError):
        raise out
    return out


def bids_place(*, auction: Auction, requests: list[BidRequest]) -> list[Bid | DomainError]:
    """Several bids that arrived together (the live hall's group commit, docs/auctions.md), decided
    in their order of arrival in one transaction under the auction's lock: each is accepted or
    refused exactly as ``bid_place`` would have done one after the other, each accepted bid is its
    own ``Bid`` row (its own sequence number) and its own ``auction.bid`` audit event, and all of
    them share one commit (one fsync) and one acceptance time. Returns, per request in order, the
    accepted ``Bid`` or the refusal (a ``DomainError``, not raised); nothing is written for a
    refused one. At most ``MAX_BATCH`` requests."""
    if len(requests) > MAX_BATCH:
        raise ValueError(f"at most {MAX_BATCH} bids in one call")
    out: list[Bid | DomainError | None] = [None] * len(requests)
    parsed: list[_Parsed] = []
    for i, req in enumerate(requests):
        try:
            value = yuan(req.amount, field="amount")
            q = Decimal(str(req.quantity)) if req.quantity not in (None, "") else None
        except (DomainError, ArithmeticError, ValueError):
            out[i] = InvalidInput(
                "auction.invalid_amount", engine.MESSAGES["auction.invalid_amount"], field="amount"
            )
            continue
        if q is not None and (not q.is_finite() or q < 0):
            out[i] = InvalidInput("auction.invalid_amount", "第二报价指标无效", field="quantity")
            continue
        parsed.append(_Parsed(i, req, value, q, (req.client_ref or "")[:64]))
    if parsed:
        for attempt in range(4):
            try:
                with durable():  # an accepted bid is announced to everyone at once
                    decided = _bids(auction, parsed)
                break
            except _ClockMoved:
                if attempt == 3:
                    raise
                auction_refresh(auction=auction)
            except IntegrityError:
                # a client_ref repeated by a concurrent request (the check under the lock missed
                # it): everything rolled back; decide them one by one
                if len(parsed) == 1:
                    p = parsed[0]
                    _refuse_duplicate(p.request.bidder.pk, p.ref)
                    raise
                decided = {}
                for p in parsed:
                    try:
                        decided[p.index] = bid_place(
                            auction=auction, bidder=p.request.bidder, amount=p.request.amount,
                            actor=p.request.actor, quantity=p.request.quantity, client_ref=p.ref,
                        )  # fmt: skip
                    except DomainError as e:
                        decided[p.index] = e.with_traceback(None)
                break
        for i, result in decided.items():
            out[i] = result
    return out  # type: ignore[return-value]


@transaction.atomic
def _bids(auction: Auction, parsed: list[_Parsed]) -> dict[int, Bid | DomainError]:
    a = _lock_for_bid(auction.pk)
    # the bidders and the current leader in one query, read after the lock (so the leader is the
    # committed one); the engine's state and the clock check use the leader without reading it again
    ids = list(dict.fromkeys([p.request.bidder.pk for p in parsed] + ([a.leader_id] if a.leader_id else [])))
    regs = {x.pk: x for x in _bid_registrations(ids)}
    if a.leader_id is not None:
        a.leader = regs[a.leader_id]
    # repeated requests: one query for the whole batch (a single bid relies on the unique
    # constraint, bid_unique_client_ref, and is only checked when refused); within the batch, a set
    taken: set[tuple[int, str]] = set()
    refs = [(p.request.bidder.pk, p.ref) for p in parsed if p.ref]
    if len(parsed) > 1 and refs:
        taken = set(
            Bid.objects.filter(
                registration_id__in={r for r, _ in refs}, client_ref__in={ref for _, ref in refs}
            ).values_list("registration_id", "client_ref")
        )
    decided: dict[int, Bid | DomainError] = {}
    valid: list[tuple[_Parsed, Registration]] = []
    for p in parsed:  # who may bid at all: refused here, a bid does not even open the auction
        r = regs.get(p.request.bidder.pk)
        try:
            if r is None or r.auction_id != a.pk:
                raise PermissionDenied("auction.not_registered", "未报名本标的的竞买")
            if p.request.actor is not SYSTEM and _entity_of(p.request.actor).pk != r.entity_id:
                raise PermissionDenied("auction.not_yours", "只能以本单位的竞买号报价")
            if not r.may_bid:
                raise PermissionDenied(
                    "auction.not_qualified", "资格审查未通过或保证金未确认到账，没有竞买号，不能报价"
                )
        except DomainError as e:
            decided[p.index] = e.with_traceback(None)  # no frame kept alive: no reference cycle
            continue
        valid.append((p, r))
    if not valid:
        return decided
    now = clock.now()
    probe = Auction(**{f.attname: getattr(a, f.attname) for f in Auction._meta.concrete_fields})
    if a.leader_id is not None:
        probe.leader = a.leader
    if _sync(probe, now):
        raise _ClockMoved
    config, s = config_of(a), state_of(a)
    accepted: list[tuple[Bid, Registration, Any]] = []
    fields: set[str] = set()
    for p, r in valid:  # in order of arrival, each against the state the previous ones left
        try:
            if p.ref and (r.pk, p.ref) in taken:
                raise Conflict("auction.duplicate", "该报价已经提交过（重复提交）")
            decision = engine.place(
                config, s, engine.Bid(bidder=r.number, amount=p.value, at=now, quantity=p.quantity)
            )
            if not decision.accepted:
                if len(parsed) == 1:
                    _refuse_duplicate(r.pk, p.ref)  # a repeated request is told so, whatever else is wrong
                raise InvalidInput(decision.code, decision.message, field="amount", details=_details(a))
        except DomainError as e:
            decided[p.index] = e.with_traceback(None)  # no frame kept alive: no reference cycle
            continue
        s = decision.state
        fields.update(_store_state(a, s))
        a.leader = r
        if p.ref:
            taken.add((r.pk, p.ref))
        b = Bid(
            auction=a,
            registration=r,
            seq=s.bids,
            amount=s.price,
            quantity=s.quantity or 0,
            phase=s.phase,
            accepted_at=now,
            client_ref=p.ref,
        )
        decided[p.index] = b
        accepted.append((b, r, p.request.actor))
    if not accepted:
        return decided
    a.save(update_fields=[*fields, "leader"])
    # a repeated client_ref that slipped past the check is caught by the unique constraint: the
    # transaction rolls back and bids_place decides again
    Bid.objects.bulk_create([b for b, _, _ in accepted])
    cap = a.phase == Phase.CAP
    audit.record_many([
        {"actor": actor, "action": "auction.bid", "object_type": "auctions.bid", "object_id": b.pk,
         "summary": {"auction": a.pk, "seq": b.seq, "number": r.number, "amount": str(b.amount),
                     "quantity": str(b.quantity) if cap else None, "accepted_at": now.isoformat()},
         "project_ref": a.project_code, "entity_ref": r.entity_uscc}
        for b, r, actor in accepted
    ])  # fmt: skip
    if a.phase == Phase.CLOSED:  # a descending auction closes on its first taker
        _close(a, now)
        _save_synced(a)
        _broadcast(a, "state")
    else:  # bids travel as deltas built here: the broadcast reads nothing from the database
        deltas = [_bid_delta(a, b, r) for b, r, _ in accepted]
        pk = a.pk
        transaction.on_commit(lambda: hall.send_many(pk, deltas))
    return decided


def _refuse_duplicate(registration_id: int, client_ref: str) -> None:
    if (
        client_ref
        and Bid.objects.filter(registration_id=registration_id, client_ref=client_ref[:64]).exists()
    ):
        raise Conflict("auction.duplicate", "该报价已经提交过（重复提交）")


def _bid_delta(a: Auction, b: Bid, r: Registration) -> dict[str, Any]:
    return {
        "type": "bid",
        "auction": a.pk,
        "phase": a.phase,
        "phase_label": a.get_phase_display(),
        "price": str(a.price),
        "quantity": str(a.quantity) if a.phase == Phase.CAP and a.quantity is not None else None,
        "leader": r.number,
        "bid_count": a.bid_count,
        "deadline": a.deadline_at.isoformat() if a.deadline_at else None,
        "round_no": a.round_no,
        "version": a.version,
        "bid": {
            "seq": b.seq,
            "number": r.number,
            "amount": str(b.amount),
            "quantity": str(b.quantity) if b.phase == Phase.CAP else None,
            "at": b.accepted_at.isoformat(),
        },
        "name": r.entity_name,  # for supervisors only: the consumers strip it for everyone else
    }


def _details(a: Auction) -> dict[str, Any]:
    return {"price": str(a.price) if a.price is not None else None, "phase": a.phase}


# --- the clock: opening, listing end, closing ----------------------------------------------


def _eligible(a: Auction) -> list[Registration]:
    return [r for r in Registration.objects.filter(auction=a).select_related("entity") if r.may_bid]


def _sync(a: Auction, now: dt.datetime) -> bool:
    """Move ``a`` (locked) on by the server clock: open at its start, resolve the listing end, close
    at the deadline. Writes the row's fields in memory only; returns whether anything changed. The
    times written are the deadlines, never ``now``: a late tick writes the same history."""
    changed = False
    config = config_of(a)
    if a.phase == Phase.PENDING and now >= a.starts_at:
        changed = True
        eligible = _eligible(a)
        if a.mode == Mode.ENGLISH and len(eligible) <= 1:
            # state property: one qualified transferee -> negotiated transfer at the listed price
            a.phase = Phase.CLOSED
            a.opened_at = a.starts_at
            if eligible:
                a.leader = eligible[0]
                a.price = a.starting_price
                a.result = Result.NEGOTIATED
            a.closed_at = a.starts_at
            a.version += 1
            _close(a, a.starts_at, decided=True)
            return True
        s = engine.start(config, a.starts_at, deadline=a.listing_ends_at)
        _store_state(a, s)
        a._opening = True  # type: ignore[attr-defined]
    if a.phase not in (Phase.LISTING, Phase.BIDDING, Phase.CAP):
        return changed
    s = engine.advance(config, state_of(a), now)
    if s == state_of(a):
        return changed
    if s.phase == "listing_ended":
        at = a.listing_ends_at or now
        continuing = sum(1 for r in _eligible(a) if r.wants_to_continue)
        s = engine.listing_end(config, s, continuing=continuing, at=at)
        if s.phase != "closed":  # timed bidding follows; the countdown may itself have run out
            s = engine.advance(config, s, now)
    at = s.deadline if s.phase == "closed" else now
    _store_state(a, s)
    if s.phase == Phase.CLOSED:
        _close(a, at or now)
    return True


def _close(a: Auction, at: dt.datetime, *, decided: bool = False) -> None:
    """Decide the result of a closed auction (in memory; the caller saves): sold, negotiated or failed."""
    a.closed_at = at
    if not decided:
        out = engine.outcome(config_of(a), state_of(a))
        a.result = out.code
    if a.result in (Result.SOLD, Result.NEGOTIATED):
        a.final_price = a.price
        a.premium_rate = engine.premium_rate(a.price, a.starting_price)
    a._closing = True  # type: ignore[attr-defined]


def _after_close(a: Auction) -> None:
    """The audit event of the close, the settlement and the transaction result notice (same
    transaction). The settlement comes first so that a sale's notice states the confirmation as
    issued (number, signing deadline); a sale whose settlement was refused gets its notice from the
    settlement retry (``settlement.settlement_retry``), never a second one."""
    project = a.lot.project
    audit.record(
        actor=SYSTEM,
        action="auction.close",
        object_type="auctions.auction",
        object_id=a.pk,
        summary={
            "result": a.result,
            "price": str(a.final_price) if a.final_price is not None else None,
            "quantity": str(a.quantity) if a.phase == Phase.CAP and a.quantity is not None else None,
            "reserve_price": str(a.reserve_price) if a.reserve_price is not None else None,  # revealed now
            "premium_rate": str(a.premium_rate) if a.premium_rate is not None else None,
            "winner": a.leader.number
            if a.leader_id and a.result in (Result.SOLD, Result.NEGOTIATED)
            else None,
            "closed_at": a.closed_at.isoformat() if a.closed_at else None,
            "bids": a.bid_count,
        },
        project_ref=project.code,
        entity_ref=project.tenderer_uscc,
    )
    from ggzy.auctions import settlement  # results: docs/auctions.md "Results"

    settlement.on_close(a)  # confirmation, deposits, signing deadline, lot status (settlement.py)
    try:
        with transaction.atomic():
            if not settlement.result_notice_publish(a, SYSTEM):
                log.warning("auction %s: result notice deferred until the sale is settled", a.pk)
    except (
        DomainError
    ) as e:  # the result stays recorded on the auction; the retry or the operator publishes it
        log.warning("auction %s: result notice not published: %s", a.pk, e)


def result_notice_data(a: Auction) -> dict[str, Any]:
    """The structured content of an auction's transaction result notice (成交结果公告)."""
    data: dict[str, Any] = {
        "标的名称": a.title,
        "交易方式": a.get_mode_display(),
        "起始价（元）": str(a.starting_price),
        "交易结果": a.get_result_display(),
        "竞价结束时间": a.closed_at.astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M:%S")
        if a.closed_at
        else "",
        "有效报价次数": a.bid_count,
    }
    if a.result in (Result.SOLD, Result.NEGOTIATED):
        data["竞得人（受让方）"] = a.leader.entity.name
        data["竞买号"] = a.leader.number
        data["成交价（元）"] = str(a.final_price)
        data["溢价率（%）"] = str(a.premium_rate)
        if a.phase == Phase.CAP and a.quantity is not None:
            data[a.quantity_label or "第二报价指标"] = str(a.quantity)
    from ggzy.auctions import settlement

    data.update(settlement.result_notice_fields(a))
    return data


def _save_synced(a: Auction) -> None:
    a.save()
    if getattr(a, "_opening", False):  # the lot enters the stage its bidding runs in (settlement.py)
        from ggzy.auctions import settlement

        settlement.on_open(a)
        a._opening = False  # type: ignore[attr-defined]
    if getattr(a, "_closing", False):
        _after_close(a)
        a.save(update_fields=["result_notice"])
        a._closing = False  # type: ignore[attr-defined]


def _due(a: Auction, now: dt.datetime) -> bool:
    if a.phase == Phase.PENDING:
        return now >= a.starts_at
    return (
        a.phase in (Phase.LISTING, Phase.BIDDING, Phase.CAP)
        and a.deadline_at is not None
        and now >= a.deadline_at
    )


def auction_refresh(*, auction: Auction, now: dt.datetime | None = None) -> Auction:
    """Bring one auction up to the server clock (open, end the listing, close). Idempotent: called
    on every read of the hall and by the tick; a second call changes nothing. An auction with no
    time come is read without a lock (every hall connection reads it)."""
    now = min(now or clock.now(), clock.now())
    current = Auction.objects.select_related("lot__project", "leader").get(pk=auction.pk)
    if not _due(current, now):
        return current
    return _refresh_locked(auction, now)


@transaction.atomic
def _refresh_locked(auction: Auction, now: dt.datetime) -> Auction:
    a = _lock(auction)
    if _sync(a, now):
        _save_synced(a)
        _broadcast(a, "state")
    return a


def auction_close_due(now: dt.datetime | None = None) -> int:
    """The tick's part for auctions: every auction whose start or deadline has passed is brought up
    to the clock, one transaction each. Returns how many moved. Safe to run twice or concurrently."""
    now = min(now or clock.now(), clock.now())
    from django.db.models import Q

    due = list(
        Auction.objects.filter(
            Q(phase=Phase.PENDING, starts_at__lte=now)
            | Q(phase__in=[Phase.LISTING, Phase.BIDDING, Phase.CAP], deadline_at__lte=now)
        ).values_list("pk", flat=True)
    )
    moved = 0
    for pk in due:
        before = Auction.objects.filter(pk=pk).values_list("version", flat=True).first()
        a = auction_refresh(auction=Auction(pk=pk), now=now)
        moved += int(a.version != before)
    return moved


def operator_may_watch(actor: Any, a: Auction) -> bool:
    return allowed(actor, "trade.operate", a.lot.project)


__all__ = [
    "auction_close_due",
    "auction_create",
    "auction_refresh",
    "auction_relist",
    "bid_place",
    "deposit_confirm",
    "registration_apply",
    "registration_continue",
    "registration_review",
]
