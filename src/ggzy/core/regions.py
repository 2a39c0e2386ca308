"""Administrative region codes (GB/T 2260). Pure module."""

from __future__ import annotations


def region_prefix(code: str) -> str:
    """The code prefix of a region's subtree: 140000 -> 14, 140100 -> 1401, 140105 -> 140105.
    Anything that is not a six-digit code is returned as given (stripped)."""
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        return code
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code
