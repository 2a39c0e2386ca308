"""WebSocket: the live opening hall at /ws/openings/<lot code>/ (docs/tendering.md).

Bidders, supervisors and public viewers see the same state: the bid box's status and, after the
deadline, who bid and who has decrypted. On connect (and on ``{"type": "sync"}``) the full state is
sent, so a reconnecting client is up to date; every change is broadcast after its commit.
"""

from __future__ import annotations

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from ggzy.core.errors import DomainError
from ggzy.tendering import hall, selectors


class OpeningHallConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        code = self.scope["url_route"]["kwargs"]["lot"]
        try:
            self.lot_id, state = await database_sync_to_async(self._load)(code)
        except DomainError:
            await self.close(code=4404)
            return
        await self.accept()
        await self.channel_layer.group_add(hall.group(self.lot_id), self.channel_name)
        await self.send(text_data=json.dumps(state, ensure_ascii=False))

    def _load(self, code: str):
        from ggzy.trading import selectors as trading_selectors

        lot = trading_selectors.lot_get(code)
        return lot.pk, selectors.hall_state(lot)

    def _state(self):
        from ggzy.trading.models import Lot

        return selectors.hall_state(Lot.objects.select_related("project").get(pk=self.lot_id))

    async def disconnect(self, code):
        if hasattr(self, "lot_id"):
            await self.channel_layer.group_discard(hall.group(self.lot_id), self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        try:
            msg = json.loads(text_data or "")
        except ValueError:
            msg = {}
        if isinstance(msg, dict) and msg.get("type") == "sync":
            state = await database_sync_to_async(self._state)()
            await self.send(text_data=json.dumps(state, ensure_ascii=False))
        else:
            await self.send(
                text_data=json.dumps(
                    {"type": "refused", "code": "hall.unknown", "message": "不支持的消息类型"}
                )
            )

    async def opening_state(self, event):
        await self.send(text_data=json.dumps(event["payload"], ensure_ascii=False))
