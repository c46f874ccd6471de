"""Exact rational columns: one value per unit, as numerator and denominator arrays.

Arrays are int64 while every value fits; an operation whose result could leave 64 bits is done
on Python integers instead (numpy object arrays), so nothing wraps and nothing is a binary float.
A column also carries, per unit, the first error met computing it (0: none; see Engine.errors),
so a unit that cannot be scored is reported with the reason, where and only where it matters.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ..ast import Rounding

_LIMIT = 2.0 ** 62  # a float estimate of a result at or past this may not fit in int64
_EXACT_FLOAT = 2 ** 53

# kinds of a value (as kpidsl.cells' kinds of a cell; MISSING only in a cell)
MISSING, NUMBER, FLAG, DAY, TEXT = 0, 1, 2, 3, 4


@dataclass
class Col:
    """A value per unit: kind (NUMBER, FLAG, DAY, TEXT), n / d (a flag 0/1, a date in days since
    1970, a text its code in Engine.texts; d is 1 for all but numbers), and err."""
    kind: np.ndarray
    n: np.ndarray
    d: np.ndarray
    err: np.ndarray

    def __len__(self) -> int:
        return len(self.n)

    def fraction(self, i: int) -> Fraction:
        return Fraction(int(self.n[i]), int(self.d[i]))

    def decimal(self, i: int) -> Decimal:
        """A rounded value (a finite decimal) as a Decimal."""
        n, d = int(self.n[i]), int(self.d[i])
        g = math.gcd(n, d)
        n, d = n // g, d // g
        places = 0
        while (10 ** places) % d:
            places += 1
        return Decimal(n * (10 ** places // d)).scaleb(-places)


def _wide(a: np.ndarray) -> np.ndarray:
    return a if a.dtype == object else a.astype(object)


def _magnitude(a) -> float:
    if isinstance(a, np.ndarray):
        if a.size < 32:  # a few units (one town's explanation): two reductions cost more than a list
            values = a.tolist()
            return float(max(max(values), -min(values))) if values else 0.0
        return float(max(abs(int(a.max())), abs(int(a.min()))))
    return float(abs(a))


def times(a: np.ndarray, b) -> np.ndarray:
    """a × b exactly, in int64 where the product surely fits."""
    if a.dtype != object and (not isinstance(b, np.ndarray) or b.dtype != object):
        size = _magnitude(b)
        if size < _LIMIT and _magnitude(a) * size < _LIMIT:  # (b 10**19, a all 0)
            return a * b
    return _wide(a) * (_wide(b) if isinstance(b, np.ndarray) else int(b))


def plus(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype != object and b.dtype != object and _magnitude(a) + _magnitude(b) < _LIMIT:
        return a + b
    return _wide(a) + _wide(b)


def narrow(a: np.ndarray) -> np.ndarray:
    """Python integers back in int64 where they all fit (faster from then on)."""
    if a.dtype == object and (a.size == 0 or _magnitude(a) < _LIMIT):
        return a.astype(np.int64)
    return a


def first_error(*errs: np.ndarray) -> np.ndarray:
    """Per unit, the first of the errors that is set (left to right, as evaluation goes)."""
    out = errs[-1]
    for e in reversed(errs[:-1]):
        if e is not out and e.any():  # errors are rare: a test is cheaper than a new array
            out = np.where(e != 0, e, out)
    return out


def number(n, d, err) -> Col:
    return Col(np.full(len(n), NUMBER, np.int8), n, d, err)


def reduced(n: np.ndarray, d: np.ndarray, err: np.ndarray) -> Col:
    if d.size and (d.dtype == object or d.max() > 10 ** 6):
        g = np.gcd(n, d)
        g[g == 0] = 1
        n, d = narrow(n // g), narrow(d // g)
    return number(n, d, err)


def constant(value: Decimal | Fraction | int, size: int) -> Col:
    f = Fraction(value)
    dtype = np.int64 if abs(f.numerator) < _LIMIT and f.denominator < _LIMIT else object
    return number(np.full(size, f.numerator, dtype), np.full(size, f.denominator, dtype),
                  np.zeros(size, np.int32))


def add(x: Col, y: Col) -> Col:
    err = first_error(x.err, y.err)
    if x.d is y.d or np.array_equal(x.d, y.d):
        return number(narrow(plus(x.n, y.n)), x.d, err)
    return reduced(plus(times(x.n, y.d), times(y.n, x.d)), times(x.d, y.d), err)


def neg(x: Col) -> Col:
    return number(-x.n, x.d, x.err)


def sub(x: Col, y: Col) -> Col:
    return add(x, neg(y))


def mul(x: Col, y: Col) -> Col:
    return reduced(times(x.n, y.n), times(x.d, y.d), first_error(x.err, y.err))


def div(x: Col, y: Col, zero_error: int) -> Col:
    """x / y; where y is 0, the value is 0 and the error `zero_error`."""
    zero = y.n == 0
    some_zero = zero.any()
    n, d = times(x.n, y.d), times(x.d, np.where(zero, 1, y.n) if some_zero else y.n)
    negative = d < 0
    if negative.any():
        sign = np.where(negative, -1, 1)
        n, d = n * sign, d * sign
    return reduced(n, d, first_error(x.err, y.err, *([np.where(zero, zero_error, 0)] if some_zero else [])))


def compare(x: Col, y: Col) -> np.ndarray:
    """-1, 0 or 1 per unit (int64)."""
    if x.d is y.d or np.array_equal(x.d, y.d):
        out = np.sign(x.n - y.n) if x.n.dtype != object and y.n.dtype != object \
            and _magnitude(x.n) + _magnitude(y.n) < _LIMIT else np.sign(_wide(x.n) - _wide(y.n))
    else:
        out = np.sign(times(x.n, y.d) - times(y.n, x.d))
    return out.astype(np.int64)


def where(mask: np.ndarray, x: Col, y: Col) -> Col:
    """x where the mask holds, else y (with their errors: the caller adds the mask's own)."""
    def pick(a, b):
        if a.dtype != b.dtype:
            a, b = _wide(a), _wide(b)
        return np.where(mask, a, b)

    return Col(np.where(mask, x.kind, y.kind), pick(x.n, y.n), pick(x.d, y.d), np.where(mask, x.err, y.err))


def larger(x: Col, y: Col) -> Col:
    out = where(compare(x, y) >= 0, x, y)
    out.err = first_error(x.err, y.err)  # the larger of a value that failed is not known either
    return out


def smaller(x: Col, y: Col) -> Col:
    out = where(compare(x, y) <= 0, x, y)
    out.err = first_error(x.err, y.err)
    return out


def floor(x: Col) -> Col:
    return number(x.n // x.d, np.ones(len(x), np.int64), x.err)


def ceil(x: Col) -> Col:
    return number(-((-x.n) // x.d), np.ones(len(x), np.int64), x.err)


def round_to(x: Col, rounding: Rounding) -> Col:
    """As numbers.round_to: half up (away from zero), half even, or down (towards zero)."""
    scale = 10 ** rounding.places
    scaled = times(abs(x.n), scale)
    quotient, remainder = np.divmod(scaled, x.d) if scaled.dtype != object and x.d.dtype != object \
        else (scaled // x.d, scaled % x.d)  # one integer division, not two (numpy's divmod takes no Python integers)
    twice = 2 * remainder
    if rounding.mode == "half_up":
        quotient = quotient + (twice >= x.d)
    elif rounding.mode == "half_even":
        quotient = quotient + ((twice > x.d) | ((twice == x.d) & (quotient % 2 == 1)))
    n = narrow(np.where(x.n < 0, -quotient, quotient))
    return number(n, np.full(len(x), scale, np.int64 if scale < _LIMIT else object), x.err)


def total_of(x: Col, members: np.ndarray | None = None) -> Fraction:
    """The exact sum over all units (or the members)."""
    n, d = (x.n, x.d) if members is None else (x.n[members], x.d[members])
    if n.dtype != object and d.size and np.all(d == d[0]) and _magnitude(n) * len(n) < _LIMIT:
        return Fraction(int(n.sum()), int(d[0]))
    return sum((Fraction(int(a), int(b)) for a, b in zip(n, d)), Fraction(0))


def places_and_integers(x: Col) -> tuple[np.ndarray, int]:
    """x as integers at the fewest decimal places that hold every value exactly."""
    denominators = {int(v) for v in set(x.d.tolist())}
    for places in range(60):
        scale = 10 ** places
        if all(scale % v == 0 for v in denominators):
            return narrow(times(x.n, scale) // x.d), places
    raise ValueError("a score with no short decimal expansion")


# ---- ranking ---------------------------------------------------------------------------
def runs(key: Col, members: np.ndarray, descending: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The members in rank order (ties by position), and for each, in that order, how many rank
    strictly before it and how many share its key (itself included)."""
    if len(members) == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    n, d = key.n[members], key.d[members]
    exact = False
    if n.dtype != object and d.dtype != object and np.all(np.abs(n) < _EXACT_FLOAT) and np.all(d < _EXACT_FLOAT):
        # correctly rounded division is monotone: only float-equal neighbours need a check
        f = n.astype(np.float64) / d.astype(np.float64)
        order = np.argsort(-f if descending else f, kind="stable")
        fs, ns, ds = f[order], n[order], d[order]
        same_float = fs[1:] == fs[:-1]
        same = same_float & (times(ns[1:], ds[:-1]) == times(ns[:-1], ds[1:]))
        exact = not np.any(same_float & ~same)
    if not exact:
        values = [Fraction(int(a), int(b)) for a, b in zip(n, d)]
        order = np.array(sorted(range(len(values)), key=lambda i: -values[i] if descending else values[i]),
                         dtype=np.int64)
        ordered = [values[i] for i in order]
        same = np.array([a == b for a, b in zip(ordered[1:], ordered[:-1])], dtype=bool)
    starts = np.concatenate(([True], ~same))
    start_index = np.flatnonzero(starts)
    run_of = np.cumsum(starts) - 1
    lengths = np.diff(np.append(start_index, len(members)))
    return members[order], start_index[run_of], lengths[run_of]


def ranks(before: np.ndarray, dense: bool) -> np.ndarray:
    """Ranks from `runs`: 1 + how many rank before (1-2-2-4), or, dense, 1 + how many distinct
    keys do (1-2-2-3)."""
    if dense and len(before):
        return np.cumsum(np.concatenate(([0], before[1:] != before[:-1]))) + 1
    return before + 1


# ---- numbers as text, a column at a time ----------------------------------------------
def texts(x: Col, idx: np.ndarray, places: int | None = 4, percent: bool = False) -> list[str]:
    """numbers.show (or, `percent`, show_percent; or, with `places` None, plain for values that
    are finite decimals) of the units at idx: the same text, written from integer arrays rather
    than one Fraction per unit."""
    n, d = x.n[idx], x.d[idx]
    if percent:
        return [t + "%" for t in _texts(times(n, 100), d, 2)]
    return _texts(n, d, places)


def _texts(n: np.ndarray, d: np.ndarray, places: int | None) -> list[str]:
    if n.dtype == object or d.dtype == object or len(n) < 32:  # array work pays from a few dozen units
        return [_text(int(a), int(b), places) for a, b in zip(n.tolist(), d.tolist())]
    g = np.gcd(n, d)
    g[g == 0] = 1
    n, d = n // g, d // g
    needed = np.full(len(n), -1, np.int64)  # the fewest places that hold the value exactly
    for p in range((18 if places is None else places) + 1):
        needed = np.where((needed < 0) & ((10 ** p) % d == 0), p, needed)
        if needed.min(initial=0) >= 0:
            break
    exact = needed >= 0
    shown = np.where(exact, needed, places or 0)
    if (places is None and not exact.all()) or \
            _magnitude(n) * 2 * 10 ** int(shown.max(initial=0)) >= _LIMIT:
        return [_text(int(a), int(b), places) for a, b in zip(n.tolist(), d.tolist())]
    scale = 10 ** shown
    q = np.where(exact, np.abs(n) * (scale // d), (2 * np.abs(n) * scale + d) // (2 * d))
    out = []
    for neg, value, p, whole in zip((n < 0).tolist(), q.tolist(), shown.tolist(), exact.tolist()):
        text = str(value)
        if p:
            text = text.rjust(p + 1, "0")
            text = f"{text[:-p]}.{text[-p:]}"
        out.append(("-" if neg and value else "") + text + ("" if whole else "…"))
    return out


def decimals(x: Col, idx: np.ndarray) -> list[Decimal]:
    """The units' values (finite decimals: rounded) as Decimals, each as Col.decimal gives it."""
    return [Decimal(t) for t in texts(x, idx, None)]


def _text(n: int, d: int, places: int | None) -> str:
    from ..numbers import _digits, _places, _shown

    g = math.gcd(n, d) or 1
    n, d = n // g, d // g
    if places is None:
        needed = _places(d)
        if needed is None:
            raise ValueError("a value with no finite decimal expansion")
        return _digits(n, d, needed)
    return _shown(n, d, places)


def text(x: Col, i: int, places: int | None = 4, percent: bool = False) -> str:
    """One unit's value as `texts` writes it."""
    return texts(x, np.array([i]), places, percent)[0]
