"""Fast path: the whole scheme scored over all units at once, exactly, without explanations.

Every number is an exact rational per unit (numerator and denominator in int64 arrays), so
thresholds (exactly 70%), ties and half-up rounding (x.xx5) come out as the exact evaluator's.
A product that could leave int64 raises `Unsupported` rather than wrap. Ranks sort on a float
key, then every pair of neighbours the floats cannot tell apart is compared exactly.

Where a unit cannot be scored (a division by zero, a value of the wrong kind) the value is
marked `bad` for that unit; a bad value that reaches a score raises `Unsupported`, and the
exact evaluator, which explains the error, takes over. The semantics are the evaluator's
(kpidsl.evaluator and kpidsl.awards), rule by rule; tests/test_vector.py holds them equal.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from . import ast
from .ast import ACTUAL, TARGET
from .checker import FLAG as FLAG_FIELD, NUMBER as NUMBER_FIELD, required_fields
from .columns import DAY, EPOCH, FLAG, MISSING, NUMBER, Columns, RecordRows, Unsupported, decimal_parts
from .data import Dataset
from .evaluator import Evaluator
from .index import SchemeIndex

_LIMIT = 2.0 ** 62  # products beyond this could overflow int64
_EXACT_FLOAT = 2 ** 53


@dataclass
class Num:
    """n / d per unit, d > 0."""
    n: np.ndarray
    d: np.ndarray
    bad: np.ndarray


@dataclass
class Flag:
    v: np.ndarray
    bad: np.ndarray


@dataclass
class Day:
    v: np.ndarray  # days since 1970-01-01
    bad: np.ndarray


@dataclass
class Text:
    v: np.ndarray  # object
    bad: np.ndarray


# ---- exact rational arithmetic on arrays ---------------------------------------------
def _guard(magnitude: np.ndarray) -> None:
    """`magnitude`: a float estimate of the largest integer an operation will produce."""
    if np.any(magnitude >= _LIMIT):
        raise Unsupported("numbers too large for 64-bit arithmetic")


def _times(a: np.ndarray, b) -> np.ndarray:
    if float(np.abs(a).max(initial=0)) * float(np.abs(b).max(initial=0)) >= _LIMIT:  # then look closer
        _guard(np.abs(np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)))
    return a * b


def _reduced(n: np.ndarray, d: np.ndarray, bad) -> Num:
    if d.size and d.max() > 10 ** 6:
        g = np.gcd(n, d)
        g[g == 0] = 1
        n, d = n // g, d // g
    return Num(n, d, bad)


def _constant(value: Decimal | Fraction | int, size: int) -> Num:
    f = Fraction(value)
    if abs(f.numerator) >= _LIMIT or f.denominator >= _LIMIT:
        raise Unsupported("constant too large")
    return Num(np.full(size, f.numerator, np.int64), np.full(size, f.denominator, np.int64),
               np.zeros(size, bool))


def add(x: Num, y: Num) -> Num:
    if np.array_equal(x.d, y.d):
        if float(np.abs(x.n).max(initial=0)) + float(np.abs(y.n).max(initial=0)) >= _LIMIT:
            _guard(np.abs(x.n.astype(np.float64)) + np.abs(y.n.astype(np.float64)))
        return Num(x.n + y.n, x.d, x.bad | y.bad)
    return _reduced(_times(x.n, y.d) + _times(y.n, x.d), _times(x.d, y.d), x.bad | y.bad)


def neg(x: Num) -> Num:
    return Num(-x.n, x.d, x.bad)


def sub(x: Num, y: Num) -> Num:
    return add(x, neg(y))


def mul(x: Num, y: Num) -> Num:
    return _reduced(_times(x.n, y.n), _times(x.d, y.d), x.bad | y.bad)


def div(x: Num, y: Num) -> Num:
    zero = y.n == 0
    n, d = _times(x.n, y.d), _times(x.d, np.where(zero, 1, y.n))
    sign = np.where(d < 0, -1, 1)
    return _reduced(n * sign, d * sign, x.bad | y.bad | zero)


def compare(x: Num, y: Num) -> np.ndarray:
    """-1, 0 or 1 per unit."""
    if np.array_equal(x.d, y.d):
        return np.sign(x.n - y.n)
    return np.sign(_times(x.n, y.d) - _times(y.n, x.d))


def where(mask: np.ndarray, x: Num, y: Num) -> Num:
    return Num(np.where(mask, x.n, y.n), np.where(mask, x.d, y.d), np.where(mask, x.bad, y.bad))


def larger(x: Num, y: Num) -> Num:
    return where(compare(x, y) >= 0, x, y)


def smaller(x: Num, y: Num) -> Num:
    return where(compare(x, y) <= 0, x, y)


def floor(x: Num) -> Num:
    return Num(x.n // x.d, np.ones_like(x.d), x.bad)


def ceil(x: Num) -> Num:
    return Num(-((-x.n) // x.d), np.ones_like(x.d), x.bad)


def round_to(x: Num, rounding: ast.Rounding) -> Num:
    """As numbers.round_to: half up (away from zero), half even, or down (towards zero)."""
    scale = 10 ** rounding.places
    scaled = _times(np.abs(x.n), scale)
    quotient, remainder = np.divmod(scaled, x.d)
    twice = 2 * remainder
    if rounding.mode == "half_up":
        quotient += twice >= x.d
    elif rounding.mode == "half_even":
        quotient += (twice > x.d) | ((twice == x.d) & (quotient % 2 == 1))
    return Num(np.where(x.n < 0, -quotient, quotient), np.full_like(x.d, scale), x.bad)


def total_of(x: Num) -> Fraction:
    """The exact sum over all units."""
    return sum((Fraction(int(n), int(d)) for n, d in zip(x.n, x.d)), Fraction(0))


def places_and_integers(x: Num) -> tuple[np.ndarray, int]:
    """x as integers at the fewest decimal places that hold every value exactly."""
    for places in range(19):
        scale = 10 ** places
        if not np.any(scale % x.d):
            return _times(x.n, scale // x.d), places
    raise Unsupported("a score with no short decimal expansion")


# ---- ranking ---------------------------------------------------------------------------
def runs(key: Num, members: np.ndarray, descending: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The members in rank order, and for each (in that order) how many rank strictly before
    it and how many share its key (itself included)."""
    if len(members) == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    n, d = key.n[members], key.d[members]
    if np.all(np.abs(n) < _EXACT_FLOAT) and np.all(d < _EXACT_FLOAT):
        # correctly rounded division is monotone: only float-equal neighbours need a check
        f = n.astype(np.float64) / d.astype(np.float64)
        order = np.argsort(-f if descending else f, kind="stable")
        fs, ns, ds = f[order], n[order], d[order]
        same_float = fs[1:] == fs[:-1]
        same = same_float & (_times(ns[1:], ds[:-1]) == _times(ns[:-1], ds[1:]))
        exact = not np.any(same_float & ~same)
    else:
        exact = False
    if not exact:
        values = [Fraction(int(a), int(b)) for a, b in zip(n, d)]
        order = np.array(sorted(range(len(values)), key=lambda i: -values[i] if descending else values[i]),
                         dtype=np.int64)
        ordered = [values[i] for i in order]
        same = np.array([a == b for a, b in zip(ordered[1:], ordered[:-1])], dtype=bool)
    starts = np.concatenate(([True], ~same))
    start_index = np.flatnonzero(starts)
    run_of = np.cumsum(starts) - 1
    lengths = np.diff(np.append(start_index, len(members)))
    return members[order], start_index[run_of], lengths[run_of]


