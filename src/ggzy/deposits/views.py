"""Pages of deposits (thin): the operator's console per lot (supervisors see payer accounts), and a
bidder's own sub-accounts. Every change goes through a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ggzy.core.errors import DomainError, InvalidInput
from ggzy.core.params import posted_id
from ggzy.deposits import selectors, services, simbank
from ggzy.entities import selectors as entity_selectors


def _refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "deposits/refused.html", {"message": message}, status=status)


@login_required
def console(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("lot", "").strip()
    if code:
        return redirect("deposits:console_lot", code=code.upper())
    return render(request, "deposits/console.html", {"rows": selectors.console_lots(request.user)})


@login_required
def console_lot(request: HttpRequest, code: str) -> HttpResponse:
    try:
        lot = selectors.lot_get(code)
        error = None
        if request.method == "POST":
            try:
                _console_action(request, lot)
            except DomainError as exc:
                if isinstance(exc, InvalidInput) or exc.status in (409, 422):
                    error = exc
                else:
                    raise
            else:
                return redirect(request.path)
        context = selectors.lot_overview(lot, request.user)
    except DomainError as exc:
        return _refused(request, exc.message, 404 if exc.status == 404 else 403)
    context.update({"error": error, "post": request.POST, "simulator": simbank.enabled()})
    return render(request, "deposits/console_lot.html", context)


def _console_action(request: HttpRequest, lot) -> None:
    post, action, user = request.POST, request.POST.get("action", ""), request.user
    if action == "requirement":
        req = services.deposit_requirement_set(
            lot=lot,
            amount=post.get("amount", ""),
            guarantee_allowed=bool(post.get("guarantee_allowed")),
            actor=user,
        )
        messages.success(request, f"保证金已设定为{req.amount}元。")
    elif action == "simulate":
        ans = services.simulate_payment(
            lot=lot, uscc=post.get("uscc", ""), amount=post.get("amount", ""),
            payer_account=post.get("payer_account", ""), actor=user,
        )  # fmt: skip
        messages.success(request, f"模拟银行已付款：{ans['message']}")
    elif action == "verify":
        g = selectors.guarantee_get(posted_id(post.get("guarantee"), field="guarantee", what="保函"))
        if g.lot_id != lot.pk:
            raise InvalidInput("deposit.guarantee_not_found", "该保函不属于本标段（包）")
        g = services.guarantee_verify(
            guarantee=g, approve=post.get("approve") == "1", note=post.get("note", ""), actor=user
        )
        messages.success(request, f"保函{g.number}：{g.get_status_display()}。")
    elif action == "refund_due":
        r = services.deposit_refund_due(
            lot=lot, uscc=post.get("uscc", ""), reason=post.get("reason", ""), due_from=post.get("due_from", ""),
            actor=user, attempt=_attempt_field(post),
        )  # fmt: skip
        messages.success(request, f"已登记，最迟应于{r.deadline:%Y-%m-%d}退还（{r.basis}）。")
    elif action == "refund":
        r = services.deposit_refund(
            lot=lot,
            uscc=post.get("uscc", ""),
            reference=post.get("reference", ""),
            actor=user,
            attempt=_attempt_field(post),
        )
        messages.success(request, f"已登记退还，流水号{r.reference}。")
    else:
        raise InvalidInput("deposit.bad_action", "未知的操作")


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    own = entity_selectors.entity_of_user(request.user)
    if own is None:
        return _refused(request, "只有市场主体的经办人可以查看本单位的保证金")
    code = request.GET.get("lot", "").strip()
    if code:
        return redirect("deposits:mine_lot", code=code.upper())
    return render(request, "deposits/mine.html", {"entity": own, "rows": selectors.my_lots(request.user)})


@login_required
def mine_lot(request: HttpRequest, code: str) -> HttpResponse:
    own = entity_selectors.entity_of_user(request.user)
    if own is None:
        return _refused(request, "只有市场主体的经办人可以查看本单位的保证金")
    error = None
    try:
        lot = selectors.lot_get(code)
        if request.method == "POST":
            try:
                _mine_action(request, lot, own.uscc)
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                error = exc
            else:
                return redirect(request.path)
        context = selectors.bidder_view(lot, own.uscc, request.user)
    except DomainError as exc:
        return _refused(request, exc.message, 404 if exc.status == 404 else 403)
    context.update({"entity": own, "error": error, "post": request.POST, "simulator": simbank.enabled()})
    return render(request, "deposits/mine_lot.html", context)


def _mine_action(request: HttpRequest, lot, uscc: str) -> None:
    post, action, user = request.POST, request.POST.get("action", ""), request.user
    if action == "open":
        sub = services.sub_account_open(lot=lot, uscc=uscc, actor=user)
        messages.success(request, f"本单位的保证金子账号：{sub.number}")
    elif action == "guarantee":
        services.guarantee_record(
            lot=lot, uscc=uscc, issuer=post.get("issuer", ""), number=post.get("number", ""),
            amount=post.get("amount", ""), valid_from=post.get("valid_from", ""),
            valid_until=post.get("valid_until", ""), actor=user,
        )  # fmt: skip
        messages.success(request, "电子保函已登记，待交易服务中心核验。")
    elif action == "simulate":
        ans = services.simulate_payment(lot=lot, uscc=uscc, amount=post.get("amount", ""), actor=user)
        messages.success(request, f"模拟银行已付款：{ans['message']}")
    else:
        raise InvalidInput("deposit.bad_action", "未知的操作")


def _attempt_field(post) -> int | None:
    raw = (post.get("attempt") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise InvalidInput("deposit.attempt_invalid", "挂牌次数应为正整数", field="attempt")
    return int(raw)
