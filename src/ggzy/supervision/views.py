"""Console pages of electronic supervision (thin: selectors to read, services to write)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ggzy.accounts.selectors import role_holds
from ggzy.core.errors import DomainError
from ggzy.supervision import selectors, services


def _refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "supervision/refused.html", {"message": message}, status=status)


def _page(
    request: HttpRequest, *, error: str = "", error_id: int | None = None, status: int = 200
) -> HttpResponse:
    open_rows = selectors.open_warnings_for(request.user)
    handled = selectors.warnings_for(request.user, open_only=False).filter(handled_at__isnull=False)[:50]
    return render(
        request,
        "supervision/warnings.html",
        {"open_rows": open_rows, "handled": handled, "error": error, "error_id": error_id},
        status=status,
    )


@login_required
def warnings(request: HttpRequest) -> HttpResponse:
    if not role_holds(request.user.role, "trade.supervise"):
        return _refused(request, f"{request.user.get_role_display()}无权处理预警")
    return _page(request)


@login_required
@require_POST
def handle(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        warning = selectors.warning_get(pk, request.user)
        services.warning_handle(warning=warning, note=request.POST.get("note", ""), actor=request.user)
    except DomainError as exc:
        if exc.status == 403:
            return _refused(request, exc.message)
        return _page(request, error=exc.message, error_id=pk, status=exc.status)
    messages.success(request, "预警已处理。")
    return redirect("supervision:warnings")
