"""Evaluation (评标 / 评审): start, qualification review, quote rounds, scoring, the report and
its signatures. docs/evaluation.md."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction

from ggzy.audit import services as audit
from ggzy.audit.chain import canonical_json
from ggzy.core import clock
from ggzy.core.errors import Conflict, FieldError, InvalidInput, invalid
from ggzy.core.permissions import require
from ggzy.crypto import sm
from ggzy.entities import selectors as entities
from ggzy.evaluation import procedures, scoring, sources
from ggzy.evaluation.models import (
    Evaluation,
    Member,
    QualificationSheet,
    Quote,
    ScoreSheet,
    Signature,
    Status,
    Tenderer,
)
from ggzy.evaluation.services.common import (
    bump,
    experts,
    label,
    locked,
    member_of,
    money,
    need_status,
    procedure_of,
)
from ggzy.trading import services as trading_services

ENGINEERING_MIN_MEMBERS = 5  # 招标投标法第三十七条：五人以上单数
MIN_MEMBERS = 3  # 政府采购：三人以上单数（政府采购法第三十八条、第四十条；谈判、询价小组）


def _record(ev: Evaluation, actor: Any, action: str, summary: dict[str, Any]) -> Any:
    lot = ev.lot
    return audit.record(
        actor=actor,
        action=action,
        object_type="evaluation.evaluation",
        object_id=lot.code,
        summary=summary,
        project_ref=lot.project.code,
        entity_ref=lot.project.tenderer_uscc,
    )


# --- start ----------------------------------------------------------------------------------------
def _committee(lot: Any, codes: Sequence[str] | None, category: str) -> tuple[str, list[Any]]:
    committee = experts.committee_of_lot(lot)
    if committee is not None:
        if codes:
            raise InvalidInput(
                "evaluation.committee_drawn",
                "本标段已依法抽取组建评标委员会，不能另行指定专家",
                field="experts",
            )
        return "draw", [m.expert for m in committee.members.select_related("expert")]
    minimum = ENGINEERING_MIN_MEMBERS if category == "engineering" else MIN_MEMBERS
    codes = [str(c).strip().upper() for c in (codes or []) if str(c).strip()]
    if len(codes) < minimum or len(codes) % 2 == 0:
        raise InvalidInput(
            "evaluation.committee_size",
            f"本标段尚未抽取评标委员会；由工作人员组建时须为{minimum}人以上单数的专家"
            + ("（招标投标法第三十七条）" if category == "engineering" else ""),
            field="experts",
        )
    if len(set(codes)) != len(codes):
        raise InvalidInput("evaluation.committee_duplicate", "评标专家不能重复", field="experts")
    found = []
    for code in codes:
        e = experts.expert_get(code)
        if e.status != "active" or e.user_id is None:
            raise InvalidInput(
                "evaluation.expert_unavailable",
                f"专家{e.code}不在库或未开通账户，不能参加评标",
                field="experts",
            )
        found.append(e)
    return "staff", found


def _tenderers(lot: Any, proc: procedures.Procedure, suppliers: Sequence[str] | None) -> list[dict[str, Any]]:
    if proc.source == procedures.BIDS:
        if suppliers:
            raise InvalidInput(
                "evaluation.suppliers_from_bids",
                "招标项目的投标人来自开标记录，不能另行指定",
                field="suppliers",
            )
        try:
            rows = sources.opened_bids(lot)
        except sources.SourceMissing:
            rows = []
        if not rows:
            raise Conflict("evaluation.no_bids", "开标尚未结束或没有已解密的投标文件，不能开始评标")
        return rows
    codes = [str(c).strip().upper() for c in (suppliers or []) if str(c).strip()]
    if proc.single_source and len(codes) != 1:
        raise InvalidInput(
            "evaluation.single_source_one", "单一来源采购须指定唯一的供应商", field="suppliers"
        )
    if len(codes) < proc.min_bidders:
        raise InvalidInput(
            "evaluation.too_few_suppliers",
            f"参加{'谈判（磋商、询价）' if not proc.single_source else '协商'}的供应商不得少于{proc.min_bidders}家",
            field="suppliers",
        )
    if len(set(codes)) != len(codes):
        raise InvalidInput("evaluation.supplier_duplicate", "供应商不能重复", field="suppliers")
    rows = []
    for n, code in enumerate(codes, start=1):
        e = entities.entity_get(code)
        rows.append(
            {"uscc": e.uscc, "name": e.name, "price": "", "summary": {}, "order": n, "ref": "response"}
        )
    return rows


def _check_prior_publicity(lot: Any, proc: procedures.Procedure) -> None:
    """Single source: the reason's publicity must have run its full period (5 working days,
    政府采购法实施条例第三十八条) on the real clock, not only in the lot's status."""
    from ggzy.core import calendar
    from ggzy.core.selectors import holiday_table
    from ggzy.trading import selectors as trading

    start = trading.lot_event_time(lot, "publicity_start")
    end = trading.lot_event_time(lot, "publicity_end")
    now = clock.now()
    if start is None or end is None or end.at > now:
        raise Conflict(
            "evaluation.publicity_running",
            "单一来源采购公示期未满，不能开始协商（政府采购法实施条例第三十八条）",
        )
    rs = trading.ruleset_of(lot.project)
    days = rs.publicity_days or 5
    if lot.project.acceleration == 1:
        due = calendar.add(
            start.at.astimezone(clock.CHINA).date(), days, holiday_table(), kind=calendar.WORKING
        ).end
        if end.at.astimezone(clock.CHINA).date() < due:
            raise Conflict(
                "evaluation.publicity_short",
                f"单一来源采购公示期不得少于{days}个工作日（政府采购法实施条例第三十八条），最早于{due.isoformat()}结束",
            )


