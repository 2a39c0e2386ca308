"""Pages: the public receipt log and platform key; the console page of an entity's bid keys (thin)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ggzy.core.errors import DomainError
from ggzy.entities import selectors as entity_selectors
from ggzy.tendering import selectors, services


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def receipts(request: HttpRequest) -> HttpResponse:
    """Public: latest STH, the history, look up an entry with its inclusion proof, consistency."""
    latest = selectors.sth_latest()
    page = Paginator(selectors.sth_history(), 20).get_page(request.GET.get("page"))
    lookup, lookup_error, consist, consist_error = None, "", None, ""
    position, leaf_hash = request.GET.get("position", "").strip(), request.GET.get("leaf_hash", "").strip()
    if position or leaf_hash:
        try:
            if position and _int(position) is None:
                raise DomainError("receipt_log.bad_position", "日志位置应为非负整数")
            lookup = selectors.inclusion(position=_int(position), leaf_hash=leaf_hash)
        except DomainError as exc:
            lookup_error = exc.message
    first = request.GET.get("first", "").strip()
    if first:
        try:
            if _int(first) is None:
                raise DomainError("receipt_log.bad_size", "树大小应为正整数")
            consist = selectors.consistency(_int(first), _int(request.GET.get("second")))
        except DomainError as exc:
            consist_error = exc.message
    return render(
        request,
        "tendering/receipts.html",
        {
            "latest": latest,
            "page": page,
            "platform_key": selectors.platform_key(),
            "lookup": lookup,
            "lookup_error": lookup_error,
            "consist": consist,
            "consist_error": consist_error,
            "params": request.GET,
        },
    )


def platform_key(request: HttpRequest) -> HttpResponse:
    return render(request, "tendering/platform_key.html", {"platform_key": selectors.platform_key()})


def platform_key_pem(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(selectors.platform_key().pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'inline; filename="ggzy-platform-sm2.pem"'
    return response


@login_required
def keys(request: HttpRequest) -> HttpResponse:
    """Console: the signed-in entity administrator's bid keys: register, revoke, history."""
    entity = entity_selectors.entity_of_user(request.user)
    if entity is None or not selectors.can_manage_keys(request.user, entity):
        return render(
            request,
            "tendering/refused.html",
            {"message": "只有市场主体的管理员可以管理本主体的投标公钥"},
            status=403,
        )
    errors: dict[str, str] = {}
    values = {"public_key_pem": "", "label": ""}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "register":
                values = {k: request.POST.get(k, "") for k in values}
                row = services.bidder_key_register(entity=entity, actor=request.user, **values)
                messages.success(request, f"已登记公钥，指纹 {row.fingerprint[:16]}…")
                return redirect("tendering:keys")
            if action == "revoke":
                row = selectors.bidder_key_get(request.POST.get("fingerprint", ""))
                if row.entity_id != entity.pk:
                    raise DomainError("bidder_key.not_found", "未找到该公钥")
                services.bidder_key_revoke(key=row, reason=request.POST.get("reason", ""), actor=request.user)
                messages.success(request, f"已撤销公钥 {row.fingerprint[:16]}…")
                return redirect("tendering:keys")
        except DomainError as exc:
            if action == "register":
                field = exc.field or (exc.errors[0].field if exc.errors else None)
                errors[field or "general"] = exc.message
            else:
                messages.error(request, exc.message)
                return redirect("tendering:keys")
    return render(
        request,
        "tendering/keys.html",
        {"entity": entity, "keys": selectors.keys_of(entity), "errors": errors, "values": values},
    )


def opening_hall(request: HttpRequest, lot: str) -> HttpResponse:
    """Public: the live opening hall of a lot (WebSocket /ws/openings/<lot>/; state on every connect)."""
    import json

    from ggzy.trading import selectors as trading_selectors

    try:
        lt = trading_selectors.lot_get(lot)
    except DomainError as exc:
        return render(request, "tendering/refused.html", {"message": exc.message}, status=404)
    state = selectors.hall_state(lt)
    return render(
        request,
        "tendering/opening.html",
        {
            "lot": lt,
            "state": state,
            "state_json": json.dumps(state, ensure_ascii=False).replace("</", "<\\/"),
        },
    )
