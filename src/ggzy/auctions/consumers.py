"""WebSocket: the live bidding hall at /ws/auctions/<id>/ (docs/auctions.md "The live hall").

On connect the client gets the full current state (so a reconnecting client is up to date) with the
server's time; bidders send ``{"type": "bid", "amount": "…", "ref": "…"}``. A refused bid is
answered to that bidder only (``{"type": "refused", "code", "message"}``); an accepted bid reaches
everyone through the group broadcast sent after commit.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from ggzy.auctions import hall, selectors, services
from ggzy.core import clock
from ggzy.core.errors import DomainError, InvalidInput


def _too_low(amount: Any, known: tuple[str, str | None] | None) -> None:
    if known is None or known[1] is None or known[0] not in ("listing", "bidding"):
        return
    try:
        low = Decimal(str(amount)) <= Decimal(known[1])
    except ArithmeticError:
        return
    if low:
        raise InvalidInput(
            "auction.too_low", f"报价必须高于当前价{known[1]}元，且至少加价一个增价幅度", field="amount"
        )


class AuctionHallConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.pk = int(self.scope["url_route"]["kwargs"]["pk"])
        try:
            info = await database_sync_to_async(self._load)()
        except DomainError:
            await self.close(code=4404)
            return
        self.view, self.number, self.registration_id = info["view"], info["number"], info["registration"]
        await self.accept()
        if hall.local_fanout(self.channel_layer):
            hall.join(self.pk, self)
        else:
            await self.channel_layer.group_add(hall.group(self.pk), self.channel_name)
        await self._send_state(info["payload"])

    def _load(self) -> dict[str, Any]:
        a = selectors.auction_get(self.pk)
        a = services.auction_refresh(auction=a)  # close on read when a deadline has passed
        user = self.scope.get("user")
        reg = selectors.registration_of(a, user)
        return {
            "view": selectors.view_of(a, user),
            "number": reg.number if reg and reg.number else None,
            "registration": reg.pk if reg else None,
            "payload": selectors.hall_payload(a),
        }

    async def disconnect(self, code):
        if hasattr(self, "pk"):
            if hall.local_fanout(self.channel_layer):
                hall.leave(self.pk, self)
            else:
                await self.channel_layer.group_discard(hall.group(self.pk), self.channel_name)

    async def _send_state(self, payload: dict[str, Any]) -> None:
        self.known_price = payload.get("price")
        self.known_phase = payload.get("phase")
        hall.arm(self.pk, payload)
        await self.send(text_data=json.dumps(selectors.public_view(payload, self.view, self.number),
                                             ensure_ascii=False))  # fmt: skip

    async def _refuse(self, code: str, message: str, ref: Any = None) -> None:
        await self.send(text_data=json.dumps(
            {"type": "refused", "code": code, "message": message, "ref": ref, "now": clock.now().isoformat()},
            ensure_ascii=False,
        ))  # fmt: skip

    async def receive(self, text_data=None, bytes_data=None):
        try:
            msg = json.loads(text_data or "")
            if not isinstance(msg, dict):
                raise ValueError
        except (ValueError, TypeError):
            await self._refuse("hall.malformed", "消息格式不正确")
            return
        kind = msg.get("type")
        if kind == "ping":
            await self.send(text_data=json.dumps({"type": "time", "now": clock.now().isoformat()}))
        elif kind == "sync":
            payload = await database_sync_to_async(self._state)()
            await self._send_state(payload)
        elif kind == "bid":
            await self._bid(msg)
        else:
            await self._refuse("hall.unknown", "不支持的消息类型")

    def _state(self) -> dict[str, Any]:
        a = services.auction_refresh(auction=selectors.auction_get(self.pk))
        return selectors.hall_payload(a)

    async def _bid(self, msg: dict[str, Any]) -> None:
        ref = msg.get("ref")
        if self.registration_id is None:
            await self._refuse("auction.not_registered", "未报名本标的的竞买，不能报价", ref)
            return
        amount = msg.get("amount")
        if not isinstance(amount, str | int) or isinstance(amount, bool):
            await self._refuse("auction.invalid_amount", "报价必须是金额（字符串或整数）", ref)
            return
        # the price only rises: a bid not above the last price this connection has seen is refused
        # here, without a database round trip (the service checks every other bid in full)
        known = getattr(self, "known_price", None)
        if known is not None and self.known_phase in ("listing", "bidding"):
            try:
                too_low = Decimal(str(amount)) <= Decimal(known)
            except ArithmeticError:
                too_low = False
            if too_low:
                await self._refuse(
                    "auction.too_low", f"报价必须高于当前价{known}元，且至少加价一个增价幅度", ref
                )
                return
        try:
            bid = await database_sync_to_async(self._place)(amount, msg.get("quantity"), str(ref or "")[:64])
        except DomainError as e:
            await self._refuse(e.code, e.message, ref)
            return
        await self.send(text_data=json.dumps(
            {"type": "accepted", "ref": ref, "seq": bid.seq, "amount": str(bid.amount),
             "at": bid.accepted_at.isoformat(), "now": clock.now().isoformat()}, ensure_ascii=False,
        ))  # fmt: skip

    def _place(self, amount, quantity, ref):
        from ggzy.auctions.models import Registration

        # checked again here, in the database thread, against the latest price this process has
        # committed: bids queued behind a winning one are refused without touching the database
        _too_low(amount, hall.latest(self.pk))
        user = self.scope.get("user")
        reg = Registration.objects.get(pk=self.registration_id)
        return services.bid_place(
            auction=reg.auction, bidder=reg, amount=amount, quantity=quantity, client_ref=ref, actor=user
        )

    async def dispatch(self, message):
        # Channels closes stale database connections before every handler, which is a hop through
        # the one database thread for each broadcast and each connection (100 connections: 100
        # hops per bid). The broadcast handlers touch no database; they skip it.
        if message.get("type") in ("auction.bid", "auction.state"):
            await getattr(self, message["type"].replace(".", "_"))(message)
            return
        await super().dispatch(message)

    async def auction_state(self, event):
        await self._send_state(event["payload"])

    async def auction_bid(self, event):
        delta = event["payload"]
        self.known_price = delta["price"]
        self.known_phase = delta["phase"]
        hall.arm(self.pk, delta)
        await self.send(
            text_data=json.dumps(selectors.bid_view(delta, self.view, self.number), ensure_ascii=False)
        )
