"""Pages of the market-entity registry (thin: read through selectors, write through services)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from ggzy.core.errors import DomainError, NotFound
from ggzy.core.models import Region
from ggzy.core.params import posted_id
from ggzy.core.permissions import allowed
from ggzy.entities import importfile, selectors, services
from ggzy.entities.forms import (
    EntityEditForm,
    EntityRegisterForm,
    ImportForm,
    MemberForm,
    QualificationForm,
)
from ggzy.entities.validation import EDITABLE, ROLE_LABELS

PAGE_SIZE = 20


def _refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "entities/refused.html", {"message": message}, status=status)


def _entity_or_404(request: HttpRequest, uscc: str):
    try:
        return selectors.entity_get(uscc), None
    except NotFound as exc:
        return None, _refused(request, exc.message, 404)


def _search_context(request: HttpRequest) -> dict:
    q = request.GET.get("q", "").strip()
    region = request.GET.get("region", "").strip()
    role = request.GET.get("role", "").strip()
    role = role if role in ROLE_LABELS else ""
    page = Paginator(selectors.entity_search(q=q, region=region, role=role), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "q": q,
        "region": region,
        "role": role,
        "page": page,
        "rows": selectors.public_list(page.object_list),
        "query": query.urlencode(),
        "roles": ROLE_LABELS,
        "regions": Region.objects.filter(level__in=["province", "city"]).order_by("code"),
    }


def directory(request: HttpRequest) -> HttpResponse:
    return render(request, "entities/directory.html", _search_context(request))


def detail(request: HttpRequest, uscc: str) -> HttpResponse:
    entity, missing = _entity_or_404(request, uscc)
    if missing:
        return missing
    data = selectors.entity_detail(entity, request.user)
    revisions = list(selectors.entity_revisions(entity, request.user)[:50]) if data["confidential"] else []
    return render(
        request,
        "entities/detail.html",
        {
            "entity": data,
            "revisions": revisions,
            "can_update": selectors.can_update(request.user, entity),
            "can_manage_members": selectors.can_manage_members(request.user, entity),
        },
    )


def register(request: HttpRequest) -> HttpResponse:
    form = EntityRegisterForm(request.POST or None)
    explained = None
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data.get("uscc") or ""
        if code:
            check = selectors.uscc_check(code)
            explained = check if check.valid else None
        try:
            entity, user = services.entity_self_register(
                data=form.entity_data(), admin_account=form.admin_account(), actor=request.user
            )
        except DomainError as exc:
            form.show_error(exc)
        else:
            messages.success(
                request,
                f"“{entity.name}”注册成功。请使用登录用户名“{user.username}”登录，"
                "本次注册在全省各交易平台通用，无需重复注册。",
            )
            return redirect("entities:detail", uscc=entity.uscc)
    return render(request, "entities/register.html", {"form": form, "explained": explained})


@login_required
def console_list(request: HttpRequest) -> HttpResponse:
    context = _search_context(request)
    context["can_import"] = allowed(request.user, "entity.import")
    own = selectors.entity_of_user(request.user)
    context["own"] = own
    return render(request, "entities/console_list.html", context)


@login_required
def import_entities(request: HttpRequest) -> HttpResponse:
    if not allowed(request.user, "entity.import"):
        return _refused(request, f"{request.user.get_role_display()}无权批量导入市场主体")
    form = ImportForm(request.POST or None, request.FILES or None)
    report, failure, result = [], None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.entity_import(file=upload.read(), filename=upload.name, actor=request.user)
        except DomainError as exc:
            failure = exc.message
            report = exc.details.get("report", [])
        else:
            messages.success(request, f"导入成功：新增市场主体{result.count}家。")
    return render(
        request,
        "entities/import.html",
        {"form": form, "report": report, "failure": failure, "result": result},
    )


def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(importfile.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E5%B8%82%E5%9C%BA%E4%B8%BB%E4%BD%93%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.csv"
    )
    return response


@login_required
def edit(request: HttpRequest, uscc: str) -> HttpResponse:
    entity, missing = _entity_or_404(request, uscc)
    if missing:
        return missing
    if not selectors.can_update(request.user, entity):
        return _refused(request, f"{request.user.get_role_display()}无权修改该市场主体的信息")
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    initial = {f: getattr(entity, f) for f in EDITABLE}
    initial["expected_version"] = entity.version
    form = EntityEditForm(request.POST if action == "save" else None, initial=initial)
    qform = QualificationForm(request.POST if action == "add_qualification" else None)
    try:
        if action == "save" and form.is_valid():
            changes = {f: form.cleaned_data.get(f) for f in EDITABLE}
            services.entity_update(
                entity=entity,
                changes=changes,
                expected_version=form.cleaned_data.get("expected_version"),
                actor=request.user,
            )
            messages.success(request, "已保存。")
            return redirect("entities:edit", uscc=entity.uscc)
        if action == "add_qualification" and qform.is_valid():
            services.qualification_add(entity=entity, data=qform.cleaned_data, actor=request.user)
            messages.success(request, "资质已登记。")
            return redirect("entities:edit", uscc=entity.uscc)
        if action == "withdraw_qualification":
            q = entity.qualifications.filter(
                pk=posted_id(request.POST.get("qualification"), field="qualification", what="资质")
            ).first()
            if q is not None:
                services.qualification_withdraw(qualification=q, actor=request.user)
                messages.success(request, f"资质“{q.name}”已撤回。")
            return redirect("entities:edit", uscc=entity.uscc)
    except DomainError as exc:
        if action == "withdraw_qualification":  # no form of its own: the message says what failed
            messages.error(request, exc.message)
        else:
            (qform if action == "add_qualification" else form).show_error(exc)
    return render(
        request,
        "entities/edit.html",
        {
            "entity": entity,
            "form": form,
            "qform": qform,
            "qualifications": selectors.qualifications(entity),
        },
    )


@login_required
def members(request: HttpRequest, uscc: str) -> HttpResponse:
    entity, missing = _entity_or_404(request, uscc)
    if missing:
        return missing
    if not selectors.can_manage_members(request.user, entity):
        return _refused(request, f"{request.user.get_role_display()}无权管理该市场主体的成员")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = MemberForm(request.POST if action == "add" else None)
    try:
        if action == "add" and form.is_valid():
            m = services.member_add(entity=entity, actor=request.user, **form.cleaned_data)
            messages.success(request, f"已添加成员“{m.user.display_name}”。")
            return redirect("entities:members", uscc=entity.uscc)
        if action == "deactivate":
            m = entity.memberships.filter(
                pk=posted_id(request.POST.get("membership"), field="membership", what="成员")
            ).first()
            if m is not None:
                services.member_deactivate(membership=m, actor=request.user)
                messages.success(request, f"已停用成员“{m.user.display_name}”。")
            return redirect("entities:members", uscc=entity.uscc)
    except DomainError as exc:
        if action == "add":
            form.show_error(exc)
        else:
            messages.error(request, exc.message)
            return redirect("entities:members", uscc=entity.uscc)
    return render(
        request,
        "entities/members.html",
        {
            "entity": entity,
            "members": selectors.members(entity, request.user),
            "form": form,
            "detail_url": reverse("entities:detail", args=[entity.uscc]),
        },
    )
