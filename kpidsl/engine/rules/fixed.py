"""得满分, 不得分, 得 N分: a constant."""
import copy
from decimal import Decimal
from fractions import Fraction

from ... import ast
from ...numbers import plain
from ...result import Line
from . import Outcome


def evaluate(engine, at, rule, top: Fraction, reads, mask) -> Outcome:
    match rule:
        case ast.Full():
            points, line = top, Line("full", "得满分", (), plain(Decimal(top.numerator) / top.denominator),
                                     Decimal(0), rule.pos.line)
        case ast.Zero():
            points, line = Fraction(0), Line("zero", "不得分", (), "0", Decimal(0), rule.pos.line)
        case ast.Fixed():
            points = Fraction(rule.points.value)
            line = Line("fixed", f"得 {rule.points}", (), plain(rule.points.value), Decimal(0), rule.pos.line)
    return Outcome(engine.const(points), lambda idx: [copy.copy(line) for _ in range(len(idx))])
