"""System check: in production the platform signing key must be configured and readable."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from ggzy.crypto import platform


@register()
def signing_key_configured(app_configs, **kwargs):
    if not getattr(settings, "PRODUCTION", False):
        return []
    return [Error(message, id="ggzy.E101", hint="docs/crypto.md") for message in platform.check()]
