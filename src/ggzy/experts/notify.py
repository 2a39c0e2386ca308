"""Notification backends for the outbox (SMS / voice). ``GGZY_SMS_BACKEND`` names the class.

A backend has ``send(recipient, text) -> None`` and raises on failure. The default writes each
message to the ``ggzy.sms`` logger with the phone number masked; a real gateway implements the same
method (and keeps its credentials in the environment)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("ggzy.sms")


class LoggingSmsBackend:
    sent: list[tuple[str, str]] = []  # the last messages, for development pages and tests

    def send(self, recipient: str, text: str) -> None:
        masked = recipient[:3] + "****" + recipient[-4:] if len(recipient) >= 7 else "***"
        log.info("SMS to %s: %s", masked, text)
        LoggingSmsBackend.sent.append((recipient, text))
        del LoggingSmsBackend.sent[:-200]


class FailingSmsBackend:
    """For tests of the retry path."""

    def send(self, recipient: str, text: str) -> None:
        raise RuntimeError("短信网关不可用")


def backend():
    return import_string(settings.GGZY_SMS_BACKEND)()
