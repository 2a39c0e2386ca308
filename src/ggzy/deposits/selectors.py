"""Reads of the deposits app. The interface other apps call (docs/deposits.md):

- ``deposit_status(lot, uscc, at=None, attempt=None) -> DepositStatus``
- ``deposit_satisfied(lot, uscc, at=None, attempt=None) -> bool``
- ``payer_accounts(lot, viewer=SYSTEM)`` (supervision only: never public, never to other bidders)

and the views' reads with their access checks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from ggzy.core import clock
from ggzy.core.errors import NotFound
from ggzy.core.permissions import SYSTEM, allowed, require
from ggzy.deposits import policy
from ggzy.deposits.models import (
    Disposal,
    Guarantee,
    GuaranteeStatus,
    Payment,
    Refund,
    Requirement,
    SubAccount,
)
from ggzy.entities import selectors as entity_selectors
from ggzy.trading import selectors as trading

STATES = {
    "not_required": "无需缴纳",
    "unpaid": "未缴纳",
    "insufficient": "到账不足",
    "paid": "已足额到账",
    "guaranteed": "已提交电子保函（核验通过）",
    "refund_due": "待退还",
    "refunded": "已退还",
    "applied": "已抵作成交价款",
    "forfeited": "不予退还（已没收）",
}


@dataclass(frozen=True)
class DepositStatus:
    required: bool  # the lot requires a deposit
    amount: Decimal | None  # how much
    satisfied: bool  # paid in full or covered by a verified, valid guarantee (True when not required)
    paid_amount: Decimal  # cash received into the bidder's sub-account
    method: str  # "" | cash | guarantee
    state: str  # STATES key
    state_label: str
    sub_account: str  # "" before the bidder asked for one
    refund_deadline: dt.date | None = None
    refunded: bool = False
    attempt: int = 1  # the attempt this deposit belongs to (auctions listed again: 第n次挂牌)

    @property
    def label(self) -> str:
        return self.state_label


def lot_get(code: str):
    return trading.lot_get(code)


def requirement_of(lot) -> Requirement | None:
    return Requirement.objects.filter(lot=lot).first()


def current_attempt(lot) -> int:
    """The lot's current deposit attempt (1 unless a relisted auction started another)."""
    return Requirement.objects.filter(lot=lot).values_list("attempt", flat=True).first() or 1


def _paid(lot, uscc: str, at: dt.datetime | None, attempt: int) -> tuple[SubAccount | None, Decimal]:
    sub = SubAccount.objects.filter(lot=lot, uscc=uscc, attempt=attempt).first()
    if sub is None:
        return None, Decimal("0.00")
    q = Payment.objects.filter(sub_account=sub)
    if at is not None:
        q = q.filter(received_at__lte=at)
    return sub, (q.aggregate(s=Sum("amount"))["s"] or Decimal(0)).quantize(policy.CENT)


def _guarantee_ok(lot, uscc: str, amount: Decimal, at: dt.datetime | None, attempt: int) -> bool:
    day = (at or clock.now()).astimezone(clock.CHINA).date()
    q = Guarantee.objects.filter(
        lot=lot, uscc=uscc, attempt=attempt, status=GuaranteeStatus.VERIFIED, amount__gte=amount,
        valid_from__lte=day, valid_until__gte=day,
    )  # fmt: skip
    if at is not None:
        q = q.filter(verified_at__lte=at)
    return q.exists()


def deposit_status(
    lot, uscc: str, at: dt.datetime | None = None, attempt: int | None = None
) -> DepositStatus:
    """Where a bidder stands on ``lot``'s deposit (as of ``at``: payments received and guarantees
    verified by then; default now) for ``attempt`` (default the lot's current one; an auction
    listed again has one deposit per attempt). No permission check: for other apps' services."""
    req = requirement_of(lot)
    attempt = (req.attempt if req else 1) if attempt is None else int(attempt)
    sub, paid = _paid(lot, uscc, at, attempt)
    number = sub.number if sub else ""
    refund = Refund.objects.filter(lot=lot, uscc=uscc, attempt=attempt).first()
    extra = {"refund_deadline": refund.deadline if refund else None,
             "refunded": bool(refund and refund.refunded_at), "attempt": attempt}  # fmt: skip
    if req is None:
        return DepositStatus(
            False, None, True, paid, "", "not_required", STATES["not_required"], number, **extra
        )
    if paid >= req.amount:
        state, method, ok = "paid", "cash", True
    elif req.guarantee_allowed and _guarantee_ok(lot, uscc, req.amount, at, attempt):
        state, method, ok = "guaranteed", "guarantee", True
    elif paid > 0:
        state, method, ok = "insufficient", "cash", False
    else:
        state, method, ok = "unpaid", "", False
    if refund is not None:
        state = "refunded" if refund.refunded_at else "refund_due"
    disposal = Disposal.objects.filter(lot=lot, uscc=uscc, attempt=attempt).first()
    if disposal is not None:
        state = disposal.kind
    return DepositStatus(True, req.amount, ok, paid, method, state, STATES[state], number, **extra)


