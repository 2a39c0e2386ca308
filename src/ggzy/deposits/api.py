"""API of deposits (thin). The bank callback is unauthenticated at the HTTP level: a request is
accepted only with a valid SM2 signature of a registered bank (docs/deposits.md). Everything else
needs a token or session: operators of the lot (``trade.operate``), the bidder for its own
sub-account, supervisors (``trade.supervise``) for payer accounts."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from ggzy.deposits import selectors, services
from ggzy.deposits.schemas import (
    BidderOut,
    CallbackAnswerOut,
    DepositLotOut,
    GuaranteeIn,
    GuaranteeOut,
    GuaranteeVerifyIn,
    PayerAccountOut,
    RefundDueIn,
    RefundIn,
    RefundOut,
    RequirementIn,
    RequirementOut,
    SimulateIn,
    StatusOut,
    SubAccountIn,
    SubAccountOut,
)

router = Router(tags=["保证金"])

CALLBACK_DOC = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object", "description": "规范 JSON（见 docs/deposits.md）"}}},
    },
    "parameters": [
        {"in": "header", "name": "X-GGZY-Bank", "required": True, "schema": {"type": "string"}},
        {"in": "header", "name": "X-GGZY-Signature", "required": True, "schema": {"type": "string"},
         "description": "对请求体原始字节的 SM2 签名（DER，Base64）"},
    ],
}  # fmt: skip


@router.post(
    "/bank/callback",
    response=CallbackAnswerOut,
    auth=None,
    summary="银行到账回调（SM2 签名，5分钟内有效，按银行流水号幂等）",
    openapi_extra=CALLBACK_DOC,
)
def bank_callback(request: HttpRequest):
    return services.bank_callback(
        body=request.body,
        bank_code=request.headers.get("X-GGZY-Bank", ""),
        signature=request.headers.get("X-GGZY-Signature", ""),
    )


@router.get(
    "/lots/{code}", response=DepositLotOut, summary="标段（包）的保证金：要求、投标人状态、保函、退还"
)
def lot_detail(request: HttpRequest, code: str):
    return selectors.lot_out(selectors.lot_get(code), request.auth)


@router.put(
    "/lots/{code}/requirement", response=RequirementOut, summary="设定保证金金额（不超过交易规则的上限）"
)
def requirement_set(request: HttpRequest, code: str, payload: RequirementIn):
    req = services.deposit_requirement_set(
        lot=selectors.lot_get(code), amount=payload.amount, guarantee_allowed=payload.guarantee_allowed,
        actor=request.auth,
    )  # fmt: skip
    return selectors.requirement_out(req)


@router.post("/lots/{code}/sub-accounts", response=SubAccountOut, summary="获取本单位的保证金缴纳子账号")
def sub_account_open(request: HttpRequest, code: str, payload: SubAccountIn):
    sub = services.sub_account_open(lot=selectors.lot_get(code), uscc=payload.uscc, actor=request.auth)
    return {"lot": code, "uscc": sub.uscc, "entity_name": sub.entity_name, "number": sub.number, "attempt": sub.attempt,
            "bank_note": "请从本单位基本账户转入此子账号；到账后平台自动识别，无需另行告知"}  # fmt: skip


@router.get("/lots/{code}/bidders/{uscc}", response=BidderOut, summary="本单位的保证金状态与到账记录")
def bidder_detail(request: HttpRequest, code: str, uscc: str):
    return selectors.bidder_out(selectors.lot_get(code), uscc, request.auth)


@router.get("/lots/{code}/bidders/{uscc}/status", response=StatusOut, summary="保证金是否已缴足")
def bidder_status(request: HttpRequest, code: str, uscc: str):
    lot = selectors.lot_get(code)
    selectors.bidder_view(lot, uscc, request.auth)  # access check
    return selectors.status_out(lot, uscc)


@router.post("/lots/{code}/guarantees", response={201: GuaranteeOut}, summary="登记电子保函")
def guarantee_record(request: HttpRequest, code: str, payload: GuaranteeIn):
    g = services.guarantee_record(lot=selectors.lot_get(code), actor=request.auth, **payload.dict())
    return Status(201, selectors.guarantee_out(g))


@router.post("/guarantees/{pk}/verify", response=GuaranteeOut, summary="核验电子保函")
def guarantee_verify(request: HttpRequest, pk: int, payload: GuaranteeVerifyIn):
    g = services.guarantee_verify(
        guarantee=selectors.guarantee_get(pk), approve=payload.approve, note=payload.note, actor=request.auth
    )
    return selectors.guarantee_out(g)


@router.post(
    "/lots/{code}/refunds", response={201: RefundOut}, summary="登记保证金退还事由，计算法定退还期限"
)
def refund_due(request: HttpRequest, code: str, payload: RefundDueIn):
    r = services.deposit_refund_due(
        lot=selectors.lot_get(code), uscc=payload.uscc, reason=payload.reason, due_from=payload.due_from,
        actor=request.auth, attempt=payload.attempt,
    )  # fmt: skip
    return Status(201, selectors.refund_out(r))


@router.post("/lots/{code}/refunds/{uscc}/refund", response=RefundOut, summary="登记保证金已退还")
def refund(request: HttpRequest, code: str, uscc: str, payload: RefundIn):
    r = services.deposit_refund(
        lot=selectors.lot_get(code), uscc=uscc, reference=payload.reference, interest=payload.interest,
        actor=request.auth, attempt=payload.attempt,
    )  # fmt: skip
    return selectors.refund_out(r)


@router.get(
    "/lots/{code}/payer-accounts", response=list[PayerAccountOut], summary="保证金付款账户（仅监督人员）"
)
def payer_accounts(request: HttpRequest, code: str):
    return selectors.payer_accounts(selectors.lot_get(code), request.auth)


@router.post(
    "/lots/{code}/simulate-payment", response=CallbackAnswerOut, summary="模拟银行付款（仅开发测试环境）"
)
def simulate_payment(request: HttpRequest, code: str, payload: SimulateIn):
    return services.simulate_payment(lot=selectors.lot_get(code), actor=request.auth, **payload.dict())
