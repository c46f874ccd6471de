"""Diff of two schemes: what changed item by item, and with data, what that did to each unit.

Items and sections are matched by name; one that is in a single scheme is matched, where it can
be, to one of the other scheme by its aliases, title or a close name, as a rename. A unit's total is the sum of its contributions: each
item's score × its weight, each section's own adjustments × weight, vetoes on the total, and
the rounding; so the change in a unit's total is exactly the sum of the changes in these.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from . import ast
from .ast import show_expr
from .data import normalise
from .index import SchemeIndex
from .engine.num import Col


@dataclass(frozen=True)
class SchemeChange:
    kind: str  # added, removed, moved, points, rule, changed, weight
    path: tuple[str, ...]
    what: str  # in words
    old: str
    new: str


def describe(value) -> str:
    """A part of the AST as a policy writer would read it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, ast.Quantity):
        return value.text
    if isinstance(value, ast.Band):
        return f"{value.text} 得 {value.points.text}"
    if isinstance(value, ast.AssessedBand):  # its ends said, as 10号 writes them
        return (f"{value.label} {value.low.text}（{'含' if value.low_inclusive else '不含'}）至 "
                f"{value.high.text}（{'含' if value.high_inclusive else '不含'}）")
    if isinstance(value, ast.Rounding):
        mode = {"half_up": "四舍五入", "down": "截尾", "half_even": "银行家舍入"}[value.mode]
        return f"{value.places}位 {mode}" + (" 扣分后" if value.once else "")
    if isinstance(value, (ast.Literal, ast.Ref, ast.Binary, ast.Compare, ast.Logical, ast.Not,
                          ast.BoolLiteral, ast.DateLiteral, ast.TextLiteral)):
        return show_expr(value)
    if isinstance(value, tuple):
        return "；".join(describe(v) for v in value) or "—"
    if dataclasses.is_dataclass(value):
        from .render.outline import RULE_NAMES

        parts = [describe(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "pos"]
        name = RULE_NAMES.get(type(value), {ast.Deduction: "扣分", ast.Veto: "一票否决"}.get(type(value), ""))
        return f"{name}（" + "，".join(p for p in parts if p not in ("—", "否")) + "）"
    return str(value)


_COMPARED = {"points": "分值", "rule": "计分规则", "deductions": "扣分", "vetoes": "一票否决", "cap": "封顶",
             "allow_negative": "可为负分", "bonus": "加分板块", "points_scaled": "分值折算",
             "may_not_apply": "可不适用"}


def _names(node) -> set[str]:
    return {normalise(n) for n in (node.name, node.title, *node.aliases) if n}


def renames(before: SchemeIndex, after: SchemeIndex) -> dict[str, str]:
    """New name -> old name, for nodes in one scheme only: paired where one's name, title or an
    alias is another's, else by the closest names (a ratio of 0.6 or more), sections with
    sections and items with items, each used once."""
    import difflib

    gone = {n: i for n, i in before.nodes.items() if n not in after.nodes}
    came = {n: i for n, i in after.nodes.items() if n not in before.nodes}
    scored = []
    for new, b in came.items():
        for old, a in gone.items():
            if type(a.node) is not type(b.node):
                continue
            same = bool(_names(a.node) & _names(b.node))
            ratio = max(difflib.SequenceMatcher(None, x, y).ratio() for x in _names(a.node) for y in _names(b.node))
            if same or ratio >= 0.6:
                scored.append((not same, -ratio, new, old))
    paired: dict[str, str] = {}
    for _, _, new, old in sorted(scored):
        if new not in paired and old not in paired.values():
            paired[new] = old
    return paired


def scheme_changes(old: ast.Scheme, new: ast.Scheme) -> list[SchemeChange]:
    before, after = SchemeIndex(old), SchemeIndex(new)
    renamed = renames(before, after)
    changes = []
    for name, info in before.nodes.items():
        if name not in after.nodes and name not in renamed.values():
            changes.append(SchemeChange("removed", info.path, "删除", describe(info.node.points), ""))
    for name, info in after.nodes.items():
        if name not in before.nodes and name not in renamed:
            changes.append(SchemeChange("added", info.path, "新增", "", describe(info.node.points)))
            continue
        was = before.nodes[renamed.get(name, name)]
        if name in renamed:
            changes.append(SchemeChange("renamed", info.path, "改名", renamed[name], name))
        if was.path[:-1] != info.path[:-1]:
            changes.append(SchemeChange("moved", info.path, "位置", "/".join(was.path), "/".join(info.path)))
        for field, word in _COMPARED.items():
            a, b = getattr(was.node, field, None), getattr(info.node, field, None)
            if field == "rule" and type(a) is not type(b):
                changes.append(SchemeChange("rule", info.path, "规则种类", describe(a), describe(b)))
            elif describe(a) != describe(b):
                changes.append(SchemeChange("points" if field == "points" else "changed", info.path, word,
                                            describe(a), describe(b)))
    weights = [(t.section, describe(t.weight)) for t in old.total], [(t.section, describe(t.weight)) for t in new.total]
    if weights[0] != weights[1]:
        changes.append(SchemeChange("weight", (), "总分权重", "；".join(f"{s} {w}" for s, w in weights[0]),
                                    "；".join(f"{s} {w}" for s, w in weights[1])))
    rules_of_the_total = [("总分满分", "total_points"), ("总分口径", "total_interpretation"), ("总分扣分", "deductions"),
                          ("总分否决", "vetoes"), ("舍入 指标", "item_rounding"), ("舍入 板块", "section_rounding"),
                          ("舍入 加权", "weighted_rounding"), ("舍入 总分", "total_rounding"), ("舍入 金额", "amount_rounding")]
    for what, field in rules_of_the_total:
        a, b = describe(getattr(old, field)), describe(getattr(new, field))
        if a != b:
            changes.append(SchemeChange("changed", (), what, a, b))
    grouped = [{g: ast.terms_text(t.terms) + (f" 满分 {t.points}" if t.points else "") for t in scheme.group_totals
                for g in t.groups} for scheme in (old, new)]
    for group in sorted(set(grouped[0]) | set(grouped[1])):  # 总分 适用 …
        if grouped[0].get(group) != grouped[1].get(group):
            changes.append(SchemeChange("weight", (), f"总分（适用 {group}）", grouped[0].get(group, ""),
                                        grouped[1].get(group, "")))
    return changes


TOTAL_ADJUSTMENTS = "总分调整"  # vetoes on the total: named by their own lines where they act


def contributions(evaluation) -> dict[str, Col]:
    """What each item, each section's own adjustments, the vetoes on the total and the rounding
    add to every unit's total, as columns; for each unit they add up to its total exactly."""
    from .engine import num

    e, scoring = evaluation.engine, evaluation.scoring
    parts: dict[str, Col] = {}

    def visit(trace, counted: np.ndarray) -> None:
        """(a unit not totalled on the section gets nothing from it: 总分 适用 …)"""
        weight = scoring.weight(trace.node.name)
        if not trace.children and isinstance(trace.node, ast.Item):
            parts[trace.node.name] = num.where(counted, num.mul(trace.score, weight), e.const(0))
            return
        own = trace.score
        for child in trace.children:
            visit(child, counted)
            own = num.sub(own, child.score)
        parts[f"{trace.node.name}（板块调整）"] = num.where(counted, num.mul(own, weight), e.const(0))

    weighted = e.const(0)
    for top in scoring.sections:
        counted = scoring.counted(top.node.name)
        visit(top, counted)
        weighted = num.add(weighted, num.where(counted, num.mul(top.score, scoring.weight(top.node.name)),
                                               e.const(0)))
    parts[TOTAL_ADJUSTMENTS] = num.sub(scoring.total_exact, weighted)
    parts["舍入"] = num.sub(scoring.total, scoring.total_exact)
    return parts


@dataclass(frozen=True)
class Standing:
    total: Decimal
    rank: int


@dataclass(frozen=True)
class UnitChange:
    unit: str
    old: Standing | None
    new: Standing | None
    by_part: dict[str, Decimal]  # only the parts that changed

    @property
    def difference(self) -> Decimal:
        return (self.new.total if self.new else 0) - (self.old.total if self.old else 0)


class _Columns:
    """One scheme's units and some of their numbers (each as integers at decimal places), by
    unit name."""

    def __init__(self, evaluation, columns: dict[str, Col]):
        from .engine.num import places_and_integers

        self.names = [u.name for u in evaluation.engine.data.units]
        self.position = {name: i for i, name in enumerate(self.names)}
        self.columns = {k: places_and_integers(v) for k, v in columns.items()}

    def aligned(self, key: str, at: np.ndarray, places: int) -> np.ndarray:
        """The column on the units at these positions (0 where a position is -1 or the column
        is absent), at these places."""
        values = np.zeros(len(at), object)
        if key in self.columns:
            integers, own = self.columns[key]
            found = at >= 0
            values[found] = integers[at[found]].astype(object) * 10 ** (places - own)
        return values

    def total(self, name: str) -> Decimal:
        """The sum of a unit's numbers (0 if it has none)."""
        i = self.position.get(name)
        return sum((_decimal(integers[i], places) for integers, places in self.columns.values()), Decimal(0)) \
            if i is not None else Decimal(0)


def _moved(old: _Columns, new: _Columns) -> tuple[list[str], dict[str, tuple[np.ndarray, int]]]:
    """The units of either, and each column's change on each of them (integers at places)."""
    names = sorted(set(old.names) | set(new.names))
    at = [np.array([c.position.get(n, -1) for n in names], np.int64) for c in (old, new)]
    moved = {}
    for key in sorted(set(old.columns) | set(new.columns)):
        places = max(c.columns[key][1] for c in (old, new) if key in c.columns)
        change = new.aligned(key, at[1], places) - old.aligned(key, at[0], places)
        if np.any(change != 0):
            moved[key] = (change, places)
    return names, moved


def _decimal(value: int, places: int) -> Decimal:
    return Decimal(int(value)).scaleb(-places)


def unit_changes(old, new) -> list[UnitChange]:
    """Each unit whose total, rank or any contribution differs between two evaluations (or that
    one of them lacks), with the contributions that moved; largest change first."""
    columns = [_Columns(x, contributions(x)) for x in (old, new)]
    names, moved = _moved(*columns)
    ranks = [np.array([x.scoring.rank[c.position[n]] if n in c.position else 0 for n in names])
             for x, c in zip((old, new), columns)]
    changed = (ranks[0] != ranks[1]) | (ranks[0] == 0) | (ranks[1] == 0)
    for change, _ in moved.values():
        changed |= change != 0
    changes = []
    for k in np.flatnonzero(changed).tolist():
        name = names[k]
        by_part = {key: _decimal(change[k], places) for key, (change, places) in moved.items() if change[k]}
        if TOTAL_ADJUSTMENTS in by_part:  # name the vetoes that acted
            del by_part[TOTAL_ADJUSTMENTS]
            for sign, x, c in ((-1, old, columns[0]), (1, new, columns[1])):
                if name in c.position:
                    for step in x.scoring.total_steps:
                        if (line := step(np.array([c.position[name]]))[0]) is not None:
                            by_part[line.text] = by_part.get(line.text, Decimal(0)) - sign * line.lost
            by_part = {key: v for key, v in sorted(by_part.items()) if v}
        standings = [Standing(x.scoring.total.decimal(c.position[name]), int(x.scoring.rank[c.position[name]]))
                     if name in c.position else None for x, c in zip((old, new), columns)]
        changes.append(UnitChange(name, *standings, by_part))
    return sorted(changes, key=lambda c: (-abs(c.difference), c.unit))


@dataclass(frozen=True)
class MoneyChange:
    unit: str
    old: Decimal
    new: Decimal
    by_award: dict[str, Decimal]  # only the awards whose amount changed

    @property
    def difference(self) -> Decimal:
        return self.new - self.old


def money_changes(old, new) -> list[MoneyChange]:
    """Each unit's money under both evaluations, by award (none where a scheme pays none)."""
    columns = [_Columns(x, {a: t[0] for a, t in x.money.traces.items()} if x.money else {}) for x in (old, new)]
    names, moved = _moved(*columns)
    if not moved:
        return []
    changed = np.zeros(len(names), bool)
    for change, _ in moved.values():
        changed |= change != 0
    changes = []
    for k in np.flatnonzero(changed).tolist():
        by_award = {key: _decimal(change[k], places) for key, (change, places) in moved.items() if change[k]}
        changes.append(MoneyChange(names[k], columns[0].total(names[k]), columns[1].total(names[k]), by_award))
    return sorted(changes, key=lambda c: (-abs(c.difference), c.unit))
