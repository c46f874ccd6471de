"""Money stage: the scheme's awards (奖励) paid on the scores, every 元 explained.

Runs after scoring: expressions may read a node's score (X.得分), the unit's total (总分) and
the amount of an award declared earlier (X.金额). For each award and unit: eligibility → the
parts (rank bands, per-head rates, lump sums, grades, factor shares; summed) → deductions (in 元,
or a % of the amount) → vetoes → rounding as `舍入 金额` declares. Money not paid (deducted,
vetoed, or a factor pool's share of rows nobody has volume in) is kept back unless the scheme
shares it out; the totals say how much.
"""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import groupby

from . import ast
from .ast import show_expr
from .data import Dataset, Unit
from .errors import DataError, Diagnostic
from .evaluator import Evaluator, Inputs, Scope
from .index import SchemeIndex
from .numbers import plain, round_to, show, show_percent, sort_key
from .result import Results

_STRADDLE = {"average": "平均", "higher": "就高", "lower": "就低"}


@dataclass(frozen=True)
class MoneyLine:
    """One step of an award: the rule, the inputs, the arithmetic, the 元 it adds (or takes)."""
    kind: str
    text: str
    inputs: tuple[tuple[str, str], ...]
    arithmetic: str
    amount: Decimal  # signed: what this step adds to the unit's award
    line: int


@dataclass(frozen=True)
class Payment:
    award: str
    title: str | None
    amount: Decimal
    lines: tuple[MoneyLine, ...]
    source: str | None
    interpretation: str | None
    line: int


@dataclass(frozen=True)
class AwardTotal:
    award: str
    paid: Decimal
    kept_back: Decimal  # deducted, vetoed or not shared out
    line: int


@dataclass(frozen=True)
class DepartmentPayment:
    name: str
    amount: Decimal | None  # None: the policy states no sum
    source: str | None
    line: int


@dataclass(frozen=True)
class Awards:
    payments: dict[str, tuple[Payment, ...]]  # unit -> its payments, in the scheme's order
    totals: tuple[AwardTotal, ...]
    departments: tuple[DepartmentPayment, ...]

    def unit_total(self, unit: str) -> Decimal:
        return sum((p.amount for p in self.payments.get(unit, ())), Decimal(0))

    @property
    def city_total(self) -> Decimal:
        """Everything paid: to units, and to departments where a sum is stated."""
        return sum((t.paid for t in self.totals), Decimal(0)) + \
            sum((d.amount for d in self.departments if d.amount is not None), Decimal(0))


class _MoneyEvaluator(Evaluator):
    """The scoring evaluator's expressions, able to read scores and earlier awards."""

    def __init__(self, scheme, data, index, results: Results):
        super().__init__(scheme, data, index)
        units = results.units if results is not None else ()  # None: awards that read no score
        self.unit_results = {u.unit: u for u in units}
        self.nodes = {u.unit: {n.path[-1]: n for n in u.nodes()} for u in units}
        self.amounts: dict[tuple[str, str], Decimal] = {}
        self.grades: dict[tuple[str, str], str] = {}

    def _ref(self, scope: Scope, ref: ast.Ref, inputs: Inputs):
        resolved = self.index.resolve(scope.node, ref)
        if resolved[0] in ("total", "score") and scope.unit.name not in self.unit_results:
            raise self._eval_error(scope, f"{ref}：此处未计分（示例只算不读得分的奖励）")
        match resolved:
            case ("total",):
                value = self.unit_results[scope.unit.name].total
            case ("score", node):
                value = self.nodes[scope.unit.name][node].score
            case ("amount", award):
                if (scope.unit.name, award) not in self.amounts:
                    raise self._eval_error(scope, f"{ref} 须在本奖励之前计算（奖励按方案中的先后计算）")
                value = self.amounts[(scope.unit.name, award)]
            case ("grade", award):
                if (scope.unit.name, award) not in self.grades:
                    raise self._eval_error(scope, f"{ref}：{award} 须是在本奖励之前计算的评等")
                inputs.add(str(ref), self.grades[(scope.unit.name, award)])
                return self.grades[(scope.unit.name, award)]
            case _:
                return super()._ref(scope, ref, inputs)
        inputs.add(str(ref), plain(value))
        return Fraction(value)

    def eligibility(self, award: ast.Award, unit: Unit) -> tuple[bool, tuple]:
        """Whether the unit may get the award, and what that was decided on."""
        if award.eligible is None:
            return True, ()
        inputs = Inputs()
        return self._truth(Scope(unit, award.name, inputs), award.eligible, inputs), inputs.as_tuple()

    def key(self, award: ast.Award, expr: ast.Expr, unit: Unit) -> tuple[Fraction, tuple]:
        """A unit's value of the expression an award ranks or shares by, and its inputs."""
        scope = Scope(unit, award.name, Inputs())
        return self._number(scope, expr, scope.inputs), scope.inputs.as_tuple()

    def standings(self, award: ast.Award, eligible: dict, paying: list[Unit]) -> dict[str, tuple]:
        """For each eligible unit paying: its key, inputs, how many eligible units of its pool
        rank before it and how many share its key (itself included)."""
        rule = award.rank
        keys = {u.name: self.key(award, rule.key, u) for u in self.data.units if eligible[u.name][0]}
        # each pool's keys sorted best first (negated when descending): places by bisection
        pools: dict[str, list[Fraction]] = {}
        for unit in self.data.units:
            if unit.name in keys:
                key = keys[unit.name][0]
                pools.setdefault(unit.group if rule.within_group else "", []).append(-key if rule.descending else key)
        for pool in pools.values():
            pool.sort(key=sort_key)
        found = {}
        for unit in paying:
            if unit.name in keys:
                key, inputs = keys[unit.name]
                pool, ordered = pools[unit.group if rule.within_group else ""], -key if rule.descending else key
                better = bisect_left(pool, ordered)
                found[unit.name] = (key, inputs, better, bisect_right(pool, ordered) - better)
        return found


