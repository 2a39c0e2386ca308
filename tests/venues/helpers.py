from __future__ import annotations

import datetime as dt

from ggzy.core import clock
from ggzy.core.permissions import SYSTEM
from ggzy.venues import services
from ggzy.venues.models import CHECKLIST
from tests import factories

ALL_MET = dict.fromkeys(CHECKLIST, True)


def venue(name="太原市公共资源交易中心开评标场所", region="140105", admitted=True, **over):
    data = {
        "name": name,
        "operator_kind": "center",
        "service_center": factories.service_center("140100"),
        "region_code": region,
        "address": "太原市小店区长治路",
        "opens_at": "08:00",
        "closes_at": "18:00",
        # the tests book days relative to today: open every day, so they hold on any weekday
        # (closed days are tested with fixed dates in test_closed_days_and_reschedule.py)
        "open_on_rest_days": True,
    }
    data.update(over)
    v = services.venue_register(data=data, actor=SYSTEM)
    if admitted:
        services.venue_inspect(venue=v, checklist=ALL_MET, actor=SYSTEM)
        v = services.venue_status_set(venue=v, status="admitted", reason="检查合格，纳入目录", actor=SYSTEM)
    return v


def rooms(v, remote=True):
    return (
        services.room_add(venue=v, name="第一开标室", kind="opening", seats=60, actor=SYSTEM),
        services.room_add(
            venue=v, name="第一评标室", kind="evaluation", seats=9, remote_evaluation=remote, actor=SYSTEM
        ),
    )


def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    d = clock.today() + dt.timedelta(days=days)
    return dt.datetime(d.year, d.month, d.day, hour, minute, tzinfo=clock.CHINA)


NOW = dt.datetime(2026, 9, 20, 10, 0, tzinfo=clock.CHINA)  # a Sunday before 国庆节: the calendar tests' now


def t(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A time in 2026, China time."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=clock.CHINA)