@transaction.atomic
def evaluation_start(
    *,
    lot: Any,
    method: str,
    scoring_table: Mapping[str, Any] | None = None,
    experts_codes: Sequence[str] | None = None,
    suppliers: Sequence[str] | None = None,
    actor: Any,
) -> Evaluation:
    """Start the lot's evaluation: the method (from the rule set), the scoring table (comprehensive
    scoring), the committee (the drawn one, else experts named by staff), the bidders (the opened
    bids, or the suppliers invited to respond). Moves a sealed-bid lot from opening to evaluation."""
    require(actor, "trade.operate", lot)
    lot = type(lot).objects.select_for_update().select_related("project").get(pk=lot.pk)
    if Evaluation.objects.filter(lot_id=lot.pk).exists():
        raise Conflict("evaluation.exists", "本标段已开始评标")
    proc = procedure_of(lot)
    errors: list[FieldError] = []
    if method not in proc.methods:
        allowed = "、".join(procedures.METHOD_LABELS.get(m, m) for m in proc.methods)
        errors.append(
            FieldError(
                "evaluation.method_not_allowed", f"本交易方式的评标（评审）办法只能是：{allowed}", "method"
            )
        )
    table = None
    if method == scoring.COMPREHENSIVE:
        try:
            table = scoring.parse_table(scoring_table)
        except scoring.ScoringError as exc:
            errors.append(FieldError(exc.code, exc.message, "scoring_table"))
    elif scoring_table:
        errors.append(FieldError("evaluation.table_unused", "只有综合评估法使用评分表", "scoring_table"))
    if errors:
        raise invalid(errors, "评标设置")
    allowed_from = {proc.evaluation_stage} | ({proc.before_stage} if proc.before_stage else set())
    if lot.status not in allowed_from:
        raise Conflict(
            "evaluation.lot_stage",
            "标段（包）当前阶段不能开始评标（须开标结束或响应截止后）",
            details={"status": lot.status},
        )
    if proc.prior_publicity:
        _check_prior_publicity(lot, proc)
    source, members = _committee(lot, experts_codes, lot.project.category)
    rows = _tenderers(lot, proc, suppliers)
    now = clock.now()
    ev = Evaluation.objects.create(
        lot=lot,
        ruleset_code=proc.code,
        method=method,
        scoring_table=table.as_dict() if table else {},
        status=Status.QUALIFICATION,
        committee_source=source,
        started_at=now,
        started_by_label=label(actor),
    )
    Member.objects.bulk_create(
        [Member(evaluation=ev, expert=e, expert_code=e.code, name=e.name, user_id=e.user_id) for e in members]
    )
    for r in rows:
        price = Decimal(r["price"]) if r["price"] not in ("", None) else None
        Tenderer.objects.create(
            evaluation=ev,
            uscc=r["uscc"],
            name=r["name"],
            price=price,
            summary=r["summary"],
            order=r["order"],
            source_ref=r["ref"],
        )
    if lot.status != proc.evaluation_stage:
        trading_services.lot_transition(lot=lot, to=proc.evaluation_stage, reason="开始评标", actor=actor)
    _record(
        ev,
        actor,
        "evaluation.start",
        {
            "method": method,
            "committee": source,
            "experts": [e.code for e in members],
            "bidders": [r["uscc"] for r in rows],
            "scoring_table": ev.scoring_table,
        },
    )
    return ev


