"""Gap analysis: for each item a unit lost points on, the smallest change in the unit's own
figures that would regain them, checked by scoring the scheme again with the change applied.

For each figure the item reads (never a target: targets are set by the city), the search moves
it up or down from its value: first doubling the step to find how far it must go, then halving
it to find the least change that gives the best score reachable by that figure alone (for a
rank, the least change that lifts the unit a place). Rules are monotone in their figures, so
this finds the least change; the re-scoring of the whole scheme confirms it. Each candidate
re-evaluates the one item with the figure changed, not the scheme: over the unit alone where
the item reads no other unit's figures, else over every unit (its rank pools, its shares).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from . import ast
from .ast import TARGET
from .checker import FLAG, NUMBER, required_fields
from .engine import Evaluation
from .engine.core import Engine
from .engine.scoring import Scoring
from .index import SchemeIndex
from .numbers import show
from .result import ItemResult, NodeResult, UnitResult
from .units import declared

MAX_STEPS = 60  # doublings and halvings per figure and direction: bounded work


@dataclass(frozen=True)
class Option:
    """One way to regain points: change one figure."""
    path: tuple[str, ...]  # the item (or section) that lost points
    node: str  # whose figure it is
    field: str
    current: str
    needed: str
    change: Fraction | None  # in the figure's own terms (percentage points for a %); None for yes/no
    item_regained: Decimal  # points of the item (or section) itself
    regained: Decimal  # points of the total, confirmed by scoring the whole scheme again
    note: str

    @property
    def per_unit(self) -> Decimal | None:
        if not self.change:
            return None
        return (self.regained / Decimal(abs(self.change.numerator)) * Decimal(self.change.denominator))


@dataclass(frozen=True)
class Blocked:
    """An item no change in the unit's own figures can help, and why."""
    path: tuple[str, ...]
    lost: Decimal
    why: str


