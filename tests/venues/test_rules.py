"""Property tests of the pure booking rules: the buffer is kept once between two bookings
whichever was made first, opening hours, region distance (就近)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from ggzy.venues import rules

BASE = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
minutes = st.integers(min_value=0, max_value=24 * 60)
lengths = st.integers(min_value=1, max_value=8 * 60)
buffers = st.integers(min_value=0, max_value=120)


@given(minutes, lengths, minutes, lengths, buffers)
def test_buffer_is_symmetric_and_means_a_gap_of_at_least_the_buffer(a, la, b, lb, buf):
    a0, a1 = BASE + dt.timedelta(minutes=a), BASE + dt.timedelta(minutes=a + la)
    b0, b1 = BASE + dt.timedelta(minutes=b), BASE + dt.timedelta(minutes=b + lb)
    buffer = dt.timedelta(minutes=buf)
    a_then_b = rules.clashes(b0, b1, *rules.blocked_span(a0, a1, buffer))
    b_then_a = rules.clashes(a0, a1, *rules.blocked_span(b0, b1, buffer))
    assert a_then_b == b_then_a
    gap = max(b0 - a1, a0 - b1)  # negative when they overlap
    assert a_then_b == (gap < buffer)


@given(st.integers(0, 23 * 60), st.integers(1, 600), st.integers(6, 10), st.integers(16, 20))
def test_within_hours(start, length, opens, closes):
    s = dt.datetime(2026, 12, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=start)
    e = s + dt.timedelta(minutes=length)
    ok = rules.within_hours(s, e, dt.time(opens), dt.time(closes))
    expected = s.date() == e.date() and s.hour >= opens and (e.hour, e.minute) <= (closes, 0)
    assert ok == expected


def test_distance_orders_county_city_province():
    assert rules.distance("140105", "140105") == rules.SAME_COUNTY
    assert rules.distance("140105", "140106") == rules.SAME_CITY
    assert rules.distance("140105", "140100") == rules.SAME_CITY
    assert rules.distance("140105", "140212") == rules.SAME_PROVINCE
    assert rules.distance("140105", "140000") == rules.SAME_PROVINCE
    assert rules.distance("140105", "110105") == rules.ELSEWHERE
