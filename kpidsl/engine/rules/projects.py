"""按项目就高: each project counts once, at its best class; a class pays so much a project, up
to its limit (同一项目按最高级别计分，不重复计分)."""
from decimal import Decimal

import numpy as np

from ... import ast
from ...data import normalise
from ...errors import diagnostic
from ...numbers import plain
from ...result import Line
from .. import num
from ..core import _decimal_arrays
from . import Outcome
from .levels import unknown_level


def _best(engine, rule: ast.Projects, rows: list[int]) -> dict[tuple[int, str], tuple[int, str, str]]:
    """(unit, project) -> (its class, the level it is counted at, its name as first written),
    records in the explanation's order (by project, then level): the first of equal classes is
    kept. A project is one however its name is spaced or its width written (丁堰镇 技能大师工作室
    is 丁堰镇技能大师工作室), as units and items are."""
    class_of = {label: c for c, cls in enumerate(rule.classes) for label in cls.labels}
    best: dict[tuple[int, str], tuple[int, str, str]] = {}
    records = engine.records
    for r in sorted(rows, key=lambda r: (records.project[r], records.level[r])):
        level = records.level[r]
        if level not in class_of:
            continue
        key, c = (int(records.unit[r]), normalise(records.project[r])), class_of[level]
        current = best.get(key)
        if current is None or rule.classes[c].each.value > rule.classes[current[0]].each.value:
            best[key] = (c, level, current[2] if current else records.project[r])
    return best


def unnamed(engine, at, rows: list[int], err: np.ndarray) -> np.ndarray:
    """An error on each unit with a record that names no project (it would count as one)."""
    records = engine.records
    for r in rows:
        i = int(records.unit[r])
        if not records.project[r].strip() and not err[i]:
            place = records.places[r]
            err[i] = engine.error(lambda _, place=place, i=i: diagnostic(
                "E314", engine.lang, place=place, what=f"{engine.data.units[i].name} / {at.node}：未写项目名称"
                if engine.lang == "zh" else f"{engine.data.units[i].name} / {at.node}: no project named"))
    return err


def evaluate(engine, at, rule: ast.Projects, top, reads, mask) -> Outcome:
    rows = engine.record_rows(at.node)
    err = unknown_level(engine, at, rows, {label: c for c in rule.classes for label in c.labels})
    err = unnamed(engine, at, rows, err)
    best = _best(engine, rule, rows)
    counts = np.zeros((engine.size, len(rule.classes)), np.int64)
    for (unit, _), (c, _, _) in best.items():
        counts[unit, c] += 1
    n, d = _decimal_arrays([c.each.value for c in rule.classes] + [c.up_to.value if c.up_to else Decimal(0)
                                                                   for c in rule.classes])
    scale = int(np.max(d))
    scaled = (n * (scale // d)).astype(np.int64)
    earned = np.zeros(engine.size, np.int64)
    for c, cls in enumerate(rule.classes):
        raw = counts[:, c] * scaled[c]
        earned += np.minimum(raw, scaled[len(rule.classes) + c]) if cls.up_to else raw
    result = num.reduced(earned, np.full(engine.size, scale, np.int64), err)
    text = "按项目计分，同一项目就高不重复：" + "；".join(
        f"{'、'.join(c.labels)} 每项 {c.each}" + (f" 最多 {c.up_to}" if c.up_to else "") for c in rule.classes)

    def lines(idx):
        by_unit = engine.records_by_unit(at.node)
        return [line(_best(engine, rule, by_unit.get(i, []))) for i in idx.tolist()]

    def line(best) -> Line:
        mine = {name: (k, level) for k, level, name in best.values()}
        inputs, parts, total = [], [], Decimal(0)
        for c, cls in enumerate(rule.classes):
            projects = [p for p, (k, _) in mine.items() if k == c]
            if not projects:
                continue
            raw = cls.each.value * len(projects)
            counted = min(raw, cls.up_to.value) if cls.up_to else raw
            inputs += [(p, mine[p][1]) for p in projects]
            limit = f"（最多 {cls.up_to}）" if cls.up_to and raw > counted else ""
            parts.append(f"{'、'.join(cls.labels)} {len(projects)} 项 × {cls.each}{limit} = {plain(counted)}")
            total += counted
        arithmetic = "；".join(parts) + f"；合计 {plain(total)}" if parts else "无项目记录，得 0 分"
        said = "、".join(f"{p}（{level}）" for p, level in inputs) if inputs else "无项目记录"
        return Line("projects", text, tuple(inputs), arithmetic, Decimal(0), rule.pos.line,
                    f"{said}，同一项目按最高级别计一次，")
    return Outcome(result, lines)
