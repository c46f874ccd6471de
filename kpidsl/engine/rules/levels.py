"""等级: points by the level of each of the unit's records (the highest, or their sum)."""
from decimal import Decimal

import numpy as np

from ... import ast
from ...numbers import plain
from ...result import Line
from .. import num
from ..core import _decimal_arrays
from . import Outcome


def unknown_level(engine, at, rows, known) -> np.ndarray:
    """An error on each unit with a record of a level the scheme does not list (its first, in
    the order the explanation lists records)."""
    records = engine.records
    err = engine.zeros()
    for r in sorted(rows, key=lambda r: (records.project[r], records.level[r])):
        if records.level[r] not in known and not err[records.unit[r]]:
            i, place, level = int(records.unit[r]), records.places[r], records.level[r]
            err[i] = engine.error(lambda _, place=place, level=level, i=i: engine.record_error(
                place, i, at.node, level, known))
    return err


def evaluate(engine, at, rule: ast.Levels, top, reads, mask) -> Outcome:
    table = {e.label: e.points.value for e in rule.entries}
    rows = engine.record_rows(at.node)
    err = unknown_level(engine, at, rows, table)
    n, d = _decimal_arrays([table.get(engine.records.level[r], Decimal(0)) for r in rows] + [Decimal(0)])
    scale = int(np.max(d)) if len(d) else 1
    points = n[:-1] * (scale // d[:-1]) if len(rows) else np.zeros(0, np.int64)
    units = engine.records.unit[rows] if len(rows) else np.zeros(0, np.int64)
    earned = np.zeros(engine.size, np.int64)
    if rule.combine == "max":
        best = np.full(engine.size, np.iinfo(np.int64).min)
        np.maximum.at(best, units, points.astype(np.int64))
        earned = np.where(best == np.iinfo(np.int64).min, 0, best)
    else:
        np.add.at(earned, units, points.astype(np.int64))
    result = num.reduced(earned, np.full(engine.size, scale, np.int64), err)
    word = "取最高" if rule.combine == "max" else "求和"
    text = "按等级计分（" + "、".join(f"{e.label}{e.points}" for e in rule.entries) + f"），{word}"

    def lines(idx):
        records, mine = engine.records, engine.records_by_unit(at.node)
        out = []
        for i, points in zip(idx.tolist(), num.texts(result, idx, None)):
            inputs = tuple((records.project[r] or records.level[r], f"{records.level[r]} {plain(table[records.level[r]])}分")
                           for r in mine.get(i, ()))
            said = "、".join(f"{name}（{level}）" for name, level in inputs) if inputs else "无项目记录"
            out.append(Line("levels", text, inputs or (("记录", "无"),), f"{word} = {points}", Decimal(0),
                            rule.pos.line, f"{said}，按等级{word}，"))
        return out
    return Outcome(result, lines)
