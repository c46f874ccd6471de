"""达标: full points if the condition holds (default 实际 >= 任务), else none."""
from decimal import Decimal
from fractions import Fraction


from ... import ast
from ...ast import ACTUAL, TARGET, say_expr, show_expr
from ...result import Line
from .. import num
from . import Outcome
from .proportional import SPOKEN


def condition_of(rule: ast.Meet):
    return rule.condition or ast.Compare(">=", ast.Ref(None, ACTUAL, rule.pos), ast.Ref(None, TARGET, rule.pos),
                                         rule.pos)


def evaluate(engine, at, rule: ast.Meet, top: Fraction, reads, mask) -> Outcome:
    condition = condition_of(rule)
    holds = engine.truth(at, condition, reads, mask)
    earned = num.where(holds.n.astype(bool), engine.const(top), engine.const(0))
    earned.err = holds.err
    text = f"达标得满分，否则不得分（{show_expr(condition)}）"
    said = {True: f"已达到要求（{say_expr(condition)}），", False: f"未达到要求（{say_expr(condition)}），"}
    if rule.condition is None:  # 实际 >= 任务
        return Outcome(earned, lambda idx: [
            Line("meet", text, inputs, "达标" if met else "未达标", Decimal(0), rule.pos.line,
                 "，".join(f"{SPOKEN.get(label, label)} {value}" for label, value in inputs)
                 + ("，已完成任务，" if met else "，未完成任务，"))
            for inputs, met in zip(reads.rows(idx), holds.n[idx].tolist())])
    return Outcome(earned, lambda idx: [
        Line("meet", text, inputs, "达标" if met else "未达标", Decimal(0), rule.pos.line, said[bool(met)])
        for inputs, met in zip(reads.rows(idx), holds.n[idx].tolist())])
