"""One multi-row INSERT for the few dozen rows a draw writes (invitations, outbox), without model
instances. ``core.bulk.insert`` is built for thousands of rows (arrays through ``unnest`` on
PostgreSQL, executemany on SQLite); a draw's 21 rows with sealed bytes go in one plain statement on
either backend (its PostgreSQL path did not take ``bytea`` when this was written: fixed in e80e0ea)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import models, transaction


def insert(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    conn = transaction.get_connection()
    quote = conn.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(f).column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"

    def adapt(value: Any) -> Any:
        if isinstance(value, dt.datetime) and conn.vendor != "postgresql":
            return conn.ops.adapt_datetimefield_value(value)
        return value

    with conn.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {', '.join([one] * len(rows))}",
            [adapt(v) for row in rows for v in row],
        )
