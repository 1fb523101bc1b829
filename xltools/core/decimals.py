"""Decimal helpers: every amount and score in xltools is a ``Decimal`` rounded half-up.

>>> to_decimal(0.76)
Decimal('0.76')
>>> to_decimal("1,060.58"), to_decimal("１，０６０．５８")
(Decimal('1060.58'), Decimal('1060.58'))
>>> round_half_up(Decimal("2.675"), 2)
Decimal('2.68')
>>> fmt(Decimal("87.60"))
'87.6'
"""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


def to_decimal(value: object) -> Decimal | None:
    """Convert a cell value (int, float, str, Decimal) to Decimal; ``None`` when it is not a number.

    Floats go through ``repr`` so that 0.76 stays 0.76 and does not become 0.7600000000000000088….
    Booleans are not numbers here.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(value))
    if isinstance(value, str):
        if not value.isascii():  # full-width input: １８．５ → 18.5
            value = unicodedata.normalize("NFKC", value)
        text = value.strip().replace(",", "")
        if not text:
            return None
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            return None
        return number if number.is_finite() else None
    return None


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round like a spreadsheet's ROUND (half away from zero), not like Python's ``round``.

    >>> round_half_up(Decimal("2.345")), round_half_up(Decimal("-2.5"), 0)
    (Decimal('2.35'), Decimal('-3'))
    """
    quantum = _QUANTA.get(places)
    if quantum is None:
        quantum = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(0, 9)}  # 1, 0.1, 0.01 …


def fmt(value: Decimal | None, places: int = 2) -> str:
    """Format a number for people and for JSON: rounded half-up, trailing zeros dropped."""
    if value is None:
        return ""
    rounded = round_half_up(value, places)
    text = format(rounded.normalize(), "f")
    return "0" if text in ("-0", "") else text
