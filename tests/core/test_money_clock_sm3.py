from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from ggzy.core import clock
from ggzy.core.errors import InvalidInput
from ggzy.core.money import percent_of, yuan
from ggzy.crypto import sm


def test_yuan_refuses_float_and_sub_cent():
    with pytest.raises(InvalidInput) as e:
        yuan(0.1)
    assert e.value.code == "money.float"
    with pytest.raises(InvalidInput) as e:
        yuan("1.005")
    assert e.value.code == "money.precision"
    with pytest.raises(InvalidInput):
        yuan("十元")
    assert yuan("1,234.5") == Decimal("1234.50")


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False))
def test_yuan_round_trips_text(amount):
    assert yuan(str(amount)) == amount


def test_percent_of_rounds_half_up_to_the_cent():
    assert percent_of(Decimal("1000000.00"), "2") == Decimal("20000.00")
    assert percent_of(Decimal("0.25"), "2") == Decimal("0.01")


def test_sm3_standard_vector_on_both_backends():
    # GB/T 32905-2016 appendix A.1
    expected = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm.sm3_hex(b"abc") == expected
    assert sm.sm3_cryptography(b"abc").hex() == expected
    assert sm.sm3(b"abcd" * 16).hex() == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_clock_follows_time_machine():
    with time_machine.travel(dt.datetime(2026, 2, 14, 9, 0, tzinfo=clock.CHINA), tick=False):
        assert clock.local_now().hour == 9
        assert clock.today() == dt.date(2026, 2, 14)


def test_today_is_beijing_date():
    # 2026-02-13 17:30 UTC is already 2026-02-14 01:30 in Beijing
    with time_machine.travel(dt.datetime(2026, 2, 13, 17, 30, tzinfo=dt.UTC), tick=False):
        assert clock.today() == dt.date(2026, 2, 14)


def test_accelerated_clock(settings):
    settings.GGZY_CLOCK_FACTOR = 60
    settings.GGZY_CLOCK_ANCHOR = "2026-11-01T00:00:00+08:00"
    clock.reset()
    try:
        with time_machine.travel(dt.datetime(2026, 11, 1, 0, 10, tzinfo=clock.CHINA), tick=False):
            assert clock.is_accelerated()
            assert clock.local_now() == dt.datetime(2026, 11, 1, 10, 0, tzinfo=clock.CHINA)
    finally:
        settings.GGZY_CLOCK_FACTOR = 1
        clock.reset()


def test_accelerated_clock_is_refused_in_production(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.GGZY_CLOCK_FACTOR = 10
    settings.PRODUCTION = True
    clock.reset()
    try:
        with pytest.raises(ImproperlyConfigured):
            clock.now()
    finally:
        settings.GGZY_CLOCK_FACTOR = 1
        settings.PRODUCTION = False
        clock.reset()


def test_production_settings_refuse_acceleration(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(
        os.environ,
        GGZY_ENV="production",
        GGZY_SECRET_KEY="x" * 50,
        GGZY_CLOCK_FACTOR="100",
        GGZY_VAR_DIR=str(tmp_path),
    )
    r = subprocess.run(
        [sys.executable, "-c", "import ggzy.settings"], env=env, capture_output=True, text=True
    )
    assert r.returncode != 0
    assert "GGZY_CLOCK_FACTOR" in r.stderr