def ranks(before: np.ndarray, dense: bool) -> np.ndarray:
    """Ranks from `runs`: 1 + how many rank before (1-2-2-4), or, dense, 1 + how many distinct
    keys do (1-2-2-3)."""
    if dense and len(before):
        return np.cumsum(np.concatenate(([0], before[1:] != before[:-1]))) + 1
    return before + 1


# ---- the scorer ------------------------------------------------------------------------
@dataclass
class Scores:
    """Every unit's scores, in the units file's order."""
    nodes: dict[str, Num]  # item or section name -> final score
    total: Num
    rank: np.ndarray
    group_rank: np.ndarray
    amounts: dict[str, Num]  # award -> amount


class VectorScorer:
    def __init__(self, scheme: ast.Scheme, index: SchemeIndex, data: Dataset, columns: Columns,
                 records: RecordRows):
        self.scheme, self.index, self.data, self.columns, self.records = scheme, index, data, columns, records
        self.size = len(data.units)
        self.group_names = sorted({u.group for u in data.units})
        self.group = np.array([self.group_names.index(u.group) for u in data.units], dtype=np.int64) \
            if data.units else np.zeros(0, np.int64)
        self.rounding = scheme.item_rounding
        self._lets: dict[tuple, object] = {}
        self._constants: dict = {}
        self.nodes: dict[str, Num] = {}
        self.total: Num | None = None
        self.amounts: dict[str, Num] = {}
        self.grades: dict[str, Text] = {}
        # what explaining one unit among many needs to know of the others (kpidsl.among)
        self.rank_pools: dict[str, tuple[Num, np.ndarray, np.ndarray]] = {}  # item -> key, has key, ranked
        self.award_eligible: dict[str, np.ndarray] = {}
        self.award_keys: dict[tuple[str, ast.Expr], Num] = {}  # (award, expression) -> its value
        self.share_totals: dict[str, Fraction] = {}  # item -> all units' volume

    def run(self) -> Scores:
        self._require_fields()
        sections = []
        for section in self.scheme.sections:
            sections.append((section, self._section(section)))
        exact = _constant(0, self.size)
        for section, score in sections:
            exact = add(exact, mul(score, self._const(self.index.nodes[section.name].weight)))
        for veto in self.scheme.vetoes:
            holds = self._flag(None, veto.condition)
            limit = self._const(veto.total_at_most.value if veto.total_at_most else 0)
            hit = holds.v & (compare(exact, limit) > 0)
            exact = where(hit, limit, exact)
            exact.bad = exact.bad | holds.bad
        self.total = self._checked(round_to(exact, self.scheme.total_rounding), "总分")
        rank = self._ranks(np.arange(self.size))
        group_rank = np.zeros(self.size, np.int64)
        for g in range(len(self.group_names)):
            members = np.flatnonzero(self.group == g)
            group_rank[members] = self._ranks(members)[members]
        for award in self.scheme.awards:
            self.amounts[award.name] = self._checked(self._award(award), award.name)
        return Scores(self.nodes, self.total, rank, group_rank, self.amounts)

    def _require_fields(self) -> None:
        """As the exact path checks before scoring: every field a rule may read, in any branch,
        is there for every unit (or has a 缺省), and of the kind the rule reads."""
        wanted = {NUMBER_FIELD: (NUMBER, DAY), FLAG_FIELD: (FLAG,)}
        for (node, field), kind in required_fields(self.index).items():
            slot = self.columns.slots.get((node, field))
            cells = self.columns.kind[slot] if slot is not None else np.zeros(self.size, np.int8)
            if self.index.default(node, field) is None and np.any(cells == MISSING):
                raise Unsupported(f"{node}.{field} is missing for a unit")
            present = cells[cells != MISSING]
            if kind in wanted and np.any(~np.isin(present, wanted[kind])):
                raise Unsupported(f"{node}.{field} holds a value of the wrong kind")

    def _ranks(self, members: np.ndarray) -> np.ndarray:
        """1 + the number of members with a strictly greater total (1-2-2-4)."""
        ranks = np.zeros(self.size, np.int64)
        ordered, before, _ = runs(self.total, members, descending=True)
        ranks[ordered] = before + 1
        return ranks

    def _checked(self, x: Num, where_: str) -> Num:
        if np.any(x.bad):
            raise Unsupported(f"a unit cannot be scored at {where_}")
        return x

    def _const(self, value) -> Num:
        """A constant for every unit; its arrays are shared (no array is ever changed in place)."""
        if value not in self._constants:
            self._constants[value] = _constant(value, self.size)
        shared = self._constants[value]
        return Num(shared.n, shared.d, shared.bad)

    # ---- structure -----------------------------------------------------------------
    def _section(self, section: ast.Section) -> Num:
        parts_max = bonus_max = Decimal(0)
        value = self._const(0)
        for child in section.children:
            if isinstance(child, ast.Section):
                score, child_bonus = self._section(child), child.bonus
            else:
                score, child_bonus = self._item(child), self.index.nodes[child.name].bonus
            value = add(value, score)
            if not child_bonus or section.bonus:
                parts_max += child.points.value
            else:
                bonus_max += child.points.value
        maximum = section.points.value
        if parts_max != maximum and section.points_scaled and parts_max:
            value = round_to(mul(value, self._const(Fraction(maximum) / Fraction(parts_max))), self.rounding)
        score = self._checked(self._adjust(section, value, maximum + bonus_max), section.name)
        self.nodes[section.name] = score
        return score

    def _item(self, item: ast.Item) -> Num:
        maximum = item.points.value
        if item.rule is None:
            value = self._const(maximum)
        else:
            value = round_to(self._rule(item.name, item.rule, Fraction(maximum)), self.rounding)
        score = self._checked(self._adjust(item, value, maximum), item.name)
        self.nodes[item.name] = score
        return score

    def _adjust(self, node, value: Num, maximum: Decimal) -> Num:
        for deduction in node.deductions:
            value = sub(value, self._deduction(node.name, deduction))
        zero = self._const(0)
        if not node.allow_negative:
            value = larger(value, zero)
        ceiling = self._const(min(maximum, node.cap.value) if node.cap else maximum)
        value = smaller(value, ceiling)
        for veto in node.vetoes:
            holds = self._flag(node.name, veto.condition)
            live = value.n != 0  # the exact evaluator asks only where there is something to take
            value = where(live & holds.v, zero, value)
            value.bad = value.bad | (live & holds.bad)
        return value

    def _deduction(self, node: str, rule: ast.Deduction) -> Num:
        if rule.condition is not None:
            holds = self._flag(node, rule.condition)
            amount = where(holds.v, self._const(rule.points.value), self._const(0))
            amount.bad = amount.bad | holds.bad
            return amount
        count_expr = rule.count or ast.Binary("-", ast.Ref(None, TARGET, rule.pos),
                                              ast.Ref(None, ACTUAL, rule.pos), rule.pos)
        count = larger(self._num(node, count_expr), self._const(0))
        steps = div(count, self._const(rule.step.value))
        counted = {"prorate": lambda s: s, "ignore": floor, "whole": ceil}[rule.partial or "prorate"](steps)
        return round_to(mul(counted, self._const(rule.points.value)), self.rounding)

    # ---- rules ----------------------------------------------------------------------
    def _rule(self, node: str, rule: ast.Rule, top: Fraction) -> Num:
        match rule:
            case ast.Full():
                return self._const(top)
            case ast.Zero():
                return self._const(0)
            case ast.Fixed(points=points):
                return self._const(points.value)
            case ast.Meet():
                condition = rule.condition or ast.Compare(">=", ast.Ref(None, ACTUAL, rule.pos),
                                                          ast.Ref(None, TARGET, rule.pos), rule.pos)
                holds = self._flag(node, condition)
                earned = where(holds.v, self._const(top), self._const(0))
                earned.bad = earned.bad | holds.bad
                return earned
            case ast.Proportional():
                ratio_expr = rule.ratio or ast.Binary("/", ast.Ref(None, ACTUAL, rule.pos),
                                                      ast.Ref(None, TARGET, rule.pos), rule.pos)
                ratio = larger(self._num(node, ratio_expr), self._const(0))
                earned = mul(self._const(top), smaller(ratio, self._const(1)))
                if rule.threshold:
                    below = compare(ratio, self._const(rule.threshold.value)) < 0
                    earned = where(below, self._const(0), earned)
                return earned
            case ast.Conditional():
                holds = self._flag(node, rule.condition)
                earned = where(holds.v, self._rule(node, rule.then, top), self._rule(node, rule.otherwise, top))
                earned.bad = earned.bad | holds.bad
                return earned
            case ast.Rank():
                return self._rank(node, rule, top)
            case ast.Tiers():
                return self._tiers(node, rule)
            case ast.Levels() | ast.Projects():
                return self._from_records(node, rule)
            case ast.Assessed():
                return self._assessed(node, rule, top)
            case ast.Share():
                volume = larger(self._num(node, ast.Ref(None, rule.volume_field, rule.pos)), self._const(0))
                total = self.share_totals[node] = total_of(volume)
                if not total:
                    return self._const(0)
                return mul(volume, self._const(top / total))
        raise TypeError(rule)

    def _rank(self, node: str, rule: ast.Rank, top: Fraction) -> Num:
        key = self._num(node, rule.key)
        has_key = ~key.bad
        if rule.no_data_points is None and np.any(key.bad):
            raise Unsupported(f"a rank key cannot be computed at {node}")
        ok = has_key.copy()
        if rule.eligible is not None:
            eligible = self._flag(node, rule.eligible)
            if np.any(has_key & eligible.bad):
                raise Unsupported(f"rank eligibility cannot be computed at {node}")
            ok &= eligible.v
        self.rank_pools[node] = (key, has_key, ok)
        position = np.zeros(self.size, np.int64)
        pools = [np.arange(self.size)] if not rule.within_group else \
            [np.flatnonzero(self.group == g) for g in range(len(self.group_names))]
        for pool in pools:
            ordered, before, _ = runs(key, pool[ok[pool]], rule.descending)
            position[ordered] = ranks(before, rule.ties == "dense")
        steps = np.array([Evaluator._rank_step(rule, g) for g in self.group_names], dtype=object)
        step_n, step_d = _decimal_arrays(steps)
        step = Num(step_n[self.group], step_d[self.group], np.zeros(self.size, bool))
        zero = self._const(0)
        earned = larger(sub(self._const(top), mul(Num(position - 1, np.ones(self.size, np.int64),
                                                            np.zeros(self.size, bool)), step)), zero)
        other = self._const(rule.ineligible_points.value if rule.ineligible_points else 0)
        if rule.no_data_points is not None:
            other = where(has_key, other, self._const(rule.no_data_points.value))
        return where(ok, earned, other)

    def _tiers(self, node: str, rule: ast.Tiers) -> Num:
        value = self._num(node, rule.measure)
        # bands by their points, so that "the highest points among the hits" is a max of ranks
        by_points = sorted(range(len(rule.bands)), key=lambda b: rule.bands[b].points.value)
        standing = {b: r for r, b in enumerate(by_points)}
        best = np.full(self.size, -1, np.int64)
        for b, band in enumerate(rule.bands):
            inside = np.ones(self.size, bool)
            if band.low is not None:
                c = compare(value, self._const(band.low))
                inside &= (c > 0) | ((c == 0) & band.low_inclusive)
            if band.high is not None:
                c = compare(value, self._const(band.high))
                inside &= (c < 0) | ((c == 0) & band.high_inclusive)
            best = np.where(inside, np.maximum(best, standing[b]), best)
        otherwise = rule.otherwise.value if rule.otherwise else Decimal(0)
        points = np.array([rule.bands[b].points.value for b in by_points] + [otherwise], dtype=object)
        n, d = _decimal_arrays(points)
        return Num(n[best], d[best], value.bad)

    def _from_records(self, node: str, rule) -> Num:
        """等级 and 按项目就高 from the records: one array entry per record."""
        rows = [i for i, item in enumerate(self.records.item) if item == node]
        unit = self.records.unit[rows]
        project = [self.records.project[i] for i in rows]
        level = [self.records.level[i] for i in rows]
        labels = sorted(set(level))  # a level's code is its place in sorted order, as the evaluator sorts
        place = {label: i for i, label in enumerate(labels)}
        code = np.array([place[x] for x in level], np.int64)
        if isinstance(rule, ast.Levels):
            table = {e.label: e.points.value for e in rule.entries}
            if any(label not in table for label in labels):
                raise Unsupported("a record of an unknown level")
            points_n, scale = _scaled([table[label] for label in labels])
            earned = np.zeros(self.size, np.int64)
            if rule.combine == "max":
                best = np.full(self.size, np.iinfo(np.int64).min)
                np.maximum.at(best, unit, points_n[code])
                earned = np.where(best == np.iinfo(np.int64).min, 0, best)
            else:
                np.add.at(earned, unit, points_n[code])
            return Num(earned, np.full(self.size, scale, np.int64), np.zeros(self.size, bool))
        class_of = {label: c for c, cls in enumerate(rule.classes) for label in cls.labels}
        if any(label not in class_of for label in labels):
            raise Unsupported("a record of an unknown level")
        cls = np.array([class_of[label] for label in labels] + [0], np.int64)[code]
        each_n, scale = _scaled([c.each.value for c in rule.classes] +
                                [c.up_to.value for c in rule.classes if c.up_to])
        each = each_n[:len(rule.classes)]
        # each project counts once, at its best class; between classes of equal points, at the
        # first level in sorted order (the evaluator keeps the first of equals)
        pair = {}
        project_code = np.array([pair.setdefault((u, p), len(pair)) for u, p in zip(unit.tolist(), project)],
                                np.int64)
        order = np.lexsort((code, -each[cls], project_code))
        first = order[np.concatenate(([True], project_code[order][1:] != project_code[order][:-1]))] \
            if len(order) else order
        counts = np.bincount(unit[first] * len(rule.classes) + cls[first],
                             minlength=self.size * len(rule.classes)).reshape(self.size, len(rule.classes))
        earned = np.zeros(self.size, np.int64)
        limits = iter(each_n[len(rule.classes):])
        for c, project_class in enumerate(rule.classes):
            raw = counts[:, c] * each[c]
            earned += np.minimum(raw, next(limits)) if project_class.up_to else raw
        return Num(earned, np.full(self.size, scale, np.int64), np.zeros(self.size, bool))

    def _assessed(self, node: str, rule: ast.Assessed, top: Fraction) -> Num:
        if rule.bands:
            raise Unsupported("评定 with bands")
        slot = self.columns.slots.get((node, "评分"))
        score = self._num(node, ast.Ref(None, "评分", rule.pos))
        noted = self.columns.noted[slot] if slot is not None else np.zeros(self.size, bool)
        outside = (compare(score, self._const(0)) < 0) | (compare(score, self._const(top)) > 0)
        return Num(score.n, score.d, score.bad | ~noted | outside)

    # ---- money ----------------------------------------------------------------------
    def _award(self, award: ast.Award) -> Num:
        node = award.name
        if award.eligible is not None:
            eligible = self._flag(node, award.eligible)
            ok, bad = eligible.v, eligible.bad
        else:
            ok, bad = np.ones(self.size, bool), np.zeros(self.size, bool)
        self.award_eligible[node] = ok
        amount = self._const(0)
        if award.rank:
            amount = add(amount, self._rank_bands(award, ok))
        for part in award.parts:
            amount = add(amount, self._part(award, part, ok))
        before = amount
        for deduction in award.deductions:
            cut = self._deduction(node, deduction)
            if deduction.points.unit == "%":
                cut = mul(before, smaller(cut, self._const(1)))
            amount = sub(amount, smaller(cut, amount))
        zero = self._const(0)
        for veto in award.vetoes:
            holds = self._flag(node, veto.condition)
            live = amount.n != 0
            amount = where(live & holds.v, zero, amount)
            amount.bad = amount.bad | (live & holds.bad)
        amount = where(ok, amount, zero)
        amount.bad = bad | (ok & amount.bad)
        return round_to(amount, self.scheme.amount_rounding)

    def _rank_bands(self, award: ast.Award, ok: np.ndarray) -> Num:
        rule = award.rank
        key = self._num(award.name, rule.key)
        if np.any(ok & key.bad):
            raise Unsupported(f"an award's rank key cannot be computed at {award.name}")
        self.award_keys[(award.name, rule.key)] = key
        pools = [np.arange(self.size)] if not rule.within_group else \
            [np.flatnonzero(self.group == g) for g in range(len(self.group_names))]
        longest = max((len(p) for p in pools), default=0)
        paid = min(max((b.last for b in award.bands), default=0), longest)  # places beyond get 0
        band = [next((b.amount.value for b in award.bands if b.first <= p <= b.last), Decimal(0))
                for p in range(1, paid + 1)]
        band_n, band_d = _decimal_arrays(band + [Decimal(0)])
        scale = int(band_d.max())
        amounts = np.zeros(longest + 1, np.int64)
        amounts[1:paid + 1] = band_n[:paid] * (scale // band_d[:paid])
        cents = np.cumsum(amounts)  # cents[p]: the amounts of places 1..p, in 1/scale 元
        n, d = np.zeros(self.size, np.int64), np.ones(self.size, np.int64)
        for pool in pools:
            ordered, before, tied = runs(key, pool[ok[pool]], rule.descending)
            first, last = before + 1, before + tied
            if award.straddle == "average":
                n[ordered], d[ordered] = cents[last] - cents[first - 1], scale * tied
            else:
                place = first if award.straddle == "higher" else last
                n[ordered], d[ordered] = cents[place] - cents[place - 1], scale
        return _reduced(n, d, np.zeros(self.size, bool))

    def _part(self, award: ast.Award, part, ok: np.ndarray) -> Num:
        node = award.name
        zero = self._const(0)
        match part:
            case ast.PerPerson():
                count = larger(self._num(node, part.count), zero)
                rate = self._const(part.rate.value)
                if part.beyond is None:
                    return mul(count, rate)
                limit = larger(self._num(node, part.beyond), zero)
                within, beyond = smaller(count, limit), larger(sub(count, limit), zero)
                return add(mul(within, rate), mul(beyond, self._const(part.beyond_rate.value)))
            case ast.LumpFixed() | ast.LumpIf():
                return self._lump(node, part)
            case ast.Grades():
                label = np.full(self.size, None, dtype=object)
                value, bad = zero, np.zeros(self.size, bool)
                open_ = np.ones(self.size, bool)
                for grade in part.grades:
                    if grade.condition is None:
                        hit = open_.copy()
                    else:
                        holds = self._flag(node, grade.condition)
                        bad |= open_ & holds.bad
                        hit = open_ & holds.v
                    label[hit] = grade.label
                    value = where(hit, self._const(grade.amount.value), value)
                    open_ &= ~hit
                # a unit paid nothing by the award has no grade either
                self.grades[node] = Text(np.where(ok, label, None), open_ | ~ok)
                value.bad = bad
                return value
            case ast.Factor():
                return self._factor(node, part, ok)
        raise TypeError(part)

    def _lump(self, node: str, lump) -> Num:
        if isinstance(lump, ast.LumpFixed):
            amount = self._const(lump.amount.value)
            if lump.factor is None:
                return amount
            return mul(amount, larger(self._num(node, lump.factor), self._const(0)))
        holds = self._flag(node, lump.condition)
        value = where(holds.v, self._lump(node, lump.then), self._lump(node, lump.otherwise))
        value.bad = value.bad | holds.bad
        return value

    def _factor(self, node: str, factor: ast.Factor, ok: np.ndarray) -> Num:
        """As awards._factor_shares: to the 分, remainders by largest remainder, ties by name."""
        given = self._num(node, factor.key)
        self.award_keys[(node, factor.key)] = given
        key = larger(given, self._const(0))
        if np.any(ok & key.bad):
            raise Unsupported(f"a factor key cannot be computed at {node}")
        members = np.flatnonzero(ok)
        keys = [Fraction(int(key.n[i]), int(key.d[i])) for i in members]
        total, pool = sum(keys, Fraction(0)), Fraction(factor.pool.value)
        cent = Fraction(1, 10 ** self.scheme.amount_rounding.places)
        values = [Fraction(0)] * self.size
        if total:
            exact = [pool * k / total for k in keys]
            floors = [math.floor(v / cent) * cent for v in exact]
            left = round((pool - sum(floors, Fraction(0))) / cent)
            names = [self.data.units[i].name for i in members]
            extra = set(sorted(range(len(members)), key=lambda j: (-(exact[j] - floors[j]), names[j]))[:left])
            for j, i in enumerate(members):
                values[i] = floors[j] + (cent if j in extra else 0)
        n = np.array([v.numerator for v in values], dtype=np.int64)
        d = np.array([v.denominator for v in values], dtype=np.int64)
        return Num(n, d, np.zeros(self.size, bool))

    # ---- expressions ------------------------------------------------------------------
    def _num(self, node, expr) -> Num:
        value = self._value(node, expr)
        if isinstance(value, Num):
            return value
        return Num(np.zeros(self.size, np.int64), np.ones(self.size, np.int64), np.ones(self.size, bool))

    def _flag(self, node, expr) -> Flag:
        value = self._value(node, expr)
        if isinstance(value, Flag):
            return value
        return Flag(np.zeros(self.size, bool), np.ones(self.size, bool))

    def _value(self, node, expr):
        size = self.size
        match expr:
            case ast.Literal(quantity=q):
                return self._const(q.value)
            case ast.BoolLiteral(value=v):
                return Flag(np.full(size, v), np.zeros(size, bool))
            case ast.DateLiteral(value=v):
                return Day(np.full(size, (v - EPOCH).days, np.int64), np.zeros(size, bool))
            case ast.TextLiteral(value=v):
                return Text(np.full(size, v, dtype=object), np.zeros(size, bool))
            case ast.Ref():
                return self._ref(node, expr)
            case ast.Not(operand=o):
                x = self._flag(node, o)
                return Flag(~x.v, x.bad)
            case ast.Logical(op=op, operands=ops):
                # evaluated left to right, as the exact evaluator stops at the first decisive one
                first = self._flag(node, ops[0])
                v, bad = first.v.copy(), first.bad.copy()
                for o in ops[1:]:
                    x = self._flag(node, o)
                    undecided = (v if op == "and" else ~v) & ~bad
                    bad |= undecided & x.bad
                    v = (v & x.v) if op == "and" else (v | x.v)
                return Flag(v, bad)
            case ast.Compare(op=op, left=l, right=r):
                return self._compare(node, op, self._value(node, l), self._value(node, r))
            case ast.Binary(op=op, left=l, right=r):
                a, b = self._num(node, l), self._num(node, r)
                return {"+": add, "-": sub, "*": mul, "/": div}[op](a, b)
        raise TypeError(expr)

    def _compare(self, node, op: str, a, b) -> Flag:
        bad = a.bad | b.bad
        if op in ("=", "!="):
            if type(a) is not type(b):
                raise Unsupported("a comparison of values of different kinds")
            equal = compare(a, b) == 0 if isinstance(a, Num) else (a.v == b.v)
            return Flag(equal if op == "=" else ~equal, bad)
        if isinstance(a, Day) or isinstance(b, Day):
            if not (isinstance(a, Day) and isinstance(b, Day)):
                return Flag(np.zeros(self.size, bool), np.ones(self.size, bool))
            c = np.sign(a.v - b.v)
        elif isinstance(a, Num) and isinstance(b, Num):
            c = compare(a, b)
        else:
            return Flag(np.zeros(self.size, bool), np.ones(self.size, bool))
        return Flag({">=": c >= 0, "<=": c <= 0, ">": c > 0, "<": c < 0}[op], bad)

    def _ref(self, node, ref: ast.Ref):
        match self.index.resolve(node, ref):
            case ("rate", item):
                target = self._field(item, TARGET)
                actual = self._field(item, ACTUAL)
                if not (isinstance(target, Num) and isinstance(actual, Num)):
                    raise Unsupported(f"{item} 完成率 of values that are not numbers")
                return div(actual, target)
            case ("let", let, owner):
                key = (owner, let.name)
                if key not in self._lets:
                    self._lets[key] = self._value(owner, let.expr)
                return self._lets[key]
            case ("const", const):
                values = dict(const.values)
                known = np.array([g in values for g in self.group_names] + [False], dtype=bool)
                chosen = np.array([values[g].value if g in values else Decimal(0) for g in self.group_names]
                                  + [Decimal(0)], dtype=object)
                group = self.group
                n, d = _decimal_arrays(chosen)
                return Num(n[group], d[group], ~known[group])
            case ("field", item, field):
                return self._field(item, field)
            case ("total",) if self.total is not None:
                return self.total
            case ("score", item) if item in self.nodes and self.total is not None:
                return self.nodes[item]
            case ("amount", award) if award in self.amounts:
                return self.amounts[award]
            case ("grade", award) if award in self.grades:
                return self.grades[award]
        raise Unsupported(f"{ref} cannot be read here")

    def _field(self, item: str, field: str):
        """A field of every unit (read afresh each time: cheap, and caching every field would
        double the memory at 100,000 units)."""
        slot = self.columns.slots.get((item, field))
        size = self.size
        if slot is None:
            kind = np.zeros(size, np.int8)
            number = exponent = np.zeros(size, np.int64)
        else:
            kind, number, exponent = self.columns.column(slot)
        default = self.index.default(item, field)
        if default is not None and np.any(kind == MISSING):
            kind, number, exponent = kind.copy(), number.copy(), exponent.copy()
            missing = kind == MISSING
            if isinstance(default.value, bool):
                kind[missing], number[missing] = FLAG, int(default.value)
            else:
                n, e = decimal_parts(default.value)
                kind[missing], number[missing], exponent[missing] = NUMBER, n, e
        present = kind[kind != MISSING]
        if len(present) and present.min() != present.max():
            raise Unsupported(f"{item}.{field} holds values of several kinds")
        the_kind = int(present[0]) if len(present) else NUMBER
        bad = kind == MISSING
        if the_kind == NUMBER:
            return _reduced(number.copy(), 10 ** exponent, bad)
        if the_kind == FLAG:
            return Flag(number == 1, bad)
        if the_kind == DAY:
            return Day(number, bad)
        texts = np.full(size, None, dtype=object)
        for (s, unit), text in self.columns.texts.items():
            if s == slot:
                texts[unit] = text
        return Text(texts, bad)


def _scaled(values: list[Decimal]) -> tuple[np.ndarray, int]:
    """Decimals as integers in a common unit 1/scale."""
    n, d = _decimal_arrays(values + [Decimal(0)])
    scale = int(d.max())
    return n[:-1] * (scale // d[:-1]), scale


def _decimal_arrays(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decimals (an object array) as numerators and denominators."""
    parts = [decimal_parts(Decimal(v)) for v in values]
    n = np.array([p[0] for p in parts], dtype=np.int64)
    d = np.array([10 ** p[1] for p in parts], dtype=np.int64)
    return n, d