# --- qualification ------------------------------------------------------------------------------------
@transaction.atomic
def qualification_submit(
    *, evaluation: Evaluation, votes: Mapping[str, Any], actor: Any
) -> QualificationSheet:
    """One expert's qualification review of every bidder (pass, or fail with a reason); once.
    When every member has submitted, the committee's result is computed (scoring.qualification_result)."""
    ev = locked(evaluation)
    need_status(ev, Status.QUALIFICATION)
    m = member_of(ev, actor)
    if QualificationSheet.objects.filter(evaluation=ev, member=m).exists():
        raise Conflict("evaluation.already_submitted", "您已提交资格审查意见，不能修改")
    tenderers = list(ev.tenderers.all())
    clean: dict[str, dict[str, Any]] = {}
    errors: list[FieldError] = []
    if not isinstance(votes, Mapping):
        raise InvalidInput("evaluation.votes_invalid", "资格审查意见格式不正确", field="votes")
    unknown = set(votes) - {t.uscc for t in tenderers}
    if unknown:
        errors.append(
            FieldError(
                "evaluation.bidder_unknown", f"不是本标段的投标人：{'、'.join(sorted(unknown))}", "votes"
            )
        )
    for t in tenderers:
        v = votes.get(t.uscc)
        if not isinstance(v, Mapping) or not isinstance(v.get("passed"), bool):
            errors.append(
                FieldError("evaluation.vote_missing", f"须对{t.name}作出通过或不通过的审查意见", "votes")
            )
            continue
        reason = str(v.get("reason") or "").strip()
        if not v["passed"] and not reason:
            errors.append(
                FieldError("evaluation.reason_required", f"{t.name}不通过资格审查的，须写明原因", "votes")
            )
        if len(reason) > 500:
            errors.append(FieldError("evaluation.reason_long", "原因不超过500字", "votes"))
        clean[t.uscc] = {"passed": v["passed"], "reason": reason}
    if errors:
        raise invalid(errors, "资格审查意见")
    sheet = QualificationSheet.objects.create(evaluation=ev, member=m, votes=clean, submitted_at=clock.now())
    _record(ev, actor, "evaluation.qualification_submit", {"expert": m.expert_code, "votes": clean})
    members = ev.members.count()
    sheets = list(ev.qualification_sheets.select_related("member"))
    if len(sheets) == members:
        _qualification_close(ev, tenderers, sheets, actor)
    return sheet


def _qualification_close(
    ev: Evaluation, tenderers: list[Tenderer], sheets: list[QualificationSheet], actor: Any
) -> None:
    votes = [
        scoring.Vote(s.member.expert_code, uscc, v["passed"], v["reason"])
        for s in sheets
        for uscc, v in s.votes.items()
    ]
    result = scoring.qualification_result([t.uscc for t in tenderers], votes)
    for t in tenderers:
        t.qualified, t.reasons = result[t.uscc]
        t.save(update_fields=["qualified", "reasons"])
    passed = [t for t in tenderers if t.qualified]
    proc = procedure_of(ev.lot)
    if not passed:
        ev.status = Status.FAILED
    elif proc.source == procedures.RESPONSES:
        ev.status = Status.QUOTING
        ev.current_round = 1
    elif ev.method == scoring.COMPREHENSIVE:
        ev.status = Status.SCORING
    else:
        ev.status = Status.SIGNING
        _make_report(ev)
    bump(ev, "status", "current_round", "report", "report_sm3", "report_at")
    _record(
        ev,
        actor,
        "evaluation.qualification_result",
        {
            "passed": [t.uscc for t in passed],
            "failed": {t.uscc: t.reasons for t in tenderers if not t.qualified},
            "status": ev.status,
        },
    )


