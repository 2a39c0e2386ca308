"""After the evaluation: candidate publicity and objections, award and the signed notice of award,
the award notice, the contract (and its 30-day check), performance records, termination.
docs/evaluation.md."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction

from ggzy.audit import services as audit
from ggzy.core import calendar, clock
from ggzy.core.errors import Conflict, InvalidInput, NotFound
from ggzy.core.permissions import SYSTEM, require
from ggzy.core.selectors import holiday_table
from ggzy.crypto import platform, sm
from ggzy.entities import selectors as entities
from ggzy.evaluation import awardpdf
from ggzy.evaluation.models import Award, Contract, Evaluation, Objection, OverdueCheck, Performance, Status
from ggzy.evaluation.services.common import bump, label, locked, money, need_status, procedure_of, today
from ggzy.trading import lifecycle
from ggzy.trading import selectors as trading
from ggzy.trading import services as trading_services

CONTRACT_DAYS = 30  # 招标投标法第四十六条；政府采购法第四十六条


def _record(
    ev: Evaluation, actor: Any, action: str, object_type: str, object_id: Any, summary: dict[str, Any]
) -> Any:
    lot = ev.lot
    return audit.record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
        project_ref=lot.project.code,
        entity_ref=lot.project.tenderer_uscc,
    )


def _move(lot: Any, to: str | None, reason: str, actor: Any) -> None:
    if to and lot.status != to:
        trading_services.lot_transition(
            lot=type(lot).objects.get(pk=lot.pk), to=to, reason=reason, actor=actor
        )


def _cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _period(lot: Any, code: str) -> tuple[int, str, str]:
    """(days, kind, article label) of the rule set's period ``code``."""
    rs = trading.ruleset_of(lot.project)
    p = rs.period(code)
    return p.days, p.kind, p.basis.label()


def _after(start: dt.datetime, days: int, kind: str, factor: int) -> dt.datetime:
    """The end of a period of ``days`` from ``start``: through the statutory calendar (the start day
    not counted, a last day on a rest day moves on), at the start's time of day; accelerated
    projects: days × 24 h / factor."""
    if factor > 1:
        return start + dt.timedelta(days=days) / factor
    local = start.astimezone(clock.CHINA)
    end = calendar.add(local.date(), days, holiday_table(), kind=kind).end
    return dt.datetime.combine(end, local.timetz())


# --- candidate publicity and objections -----------------------------------------------------------------
@transaction.atomic
def publicity_publish(*, evaluation: Evaluation, actor: Any) -> Evaluation:
    """Publish the candidates (at most three, in order) for at least the rule set's days
    (招标投标法实施条例第五十四条: within 3 days of the report, for at least 3 days)."""
    ev = locked(evaluation)
    lot = ev.lot
    require(actor, "trade.operate", lot)
    need_status(ev, Status.DONE)
    proc = procedure_of(lot)
    if not proc.candidate_publicity_days:
        raise Conflict("evaluation.no_publicity", "本交易方式不设中标候选人公示，直接确定中标（成交）人")
    try:
        days, kind, basis = _period(lot, "candidate_publicity")
    except KeyError:
        days, kind, basis = (
            proc.candidate_publicity_days,
            calendar.CALENDAR,
            "《招标投标法实施条例》第五十四条",
        )
    now = clock.now()
    end = _after(now, days, kind, lot.project.acceleration)
    candidates = [
        {
            "rank": c["rank"],
            "name": c["name"],
            "uscc": c["uscc"],
            "price": c["price"],
            **({"score": c["total"]} if c.get("total") else {}),
        }
        for c in ev.report["candidates"]
    ]
    notice = trading_services.notice_publish(
        project=lot.project,
        lot=lot,
        kind="candidate_publicity",
        data={
            "title": f"{lot.project.name}{lot.name}中标候选人公示",
            "candidates": candidates,
            "publicity_days": days,
            "公示期": f"{now.astimezone(clock.CHINA):%Y-%m-%d %H:%M}至{end.astimezone(clock.CHINA):%Y-%m-%d %H:%M}",
            "objection": f"投标人或者其他利害关系人对评标结果有异议的，应当在公示期间提出（{basis}）",
            "bid_count": ev.tenderers.count(),
        },
        actor=actor,
    )
    ev.status = Status.PUBLICITY
    ev.publicity_start, ev.publicity_end, ev.publicity_notice = now, end, notice.number
    bump(ev, "status", "publicity_start", "publicity_end", "publicity_notice")
    if "publicity" in trading.table_of(lot.project).statuses:
        _move(lot, "publicity", "中标候选人公示", actor)
    _record(ev, actor, "evaluation.publicity", "evaluation.evaluation", lot.code,
            {"notice": notice.number, "start": now.isoformat(), "end": end.isoformat(), "days": days})  # fmt: skip
    return ev