def pay(scheme: ast.Scheme, data: Dataset, index: SchemeIndex, results: Results | None,
        only: set[str] | None = None) -> Awards:
    """Every award (or those named in `only`) for every unit. Without results, only awards that
    read no score can be paid."""
    return pay_units(_MoneyEvaluator(scheme, data, index, results), data.units, only)


def pay_units(money: _MoneyEvaluator, units: list[Unit], only: set[str] | None = None) -> Awards:
    """The awards of the given units (the others are ranked and shared with, not paid); the
    totals count the given units only."""
    scheme = money.scheme
    payments: dict[str, list[Payment]] = {u.name: [] for u in units}
    totals, problems = [], []
    for award in scheme.awards:
        if only is not None and award.name not in only:
            continue
        try:
            paid, kept = _pay_award(money, award, payments, units)
        except DataError as e:
            problems.extend(d for d in e.diagnostics if d not in problems)
            continue
        totals.append(AwardTotal(award.name, paid, kept, award.pos.line))
    if problems:
        raise DataError(problems)
    departments = tuple(DepartmentPayment(d.name, d.amount.value if d.amount else None, d.source, d.pos.line)
                        for d in scheme.department_awards)
    return Awards({u: tuple(p) for u, p in payments.items()}, tuple(totals), departments)


def _pay_award(money: _MoneyEvaluator, award: ast.Award, payments, paying: list[Unit]) -> tuple[Decimal, Decimal]:
    units = money.data.units
    rounding = money.scheme.amount_rounding
    pooled = award.rank or any(isinstance(p, ast.Factor) for p in award.parts)  # others matter
    eligible = {u.name: money.eligibility(award, u) for u in (units if pooled else paying)}
    ranks = _rank(money, award, eligible, paying) if award.rank else {}
    shares = {id(p): _factor_shares(money, award, p, units, eligible, paying) for p in award.parts
              if isinstance(p, ast.Factor)}
    paid = kept = Decimal(0)
    problems: list[Diagnostic] = []
    for unit in paying:
        try:
            amount, before, lines = _unit_amount(money, award, unit, eligible[unit.name], ranks, shares)
        except DataError as e:
            problems.extend(e.diagnostics)
            continue
        amount = round_to(amount, rounding)
        money.amounts[(unit.name, award.name)] = amount
        payments[unit.name].append(Payment(award.name, award.title, amount, tuple(lines), award.source,
                                           award.interpretation, award.pos.line))
        paid += amount
        kept += round_to(before, rounding) - amount
    if problems:
        raise DataError(problems)
    for part in award.parts:  # what a factor pool did not share out stays in the fund
        if isinstance(part, ast.Factor):
            kept += part.pool.value - sum((to_money(s[0]) for s in shares[id(part)].values()), Decimal(0))
    return paid, kept


