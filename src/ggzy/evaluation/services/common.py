"""Helpers shared by the evaluation services (locks, actors, the procedure of a lot)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ggzy.core import clock
from ggzy.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ggzy.core.permissions import require
from ggzy.evaluation import procedures, scoring
from ggzy.evaluation.models import Evaluation, Member
from ggzy.experts import selectors as experts
from ggzy.trading import selectors as trading


def label(actor: Any) -> str:
    f = getattr(actor, "audit_label", None)
    return f() if callable(f) else str(actor)


def procedure_of(lot: Any) -> procedures.Procedure:
    rs = trading.ruleset_of(lot.project)
    p = procedures.derive(
        code=rs.code,
        category=rs.category,
        procedure=rs.procedure,
        mechanism=rs.mechanism,
        stages=rs.stage_codes(),
        methods=rs.evaluation_methods,
        publicity_days=rs.publicity_days,
        min_bidders=rs.min_bidders,
    )
    if p is None:
        raise InvalidInput("evaluation.no_evaluation", f"“{rs.name}”不设评标（评审）环节", field="lot")
    return p


def locked(evaluation: Evaluation) -> Evaluation:
    return Evaluation.objects.select_for_update().select_related("lot", "lot__project").get(pk=evaluation.pk)


def check_version(ev: Evaluation, expected: int | None) -> None:
    if expected is not None and expected != ev.version:
        raise Conflict(
            "evaluation.version_conflict",
            "评标信息已被他人更新，请刷新后重试",
            details={"version": ev.version},
        )


def bump(ev: Evaluation, *fields: str) -> None:
    ev.version += 1
    ev.save(update_fields=[*fields, "version"])


def member_of(ev: Evaluation, actor: Any) -> Member:
    """The committee member acting: only the committee's experts evaluate (never staff)."""
    require(actor, "evaluation.score")
    found = Member.objects.filter(evaluation=ev, user_id=getattr(actor, "pk", None)).first()
    if found is None:
        raise PermissionDenied("evaluation.not_member", "只有本标段评标委员会成员可以评审")
    return found


def need_status(ev: Evaluation, *statuses: str) -> None:
    if ev.status not in statuses:
        from ggzy.evaluation.models import Status

        raise Conflict(
            "evaluation.wrong_status",
            f"评标当前处于“{Status(ev.status).label}”阶段，不能进行此操作",
            details={"status": ev.status},
        )


def money(value: Any, what: str, field: str) -> Decimal:
    try:
        d = scoring.decimal_of(value, what, field)
    except scoring.ScoringError as exc:
        raise InvalidInput(exc.code, exc.message, field=field) from None
    if d <= 0:
        raise InvalidInput("evaluation.amount_invalid", f"{what}应大于0", field=field)
    return d


def today() -> dt.date:
    return clock.now().astimezone(clock.CHINA).date()


def evaluation_of(lot: Any) -> Evaluation:
    ev = Evaluation.objects.filter(lot_id=lot.pk).first()
    if ev is None:
        raise NotFound("evaluation.not_found", f"标段（包）{lot.code}尚未开始评标")
    return ev


__all__ = ["experts", "trading"]
