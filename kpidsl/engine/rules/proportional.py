"""按比例: full points × min(ratio, 1), the ratio (default 实际 / 任务) at least 0; none below
a threshold (未达 70% 不得分). 反向 (lower is better): the ratio is 任务 / 实际, and 1 wherever
实际 is at or below 任务 (an 实际 of 0 included)."""
from decimal import Decimal
from fractions import Fraction

from ... import ast
from ...ast import ACTUAL, TARGET, say_expr, show_expr
from ...numbers import plain
from ...result import Line
from .. import num
from ..core import Reads
from . import Outcome


def ratio_of(rule: ast.Proportional):
    over, under = (TARGET, ACTUAL) if rule.reverse else (ACTUAL, TARGET)
    return rule.ratio or ast.Binary("/", ast.Ref(None, over, rule.pos), ast.Ref(None, under, rule.pos), rule.pos)


def evaluate(engine, at, rule: ast.Proportional, top: Fraction, reads, mask) -> Outcome:
    ratio_expr = ratio_of(rule)
    ratio = engine.number(at, ratio_expr, reads, mask)
    within = None
    if rule.reverse:
        actual, target = (engine.number(at, ast.Ref(None, f, rule.pos), Reads(), mask) for f in (ACTUAL, TARGET))
        within = num.compare(actual, target) <= 0
        ratio = num.where(within, engine.const(1), ratio)
        ratio.err = num.first_error(actual.err, target.err, ratio.err)
    ratio = num.larger(ratio, engine.const(0))
    counted = num.smaller(ratio, engine.const(1))
    earned = num.mul(engine.const(top), counted)
    below = None
    if rule.threshold:
        below = num.compare(ratio, engine.const(rule.threshold.value)) < 0
        earned = num.where(below, engine.const(0), earned)
        earned.err = ratio.err
    text = ("反向指标（越低越好）：实际不超过任务得满分，否则 满分 × 任务 / 实际" if rule.reverse else
            "按比例得分：满分 × min(比率, 1)") + (f"，未达 {rule.threshold} 不得分" if rule.threshold else "")

    ratio_shown, top_shown = show_expr(ratio_expr), plain(Decimal(top.numerator) / top.denominator)
    parts = _parts(ratio_expr)

    def lines(idx):
        out = []
        for inputs, rate, share, points, under, kept in zip(
                reads.rows(idx), num.texts(ratio, idx, percent=True), num.texts(counted, idx, percent=True),
                num.texts(earned, idx), below[idx].tolist() if below is not None else [False] * len(idx),
                within[idx].tolist() if within is not None else [False] * len(idx)):
            if kept:  # 反向, at or below the target
                out.append(Line("proportional", text, inputs, f"实际 ≤ 任务，得满分 {top_shown}", Decimal(0),
                                rule.pos.line, "，".join(f"{SPOKEN[f]} {v}" for f, v in inputs if f in SPOKEN)
                                + "，未超过任务，得满分"))
                continue
            shown = f"比率 {ratio_shown} = {rate}"
            arithmetic = f"{shown} < {rule.threshold} → 0" if under else f"{shown}；{top_shown} × {share} = {points}"
            read = dict(inputs)
            if parts and all(label in read for label, _ in parts):
                said = "，".join(f"{word} {read[label]}" for label, word in parts) + \
                    f"，{'完成率' if [w for _, w in parts] == ['完成', '任务'] else '比率'} {rate.replace('…', '')}"
            else:
                said = f"{say_expr(ratio_expr)}为 {rate.replace('…', '')}"
            said += f"，未达 {rule.threshold}，" if under else "，按比例"
            out.append(Line("proportional", text, inputs, arithmetic, Decimal(0), rule.pos.line, said))
        return out
    return Outcome(earned, lines)


SPOKEN = {ACTUAL: "完成", TARGET: "任务"}


def _parts(expr) -> list[tuple[str, str]] | None:
    """A ratio of two figures (实际 / 任务, 当年清欠 / 历史欠款): each one's label as read and the
    word the public reads it by; None for any other expression."""
    if isinstance(expr, ast.Binary) and expr.op == "/" and all(isinstance(x, ast.Ref) for x in (expr.left, expr.right)):
        return [(str(x), SPOKEN.get(x.field, say_expr(x)) if x.item is None else say_expr(x))
                for x in (expr.left, expr.right)]
    return None