def deposit_satisfied(lot, uscc: str, at: dt.datetime | None = None, attempt: int | None = None) -> bool:
    """True when ``lot`` requires no deposit, or the bidder's (for ``attempt``, default the
    current) is paid in full or guaranteed."""
    return deposit_status(lot, uscc, at, attempt).satisfied


def payer_accounts(lot, viewer: Any = SYSTEM) -> list[dict[str, Any]]:
    """Payer accounts of ``lot``'s deposits, grouped by account, the shared ones first (several
    bidders paying from one account: 招标投标法实施条例第四十条第六项). Supervisors only."""
    require(viewer, "trade.supervise", lot)
    groups: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"usccs": set(), "names": set(), "payments": 0, "attempts": defaultdict(set)}
    )
    rows = Payment.objects.filter(sub_account__lot=lot).select_related("sub_account")
    for p in rows:
        g = groups[p.payer_account]
        g["usccs"].add(p.sub_account.uscc)
        g["attempts"][p.sub_account.attempt].add(p.sub_account.uscc)
        g["names"].add(p.payer_name)
        g["payments"] += 1
        g["bank"] = p.payer_bank
    out = [
        {"payer_account": acc, "payer_names": sorted(g["names"]), "payer_bank": g.get("bank", ""),
         "usccs": sorted(g["usccs"]), "payments": g["payments"],
         # shared: several bidders of one attempt (a bidder of two attempts is not "shared")
         "shared": any(len(u) > 1 for u in g["attempts"].values())}
        for acc, g in groups.items()
    ]  # fmt: skip
    return sorted(out, key=lambda r: (not r["shared"], r["payer_account"]))


# --- views ---------------------------------------------------------------------------------------
def can_operate(viewer: Any, lot) -> bool:
    return allowed(viewer, "trade.operate", lot)


def can_supervise(viewer: Any, lot) -> bool:
    return allowed(viewer, "trade.supervise", lot)


def lot_overview(lot, viewer: Any) -> dict[str, Any]:
    """Everything about a lot's deposits for its operators (and its supervisors, with payer accounts)."""
    operate, supervise = can_operate(viewer, lot), can_supervise(viewer, lot)
    if not (operate or supervise):
        require(viewer, "trade.operate", lot)
    from ggzy.deposits.services import cap_of

    req = requirement_of(lot)
    now = clock.now()
    subs = list(SubAccount.objects.filter(lot=lot).order_by("-attempt", "opened_at", "id"))
    refunds = {(r.uscc, r.attempt): r for r in Refund.objects.filter(lot=lot)}
    bidders = []
    for s in subs:  # one row per bidder and attempt, the current attempt first
        st = deposit_status(lot, s.uscc, attempt=s.attempt)
        r = refunds.get((s.uscc, s.attempt))
        bidders.append({
            "uscc": s.uscc, "name": s.entity_name, "sub_account": s.number, "status": st, "attempt": s.attempt,
            "refund": r, "overdue": bool(r and not r.refunded_at and now >= policy.end_of_day(r.deadline, clock.CHINA)),
        })  # fmt: skip
    payments = list(Payment.objects.filter(sub_account__lot=lot).select_related("sub_account", "bank"))
    return {
        "lot": lot,
        "requirement": req,
        "cap": cap_of(lot),
        "bidders": bidders,
        "payments": payments,
        "guarantees": list(Guarantee.objects.filter(lot=lot)),
        "refunds": list(refunds.values()),
        "attempt": req.attempt if req else 1,
        "payer_accounts": payer_accounts(lot, viewer) if supervise else None,
        "can_operate": operate,
        "can_supervise": supervise,
        "reasons": policy.REASONS,
    }


def bidder_view(lot, uscc: str, viewer: Any) -> dict[str, Any]:
    """A bidder's own sub-account, payments (amounts and times only) and status."""
    own = entity_selectors.entity_of_user(viewer)
    if (own is None or own.uscc != uscc) and not can_operate(viewer, lot):
        from ggzy.core.errors import PermissionDenied

        raise PermissionDenied("deposit.not_yours", "只能查看和办理本单位的保证金")
    attempt = current_attempt(lot)
    sub = SubAccount.objects.filter(lot=lot, uscc=uscc, attempt=attempt).first()
    return {
        "lot": lot,
        "uscc": uscc,
        "attempt": attempt,
        "requirement": requirement_of(lot),
        "status": deposit_status(lot, uscc),
        "sub_account": sub,
        "payments": list(
            Payment.objects.filter(sub_account=sub).only("amount", "paid_at", "received_at", "txn_id")
        )
        if sub
        else [],
        "guarantees": list(Guarantee.objects.filter(lot=lot, uscc=uscc, attempt=attempt)),
        # earlier attempts of a relisted auction: their own deposits, refunds and states
        "earlier": [deposit_status(lot, uscc, attempt=n) for n in
                    SubAccount.objects.filter(lot=lot, uscc=uscc, attempt__lt=attempt)
                    .order_by("-attempt").values_list("attempt", flat=True)],
    }  # fmt: skip


