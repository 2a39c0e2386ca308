"""core.bulk on the real database: values of every kind it writes come back as they went in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from ggzy.core import bulk
from ggzy.core.models import HolidayYear

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 11, 26, 23, 59, 59, 123456, tzinfo=dt.UTC)
FIELDS = (
    "year",
    "holidays",
    "workdays",
    "source_title",
    "source_number",
    "source_text",
    "loaded_at",
    "loaded_by",
    "current",
)


def test_insert_and_update_round_trip_awkward_values():
    text = '引号" 反斜杠\\ 逗号, 花括号{} 换行\n制表\t NULL'
    rows = [
        (
            2030,
            {"2030-01-01": "元旦"},
            {},
            "国务院办公厅通知",
            "国办发明电〔2029〕1号",
            text,
            AT,
            "测试",
            True,
        ),  # JSON: COPY on PostgreSQL
        (2031, {}, {"2031-02-01": "春节"}, "NULL", "", "", AT, "测试", False),
    ]
    with transaction.atomic():
        bulk.insert(HolidayYear, FIELDS, rows)
    got = {h.year: h for h in HolidayYear.objects.filter(year__in=[2030, 2031])}
    assert got[2030].holidays == {"2030-01-01": "元旦"} and got[2030].source_text == text
    assert got[2031].source_title == "NULL" and got[2031].current is False
    with transaction.atomic(), bulk.pipeline():
        bulk.update(
            HolidayYear,
            ("source_text", "superseded_at", "current"),
            [(text + "!", AT, False, got[2030].pk), ("", None, True, got[2031].pk)],
        )
    got = {h.year: h for h in HolidayYear.objects.filter(year__in=[2030, 2031])}
    assert (got[2030].source_text, got[2030].superseded_at, got[2030].current) == (text + "!", AT, False)
    assert (got[2031].source_text, got[2031].superseded_at, got[2031].current) == ("", None, True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="array literals are PostgreSQL's")
def test_pg_array_round_trips_text_bytes_and_nulls():
    texts = ['a"b', "c\\d", "{x,y}", "NULL", "", " 空格 ", None]
    blobs = [b'\x00\xff\\"', b"", None]
    with bulk.pg_cursor() as cursor:
        cursor.execute("SELECT unnest(%s::text[])", [bulk.pg_array(texts)])
        assert [r[0] for r in cursor.fetchall()] == texts
        cursor.execute("SELECT unnest(%s::bytea[])", [bulk.pg_array(blobs)])
        assert [None if r[0] is None else bytes(r[0]) for r in cursor.fetchall()] == blobs
    with pytest.raises(TypeError):
        bulk.pg_array([{"a": 1}])