# --- quote rounds (negotiation, consultation, request for quotation, single source) ----------------
def _final_round(ev: Evaluation, proc: procedures.Procedure) -> bool:
    return not proc.multi_round or bool(ev.report.get("final_round_open"))


@transaction.atomic
def quote_submit(*, evaluation: Evaluation, price: Any, actor: Any) -> Quote:
    """A supplier's quote in the current round (its own entity); one per round, never changed. In a
    request for quotation the one round is final (一次报出不得更改的价格，政府采购法第四十条)."""
    from ggzy.accounts.policy import own_entity_uscc

    ev = locked(evaluation)
    need_status(ev, Status.QUOTING)
    uscc = own_entity_uscc(actor)
    t = ev.tenderers.filter(uscc=uscc, qualified=True).first() if uscc else None
    if t is None:
        raise InvalidInput("evaluation.not_supplier", "只有通过资格审查的本标段供应商可以报价", field="price")
    require(actor, "trade.quote", entities.entity_get(uscc))
    amount = money(price, "报价", "price")
    if Quote.objects.filter(tenderer=t, round=ev.current_round).exists():
        raise Conflict("evaluation.quoted", f"您已提交第{ev.current_round}轮报价，不能修改")
    proc = procedure_of(ev.lot)
    final = _final_round(ev, proc)
    qt = Quote.objects.create(
        tenderer=t,
        round=ev.current_round,
        price=amount,
        final=final,
        recorded_at=clock.now(),
        recorded_by_label=label(actor),
    )
    _record(
        ev,
        actor,
        "evaluation.quote",
        {"uscc": uscc, "round": ev.current_round, "price": str(amount), "final": final},
    )
    return qt


@transaction.atomic
def round_next(*, evaluation: Evaluation, final: bool, actor: Any) -> Evaluation:
    """Close the current round and open the next (the negotiating committee; multi-round
    procedures only). ``final``: the next round is the final quote round (最后报价)."""
    ev = locked(evaluation)
    need_status(ev, Status.QUOTING)
    m = member_of(ev, actor)
    proc = procedure_of(ev.lot)
    if not proc.multi_round:
        raise Conflict("evaluation.single_round", "本交易方式只有一轮报价")
    if _final_round(ev, proc):
        raise Conflict("evaluation.final_round_open", "最后报价轮已开始，不能再开新一轮")
    ev.current_round += 1
    if final:
        ev.report = {**ev.report, "final_round_open": True}
    bump(ev, "current_round", "report")
    _record(
        ev,
        actor,
        "evaluation.round_next",
        {"expert": m.expert_code, "round": ev.current_round, "final": final},
    )
    return ev


@transaction.atomic
def quotes_close(*, evaluation: Evaluation, actor: Any) -> Evaluation:
    """Close the final round: a qualified supplier without a final quote drops out; then the
    ranking (lowest quote) or the scoring (consultation: comprehensive scoring on the final quotes)."""
    ev = locked(evaluation)
    need_status(ev, Status.QUOTING)
    m = member_of(ev, actor)
    proc = procedure_of(ev.lot)
    if not _final_round(ev, proc):
        raise Conflict("evaluation.no_final_round", "须先开始最后报价轮")
    quoted = 0
    for t in ev.tenderers.filter(qualified=True):
        q = Quote.objects.filter(tenderer=t, round=ev.current_round).first()
        if q is None:
            t.qualified, t.reasons = False, [*t.reasons, "未在规定时间内提交最后报价"]
            t.save(update_fields=["qualified", "reasons"])
        else:
            t.price = q.price
            t.save(update_fields=["price"])
            quoted += 1
    if quoted == 0:
        ev.status = Status.FAILED
    elif ev.method == scoring.COMPREHENSIVE:
        ev.status = Status.SCORING
    else:
        ev.status = Status.SIGNING
        _make_report(ev)
    bump(ev, "status", "report", "report_sm3", "report_at")
    _record(
        ev,
        actor,
        "evaluation.quotes_close",
        {"expert": m.expert_code, "round": ev.current_round, "quoted": quoted},
    )
    return ev


# --- scoring -----------------------------------------------------------------------------------------
def _table(ev: Evaluation) -> scoring.Table:
    return scoring.parse_table(ev.scoring_table)


