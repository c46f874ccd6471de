"""Rule kinds, one module each: how the rule scores every unit at once, and the words that
explain one unit's score from what was computed (an `Outcome`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ...result import Line
from ..num import Col


@dataclass
class Outcome:
    """What a rule gave every unit (exact points) and how to explain one unit's (its line; the
    points lost are set by the item, after rounding)."""
    earned: Col
    line: Callable[[int], Line]


def evaluate(engine, at, rule, top, reads, mask=None) -> Outcome:
    """The rule over all units: `top` its full points (a Fraction); `reads` what the item read;
    `mask` the units that reach this rule (a branch of 若 … 则 … 否则), None for all."""
    from . import assessed, conditional, fixed, levels, meet, projects, proportional, rank, share, tiers

    kinds = {"Full": fixed, "Zero": fixed, "Fixed": fixed, "Meet": meet, "Proportional": proportional,
             "Conditional": conditional, "Rank": rank, "Tiers": tiers, "Levels": levels,
             "Projects": projects, "Assessed": assessed, "Share": share}
    return kinds[type(rule).__name__].evaluate(engine, at, rule, top, reads, mask)
