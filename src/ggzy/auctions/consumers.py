"""WebSocket: the live bidding hall at /ws/auctions/<id>/ (docs/auctions.md "The live hall").

On connect the client gets the full current state (so a reconnecting client is up to date) with the
server's time; bidders send ``{"type": "bid", "amount": "…", "ref": "…"}``. A refused bid is
answered to that bidder only (``{"type": "refused", "code", "message"}``); an accepted bid reaches
everyone through the hall's broadcast sent after commit (``hall.py``: one fan-out per process).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.db import close_old_connections, connection

from ggzy.auctions import hall, selectors, services
from ggzy.core import clock
from ggzy.core.errors import DomainError, InvalidInput


def _too_low(amount: Any, phase: str | None, price: str | None) -> InvalidInput | None:
    """The refusal of a bid not above a price already committed (prices only rise), or None; the
    service checks every other bid in full. Returned, not raised: the hall refuses thousands a
    second this way."""
    if price is None or phase not in ("listing", "bidding"):
        return None
    try:
        low = Decimal(str(amount)) <= Decimal(price)
    except ArithmeticError:
        return None
    if not low:
        return None
    return InvalidInput(
        "auction.too_low", f"报价必须高于当前价{price}元，且至少加价一个增价幅度", field="amount"
    )


# Bids run on the process's one database thread. Channels' ``database_sync_to_async`` closes the
# connection around every call when it is not persistent (SQLite: CONN_MAX_AGE 0), so every bid
# opened a new SQLite connection and ran its PRAGMAs; on PostgreSQL every call began with a health
# check. Bids keep the thread's connection and let Django close an old or broken one at most every
# few seconds, and at once after an error.
_CHECK_EVERY = 5.0
_checked = [0.0]


def _on_db_thread(fn):
    def run(*args, **kwargs):
        now = time.monotonic()
        if connection.errors_occurred or now - _checked[0] > _CHECK_EVERY:
            close_old_connections()
            _checked[0] = now
        return fn(*args, **kwargs)

    return sync_to_async(run, thread_sensitive=True)


def _daphne_protocol(send: Any) -> Any:
    """daphne's WebSocket protocol behind an ASGI ``send`` (daphne's ``partial(handle_reply,
    protocol)``, possibly wrapped by Channels' session middleware, whose wrapper only adds a cookie
    to an HTTP response start or a WebSocket accept), or None under another server."""
    for _ in range(4):
        args = getattr(send, "args", None)
        if args and hasattr(args[0], "sendMessage") and hasattr(args[0], "STATE_OPEN"):
            return args[0]
        send = getattr(getattr(send, "__self__", None), "real_send", None)
        if send is None:
            return None
    return None


def _write_frame(proto: Any, data: bytes) -> None:
    """One unfragmented text frame to a daphne (autobahn) connection.

    Twisted's ``write`` registers the socket for writing and sends on the next turn of the loop
    (two epoll changes and a wake-up per frame and connection: most of a broadcast's cost at 1,000
    connections). A server frame is unmasked, so the bytes are built here; on a plain TCP
    connection with nothing buffered (so nothing can be overtaken) they are sent at once, and
    whatever the socket does not take goes through Twisted's buffer. With TLS, per-message
    compression or pending data: autobahn's own ``sendMessage``.
    """
    n = len(data)
    head = bytes((0x81, n)) if n < 126 else bytes((0x81, 126)) + n.to_bytes(2, "big") if n < 65536 else (
        bytes((0x81, 127)) + n.to_bytes(8, "big"))  # fmt: skip
    t = proto.transport
    sock = getattr(t, "socket", None)
    if (
        sock is None
        or getattr(t, "TLS", True) is not False
        or getattr(proto, "_perMessageCompress", None) is not None
        or t.dataBuffer
        or t._tempDataBuffer
        or t.disconnecting
    ):
        proto.sendMessage(data, False)
        return
    frame = head + data
    try:
        sent = sock.send(frame)
    except BlockingIOError:
        sent = 0
    except OSError:
        return  # the connection is going away: Twisted will notice and close it
    if sent < len(frame):
        t.write(frame[sent:])


# Group commit: the bids for one auction that arrive in this process while its transaction runs
# wait together and go into the next one (services.bids_place: each bid decided in arrival order,
# its own row and audit event, one commit and one fsync for all). One transaction at a time per
# auction and process, on the database thread; idle, a bid's transaction starts at once.
_pending: dict[int, list[tuple[services.BidRequest, asyncio.Future]]] = {}
_committers: dict[int, asyncio.Task] = {}  # the running loop per auction (a reference keeps it alive)


async def _submit(pk: int, request: services.BidRequest) -> Any:
    """Decide one bid with whatever else is waiting: the accepted Bid, or the refusal (a
    ``DomainError`` returned, not raised: thousands of refusals a second as exceptions through
    futures left their tracebacks' frames in reference cycles, and the collector's full passes over
    them stalled the hall for 100-500 ms at 1,000 connections)."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    queue = _pending.get(pk)
    if queue is None:  # no transaction running for this auction: start the loop
        _pending[pk] = [(request, future)]
        _committers[pk] = loop.create_task(_commit_loop(pk))
    else:
        queue.append((request, future))
    return await future


