"""Reads of evaluations and who may see what (docs/evaluation.md, "Who sees what").

- Committee members see the bids and their own sheets; another member's scores only once every
  member has submitted (independent scoring). Staff see the progress (who has submitted), never
  scores before the end; supervisors read everything (``trade.supervise`` on the lot).
- The public sees what the notices publish, and can verify a notice of award.
"""

from __future__ import annotations

from typing import Any

from ggzy.core.errors import NotFound, PermissionDenied
from ggzy.core.permissions import allowed
from ggzy.crypto import platform
from ggzy.evaluation import procedures, scoring
from ggzy.evaluation.models import Award, Evaluation, Member, Status


def evaluation_get(lot: Any) -> Evaluation | None:
    return Evaluation.objects.filter(lot_id=lot.pk).select_related("lot", "lot__project").first()


def member_of(ev: Evaluation, user: Any) -> Member | None:
    if not allowed(user, "evaluation.score"):
        return None
    return Member.objects.filter(evaluation=ev, user_id=getattr(user, "pk", None)).first()


def is_staff(ev: Evaluation, user: Any) -> bool:
    return allowed(user, "trade.operate", ev.lot)


def is_supervisor(ev: Evaluation, user: Any) -> bool:
    return allowed(user, "trade.supervise", ev.lot) or (
        allowed(user, "trade.read_confidential", ev.lot) and not is_staff(ev, user)
    )


def can_view(ev: Evaluation, user: Any) -> bool:
    return bool(member_of(ev, user)) or is_staff(ev, user) or is_supervisor(ev, user)


def require_view(ev: Evaluation, user: Any) -> None:
    if not can_view(ev, user):
        raise PermissionDenied(
            "evaluation.no_access", "只有本标段评标委员会成员、交易中心经办人员和监督人员可以查看评标"
        )


def _sheets_done(ev: Evaluation) -> bool:
    return ev.status not in (Status.QUALIFICATION, Status.QUOTING, Status.SCORING)


def score_view(ev: Evaluation, user: Any) -> dict[str, Any]:
    """The score sheets the viewer may see: its own (a member), every sheet once all are in (the
    committee and staff), every sheet at any time (supervisors); plus who has submitted."""
    require_view(ev, user)
    me = member_of(ev, user)
    sheets = list(ev.score_sheets.select_related("member").order_by("member__expert_code"))
    submitted = {s.member_id for s in sheets}
    if _sheets_done(ev) or is_supervisor(ev, user):
        visible = sheets
    elif me is not None:
        visible = [s for s in sheets if s.member_id == me.pk]
    else:
        visible = []
    return {
        "submitted": [
            {"code": m.expert_code, "name": m.name, "done": m.pk in submitted} for m in ev.members.all()
        ],
        "sheets": [
            {"expert": s.member.expert_code, "scores": s.scores, "at": s.submitted_at} for s in visible
        ],
    }


def qualification_view(ev: Evaluation, user: Any) -> dict[str, Any]:
    require_view(ev, user)
    me = member_of(ev, user)
    sheets = list(ev.qualification_sheets.select_related("member"))
    done = ev.status != Status.QUALIFICATION
    visible = (
        sheets if done or is_supervisor(ev, user) else [s for s in sheets if me and s.member_id == me.pk]
    )
    return {
        "submitted": [m.member.expert_code for m in sheets],
        "sheets": [{"expert": s.member.expert_code, "votes": s.votes} for s in visible],
    }


def room(ev: Evaluation, user: Any) -> dict[str, Any]:
    """Everything the evaluation room page shows to ``user``."""
    require_view(ev, user)
    me = member_of(ev, user)
    table = scoring.parse_table(ev.scoring_table) if ev.scoring_table else None
    signed = {s.member_id: s for s in ev.signatures.all()}
    return {
        "ev": ev,
        "lot": ev.lot,
        "me": me,
        "staff": is_staff(ev, user),
        "supervisor": is_supervisor(ev, user),
        "method_label": procedures.METHOD_LABELS.get(ev.method, ev.method),
        "status_label": Status(ev.status).label,
        "members": [
            {
                "code": m.expert_code,
                "name": m.name,
                "signed": m.pk in signed,
                "dissent": signed[m.pk].dissent if m.pk in signed else "",
            }
            for m in ev.members.all()
        ],
        "tenderers": list(ev.tenderers.all()),
        "qualified": list(ev.tenderers.filter(qualified=True)),
        "table": table,
        "scored_items": table.scored_items if table else (),
        "qualification": qualification_view(ev, user),
        "scores": score_view(ev, user),
        "my_qualification_done": bool(me and ev.qualification_sheets.filter(member=me).exists()),
        "my_scores_done": bool(me and ev.score_sheets.filter(member=me).exists()),
        "my_signature": signed.get(me.pk) if me else None,
        "objections": list(ev.objections.all()),
        "award": Award.objects.filter(evaluation=ev).first(),
        "quotes_round": ev.current_round,
    }


