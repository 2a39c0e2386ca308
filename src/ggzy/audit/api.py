"""API for audit (thin: parse, call a selector, shape the answer). Read-only.

Authentication is set where the router is mounted (src/ggzy/api.py): audit imports no accounts code.
"""

from __future__ import annotations

import datetime as dt
import json

from django.http import HttpRequest
from ninja import Query, Router, Schema

from ggzy.audit import selectors
from ggzy.audit.schemas import AuditEventPageOut, AuditVerifyIn, AuditVerifyOut

router = Router(tags=["全流程留痕"])


class EventQuery(Schema):
    project_ref: str = ""
    entity_ref: str = ""
    actor_id: int | None = None
    object_type: str = ""
    object_id: str = ""
    action_prefix: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    page: int = 1
    page_size: int = 50


def _event_out(e) -> dict:
    try:
        summary = json.loads(e.summary)
    except ValueError:
        summary = e.summary
    return {
        **{f: getattr(e, f) for f in ("seq", "at", "actor_id", "actor_label", "action", "object_type")},
        **{f: getattr(e, f) for f in ("object_id", "project_ref", "entity_ref", "prev_hash", "hash")},
        "summary": summary,
        "summary_lines": selectors.summary_lines(e.summary),
    }


@router.get(
    "/events",
    response=AuditEventPageOut,
    summary="查阅审计事件（按项目、主体、操作人、对象、操作、时间筛选）",
)
def list_events(request: HttpRequest, q: Query[EventQuery]):
    filters = selectors.EventFilter(**{k: v for k, v in q.dict().items() if k not in ("page", "page_size")})
    page = selectors.list_events(actor=request.user, filters=filters, page=q.page, page_size=q.page_size)
    return {
        "page": page.number,
        "page_size": page.size,
        "has_next": page.has_next,
        "items": [_event_out(e) for e in page.events],
    }


@router.post("/verify", response=AuditVerifyOut, summary="校验审计链（整条或一段）")
def verify(request: HttpRequest, payload: AuditVerifyIn):
    result = selectors.verify_chain(actor=request.user, from_seq=payload.from_seq, to_seq=payload.to_seq)
    return result.as_dict()
