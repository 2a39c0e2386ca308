"""TOTP second factor (RFC 6238: 30-second steps, 6 digits, SHA-1 as authenticator apps expect).

Pure module: no Django. The caller passes the time (from ``ggzy.core.clock``) and keeps the last
accepted step so a code cannot be replayed within its validity window.
"""

from __future__ import annotations

import datetime as dt
import hmac
import io

import pyotp
import segno

INTERVAL = 30
DIGITS = 6
VALID_WINDOW = 1  # accept the previous and the next step too (clock drift of the phone)


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters = 160 bits


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=account, issuer_name=issuer
    )


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code (no XML declaration, safe to embed in a page)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True, nl=False)
    return out.getvalue().decode("utf-8")


def code_at(secret: str, at: dt.datetime, offset: int = 0) -> str:
    """The code for the step containing ``at`` (plus ``offset`` steps). Used by tests and the demo."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).at(at, counter_offset=offset)


def step_of(at: dt.datetime) -> int:
    return int(at.timestamp()) // INTERVAL


def matching_step(secret: str, code: str, at: dt.datetime, *, after_step: int = 0) -> int | None:
    """The time step ``code`` belongs to (within the window around ``at``), if it is later than
    ``after_step``; otherwise None. Comparisons are constant-time."""
    code = (code or "").strip().replace(" ", "")
    if not secret or len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    current = totp.timecode(at)
    found = None
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        step = current + offset
        if hmac.compare_digest(code, totp.generate_otp(step)) and step > after_step:
            found = step
    return found
