"""Every write of the deposits app (docs/deposits.md): requirements, sub-accounts, bank callbacks,
electronic guarantees, refunds and the overdue-refund check of the tick."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum

from ggzy.audit import services as audit
from ggzy.core import clock
from ggzy.core import services as core_services
from ggzy.core.errors import Conflict, DomainError, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from ggzy.core.money import yuan
from ggzy.core.permissions import SYSTEM, allowed, require
from ggzy.crypto import sealing, sm2
from ggzy.crypto.sm import sm3_hex
from ggzy.deposits import policy, simbank
from ggzy.deposits.models import (
    Bank,
    Disposal,
    DisposalKind,
    Guarantee,
    GuaranteeStatus,
    Payment,
    Refund,
    Requirement,
    SubAccount,
)
from ggzy.entities import selectors as entity_selectors
from ggzy.supervision import services as supervision
from ggzy.trading import selectors as trading

log = logging.getLogger("ggzy.deposits")
FRESH_SECONDS = 300  # a callback's timestamp must be within ±5 minutes of the server clock
CLOSED = {"terminated", "failed"}
# Refusals of validly signed callbacks that concern money the bank holds: kept in the audit trail.
# Replays (stale, reused nonce) are only logged, so a captured request cannot fill the database.
AUDITED_REFUSALS = {"deposit.unknown_sub_account", "deposit.txn_conflict", "deposit.sub_account_closed"}


def _label(actor: Any) -> str:
    f = getattr(actor, "audit_label", None)
    return f() if f else str(actor)


def _ruleset(lot):
    return trading.ruleset_of(lot.project)


def cap_of(lot) -> policy.Cap:
    rs = _ruleset(lot)
    d = rs.deposit
    if d is None:
        return policy.cap(estimate=lot.estimate, cap_percent=None, cap_amount=None, basis="")
    return policy.cap(
        estimate=lot.estimate,
        cap_percent=d.cap_percent,
        cap_amount=d.cap_amount,
        basis=d.basis.label() if d.basis else "",
    )


def _acting_for(actor: Any, lot, uscc: str) -> None:
    """A bidder acts for its own entity only; the lot's operators act for anyone."""
    if allowed(actor, "trade.operate", lot):
        return
    own = entity_selectors.entity_of_user(actor)
    if own is not None and own.uscc == uscc:
        return
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated("auth.required", "请先登录")
    raise PermissionDenied("deposit.not_yours", "只能查看和办理本单位的保证金")


# --- requirement --------------------------------------------------------------------------------
@transaction.atomic
def deposit_requirement_set(
    *, lot, amount: Any, actor: Any, guarantee_allowed: bool | None = None
) -> Requirement:
    """Set (or change) the deposit ``lot`` requires, checked against the rule set's cap."""
    require(actor, "trade.operate", lot)
    if lot.status in CLOSED:
        raise Conflict("deposit.lot_closed", "标段（包）已终止或流标，不能再设定保证金")
    value = yuan(amount, field="amount")
    if value <= 0:
        raise InvalidInput("deposit.amount_positive", "保证金金额应大于0", field="amount")
    c = cap_of(lot)
    if c.amount is not None and value > c.amount:
        raise InvalidInput(
            "deposit.above_cap",
            f"保证金{value}元超过上限：{c.explanation}",
            field="amount",
            details={"cap": str(c.amount)},
        )
    mechanism = _ruleset(lot).mechanism
    req = Requirement.objects.select_for_update().filter(lot=lot).first()
    before = str(req.amount) if req else None
    if req is None:
        req = Requirement(lot=lot, guarantee_allowed=mechanism != "auction", version=0)
    if guarantee_allowed is not None:
        req.guarantee_allowed = bool(guarantee_allowed)
    req.amount, req.cap, req.cap_explanation = value, c.amount, c.explanation[:300]
    req.set_at, req.set_by_label = clock.now(), _label(actor)[:200]
    req.version += 1
    req.save()
    audit.record(
        actor=actor,
        action="deposit.requirement_set",
        object_type="deposits.requirement",
        object_id=req.pk,
        summary={
            "lot": lot.code,
            "amount": str(value),
            "before": before,
            "cap": str(c.amount) if c.amount is not None else None,
            "guarantee_allowed": req.guarantee_allowed,
        },
        project_ref=lot.project.code,
    )
    return req


