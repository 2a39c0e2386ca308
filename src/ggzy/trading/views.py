"""Pages of trade projects: the public list and project page, and the console (thin)."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import dateformat
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from ggzy.accounts.selectors import role_holds
from ggzy.core import clock
from ggzy.core.choices import Category
from ggzy.core.errors import DomainError, NotFound
from ggzy.core.models import Region
from ggzy.core.permissions import allowed
from ggzy.entities.selectors import entity_of_user
from ggzy.trading import notice_fields, selectors, services
from ggzy.trading.forms import LotAddForm, LotScheduleForm, NoticePublishForm, ProjectRegisterForm
from ggzy.trading.models import NoticeKind, ProjectStatus

PAGE_SIZE = 20


def _refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "trading/refused.html", {"message": message}, status=status)


def project_list(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    category = category if category in Category.values else ""
    status = request.GET.get("status", "")
    status = status if status in ProjectStatus.values else ""
    region = request.GET.get("region", "").strip()
    q = request.GET.get("q", "").strip()
    page = Paginator(
        selectors.project_search(category=category, region=region, status=status, q=q), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "trading/list.html",
        {
            "page": page,
            "category": category,
            "status": status,
            "region": region,
            "q": q,
            "query": query.urlencode(),
            "categories": Category.choices,
            "statuses": ProjectStatus.choices,
            "regions": Region.objects.filter(level__in=["province", "city"]).order_by("code"),
        },
    )


def _detail_context(project) -> dict:
    context = selectors.project_detail(project, schedule=True)
    context["region_name"] = Region.objects.filter(code=project.region_code).first()
    return context


def project_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        project = selectors.project_get(code)
    except NotFound as exc:
        return _refused(request, exc.message, 404)
    context = _detail_context(project)
    context["can_operate"] = selectors.can_operate(request.user, project)
    # supervisors of the project, inspectors and auditors: its events in the audit trail
    context["can_read_trail"] = allowed(request.user, "audit.view", selectors.project_scope(project))
    return render(request, "trading/detail.html", context)


@login_required
def console_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.projects_for_console(request.user)[:200]
    return render(
        request,
        "trading/console_list.html",
        {"rows": rows, "can_register": role_holds(request.user.role, "trade.register")},
    )


@login_required
def register(request: HttpRequest) -> HttpResponse:
    if not role_holds(request.user.role, "trade.register"):
        return _refused(request, f"{request.user.get_role_display()}无权登记交易项目")
    initial = {}
    own = entity_of_user(request.user)
    if own is not None:
        initial["tenderer_uscc"] = own.uscc
    if request.user.service_center_id:
        initial["service_center"] = str(request.user.service_center_id)
    form = ProjectRegisterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_register(data=form.service_data(), actor=request.user)
        except DomainError as exc:
            if exc.status == 403:
                form.add_error(None, exc.message)
            else:
                form.show_error(exc)
        else:
            messages.success(request, f"项目“{project.name}”已登记，项目编号{project.code}。")
            return redirect("trading:console_detail", code=project.code)
    return render(request, "trading/register.html", {"form": form})


def _console_page(request, project, *, lot_form=None, error="", error_lot="", status=200) -> HttpResponse:
    context = _detail_context(project)
    context.update(
        {
            "can_operate": selectors.can_operate(request.user, project),
            "can_add_lot": selectors.can_add_lot(request.user, project)
            and project.status == ProjectStatus.REGISTERED,
            "lot_form": lot_form or LotAddForm(),
            "error": error,
            "error_lot": error_lot,
        }
    )
    return render(request, "trading/console_detail.html", context, status=status)


def _project_for_console(request, code):
    try:
        project = selectors.project_get(code)
    except NotFound as exc:
        return None, _refused(request, exc.message, 404)
    if not (selectors.can_operate(request.user, project) or selectors.can_add_lot(request.user, project)):
        return None, _refused(request, f"{request.user.get_role_display()}无权办理项目“{project.name}”")
    return project, None


@login_required
def console_detail(request: HttpRequest, code: str) -> HttpResponse:
    project, refused = _project_for_console(request, code)
    if refused:
        return refused
    return _console_page(request, project)


@login_required
@require_POST
def lot_add(request: HttpRequest, code: str) -> HttpResponse:
    project, refused = _project_for_console(request, code)
    if refused:
        return refused
    form = LotAddForm(request.POST)
    form.is_valid()
    try:
        lot = services.lot_add(project=project, data=form.cleaned_data, actor=request.user)
    except DomainError as exc:
        form.show_error(exc)
        return _console_page(request, project, lot_form=form, status=exc.status)
    messages.success(request, f"已增加标段（包）“{lot.name}”，编号{lot.code}。")
    return redirect("trading:console_detail", code=project.code)


@login_required
@require_POST
def lot_transition(request: HttpRequest, code: str) -> HttpResponse:
    try:
        lot = selectors.lot_get(code)
    except NotFound as exc:
        return _refused(request, exc.message, 404)
    version = request.POST.get("version", "")
    try:
        moved = services.lot_transition(
            lot=lot,
            to=request.POST.get("to", ""),
            reason=request.POST.get("reason", ""),
            actor=request.user,
            expected_version=int(version) if version.isdigit() else None,
        )
    except DomainError as exc:
        if exc.status == 403:
            return _refused(request, exc.message)
        return _console_page(request, lot.project, error=exc.message, error_lot=lot.code, status=exc.status)
    label = selectors.table_of(moved.project).label(moved.status)
    messages.success(request, f"标段（包）“{moved.name}”已变为“{label}”。")
    return redirect("trading:console_detail", code=moved.project.code)


# --- notices (public) ----------------------------------------------------------------------------
def _cached(key: str, build):
    """A rendered public fragment, cached under ``key`` for ``GGZY_PAGE_CACHE_SECONDS``. Keys carry
    ``selectors.notices_version()``, so a newly published notice (or amendment) makes new keys at
    once; the timeout bounds what a notice committed out of id order could leave stale."""
    seconds = settings.GGZY_PAGE_CACHE_SECONDS
    if seconds <= 0:
        return build()
    return cache.get_or_set(key, build, seconds)


_SERVER_TIME = re.compile(rb'<time data-server-time datetime="[^"<>]*">[^<]*</time>')


def _with_server_time(html: bytes) -> bytes:
    """A cached page shows the server time of this response, not of the first render (the footer's
    clock is authoritative: the site shows the platform's time, never a stale one)."""
    now = clock.local_now()
    stamp = f'<time data-server-time datetime="{dateformat.format(now, "c")}">'
    stamp += f"{dateformat.format(now, 'Y-m-d H:i:s')}</time>"
    return _SERVER_TIME.sub(stamp.encode(), html, count=1)


def _visitor_page(request: HttpRequest, key: str, page) -> HttpResponse:
    """The whole page for a visitor who is not logged in, cached like the fragments: such a page is
    the same for every visitor (no user name, no CSRF token, no messages), and rendering the site
    layout (its links) costs more than the notice itself. Staff and bidders get a fresh render."""
    seconds = settings.GGZY_PAGE_CACHE_SECONDS
    if seconds <= 0 or request.user.is_authenticated or len(messages.get_messages(request)):
        return page()
    found = cache.get(key)
    if found is not None:
        return HttpResponse(_with_server_time(found), content_type="text/html; charset=utf-8")
    response = page()
    if response.status_code == 200:
        cache.set(key, response.content, seconds)
    return response


def notice_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind and kind in NoticeKind.values else ""
    category = request.GET.get("category", "")
    category = category if category and category in Category.values else ""
    region = request.GET.get("region", "").strip()
    region = region if region.isdigit() and len(region) == 6 else ""
    number = request.GET.get("page") or "1"
    number = number if number.isdigit() and len(number) <= 6 else "1"

    def build() -> str:
        page = Paginator(
            selectors.notice_search(kind=kind, category=category, region=region), PAGE_SIZE
        ).get_page(number)
        query = "&".join(
            f"{k}={v}" for k, v in (("kind", kind), ("category", category), ("region", region)) if v
        )
        return render_to_string("trading/_notice_table.html", {"page": page, "query": query})

    version = selectors.notices_version()
    key = f"{version}:{kind}:{category}:{region}:{number}"

    def page() -> HttpResponse:
        return render(
            request,
            "trading/notice_list.html",
            {
                "table": _cached(f"notice-list:v1:{key}", build),
                "kind": kind,
                "category": category,
                "region": region,
                "kinds": NoticeKind.choices,
                "categories": Category.choices,
            },
        )

    return _visitor_page(request, f"notice-list-page:v1:{key}", page)


def notice_detail(request: HttpRequest, number: str) -> HttpResponse:
    """A notice never changes; its page (with the amendments that followed it) is cached."""

    def build() -> tuple[str, str] | None:
        try:
            notice, amendments = selectors.notice_page(number)
        except NotFound:
            return None
        content = render_to_string(
            "trading/_notice_detail.html", {"notice": notice, "amendments": amendments}
        )
        return notice.title, content

    version = selectors.notices_version()

    def page() -> HttpResponse:
        found = _cached(f"notice-page:v1:{version}:{number}", build)
        if found is None:
            return _refused(request, f"未找到编号为“{number}”的公告", 404)
        title, content = found
        return render(request, "trading/notice_detail.html", {"title": title, "content": content})

    if len(number) > 40:  # longer than any notice number: not worth a cache key
        return page()
    return _visitor_page(request, f"notice-full:v1:{version}:{number}", page)


# --- console: schedule a draft lot, publish a notice ---------------------------------------------
def _lot_for_console(request, code):
    try:
        lot = selectors.lot_get(code)
    except NotFound as exc:
        return None, _refused(request, exc.message, 404)
    project, refused = _project_for_console(request, lot.project.code)
    return (lot if project else None), refused


@login_required
def console_lot_schedule(request: HttpRequest, code: str) -> HttpResponse:
    """Schedule a draft lot: a field per event its rule set lets the operator fix, the periods and
    the computed earliest / latest time beside each; "试算" previews without storing."""
    lot, refused = _lot_for_console(request, code)
    if refused:
        return refused
    try:
        ruleset = selectors.ruleset_of(lot.project)
    except NotFound as exc:
        return _refused(request, exc.message, 404)
    form = LotScheduleForm(request.POST or None, ruleset=ruleset, initial=selectors.lot_anchor_times(lot))
    status, preview_rows = 200, []
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "preview":
            preview = selectors.schedule_preview(lot, form.anchors())
            for e in preview.errors:
                form.add_error(e.field if e.field in form.fields else None, e.message)
            preview_rows = preview.rows
        else:
            try:
                services.lot_schedule(lot=lot, anchors=form.anchors(), actor=request.user)
            except DomainError as exc:
                if exc.status == 403:
                    return _refused(request, exc.message)
                form.show_error(exc)
                status = exc.status
            else:
                messages.success(request, f"标段（包）“{lot.name}”的时间安排已保存。")
                return redirect("trading:console_detail", code=lot.project.code)
    elif request.method == "POST":
        status = 400
    bounds = selectors.schedule_preview(lot, form.typed_anchors()).bounds
    return render(
        request,
        "trading/console_schedule.html",
        {
            "lot": lot,
            "project": lot.project,
            "form": form,
            "rows": form.rows(bounds),
            "row": {"name": lot.name, "schedule": preview_rows},
        },
        status=status,
    )


def _highlight(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` escaped, with each finding's ``text[start:end]`` wrapped in <mark>."""

    out, pos = [], 0
    for start, end in sorted(spans):
        start = max(start, pos)
        if end <= start or end > len(text):
            continue
        out += [escape(text[pos:start]), "<mark>", escape(text[start:end]), "</mark>"]
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def _fairness_view(findings: list[dict], texts: dict[str, str], reasons: dict[str, str]) -> dict:

    fields = []
    for field, text in texts.items():
        spans = [(f["start"], f["end"]) for f in findings if f.get("field") == field]
        if spans:
            fields.append(
                {"label": notice_fields.path_label(field), "html": mark_safe(_highlight(text, spans))}
            )
    codes, rows = set(), []
    for f in findings:
        label = notice_fields.path_label(f.get("field", ""))
        rows.append(
            {**f, "field_label": label, "first": f["code"] not in codes, "reason": reasons.get(f["code"], "")}
        )
        codes.add(f["code"])
    return {"fields": fields, "findings": rows}


@login_required
def console_notice_publish(request: HttpRequest, code: str) -> HttpResponse:

    lot, refused = _lot_for_console(request, code)
    if refused:
        return refused
    form = NoticePublishForm(request.POST or None)
    context, status = {"lot": lot, "form": form, "fairness": None}, 200
    if request.method == "POST" and form.is_valid():
        reasons = {
            k.removeprefix("reason:"): v.strip()
            for k, v in request.POST.items()
            if k.startswith("reason:") and v.strip()
        }
        try:
            notice = services.notice_publish(
                project=lot.project,
                lot=lot,
                kind=form.cleaned_data["kind"],
                data=form.service_data(),
                free_text=form.cleaned_data["free_text"],
                overrides=reasons,
                actor=request.user,
            )
        except DomainError as exc:
            status = exc.status
            if exc.code == "notice.fairness":
                form.add_error(None, "公告内容未通过公平竞争审查，请修改下列条款或逐条说明保留理由。")
                texts = {
                    "资格要求": form.cleaned_data["qualification"],
                    "free_text": form.cleaned_data["free_text"],
                }
                context["fairness"] = _fairness_view(exc.details.get("findings", []), texts, reasons)
            else:
                form.show_error(exc)
        else:
            messages.success(request, f"公告“{notice.title}”已发布，公告编号{notice.number}。")
            return redirect("trading:console_detail", code=lot.project.code)
    return render(request, "trading/console_notice.html", context, status=status)