def my_lots(viewer: Any) -> list[dict[str, Any]]:
    """The lots an entity account has a sub-account or guarantee on."""
    own = entity_selectors.entity_of_user(viewer)
    if own is None:
        return []
    subs = SubAccount.objects.filter(uscc=own.uscc).select_related("lot__project")
    return [
        {"lot": s.lot, "sub_account": s.number, "attempt": s.attempt,
         "status": deposit_status(s.lot, own.uscc, attempt=s.attempt)}
        for s in subs.order_by("lot_id", "-attempt")
    ]  # fmt: skip


def console_lots(viewer: Any) -> list[dict[str, Any]]:
    """Lots with a deposit requirement the viewer operates or supervises."""
    rows = Requirement.objects.select_related("lot__project").order_by("-set_at")[:500]
    return [
        {"lot": r.lot, "requirement": r, "subs": SubAccount.objects.filter(lot=r.lot).count()}
        for r in rows
        if can_operate(viewer, r.lot) or can_supervise(viewer, r.lot)
    ]


def guarantee_get(pk: int) -> Guarantee:
    g = Guarantee.objects.select_related("lot__project").filter(pk=pk).first()
    if g is None:
        raise NotFound("deposit.guarantee_not_found", "未找到该电子保函")
    return g


# --- API shapes ----------------------------------------------------------------------------------
def status_out(lot, uscc: str, st: DepositStatus | None = None) -> dict[str, Any]:
    st = st or deposit_status(lot, uscc)
    return {"lot": lot.code, "uscc": uscc, **{k: getattr(st, k) for k in (
        "attempt", "required", "amount", "satisfied", "paid_amount", "method", "state", "state_label",
        "sub_account", "refund_deadline", "refunded")}}  # fmt: skip


def requirement_out(req: Requirement | None) -> dict[str, Any] | None:
    if req is None:
        return None
    return {"lot": req.lot.code, "amount": req.amount, "cap": req.cap, "cap_explanation": req.cap_explanation,
            "guarantee_allowed": req.guarantee_allowed, "set_at": req.set_at, "version": req.version,
            "attempt": req.attempt}  # fmt: skip


def guarantee_out(g: Guarantee) -> dict[str, Any]:
    return {"id": g.pk, "lot": g.lot.code, "uscc": g.uscc, "issuer": g.issuer, "number": g.number,
            "amount": g.amount, "valid_from": g.valid_from, "valid_until": g.valid_until, "status": g.status,
            "status_label": g.get_status_display(), "note": g.note}  # fmt: skip


def refund_out(r: Refund) -> dict[str, Any]:
    overdue = r.refunded_at is None and clock.now() >= policy.end_of_day(r.deadline, clock.CHINA)
    return {"lot": r.lot.code, "uscc": r.uscc, "attempt": r.attempt, "amount": r.amount, "reason": r.reason,
            "reason_label": policy.REASONS.get(r.reason, r.reason), "due_from": r.due_from, "deadline": r.deadline,
            "days": r.days, "kind": r.kind, "basis": r.basis, "provisional": r.provisional,
            "refunded_at": r.refunded_at, "reference": r.reference, "interest": r.interest, "overdue": overdue}  # fmt: skip


def lot_out(lot, viewer: Any) -> dict[str, Any]:
    o = lot_overview(lot, viewer)
    return {
        "lot": lot.code,
        "requirement": requirement_out(o["requirement"]),
        "cap": o["cap"].amount,
        "cap_explanation": o["cap"].explanation,
        "bidders": [status_out(lot, b["uscc"], b["status"]) for b in o["bidders"]],
        "guarantees": [guarantee_out(g) for g in o["guarantees"]],
        "refunds": [refund_out(r) for r in o["refunds"]],
    }


def bidder_out(lot, uscc: str, viewer: Any) -> dict[str, Any]:
    v = bidder_view(lot, uscc, viewer)
    return {
        "status": status_out(lot, uscc, v["status"]),
        "earlier": [status_out(lot, uscc, st) for st in v["earlier"]],
        "payments": [{"txn_id": p.txn_id, "amount": p.amount, "paid_at": p.paid_at, "received_at": p.received_at}
                     for p in v["payments"]],
        "guarantees": [guarantee_out(g) for g in v["guarantees"]],
    }  # fmt: skip


def refund_get(lot, uscc: str, attempt: int | None = None) -> Refund:
    from ggzy.deposits.services import _refund_of

    r = _refund_of(lot, uscc, attempt)
    if r is None:
        raise NotFound("deposit.refund_not_found", "未找到该单位的保证金退还记录")
    return r
