from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from ggzy.accounts import secondfactor
from ggzy.accounts.models import Role
from ggzy.asgi import application
from tests import factories


def _session_cookie(user, *, pending: bool) -> bytes:
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if pending:
        s[secondfactor.PENDING_KEY] = user.pk
    s.save()
    return f"{settings.SESSION_COOKIE_NAME}={s.session_key}".encode()


async def _first_message(cookie: bytes | None):
    headers = [(b"origin", b"http://127.0.0.1")]
    if cookie:
        headers.append((b"cookie", cookie))
    comm = WebsocketCommunicator(application, "/ws/clock/", headers=headers)
    connected, _ = await comm.connect()
    assert connected
    msg = await comm.receive_json_from(timeout=5)
    return comm, msg


@pytest.mark.django_db(transaction=True)
def test_websocket_session_must_have_passed_the_second_factor():
    staff = factories.user(Role.OPERATOR)
    full, pending = _session_cookie(staff, pending=False), _session_cookie(staff, pending=True)

    async def run():
        comm, msg = await _first_message(full)
        assert msg["type"] == "time" and msg["authenticated"] is True
        await comm.disconnect()
        comm, msg = await _first_message(pending)
        assert msg["authenticated"] is False
        await comm.disconnect()

    async_to_sync(run)()


@pytest.mark.django_db(transaction=True)
def test_clock_group_broadcast_reaches_connected_clients():
    async def run():
        comm, _ = await _first_message(None)
        await get_channel_layer().group_send("clock", {"type": "broadcast", "message": "开标倒计时"})
        msg = await comm.receive_json_from(timeout=5)
        assert msg == {"type": "broadcast", "message": "开标倒计时", "now": msg["now"]}
        await comm.disconnect()

    async_to_sync(run)()