def award_get(code: str) -> Award:
    found = Award.objects.select_related("evaluation__lot__project", "tenderer").filter(code=code).first()
    if found is None:
        raise NotFound("award.not_found", f"未找到编号为“{code}”的中标通知书")
    return found


def award_verify(code: str, pdf: bytes | None = None) -> dict[str, Any]:
    """Check a notice of award: the stored PDF (or the one given) against the platform's SM2
    signature with only the public key, and its SM3 digest against the record."""
    a = award_get(code)
    data = bytes(a.pdf) if pdf is None else pdf
    lot = a.evaluation.lot
    return {
        **platform.check_document(data, a.signature, a.pdf_sm3),
        "code": a.code,
        "lot": lot.code,
        "lot_name": lot.name,
        "project_name": lot.project.name,
        "winner": a.tenderer.name,
        "winner_uscc": a.tenderer.uscc,
        "price": str(a.price),
        "awarded_at": a.awarded_at,
        "key_fingerprint": a.key_fingerprint,
        "public_key_pem": platform.public_pem(),
        "signature": a.signature,
    }


# --- for the API and the pages ------------------------------------------------------------------------
def evaluation_of_code(code: str) -> Evaluation:
    from ggzy.trading import selectors as trading

    lot = trading.lot_get(code)
    ev = evaluation_get(lot)
    if ev is None:
        raise NotFound("evaluation.not_found", f"标段（包）{lot.code}尚未开始评标")
    return ev


def evaluation_view(ev: Evaluation, user: Any) -> dict[str, Any]:
    """The evaluation as the API returns it: scores only as ``score_view`` allows (the report
    holds the ranking once every member has submitted)."""
    require_view(ev, user)
    signed = {s.member_id: s for s in ev.signatures.all()}
    award = Award.objects.filter(evaluation=ev).first()
    done = _sheets_done(ev) or is_supervisor(ev, user)
    return {
        "lot": ev.lot.code,
        "status": ev.status,
        "status_label": Status(ev.status).label,
        "method": ev.method,
        "method_label": procedures.METHOD_LABELS.get(ev.method, ev.method),
        "version": ev.version,
        "current_round": ev.current_round,
        "scoring_table": ev.scoring_table,
        "members": [
            {
                "code": m.expert_code,
                "name": m.name,
                "signed": m.pk in signed,
                "dissent": signed[m.pk].dissent if m.pk in signed else "",
            }
            for m in ev.members.all()
        ],
        "tenderers": [
            {
                "uscc": t.uscc,
                "name": t.name,
                "price": None if t.price is None else str(t.price),
                "qualified": t.qualified,
                "reasons": t.reasons,
                "price_score": None if t.price_score is None or not done else str(t.price_score),
                "total": None if t.total is None or not done else str(t.total),
                "rank": t.rank if done else None,
            }
            for t in ev.tenderers.all()
        ],
        "report": ev.report if ev.report_sm3 else {},
        "report_sm3": ev.report_sm3,
        "publicity_start": ev.publicity_start,
        "publicity_end": ev.publicity_end,
        "award_code": award.code if award else None,
    }


def objections_of(ev: Evaluation, user: Any) -> list[Any]:
    """Staff, supervisors and the committee see every objection; a bidder its own."""
    from ggzy.accounts.policy import own_entity_uscc

    if can_view(ev, user):
        return list(ev.objections.all())
    uscc = own_entity_uscc(user) if getattr(user, "is_authenticated", False) else ""
    if not uscc:
        raise PermissionDenied("evaluation.no_access", "无权查看异议")
    return list(ev.objections.filter(uscc=uscc))


def objection_get(pk: int) -> Any:
    from ggzy.evaluation.models import Objection

    found = Objection.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound("objection.not_found", "未找到该异议")
    return found


def award_of(ev: Evaluation) -> Award:
    found = Award.objects.filter(evaluation=ev).select_related("tenderer").first()
    if found is None:
        raise NotFound("award.not_found", "本标段尚未定标")
    return found


def contract_of(ev: Evaluation) -> Any:
    from ggzy.evaluation.models import Contract

    found = Contract.objects.filter(award__evaluation=ev).first()
    if found is None:
        raise NotFound("contract.not_found", "本标段尚未登记合同")
    return found