@transaction.atomic
def objection_file(*, evaluation: Evaluation, text: str, actor: Any) -> Objection:
    """A bidder objects to the evaluation result during the publicity (实施条例第五十四条第二款).
    The award waits until every objection is answered."""
    from ggzy.accounts.policy import own_entity_uscc

    ev = locked(evaluation)
    need_status(ev, Status.PUBLICITY)
    uscc = own_entity_uscc(actor)
    t = ev.tenderers.filter(uscc=uscc).first() if uscc else None
    if t is None:
        raise InvalidInput("objection.not_bidder", "只有本标段的投标人可以对评标结果提出异议", field="text")
    require(actor, "trade.object", entities.entity_get(uscc))
    now = clock.now()
    if not (ev.publicity_start <= now < ev.publicity_end):
        raise Conflict(
            "objection.out_of_time", "异议应当在中标候选人公示期间提出（招标投标法实施条例第五十四条）"
        )
    text = (text or "").strip()
    if not text or len(text) > 5000:
        raise InvalidInput("objection.text_invalid", "请填写异议内容（不超过5000字）", field="text")
    o = Objection.objects.create(
        evaluation=ev, uscc=t.uscc, name=t.name, text=text, filed_at=now, filed_by_label=label(actor)
    )
    _record(ev, actor, "objection.file", "evaluation.objection", o.pk, {"lot": ev.lot.code, "uscc": t.uscc})
    return o


@transaction.atomic
def objection_answer(*, objection: Objection, answer: str, actor: Any) -> Objection:
    """The tenderer's answer, through the platform's staff (within 3 days, 实施条例第五十四条); once."""
    o = Objection.objects.select_for_update().get(pk=objection.pk)
    ev = locked(o.evaluation)
    require(actor, "trade.operate", ev.lot)
    if o.answered_at is not None:
        raise Conflict("objection.answered", "该异议已答复")
    answer = (answer or "").strip()
    if not answer or len(answer) > 5000:
        raise InvalidInput("objection.answer_invalid", "请填写答复内容（不超过5000字）", field="answer")
    o.answer, o.answered_at, o.answered_by_label = answer, clock.now(), label(actor)
    o.save(update_fields=["answer", "answered_at", "answered_by_label"])
    _record(ev, actor, "objection.answer", "evaluation.objection", o.pk, {"lot": ev.lot.code, "uscc": o.uscc})
    return o


# --- award ----------------------------------------------------------------------------------------------
def verify_url(code: str) -> str:
    base = getattr(settings, "GGZY_PUBLIC_URL", "") or ""
    return f"{base.rstrip('/')}/evaluation/awards/{code}/verify/"


