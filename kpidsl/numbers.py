"""Exact numbers: rule arithmetic in Fractions, scores in Decimals, rounding stated and exact."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .ast import Rounding


def round_to(x: Fraction | Decimal, rounding: Rounding) -> Decimal:
    """Round exactly (no binary floats, no precision limit) as the scheme declares."""
    scaled = Fraction(x) * 10 ** rounding.places
    quotient, remainder = divmod(abs(scaled.numerator), scaled.denominator)
    twice = 2 * remainder
    if rounding.mode == "half_up":  # 四舍五入: halves away from zero, as done by hand
        quotient += twice >= scaled.denominator
    elif rounding.mode == "half_even":
        quotient += twice > scaled.denominator or (twice == scaled.denominator and quotient % 2 == 1)
    sign = -1 if scaled < 0 else 1
    return Decimal(sign * quotient).scaleb(-rounding.places)


def is_exact_decimal(x: Fraction) -> bool:
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def to_decimal(x: Fraction) -> Decimal:
    """A Fraction with a finite decimal expansion as a Decimal, exactly."""
    if not is_exact_decimal(x):
        raise ValueError(f"{x} has no finite decimal expansion")
    places = 0
    while (x * 10 ** places).denominator != 1:
        places += 1
    return Decimal(int(x * 10 ** places)).scaleb(-places)


def show(x: Fraction | Decimal | int, places: int = 4) -> str:
    """A number for people: exact where finite and short, else rounded with an ellipsis."""
    x = Fraction(x)
    if is_exact_decimal(x):
        d = to_decimal(x)
        if -d.as_tuple().exponent <= places:
            return plain(d)
    return format(round_to(x, Rounding(places, "half_up")), "f") + "…"


def show_percent(x: Fraction | Decimal) -> str:
    return show(Fraction(x) * 100, 2) + "%"


def plain(d: Decimal) -> str:
    """Decimal without exponent or trailing zeros: 17.640 -> 17.64, 20.00 -> 20."""
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def sort_key(x: Fraction) -> tuple[float, Fraction]:
    """Sorts as x does, faster: floats decide, and the exact value only where they are equal
    (a correctly rounded float never orders two values the wrong way round)."""
    return float(x), x
