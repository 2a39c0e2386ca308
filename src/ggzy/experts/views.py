"""Pages of the expert pool and draws (thin: read through selectors, write through services)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ggzy.core.errors import DomainError
from ggzy.core.params import posted_id
from ggzy.core.permissions import allowed
from ggzy.experts import draw as drawing
from ggzy.experts import selectors, services
from ggzy.experts.models import ExpertStatus


def _refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "experts/refused.html", {"message": message}, status=status)


# --- public ----------------------------------------------------------------------------------------
def draw_list(request: HttpRequest) -> HttpResponse:
    rows = [selectors.public_view(d) for d in selectors.draws_public()[:100]]
    return render(request, "experts/draw_list.html", {"rows": rows})


def draw_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        d = selectors.draw_get(code)
    except DomainError as exc:
        return _refused(request, exc.message, exc.status)
    context = {"d": selectors.public_view(d), "verification": None, "record": None}
    if d.status == "revealed":
        context["verification"] = selectors.verify_draw(d.code)
        context["record"] = json.dumps(d.revealed, ensure_ascii=False, indent=1)
        context["result"] = selectors.draw_result(d, None)
    return render(request, "experts/draw_detail.html", context)


def draw_export(request: HttpRequest, code: str) -> HttpResponse:
    d = selectors.draw_get(code)
    if d.status != "revealed":
        return _refused(request, "该次抽取尚未公开验证数据", 404)
    response = HttpResponse(
        json.dumps(d.revealed, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{d.code}.json"'
    return response


# --- experts ------------------------------------------------------------------------------------------
@login_required
def apply(request: HttpRequest) -> HttpResponse:
    mine = selectors.expert_of_user(request.user)
    error, data = "", {}
    if request.method == "POST" and mine is None:
        data = {k: request.POST.get(k, "") for k in ("name", "id_number", "phone", "employer_uscc", "employer_name",
                                                     "title", "years", "region_code")}  # fmt: skip
        data["specialties"] = request.POST.get("specialties", "").replace("，", ",").split(",")
        try:
            services.expert_apply(data=data, actor=request.user)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "申请已提交，请等待交易服务中心审核")
            return redirect("experts:apply")
    view = selectors.expert_view(mine, request.user) if mine else None
    return render(request, "experts/apply.html", {"mine": view, "error": error, "data": data})


@login_required
def invitations(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.invitation_answer(
                invitation_id=posted_id(request.POST.get("id"), field="id", what="抽取通知"), accept=request.POST.get("accept") == "1",
                actor=request.user,
            )  # fmt: skip
            messages.success(request, "已记录您的答复")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("experts:invitations")
    return render(request, "experts/invitations.html", {"rows": selectors.invitations_for(request.user)})


# --- console ------------------------------------------------------------------------------------------
@login_required
def console_pool(request: HttpRequest) -> HttpResponse:
    if not allowed(request.user, "expert.view_pool"):
        return _refused(request, "无权查看评标专家库")
    q, status = request.GET.get("q", "").strip(), request.GET.get("status", "")
    rows = selectors.expert_search(viewer=request.user, q=q, status=status)[:200]
    return render(
        request,
        "experts/console_pool.html",
        {"rows": rows, "q": q, "status": status, "statuses": ExpertStatus.choices,
         "can_manage": allowed(request.user, "expert.manage")},
    )  # fmt: skip


@login_required
@require_POST
def console_review(request: HttpRequest, code: str) -> HttpResponse:
    try:
        e = selectors.expert_get(code)
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "")
        if action in ("approve", "reject"):
            services.expert_review(expert=e, approve=action == "approve", reason=reason, actor=request.user)
        else:
            services.expert_status_set(expert=e, status=action, reason=reason, actor=request.user)
        messages.success(request, f"专家{e.code}已处理")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("experts:console_pool")


@login_required
def console_draws(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        from ggzy.trading.selectors import lot_get

        wanted = []
        for line in request.POST.get("wanted", "").splitlines():
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if parts and parts[0]:
                wanted.append({"code": parts[0], "count": parts[1] if len(parts) > 1 else "",
                               "reserves": parts[2] if len(parts) > 2 else 0})  # fmt: skip
        try:
            d = services.draw_commit(
                lot=lot_get(request.POST.get("lot_code", "")),
                region_rule=request.POST.get("region_rule", ""),
                wanted=wanted,
                avoid_usccs=request.POST.get("avoid_usccs", "").replace("，", ",").split(","),
                actor=request.user,
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"已公布承诺值，抽取编号{d.code}")
            return redirect("experts:console_draw", code=d.code)
    rows = [selectors.public_view(d) for d in selectors.draws_for_console(request.user)]
    return render(
        request,
        "experts/console_draws.html",
        {"rows": rows, "error": error, "rules": drawing.REGION_RULES, "post": request.POST,
         "can_draw": request.user.role == "operator"},
    )  # fmt: skip


@login_required
def console_draw(request: HttpRequest, code: str) -> HttpResponse:
    try:
        d = selectors.draw_get(code)
    except DomainError as exc:
        return _refused(request, exc.message, exc.status)
    if request.method == "POST":
        action = request.POST.get("action", "")
        actions = {
            "run": lambda: services.draw_run(draw=d, actor=request.user),
            "no_answer": lambda: services.invitation_no_answer(draw=d, actor=request.user),
            "committee": lambda: services.committee_form(draw=d, actor=request.user),
            "end": lambda: services.committee_end(
                committee=selectors.committee_of_draw(d), actor=request.user
            ),
            "reveal": lambda: services.draw_reveal(draw=d, actor=request.user),
            "cancel": lambda: services.draw_cancel(
                draw=d, reason=request.POST.get("reason", ""), actor=request.user
            ),
        }
        try:
            actions[action]()
            messages.success(request, "已办理")
        except (DomainError, KeyError) as exc:
            messages.error(request, getattr(exc, "message", "未知操作"))
        return redirect("experts:console_draw", code=code)
    result = selectors.draw_result(d, request.user) if selectors.can_see_result(d, request.user) else None
    return render(request, "experts/console_draw.html", {"d": selectors.public_view(d), "result": result})
