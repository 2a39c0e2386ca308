"""Money is Decimal yuan with two places, never float. Pure module."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ggzy.core.errors import InvalidInput

CENT = Decimal("0.01")
MAX_YUAN = Decimal("9999999999999999.99")  # fits DecimalField(max_digits=18, decimal_places=2)


def yuan(value: Decimal | int | str, *, field: str | None = None) -> Decimal:
    """Parse an amount in yuan. Floats are refused: they cannot hold 0.1 exactly."""
    if isinstance(value, bool | float):
        raise InvalidInput("money.float", "金额不能用浮点数表示，请使用字符串或整数", field=field)
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise InvalidInput("money.invalid", f"“{value}”不是有效的金额", field=field) from None
    if not amount.is_finite():
        raise InvalidInput("money.invalid", f"“{value}”不是有效的金额", field=field)
    if amount != amount.quantize(CENT):
        raise InvalidInput("money.precision", "金额最多保留两位小数（分）", field=field)
    if abs(amount) > MAX_YUAN:
        raise InvalidInput("money.too_large", "金额超出允许范围", field=field)
    return amount.quantize(CENT)


def percent_of(amount: Decimal, percent: Decimal | str) -> Decimal:
    """``percent`` % of ``amount``, rounded half-up to the cent (e.g. a 2% deposit cap)."""
    return (amount * Decimal(str(percent)) / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