class GapFinder:
    def __init__(self, evaluation: Evaluation):
        self.engine = evaluation.engine
        self.scheme, self.data, self.index = self.engine.scheme, self.engine.data, self.engine.index
        measures_shared = any(_reads_others(let) for let in self.scheme.lets)
        self._shared = {name: measures_shared or _reads_others(info.node) for name, info in self.index.nodes.items()}
        self._alone: dict[int, Engine] = {}
        self.scoring = evaluation.scoring
        # An option's total re-scores only the items that read its figure (a rank or share
        # reads it of every unit, so its pool is scored again); sections and the total always.
        self._readers: dict[tuple[str, str], frozenset[str]] = {}
        for name, info in self.index.nodes.items():
            if isinstance(info.node, ast.Item):
                for key in required_fields(self.index, name, optional=True):
                    self._readers[key] = self._readers.get(key, frozenset()) | {name}

    def find(self, unit_result: UnitResult) -> tuple[list[Option], list[Blocked]]:
        unit = next(i for i, u in enumerate(self.data.units) if u.name == unit_result.unit)
        options, blocked = [], []
        for node in _lossy(unit_result):
            name = node.path[-1]
            if any(l.kind == "veto" and l.lost for l in node.lines):
                blocked.append(Blocked(node.path, node.lost, "一票否决已生效：本单位的数据无法挽回"))
                continue
            if isinstance(getattr(self.index.nodes[name].node, "rule", None), ast.Given):
                blocked.append(Blocked(node.path, node.lost, _why_not(node, self.index)))
                continue
            found = [o for o in (self._option(unit, unit_result, node, key, kind)
                                 for key, kind in required_fields(self.index, name).items()
                                 if key[1] != TARGET and kind in (NUMBER, FLAG)) if o]
            if found:
                options.extend(found)
            else:
                blocked.append(Blocked(node.path, node.lost, _why_not(node, self.index)))
        options.sort(key=lambda o: (-(o.per_unit if o.per_unit is not None else o.regained),
                                    -o.item_regained, o.path))
        return options, blocked

    def _score(self, unit: int, node_name: str, engine: Engine) -> Decimal:
        """The node's score for the unit, the node alone re-evaluated."""
        return Scoring(engine, only=node_name).node.decimal(0 if engine.size == 1 else unit)  # alone: see _with

    def _with(self, unit: int, key, value, node_name: str | None = None) -> Engine:
        """The figures with one of the unit's changed: of the unit alone, if the node is named
        and reads no other unit's figures."""
        if node_name is not None and not self._shared[node_name]:
            if unit not in self._alone:
                self._alone = {unit: self.engine.of_unit(unit)}
            return self._alone[unit].fork(*key, 0, value)
        return self.engine.fork(*key, unit, value)

    def _option(self, unit: int, unit_result, node: NodeResult, key, kind) -> Option | None:
        name = node.path[-1]
        cell = self.data.values.get((unit_result.unit, *key))
        if cell is None:
            return None
        now = node.score
        rank = any(l.kind == "rank" for l in node.lines)
        if kind == FLAG:
            if not isinstance(cell.value, bool):
                return None
            if self._score(unit, name, self._with(unit, key, not cell.value, name)) <= now:
                return None
            return self._confirmed(unit, unit_result, node, key, cell, self._with(unit, key, not cell.value),
                                   "是" if not cell.value else "否", None)
        if not isinstance(cell.value, Decimal):
            return None
        current = Fraction(cell.value)
        best = None
        for direction in (1, -1):
            found = self._search(unit, name, key, current, direction, now, rank)
            if found and (best is None or (found[1], -abs(found[0] - current)) > (best[1], -abs(best[0] - current))):
                best = found
        if best is None:
            return None
        value, _ = best
        percent = cell.raw.strip().endswith("%")
        measured = self.engine.measured.get(key, "")  # 计量 实际 万元: 859.57万元, as the figure is kept
        power = declared(measured)[1] if measured and not percent and declared(measured)[0] != "%" else 0
        scale = Fraction(10) ** power
        needed = f"{show(value * 100, 2)}%" if percent else show(value / scale) + (measured if power else "")
        return self._confirmed(unit, unit_result, node, key, cell, self._with(unit, key, value), needed,
                               (value - current) / scale, percent)

    def _search(self, unit, name, key, current: Fraction, direction: int, now: Decimal, rank: bool):
        """The least move in one direction reaching the best score that direction can give."""
        grain = Fraction(1) if current.denominator == 1 and abs(current) >= 1 else Fraction(1, 10000)
        lowest = Fraction(0)

        def score(value: Fraction) -> Decimal:
            return self._score(unit, name, self._with(unit, key, value, name))

        step, far, far_score = grain, None, now
        for _ in range(MAX_STEPS):  # double until the score stops rising
            value = current + direction * step
            if direction < 0 and value < lowest:
                value = lowest
            got = score(value)
            if got > far_score:
                far, far_score = value, got
                if rank:
                    break  # a place up is enough
            elif far is not None:
                break
            if value == lowest and direction < 0:
                break
            step *= 2
        if far is None:
            return None
        low, high = Fraction(0), abs(far - current)  # least move giving far_score, in grains
        while high - low > grain:
            middle = (low + high) / 2
            middle = Fraction(round(middle / grain)) * grain
            if middle in (low, high):
                break
            got = score(current + direction * middle)
            if (got > now) if rank else (got >= far_score):
                high = middle
            else:
                low = middle
        return current + direction * high, far_score

    def _confirmed(self, unit: int, unit_result, node, key, cell, engine: Engine, needed: str, change,
                   percent: bool = False):
        """Score the whole scheme again with the change: the points the total regains."""
        regained = Scoring(engine, reuse=self.scoring, changed=self._readers.get(key, frozenset())).total.decimal(unit) \
            - unit_result.total
        node_name, field = key
        label = field if node_name == node.path[-1] else f"{node_name}.{field}"
        note = f"{label} {cell.raw} → {needed}"
        if change is not None:
            sign = "+" if change > 0 else ""
            note += f"（{sign}{show(change * 100, 2)} 个百分点）" if percent else f"（{sign}{show(change)}）"
        item_regained = self._score(unit, node.path[-1], engine) - node.score
        effort = change * 100 if percent and change is not None else change
        return Option(node.path, node_name, field, cell.raw, needed, effort, item_regained, regained, note)


def _reads_others(node) -> bool:
    """Whether scoring this part of a scheme reads other units' figures or any score: a rank,
    a share, a score or the total (conservatively, wherever it appears)."""
    return any(isinstance(n, (ast.Rank, ast.Share)) or
               (isinstance(n, ast.Ref) and n.field in (ast.SCORE, ast.TOTAL, ast.AMOUNT, ast.GRADE))
               for n in ast.walk(node))


def _why_not(node: NodeResult, index: SchemeIndex) -> str:
    rule = getattr(index.nodes[node.path[-1]].node, "rule", None)
    if isinstance(rule, ast.Assessed):
        return "评定分由考核组给定，不取决于本单位的数据"
    if isinstance(rule, ast.Given):
        return f"得分由 {rule.field} 直接给定，不取决于本单位可改的数据"
    if isinstance(rule, (ast.Projects, ast.Levels)):
        return "按项目或等级计分：新增项目或提升级别（记录文件）方可挽回"
    if any(l.kind == "rank" for l in node.lines):
        return "名次由其他单位的数据决定，本单位的数据无法再提高"
    return "本单位可改的数据都已无法再挽回"


def _lossy(unit: UnitResult):
    """Items that lost points, and sections whose own deductions or vetoes cost points."""
    def visit(node):
        if isinstance(node, ItemResult):
            if node.lost > 0 and not node.dropped:
                yield node
            return
        for child in node.children:
            yield from visit(child)
        if any(l.lost > 0 and l.kind in ("deduct", "veto") for l in node.lines):
            yield node

    for section in unit.sections:
        yield from visit(section)
