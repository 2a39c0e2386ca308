"""Bulk writes for jobs that change many rows in one transaction (the tick, the audit trail).

Plain SQL with no model instances: building and adapting thousands of instances cost more than
the statements. On PostgreSQL rows go in with ``COPY … FROM STDIN`` (psycopg formats them in C;
Django's ``bulk_create`` builds ``UNNEST`` arrays in Python there) and updates are one
``UPDATE … FROM (VALUES …)`` per batch; elsewhere (SQLite) prepared statements are executed for
every row. No primary keys come back and no signals are sent, as with ``bulk_create``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import models, transaction

BATCH = 500
_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)


def _same(value: Any) -> Any:
    return value


def _adapters(model: type[models.Model], fields: Sequence[str], conn) -> list[Callable[[Any], Any]]:
    """Per field, how a Python value becomes a parameter of a raw statement on ``conn`` (``_same``
    where the driver takes the value as it is: psycopg adapts datetimes itself)."""
    out: list[Callable[[Any], Any]] = []
    for name in fields:
        field = model._meta.get_field(name)
        if isinstance(field, models.DateTimeField):
            out.append(_same if conn.vendor == "postgresql" else conn.ops.adapt_datetimefield_value)
        elif isinstance(field, _PLAIN):
            out.append(_same)
        else:
            out.append(lambda value, field=field: field.get_db_prep_save(value, conn))
    return out


def _columns(model: type[models.Model], fields: Sequence[str], quote) -> list[str]:
    return [quote(model._meta.get_field(name).column) for name in fields]


def insert(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (Python values in the order of ``fields``) into ``model``'s table."""
    if not rows:
        return
    conn = transaction.get_connection()
    quote = conn.ops.quote_name
    table = quote(model._meta.db_table)
    columns = _columns(model, fields, quote)
    adapt = _adapters(model, fields, conn)
    plain = all(a is _same for a in adapt)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row if plain else [a(v) for a, v in zip(adapt, row, strict=True)])
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
            [[a(v) for a, v in zip(adapt, row, strict=True)] for row in rows],
        )


def update(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Set ``fields`` on each row's record: every row is the new values in the order of
    ``fields`` followed by the primary key."""
    if not rows:
        return
    conn = transaction.get_connection()
    quote = conn.ops.quote_name
    table = quote(model._meta.db_table)
    columns = _columns(model, fields, quote)
    pk = quote(model._meta.pk.column)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            types = [model._meta.get_field(name).db_type(conn) for name in fields] + [
                model._meta.pk.rel_db_type(conn)
            ]
            one = "(" + ", ".join(f"%s::{t}" for t in types) + ")"
            names = [f"c{i}" for i in range(len(fields))]
            assignments = ", ".join(f"{col} = v.{n}" for col, n in zip(columns, names, strict=True))
            for first in range(0, len(rows), BATCH):
                chunk = rows[first : first + BATCH]
                cursor.execute(
                    f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([one] * len(chunk))}) "
                    f"AS v({', '.join(names)}, id) WHERE {table}.{pk} = v.id",
                    [value for row in chunk for value in row],
                )
            return
        adapt = _adapters(model, fields, conn)
        sets = ", ".join(f"{col} = %s" for col in columns)
        cursor.executemany(
            f"UPDATE {table} SET {sets} WHERE {pk} = %s",
            [[a(v) for a, v in zip(adapt, row[:-1], strict=True)] + [row[-1]] for row in rows],
        )