@transaction.atomic
def award_decide(
    *, evaluation: Evaluation, passed_over: Sequence[Mapping[str, Any]] = (), actor: Any
) -> Award:
    """定标: the first candidate (实施条例第五十五条; 政府采购法实施条例第四十三条: in order). A
    candidate may be passed over only in order from the first, each with its reason (放弃中标、
    不能履行合同、未提交履约保证金、查实违法). Issues the notice of award (PDF signed with the
    platform's SM2 key) and publishes the award notice (winner, winning_price, bid_count)."""
    ev = locked(evaluation)
    lot = ev.lot
    require(actor, "trade.operate", lot)
    proc = procedure_of(lot)
    now = clock.now()
    if proc.candidate_publicity_days:
        need_status(ev, Status.PUBLICITY)
        if now < ev.publicity_end:
            raise Conflict(
                "award.publicity_running",
                f"中标候选人公示期未满（至{ev.publicity_end.astimezone(clock.CHINA):%Y-%m-%d %H:%M}），不能定标",
            )
        if ev.objections.filter(answered_at__isnull=True).exists():
            raise Conflict(
                "award.objection_pending",
                "有尚未答复的异议；作出答复前应当暂停招标投标活动（招标投标法实施条例第五十四条）",
            )
    else:
        need_status(ev, Status.DONE)
    candidates = ev.report.get("candidates", [])
    skipped = []
    for n, p in enumerate(passed_over or []):
        reason = str((p or {}).get("reason", "")).strip()
        if n >= len(candidates) - 1 or str(p.get("uscc", "")) != candidates[n]["uscc"]:
            raise InvalidInput("award.order", "只能按排名顺序依次递补中标候选人", field="passed_over")
        if not reason:
            raise InvalidInput(
                "award.reason_required",
                "不确定排名在前的中标候选人为中标人的，须写明原因",
                field="passed_over",
            )
        skipped.append({"uscc": candidates[n]["uscc"], "name": candidates[n]["name"], "reason": reason})
    if not candidates:
        raise Conflict("award.no_candidate", "评标报告没有中标候选人")
    win = candidates[len(skipped)]
    t = ev.tenderers.get(uscc=win["uscc"])
    for s in skipped:
        ev.tenderers.filter(uscc=s["uscc"]).update(withdrawn=s["reason"])
    try:
        days, kind, basis = _period(lot, "contract")
    except KeyError:
        days, kind, basis = CONTRACT_DAYS, calendar.CALENDAR, "《招标投标法》第四十六条"
    awarded_on = now.astimezone(clock.CHINA).date()
    due = calendar.add(awarded_on, days, holiday_table(), kind=kind).end
    code = f"ZB{lot.code}"
    doc = awardpdf.NoticeOfAward(
        code=code,
        project_name=lot.project.name,
        project_code=lot.project.code,
        lot_name=lot.name,
        lot_code=lot.code,
        tenderer=entities.entity_get(lot.project.tenderer_uscc).name,
        winner=t.name,
        winner_uscc=t.uscc,
        price=f"{t.price:,.2f}",
        awarded_on=_cn(awarded_on),
        contract_due_on=_cn(due),
        contract_basis=basis,
        verify_url=verify_url(code),
        key_fingerprint=platform.fingerprint(),
    )
    pdf = awardpdf.render(doc)
    award = Award.objects.create(
        evaluation=ev,
        tenderer=t,
        price=t.price,
        code=code,
        awarded_at=now,
        awarded_by_label=label(actor),
        passed_over=skipped,
        pdf=pdf,
        pdf_sm3=sm.sm3_hex(pdf),
        signature=base64.b64encode(platform.sign(pdf)).decode(),
        key_fingerprint=platform.fingerprint(),
        contract_due_on=due,
    )
    notice = trading_services.notice_publish(
        project=lot.project,
        lot=lot,
        kind="award",
        data={
            "title": f"{lot.project.name}{lot.name}中标（成交）结果公告",
            "winner": t.name,
            "uscc": t.uscc,
            "winning_price": str(t.price),
            "bid_count": ev.tenderers.count(),
            "中标通知书编号": code,
            "中标通知书验证": verify_url(code),
            **({"reason": "；".join(f"{s['name']}：{s['reason']}" for s in skipped)} if skipped else {}),
        },
        actor=actor,
    )
    award.notice_number = notice.number
    award.save(update_fields=["notice_number"])
    ev.status = Status.AWARDED
    bump(ev, "status")
    _move(lot, proc.award_stage, "定标", actor)
    _record(ev, actor, "award.decide", "evaluation.award", code,
            {"lot": lot.code, "winner": t.uscc, "price": str(t.price), "pdf_sm3": award.pdf_sm3,
             "passed_over": skipped, "notice": notice.number, "contract_due_on": due.isoformat()})  # fmt: skip
    return award


