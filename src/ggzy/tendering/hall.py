"""The opening hall's broadcasts: services call ``notify`` from ``transaction.on_commit``; it sends
the hall state (``selectors.hall_state``) to the group ``opening.<lot id>``."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def group(lot_id: int) -> str:
    return f"opening.{lot_id}"


def notify(lot_id: int, event: str) -> None:
    from ggzy.tendering import selectors
    from ggzy.trading.models import Lot

    layer = get_channel_layer()
    if layer is None:
        return
    try:
        state = selectors.hall_state(Lot.objects.select_related("project").get(pk=lot_id))
        state["event"] = event
        async_to_sync(layer.group_send)(group(lot_id), {"type": "opening.state", "payload": state})
    except Exception:  # a failed broadcast must not break what was committed
        log.exception("opening %s: broadcast failed", lot_id)
