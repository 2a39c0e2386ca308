"""API of the evaluation, award, contract and performance (thin: every write is one service).
Only the lot's committee members review and score; staff run the procedure; supervisors read."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from ggzy.evaluation import selectors, services
from ggzy.evaluation.models import Contract
from ggzy.evaluation.schemas import (
    AdjustmentIn,
    AwardIn,
    AwardOut,
    AwardVerifyOut,
    ContractIn,
    ContractOut,
    EvaluationOut,
    EvaluationStartIn,
    NoticeRefOut,
    ObjectionAnswerIn,
    ObjectionIn,
    ObjectionOut,
    PerformanceIn,
    PerformanceOut,
    QualificationIn,
    QuoteIn,
    RoundIn,
    ScoresIn,
    SignIn,
    TerminateIn,
)
from ggzy.trading import selectors as trading

router = Router(tags=["评标、定标、合同与履约"])


def _ev(code: str):
    return selectors.evaluation_of_code(code)


def _out(ev, user) -> dict:
    return selectors.evaluation_view(ev, user)


@router.get("/lots/{code}", response=EvaluationOut, summary="评标情况（评标委员会成员、经办人员、监督人员）")
def evaluation_get(request: HttpRequest, code: str):
    ev = _ev(code)
    return _out(ev, request.auth)


@router.post(
    "/lots/{code}/start", response={201: EvaluationOut}, summary="开始评标（组建评标委员会、确定评标办法）"
)
def evaluation_start(request: HttpRequest, code: str, payload: EvaluationStartIn):
    ev = services.evaluation_start(
        lot=trading.lot_get(code),
        method=payload.method,
        scoring_table=payload.scoring_table,
        experts_codes=payload.experts,
        suppliers=payload.suppliers,
        actor=request.auth,
    )
    return Status(201, _out(ev, request.auth))


@router.post("/lots/{code}/qualification", response=EvaluationOut, summary="提交资格审查意见（评标专家）")
def qualification_submit(request: HttpRequest, code: str, payload: QualificationIn):
    ev = _ev(code)
    services.qualification_submit(evaluation=ev, votes=payload.votes, actor=request.auth)
    return _out(_ev(code), request.auth)


@router.post("/lots/{code}/scores", response=EvaluationOut, summary="提交评分（评标专家，独立评分）")
def score_submit(request: HttpRequest, code: str, payload: ScoresIn):
    services.score_submit(evaluation=_ev(code), scores=payload.scores, actor=request.auth)
    return _out(_ev(code), request.auth)


@router.post("/lots/{code}/quotes", response={201: EvaluationOut}, summary="提交本轮报价（供应商）")
def quote_submit(request: HttpRequest, code: str, payload: QuoteIn):
    services.quote_submit(evaluation=_ev(code), price=payload.price, actor=request.auth)
    return Status(201, _out(_ev(code), request.auth))


@router.post("/lots/{code}/rounds", response=EvaluationOut, summary="开始下一轮报价（谈判、磋商小组）")
def round_next(request: HttpRequest, code: str, payload: RoundIn):
    services.round_next(evaluation=_ev(code), final=payload.final, actor=request.auth)
    return _out(_ev(code), request.auth)


@router.post("/lots/{code}/quotes/close", response=EvaluationOut, summary="结束最后报价")
def quotes_close(request: HttpRequest, code: str):
    services.quotes_close(evaluation=_ev(code), actor=request.auth)
    return _out(_ev(code), request.auth)


@router.post(
    "/lots/{code}/adjustments", response=EvaluationOut, summary="调整评审价格（经评审的最低投标价法）"
)
def adjustment_set(request: HttpRequest, code: str, payload: AdjustmentIn):
    services.adjustment_set(
        evaluation=_ev(code),
        uscc=payload.uscc,
        amount=payload.amount,
        reason=payload.reason,
        actor=request.auth,
    )
    return _out(_ev(code), request.auth)


@router.post("/lots/{code}/sign", response=EvaluationOut, summary="签署评标报告（确认报告的SM3摘要）")
def report_sign(request: HttpRequest, code: str, payload: SignIn):
    services.report_sign(
        evaluation=_ev(code), report_sm3=payload.report_sm3, dissent=payload.dissent, actor=request.auth
    )
    return _out(_ev(code), request.auth)


@router.post("/lots/{code}/publicity", response=EvaluationOut, summary="发布中标候选人公示")
def publicity_publish(request: HttpRequest, code: str):
    services.publicity_publish(evaluation=_ev(code), actor=request.auth)
    return _out(_ev(code), request.auth)


@router.get("/lots/{code}/objections", response=list[ObjectionOut], summary="异议及答复")
def objections(request: HttpRequest, code: str):
    return selectors.objections_of(_ev(code), request.auth)


@router.post(
    "/lots/{code}/objections", response={201: ObjectionOut}, summary="对评标结果提出异议（投标人，公示期间）"
)
def objection_file(request: HttpRequest, code: str, payload: ObjectionIn):
    o = services.objection_file(evaluation=_ev(code), text=payload.text, actor=request.auth)
    return Status(201, o)


@router.post("/objections/{objection_id}/answer", response=ObjectionOut, summary="答复异议")
def objection_answer(request: HttpRequest, objection_id: int, payload: ObjectionAnswerIn):
    o = selectors.objection_get(objection_id)
    return services.objection_answer(objection=o, answer=payload.answer, actor=request.auth)


@router.post("/lots/{code}/award", response={201: AwardOut}, summary="定标并发出中标通知书")
def award_decide(request: HttpRequest, code: str, payload: AwardIn):
    a = services.award_decide(
        evaluation=_ev(code), passed_over=[p.dict() for p in payload.passed_over], actor=request.auth
    )
    return Status(201, selectors.award_view(a))


@router.get(
    "/awards/{award_code}/verify", response=AwardVerifyOut, auth=None, summary="验证中标通知书（公开）"
)
def award_verify(request: HttpRequest, award_code: str):
    return selectors.award_verify(award_code)


@router.post("/lots/{code}/contract", response={201: ContractOut}, summary="登记合同")
def contract_record(request: HttpRequest, code: str, payload: ContractIn):
    a = selectors.award_of(_ev(code))
    c = services.contract_record(
        award=a,
        contract_no=payload.contract_no,
        amount=payload.amount,
        signed_on=payload.signed_on,
        actor=request.auth,
    )
    return Status(201, selectors.contract_view(c))


@router.post(
    "/lots/{code}/performance", response={201: PerformanceOut}, summary="登记履约信息（节点、支付、完工验收）"
)
def performance_record(request: HttpRequest, code: str, payload: PerformanceIn):
    c: Contract = selectors.contract_of(_ev(code))
    p = services.performance_record(
        contract=c,
        kind=payload.kind,
        occurred_on=payload.occurred_on,
        amount=payload.amount,
        description=payload.description,
        actor=request.auth,
    )
    return Status(201, selectors.performance_view(p))


@router.post("/lots/{code}/terminate", response={201: NoticeRefOut}, summary="终止（流标）并发布终止公告")
def lot_terminate(request: HttpRequest, code: str, payload: TerminateIn):
    n = services.lot_terminate(
        lot=trading.lot_get(code), reason=payload.reason, retender=payload.retender, actor=request.auth
    )
    return Status(201, {"number": n.number, "kind": n.kind})
