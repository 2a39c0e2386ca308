"""Operator pages of auctions (thin; docs/auctions.md "Console"): the list of one's auctions and
creating one for a lot; per auction the registrations (review, deposits from the deposits app,
confirmation of arrival), the result and the confirmation; and the public verification page of
a confirmation. Every change goes through a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ggzy.accounts.selectors import role_holds
from ggzy.auctions import contracts, results, selectors, services, settlement
from ggzy.auctions.models import Mode, Phase
from ggzy.core.errors import DomainError, InvalidInput
from ggzy.trading import selectors as trading

CREATE_FIELDS = (
    "mode", "title", "starting_price", "increment", "deposit", "reserve_price", "price_cap", "starts_at",
    "listing_ends_at", "hard_stop_at", "countdown_seconds", "round_seconds", "dutch_step", "dutch_floor",
)  # fmt: skip


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = exc.status if exc.status in (401, 403, 404) else 403
    return render(request, "auctions/refused.html", {"error": exc}, status=status)


@login_required
def console(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        data = {k: request.POST.get(k, "").strip() for k in CREATE_FIELDS if request.POST.get(k, "").strip()}
        try:
            lot = trading.lot_get(request.POST.get("lot", "").strip().upper())
            a = settlement.auction_setup(lot=lot, data=data, actor=request.user)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, f"已设立“{a.title}”（第{a.attempt}次）。")
            return redirect("auctions:console_auction", pk=a.pk)
    ctx = {
        "rows": results.auctions_for_console(request.user),
        "modes": Mode.choices,
        "error": error,
        "post": request.POST,
        "can_create": role_holds(request.user.role, "trade.operate"),
    }
    return render(request, "auctions/console.html", ctx, status=422 if error else 200)


@login_required
def console_auction(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        a = selectors.auction_get(pk)
        results.require_staff(request.user, a)
    except DomainError as exc:
        return _refused(request, exc)
    error = None
    if request.method == "POST":
        try:
            _act(request, a)
        except DomainError as exc:
            error = exc
        else:
            return redirect(request.path)
    a = services.auction_refresh(auction=selectors.auction_get(pk))
    ctx = {
        "a": a,
        "error": error,
        "can_operate": results.may_operate(request.user, a),
        "registrations": results.registrations_of(a, request.user),
        "result": results.result_of(a) if a.phase == Phase.CLOSED else None,
        "relistable": settlement.relistable(a),
        "settled_at": settlement.settled_at(a) if a.phase == Phase.CLOSED else None,
        "notice_missing": a.phase == Phase.CLOSED and not settlement.published_result_notice(a),
    }
    return render(request, "auctions/console_auction.html", ctx, status=422 if error else 200)


def _act(request: HttpRequest, a) -> None:
    p, user, action = request.POST, request.user, request.POST.get("action", "")
    if action == "review":
        services.registration_review(registration=results.registration_get(p.get("registration")),
                                     approve=p.get("approve") == "1", note=p.get("note", ""), actor=user)  # fmt: skip
        messages.success(request, "资格审查结果已登记。")
    elif action == "deposit":
        r = results.registration_get(p.get("registration"))
        if p.get("reference", "").strip():
            services.deposit_confirm(registration=r, reference=p.get("reference", ""), actor=user)
        else:
            settlement.deposit_check(registration=r, actor=user)
        messages.success(request, "保证金到账已确认。")
    elif action == "advance":
        settlement.auction_advance(auction=a, actor=user)
        messages.success(request, "已按服务器时间推进。")
    elif action == "sign":
        settlement.confirmation_sign(confirmation=results.confirmation_get(p.get("code", "")), actor=user)
        messages.success(request, "已登记竞得人签订成交确认书，竞买保证金抵作成交价款。")
    elif action == "contract":
        c = contracts.contract_record(
            confirmation=results.confirmation_get(p.get("code", "")),
            contract_no=p.get("contract_no", ""),
            amount=p.get("amount", ""),
            signed_on=p.get("signed_on", ""),
            actor=user,
        )
        messages.success(request, f"已登记{c.name}（{c.contract_no}），合同公告{c.notice_number}已发布。")
    elif action == "settle":
        settlement.settlement_retry(auction=a, actor=user)
        messages.success(request, "竞价结果已办结：成交确认书、保证金退还、标段状态和结果公告已按结果办理。")
    elif action == "relist":
        data = {
            k: p.get(k, "").strip()
            for k in ("starts_at", "starting_price", "listing_ends_at", "dutch_floor")
            if p.get(k, "").strip()
        }
        b = settlement.auction_list_again(auction=a, data=data, actor=user)
        messages.success(request, f"已重新挂牌（第{b.attempt}次）。")
    else:
        raise InvalidInput("auction.action_unknown", "未知的操作", field="action")


def confirmation_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: check a confirmation with the platform's public key (stored copy or an upload)."""
    try:
        upload = request.FILES.get("pdf") if request.method == "POST" else None
        data = upload.read(5_000_000) if upload else None
        r = results.confirmation_verify(code, data)
    except DomainError as exc:
        return _refused(request, exc)
    return render(request, "auctions/verify.html", {"r": r, "uploaded": upload is not None})


def confirmation_pdf(request: HttpRequest, code: str) -> HttpResponse:
    try:
        c = results.confirmation_get(code)
    except DomainError as exc:
        return _refused(request, exc)
    resp = HttpResponse(bytes(c.pdf), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{c.code}.pdf"'
    return resp
