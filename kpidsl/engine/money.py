"""Money stage: the scheme's awards (奖励) over all units at once, every 元 explained.

Runs after scoring: expressions may read a node's score (X.得分), the total (总分) and the amount
of an award declared earlier (X.金额, X.评等). For each award: eligibility → the parts (rank
bands, per-head rates, lump sums, grades, factor shares; summed) → deductions (in 元, or a % of
the amount) → vetoes → rounding as `舍入 金额` declares. Money not paid (deducted, vetoed, or a
factor pool nobody has volume in) is kept back; the totals say how much.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from itertools import groupby
from typing import Callable

import numpy as np

from .. import ast
from ..ast import show_expr
from ..awards import AwardTotal, Awards, DepartmentPayment, MoneyLine, Payment, to_money
from ..numbers import is_exact_decimal, plain, round_to, show, show_percent, to_decimal
from . import num
from .core import Engine, Reads, Where
from .num import Col
from .rules import deduction, veto
from .rules.rank import pools

_STRADDLE = {"average": "平均", "higher": "就高", "lower": "就低"}
Step = Callable[[int], MoneyLine | None]


def _exact(x: Fraction) -> Decimal:
    return round_to(x, ast.Rounding(6, "half_up"))


def _decimal(x: Fraction) -> Decimal:
    """A sum of amounts, exactly (to 6 places where it has no finite expansion)."""
    return to_decimal(x) if is_exact_decimal(x) else _exact(x)


class Money:
    """Every award for every unit (or the awards named in `only`)."""

    def __init__(self, engine: Engine, only: set[str] | None = None):
        self.engine = e = engine
        self.awards = [a for a in e.scheme.awards if only is None or a.name in only]
        self.traces: dict[str, tuple[Col, list[Step], Col]] = {}  # award -> amount, steps, kept back
        self.shares: dict[str, list[tuple[Decimal, Col]]] = {}  # award -> each factor pool and its shares
        for award in self.awards:
            self._award(award)

    def check(self, units: np.ndarray | None = None) -> None:
        err = np.zeros(self.engine.size, np.int32)
        for amount, _, _ in self.traces.values():
            err = num.first_error(err, amount.err)
        if units is not None:
            err = np.where(np.isin(np.arange(len(err)), units), err, 0)
        self.engine.raise_errors(err)

    def awards_of(self, units: list[int], explained: bool = True) -> Awards:
        """The payments of the given units (without `explained`, no lines); the totals count
        those units only."""
        names = [self.engine.data.units[i].name for i in units]
        payments = {name: [] for name in names}
        for award in self.awards:
            amount, steps, _ = self.traces[award.name]
            for i, name in zip(units, names):
                lines = tuple(line for step in steps if (line := step(i)) is not None) if explained else ()
                payments[name].append(Payment(award.name, award.title, amount.decimal(i), lines, award.source,
                                              award.interpretation, award.pos.line))
        return Awards({n: tuple(p) for n, p in payments.items()}, self.totals(np.asarray(units, np.int64)),
                      self.departments())

    def totals(self, units: np.ndarray | None = None) -> tuple[AwardTotal, ...]:
        """Each award's money paid and kept back, over all units (or these), summed as columns."""
        totals = []
        for award in self.awards:
            amount, _, kept = self.traces[award.name]
            paid, held = (_decimal(num.total_of(x, units)) for x in (amount, kept))
            for pool, shares in self.shares.get(award.name, ()):  # what a pool did not share out stays
                rounded = num.round_to(shares, ast.Rounding(2, "half_up"))
                held += pool - to_money(num.total_of(rounded, units))
            totals.append(AwardTotal(award.name, paid, held, award.pos.line))
        return tuple(totals)

    def departments(self) -> tuple[DepartmentPayment, ...]:
        return tuple(DepartmentPayment(d.name, d.amount.value if d.amount else None, d.source, d.pos.line)
                     for d in self.engine.scheme.department_awards)

    # ---- one award ------------------------------------------------------------------
    def _award(self, award: ast.Award) -> None:
        e = self.engine
        at = Where(award.name, award.name)
        line_no = award.pos.line
        if award.eligible is not None:
            seen = Reads()
            eligible = e.truth(at, award.eligible, seen)
            ok, err = eligible.n.astype(bool) & (eligible.err == 0), eligible.err
        else:
            seen, ok, err = None, np.ones(e.size, bool), e.zeros()
        # An award read off a score (X.得分) is not the money of a unit X does not apply to: it
        # is out of the award (and of its rank pool), not ranked or judged on a 0 it never scored.
        dropped = sorted({n.item for n in ast.walk(award) if isinstance(n, ast.Ref)
                          and n.field == ast.SCORE and n.item in e.dropped_scores})
        out = np.logical_or.reduce([e.dropped_scores[name] for name in dropped]) if dropped else None
        steps: list[Step] = []  # the gates first (eligibility, 不适用): where one shuts, it alone is shown
        if award.eligible is not None:
            text, judged = f"仅限 {show_expr(award.eligible)}", ok
            steps.append(lambda i: None if out is not None and out[i] else MoneyLine(
                "eligible" if judged[i] else "ineligible", text, seen.at(i),
                "符合条件" if judged[i] else "不符合条件，不发放", Decimal(0), line_no))
        if out is not None:
            ok = ok & ~out

            def not_applicable(i: int) -> MoneyLine | None:
                names = [name for name in dropped if e.dropped_scores[name][i]]
                return MoneyLine("ineligible", "读取 " + "、".join(f"{name}.得分" for name in names), (),
                                 f"{'、'.join(names)} 对本单位不适用，不参加本奖励", Decimal(0), line_no) if names else None
            steps.append(not_applicable)
        gates = len(steps)
        amount = e.const(0)
        if award.rank:
            part, step = self._rank_bands(award, at, ok)
            amount = num.add(amount, part)
            steps.append(step)
        for p in award.parts:
            part, step = self._part(award, at, p, ok)
            amount = num.add(amount, part)
            steps.append(step)
        before = amount
        for rule in award.deductions:
            outcome = deduction.evaluate(e, at, rule, e.rounding)
            cut = outcome.earned
            share = None
            if rule.points.unit == "%":
                share = num.smaller(cut, e.const(1))
                cut = num.mul(before, share)
            cut = num.smaller(cut, amount)  # 扣完为止
            amount = num.sub(amount, cut)
            steps.append(self._deduction_line(outcome, before, share, cut))
        for rule in award.vetoes:
            was = amount
            amount, hit, reads = veto.evaluate(e, at, rule, was)
            text = f"一票否决：{show_expr(rule.condition)}"

            def veto_line(i: int, was=was, hit=hit, reads=reads, text=text, rule=rule) -> MoneyLine | None:
                if not hit[i]:
                    return None
                return MoneyLine("veto", text, reads.at(i), f"{show(was.fraction(i))} → 0", -_exact(was.fraction(i)),
                                 rule.pos.line)
            steps.append(veto_line)
        zero = e.const(0)
        amount = num.where(ok, amount, zero)
        amount.err = num.first_error(err, np.where(ok, amount.err, 0))
        rounding = e.scheme.amount_rounding
        paid = num.round_to(amount, rounding)
        kept = num.sub(num.round_to(num.where(ok, before, zero), rounding), paid)
        shown = steps[:gates] + [lambda i, s=s: s(i) if ok[i] else None for s in steps[gates:]] if gates else steps
        self.traces[award.name] = (paid, shown, kept)
        e.amounts[award.name] = paid

    def _deduction_line(self, outcome, base: Col, share: Col | None, cut: Col) -> Step:
        def line(i: int) -> MoneyLine:
            inner = outcome.line(i)
            arithmetic = inner.arithmetic
            if share is not None:
                arithmetic += (f"；{show(base.fraction(i))}元 × {show_percent(share.fraction(i))} = "
                               f"{show(num.mul(base, share).fraction(i))}元")
            return MoneyLine("deduct", inner.text, inner.inputs, arithmetic, -_exact(cut.fraction(i)), inner.line)
        return line

    def _rank_bands(self, award: ast.Award, at: Where, ok: np.ndarray) -> tuple[Col, Step]:
        """Rank bands among eligible units. A tie spanning a band edge is paid as the scheme
        declares: the average of the places it covers (default), the higher or the lower band."""
        e, rule = self.engine, award.rank
        reads = Reads()
        key = e.number(at, rule.key, reads, ok)
        groups = pools(e, rule.within_group)
        longest = max((len(p) for p in groups), default=0)
        paid_places = min(max((b.last for b in award.bands), default=0), longest)
        band = [self._band(award, p) for p in range(1, paid_places + 1)]
        scale = int(np.lcm.reduce([f.denominator for f in band] + [1]))
        cents = np.zeros(longest + 1, dtype=object)
        cents[1:paid_places + 1] = [int(f * scale) for f in band]
        cents = num.narrow(np.cumsum(cents))  # cents[p]: the amounts of places 1..p, in 1/scale 元
        first = np.zeros(e.size, np.int64)
        tied = np.ones(e.size, np.int64)
        for members in groups:
            ordered, before, count = num.runs(key, members[ok[members] & (key.err[members] == 0)], rule.descending)
            first[ordered], tied[ordered] = before + 1, count
        last = first + tied - 1
        if award.straddle == "average":
            n, d = cents[last] - cents[first - 1], scale * tied
        else:
            place = first if award.straddle == "higher" else last
            n, d = cents[place] - cents[place - 1], np.full(e.size, scale, np.int64)
        value = num.reduced(np.asarray(n), np.asarray(d), np.where(ok, key.err, 0).astype(np.int32))
        value = num.where(ok & (first > 0), value, e.const(0))
        value.err = np.where(ok, key.err, 0).astype(np.int32)
        shared = value
        value, extra = self._to_cents(value, ok & (first > 0) & (tied > 1), groups, first)
        cent = plain(to_decimal(self._cent))
        bands_text = "；".join(f"第{b.first}名" + (f"至第{b.last}名" if b.last != b.first else "") + f" {b.amount}"
                               for b in award.bands)
        text = f"按 {show_expr(rule.key)} {'降序' if rule.descending else '升序'}排名：{bands_text}"

        def line(i: int) -> MoneyLine:
            why = self._places_paid(award, int(first[i]), int(last[i]))[1]
            paid = value.fraction(i)
            if paid != shared.fraction(i):
                why += (f"，{tied[i]} 个单位共 {show(shared.fraction(i) * int(tied[i]))}元按分分配：取至分 "
                        f"{plain(to_money(paid - (self._cent if extra[i] else 0)))}"
                        + (f"，尾差按最大余数法 +{cent}" if extra[i] else "") + f" = {plain(to_money(paid))}元")
            return MoneyLine("rank_band", text, reads.at(i), why, _exact(paid), rule.pos.line)
        return value, line

    @property
    def _cent(self) -> Fraction:
        return Fraction(1, 10 ** self.engine.scheme.amount_rounding.places)

    def _to_cents(self, value: Col, tied: np.ndarray, groups, first: np.ndarray) -> tuple[Col, np.ndarray]:
        """Units tied in a pool share what their places pay exactly, to the 分: each gets the
        share rounded down, the cents left over going one each to the units in name order (as
        the factor method gives them out), so that 9 units tied for 60000元 get 60000元, not
        9 × 6666.67. Also: which units got a cent more. (As columns: 100,000 units may tie in
        thousands of runs.)"""
        extra = np.zeros(len(tied), bool)
        at = np.flatnonzero(tied)
        if not len(at):
            return value, extra
        pool = np.zeros(len(tied), np.int64)
        for p, members in enumerate(groups):
            pool[members] = p
        order = at[np.lexsort((self._name_order[at], first[at], pool[at]))]  # each run together, by name
        new_run = np.r_[True, (pool[order][1:] != pool[order][:-1]) | (first[order][1:] != first[order][:-1])]
        starts = np.flatnonzero(new_run)
        sizes = np.diff(np.r_[starts, len(order)])
        position = np.arange(len(order)) - np.repeat(starts, sizes)
        per_yuan = self._cent.denominator  # cents in a 元 (or the declared places')
        scaled, d = num.times(value.n[order], per_yuan), value.d[order]  # each share in cents, as n·C / d
        floor, rest = scaled // d, scaled % d
        more = position < num.times(rest, np.repeat(sizes, sizes)) // d  # the run's cents left over, one each
        wide = value.n.dtype == object or value.d.dtype == object or floor.dtype == object
        n, d = (value.n.astype(object), value.d.astype(object)) if wide else (value.n.copy(), value.d.copy())
        n[order], d[order], extra[order] = floor + more, per_yuan, more
        return num.reduced(num.narrow(n), num.narrow(d), value.err), extra

    @cached_property
    def _name_order(self) -> np.ndarray:
        """Each unit's place among the units in name order."""
        names = [u.name for u in self.engine.data.units]
        place = np.empty(len(names), np.int64)
        place[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
        return place

    @staticmethod
    def _band(award: ast.Award, place: int) -> Fraction:
        return next((Fraction(b.amount.value) for b in award.bands if b.first <= place <= b.last), Fraction(0))

    def _places_paid(self, award: ast.Award, first: int, last: int) -> tuple[Fraction, str]:
        """What each unit of a tie covering places first..last gets, and why."""
        places = [self._band(award, p) for p in range(first, last + 1)]
        tied = len(places)
        if tied == 1:
            return places[0], f"第 {first} 名 → {show(places[0])}元"
        value = {"average": sum(places) / tied, "higher": places[0], "lower": places[-1]}[award.straddle]
        listed = " + ".join(show(amount) + (f" × {n}" if n > 1 else "")
                            for amount, n in ((a, len(list(g))) for a, g in groupby(places)))
        return value, (f"与另 {tied - 1} 个单位并列第 {first} 名（占第 {first}–{last} 名），"
                       f"并列{_STRADDLE[award.straddle]}：" + (f"({listed}) / {tied}" if award.straddle == "average"
                                                           else "") + f" = {show(value)}元")

    def _part(self, award: ast.Award, at: Where, part, ok: np.ndarray) -> tuple[Col, Step]:
        e = self.engine
        reads = Reads()
        zero = e.const(0)
        match part:
            case ast.PerPerson():
                count = num.larger(e.number(at, part.count, reads, ok), zero)
                rate = e.const(part.rate.value)
                text = f"每人 {part.rate} 按 {show_expr(part.count)}" + (
                    f"，超出 {show_expr(part.beyond)} 的部分每人 {part.beyond_rate}" if part.beyond is not None else "")
                if part.beyond is None:
                    value = num.mul(count, rate)
                    why = lambda i: f"{show(count.fraction(i))} 人 × {part.rate} = {show(value.fraction(i))}元"
                else:
                    limit = num.larger(e.number(at, part.beyond, reads, ok), zero)
                    within, beyond = num.smaller(count, limit), num.larger(num.sub(count, limit), zero)
                    value = num.add(num.mul(within, rate), num.mul(beyond, e.const(part.beyond_rate.value)))
                    why = lambda i: (f"{show(within.fraction(i))} 人 × {part.rate} + 超出 {show(beyond.fraction(i))} "
                                     f"人 × {part.beyond_rate} = {show(value.fraction(i))}元")
                return value, lambda i: MoneyLine("per_person", text, reads.at(i), why(i),
                                                  _exact(value.fraction(i)), part.pos.line)
            case ast.LumpFixed() | ast.LumpIf():
                value, why = self._lump(at, part, reads, ok)
                return value, lambda i: MoneyLine("lump", "定额补助", reads.at(i), why(i), _exact(value.fraction(i)),
                                                  part.pos.line)
            case ast.Grades():
                return self._grades(award, at, part, reads, ok)
            case ast.Factor():
                return self._factor(award, at, part, ok)
        raise TypeError(part)

    def _lump(self, at: Where, lump, reads: Reads, mask) -> tuple[Col, Callable[[int], str]]:
        e = self.engine
        if isinstance(lump, ast.LumpFixed):
            amount = e.const(lump.amount.value)
            if lump.factor is None:
                return amount, lambda i: f"{lump.amount}"
            factor = num.larger(e.number(at, lump.factor, reads, mask), e.const(0))
            value = num.mul(amount, factor)
            return value, lambda i: f"{lump.amount} × {show_percent(factor.fraction(i))} = {show(value.fraction(i))}元"
        holds = e.truth(at, lump.condition, reads, mask)
        yes = holds.n.astype(bool)
        then, then_why = self._lump(at, lump.then, reads, yes & mask)
        otherwise, otherwise_why = self._lump(at, lump.otherwise, reads, ~yes & mask)
        value = num.where(yes, then, otherwise)
        value.err = num.first_error(holds.err, value.err)
        condition = show_expr(lump.condition)
        return value, lambda i: (f"{condition}（{'成立' if yes[i] else '不成立'}）→ "
                                 f"{then_why(i) if yes[i] else otherwise_why(i)}")

    def _grades(self, award: ast.Award, at: Where, part: ast.Grades, reads: Reads, ok) -> tuple[Col, Step]:
        e = self.engine
        graded = np.full(e.size, -1, np.int64)
        err = e.zeros()
        open_ = ok.copy()
        for g, grade in enumerate(part.grades):
            if grade.condition is None:
                hit = open_ & (err == 0)
            else:
                holds = e.truth(at, grade.condition, reads, open_ & (err == 0))
                err = np.where(open_ & (err == 0), holds.err, err)
                hit = open_ & holds.n.astype(bool) & (err == 0)
            graded[hit] = g
            open_ &= ~hit
        amounts = [Fraction(g.amount.value) for g in part.grades] + [Fraction(0)]
        value = num.reduced(num.narrow(np.array([a.numerator for a in amounts], dtype=object)[graded]),
                            num.narrow(np.array([a.denominator for a in amounts], dtype=object)[graded]), err)
        codes = np.array([e.text_code(g.label) for g in part.grades] + [0], np.int64)[graded]
        unset = e.fail("E311", award.name, f"{award.name}.评等：{award.name} 须是在本奖励之前计算的评等")
        e.grades[award.name] = Col(np.full(e.size, num.TEXT, np.int8), codes, np.ones(e.size, np.int64),
                                   np.where(graded >= 0, 0, unset).astype(np.int32))

        def line(i: int) -> MoneyLine:
            if graded[i] < 0:
                return MoneyLine("grade", "评等", reads.at(i), "不符合任何等次 → 0元", Decimal(0), part.pos.line)
            grade = part.grades[graded[i]]
            why = f"评为 {grade.label} 类" + (f"（{show_expr(grade.condition)}）" if grade.condition else "")
            return MoneyLine("grade", "评等", reads.at(i), f"{why} → {grade.amount}", _exact(value.fraction(i)),
                             part.pos.line)
        return value, line

    def _factor(self, award: ast.Award, at: Where, factor: ast.Factor, ok) -> tuple[Col, Step]:
        """pool × (unit's key / all eligible units' key), to the 分: the shares add up to the pool
        exactly, the cents left by rounding down going one each to the largest remainders (ties
        by unit name). If every key is 0 nothing is paid and the pool is kept back."""
        e = self.engine
        reads = Reads()
        given = e.number(at, factor.key, reads, ok)
        key = num.larger(given, e.const(0))
        members = np.flatnonzero(ok & (key.err == 0))
        keys = [key.fraction(i) for i in members.tolist()]
        total, pool = sum(keys, Fraction(0)), Fraction(factor.pool.value)
        cent = Fraction(1, 10 ** e.scheme.amount_rounding.places)
        values = [Fraction(0)] * e.size
        exact: dict[int, Fraction] = {}
        floors: dict[int, Fraction] = {}
        extra: set[int] = set()
        if total:
            names = [e.data.units[i].name for i in members.tolist()]
            for i, k in zip(members.tolist(), keys):
                exact[i] = pool * k / total
                floors[i] = (exact[i] // cent) * cent
            left = round((pool - sum(floors.values(), Fraction(0))) / cent)
            ranked = sorted(range(len(members)), key=lambda j: (-(exact[int(members[j])] - floors[int(members[j])]),
                                                                names[j]))
            extra = {int(members[j]) for j in ranked[:left]}
            for i in members.tolist():
                values[i] = floors[i] + (cent if i in extra else 0)
        n = num.narrow(np.array([v.numerator for v in values], dtype=object))
        d = num.narrow(np.array([v.denominator for v in values], dtype=object))
        value = num.number(n, d, np.where(ok, key.err, 0).astype(np.int32))
        self.shares.setdefault(award.name, []).append((factor.pool.value, value))
        text = f"因素分配：资金 {factor.pool} 按 {show_expr(factor.key)} 占全体之比分配"
        footing = (f"全体 {show_expr(factor.key)} 合计", show(total))

        def line(i: int) -> MoneyLine:
            if not total:
                arithmetic = "全体单位均为 0，资金留存"
            else:
                arithmetic = (f"{show(pool)} × {show(key.fraction(i))} / {show(total)} = {show(exact[i])}，"
                              f"取至分 {plain(to_money(floors[i]))}" +
                              (f"，尾差按最大余数法 +{plain(to_money(cent))}" if i in extra else "") +
                              f" = {plain(to_money(values[i]))}元")
            return MoneyLine("factor", text, reads.at(i) + (footing,), arithmetic, _exact(values[i]), factor.pos.line)
        return value, line
