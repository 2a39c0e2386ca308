"""Timeline events a rule set may name, with their Chinese labels. Pure module.

A period runs from one event to another; a stage is entered at an event. Each mechanism has its
events in their natural order (``ORDER``): validation refuses a period that ends before it starts
or stages listed out of order. ``amendment_published`` is *floating*: an amendment (澄清或修改)
may be issued at any time before the deadline it affects, so it has no place in the order.
"""

from __future__ import annotations

EVENTS: dict[str, str] = {
    # sealed bids (engineering and procurement tendering, land and mining tenders)
    "notice_published": "公告发布（或投标邀请书发出）",
    "prequal_documents_issued": "资格预审文件开始发售",
    "prequal_documents_end": "资格预审文件停止发售",
    "prequal_deadline": "资格预审申请文件提交截止",
    "prequal_result": "资格预审结果通知",
    "documents_issued": "招标（采购）文件开始发出",
    "documents_end": "招标（采购）文件发售（提供）截止",
    "amendment_published": "澄清或者修改发出",
    "bidding_start": "投标开始",
    "bid_deadline": "投标截止",
    "opening": "开标",
    "evaluation_done": "评标（评审）结束",
    "report_delivered": "评审报告送交采购人",
    "publicity_start": "公示开始",
    "publicity_end": "公示结束",
    "winner_confirmed": "确定中标（成交）人",
    "award_notice": "中标（成交）通知书发出及结果公告",
    "contract_signed": "合同签订",
    "contract_published": "合同公告",
    # negotiation (competitive negotiation, consultation, request for quotation, single source)
    "response_deadline": "响应文件提交截止",
    # auctions and listings (land, mining, state property, other resources)
    "predisclosure_start": "信息预披露开始",
    "disclosure_start": "正式信息披露开始",
    "disclosure_end": "信息披露期满",
    "listing_start": "挂牌开始",
    "registration_deadline": "竞买报名截止",
    "listing_end": "挂牌截止",
    "auction_start": "拍卖（竞价）开始",
    "auction_end": "拍卖（竞价）结束",
    "result_published": "交易结果公示",
}

FLOATING = frozenset({"amendment_published"})

ORDER: dict[str, tuple[str, ...]] = {
    "sealed_bids": (
        "notice_published",
        "prequal_documents_issued",
        "prequal_documents_end",
        "prequal_deadline",
        "prequal_result",
        "documents_issued",
        "documents_end",
        "bidding_start",
        "bid_deadline",
        "opening",
        "evaluation_done",
        "report_delivered",
        "publicity_start",
        "publicity_end",
        "winner_confirmed",
        "award_notice",
        "contract_signed",
        "contract_published",
    ),
    "negotiation": (
        "notice_published",
        "publicity_start",
        "publicity_end",
        "documents_issued",
        "documents_end",
        "response_deadline",
        "evaluation_done",
        "report_delivered",
        "winner_confirmed",
        "award_notice",
        "contract_signed",
        "contract_published",
    ),
    "auction": (
        "predisclosure_start",
        "notice_published",
        "disclosure_start",
        "listing_start",
        "registration_deadline",
        "disclosure_end",
        "listing_end",
        "auction_start",
        "auction_end",
        "result_published",
        "contract_signed",
        "contract_published",
    ),
}


def allowed(mechanism: str) -> frozenset[str]:
    """The events a rule set of ``mechanism`` may use."""
    return frozenset(ORDER.get(mechanism, ())) | FLOATING


def position(mechanism: str, event: str) -> int | None:
    """The event's place in the mechanism's order; None for a floating or foreign event."""
    order = ORDER.get(mechanism, ())
    return order.index(event) if event in order else None


def label(event: str | None) -> str:
    if event is None:
        return "由经办人操作"
    return EVENTS.get(event, event)