# --- contract and performance -----------------------------------------------------------------------------
@transaction.atomic
def contract_record(*, award: Award, contract_no: str, amount: Any, signed_on: Any, actor: Any) -> Contract:
    """The written contract (招标投标法第四十六条: within 30 days of the notice of award, its terms
    as in the documents and the bid); published as a contract notice."""
    award = Award.objects.select_for_update().select_related("evaluation", "tenderer").get(pk=award.pk)
    ev = locked(award.evaluation)
    lot = ev.lot
    require(actor, "trade.operate", lot)
    if Contract.objects.filter(award=award).exists():
        raise Conflict("contract.exists", "本标段已登记合同")
    contract_no = (contract_no or "").strip()
    if not contract_no or len(contract_no) > 60:
        raise InvalidInput("contract.no_invalid", "请填写合同编号（不超过60字）", field="contract_no")
    value = money(amount, "合同金额", "amount")
    try:
        signed = (
            signed_on if isinstance(signed_on, dt.date) else dt.date.fromisoformat(str(signed_on).strip())
        )
    except ValueError:
        raise InvalidInput(
            "contract.date_invalid", f"“{signed_on}”不是有效的日期（如2026-12-01）", field="signed_on"
        ) from None
    awarded_on = award.awarded_at.astimezone(clock.CHINA).date()
    if signed < awarded_on or signed > today():
        raise InvalidInput(
            "contract.date_range", "合同签订日期应在中标通知书发出之日至今天之间", field="signed_on"
        )
    late = signed > award.contract_due_on
    c = Contract.objects.create(
        award=award, contract_no=contract_no, amount=value, signed_on=signed, recorded_at=clock.now(),
        recorded_by_label=label(actor), late=late,
    )  # fmt: skip
    notice = trading_services.notice_publish(
        project=lot.project,
        lot=lot,
        kind="contract",
        data={
            "title": f"{lot.project.name}{lot.name}合同公告",
            "contract_no": contract_no,
            "contract_amount": str(value),
            "signed_on": signed.isoformat(),
            "winner": award.tenderer.name,
            "winning_price": str(award.price),
        },
        actor=actor,
    )
    c.notice_number = notice.number
    c.save(update_fields=["notice_number"])
    proc = procedure_of(lot)
    _move(lot, proc.contract_stage, "签订合同", actor)
    _record(ev, actor, "contract.record", "evaluation.contract", c.pk,
            {"lot": lot.code, "contract_no": contract_no, "amount": str(value), "signed_on": signed.isoformat(), "late": late})  # fmt: skip
    return c


