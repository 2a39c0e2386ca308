"""The single clock. Everything that needs the time calls ``now()`` or ``today()``.

Tests move time with time-machine (which patches the system clock this module reads). Demos and
end-to-end tests may run an *accelerated* clock: from an anchor instant, model time advances
``GGZY_CLOCK_FACTOR`` times faster than real time, so a 20-day period passes in minutes while the
statutory calendar still walks through real dates. Settings refuse a factor in production.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CHINA = ZoneInfo("Asia/Shanghai")


@lru_cache(maxsize=1)
def _acceleration() -> tuple[float, dt.datetime] | None:
    factor = float(getattr(settings, "GGZY_CLOCK_FACTOR", 1) or 1)
    if factor == 1:
        return None
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("The accelerated clock cannot be used in production")
    if factor < 1:
        raise ImproperlyConfigured("GGZY_CLOCK_FACTOR must be at least 1")
    anchor_text = getattr(settings, "GGZY_CLOCK_ANCHOR", "") or _stored_anchor()
    anchor = dt.datetime.fromisoformat(anchor_text)
    if anchor.tzinfo is None:
        anchor = anchor.replace(tzinfo=CHINA)
    return factor, anchor


def _stored_anchor() -> str:
    """The anchor is kept in var/ so the server and the task worker share it across restarts."""
    path = settings.VAR_DIR / "clock-anchor"
    if not path.exists():
        path.write_text(dt.datetime.now(dt.UTC).isoformat())
    return path.read_text().strip()


def reset() -> None:
    """Forget the cached acceleration (tests that change settings call this)."""
    _acceleration.cache_clear()


def real_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def now() -> dt.datetime:
    """The platform's time, timezone-aware (UTC)."""
    real = real_now()
    acc = _acceleration()
    if acc is None:
        return real
    factor, anchor = acc
    return anchor + (real - anchor) * factor


def local_now() -> dt.datetime:
    return now().astimezone(CHINA)


def today() -> dt.date:
    """Today's date in China (statutory periods count Beijing-time days)."""
    return local_now().date()


def is_accelerated() -> bool:
    return _acceleration() is not None
