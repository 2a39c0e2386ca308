"""Pages (thin): the evaluation room of a lot (评标室) for its committee, the staff and the
supervisors, the bidders' part (quotes, objections), and the public verification of a notice of
award. Every POST calls one service; a refusal is shown in Chinese with its code."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ggzy.core.errors import DomainError, InvalidInput
from ggzy.core.params import posted_id
from ggzy.evaluation import procedures, selectors, services
from ggzy.evaluation.models import Performance
from ggzy.trading import selectors as trading

ITEM_KINDS = {"价格分": "price", "技术分": "technical", "商务分": "commercial"}


def _table(text: str) -> dict | None:
    """The scoring table from the form: JSON, or one line per item "代码,名称,类别,分值"."""
    text = (text or "").strip()
    if not text:
        return None
    if text.startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            raise InvalidInput(
                "evaluation.table_json", "评分表不是有效的JSON", field="scoring_table"
            ) from None
    items = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if len(parts) != 4:
            raise InvalidInput(
                "evaluation.table_line", f"评分表每行应为“代码,名称,类别,分值”：{line}", field="scoring_table"
            )
        items.append(
            {
                "code": parts[0],
                "label": parts[1],
                "kind": ITEM_KINDS.get(parts[2], parts[2]),
                "max_score": parts[3],
            }
        )
    return {"items": items}


def _codes(text: str) -> list[str]:
    return [c for c in (text or "").replace("，", ",").replace("\n", ",").split(",") if c.strip()]


def _act(request: HttpRequest, lot, ev) -> None:
    p, user, action = request.POST, request.user, request.POST.get("action", "")
    if action == "start":
        services.evaluation_start(lot=lot, method=p.get("method", ""), scoring_table=_table(p.get("scoring_table", "")),
                                  experts_codes=_codes(p.get("experts", "")), suppliers=_codes(p.get("suppliers", "")), actor=user)  # fmt: skip
    elif action == "qualification":
        votes = {}
        for t in ev.tenderers.all():
            v = p.get(f"pass_{t.uscc}")
            votes[t.uscc] = {
                "passed": v == "1" if v in ("0", "1") else None,
                "reason": p.get(f"reason_{t.uscc}", ""),
            }
        services.qualification_submit(evaluation=ev, votes=votes, actor=user)
    elif action == "scores":
        table = selectors.room(ev, user)["scored_items"]
        scores = {
            t.uscc: {i.code: p.get(f"s_{t.uscc}_{i.code}", "") for i in table}
            for t in ev.tenderers.filter(qualified=True)
        }
        services.score_submit(evaluation=ev, scores=scores, actor=user)
    elif action == "sign":
        services.report_sign(
            evaluation=ev, report_sm3=p.get("report_sm3", ""), dissent=p.get("dissent", ""), actor=user
        )
    elif action == "adjust":
        services.adjustment_set(
            evaluation=ev,
            uscc=p.get("uscc", ""),
            amount=p.get("amount", ""),
            reason=p.get("reason", ""),
            actor=user,
        )
    elif action == "round":
        services.round_next(evaluation=ev, final=p.get("final") == "1", actor=user)
    elif action == "close_quotes":
        services.quotes_close(evaluation=ev, actor=user)
    elif action == "quote":
        services.quote_submit(evaluation=ev, price=p.get("price", ""), actor=user)
    elif action == "publicity":
        services.publicity_publish(evaluation=ev, actor=user)
    elif action == "objection":
        services.objection_file(evaluation=ev, text=p.get("text", ""), actor=user)
    elif action == "answer":
        services.objection_answer(
            objection=selectors.objection_get(posted_id(p.get("objection"), field="objection", what="异议")),
            answer=p.get("answer", ""),
            actor=user,
        )
    elif action == "award":
        passed = [{"uscc": u, "reason": p.get(f"skip_reason_{u}", "")} for u in p.getlist("skip")]
        services.award_decide(evaluation=ev, passed_over=passed, actor=user)
    elif action == "contract":
        services.contract_record(award=selectors.award_of(ev), contract_no=p.get("contract_no", ""), amount=p.get("amount", ""),
                                 signed_on=p.get("signed_on", ""), actor=user)  # fmt: skip
    elif action == "performance":
        services.performance_record(contract=selectors.contract_of(ev), kind=p.get("kind", ""), occurred_on=p.get("occurred_on", ""),
                                    amount=p.get("amount") or None, description=p.get("description", ""), actor=user)  # fmt: skip
    elif action == "terminate":
        services.lot_terminate(
            lot=lot, reason=p.get("reason", ""), retender=p.get("retender") == "1", actor=user
        )
    else:
        raise InvalidInput("evaluation.action_unknown", "未知的操作", field="action")


@login_required
def room(request: HttpRequest, code: str) -> HttpResponse:
    try:
        lot = trading.lot_get(code)
    except DomainError as exc:
        return render(request, "evaluation/refused.html", {"error": exc}, status=404)
    ev = selectors.evaluation_get(lot)
    error = None
    if request.method == "POST":
        try:
            _act(request, lot, ev)
            return redirect("evaluation:room", code=lot.code)
        except DomainError as exc:
            error = exc
        ev = selectors.evaluation_get(lot)
    ctx = {
        "lot": lot,
        "error": error,
        "methods": procedures.METHOD_LABELS,
        "performance_kinds": Performance.KINDS,
    }
    if ev is None:
        if not trading.can_operate(request.user, lot.project):
            return render(
                request,
                "evaluation/refused.html",
                {"error": InvalidInput("evaluation.not_found", "本标段尚未开始评标")},
                status=404,
            )
        ctx.update(start=True, allowed_methods=_methods(lot))
        return render(request, "evaluation/room.html", ctx, status=422 if error else 200)
    if selectors.can_view(ev, request.user):
        ctx.update(selectors.room(ev, request.user))
    else:
        me = selectors.bidder_view(ev, request.user)
        if me is None:
            return render(
                request,
                "evaluation/refused.html",
                {
                    "error": InvalidInput(
                        "evaluation.no_access", "只有本标段评标委员会成员、经办人员、监督人员和投标人可以查看"
                    )
                },
                status=403,
            )
        ctx.update(me)
    return render(request, "evaluation/room.html", ctx, status=422 if error else 200)


def _methods(lot) -> list[tuple[str, str]]:
    from ggzy.evaluation.services.common import procedure_of

    try:
        return [(m, procedures.METHOD_LABELS.get(m, m)) for m in procedure_of(lot).methods]
    except DomainError:
        return []


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: check a notice of award with the platform's public key (the stored copy, or a PDF
    the visitor uploads)."""
    try:
        upload = request.FILES.get("pdf") if request.method == "POST" else None
        data = upload.read(5_000_000) if upload else None
        result = selectors.award_verify(code, data)
    except DomainError as exc:
        return render(request, "evaluation/refused.html", {"error": exc}, status=404)
    return render(request, "evaluation/verify.html", {"r": result, "uploaded": upload is not None})


def award_pdf(request: HttpRequest, code: str) -> HttpResponse:
    try:
        a = selectors.award_get(code)
    except DomainError as exc:
        return render(request, "evaluation/refused.html", {"error": exc}, status=404)
    resp = HttpResponse(bytes(a.pdf), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{a.code}.pdf"'
    return resp


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The evaluations the account takes part in (committee), runs (staff) or supervises; and a
    field to open a lot's evaluation room by its code."""
    code = request.GET.get("code", "").strip()
    if code:
        return redirect("evaluation:room", code=code)
    return render(request, "evaluation/mine.html", {"rows": selectors.evaluations_for(request.user)})