def _unit_amount(money, award: ast.Award, unit: Unit, eligible, ranks, shares):
    ok, seen = eligible
    line_no = award.pos.line
    if not ok:
        return Fraction(0), Fraction(0), [MoneyLine("ineligible", f"仅限 {show_expr(award.eligible)}", seen,
                                                    "不符合条件，不发放", Decimal(0), line_no)]
    lines = [MoneyLine("eligible", f"仅限 {show_expr(award.eligible)}", seen, "符合条件", Decimal(0), line_no)] \
        if award.eligible is not None else []
    amount = Fraction(0)
    if award.rank:
        value, line = ranks[unit.name]
        amount += value
        lines.append(line)
    for part in award.parts:
        value, line = _part(money, award, part, unit, shares)
        amount += value
        lines.append(line)
    before = amount
    for deduction in award.deductions:
        cut, line = _deduction(money, award, deduction, unit, before)
        cut = min(cut, amount)  # 扣完为止
        amount -= cut
        lines.append(MoneyLine("deduct", line.text, line.inputs, line.arithmetic, -_exact(cut), line.line))
    for veto in award.vetoes:
        inputs = Inputs()
        if amount and money._truth(Scope(unit, award.name, inputs), veto.condition, inputs):
            lines.append(MoneyLine("veto", f"一票否决：{show_expr(veto.condition)}", inputs.as_tuple(),
                                   f"{show(amount)} → 0", -_exact(amount), veto.pos.line))
            amount = Fraction(0)
    return amount, before, lines


def _exact(x: Fraction) -> Decimal:
    return round_to(x, ast.Rounding(6, "half_up"))


def _part(money, award, part, unit: Unit, shares):
    scope = Scope(unit, award.name, Inputs())
    match part:
        case ast.PerPerson():
            count = max(money._number(scope, part.count, scope.inputs), Fraction(0))
            rate = Fraction(part.rate.value)
            if part.beyond is None:
                value = count * rate
                arithmetic = f"{show(count)} 人 × {part.rate} = {show(value)}元"
            else:
                limit = max(money._number(scope, part.beyond, scope.inputs), Fraction(0))
                within, beyond = min(count, limit), max(count - limit, Fraction(0))
                value = within * rate + beyond * Fraction(part.beyond_rate.value)
                arithmetic = (f"{show(within)} 人 × {part.rate} + 超出 {show(beyond)} 人 × {part.beyond_rate}"
                              f" = {show(value)}元")
            text = f"每人 {part.rate} 按 {show_expr(part.count)}" + (
                f"，超出 {show_expr(part.beyond)} 的部分每人 {part.beyond_rate}" if part.beyond is not None else "")
            return value, MoneyLine("per_person", text, scope.inputs.as_tuple(), arithmetic, _exact(value), part.pos.line)
        case ast.LumpFixed() | ast.LumpIf():
            value, why = _lump(money, part, scope)
            return value, MoneyLine("lump", "定额补助", scope.inputs.as_tuple(), why, _exact(value), part.pos.line)
        case ast.Grades():
            for grade in part.grades:
                if grade.condition is None or money._truth(scope, grade.condition, scope.inputs):
                    money.grades[(unit.name, award.name)] = grade.label
                    value = Fraction(grade.amount.value)
                    why = f"评为 {grade.label} 类" + (f"（{show_expr(grade.condition)}）" if grade.condition else "")
                    return value, MoneyLine("grade", "评等", scope.inputs.as_tuple(), f"{why} → {grade.amount}",
                                            _exact(value), part.pos.line)
            return Fraction(0), MoneyLine("grade", "评等", scope.inputs.as_tuple(), "不符合任何等次 → 0元",
                                          Decimal(0), part.pos.line)
        case ast.Factor():
            value, arithmetic, inputs = shares[id(part)][unit.name]
            return value, MoneyLine("factor", f"因素分配：资金 {part.pool} 按 {show_expr(part.key)} 占全体之比分配",
                                    inputs, arithmetic, _exact(value), part.pos.line)
    raise TypeError(part)


def _lump(money, lump, scope) -> tuple[Fraction, str]:
    if isinstance(lump, ast.LumpFixed):
        if lump.factor is None:
            return Fraction(lump.amount.value), f"{lump.amount}"
        factor = max(money._number(scope, lump.factor, scope.inputs), Fraction(0))
        value = Fraction(lump.amount.value) * factor
        return value, f"{lump.amount} × {show_percent(factor)} = {show(value)}元"
    holds = money._truth(scope, lump.condition, scope.inputs)
    value, why = _lump(money, lump.then if holds else lump.otherwise, scope)
    return value, f"{show_expr(lump.condition)}（{'成立' if holds else '不成立'}）→ {why}"