def award_view(a: Award) -> dict[str, Any]:
    return {
        "code": a.code,
        "winner": a.tenderer.name,
        "winner_uscc": a.tenderer.uscc,
        "price": str(a.price),
        "awarded_at": a.awarded_at,
        "pdf_sm3": a.pdf_sm3,
        "signature": a.signature,
        "key_fingerprint": a.key_fingerprint,
        "notice_number": a.notice_number,
        "contract_due_on": a.contract_due_on,
    }


def contract_view(c: Any) -> dict[str, Any]:
    return {"id": c.pk, "contract_no": c.contract_no, "amount": str(c.amount), "signed_on": c.signed_on,
            "late": c.late, "notice_number": c.notice_number}  # fmt: skip


def performance_view(p: Any) -> dict[str, Any]:
    return {"id": p.pk, "kind": p.kind, "occurred_on": p.occurred_on,
            "amount": None if p.amount is None else str(p.amount), "description": p.description,
            "notice_number": p.notice_number}  # fmt: skip


def bidder_view(ev: Evaluation, user: Any) -> dict[str, Any] | None:
    """What a bidder of the lot sees in the room: the status, its own quotes, the quote and
    objection forms when they apply, its own objections; never the committee or the scores."""
    from ggzy.accounts.policy import own_entity_uscc

    uscc = own_entity_uscc(user) if getattr(user, "is_authenticated", False) else ""
    t = ev.tenderers.filter(uscc=uscc).first() if uscc else None
    if t is None:
        return None
    return {
        "ev": ev,
        "bidder": t,
        "status_label": Status(ev.status).label,
        "method_label": procedures.METHOD_LABELS.get(ev.method, ev.method),
        "my_quotes": list(t.quotes.all()),
        "objections": list(ev.objections.filter(uscc=uscc)),
        "award": Award.objects.filter(evaluation=ev).first(),
    }


def evaluations_for(user: Any, limit: int = 200) -> list[dict[str, Any]]:
    """The newest evaluations ``user`` may open (member, staff or supervisor), newest first."""
    out = []
    qs = Evaluation.objects.select_related("lot", "lot__project").order_by("-started_at")
    if allowed(user, "evaluation.score"):
        qs = qs.filter(members__user_id=getattr(user, "pk", None))
    for ev in qs[: limit * 5]:
        if len(out) >= limit:
            break
        if can_view(ev, user):
            out.append({"lot": ev.lot, "status_label": Status(ev.status).label, "started_at": ev.started_at,
                        "method_label": procedures.METHOD_LABELS.get(ev.method, ev.method)})  # fmt: skip
    return out


CHAIN_NOTICES = ("opening_record", "candidate_publicity", "award", "contract", "performance", "termination")


def lot_chain(lot: Any, user: Any, *, console: bool = False) -> dict[str, Any]:
    """What follows a sealed-bid lot's bid deadline, as links for the trading pages (the template
    tag ``lot_trade_chain``): the opening hall (public), the evaluation room (its committee, staff
    and supervisors; in the console), the notice of award (PDF and its public verification), the
    contract, and the lot's published notices of the chain — opening record, candidate publicity,
    award, contract, performance, termination (the public sees what the notices publish)."""
    from ggzy.trading import selectors as trading_selectors

    sealed = any(  # a sealed-bid procedure (tendering's DEADLINE_EVENTS)
        trading_selectors.lot_event_time(lot, e) is not None for e in ("bid_deadline", "response_deadline")
    )
    ev = evaluation_get(lot)
    out: dict[str, Any] = {"lot_code": lot.code, "sealed": sealed, "console": console, "room": False,
                           "award": None, "contract": None}  # fmt: skip
    if ev is not None:
        out["evaluation_status"] = ev.get_status_display()
        out["room"] = console and can_view(ev, user)
        award = Award.objects.filter(evaluation=ev).first()
        if award is not None:
            out["award"] = {"code": award.code, "price": award.price}
            from ggzy.evaluation.models import Contract

            c = Contract.objects.filter(award=award).first()
            if c is not None:
                out["contract"] = {
                    "no": c.contract_no,
                    "amount": c.amount,
                    "signed_on": c.signed_on,
                    "late": c.late,
                }
    out["notices"] = [
        {"number": n.number, "title": n.title, "kind": n.get_kind_display(), "published_at": n.published_at}
        for n in trading_selectors.lot_notices(lot, CHAIN_NOTICES)
    ]
    return out
