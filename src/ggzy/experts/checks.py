"""System check: in production the platform data key (sealed draw data, outbox) must be set."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from ggzy.crypto import sealing


@register()
def data_key_configured(app_configs, **kwargs):
    if not getattr(settings, "PRODUCTION", False):
        return []
    return [Error(message, id="ggzy.E201", hint="docs/experts.md") for message in sealing.check()]