def _deduction(money, award, deduction: ast.Deduction, unit: Unit, base: Fraction):
    """In 元 as for points; in % (每 1次 有理投诉 扣 5%), a share of the award's amount."""
    scope = Scope(unit, award.name, Inputs())
    amount, line = money._deduction(scope, deduction)
    if deduction.points.unit != "%":
        return Fraction(amount), line
    share = min(Fraction(amount), Fraction(1))
    cut = base * share
    return cut, MoneyLine("deduct", line.text, line.inputs,
                          f"{line.arithmetic}；{show(base)}元 × {show_percent(share)} = {show(cut)}元",
                          -_exact(cut), line.line)


def _rank(money, award: ast.Award, eligible, paying) -> dict[str, tuple[Fraction, MoneyLine]]:
    """Rank bands among eligible units, for the units paying. A tie spanning a band edge is paid
    as the scheme declares: the average of the places it covers (default), the higher or the
    lower band."""
    rule = award.rank
    result = {}

    def band(place: int) -> Fraction:
        return next((Fraction(b.amount.value) for b in award.bands if b.first <= place <= b.last), Fraction(0))

    bands_text = "；".join(f"第{b.first}名" + (f"至第{b.last}名" if b.last != b.first else "") + f" {b.amount}"
                           for b in award.bands)
    text = f"按 {show_expr(rule.key)} {'降序' if rule.descending else '升序'}排名：{bands_text}"
    ties: dict[tuple[int, int], tuple[Fraction, str]] = {}
    for name, (key, inputs, better, tied) in money.standings(award, eligible, paying).items():
        place = (better + 1, better + tied)
        if place not in ties:  # the same for every unit of a tie: worked out once
            ties[place] = _places_paid(award, *place, band)
        value, why = ties[place]
        result[name] = (value, MoneyLine("rank_band", text, inputs, why, _exact(value), rule.pos.line))
    return result


def _places_paid(award: ast.Award, first: int, last: int, band) -> tuple[Fraction, str]:
    """What each unit of a tie covering places first..last gets, and why."""
    places = [band(p) for p in range(first, last + 1)]
    tied = len(places)
    if tied == 1:
        return places[0], f"第 {first} 名 → {show(places[0])}元"
    value = {"average": sum(places) / tied, "higher": places[0], "lower": places[-1]}[award.straddle]
    listed = " + ".join(show(amount) + (f" × {n}" if n > 1 else "")
                        for amount, n in ((a, len(list(g))) for a, g in groupby(places)))
    return value, (f"与另 {tied - 1} 个单位并列第 {first} 名（占第 {first}–{last} 名），"
                   f"并列{_STRADDLE[award.straddle]}：" + (f"({listed}) / {tied}" if award.straddle == "average" else "")
                   + f" = {show(value)}元")


def _factor_shares(money, award: ast.Award, factor: ast.Factor, units, eligible, paying):
    """pool × (unit's key / all eligible units' key), to the 分: the shares add up to the pool
    exactly, the cents left by rounding down going one each to the largest remainders (ties by
    unit name). If every key is 0 nothing is paid and the pool is kept back. For the units
    paying."""
    keys = {}
    for unit in units:
        if eligible[unit.name][0]:
            key, inputs = money.key(award, factor.key, unit)
            keys[unit.name] = (max(key, Fraction(0)), inputs)
    total = sum((k for k, _ in keys.values()), Fraction(0))
    pool = Fraction(factor.pool.value)
    cent = Fraction(1, 10 ** money.scheme.amount_rounding.places)
    exact = {n: pool * k / total if total else Fraction(0) for n, (k, _) in keys.items()}
    floors = {n: math.floor(v / cent) * cent for n, v in exact.items()}
    left = round((pool - sum(floors.values(), Fraction(0))) / cent) if total else 0
    extra = set(sorted(exact, key=lambda n: (-(exact[n] - floors[n]), n))[:left])
    shares = {}
    for unit in paying:
        if unit.name not in keys:
            shares[unit.name] = (Fraction(0), "不符合条件", ())
            continue
        key, inputs = keys[unit.name]
        value = floors[unit.name] + (cent if unit.name in extra else 0)
        arithmetic = (f"{show(pool)} × {show(key)} / {show(total)} = {show(exact[unit.name])}，"
                      f"取至分 {plain(to_money(floors[unit.name]))}" +
                      (f"，尾差按最大余数法 +{plain(to_money(cent))}" if unit.name in extra else "") +
                      f" = {plain(to_money(value))}元") if total else "全体单位均为 0，资金留存"
        shares[unit.name] = (value, arithmetic, inputs + ((f"全体 {show_expr(factor.key)} 合计", show(total)),))
    return shares


def to_money(x: Fraction) -> Decimal:
    return round_to(x, ast.Rounding(2, "half_up"))
