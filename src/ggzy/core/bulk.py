"""Bulk writes for jobs that change many rows in one transaction (the tick, the audit trail).

Plain SQL with no model instances: building and adapting thousands of instances cost more than
the statements. On PostgreSQL rows go in with one ``INSERT … SELECT * FROM unnest(…)`` and
updates are one ``UPDATE … FROM unnest(…)``, each column one array parameter (``pg_array``), so
that a batch's writes can share one round trip (``pipeline``: ``COPY`` cannot be pipelined);
elsewhere (SQLite) prepared statements are executed for every row. No primary keys come back
and no signals are sent, as with ``bulk_create``.

PostgreSQL statements with many rows go through ``pg_cursor``: a psycopg cursor on Django's
connection (same transaction) that binds parameters on the server. Django's cursor binds them on
the client, and psycopg splits the statement text at every placeholder in Python: for a 500-row
``VALUES`` list or ``IN (…)`` that parsing cost more than the statement itself (profiled on the
tick, docs/benchmarks.md (e)). Keep such statements to a few placeholders (arrays with ``ANY`` or
``unnest``). Statements sent this way bypass Django's query log and execute wrappers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db import models, transaction

BATCH = 500
_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)


def pg_cursor(conn=None):
    """A psycopg cursor (server-side binding) on the connection of the current transaction
    (PostgreSQL only): few placeholders, arrays as single parameters; ``binary=True`` on
    ``execute`` loads the results in psycopg's C loaders."""
    import psycopg

    conn = conn or transaction.get_connection()
    conn.ensure_connection()
    return psycopg.Cursor(conn.connection)


_SCALARS = (str, int, float, decimal.Decimal, dt.date, dt.time, uuid.UUID)


def _element(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        value = "\\x" + bytes(value).hex()  # bytea's hex input form
    elif not isinstance(value, _SCALARS):  # e.g. JSON (psycopg's Jsonb): no text form here
        raise TypeError(f"bulk: no array text for {type(value).__name__}")
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def pg_array(values: Sequence[Any]) -> str:
    """``values`` as the text of a PostgreSQL array literal, to be sent as ONE parameter and cast
    (``%s::bigint[]``): every element quoted and escaped, None as NULL, datetimes as their ``str``
    (ISO with the offset), bytes in bytea's hex form; a value of any other kind (JSON) raises
    TypeError. psycopg's list adaptation builds the same text about twice as slowly (measured on
    the tick's update columns)."""
    return "{" + ",".join("NULL" if v is None else _element(v) for v in values) + "}"


def pg_ids(ids: Sequence[int]) -> str:
    """Integer keys as a PostgreSQL array literal (``= ANY(%s::bigint[])``)."""
    return "{" + ",".join(map(str, map(int, ids))) + "}"


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


def _db_types(model: type[models.Model], fields: Sequence[str], conn) -> list[str]:
    return [model._meta.get_field(name).db_type(conn) for name in fields]


@contextlib.contextmanager
def pipeline() -> Iterator[None]:
    """On PostgreSQL, the statements sent inside are queued and go to the server together (psycopg
    pipeline mode): a batch's writes cost one round trip instead of one each. Reading a result
    inside (``fetchone``) sends what is queued first. Errors surface at the latest when the block
    ends. Elsewhere a no-op."""
    conn = transaction.get_connection()
    if conn.vendor != "postgresql":
        yield
        return
    conn.ensure_connection()
    with conn.connection.pipeline():
        yield


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
    if conn.vendor == "postgresql":
        if not plain:
            rows = [[a(v) for a, v in zip(adapt, row, strict=True)] for row in rows]
        try:
            chunks = [
                [pg_array(c) for c in zip(*rows[first : first + BATCH], strict=True)]
                for first in range(0, len(rows), BATCH)
            ]
        except TypeError:  # a value with no array text (JSON): COPY, which cannot be pipelined
            with (
                conn.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        arrays = ", ".join(f"%s::{t}[]" for t in _db_types(model, fields, conn))
        statement = f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays})"
        with pg_cursor(conn) as cursor:
            for params in chunks:
                cursor.execute(statement, params)
        return
    with conn.cursor() as cursor:
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
    if conn.vendor == "postgresql":
        types = [*_db_types(model, fields, conn), model._meta.pk.rel_db_type(conn)]
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        names = [f"c{i}" for i in range(len(fields))]
        assignments = ", ".join(f"{col} = v.{n}" for col, n in zip(columns, names, strict=True))
        statement = (
            f"UPDATE {table} SET {assignments} FROM unnest({arrays}) "
            f"AS v({', '.join(names)}, id) WHERE {table}.{pk} = v.id"
        )
        with pg_cursor(conn) as cursor:
            for first in range(0, len(rows), BATCH):
                cursor.execute(
                    statement, [pg_array(c) for c in zip(*rows[first : first + BATCH], strict=True)]
                )
        return
    with conn.cursor() as cursor:
        adapt = _adapters(model, fields, conn)
        sets = ", ".join(f"{col} = %s" for col in columns)
        cursor.executemany(
            f"UPDATE {table} SET {sets} WHERE {pk} = %s",
            [[a(v) for a, v in zip(adapt, row[:-1], strict=True)] + [row[-1]] for row in rows],
        )
