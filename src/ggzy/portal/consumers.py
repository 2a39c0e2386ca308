"""WebSocket: the server clock. Clients show the authoritative server time and stay in sync."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from ggzy.core import clock

GROUP = "clock"


class ClockConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()
        await self.channel_layer.group_add(GROUP, self.channel_name)
        user = self.scope.get("user")
        await self.send_json(
            {
                "type": "time",
                "now": clock.now().isoformat(),
                "authenticated": bool(user is not None and user.is_authenticated),
            }
        )

    async def disconnect(self, code):
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "time", "now": clock.now().isoformat()})

    async def broadcast(self, event):
        """Messages sent to the group (from any server process through the channel layer)."""
        await self.send_json(
            {"type": "broadcast", "message": event.get("message"), "now": clock.now().isoformat()}
        )