def current_attempt(lot) -> int:
    """The lot's current attempt (1 unless an auction was listed again: ``deposit_attempt_start``)."""
    return Requirement.objects.filter(lot=lot).values_list("attempt", flat=True).first() or 1


def _attempt(lot, attempt: int | None) -> int:
    return current_attempt(lot) if attempt is None else int(attempt)


@transaction.atomic
def deposit_attempt_start(*, lot, attempt: int, amount: Any, actor: Any) -> Requirement:
    """A relisted auction's lot starts attempt ``attempt`` (第n次挂牌): from now bidders open new
    sub-accounts (new numbers) and pay the new attempt's deposit ``amount`` into them; deposits of
    earlier attempts keep their own state (refunds, disposals, deadlines) and their sub-accounts
    take no new payments. Auctions only (a re-tender is a new project); once per attempt."""
    require(actor, "trade.operate", lot)
    if _ruleset(lot).mechanism != "auction":
        raise Conflict("deposit.attempt_not_auction", "只有拍卖、挂牌项目重新挂牌时才分次缴纳保证金")
    req = Requirement.objects.select_for_update().filter(lot=lot).first()
    if req is None:
        raise Conflict("deposit.not_required", "本标段（包）未设定保证金，无需缴纳")
    n = int(attempt)
    if n <= req.attempt:
        raise Conflict(
            "deposit.attempt_started", f"本标的已处于第{req.attempt}次挂牌，不能再开始第{n}次挂牌的保证金"
        )
    before = req.attempt
    req.attempt = n
    req.save(update_fields=["attempt"])
    if req.amount != yuan(amount, field="amount"):
        req = deposit_requirement_set(lot=lot, amount=amount, actor=actor)
    audit.record(
        actor=actor,
        action="deposit.attempt_start",
        object_type="deposits.requirement",
        object_id=req.pk,
        summary={"lot": lot.code, "attempt": n, "before": before, "amount": str(req.amount)},
        project_ref=lot.project.code,
    )
    return req


# --- sub-accounts -------------------------------------------------------------------------------
def account_number_for(lot_code: str, uscc: str, attempt: int = 1) -> str:
    """Prefix + 14 digits of HMAC-SM3(platform data key, "lot|USCC", attempt n > 1: "lot|USCC|n")
    + a Luhn digit (docs)."""
    prefix = getattr(settings, "GGZY_DEPOSIT_ACCOUNT_PREFIX", "8814")
    data = f"{lot_code}|{uscc}" + (f"|{attempt}" if attempt > 1 else "")
    return policy.account_number(prefix, sealing.tag("deposits.sub_account", data))


@transaction.atomic
def sub_account_open(*, lot, uscc: str, actor: Any) -> SubAccount:
    """The bidder's sub-account for ``lot``'s current attempt (opened on first request; the same
    number every time; a relisted auction's next attempt gets a new one)."""
    entity = entity_selectors.entity_get(uscc)
    _acting_for(actor, lot, entity.uscc)
    attempt = current_attempt(lot)
    found = SubAccount.objects.filter(lot=lot, uscc=entity.uscc, attempt=attempt).first()
    if found is not None:
        return found
    if not Requirement.objects.filter(lot=lot).exists():
        raise Conflict("deposit.not_required", "本标段（包）未设定保证金，无需缴纳")
    if lot.status in CLOSED:
        raise Conflict("deposit.lot_closed", "标段（包）已终止或流标，不能再缴纳保证金")
    if entity.status != "active":
        raise Conflict("deposit.entity_inactive", "该市场主体已注销，不能缴纳保证金")
    try:
        with transaction.atomic():
            sub = SubAccount.objects.create(
                lot=lot,
                uscc=entity.uscc,
                attempt=attempt,
                entity_name=entity.name,
                number=account_number_for(lot.code, entity.uscc, attempt),
                opened_at=clock.now(),
            )
    except IntegrityError:  # opened concurrently: the same number
        found = SubAccount.objects.filter(lot=lot, uscc=entity.uscc, attempt=attempt).first()
        if found is None:
            raise Conflict("deposit.account_collision", "子账号生成冲突，请联系交易服务中心") from None
        return found
    audit.record(
        actor=actor,
        action="deposit.sub_account_open",
        object_type="deposits.sub_account",
        object_id=sub.pk,
        summary={"lot": lot.code, "uscc": entity.uscc, "attempt": attempt},
        project_ref=lot.project.code,
        entity_ref=entity.uscc,
    )
    return sub


