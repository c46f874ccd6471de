"""得 系统考核得分: a score given elsewhere (a system's mark, an inspection's), read from the
data as it is, within 0 and the item's points: outside them it is an error with its cell."""
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ... import ast
from ...numbers import show
from .. import num
from ...result import Line
from . import Outcome


def evaluate(engine, at, rule: ast.Given, top: Fraction, reads, mask) -> Outcome:
    score = engine.number(at, rule.field, reads, mask)
    resolved = engine.index.resolve(at.node, rule.field)
    cells = (resolved[1:],) if resolved[0] == "field" else ()  # a data field (the checker sees to it)
    label = str(rule.field)
    outside = (num.compare(score, engine.const(0)) < 0) | (num.compare(score, engine.const(top)) > 0)
    beyond = engine.fail("E311", at.scored, lambda i: f"{label} {num.texts(score, np.array([i]))[0]} 超出允许范围 "
                                                      f"0–{show(top)}", cells=cells)
    earned = num.number(score.n, score.d, num.first_error(score.err, np.where(outside, beyond, 0)))

    def lines(idx):
        return [Line("given", f"得分取自 {label}", inputs, f"{label} = {value}", Decimal(0), rule.pos.line,
                     f"按{label} {value}，")
                for inputs, value in zip(reads.rows(idx), num.texts(earned, idx))]
    return Outcome(earned, lines)