def _sheets(ev: Evaluation) -> dict[str, dict[str, dict[str, Decimal]]]:
    return {
        s.member.expert_code: {b: {k: Decimal(v) for k, v in row.items()} for b, row in s.scores.items()}
        for s in ev.score_sheets.select_related("member")
    }


@transaction.atomic
def score_submit(*, evaluation: Evaluation, scores: Mapping[str, Any], actor: Any) -> ScoreSheet:
    """One expert's scores of every qualified bidder on every technical and commercial item; once,
    never changed, unseen by the others until every member has submitted. The price score is
    computed, not scored. When the last member submits, the ranking and the report are made."""
    ev = locked(evaluation)
    need_status(ev, Status.SCORING)
    m = member_of(ev, actor)
    if ScoreSheet.objects.filter(evaluation=ev, member=m).exists():
        raise Conflict("evaluation.already_submitted", "您已提交评分，不能修改")
    bidders = list(ev.tenderers.filter(qualified=True).values_list("uscc", flat=True))
    try:
        clean = scoring.check_sheet(_table(ev), bidders, scores if isinstance(scores, Mapping) else {})
    except scoring.ScoringError as exc:
        raise InvalidInput(exc.code, exc.message, field=exc.field or "scores") from None
    stored = {b: {k: str(v) for k, v in row.items()} for b, row in clean.items()}
    sheet = ScoreSheet.objects.create(evaluation=ev, member=m, scores=stored, submitted_at=clock.now())
    _record(
        ev,
        actor,
        "evaluation.score_submit",
        {"expert": m.expert_code, "sm3": sm.sm3_hex(canonical_json(stored).encode())},
    )
    if ev.score_sheets.count() == ev.members.count():
        ev.status = Status.SIGNING
        _make_report(ev)
        bump(ev, "status", "report", "report_sm3", "report_at")
        _record(ev, actor, "evaluation.scored", {"report_sm3": ev.report_sm3})
    return sheet


# --- the report ----------------------------------------------------------------------------------------
def _bidders(ev: Evaluation) -> list[scoring.Bidder]:
    return [
        scoring.Bidder(
            t.uscc, t.name, t.price, t.order, (t.price + t.adjustment) if t.price is not None else None
        )
        for t in ev.tenderers.filter(qualified=True)
    ]


def _make_report(ev: Evaluation) -> None:
    """Rank the qualified bidders, store scores and ranks on them, and write the report (JSON, its
    SM3 digest over the canonical JSON)."""
    bidders = _bidders(ev)
    missing = [b.name for b in bidders if b.price is None]
    if missing:
        raise Conflict("evaluation.price_missing", f"投标人{'、'.join(missing)}没有报价，不能排序")
    outliers: list[scoring.Outlier] = []
    if ev.method == scoring.COMPREHENSIVE:
        table = _table(ev)
        sheets = _sheets(ev)
        ranked = scoring.rank_comprehensive(table, bidders, sheets)
        outliers = scoring.outliers(table, sheets)
    else:
        ranked = scoring.rank_by_price(bidders)
    by = {r.key: r for r in ranked}
    for t in ev.tenderers.all():
        r = by.get(t.uscc)
        t.rank = r.rank if r else None
        t.price_score = r.price_score if r else None
        t.total = r.total if r else None
        t.save(update_fields=["rank", "price_score", "total"])
    lot = ev.lot
    report = {
        "lot": lot.code,
        "lot_name": lot.name,
        "project": lot.project.code,
        "project_name": lot.project.name,
        "method": ev.method,
        "method_label": procedures.METHOD_LABELS.get(ev.method, ev.method),
        "scoring_table": ev.scoring_table,
        "committee": [{"code": m.expert_code, "name": m.name} for m in ev.members.all()],
        "bidders": [
            {
                "uscc": t.uscc,
                "name": t.name,
                "price": None if t.price is None else str(t.price),
                "qualified": t.qualified,
                "reasons": t.reasons,
            }
            for t in ev.tenderers.all()
        ],
        "ranking": [r.as_dict() for r in ranked],
        "candidates": [r.as_dict() for r in scoring.candidates(ranked)],
        "outliers": [
            {
                "expert": o.expert,
                "uscc": o.bidder,
                "item": o.item,
                "score": str(o.score),
                "median": str(o.median),
                "limit": str(o.limit),
            }
            for o in outliers
        ],
        "quotes": [
            {"uscc": q.tenderer.uscc, "round": q.round, "price": str(q.price), "final": q.final}
            for q in Quote.objects.filter(tenderer__evaluation=ev)
            .select_related("tenderer")
            .order_by("tenderer__order", "round")
        ],
        "generated_at": clock.now().isoformat(),
    }
    ev.report = report
    ev.report_sm3 = report_digest(report)
    ev.report_at = clock.now()


