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
    # the evaluation room is linked once it exists (or for the lot's operators, who start it there):
    # before that it answers everyone else that evaluation has not begun
    from ggzy.evaluation import selectors as evaluation_selectors

    room = request.user.is_authenticated and (
        evaluation_selectors.evaluation_get(lt) is not None
        or trading_selectors.can_operate(request.user, lt.project)
    )
    return render(
        request,
        "tendering/opening.html",
        {
            "lot": lt,
            "room": room,
            "state": state,
            "state_json": json.dumps(state, ensure_ascii=False).replace("</", "<\\/"),
        },
    )


# --- tender documents (console; docs/tendering.md "Tender documents") ---------------------------------
def _documents_page(request: HttpRequest, lot, form=None, status: int = 200) -> HttpResponse:
    from ggzy.core.permissions import allowed
    from ggzy.tendering import documents as docs
    from ggzy.tendering.forms import DocumentPublishForm
    from ggzy.trading import selectors as trading_selectors

    user = request.user
    can_publish = allowed(user, "trade.operate", lot)
    can_see = docs.can_see_downloads(user, lot)
    return render(
        request,
        "tendering/documents.html",
        {
            "lot": lot,
            "project": lot.project,
            "documents": docs.documents_of(lot),
            "can_publish": can_publish,
            "form": form or (DocumentPublishForm(max_size=docs.MAX_SIZE) if can_publish else None),
            "entity": entity_selectors.entity_of_user(user),
            # who downloaded: supervision and oversight only (招标投标法第二十二条), never other bidders
            "downloads": docs.downloads_of(lot, user) if can_see else None,
            "notices": trading_selectors.lot_notices(
                lot, ("tender", "prequalification", "amendment", "clarification")
            ),
            "can_operate_project": trading_selectors.can_operate(user, lot.project),
        },
        status=status,
    )


@login_required
def lot_documents(request: HttpRequest, lot: str) -> HttpResponse:
    """Console: a lot's tender documents. The service center's operator publishes them (with the
    notice) and sees the versions; a member of a market entity downloads them (each download is
    recorded against its entity); supervisors see the download records, nobody else does."""
    from ggzy.tendering import documents as docs
    from ggzy.tendering.forms import DocumentPublishForm
    from ggzy.trading import selectors as trading_selectors

    try:
        lt = trading_selectors.lot_get(lot)
    except DomainError as exc:
        return render(request, "tendering/refused.html", {"message": exc.message}, status=404)
    if request.method != "POST":
        return _documents_page(request, lt)
    form = DocumentPublishForm(request.POST, request.FILES, max_size=docs.MAX_SIZE)
    if not form.is_valid():
        return _documents_page(request, lt, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        doc = docs.document_publish(
            lot=lt,
            name=form.cleaned_data["name"],
            filename=upload.name or "",
            data=upload.read(),
            actor=request.user,
        )
    except DomainError as exc:
        if exc.status == 403:
            return render(request, "tendering/refused.html", {"message": exc.message}, status=403)
        form.show_error(exc)
        return _documents_page(request, lt, form, status=exc.status)
    messages.success(request, f"已发布“{doc.name}”（{doc.filename}），SM3 {doc.sm3[:16]}…")
    return redirect("tendering:documents", lot=lt.code)


@login_required
def document_download(request: HttpRequest, document_id: int) -> HttpResponse:
    """A market entity's member downloads a document (POST: the download is recorded)."""
    from django.http import FileResponse

    from ggzy.tendering import documents as docs

    if request.method != "POST":
        return render(
            request, "tendering/refused.html", {"message": "请在招标文件页面点击“下载”按钮"}, status=405
        )
    try:
        doc, path = docs.document_download(
            document_id=document_id, actor=request.user, client_ip=request.META.get("REMOTE_ADDR") or None
        )
    except DomainError as exc:
        return render(request, "tendering/refused.html", {"message": exc.message}, status=exc.status)
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=doc.filename)  # noqa: SIM115
    response["X-Content-SM3"] = doc.sm3
    return response


@login_required
def document_downloads_csv(request: HttpRequest, lot: str) -> HttpResponse:
    """Supervisors: the lot's download records as CSV; everyone else is refused."""
    import csv

    from ggzy.tendering import documents as docs
    from ggzy.trading import selectors as trading_selectors

    try:
        lt = trading_selectors.lot_get(lot)
        rows = docs.downloads_of(lt, request.user)
    except DomainError as exc:
        return render(request, "tendering/refused.html", {"message": exc.message}, status=exc.status)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{lt.code}-downloads.csv"'
    response.write("\ufeff")
    out = csv.writer(response)
    out.writerow(["文件", "SM3", "统一社会信用代码", "单位", "经办人", "下载时间", "IP"])
    for r in rows:
        out.writerow([r["document"], r["sm3"], r["uscc"], r["entity"], r["user"],
                      r["at"].isoformat(), r["client_ip"]])  # fmt: skip
    return response
