"""Evaluation tests run on a frozen clock (a Monday of 2026, 10:00 Beijing) that they move forward;
sealed bid files go to a temporary directory as in the tendering tests."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ggzy.core import clock

START = dt.datetime(2026, 11, 2, 10, 0, tzinfo=clock.CHINA)


@pytest.fixture(autouse=True)
def bid_dir(settings, tmp_path):
    settings.GGZY_BID_DIR = str(tmp_path / "bids")
    return tmp_path / "bids"


@pytest.fixture
def at():
    """The frozen clock; ``at.shift(timedelta)`` moves it."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller
