"""Pages: browse the trail and run a verification (read-only)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import render

from ggzy.audit import scopes, selectors
from ggzy.core.errors import DomainError, NotAuthenticated
from ggzy.core.permissions import allowed, holds

PAGE_SIZE = 50


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filters_from(params) -> tuple[selectors.EventFilter, list[str]]:
    errors = []
    actor_raw = params.get("actor", "").strip()
    actor_id = _int(actor_raw)
    if actor_raw and actor_id is None:
        errors.append("操作人ID应为数字")
    since, until = _date(params.get("since")), _date(params.get("until"))
    if params.get("since") and since is None:
        errors.append("起始日期格式应为 YYYY-MM-DD")
    if params.get("until") and until is None:
        errors.append("截止日期格式应为 YYYY-MM-DD")
    f = selectors.EventFilter(
        project_ref=params.get("project", "").strip(),
        entity_ref=params.get("entity", "").strip(),
        actor_id=actor_id,
        object_type=params.get("object_type", "").strip(),
        object_id=params.get("object_id", "").strip(),
        action_prefix=params.get("action", "").strip(),
        since=since,
        until=until,
    )
    return f, errors


@login_required
def trail(request):
    """The whole trail for inspectors and auditors; for a supervisor (``audit.view`` within the
    supervision scope) the trail of one project it supervises, asked for by its number."""
    full = selectors.can_browse_all(request.user)
    if not full and not holds(request.user, "audit.view"):
        raise DjangoPermissionDenied("无权查阅全流程留痕记录")
    f, errors = filters_from(request.GET)
    page_no = max(1, _int(request.GET.get("page")) or 1)
    page, scope, status = None, None, 200
    try:
        if not full and f.project_ref:
            scope = scopes.resolve("project", f.project_ref)
        if full or scope is not None:
            page = selectors.list_events(
                actor=request.user, filters=f, page=page_no, page_size=PAGE_SIZE, scope=scope
            )
    except NotAuthenticated as exc:  # pragma: no cover - login_required comes first
        raise DjangoPermissionDenied(exc.message) from exc
    except DomainError as exc:
        errors.append(exc.message)
        status = exc.status if exc.status in (403, 404) else 422
    rows = [(e, selectors.summary_lines(e.summary)) for e in page.events] if page else []
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/trail.html",
        {
            "rows": rows,
            "page": page,
            "filters": f,
            "params": request.GET,
            "errors": errors,
            "query": query.urlencode(),
            "can_verify": allowed(request.user, "audit.verify"),
            "scoped": not full,
            "scope": scope,
        },
        status=status,
    )


@login_required
def verify(request):
    if not allowed(request.user, "audit.verify"):
        raise DjangoPermissionDenied("无权校验审计链")
    result = None
    error = None
    if request.method == "POST":
        try:
            result = selectors.verify_chain(
                actor=request.user,
                from_seq=_int(request.POST.get("from_seq")),
                to_seq=_int(request.POST.get("to_seq")),
            )
        except DomainError as exc:
            error = exc.message
    ctx = {
        "result": result,
        "error": error,
        "params": request.POST,
        "can_browse": selectors.can_browse_all(request.user),
    }
    return render(request, "audit/verify.html", ctx)
