"""分档: the highest points among the bands that hold the measure, else the 否则 points (or 0)."""
from decimal import Decimal

import numpy as np

from ... import ast
from ...ast import say_expr, show_expr
from ...numbers import plain
from ...result import Line
from .. import num
from ..core import _decimal_arrays
from . import Outcome


def inside(engine, value, band: ast.Band) -> np.ndarray:
    """Which units' values fall in the band, its ends included or not as declared."""
    mask = np.ones(engine.size, bool)
    if band.low is not None:
        c = num.compare(value, engine.const(band.low))
        mask &= (c > 0) | ((c == 0) & band.low_inclusive)
    if band.high is not None:
        c = num.compare(value, engine.const(band.high))
        mask &= (c < 0) | ((c == 0) & band.high_inclusive)
    return mask


def evaluate(engine, at, rule: ast.Tiers, top, reads, mask) -> Outcome:
    value = engine.number(at, rule.measure, reads, mask)
    # bands by their points, so that "the highest points among the hits" is a max of places;
    # among bands of equal points, the first in the scheme (as max() keeps the first)
    by_points = sorted(range(len(rule.bands)), key=lambda b: (rule.bands[b].points.value, -b))
    standing = {b: r for r, b in enumerate(by_points)}
    best = np.full(engine.size, -1, np.int64)
    for b, band in enumerate(rule.bands):
        best = np.where(inside(engine, value, band), np.maximum(best, standing[b]), best)
    otherwise = rule.otherwise.value if rule.otherwise else Decimal(0)
    n, d = _decimal_arrays([rule.bands[b].points.value for b in by_points] + [otherwise])
    earned = num.number(n[best], d[best], value.err)
    text = "分档计分：" + "；".join(f"{b.text} 得 {b.points}" for b in rule.bands)
    measure, spoken = show_expr(rule.measure), say_expr(rule.measure)

    def lines(idx):
        out = []
        for inputs, shown, b in zip(reads.rows(idx), num.texts(value, idx), best[idx].tolist()):
            value_said = dict(inputs).get(measure, shown.replace("…", ""))  # a figure as the unit wrote it
            if b >= 0:
                band = rule.bands[by_points[b]]
                why = f"{measure} = {shown}，在 {band.text} 档 → {band.points}"
                said = f"{spoken}为 {value_said}，{_said(band.text)}，"
            else:
                why = f"{measure} = {shown}，不在任何一档 → {plain(otherwise)}分"
                said = f"{spoken}为 {value_said}，不在任何一档，"
            out.append(Line("tiers", text, inputs, why, Decimal(0), rule.pos.line, said))
        return out
    return Outcome(earned, lines)


_WORDS = ((">=", "不低于"), ("<=", "不高于"), ("≥", "不低于"), ("≤", "不高于"), (">", "高于"), ("<", "低于"))


def _said(band: str) -> str:
    """A band in words (">= 10%" → "不低于 10%"), for the public."""
    for symbol, word in _WORDS:
        band = band.replace(symbol, word)
    return f"在“{band.strip()}”档"
