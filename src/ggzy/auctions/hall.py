"""The live hall's messaging: broadcasts after commit, and one closing timer per auction and process.

Services call ``notify`` (the full state) or ``send_many`` (the accepted bids of a transaction,
as deltas) from ``transaction.on_commit``. Each server process keeps its own hall connections here and fans a
broadcast out to them itself (docs/auctions.md "The live hall"):

- **in one process** (in-memory channel layer) the broadcast goes straight to the local connections;
- **across processes** (Redis) it is sent once to the group ``auction.<id>``, in which each process
  has one relay channel (not one channel per connection), and each relay fans it out locally.

Broadcasts are queued per auction and flushed by one task on the event loop, in commit order.
Accepted bids that commit while a flush is still being written are coalesced into the next frame
(``bids`` holds all of them, newest first; the rest of the frame is the newest state), so under load
the number of frames follows what the connections can take, and idle there is no delay. Each frame is
serialised once per kind of viewer, not once per connection (``selectors.public_view`` / ``bid_view``
decide what each viewer sees; only the viewer's own number is added per connection).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import deque
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from ggzy.core import clock

log = logging.getLogger(__name__)


def group(pk: int) -> str:
    return f"auction.{pk}"


def local_fanout(layer: Any) -> bool:
    from channels.layers import InMemoryChannelLayer

    return isinstance(layer, InMemoryChannelLayer)


# --- the connections of this process -------------------------------------------------------

_local: dict[int, set[Any]] = {}
_loop: asyncio.AbstractEventLoop | None = None
_relays: dict[int, asyncio.Task] = {}  # Redis: one relay channel per auction and process


def join(pk: int, consumer: Any) -> None:
    global _loop
    _loop = asyncio.get_running_loop()
    _local.setdefault(pk, set()).add(consumer)
    layer = get_channel_layer()
    if layer is not None and not local_fanout(layer):
        task = _relays.get(pk)
        if task is None or task.done():
            _relays[pk] = _loop.create_task(_relay(pk, layer))


def leave(pk: int, consumer: Any) -> None:
    members = _local.get(pk)
    if members is not None:
        members.discard(consumer)
        if not members:
            _local.pop(pk, None)
            task = _relays.pop(pk, None)
            if task is not None:
                task.cancel()


async def _relay(pk: int, layer: Any) -> None:
    """Redis: this process's one member of the group; what arrives is fanned out locally."""
    # the layer's default prefix: channels_redis reads all of a process's channels in one loop
    channel = await layer.new_channel()
    await layer.group_add(group(pk), channel)
    try:
        while True:
            message = await layer.receive(channel)
            kind = message.get("type")
            if kind == "auction.bid":
                _fanout_bid(pk, message["payload"])
            elif kind == "auction.state":
                _fanout_state(pk, message["payload"])
    except asyncio.CancelledError:
        pass
    except Exception:
        log.exception("auction %s: relay stopped", pk)
        _relays.pop(pk, None)
    finally:
        try:
            await layer.group_discard(group(pk), channel)
        except Exception:
            log.exception("auction %s: relay could not leave the group", pk)


# --- frames ---------------------------------------------------------------------------------


def _with_you(base: str, number: str | None) -> str:
    # ``base`` is a JSON object without its closing brace; the viewer's own number is the one
    # per-connection field
    return f'{base}, "you": {json.dumps(number, ensure_ascii=False)}}}'


def _frames(payload: dict[str, Any], members: list[Any], build: Any) -> dict[str, str]:
    frames: dict[str, str] = {}
    for view in {c.view for c in members}:
        out = build(payload, view, None)
        out.pop("you", None)
        frames[view] = json.dumps(out, ensure_ascii=False)[:-1]
    return frames


def _write(pk: int, members: list[Any], frames: dict[str, str]) -> None:
    encoded: dict[tuple[str, str | None], bytes] = {}  # the public's frame is encoded once
    for consumer in members:
        key = (consumer.view, consumer.number)
        data = encoded.get(key)
        if data is None:
            data = encoded[key] = _with_you(frames[consumer.view], consumer.number).encode()
        try:
            consumer.push(data)
        except Exception:  # one broken connection must not stop the others
            log.exception("auction %s: delivery failed", pk)


def _fanout_bid(pk: int, payload: dict[str, Any]) -> None:
    from ggzy.auctions import selectors

    members = list(_local.get(pk, ()))
    if not members:
        return
    for consumer in members:
        consumer.known_price, consumer.known_phase = payload["price"], payload["phase"]
    arm(pk, payload)
    _write(pk, members, _frames(payload, members, selectors.bid_view))


def _fanout_state(pk: int, payload: dict[str, Any]) -> None:
    from ggzy.auctions import selectors

    members = list(_local.get(pk, ()))
    if not members:
        return
    for consumer in members:
        consumer.known_price, consumer.known_phase = payload.get("price"), payload.get("phase")
    arm(pk, payload)
    _write(pk, members, _frames(payload, members, selectors.public_view))


def coalesce(deltas: list[dict[str, Any]]) -> dict[str, Any]:
    """Several accepted bids (in acceptance order) as one frame: the newest state, all the bids."""
    out = dict(deltas[-1])
    out["bids"] = [d["bid"] for d in reversed(deltas)]
    out["names"] = {d["bid"]["number"]: d.get("name") for d in deltas}  # supervisors only
    return out


