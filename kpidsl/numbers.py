"""Exact numbers: rule arithmetic in Fractions, scores in Decimals, rounding stated and exact."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from math import gcd

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


def _places(denominator: int) -> int | None:
    """The decimal places n/denominator needs (in lowest terms), None if it never ends."""
    twos = (denominator & -denominator).bit_length() - 1
    rest, fives = denominator >> twos, 0
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    return max(twos, fives) if rest == 1 else None


def is_exact_decimal(x: Fraction) -> bool:
    return _places(x.denominator) is not None


def _digits(n: int, d: int, places: int) -> str:
    """n/d (d divides 10**places) as plain decimal text."""
    scaled = str(abs(n) * (10 ** places // d)).rjust(places + 1, "0")
    whole, fraction = (scaled[:-places], scaled[-places:].rstrip("0")) if places else (scaled, "")
    return ("-" if n < 0 else "") + whole + ("." + fraction if fraction else "")


def to_decimal(x: Fraction) -> Decimal:
    """A Fraction with a finite decimal expansion as a Decimal, exactly."""
    places = _places(x.denominator)
    if places is None:
        raise ValueError(f"{x} has no finite decimal expansion")
    return Decimal(x.numerator * (10 ** places // x.denominator)).scaleb(-places)


def show(x: Fraction | Decimal | int, places: int = 4) -> str:
    """A number for people: exact where finite and short, else rounded with an ellipsis."""
    if type(x) is int:
        return str(x)
    if isinstance(x, Decimal) and -x.as_tuple().exponent <= places:
        return plain(x)
    x = Fraction(x)
    return _shown(x.numerator, x.denominator, places)


def _shown(n: int, d: int, places: int) -> str:
    needed = _places(d)
    if needed is not None and needed <= places:
        text = _digits(n, d, needed)
        return "0" if text == "-0" else text
    return format(round_to(Fraction(n, d), Rounding(places, "half_up")), "f") + "…"


def show_percent(x: Fraction | Decimal) -> str:
    x = Fraction(x)
    n, d = x.numerator * 100, x.denominator
    g = gcd(n, d)
    return _shown(n // g, d // g, 2) + "%"


@lru_cache(maxsize=1 << 16)  # equal Decimals read alike (17.64 = 17.640), and reports write the same ones often
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
