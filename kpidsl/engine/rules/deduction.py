"""扣分: 若 X 扣 N分 (a fixed deduction if a condition holds), 每少 N 扣 M分 (per step short of
the target), 每 N X 扣 M分 (per step of a count); a partial step counts as the scheme declares
(prorated by default, 不足一档不计, 不足一档按一档计). Each deduction rounded as items are."""
from decimal import Decimal

from ... import ast
from ...ast import ACTUAL, TARGET, operand_text, show_expr
from ...numbers import plain, show, show_percent
from ...result import Line
from .. import num
from ..core import Reads
from . import Outcome

_PARTIAL_WORDS = {"prorate": "按比例计", "ignore": "不计", "whole": "按一档计"}


def evaluate(engine, at, rule: ast.Deduction) -> Outcome:
    """`earned` is the amount deducted; the line's `lost` is set to it."""
    reads = Reads()
    if rule.condition is not None:
        holds = engine.truth(at, rule.condition, reads)
        amount = num.where(holds.n.astype(bool), engine.const(rule.points.value), engine.const(0))
        amount.err = holds.err
        text = f"若 {show_expr(rule.condition)} 扣 {rule.points}"

        def line(i: int) -> Line:
            lost = amount.decimal(i)
            return Line("deduct", text, reads.at(i), f"{'成立' if holds.n[i] else '不成立'} → {plain(lost)}",
                        lost, rule.pos.line)
        return Outcome(amount, line)
    count_expr = rule.count or ast.Binary("-", ast.Ref(None, TARGET, rule.pos), ast.Ref(None, ACTUAL, rule.pos),
                                          rule.pos)
    count = num.larger(engine.number(at, count_expr, reads), engine.const(0))
    steps = num.div(count, engine.const(rule.step.value), 0)
    partial = rule.partial or "prorate"
    counted = {"prorate": lambda s: s, "ignore": num.floor, "whole": num.ceil}[partial](steps)
    amount = num.round_to(num.mul(counted, engine.const(rule.points.value)), engine.rounding)
    counted_text = "" if rule.count is None else operand_text(rule.count) + " "
    text = f"{'每少' if rule.count is None else '每'} {rule.step} {counted_text}扣 {rule.points}"

    count_shown = show_expr(count_expr)

    def line(i: int) -> Line:
        c, s, k = count.fraction(i), steps.fraction(i), counted.fraction(i)
        shown = show_percent(c) if rule.step.unit == "%" else show(c)
        arithmetic = f"{count_shown} = {shown}，{show(s)} 档"
        if k != s:
            arithmetic += f"（不足一档{_PARTIAL_WORDS[partial]}）→ {show(k)} 档"
        lost = amount.decimal(i)
        arithmetic += f" × {plain(rule.points.value)} = {plain(lost)}"
        return Line("deduct", text, reads.at(i), arithmetic, lost, rule.pos.line)
    return Outcome(amount, line)
