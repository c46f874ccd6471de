"""扣分: 若 X 扣 N分 (a fixed deduction if a condition holds), 每少 N 扣 M分 (per step short of
the target), 每 N X 扣 M分 (per step of a count); a partial step counts as the scheme declares
(prorated by default, 不足一档不计, 不足一档按一档计). Each deduction rounded as items are."""
from decimal import Decimal

from ... import ast
from ...ast import ACTUAL, TARGET, operand_text, say_expr, show_expr
from ...numbers import plain
from ...result import Line
from .. import num
from ..core import Reads
from . import Outcome

_PARTIAL_WORDS = {"prorate": "按比例计", "ignore": "不计", "whole": "按一档计"}


def evaluate(engine, at, rule: ast.Deduction, rounding: ast.Rounding | None) -> Outcome:
    """`earned` is the amount deducted, rounded as given (None: exact, its lines showing it to
    the engine's working places: the item is rounded once, after its deductions); `shown` the
    amount the lines count."""
    reads = Reads()
    if rule.condition is not None:
        holds = engine.truth(at, rule.condition, reads)
        amount = num.where(holds.n.astype(bool), engine.const(rule.points.value), engine.const(0))
        amount.err = holds.err
        text = f"若 {show_expr(rule.condition)} 扣 {rule.points}"

        spoken = say_expr(rule.condition)

        def lines(idx):
            return [Line("deduct", text, inputs, f"{'成立' if hit else '不成立'} → {shown}", Decimal(shown),
                         rule.pos.line, f"{spoken}，扣 {shown} 分" if hit else f"未出现“{spoken}”，不扣")
                    for inputs, hit, shown in zip(reads.rows(idx), holds.n[idx].tolist(), num.texts(amount, idx, None))]
        return Outcome(amount, lines, amount)
    count_expr = rule.count or ast.Binary("-", ast.Ref(None, TARGET, rule.pos), ast.Ref(None, ACTUAL, rule.pos),
                                          rule.pos)
    count = num.larger(engine.number(at, count_expr, reads), engine.const(0))
    steps = num.div(count, engine.const(rule.step.value), 0)
    partial = rule.partial or "prorate"
    counted = {"prorate": lambda s: s, "ignore": num.floor, "whole": num.ceil}[partial](steps)
    exact = num.mul(counted, engine.const(rule.points.value))
    amount = num.round_to(exact, rounding) if rounding else exact
    shown = amount if rounding else num.round_to(exact, engine.working)
    near = num.compare(shown, exact) != 0
    counted_text = "" if rule.count is None else operand_text(rule.count) + " "
    text = f"{'每少' if rule.count is None else '每'} {rule.step} {counted_text}扣 {rule.points}"

    count_shown = show_expr(count_expr)

    cut_short = num.compare(counted, steps) != 0
    points = plain(rule.points.value)

    amount_shown = shown

    def lines(idx):
        out = []
        for inputs, shown, whole, part, short, lost, product, rounded in zip(
                reads.rows(idx), num.texts(count, idx, percent=rule.step.unit == "%"), num.texts(steps, idx),
                num.texts(counted, idx), cut_short[idx].tolist(), num.texts(amount_shown, idx, None),
                num.texts(exact, idx), near[idx].tolist()):
            arithmetic = f"{count_shown} = {shown}，{whole} 档"
            if short:
                arithmetic += f"（不足一档{_PARTIAL_WORDS[partial]}）→ {part} 档"
            said = (f"比任务少 {shown.replace('…', '')}，每少 {rule.step} 扣 {rule.points}" if rule.count is None else
                    f"{say_expr(rule.count)}为 {shown.replace('…', '')}，每 {rule.step} 扣 {rule.points}")
            said += f"，扣 {lost} 分" if lost != "0" else "，不扣分"
            if rule.count is None and shown == "0":
                said = "已完成任务，不扣分"
            product = f"{product} ≈ {lost}" if rounded else lost
            out.append(Line("deduct", text, inputs, f"{arithmetic} × {points} = {product}", Decimal(lost),
                            rule.pos.line, said))
        return out
    return Outcome(amount, lines, shown)
