"""API of the expert pool and draws (thin). Public: specialties, draw commitments and, once
revealed, the verification data. Who was drawn: only to those ``selectors.can_see_result`` allows."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from ggzy.experts import selectors, services
from ggzy.experts.schemas import (
    CheckInIn,
    DrawCommitIn,
    DrawOut,
    DrawResultOut,
    ExpertApplyIn,
    ExpertOut,
    ExpertRateIn,
    ExpertReviewIn,
    ExpertStatusIn,
    InvitationAnswerIn,
    InvitationOut,
    SpecialtyOut,
    VerificationOut,
)

router = Router(tags=["评标专家"])


def _expert_out(e) -> dict:
    return {
        "code": e.code,
        "name": e.name,
        "status": e.status,
        "status_label": e.get_status_display(),
        "title": e.title,
        "years": e.years,
        "region_code": e.region_code,
        "employer_name": e.employer_name,
    }


@router.get("/specialties", response=list[SpecialtyOut], auth=None, summary="评标专业分类")
def specialties(request: HttpRequest):
    return selectors.specialty_tree()


@router.post("/applications", response={201: ExpertOut}, summary="申请入选评标专家库（专家账户）")
def apply(request: HttpRequest, payload: ExpertApplyIn):
    return Status(201, _expert_out(services.expert_apply(data=payload.dict(), actor=request.auth)))


@router.get("/draws", response=list[DrawOut], auth=None, summary="专家抽取承诺值公示")
def draw_list(request: HttpRequest):
    return [selectors.public_view(d) for d in selectors.draws_public()[:100]]


@router.post("/draws", response={201: DrawOut}, summary="发起专家抽取并公布承诺值")
def draw_commit(request: HttpRequest, payload: DrawCommitIn):
    from ggzy.trading.selectors import lot_get

    d = services.draw_commit(
        lot=lot_get(payload.lot_code),
        region_rule=payload.region_rule,
        wanted=[w.dict() for w in payload.wanted],
        avoid_usccs=payload.avoid_usccs,
        actor=request.auth,
    )
    return Status(201, selectors.public_view(d))


@router.get("/draws/{code}", response=DrawOut, auth=None, summary="专家抽取（公开信息）")
def draw_detail(request: HttpRequest, code: str):
    return selectors.public_view(selectors.draw_get(code))


@router.post("/draws/{code}/run", response=DrawOut, summary="执行抽取（以抽取时审计链头为公开随机值）")
def draw_run(request: HttpRequest, code: str):
    return selectors.public_view(services.draw_run(draw=selectors.draw_get(code), actor=request.auth))


@router.get(
    "/draws/{code}/result", response=DrawResultOut, summary="抽取结果（评标开始前仅抽取人和监督人员可见）"
)
def draw_result(request: HttpRequest, code: str):
    return selectors.draw_result(selectors.draw_get(code), request.auth)


@router.post("/draws/{code}/committee", response=DrawOut, summary="评标开始：由确认参加的专家组建评标委员会")
def committee_form(request: HttpRequest, code: str):
    d = selectors.draw_get(code)
    services.committee_form(draw=d, actor=request.auth)
    return selectors.public_view(selectors.draw_get(code))


@router.post("/draws/{code}/reveal", response=DrawOut, summary="公开抽取验证数据（种子、专家库快照）")
def draw_reveal(request: HttpRequest, code: str):
    return selectors.public_view(services.draw_reveal(draw=selectors.draw_get(code), actor=request.auth))


@router.get("/draws/{code}/verification", response=VerificationOut, auth=None, summary="验证已公开的抽取")
def draw_verify(request: HttpRequest, code: str):
    result = selectors.verify_draw(code)
    return {**result, "record": selectors.draw_get(code).revealed}


@router.get("/invitations", response=list[InvitationOut], summary="我的抽取通知（专家）")
def invitations(request: HttpRequest):
    return selectors.invitations_for(request.auth)


@router.post("/invitations/{invitation_id}/answer", response=InvitationOut, summary="确认参加或谢绝")
def invitation_answer(request: HttpRequest, invitation_id: int, payload: InvitationAnswerIn):
    services.invitation_answer(invitation_id=invitation_id, accept=payload.accept, actor=request.auth)
    return next(i for i in selectors.invitations_for(request.auth) if i["id"] == invitation_id)


@router.post("/experts/{code}/review", response=ExpertOut, summary="审核专家申请（须填写理由）")
def expert_review(request: HttpRequest, code: str, payload: ExpertReviewIn):
    e = services.expert_review(
        expert=selectors.expert_get(code), approve=payload.approve, reason=payload.reason, actor=request.auth
    )
    return _expert_out(e)


@router.post("/experts/{code}/status", response=ExpertOut, summary="暂停、恢复、退出或清退专家（须填写原因）")
def expert_status(request: HttpRequest, code: str, payload: ExpertStatusIn):
    e = services.expert_status_set(
        expert=selectors.expert_get(code), status=payload.status, reason=payload.reason, actor=request.auth
    )
    return _expert_out(e)


@router.post(
    "/experts/{code}/ratings", response={201: dict}, summary="评标结束后评价专家（服务中心、监督部门）"
)
def expert_rate(request: HttpRequest, code: str, payload: ExpertRateIn):
    from ggzy.trading.selectors import lot_get

    e = selectors.expert_get(code)
    services.expert_rate(
        expert=e,
        lot=lot_get(payload.lot_code),
        scores=payload.dict(include={"punctuality", "conduct", "quality"}),
        comment=payload.comment,
        actor=request.auth,
    )
    e.refresh_from_db()
    return Status(201, {"code": e.code, "status": e.status, "status_label": e.get_status_display()})


@router.post(
    "/committee-members/{member_id}/check-in", response=dict, summary="评标专家签到（现场或远程异地评标室）"
)
def check_in(request: HttpRequest, member_id: int, payload: CheckInIn):
    m = services.committee_check_in(member_id=member_id, remote=payload.remote, actor=request.auth)
    return {"id": m.pk, "checked_in_at": m.checked_in_at.isoformat(), "remote": m.remote}
