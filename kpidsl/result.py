"""Result tree: what evaluation produces and every renderer reads. Points are Decimals.

Each item carries the lines that explain its loss; their points add up exactly to the item's
loss. A unit's ledger restates every loss in final-score points (times the weights above it),
so that full − Σ losses + bonus + rounding = total, to the last digit.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Union

from .numbers import plain


# Lines and node results are made by the million for a report of many units: slotted and not
# frozen (a frozen dataclass costs six times as much to make); nothing changes them once made.
@dataclass(slots=True)
class Line:
    """One step of reasoning: a rule, the inputs it read, its arithmetic, the points it cost."""
    kind: str  # proportional, meet, rank, tiers, deduct, veto, floor, cap, …
    text: str  # the rule in words
    inputs: tuple[tuple[str, str], ...]  # (label, value as shown)
    arithmetic: str
    lost: Decimal  # points lost by this step; negative where a floor gives points back
    line: int  # line of the scheme
    said: str = ""  # the same in plain Chinese for the public (公示): no notation, no scheme lines
    source: str | None = None  # the 原文 of a step that is not an item's: a veto on the total


@dataclass(slots=True)
class NodeResult:
    path: tuple[str, ...]
    title: str | None
    max: Decimal
    score: Decimal
    weight: Decimal  # product of the weights above it: its points count × weight in the total
    bonus: bool
    lines: tuple[Line, ...]  # for a section: its own steps (deductions, vetoes, floors, caps)
    source: str | None
    interpretation: str | None
    line: int

    @property
    def lost(self) -> Decimal:
        return self.max - self.score

    @property
    def dropped(self) -> bool:
        """It does not apply to the unit (不适用): no loss, its section rescaled."""
        return any(line.kind == "not_applicable" for line in self.lines)


@dataclass(slots=True)
class ItemResult(NodeResult):
    kind: str | None = None  # 类别, as the scheme gives it


@dataclass(slots=True)
class SectionResult(NodeResult):
    children: tuple[Union[SectionResult, ItemResult], ...]

    def items(self):
        for child in self.children:
            if isinstance(child, SectionResult):
                yield from child.items()
            else:
                yield child

    def sections(self):
        yield self
        for child in self.children:
            if isinstance(child, SectionResult):
                yield from child.sections()

    def nodes(self):
        """The section and everything in it, each before its parts."""
        yield self
        for child in self.children:
            if isinstance(child, SectionResult):
                yield from child.nodes()
            else:
                yield child


@dataclass(slots=True)
class LedgerEntry:
    label: str  # path joined, or what the entry is
    points: Decimal  # signed change to the total: losses negative, bonus positive
    detail: str  # e.g. "2.36 × 60%"
    line: int
    said: str = ""  # a step on the total in plain words, for the public (公示), where the label is notation


@dataclass(frozen=True)
class UnitResult:
    unit: str
    group: str
    sections: tuple[SectionResult, ...]
    full: Decimal  # the most the weighted sections can give
    bonus: Decimal
    total_exact: Decimal  # before the total's rounding
    total: Decimal
    total_lines: tuple[Line, ...]  # vetoes and caps on the whole score
    requirements: tuple[tuple[str, int], ...]  # (text, scheme line) that apply to this unit
    rank: int = 0
    group_rank: int = 0

    def items(self):
        for section in self.sections:
            yield from section.items()

    def nodes(self):
        """Every section and item, each before its parts."""
        for section in self.sections:
            yield from section.nodes()

    def bonus_sections(self):
        """Bonus sections at any depth (a nested one is added before its section's weighting)."""
        def visit(section):
            if section.bonus:
                yield section
                return
            for child in section.children:
                if isinstance(child, SectionResult):
                    yield from visit(child)

        for section in self.sections:
            yield from visit(section)

    def ledger(self) -> list[LedgerEntry]:
        """Every change from full points to the total, in final-score points."""
        entries = []

        def visit(section: SectionResult) -> None:
            if section.bonus:
                entries.append(LedgerEntry(section.path[-1], section.score * section.weight,
                                           _times(section.score, section.weight), section.line))
                return
            for child in section.children:
                if isinstance(child, SectionResult):
                    visit(child)
                elif child.lost:
                    entries.append(_weighted(_short(child.path), child.lost, child.weight, child.line))
            for line in section.lines:
                if line.lost:
                    entries.append(_weighted(f"{_short(section.path)}（{line.text}）", line.lost,
                                             section.weight, line.line))

        for section in self.sections:
            visit(section)
        for line in self.total_lines:
            if line.lost:
                entries.append(LedgerEntry(line.text, -line.lost, line.arithmetic, line.line, line.said))
        if self.total != self.total_exact:
            entries.append(LedgerEntry("舍入调整", self.total - self.total_exact,
                                       f"{plain(self.total_exact)} → {self.total}", 0))
        return entries


def _short(path: tuple[str, ...]) -> str:
    """Top section and the node itself: enough to find it in the tree above the ledger."""
    return path[0] if len(path) == 1 else f"{path[0]} › {path[-1]}"


def _weighted(label: str, lost: Decimal, weight: Decimal, line: int) -> LedgerEntry:
    return LedgerEntry(label, -(lost * weight), _times(abs(lost), weight), line)  # the sign is the points'



def _times(points: Decimal, weight: Decimal) -> str:
    return plain(points) if weight == 1 else f"{plain(points)} × {plain(weight * 100)}%"


@dataclass(frozen=True)
class TotalRule:
    """How the total is made, as the scheme states it: shown beside every unit's ledger."""
    text: str  # 总分 = 甲 × 60% + 乙 × 40% + 丙
    source: str | None
    interpretation: str | None
    line: int
    groups: tuple[str, ...] = ()  # 总分 适用 …: the groups it totals (none: every other group)


@dataclass(frozen=True)
class Head:
    """A section or item of the scheme, as a column of a ranking or a row of an explanation's
    table (a unit may lack a section: 总分 适用 …); a top section's weight where every group
    gives it the same."""
    name: str
    depth: int  # 0: a top section
    section: bool
    points: Decimal
    source: str | None
    bonus: bool
    weight: Decimal | None


@dataclass(frozen=True)
class Results:
    scheme: str  # its title
    path: str
    units: tuple[UnitResult, ...]  # in ranking order
    total_rules: tuple[TotalRule, ...] = ()
    tree: tuple[Head, ...] = ()  # every section and item, each before its parts, in the scheme's order
    most: Decimal | None = None  # the most any unit can score (full points and bonus), for a chart

    @property
    def heads(self) -> list[Head]:
        """The top sections: the columns of a ranking."""
        return [h for h in self.tree if h.depth == 0]

    def rule_for(self, group: str) -> TotalRule | None:
        """The 总分 line a unit of this group is totalled by."""
        return next((r for r in self.total_rules if group in r.groups), None) or \
            next((r for r in self.total_rules if not r.groups), None)
