"""Money in CNY: Decimal yuan with two places, rounded half-up once per line and once per total."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cny(value: Decimal | int | str) -> Decimal:
    """Return `value` as yuan rounded half-up to the fen. Refuses floats: they cannot hold 0.10."""
    if isinstance(value, float):
        raise TypeError("money is never a float; pass a Decimal, an int or a string")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_cny(value: Decimal | int | str | None) -> str:
    """Format as ¥1,234.50 (negative amounts as -¥5.00)."""
    if value is None or value == "":
        return ""
    amount = to_cny(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"
