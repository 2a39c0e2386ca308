"""API of electronic supervision (thin). Mounted with the platform's auth (``api_auth``)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from ggzy.supervision import selectors, services
from ggzy.supervision.models import Warning
from ggzy.supervision.schemas import WarningHandleIn, WarningOut

router = Router(tags=["电子监督"])


def warning_out(w: Warning) -> dict:
    return {
        "id": w.pk,
        "kind": w.kind,
        "kind_label": w.get_kind_display(),
        "level": w.level,
        "region_code": w.region_code,
        "category": w.category,
        "project_ref": w.project_ref,
        "lot_ref": w.lot_ref,
        "entity_uscc": w.entity_uscc,
        "message": w.message_zh,
        "raised_at": w.raised_at,
        "handled_at": w.handled_at,
        "handled_by": w.handled_by_label,
        "handling_note": w.handling_note,
    }


@router.get("/warnings", response=list[WarningOut], summary="本部门待处理的预警")
def warning_list(request: HttpRequest, include_handled: bool = False):
    return [warning_out(w) for w in selectors.warnings_for(request.auth, open_only=not include_handled)[:500]]


@router.post("/warnings/{warning_id}/handle", response=WarningOut, summary="处理预警（填写处理意见）")
def warning_handle(request: HttpRequest, warning_id: int, payload: WarningHandleIn):
    warning = selectors.warning_get(warning_id, request.auth)
    return warning_out(services.warning_handle(warning=warning, note=payload.note, actor=request.auth))
