"""Reads of an auction's result and of the operator's console (a selectors module beside
``selectors.py``): confirmations and their verification, the result as each viewer may see it,
registrations with their deposits (docs/auctions.md "Results", "API", "Console")."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ggzy.auctions import contracts, selectors
from ggzy.auctions.models import Auction, Confirmation, ConfirmationStatus, Contract, Phase, Registration
from ggzy.core import clock
from ggzy.core.errors import NotFound, PermissionDenied
from ggzy.core.permissions import allowed
from ggzy.crypto import platform
from ggzy.deposits import selectors as deposits


def confirmation_get(code: str) -> Confirmation:
    c = (
        Confirmation.objects.select_related("auction__lot__project", "registration__entity")
        .filter(code=str(code))
        .first()
    )
    if c is None:
        raise NotFound("auction.confirmation_not_found", f"没有找到编号为“{code}”的成交确认书")
    return c


def confirmations_of(a: Auction) -> list[Confirmation]:
    return list(
        Confirmation.objects.filter(auction=a)
        .select_related("registration__entity", "auction__lot__project")
        .order_by("issued_at", "id")
    )


def confirmation_verify(code: str, pdf: bytes | None = None) -> dict[str, Any]:
    """Check a confirmation (the stored PDF, or one given) against the platform's SM2 signature
    with only the public key, and its SM3 digest against the record. Public."""
    c = confirmation_get(code)
    data = bytes(c.pdf) if pdf is None else pdf
    a = c.auction
    return {
        **platform.check_document(data, c.signature, c.pdf_sm3),
        "code": c.code,
        "auction": a.pk,
        "title": a.title,
        "lot": a.lot.code,
        "winner": c.registration.entity.name,
        "winner_uscc": c.registration.entity.uscc,
        "price": str(c.price),
        "premium_rate": str(c.premium_rate),
        "issued_at": c.issued_at,
        "status": c.status,
        "status_label": c.get_status_display(),
        "key_fingerprint": c.key_fingerprint,
        "public_key_pem": platform.public_pem(),
        "signature": c.signature,
    }


def confirmation_out(c: Confirmation, *, identities: bool = True) -> dict[str, Any]:
    """A confirmation as the result shows it. After the close the winner's name is public (it is in
    the result notice); the other bidders stay numbers."""
    return {
        "code": c.code,
        "number": c.registration.number,
        "winner": c.registration.entity.name if identities else None,
        "price": str(c.price),
        "premium_rate": str(c.premium_rate),
        "issued_at": c.issued_at,
        "sign_due_at": c.sign_due_at,
        "sign_basis": c.sign_basis,
        "sign_basis_confirmed": c.sign_basis_confirmed,
        "on_default": c.on_default,
        "status": c.status,
        "status_label": c.get_status_display(),
        "signed_at": c.signed_at,
        "outcome_note": c.outcome_note,
        "pdf_url": f"/auctions/confirmations/{c.code}/pdf/",
        "verify_url": f"/auctions/confirmations/{c.code}/verify/",
        "contract": contract_state(c),
    }


def contract_state(c: Confirmation) -> dict[str, Any] | None:
    """A signed confirmation's contract (docs/auctions.md "Contract"): the recorded one, or the
    deadline it is due by and whether that has passed; None before the confirmation is signed."""
    if c.status != ConfirmationStatus.SIGNED:
        return None
    found = Contract.objects.filter(confirmation=c).first()
    if found is not None:
        return {
            "recorded": True,
            "name": found.name,
            "contract_no": found.contract_no,
            "amount": str(found.amount),
            "signed_on": found.signed_on,
            "due_on": found.due_on,
            "basis": found.basis,
            "basis_confirmed": found.basis_confirmed,
            "late": found.late,
            "notice": found.notice_number,
            "overdue": False,
            "warned_at": c.contract_warned_at,
        }
    end, basis, basis_confirmed = contracts.deadline(c)
    return {
        "recorded": False,
        "name": contracts.name_of(c.auction),
        "contract_no": None,
        "amount": str(c.price),
        "signed_on": None,
        "due_on": contracts.last_day(end),
        "basis": basis,
        "basis_confirmed": basis_confirmed,
        "late": None,
        "notice": None,
        "overdue": clock.now() >= end,
        "warned_at": c.contract_warned_at,
    }


def result_of(a: Auction) -> dict[str, Any]:
    """The public result of a closed auction (a pending one: ``auction.not_closed``)."""
    if a.phase != Phase.CLOSED:
        from ggzy.core.errors import Conflict

        raise Conflict("auction.not_closed", "竞价尚未结束，没有结果")
    return {
        "auction": a.pk,
        "title": a.title,
        "result": a.result,
        "result_label": a.get_result_display(),
        "starting_price": str(a.starting_price),
        "final_price": str(a.final_price) if a.final_price is not None else None,
        "premium_rate": str(a.premium_rate) if a.premium_rate is not None else None,
        "reserve_price": str(a.reserve_price) if a.reserve_price is not None else None,  # revealed at the end
        "closed_at": a.closed_at,
        "bid_count": a.bid_count,
        "result_notice": a.result_notice,
        "confirmations": [confirmation_out(c) for c in confirmations_of(a)],
    }


# --- operators ----------------------------------------------------------------------------------------
def may_operate(user: Any, a: Auction) -> bool:
    return allowed(user, "trade.operate", a.lot.project)


def may_supervise(user: Any, a: Auction) -> bool:
    return allowed(user, "trade.supervise", a.lot.project)


def require_staff(user: Any, a: Auction) -> None:
    if not (may_operate(user, a) or may_supervise(user, a)):
        raise PermissionDenied(
            "auction.staff_only", "只有本项目的交易服务中心经办人员和监督人员可以查看报名情况"
        )


def auctions_for_console(user: Any) -> list[Auction]:
    """The auctions the account operates or supervises (newest first)."""
    rows = selectors.auctions_public()[:500]
    return [a for a in rows if may_operate(user, a) or may_supervise(user, a)]


def registrations_of(a: Auction, user: Any) -> list[dict[str, Any]]:
    """Registrations with their review, number and deposit (deposits app) — staff only. Real names
    are shown to the service center and supervisors, who qualify and watch the bidders."""
    require_staff(user, a)
    out = []
    for r in Registration.objects.filter(auction=a).select_related("entity").order_by("created_at", "id"):
        st = deposits.deposit_status(a.lot, r.entity.uscc, attempt=a.attempt)
        out.append(
            {
                "id": r.pk,
                "entity": r.entity.name,
                "uscc": r.entity.uscc,
                "status": r.status,
                "status_label": r.get_status_display(),
                "review_note": r.review_note,
                "number": r.number,
                "deposit_confirmed_at": r.deposit_confirmed_at,
                "deposit_reference": r.deposit_reference,
                "deposit_state": st.state,
                "deposit_state_label": st.state_label,
                "deposit_paid": str(st.paid_amount),
                "refund_deadline": st.refund_deadline,
                "applied_at": r.created_at,
            }
        )
    return out


def registration_get(pk: Any) -> Registration:
    try:
        return Registration.objects.select_related("auction__lot__project", "entity").get(pk=int(pk))
    except (Registration.DoesNotExist, TypeError, ValueError):
        raise NotFound("auction.registration_not_found", "没有找到该竞买报名") from None


def console_list(user: Any) -> QuerySet[Auction] | list[Auction]:
    return auctions_for_console(user)


def summaries(*, kind: str = "", phase: str = "", limit: int = 100) -> list[dict[str, Any]]:
    """The public list: titles, prices, times and results; no bidder, no reserve."""
    q = selectors.auctions_public()
    if kind:
        q = q.filter(kind=kind)
    if phase:
        q = q.filter(phase=phase)
    return [
        {
            "id": a.pk,
            "title": a.title,
            "kind": a.kind,
            "kind_label": a.get_kind_display(),
            "mode": a.mode,
            "mode_label": a.get_mode_display(),
            "phase": a.phase,
            "phase_label": a.get_phase_display(),
            "attempt": a.attempt,
            "starting_price": str(a.starting_price),
            "price": str(a.price) if a.price is not None else None,
            "bid_count": a.bid_count,
            "starts_at": a.starts_at,
            "deadline": a.deadline_at,
            "closed_at": a.closed_at,
            "result": a.result,
            "result_label": a.get_result_display() if a.result else "",
            "lot": a.lot.code,
            "region_code": a.lot.project.region_code,
        }
        for a in q[: max(1, min(int(limit), 500))]
    ]
