"""The deposit check of a bid submission, through the deposits app's selector when it is installed.

``deposits.selectors.deposit_satisfied(lot, uscc)`` is the deposits app's interface (built in
parallel). Until it exists, or when no rule requires a deposit, a bid counts as covered; the
opening record shows what the deposits app reports (``deposit_status``) or "—".
"""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps


def _selectors() -> Any | None:
    if not apps.is_installed("ggzy.deposits"):
        return None
    try:
        return importlib.import_module("ggzy.deposits.selectors")
    except ImportError:
        return None


def satisfied(lot: Any, uscc: str) -> bool:
    sel = _selectors()
    check = getattr(sel, "deposit_satisfied", None) if sel else None
    return True if check is None else bool(check(lot, uscc))


def status_text(lot: Any, uscc: str) -> str:
    sel = _selectors()
    status = getattr(sel, "deposit_status", None) if sel else None
    if status is None:
        return "—"
    value = status(lot, uscc)
    if isinstance(value, str):
        return value
    return str(getattr(value, "label", None) or getattr(value, "status", None) or value)