async def _commit_loop(pk: int) -> None:
    try:
        while True:
            queue = _pending[pk]
            if not queue:
                del _pending[pk]  # nothing waits: the next bid starts a new loop (no await between)
                _committers.pop(pk, None)
                return
            batch, _pending[pk] = queue[: services.MAX_BATCH], queue[services.MAX_BATCH :]
            try:
                results = await _on_db_thread(_place_batch)(pk, [request for request, _ in batch])
            except Exception as exc:  # not a refusal: every bid of the batch fails with it
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():  # done: the bidder's connection went away meanwhile
                    future.set_result(result)
    finally:
        if _committers.get(pk) is asyncio.current_task():  # cancelled (the server stops)
            _committers.pop(pk, None)
            for _, future in _pending.pop(pk, []):
                future.cancel()


def _place_batch(pk: int, requests: list[services.BidRequest]) -> list[Any]:
    # checked again here, in the database thread, against the latest price this process has
    # committed: bids queued behind a winning one are refused without touching the database
    phase, price = hall.latest(pk) or (None, None)
    out: list[Any] = [None] * len(requests)
    keep: list[int] = []
    for i, request in enumerate(requests):
        out[i] = _too_low(request.amount, phase, price)
        if out[i] is None:
            keep.append(i)
    if keep:
        # the registration was read on connect: the service reads it again under the lock
        auction = requests[keep[0]].bidder.auction
        decided = services.bids_place(auction=auction, requests=[requests[i] for i in keep])
        for i, result in zip(keep, decided, strict=True):
            out[i] = result
    return out


class AuctionHallConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.pk = int(self.scope["url_route"]["kwargs"]["pk"])
        try:
            info = await database_sync_to_async(self._load)()
        except DomainError:
            await self.close(code=4404)
            return
        self.view, self.number, self.registration = info["view"], info["number"], info["registration"]
        self.registration_id = self.registration.pk if self.registration else None
        await self.accept()
        # daphne: broadcasts are written to the connection's protocol directly (the ASGI send is a
        # partial of daphne's reply handler over it and never waits); other servers: an outbox
        self._direct = _daphne_protocol(self.base_send)
        self._outbox: deque[str] = deque()
        self._draining = False
        hall.join(self.pk, self)
        await self._send_state(info["payload"])

    def _load(self) -> dict[str, Any]:
        a = selectors.auction_get(self.pk)
        a = services.auction_refresh(auction=a)  # close on read when a deadline has passed
        user = self.scope.get("user")
        reg = selectors.registration_of(a, user)
        if reg is not None:
            reg.auction = a
        return {
            "view": selectors.view_of(a, user),
            "number": reg.number if reg and reg.number else None,
            "registration": reg,
            "payload": selectors.hall_payload(a),
        }

    async def disconnect(self, code):
        if hasattr(self, "pk"):
            hall.leave(self.pk, self)

    def push(self, data: bytes) -> None:
        """A broadcast frame (UTF-8 JSON), written without waiting (called by the hall's fan-out)."""
        proto = self._direct
        if proto is not None:
            if proto.state == proto.STATE_OPEN:
                _write_frame(proto, data)
            return
        self._outbox.append(data.decode())
        if not self._draining:
            self._draining = True
            self._drain_task = asyncio.ensure_future(self._drain())

    async def _drain(self) -> None:
        try:
            while self._outbox:
                await self.send(text_data=self._outbox.popleft())
        finally:
            self._draining = False

    async def _send_state(self, payload: dict[str, Any]) -> None:
        self.known_price = payload.get("price")
        self.known_phase = payload.get("phase")
        hall.arm(self.pk, payload)
        await self.send(text_data=json.dumps(selectors.public_view(payload, self.view, self.number),
                                             ensure_ascii=False))  # fmt: skip

    def _reply(self, message: dict[str, Any]) -> None:
        """A reply to this connection only, written as broadcasts are (in order with them): most
        of a hall's frames are replies to bids, and Channels' ``send`` through daphne's reply
        handler and autobahn cost several times the frame itself."""
        self.push(json.dumps(message, ensure_ascii=False).encode())

    async def _refuse(self, code: str, message: str, ref: Any = None) -> None:
        self._reply(
            {"type": "refused", "code": code, "message": message, "ref": ref, "now": clock.now().isoformat()}
        )

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
            self._reply({"type": "time", "now": clock.now().isoformat()})
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
        # here, without a database round trip
        low = _too_low(amount, getattr(self, "known_phase", None), getattr(self, "known_price", None))
        if low is not None:
            await self._refuse(low.code, low.message, ref)
            return
        request = services.BidRequest(
            bidder=self.registration, amount=amount, actor=self.scope.get("user"),
            quantity=msg.get("quantity"), client_ref=str(ref or "")[:64],
        )  # fmt: skip
        bid = await _submit(self.pk, request)
        if isinstance(bid, DomainError):
            await self._refuse(bid.code, bid.message, ref)
            return
        self._reply({"type": "accepted", "ref": ref, "seq": bid.seq, "amount": str(bid.amount),
                     "at": bid.accepted_at.isoformat(), "now": clock.now().isoformat()})  # fmt: skip

    async def dispatch(self, message):
        # Channels closes stale database connections before every handler, which is a hop through
        # the one database thread and, with a non-persistent connection (SQLite), closes it: the
        # next bid would open it again. A received frame skips it (bids check the connection
        # themselves, see _on_db_thread); connect and disconnect keep it.
        if message["type"] == "websocket.receive":
            await self.websocket_receive(message)
            return
        await super().dispatch(message)