# --- the queue: broadcasts in commit order, one flush at a time -----------------------------

_queue: dict[int, deque] = {}
_flushing: set[int] = set()
_lock = threading.Lock()


def _enqueue(pk: int, kind: str, payload: dict[str, Any]) -> None:
    """Called after commit from any thread; the flush runs on the event loop of the hall."""
    layer = get_channel_layer()
    if layer is None:
        return
    loop = _loop
    if loop is None or loop.is_closed():
        if not local_fanout(layer):  # no hall in this process (the tick, a command): send directly
            async_to_sync(layer.group_send)(group(pk), {"type": kind, "payload": _single(kind, payload)})
        return
    with _lock:
        _queue.setdefault(pk, deque()).append((kind, payload))
        if pk in _flushing:
            return
        _flushing.add(pk)
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        loop.create_task(_flush(pk, layer))
    else:
        asyncio.run_coroutine_threadsafe(_flush(pk, layer), loop)


def _single(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return coalesce([payload]) if kind == "auction.bid" else payload


def _take(pk: int) -> tuple[str, dict[str, Any]] | None:
    """The next frame: one state, or all the bids queued up to the next state, coalesced."""
    with _lock:
        q = _queue.get(pk)
        if not q:
            _flushing.discard(pk)
            _queue.pop(pk, None)
            return None
        kind, payload = q.popleft()
        if kind != "auction.bid":
            return kind, payload
        deltas = [payload]
        while q and q[0][0] == "auction.bid":
            deltas.append(q.popleft()[1])
    return kind, coalesce(deltas)


async def _flush(pk: int, layer: Any) -> None:
    local = local_fanout(layer)
    while True:
        try:
            item = _take(pk)
            if item is None:
                return
            kind, payload = item
            if local:
                (_fanout_bid if kind == "auction.bid" else _fanout_state)(pk, payload)
            else:
                await layer.group_send(group(pk), {"type": kind, "payload": payload})
        except Exception:
            log.exception("auction %s: broadcast failed", pk)
        # let the connections' writes, the database thread's replies and new bids in before the
        # next frame: what commits meanwhile is coalesced into it
        await asyncio.sleep(0)


# the latest committed price this process has broadcast, per auction: prices only rise, so a bid
# not above it can be refused without the database (a lower bound across several processes)
_latest: dict[int, tuple[str, str | None]] = {}


def latest(pk: int) -> tuple[str, str | None] | None:
    """(phase, price) of the auction as last broadcast by this process, or None."""
    return _latest.get(pk)


def _remember(pk: int, payload: dict[str, Any]) -> None:
    _latest[pk] = (payload.get("phase") or "", payload.get("price"))


def notify(pk: int, kind: str) -> None:
    from ggzy.auctions import selectors

    if get_channel_layer() is None:
        return
    try:
        payload = selectors.hall_payload(selectors.auction_get(pk))
        payload["event"] = kind
        payload["sent_at"] = clock.now().isoformat()
        _remember(pk, payload)
        _enqueue(pk, "auction.state", payload)
    except Exception:  # a broadcast that fails must not break the committed bid
        log.exception("auction %s: broadcast failed", pk)


def send_many(pk: int, deltas: list[dict[str, Any]]) -> None:
    """Send the accepted bids of one transaction (in acceptance order; each a delta: the new price,
    leader, deadline and the bid) to the hall."""
    if get_channel_layer() is None or not deltas:
        return
    try:
        at = clock.now().isoformat()
        for delta in deltas:
            delta["sent_at"] = at
        _remember(pk, deltas[-1])
        for delta in deltas:
            _enqueue(pk, "auction.bid", delta)
    except Exception:
        log.exception("auction %s: broadcast failed", pk)


# one timer per auction in this process: at the deadline, bring the auction up to the clock (which
# closes it and broadcasts). Several processes each run one; the refresh is idempotent.
_timers: dict[int, tuple[str, asyncio.Task]] = {}


def _refresh(pk: int) -> None:
    from ggzy.auctions import selectors, services

    services.auction_refresh(auction=selectors.auction_get(pk))


async def _wait_and_refresh(pk: int, deadline: str) -> None:
    import datetime as dt

    at = dt.datetime.fromisoformat(deadline)
    while True:
        delay = (at - clock.now()).total_seconds()
        if delay <= 0:
            break
        await asyncio.sleep(min(delay + 0.05, 5))
    try:
        await database_sync_to_async(_refresh)(pk)
    except Exception:
        log.exception("auction %s: closing timer failed", pk)
    finally:
        if _timers.get(pk, ("", None))[0] == deadline:
            _timers.pop(pk, None)


def arm(pk: int, payload: dict[str, Any]) -> None:
    """Make sure a timer waits for the next deadline (or start) of an open auction."""
    deadline = payload.get("deadline") if payload.get("phase") not in ("pending", "closed") else None
    if payload.get("phase") == "pending":
        deadline = payload.get("starts_at")
    if not deadline:
        return
    current = _timers.get(pk)
    if current and current[0] == deadline and not current[1].done():
        return
    if current and not current[1].done():
        current[1].cancel()
    _timers[pk] = (deadline, asyncio.ensure_future(_wait_and_refresh(pk, deadline)))