def report_digest(report: Mapping[str, Any]) -> str:
    return sm.sm3_hex(canonical_json(report).encode())


@transaction.atomic
def report_sign(*, evaluation: Evaluation, report_sm3: str, dissent: str = "", actor: Any) -> Signature:
    """An expert signs the report: confirms its SM3 digest (the digest the expert was shown, so a
    report changed since cannot be signed), with a written dissent if any (实施条例第五十三条).
    Recorded in the audit chain. When every member has signed, the evaluation is done."""
    ev = locked(evaluation)
    need_status(ev, Status.SIGNING)
    m = member_of(ev, actor)
    if Signature.objects.filter(evaluation=ev, member=m).exists():
        raise Conflict("evaluation.already_signed", "您已签署评标报告")
    if (report_sm3 or "").strip().lower() != ev.report_sm3:
        raise InvalidInput(
            "evaluation.report_changed",
            "评标报告摘要不一致：请刷新页面，核对最新的评标报告后再签署",
            field="report_sm3",
        )
    dissent = (dissent or "").strip()
    if len(dissent) > 2000:
        raise InvalidInput("evaluation.dissent_long", "不同意见不超过2000字", field="dissent")
    event = _record(
        ev,
        actor,
        "evaluation.report_sign",
        {"expert": m.expert_code, "report_sm3": ev.report_sm3, "dissent": dissent},
    )
    sig = Signature.objects.create(
        evaluation=ev,
        member=m,
        report_sm3=ev.report_sm3,
        dissent=dissent,
        signed_at=clock.now(),
        audit_seq=event.seq,
    )
    if ev.signatures.count() == ev.members.count():
        ev.status = Status.DONE
        ev.done_at = clock.now()
        bump(ev, "status", "done_at")
        _record(
            ev,
            actor,
            "evaluation.done",
            {"report_sm3": ev.report_sm3, "candidates": [c["uscc"] for c in ev.report["candidates"]]},
        )
    return sig


@transaction.atomic
def adjustment_set(*, evaluation: Evaluation, uscc: str, amount: Any, reason: str, actor: Any) -> Tenderer:
    """Lowest evaluated price: the committee's price adjustment of a bid (经评审的价格调整), before
    the report; every member sees it and signs the report that contains it."""
    ev = locked(evaluation)
    need_status(ev, Status.SIGNING)
    m = member_of(ev, actor)
    if ev.method != "lowest_evaluated_price":
        raise Conflict("evaluation.no_adjustment", "只有经评审的最低投标价法可以调整评审价格")
    if ev.signatures.exists():
        raise Conflict("evaluation.signing_started", "已有专家签署评标报告，不能再调整")
    t = ev.tenderers.filter(uscc=uscc, qualified=True).first()
    if t is None:
        raise InvalidInput("evaluation.bidder_unknown", "该投标人不参加详细评审", field="uscc")
    try:
        value = scoring.decimal_of(amount, "调整金额", "amount")
    except scoring.ScoringError as exc:
        raise InvalidInput(exc.code, exc.message, field="amount") from None
    if not (reason or "").strip():
        raise InvalidInput("evaluation.reason_required", "须写明调整依据", field="reason")
    t.adjustment = value
    t.save(update_fields=["adjustment"])
    _make_report(ev)
    bump(ev, "report", "report_sm3", "report_at")
    _record(
        ev,
        actor,
        "evaluation.adjust",
        {"expert": m.expert_code, "uscc": uscc, "amount": str(value), "reason": reason.strip()},
    )
    return t


def report_json(ev: Evaluation) -> str:
    return json.dumps(ev.report, ensure_ascii=False, indent=1)
