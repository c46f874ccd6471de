"""Rule kinds, one module each: how the rule scores every unit at once, and the words that
explain the units' scores from what was computed (an `Outcome`), written for many units at once
(a report of every unit) as cheaply as for one."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ...result import Line
from ..num import Col


@dataclass
class Outcome:
    """What a rule gave every unit (exact points) and how to explain the units at idx (a new
    line each, which the item completes: the points lost, after rounding, and the score)."""
    earned: Col
    lines: Callable[[np.ndarray], list[Line]]
    shown: Col | None = None  # where the lines count another value (the exact kept, shown rounded)

    def line(self, i: int) -> Line:
        return self.lines(np.array([i]))[0]


def evaluate(engine, at, rule, top, reads, mask=None) -> Outcome:
    """The rule over all units: `top` its full points (a Fraction); `reads` what the item read;
    `mask` the units that reach this rule (a branch of 若 … 则 … 否则), None for all."""
    from . import assessed, conditional, fixed, given, levels, meet, projects, proportional, rank, share, tiers

    kinds = {"Full": fixed, "Zero": fixed, "Fixed": fixed, "Given": given, "Meet": meet, "Proportional": proportional,
             "Conditional": conditional, "Rank": rank, "Tiers": tiers, "Levels": levels,
             "Projects": projects, "Assessed": assessed, "Share": share}
    return kinds[type(rule).__name__].evaluate(engine, at, rule, top, reads, mask)