# --- banks --------------------------------------------------------------------------------------
@transaction.atomic
def bank_register(*, code: str, name: str, public_key_pem: str, actor: Any, simulated: bool = False) -> Bank:
    """Register (or re-key) a bank that may post callbacks. Platform administrators (master data)."""
    if actor is not SYSTEM:
        require(actor, "masterdata.manage")
    code = (code or "").strip().upper()
    if not code.isalnum() or len(code) > 20:
        raise InvalidInput("deposit.bank_code", "银行代码应为不超过20位的字母或数字", field="code")
    if simulated and not simbank.enabled():
        raise simbank.SimulatorDisabled("deposit.simulator_disabled", "生产环境不能使用模拟银行")
    try:
        key = sm2.load_public_key(public_key_pem)
    except (sm2.Sm2Error, ValueError):
        raise InvalidInput(
            "deposit.bank_key", "银行公钥不是有效的 SM2 公钥（PEM）", field="public_key_pem"
        ) from None
    bank, _ = Bank.objects.update_or_create(
        code=code,
        defaults={
            "name": (name or code).strip()[:100],
            "public_key_pem": key.to_pem(),
            "fingerprint": key.fingerprint()[:64],
            "simulated": simulated,
            "active": True,
            "registered_at": clock.now(),
        },
    )
    audit.record(
        actor=actor,
        action="deposit.bank_register",
        object_type="deposits.bank",
        object_id=bank.pk,
        summary={"code": code, "fingerprint": bank.fingerprint, "simulated": simulated},
    )
    return bank


def simulated_bank() -> Bank:
    """The simulated bank's row (registered with its key on first use; never in production)."""
    key = simbank.private_key()  # refuses in production
    pem = key.public_key.to_pem()
    bank = Bank.objects.filter(code=simbank.CODE).first()
    if bank is None or bank.public_key_pem != pem:
        bank = bank_register(
            code=simbank.CODE, name=simbank.NAME, public_key_pem=pem, actor=SYSTEM, simulated=True
        )
    return bank