@transaction.atomic
def performance_record(
    *, contract: Contract, kind: str, occurred_on: Any, description: str, amount: Any = None, actor: Any
) -> Performance:
    """A performance record (履约节点、支付、完工验收), published as a performance notice."""
    c = Contract.objects.select_for_update().select_related("award__evaluation").get(pk=contract.pk)
    ev = locked(c.award.evaluation)
    lot = ev.lot
    require(actor, "trade.operate", lot)
    kinds = dict(Performance.KINDS)
    if kind not in kinds:
        raise InvalidInput("performance.kind", "类型应为履约节点、支付或完工（验收）", field="kind")
    try:
        day = (
            occurred_on
            if isinstance(occurred_on, dt.date)
            else dt.date.fromisoformat(str(occurred_on).strip())
        )
    except ValueError:
        raise InvalidInput(
            "performance.date_invalid", f"“{occurred_on}”不是有效的日期", field="occurred_on"
        ) from None
    if day < c.signed_on or day > today():
        raise InvalidInput("performance.date_range", "日期应在合同签订之日至今天之间", field="occurred_on")
    value = None
    if kind == Performance.PAYMENT or amount not in (None, ""):
        value = money(amount, "金额", "amount")
    description = (description or "").strip()
    if not description or len(description) > 500:
        raise InvalidInput("performance.description", "请填写说明（不超过500字）", field="description")
    if kind == Performance.COMPLETION and c.records.filter(kind=Performance.COMPLETION).exists():
        raise Conflict("performance.completed", "本合同已登记完工（验收）")
    p = Performance.objects.create(
        contract=c, kind=kind, occurred_on=day, amount=value, description=description,
        recorded_at=clock.now(), recorded_by_label=label(actor),
    )  # fmt: skip
    data = {"title": f"{lot.project.name}{lot.name}履约信息公告（{kinds[kind]}）", "contract_no": c.contract_no,
            "performance": description, "日期": day.isoformat()}  # fmt: skip
    if value is not None:
        data["金额（元）"] = str(value)
    if kind == Performance.COMPLETION:
        data["acceptance"] = description
    notice = trading_services.notice_publish(
        project=lot.project, lot=lot, kind="performance", data=data, actor=actor
    )
    p.notice_number = notice.number
    p.save(update_fields=["notice_number"])
    _record(ev, actor, "performance.record", "evaluation.performance", p.pk,
            {"lot": lot.code, "kind": kind, "on": day.isoformat(), "amount": None if value is None else str(value)})  # fmt: skip
    return p


# --- termination and re-tender --------------------------------------------------------------------------
@transaction.atomic
def lot_terminate(*, lot: Any, reason: str, retender: bool, actor: Any) -> Any:
    """End the lot's procedure with a termination notice (终止公告): ``retender`` says that the
    tenderer tenders again (重新招标/重新采购, a new project registration). The lot becomes failed
    (流标) when the competition had closed and no award came out of it, else terminated."""
    require(actor, "trade.operate", lot)
    lot = type(lot).objects.select_for_update().select_related("project").get(pk=lot.pk)
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise InvalidInput("termination.reason", "请填写终止原因（不超过500字）", field="reason")
    ev = Evaluation.objects.filter(lot_id=lot.pk).first()
    if ev is not None and ev.status == Status.AWARDED:
        raise Conflict("termination.awarded", "已定标的标段不能终止；合同解除请登记履约信息")
    table = trading.table_of(lot.project)
    allowed = table.next_statuses(lot.status)
    to = lifecycle.FAILED if lifecycle.FAILED in allowed else lifecycle.TERMINATED
    notice = trading_services.notice_publish(
        project=lot.project,
        lot=lot,
        kind="termination",
        data={
            "title": f"{lot.project.name}{lot.name}终止公告",
            "reason": reason,
            "重新招标（采购）": retender,
        },
        actor=actor,
    )
    trading_services.lot_transition(lot=lot, to=to, reason=reason, actor=actor)
    if ev is not None:
        ev = locked(ev)
        ev.status = Status.TERMINATED
        bump(ev, "status")
    audit.record(
        actor=actor, action="lot.terminate", object_type="trading.lot", object_id=lot.code,
        summary={"reason": reason, "retender": retender, "notice": notice.number, "to": to},
        project_ref=lot.project.code, entity_ref=lot.project.tenderer_uscc,
    )  # fmt: skip
    return notice


