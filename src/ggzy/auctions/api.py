"""API of auctions and listings (thin: reads from the selectors, every write one service;
docs/auctions.md "API"). Public reads say ``auth=None``; everything else needs a token or session."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from ggzy.auctions import contracts, results, selectors, services, settlement
from ggzy.auctions.schemas import (
    AuctionConfirmationOut,
    AuctionConfirmationVerifyOut,
    AuctionContractIn,
    AuctionCreateIn,
    AuctionDepositConfirmIn,
    AuctionDetailOut,
    AuctionRegistrationOut,
    AuctionRegistrationStaffOut,
    AuctionRelistIn,
    AuctionResultOut,
    AuctionReviewIn,
    AuctionSummaryOut,
)
from ggzy.trading import selectors as trading

router = Router(tags=["拍卖挂牌（土地、矿业权、国有产权）"])


def _viewer(request: HttpRequest):
    return getattr(request, "auth", None) or request.user


def _detail(request: HttpRequest, a) -> dict:
    user = _viewer(request)
    reg = selectors.registration_of(a, user)
    return selectors.public_view(
        selectors.hall_payload(a), selectors.view_of(a, user), reg.number if reg and reg.number else None
    )


def _own(r) -> dict:
    return {"id": r.pk, "auction": r.auction_id, "status": r.status, "status_label": r.get_status_display(),
            "number": r.number, "deposit_confirmed": r.deposit_confirmed_at is not None, "may_bid": r.may_bid}  # fmt: skip


@router.get("/", response=list[AuctionSummaryOut], auth=None, summary="拍卖挂牌标的列表（公开）")
def auction_list(request: HttpRequest, kind: str = "", phase: str = "", limit: int = 100):
    return results.summaries(kind=kind, phase=phase, limit=limit)


@router.post("/", response={201: AuctionDetailOut}, summary="为标段（包）设立拍卖挂牌（经办人员）")
def auction_create(request: HttpRequest, payload: AuctionCreateIn):
    data = payload.dict(exclude_none=True)
    lot = trading.lot_get(data.pop("lot"))
    a = settlement.auction_setup(lot=lot, data=data, actor=request.auth)
    return Status(201, _detail(request, selectors.auction_get(a.pk)))


@router.get("/{pk}", response=AuctionDetailOut, auth=None, summary="拍卖挂牌详情（按查看者身份显示）")
def auction_detail(request: HttpRequest, pk: int):
    a = services.auction_refresh(auction=selectors.auction_get(pk))
    return _detail(request, a)


@router.post(
    "/{pk}/advance", response=AuctionDetailOut, summary="按服务器时间开始或结束（经办人员；不能提前）"
)
def auction_advance(request: HttpRequest, pk: int):
    a = settlement.auction_advance(auction=selectors.auction_get(pk), actor=request.auth)
    return _detail(request, a)


@router.post("/{pk}/registrations", response={201: AuctionRegistrationOut}, summary="报名竞买（市场主体）")
def registration_apply(request: HttpRequest, pk: int):
    r = services.registration_apply(auction=selectors.auction_get(pk), actor=request.auth)
    return Status(201, _own(r))


@router.get(
    "/{pk}/registrations",
    response=list[AuctionRegistrationStaffOut],
    summary="报名、资格审查与保证金情况（经办、监督人员）",
)
def registration_list(request: HttpRequest, pk: int):
    return results.registrations_of(selectors.auction_get(pk), request.auth)


@router.post("/registrations/{rid}/review", response=AuctionRegistrationOut, summary="资格审查（经办人员）")
def registration_review(request: HttpRequest, rid: int, payload: AuctionReviewIn):
    r = services.registration_review(
        registration=results.registration_get(rid),
        approve=payload.approve,
        note=payload.note,
        actor=request.auth,
    )
    return _own(r)


@router.post(
    "/registrations/{rid}/deposit", response=AuctionRegistrationOut, summary="确认竞买保证金到账（经办人员）"
)
def registration_deposit(request: HttpRequest, rid: int, payload: AuctionDepositConfirmIn):
    r = results.registration_get(rid)
    if payload.reference.strip():
        r = services.deposit_confirm(registration=r, reference=payload.reference, actor=request.auth)
    else:
        r = settlement.deposit_check(registration=r, actor=request.auth)
    return _own(r)


@router.get("/{pk}/result", response=AuctionResultOut, auth=None, summary="竞价结果与成交确认书（公开）")
def auction_result(request: HttpRequest, pk: int):
    return results.result_of(services.auction_refresh(auction=selectors.auction_get(pk)))


@router.post(
    "/{pk}/settlement/retry",
    response=AuctionResultOut,
    summary="重新办理竞价结果（结束时办理未成功的，经办人员；已办结的不重复办理）",
)
def settlement_retry(request: HttpRequest, pk: int):
    a = settlement.settlement_retry(auction=selectors.auction_get(pk), actor=request.auth)
    return results.result_of(a)


@router.post("/{pk}/relist", response={201: AuctionDetailOut}, summary="重新挂牌（流拍或竞得人逾期未签订后）")
def auction_relist(request: HttpRequest, pk: int, payload: AuctionRelistIn):
    a = settlement.auction_list_again(
        auction=selectors.auction_get(pk), data=payload.dict(exclude_none=True), actor=request.auth
    )
    return Status(201, _detail(request, selectors.auction_get(a.pk)))


@router.get(
    "/confirmations/{code}",
    response=AuctionConfirmationVerifyOut,
    auth=None,
    summary="验证成交确认书（公开）",
)
def confirmation_verify(request: HttpRequest, code: str):
    return results.confirmation_verify(code)


@router.post(
    "/confirmations/{code}/sign", response=AuctionConfirmationOut, summary="签订成交确认书（竞得人）"
)
def confirmation_sign(request: HttpRequest, code: str):
    c = settlement.confirmation_sign(confirmation=results.confirmation_get(code), actor=request.auth)
    return results.confirmation_out(c)


@router.post(
    "/confirmations/{code}/contract",
    response={201: AuctionConfirmationOut},
    summary="登记出让合同（产权交易合同）并发布合同公告（经办人员）",
)
def contract_record(request: HttpRequest, code: str, payload: AuctionContractIn):
    c = results.confirmation_get(code)
    contracts.contract_record(confirmation=c, actor=request.auth, **payload.dict())
    return Status(201, results.confirmation_out(results.confirmation_get(code)))
