"""Diff of two schemes: what changed item by item, and with data, what that did to each unit.

Items and sections are matched by name. A unit's total is the sum of its contributions: each
item's score × its weight, each section's own adjustments × weight, vetoes on the total, and
the rounding; so the change in a unit's total is exactly the sum of the changes in these.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from . import ast
from .ast import show_expr
from .index import SchemeIndex
from .result import Results, SectionResult, UnitResult


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
    if isinstance(value, ast.Quantity):
        return value.text
    if isinstance(value, (ast.Literal, ast.Ref, ast.Binary, ast.Compare, ast.Logical, ast.Not,
                          ast.BoolLiteral, ast.DateLiteral, ast.TextLiteral)):
        return show_expr(value)
    if isinstance(value, tuple):
        return "；".join(describe(v) for v in value) or "—"
    if dataclasses.is_dataclass(value):
        from .render.outline import RULE_NAMES

        parts = [describe(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "pos"]
        name = RULE_NAMES.get(type(value), {ast.Deduction: "扣分", ast.Veto: "一票否决"}.get(type(value), ""))
        return f"{name}（" + "，".join(p for p in parts if p not in ("—", "False")) + "）"
    return str(value)


_COMPARED = {"points": "分值", "rule": "计分规则", "deductions": "扣分", "vetoes": "一票否决", "cap": "封顶",
             "allow_negative": "可为负分", "bonus": "加分板块", "points_scaled": "分值折算"}


def scheme_changes(old: ast.Scheme, new: ast.Scheme) -> list[SchemeChange]:
    before, after = SchemeIndex(old), SchemeIndex(new)
    changes = []
    for name, info in before.nodes.items():
        if name not in after.nodes:
            changes.append(SchemeChange("removed", info.path, "删除", describe(info.node.points), ""))
    for name, info in after.nodes.items():
        if name not in before.nodes:
            changes.append(SchemeChange("added", info.path, "新增", "", describe(info.node.points)))
            continue
        was = before.nodes[name]
        if was.path != info.path:
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
    return changes


def contributions(unit: UnitResult) -> dict[str, Decimal]:
    """What each item, each section's own adjustments, the vetoes and the rounding add to the
    total; they add up to it exactly."""
    parts: dict[str, Decimal] = {}

    def visit(section: SectionResult) -> None:
        parts_max = Decimal(0)
        for child in section.children:
            if not child.bonus or section.bonus:
                parts_max += child.max
            if isinstance(child, SectionResult):
                visit(child)
            else:
                parts[child.path[-1]] = child.score * child.weight
        own = -sum((l.lost for l in section.lines), Decimal(0)) + (section.max - parts_max)
        if own:
            parts[f"{section.path[-1]}（板块调整）"] = own * section.weight

    for section in unit.sections:
        visit(section)
    for line in unit.total_lines:
        parts[line.text] = parts.get(line.text, Decimal(0)) - line.lost
    if unit.total != unit.total_exact:
        parts["舍入"] = unit.total - unit.total_exact
    return parts


@dataclass(frozen=True)
class UnitChange:
    unit: str
    old: UnitResult | None
    new: UnitResult | None
    by_part: dict[str, Decimal]  # only the parts that changed

    @property
    def difference(self) -> Decimal:
        return (self.new.total if self.new else 0) - (self.old.total if self.old else 0)


def unit_changes(old: Results, new: Results) -> list[UnitChange]:
    before, after = {u.unit: u for u in old.units}, {u.unit: u for u in new.units}
    changes = []
    for name in sorted(set(before) | set(after)):
        a = contributions(before[name]) if name in before else {}
        b = contributions(after[name]) if name in after else {}
        moved = {k: b.get(k, Decimal(0)) - a.get(k, Decimal(0)) for k in sorted(set(a) | set(b))}
        change = UnitChange(name, before.get(name), after.get(name), {k: v for k, v in moved.items() if v})
        if change.difference or change.by_part or (change.old and change.new and change.old.rank != change.new.rank) \
                or not (change.old and change.new):
            changes.append(change)
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
    """Each unit's money under both schemes (kpidsl.awards.Awards, or None), by award."""
    def amounts(awards, unit):
        return {p.award: p.amount for p in awards.payments.get(unit, ())} if awards else {}

    units = sorted(set(old.payments if old else ()) | set(new.payments if new else ()))
    changes = []
    for unit in units:
        a, b = amounts(old, unit), amounts(new, unit)
        moved = {k: b.get(k, Decimal(0)) - a.get(k, Decimal(0)) for k in sorted(set(a) | set(b))}
        moved = {k: v for k, v in moved.items() if v}
        if moved:
            changes.append(MoneyChange(unit, sum(a.values(), Decimal(0)), sum(b.values(), Decimal(0)), moved))
    return sorted(changes, key=lambda c: (-abs(c.difference), c.unit))
