"""因素分析法 (按 X 分享): the item's points shared by volume, each unit's at least 0; an item
nobody did gives no one points."""
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ... import ast
from ...numbers import show
from ...result import Line
from .. import num
from . import Outcome


def evaluate(engine, at, rule: ast.Share, top: Fraction, reads, mask) -> Outcome:
    field = rule.volume_field
    volume = num.larger(engine.number(at, ast.Ref(None, field, rule.pos), reads, mask), engine.const(0))
    # a unit the item does not apply to (不适用) shares in nothing
    dropped = engine.not_applicable(at.scored)
    total = num.total_of(volume, None if dropped is None else np.flatnonzero(~dropped))
    earned = engine.const(0) if not total else num.mul(volume, engine.const(top / total))
    earned.err = volume.err
    text = f"按{field}分享：满分 × 本单位{field} / 全体单位{field}"

    def lines(idx):
        if not total:
            return [Line("share", text, inputs, f"全体单位{field}为 0，本项无人得分", Decimal(0), rule.pos.line,
                         f"全体单位{field}为 0，本项无人得分，") for inputs in reads.rows(idx)]
        footing = ((f"全体{field}", show(total)),)
        return [Line("share", text, inputs + footing, f"{show(top)} × {mine} / {show(total)} = {points}",
                     Decimal(0), rule.pos.line, f"本单位{field} {mine}，全体合计 {show(total)}，按所占比例")
                for inputs, mine, points in zip(reads.rows(idx), num.texts(volume, idx), num.texts(earned, idx))]
    return Outcome(earned, lines)