# --- the 30-day contract check (the tick) --------------------------------------------------------------------
def contracts_overdue(*, now: dt.datetime | None = None) -> int:
    """Raise one supervision warning for every award whose contract was not recorded by its due date
    (招标投标法第四十六条 / 政府采购法第四十六条). Idempotent: an award is warned once (OverdueCheck)."""
    from ggzy.supervision import services as supervision

    now = min(now or clock.now(), clock.now())
    day = now.astimezone(clock.CHINA).date()
    due = list(
        Award.objects.filter(
            contract_due_on__lt=day, contract__isnull=True, overdue_check__isnull=True
        ).values_list("pk", flat=True)[:500]
    )
    raised = 0
    for pk in due:
        with transaction.atomic():
            award = (
                Award.objects.select_for_update()
                .select_related("evaluation__lot__project", "tenderer")
                .get(pk=pk)
            )
            if (
                OverdueCheck.objects.filter(award=award).exists()
                or Contract.objects.filter(award=award).exists()
            ):
                continue
            lot = award.evaluation.lot
            w = supervision.warning_raise(
                kind="other",
                region_code=lot.region_code,
                category=lot.category,
                message=f"标段（包）{lot.code}自中标通知书发出之日（{award.awarded_at.astimezone(clock.CHINA):%Y-%m-%d}）起已逾{CONTRACT_DAYS}日未登记书面合同（招标投标法第四十六条），合同应于{award.contract_due_on.isoformat()}前订立",
                project_ref=lot.project.code,
                lot_ref=lot.code,
                entity_uscc=award.tenderer.uscc,
                details={
                    "check": "contract_overdue",
                    "award": award.code,
                    "due_on": award.contract_due_on.isoformat(),
                },
                actor=SYSTEM,
            )
            OverdueCheck.objects.create(award=award, warning_id=w.pk, raised_at=now)
            audit.record(
                actor=SYSTEM, action="contract.overdue", object_type="evaluation.award", object_id=award.code,
                summary={"warning": w.pk, "due_on": award.contract_due_on.isoformat()},
                project_ref=lot.project.code, entity_ref=lot.project.tenderer_uscc,
            )  # fmt: skip
            raised += 1
    return raised


OBJECTION_ANSWER_DAYS = 3  # 招标投标法实施条例第五十四条：自收到异议之日起3日内作出答复


def objections_overdue(*, now: dt.datetime | None = None) -> int:
    """Raise one supervision warning for every objection not answered within 3 days of its filing
    (实施条例第五十四条; the days through the statutory calendar). Idempotent."""
    from ggzy.supervision import services as supervision

    now = min(now or clock.now(), clock.now())
    raised = 0
    for pk in list(
        Objection.objects.filter(answered_at__isnull=True, overdue_warning_id__isnull=True).values_list(
            "pk", flat=True
        )[:500]
    ):
        with transaction.atomic():
            o = Objection.objects.select_for_update().select_related("evaluation__lot__project").get(pk=pk)
            if o.answered_at is not None or o.overdue_warning_id is not None:
                continue
            lot = o.evaluation.lot
            due = _after(o.filed_at, OBJECTION_ANSWER_DAYS, calendar.CALENDAR, lot.project.acceleration)
            if now <= due:
                continue
            w = supervision.warning_raise(
                kind="other",
                region_code=lot.region_code,
                category=lot.category,
                message=f"标段（包）{lot.code}收到的异议（{o.name}，{o.filed_at.astimezone(clock.CHINA):%Y-%m-%d %H:%M}）已逾3日未答复（招标投标法实施条例第五十四条）；答复前应当暂停招标投标活动",
                project_ref=lot.project.code,
                lot_ref=lot.code,
                entity_uscc=o.uscc,
                details={"check": "objection_overdue", "objection": o.pk, "due": due.isoformat()},
                actor=SYSTEM,
            )
            o.overdue_warning_id = w.pk
            o.save(update_fields=["overdue_warning_id"])
            audit.record(
                actor=SYSTEM, action="objection.overdue", object_type="evaluation.objection", object_id=o.pk,
                summary={"warning": w.pk, "lot": lot.code},
                project_ref=lot.project.code, entity_ref=lot.project.tenderer_uscc,
            )  # fmt: skip
            raised += 1
    return raised


def deadlines_check(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """The tick's checks of this app: (contracts overdue, objections unanswered) newly warned."""
    return contracts_overdue(now=now), objections_overdue(now=now)


def award_get(code: str) -> Award:
    found = Award.objects.select_related("evaluation__lot__project", "tenderer").filter(code=code).first()
    if found is None:
        raise NotFound("award.not_found", f"未找到编号为“{code}”的中标通知书")
    return found
