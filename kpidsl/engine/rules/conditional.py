"""若 … 则 … 否则: one rule or the other, by a condition; the explanation names the branch."""
from dataclasses import replace

import numpy as np

from ... import ast
from ...ast import say_expr, show_expr
from .. import num
from . import Outcome, evaluate as evaluate_rule


def evaluate(engine, at, rule: ast.Conditional, top, reads, mask) -> Outcome:
    holds = engine.truth(at, rule.condition, reads, mask)
    yes = holds.n.astype(bool)
    then = evaluate_rule(engine, at, rule.then, top, reads, yes if mask is None else yes & mask)
    otherwise = evaluate_rule(engine, at, rule.otherwise, top, reads, ~yes if mask is None else ~yes & mask)
    earned = num.where(yes, then.earned, otherwise.earned)
    earned.err = num.first_error(holds.err, earned.err)
    condition = show_expr(rule.condition)
    said = {True: f"因{say_expr(rule.condition)}，", False: f"因未满足“{say_expr(rule.condition)}”，"}

    def lines(idx):
        taken, inner = yes[idx], [None] * len(idx)
        for branch, where in ((then, taken), (otherwise, ~taken)):
            at = np.flatnonzero(where)
            for k, line in zip(at.tolist(), branch.lines(idx[at])):
                inner[k] = line
        return [replace(line, text=f"若 {condition}（{'成立' if y else '不成立'}）：{line.text}", inputs=inputs,
                        said=f"{said[bool(y)]}{line.said}")
                for line, y, inputs in zip(inner, taken.tolist(), reads.rows(idx))]
    return Outcome(earned, lines)