def _verified(body: bytes, bank_code: str, signature: str) -> tuple[Bank, policy.Callback]:
    bank = Bank.objects.filter(code=(bank_code or "").strip().upper(), active=True).first()
    if bank is None:
        raise PermissionDenied("deposit.bank_unknown", "发送回调的银行未在平台登记")
    if bank.simulated and not simbank.enabled():
        raise PermissionDenied("deposit.simulator_disabled", "生产环境不接受模拟银行的回调")
    try:
        raw = base64.b64decode(signature or "", validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    try:
        good = bool(raw) and sm2.load_public_key(bank.public_key_pem).verify(raw, body)
    except (sm2.Sm2Error, ValueError):
        good = False
    if not good:
        raise PermissionDenied("deposit.bad_signature", "回调签名验证失败")
    cb = policy.parse_callback(body)
    if cb.bank.upper() != bank.code:
        raise PermissionDenied("deposit.bank_mismatch", "报文中的银行代码与签名银行不一致")
    return bank, cb


def _content_digest(cb: policy.Callback) -> str:
    return sm3_hex(
        policy.canonical(
            {
                "txn_id": cb.txn_id,
                "sub_account": cb.sub_account,
                "amount": str(cb.amount),
                "payer_account": cb.payer_account,
                "payer_name": cb.payer_name,
                "paid_at": cb.paid_at.isoformat(),
            }
        )
    )


def bank_callback(*, body: bytes, bank_code: str, signature: str) -> dict[str, Any]:
    """Handle a bank's payment callback: signature, freshness, idempotency, sub-account, amount.

    Returns the answer for the bank; a repeated callback (same bank and transaction id, same
    content) returns the first answer and changes nothing. A refusal raises ``DomainError``. When
    the signature verified (a registered bank really sent it), the refusal is recorded in the audit
    trail (``deposit.callback_refused``) so staff can follow up money the platform did not accept;
    unsigned or forged requests are only logged (no database write).
    """
    try:
        bank, cb = _verified(body, bank_code, signature)
    except DomainError as exc:
        log.warning("refused deposit callback from %r: %s", bank_code, exc.code)
        raise
    try:
        return _apply(bank, cb, body)
    except DomainError as exc:
        log.warning("refused deposit callback %s/%s: %s", bank.code, cb.txn_id, exc.code)
        if exc.code in AUDITED_REFUSALS:
            _refusal_record(bank, cb, exc)
        raise


@transaction.atomic
def _refusal_record(bank: Bank, cb: policy.Callback, exc: DomainError) -> None:
    audit.record(
        actor=SYSTEM,
        action="deposit.callback_refused",
        object_type="deposits.bank",
        object_id=bank.pk,
        summary={"bank": bank.code, "txn_id": cb.txn_id, "sub_account": cb.sub_account,
                 "amount": str(cb.amount), "code": exc.code},
    )  # fmt: skip


def _existing_answer(bank: Bank, cb: policy.Callback) -> dict[str, Any] | None:
    old = Payment.objects.filter(bank=bank, txn_id=cb.txn_id).first()
    if old is None:
        return None
    if old.content_sm3 != _content_digest(cb):
        raise Conflict("deposit.txn_conflict", "该银行交易流水号已用于内容不同的另一笔到账通知")
    return old.answer


@transaction.atomic
def _apply(bank: Bank, cb: policy.Callback, body: bytes) -> dict[str, Any]:
    now = clock.now()
    if abs((now - cb.timestamp).total_seconds()) > FRESH_SECONDS:
        raise InvalidInput(
            "deposit.stale", "回调签名时间与平台时间相差超过5分钟，请重新签名后发送", field="timestamp"
        )
    # lock the sub-account row only (not the lot): concurrent callbacks for it queue here
    sub = SubAccount.objects.select_for_update().filter(number=cb.sub_account).first()
    if sub is None:
        raise NotFound("deposit.unknown_sub_account", f"子账号“{cb.sub_account}”不存在，款项请退回付款人")
    answer = _existing_answer(bank, cb)  # under the sub-account's lock: concurrent repeats wait here
    if answer is not None:
        return answer
    if Payment.objects.filter(bank=bank, nonce=cb.nonce).exists():
        raise Conflict("deposit.nonce_replayed", "随机数已被使用过（疑似重放），请重新生成随机数并签名")
    lot = sub.lot  # loaded without a lock
    req = Requirement.objects.filter(lot=lot).first()
    if req is not None and sub.attempt < req.attempt:  # an earlier attempt's account: closed
        raise Conflict(
            "deposit.sub_account_closed",
            f"子账号“{sub.number}”属于本标的第{sub.attempt}次挂牌，已不再收款，款项请退回付款人"
            f"（第{req.attempt}次挂牌的保证金请缴入新的子账号）",
        )
    before = Payment.objects.filter(sub_account=sub).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    total = (before + cb.amount).quantize(policy.CENT)
    required = req.amount if req else None
    sufficient = required is not None and total >= required
    payment = Payment(
        sub_account=sub,
        bank=bank,
        txn_id=cb.txn_id,
        nonce=cb.nonce,
        amount=cb.amount,
        paid_at=cb.paid_at,
        received_at=now,
        payer_account=cb.payer_account,
        payer_name=cb.payer_name,
        payer_bank=cb.payer_bank,
        content_sm3=_content_digest(cb),
    )
    payment.answer = {
        "result": "accepted",
        "txn_id": cb.txn_id,
        "sub_account": sub.number,
        "amount": str(cb.amount),
        "total_paid": str(total),
        "required": str(required) if required is not None else None,
        "status": "sufficient" if sufficient else "insufficient",
        "message": "到账已登记，保证金已足额" if sufficient else f"到账已登记，累计{total}元，仍不足应缴金额",
    }
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:  # a concurrent duplicate got in first (the lock makes this a backstop)
        answer = _existing_answer(bank, cb)
        if answer is not None:
            return answer
        raise Conflict(
            "deposit.nonce_replayed", "随机数已被使用过（疑似重放），请重新生成随机数并签名"
        ) from None
    audit.record(
        actor=SYSTEM,
        action="deposit.payment_receive",
        object_type="deposits.payment",
        object_id=payment.pk,
        summary={"lot": lot.code, "uscc": sub.uscc, "attempt": sub.attempt, "bank": bank.code,
                 "txn_id": cb.txn_id, "amount": str(cb.amount), "total": str(total),
                 "status": payment.answer["status"]},
        project_ref=lot.project.code,
        entity_ref=sub.uscc,
    )  # fmt: skip
    _shared_payer_check(lot, sub, payment)
    return payment.answer


def _shared_payer_check(lot, sub: SubAccount, payment: Payment) -> None:
    """Deposits of different bidders of one attempt paid from one account (招标投标法实施条例第四十条
    第六项). A bidder's own deposits of earlier attempts do not count."""
    others = (
        Payment.objects.filter(
            sub_account__lot=lot, sub_account__attempt=sub.attempt, payer_account=payment.payer_account
        )
        .exclude(sub_account__uscc=sub.uscc)
        .values_list("sub_account__uscc", flat=True)
        .distinct()
    )
    others = sorted(set(others))
    if not others:
        return
    supervision.warning_raise(
        kind="other",
        region_code=lot.project.region_code,
        category=lot.project.category,
        message=(
            f"标段（包）{lot.code}有{len(others) + 1}家投标人（竞买人）的保证金从同一账户转出，"
            "依《招标投标法实施条例》第四十条第（六）项视为串通投标的情形，请核查"
        ),
        level="serious",
        project_ref=lot.project.code,
        lot_ref=lot.code,
        entity_uscc=sub.uscc,
        details={"check": "deposits.shared_payer", "usccs": sorted([sub.uscc, *others])},
    )


# --- electronic guarantees ----------------------------------------------------------------------
def _date(value: Any, field: str, label: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput("deposit.bad_date", f"{label}应为 YYYY-MM-DD", field=field) from None


@transaction.atomic
def guarantee_record(
    *, lot, uscc: str, issuer: str, number: str, amount: Any, valid_from: Any, valid_until: Any, actor: Any
) -> Guarantee:
    """Record an electronic guarantee (电子保函) given instead of cash; verified by the operator."""
    entity = entity_selectors.entity_get(uscc)
    _acting_for(actor, lot, entity.uscc)
    req = Requirement.objects.filter(lot=lot).first()
    if req is None:
        raise Conflict("deposit.not_required", "本标段（包）未设定保证金，无需缴纳")
    if not req.guarantee_allowed:
        raise Conflict(
            "deposit.guarantee_not_allowed", "本标段（包）的保证金不接受电子保函，请以转账方式缴纳"
        )
    issuer, number = (issuer or "").strip(), (number or "").strip()
    if not issuer or not number:
        raise InvalidInput("deposit.guarantee_fields", "请填写保函出具机构和保函编号", field="number")
    value = yuan(amount, field="amount")
    start, end = _date(valid_from, "valid_from", "生效日期"), _date(valid_until, "valid_until", "失效日期")
    if end < start:
        raise InvalidInput("deposit.guarantee_validity", "失效日期不能早于生效日期", field="valid_until")
    if value < req.amount:
        raise InvalidInput(
            "deposit.guarantee_insufficient", f"保函金额{value}元低于应缴保证金{req.amount}元", field="amount"
        )
    if Guarantee.objects.filter(issuer=issuer[:200], number=number[:64]).exists():
        raise Conflict("deposit.guarantee_duplicate", "该机构的此编号保函已登记过")
    g = Guarantee.objects.create(
        lot=lot, uscc=entity.uscc, attempt=req.attempt, issuer=issuer[:200], number=number[:64], amount=value,
        valid_from=start, valid_until=end, recorded_at=clock.now(), recorded_by_label=_label(actor)[:200],
    )  # fmt: skip
    audit.record(
        actor=actor,
        action="deposit.guarantee_record",
        object_type="deposits.guarantee",
        object_id=g.pk,
        summary={
            "lot": lot.code,
            "uscc": entity.uscc,
            "issuer": g.issuer,
            "number": g.number,
            "amount": str(value),
        },
        project_ref=lot.project.code,
        entity_ref=entity.uscc,
    )
    return g


@transaction.atomic
def guarantee_verify(*, guarantee: Guarantee, approve: bool, note: str = "", actor: Any) -> Guarantee:
    """The operator records the result of checking the guarantee with its issuer."""
    g = Guarantee.objects.select_for_update().get(pk=guarantee.pk)
    require(actor, "trade.operate", g.lot)
    if g.status != GuaranteeStatus.PENDING:
        raise Conflict("deposit.guarantee_verified", "该保函已核验过")
    note = (note or "").strip()
    if not approve and not note:
        raise InvalidInput("deposit.note_required", "核验不通过时请写明原因", field="note")
    g.status = GuaranteeStatus.VERIFIED if approve else GuaranteeStatus.REJECTED
    g.verified_at, g.verified_by_label, g.note = clock.now(), _label(actor)[:200], note[:500]
    g.save(update_fields=["status", "verified_at", "verified_by_label", "note"])
    audit.record(
        actor=actor,
        action="deposit.guarantee_verify",
        object_type="deposits.guarantee",
        object_id=g.pk,
        summary={"lot": g.lot.code, "uscc": g.uscc, "status": g.status, "note": g.note},
        project_ref=g.lot.project.code,
        entity_ref=g.uscc,
    )
    return g


# --- refunds ------------------------------------------------------------------------------------
def _day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(clock.CHINA).date() if value.tzinfo else value.date()
    return _date(value, "due_from", "起算日")


@transaction.atomic
def deposit_refund_due(
    *, lot, uscc: str, reason: str, due_from: Any, actor: Any, attempt: int | None = None
) -> Refund:
    """Schedule the refund of a bidder's cash deposit with its statutory deadline (docs/deposits.md);
    ``attempt``: of that attempt (default the lot's current one)."""
    require(actor, "trade.operate", lot)
    attempt = _attempt(lot, attempt)
    SubAccount.objects.select_for_update().filter(lot=lot, uscc=uscc, attempt=attempt).first()
    paid = _cash(lot, uscc, attempt) or None
    if not paid:
        raise Conflict("deposit.nothing_to_refund", "该单位未以转账方式缴纳保证金，无需退还款项")
    if Refund.objects.filter(lot=lot, uscc=uscc, attempt=attempt).exists():
        raise Conflict("deposit.refund_scheduled", "该单位的保证金退还已登记，不能重复登记")
    if Disposal.objects.filter(lot=lot, uscc=uscc, attempt=attempt).exists():
        raise Conflict("deposit.disposed", "该单位的保证金已抵作价款或不予退还，不能再登记退还")
    rs = _ruleset(lot)
    d = rs.deposit
    period = policy.refund_period(
        reason=reason,
        category=lot.project.category,
        days=d.refund_days if d else None,
        kind=d.refund_kind if d else None,
        basis=(d.refund_basis or d.basis).label() if d and (d.refund_basis or d.basis) else "交易规则",
        confirmed=bool(d and (d.refund_basis or d.basis) and (d.refund_basis or d.basis).confirmed),
    )
    start = _day(due_from)
    deadline = core_services.deadline_compute(
        purpose=f"保证金退还：{lot.code} {uscc}",
        start=start,
        days=period.days,
        kind=period.kind,
        owner_type="deposits.refund",
        owner_id=f"{lot.code}:{uscc}" + (f":{attempt}" if attempt > 1 else ""),
        actor=actor,
        record_audit=False,
    )
    r = Refund.objects.create(
        lot=lot, uscc=uscc, attempt=attempt, amount=paid, reason=reason, due_from=start, deadline=deadline.result,
        deadline_ref=deadline.pk, days=period.days, kind=period.kind, basis=period.basis[:200],
        provisional=bool(deadline.provisional_years), scheduled_at=clock.now(),
    )  # fmt: skip
    audit.record(
        actor=actor,
        action="deposit.refund_due",
        object_type="deposits.refund",
        object_id=r.pk,
        summary={"lot": lot.code, "uscc": uscc, "attempt": attempt, "amount": str(paid), "reason": reason,
                 "deadline": core_services.deadline_summary(deadline), "basis": period.basis},
        project_ref=lot.project.code,
        entity_ref=uscc,
    )  # fmt: skip
    return r


@transaction.atomic
def deposit_refund(
    *, lot, uscc: str, actor: Any, reference: str = "", interest: Any = "0", attempt: int | None = None
) -> Refund:
    """Record that the deposit (and the bank's interest, 实施条例第五十七条) was paid back.
    Without a bank reference the simulated bank makes the transfer (not in production).
    ``attempt``: the refund of that attempt (default: the only one scheduled, else the current)."""
    require(actor, "trade.operate", lot)
    r = _refund_of(lot, uscc, attempt, lock=True)
    if r is None:
        raise Conflict("deposit.refund_not_scheduled", "请先登记保证金退还事由和起算日")
    if r.refunded_at is not None:
        raise Conflict(
            "deposit.refunded",
            f"该单位的保证金已于{r.refunded_at.astimezone(clock.CHINA):%Y-%m-%d %H:%M}退还，不能重复退还",
        )
    reference = (reference or "").strip()
    if not reference:
        if not simbank.enabled():
            raise InvalidInput("deposit.reference_required", "请填写银行退款流水号", field="reference")
        reference = "SIMR" + sm2.random_bytes(10).hex().upper()
    r.interest = yuan(interest or "0", field="interest")
    if r.interest < 0:
        raise InvalidInput("deposit.interest_negative", "利息不能为负数", field="interest")
    r.refunded_at, r.reference = clock.now(), reference[:64]
    r.save(update_fields=["interest", "refunded_at", "reference"])
    audit.record(
        actor=actor,
        action="deposit.refund",
        object_type="deposits.refund",
        object_id=r.pk,
        summary={"lot": lot.code, "uscc": uscc, "attempt": r.attempt, "amount": str(r.amount),
                 "interest": str(r.interest),
                 "reference": r.reference, "overdue": clock.now() >= _deadline_end(r)},
        project_ref=lot.project.code,
        entity_ref=uscc,
    )  # fmt: skip
    return r


def _refund_of(lot, uscc: str, attempt: int | None, lock: bool = False) -> Refund | None:
    """The refund of ``attempt``; without one: the bidder's only refund on the lot, or the current
    attempt's when it has several (a bidder of several attempts)."""
    q = Refund.objects.filter(lot=lot, uscc=uscc)
    if lock:
        q = q.select_for_update()
    if attempt is not None:
        return q.filter(attempt=int(attempt)).first()
    rows = list(q.order_by("attempt"))
    if len(rows) <= 1:
        return rows[0] if rows else None
    current = current_attempt(lot)
    return next((r for r in rows if r.attempt == current), None)


def _deadline_end(r: Refund) -> dt.datetime:
    return policy.end_of_day(r.deadline, clock.CHINA)


def refunds_overdue_check(now: dt.datetime | None = None) -> int:
    """Tick hook: one supervision warning per refund past its deadline, raised once (idempotent,
    safe to run concurrently: a conditional update decides who raises it). Returns how many."""
    now = now or clock.now()
    today = now.astimezone(clock.CHINA).date()
    raised = 0
    due = Refund.objects.filter(refunded_at__isnull=True, overdue_warned_at__isnull=True, deadline__lt=today)
    for pk in list(due.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            if not Refund.objects.filter(pk=pk, overdue_warned_at__isnull=True).update(overdue_warned_at=now):
                continue
            r = Refund.objects.select_related("lot__project").get(pk=pk)
            p = r.lot.project
            supervision.warning_raise(
                kind="other",
                region_code=p.region_code,
                category=p.category,
                message=(
                    f"标段（包）{r.lot.code}应于{r.deadline:%Y年%m月%d日}前退还{r.uscc}的保证金{r.amount}元，"
                    f"至今未退还（{r.basis}）"
                )
                .replace("年0", "年")
                .replace("月0", "月"),
                project_ref=p.code,
                lot_ref=r.lot.code,
                entity_uscc=r.uscc,
                details={
                    "check": "deposits.refund_overdue",
                    "refund": r.pk,
                    "deadline": r.deadline.isoformat(),
                },
            )
            raised += 1
    return raised


# --- applying to the price, forfeiting (auctions: docs/deposits.md "Applying and forfeiting") ---------
def _cash(lot, uscc: str, attempt: int) -> Decimal:
    sub = SubAccount.objects.filter(lot=lot, uscc=uscc, attempt=attempt).first()
    paid = Payment.objects.filter(sub_account=sub).aggregate(s=Sum("amount"))["s"] if sub else None
    return paid.quantize(policy.CENT) if paid else Decimal("0.00")


def _dispose(*, lot, uscc: str, kind: str, reason: str, basis: str, reference: str, price: Any,
             actor: Any, attempt: int) -> Disposal:  # fmt: skip
    require(actor, "trade.operate", lot)
    # serialise with callbacks
    SubAccount.objects.select_for_update().filter(lot=lot, uscc=uscc, attempt=attempt).first()
    paid = _cash(lot, uscc, attempt)
    if not paid:
        raise Conflict("deposit.nothing_to_dispose", "该单位未以转账方式缴纳保证金，无可处理的款项")
    if Refund.objects.filter(lot=lot, uscc=uscc, attempt=attempt).exists():
        raise Conflict("deposit.refund_scheduled", "该单位的保证金已登记退还，不能再抵作价款或不予退还")
    if Disposal.objects.filter(lot=lot, uscc=uscc, attempt=attempt).exists():
        raise Conflict("deposit.disposed", "该单位的保证金已经处理（抵作价款或不予退还）")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("deposit.reason_required", "请写明原因", field="reason")
    d = Disposal.objects.create(
        lot=lot, uscc=uscc, attempt=attempt, kind=kind, amount=paid, price=price, reference=(reference or "")[:64],
        reason=reason[:300], basis=(basis or "")[:200], at=clock.now(), by_label=_label(actor)[:200],
    )  # fmt: skip
    audit.record(
        actor=actor,
        action=f"deposit.{kind}",
        object_type="deposits.disposal",
        object_id=d.pk,
        summary={"lot": lot.code, "uscc": uscc, "attempt": attempt, "amount": str(paid),
                 "price": str(price) if price else None,
                 "reference": d.reference, "reason": d.reason, "basis": d.basis},
        project_ref=lot.project.code,
        entity_ref=uscc,
    )  # fmt: skip
    return d


@transaction.atomic
def deposit_apply_to_price(
    *, lot, uscc: str, price: Any, reference: str = "", actor: Any, attempt: int | None = None
) -> Disposal:
    """The winner's cash deposit (of ``attempt``, default the current) is applied to the price
    (竞买保证金抵作成交价款): recorded, never refunded. ``price`` is the transaction price; the
    deposit must not exceed it."""
    value = yuan(price, field="price")
    attempt = _attempt(lot, attempt)
    if _cash(lot, uscc, attempt) > value:
        raise InvalidInput("deposit.above_price", "保证金超过成交价，不能全额抵作价款", field="price")
    return _dispose(lot=lot, uscc=uscc, kind=DisposalKind.APPLIED, reason="竞得人（受让方）的保证金抵作成交价款",
                    basis="", reference=reference, price=value, actor=actor, attempt=attempt)  # fmt: skip


@transaction.atomic
def deposit_forfeit(
    *, lot, uscc: str, reason: str, basis: str = "", reference: str = "", actor: Any,
    attempt: int | None = None,
) -> Disposal:  # fmt: skip
    """A defaulter's deposit (of ``attempt``, default the current) is not refunded (不予退还), e.g.
    a winner who did not sign in time."""
    return _dispose(lot=lot, uscc=uscc, kind=DisposalKind.FORFEITED, reason=reason, basis=basis,
                    reference=reference, price=None, actor=actor, attempt=_attempt(lot, attempt))  # fmt: skip


# --- the simulated bank --------------------------------------------------------------------------
def simulate_payment(
    *, lot, uscc: str, amount: Any, actor: Any, payer_account: str = "", payer_name: str = "",
    txn_id: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Pay into a bidder's sub-account through the simulated bank: the callback is built, signed
    with the simulated bank's key and handled exactly as a real bank's (development and tests;
    refused in production). The operator (console button, command as SYSTEM) or the bidder itself."""
    if not simbank.enabled():
        raise simbank.SimulatorDisabled("deposit.simulator_disabled", "生产环境不能使用模拟银行")
    value = yuan(amount, field="amount")
    if value <= 0:
        raise InvalidInput("deposit.amount_positive", "金额应大于0", field="amount")
    entity = entity_selectors.entity_get(uscc)
    _acting_for(actor, lot, entity.uscc)
    sub = SubAccount.objects.filter(
        lot=lot, uscc=entity.uscc, attempt=current_attempt(lot)
    ).first() or sub_account_open(lot=lot, uscc=entity.uscc, actor=actor)
    bank = simulated_bank()
    earlier = Payment.objects.filter(bank=bank, txn_id=txn_id).first() if txn_id else None
    body = simbank.build(
        sub_account=sub.number,
        amount=value,
        txn_id=txn_id,
        paid_at=earlier.paid_at if earlier else None,  # a bank re-sending the same transaction
        payer_account=payer_account or entity.bank_account_no or "6222" + entity.uscc[-12:].replace("X", "0"),
        payer_name=payer_name or entity.bank_account_name or entity.name,
    )
    return bank_callback(body=body, bank_code=bank.code, signature=simbank.sign(body))
