"""The live hall's messaging: broadcasts after commit, and one closing timer per auction and process.

Services call ``notify`` from ``transaction.on_commit``; it reads the auction once and sends the
full state to the group ``auction.<id>`` through the channel layer (in memory in one process,
Redis across several). Each consumer strips what its viewer may not see (``selectors.public_view``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from ggzy.core import clock

log = logging.getLogger(__name__)


def group(pk: int) -> str:
    return f"auction.{pk}"


# With the in-memory channel layer (one process) the hall fans out itself: the layer's group_send
# costs O(channels) per member (it cleans expired messages on every send), so 200 connections made
# each bid cost 40,000 steps on the event loop. Connections register here, and a broadcast is one
# coroutine on the event loop that hands the message to each. With Redis (several processes) the
# channel layer's groups are used.
_local: dict[int, set[Any]] = {}
_loop: asyncio.AbstractEventLoop | None = None


def local_fanout(layer: Any) -> bool:
    from channels.layers import InMemoryChannelLayer

    return isinstance(layer, InMemoryChannelLayer)


def join(pk: int, consumer: Any) -> None:
    global _loop
    _loop = asyncio.get_running_loop()
    _local.setdefault(pk, set()).add(consumer)


def leave(pk: int, consumer: Any) -> None:
    members = _local.get(pk)
    if members is not None:
        members.discard(consumer)
        if not members:
            _local.pop(pk, None)


async def _fanout(pk: int, handler: str, payload: dict[str, Any]) -> None:
    for consumer in list(_local.get(pk, ())):
        try:
            await getattr(consumer, handler)({"type": handler, "payload": payload})
        except Exception:  # one broken connection must not stop the others
            log.exception("auction %s: delivery failed", pk)


def _deliver(pk: int, handler: str, payload: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    if local_fanout(layer):
        loop = _loop
        if loop is None or loop.is_closed() or pk not in _local:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            loop.create_task(_fanout(pk, handler, payload))
        else:
            asyncio.run_coroutine_threadsafe(_fanout(pk, handler, payload), loop)
        return
    async_to_sync(layer.group_send)(group(pk), {"type": handler.replace("_", "."), "payload": payload})


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

    layer = get_channel_layer()
    if layer is None:
        return
    try:
        payload = selectors.hall_payload(selectors.auction_get(pk))
        payload["event"] = kind
        payload["sent_at"] = clock.now().isoformat()
        _remember(pk, payload)
        _deliver(pk, "auction_state", payload)
    except Exception:  # a broadcast that fails must not break the committed bid
        log.exception("auction %s: broadcast failed", pk)


def send(pk: int, delta: dict[str, Any]) -> None:
    """Send an accepted bid (a delta: the new price, leader, deadline and the bid) to the group."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        delta["sent_at"] = clock.now().isoformat()
        _remember(pk, delta)
        _deliver(pk, "auction_bid", delta)
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
