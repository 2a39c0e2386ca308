"""Numbers a page's form or query posted, read with a clear error (a clerk's browser, a stale page or
a crafted request may send anything; ``int()`` on it answered 500). Pure module."""

from __future__ import annotations

from typing import Any

from ggzy.core.errors import InvalidInput

MAX_ID = 2**63 - 1  # a 64-bit database key


def posted_id(value: Any, *, field: str, what: str) -> int:
    """The row id in ``value`` (a positive whole number), else ``request.id_invalid`` naming
    ``what`` (e.g. “保函”)."""
    text = str(value if value is not None else "").strip()
    if text.isdecimal():
        n = int(text)
        if 1 <= n <= MAX_ID:
            return n
    raise InvalidInput("request.id_invalid", f"{what}编号无效，请刷新页面后重试", field=field)
