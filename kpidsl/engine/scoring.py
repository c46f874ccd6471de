"""Evaluation stage: the scheme's structure over all units at once — items (a rule, then
deductions, the floor, the cap, vetoes), sections (their parts summed, scaled where declared),
the weighted total, its vetoes and ranks — keeping for every step what it read and produced.

`Scoring.unit(i)` writes one unit's explanation (result.UnitResult) from that record, on demand:
the arithmetic shown is the arithmetic done.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from decimal import Decimal
from fractions import Fraction
from typing import Callable, Sequence

import numpy as np

from .. import ast
from ..ast import say_expr, show_expr
from ..numbers import plain, show
from ..result import Head, ItemResult, Line, Results, SectionResult, TotalRule, UnitResult
from . import num, rules
from .core import Engine, Reads, Where
from .num import Col
from .rules import deduction, veto

Step = Callable[[np.ndarray], list[Line | None]]  # a step's line for each unit at idx, None where it did nothing


@dataclass
class Trace:
    """One item or section over all units: its final score and the steps that explain it."""
    node: ast.Item | ast.Section
    score: Col
    steps: list[Step]
    err: np.ndarray  # the first error of the node's own (beyond its parts')
    children: list[Trace] = field(default_factory=list)
    na: np.ndarray | None = None  # the units for which it does not apply (不适用), if any


def _place(members: np.ndarray, keys, out: np.ndarray, first: int) -> None:
    """Ranks from `first` on for `members` by the first key; members equal on it, by the next."""
    (key, descending), rest = keys[0], keys[1:]
    ordered, before, same = num.runs(key, members, descending=descending)
    out[ordered] = before + first
    if rest:
        for start in np.flatnonzero((same > 1) & (np.r_[True, before[1:] != before[:-1]])).tolist():
            _place(ordered[start:start + int(same[start])], rest, out, int(before[start]) + first)


class Scoring:
    """Every unit scored: node scores, the total, ranks; and each unit's explanation on demand."""

    def __init__(self, engine: Engine, only: str | None = None, reuse: Scoring | None = None,
                 changed: frozenset[str] = frozenset()):
        """`only`: score that item or section alone (its score in `self.node`), not the total.
        `reuse`: a scoring of the same figures but for what the items in `changed` read; the
        other items are taken from it as they are (a what-if's total, re-scoring only what the
        changed figure reaches: the totals and scores are right, not the explanations)."""
        self.engine = e = engine
        self.scheme, self.index = e.scheme, e.index
        self._reused = {} if reuse is None else {
            t.node.name: t for s in reuse.sections for t in walk(s)
            if isinstance(t.node, ast.Item) and t.node.name not in changed}
        if only is not None:
            node = self.index.nodes[only].node
            self.node = (self._item(node) if isinstance(node, ast.Item) else self._section(node)).score
            return
        self.sections = [self._section(s) for s in self.scheme.sections]
        for top in self.sections:
            if top.na is not None and not top.node.bonus:  # the total is not rescaled: a part cannot drop out
                code = e.fail("E311", top.node.name, "各项均不适用，本板块无法计分（总分不按比例折算）" if e.lang == "zh"
                              else "none of its parts applies: the section cannot be scored (the total is not rescaled)")
                top.err = np.where(top.na, code, top.err)
                top.score.err = np.where(top.na, code, top.score.err)
        # each top section's weight for each unit, by its group's 总分 (None: not totalled on it)
        self.shares = {t.node.name: [self.index.counted(g).get(t.node.name) for g in e.group_names]
                       for t in self.sections}
        self._counted: dict[str, np.ndarray] = {}  # top section -> its units (made once, read often)
        self._weights: dict[str, Col] = {}
        self.total_steps: list[Step] = []
        exact = e.const(0)
        for t in self.sections:
            counted = self.counted(t.node.name)
            if not counted.all() and reuse is None:  # its data is not asked of the others: nothing of it is explained to them
                for trace in walk(t):
                    trace.steps = [_where(counted, step) for step in trace.steps]
            exact = num.add(exact, self._weighted(t))
        exact = self._total_deductions(exact)
        for rule in self.scheme.vetoes:
            exact = self._total_veto(rule, exact)
        self.total_exact = exact
        self.total = num.round_to(exact, self.scheme.total_rounding)
        e.total = self.total
        self.rank, self.group_rank = self._ranks()

    # ---- structure ----------------------------------------------------------------
    def _item(self, item: ast.Item) -> Trace:
        e = self.engine
        if item.name in self._reused:
            return self._kept(self._reused[item.name])
        maximum = item.points.value
        at = Where(item.name, item.name)
        steps: list[Step] = []
        if item.rule is None:
            value = e.const(maximum)
        else:
            outcome = rules.evaluate(e, at, item.rule, Fraction(maximum), Reads())
            once = e.rounding.once and item.deductions  # else rounding once is rounding the rule's result
            value = outcome.earned if once else num.round_to(outcome.earned, e.rounding)
            shown = num.round_to(value, e.working) if once else value

            changed = num.compare(shown, outcome.earned) != 0
            full = plain(maximum)

            def rule_lines(idx, outcome=outcome, shown=shown, changed=changed) -> list[Line]:
                lines = outcome.lines(idx)
                for line, rounded, near in zip(lines, num.texts(shown, idx, None), changed[idx].tolist()):
                    if near:
                        line.arithmetic = f"{line.arithmetic} ≈ {rounded}"
                    line.lost = maximum - Decimal(rounded)
                    line.said = f"{line.said}得 {rounded} 分（满分 {full} 分）"
                return lines
            steps.append(rule_lines)
        score, more = self._adjust(at, item, value, maximum)
        steps += more
        na = e.not_applicable(item.name)
        if na is not None and na.any():
            # dropped: no rule read its figures (their errors go too), its section rescales
            score = num.where(na, e.const(0), score)
            said = f"本项不适用，{plain(maximum)} 分不计，由同一板块的其他指标按比例折算"
            steps = [_where(~na, step) for step in steps] + [_where(na, lambda idx: [  # what said 不适用, beside what else
                Line("not_applicable", "不适用", e.written(item.name, i), f"本项 {plain(maximum)} 分不计", maximum,
                     item.pos.line, said) for i in idx.tolist()])]
        else:
            na = None
        return self._kept(Trace(item, score, steps, score.err, na=na))

    def _section(self, section: ast.Section) -> Trace:
        e = self.engine
        children = [self._section(c) if isinstance(c, ast.Section) else self._item(c) for c in section.children]
        parts_max = bonus_max = Decimal(0)
        # value: the parts' sum, the bonus parts' (extra) aside: scaling is of what the points stand for;
        # dropped: the points of parts that do not apply (不适用)
        value, extra, dropped = e.const(0), e.const(0), e.const(0)
        for child in children:
            bonus = child.node.bonus if isinstance(child.node, ast.Section) else self.index.nodes[child.node.name].bonus
            if not bonus or section.bonus:
                value = num.add(value, child.score)
                parts_max += child.node.points.value
                if child.na is not None:
                    dropped = num.add(dropped, num.where(child.na, e.const(child.node.points.value), e.const(0)))
            else:
                extra = num.add(extra, child.score)
                bonus_max += child.node.points.value
        parts_err = num.first_error(value.err, extra.err)
        maximum = section.points.value
        facts = (("板块分值", plain(maximum)), ("各项合计", plain(parts_max)))
        steps: list[Step] = []
        scaled = parts_max != maximum and section.points_scaled and parts_max
        target = maximum if scaled else parts_max
        some_na = num.compare(dropped, e.const(0)) > 0
        all_na = some_na & (num.compare(dropped, e.const(parts_max)) == 0)
        rescaled = (np.ones(e.size, bool) if scaled else some_na) & ~all_na
        if rescaled.any():
            # 分值折算, and parts that do not apply: what applies is scaled to the points it stands for
            applicable = num.sub(e.const(parts_max), dropped)
            ratio = num.div(e.const(target), num.where(all_na, e.const(1), applicable), 0)
            summed = value
            value = num.where(rescaled, num.round_to(num.mul(value, ratio), e.rounding), value)

            def scaled_lines(idx, summed=summed, scaled=value) -> list[Line]:
                out = []
                for before, after, out_of in zip(num.decimals(summed, idx), num.decimals(scaled, idx),
                                                 num.decimals(applicable, idx)):
                    lost = (target - after) - (parts_max - before)  # beyond the parts' own losses
                    sum_facts = facts if out_of == parts_max else facts + (("适用各项合计", plain(out_of)),)
                    product = Fraction(before) * Fraction(target) / Fraction(out_of)
                    arithmetic = f"{plain(before)} × {plain(target)}/{plain(out_of)} = {show(product)}"
                    if out_of == parts_max or product != after:
                        arithmetic += f" ≈ {plain(after)}"
                    if out_of == parts_max:
                        out.append(Line("points_scaled", f"分值折算：各项合计 {plain(parts_max)}分 按 {plain(maximum)}分 计",
                                        sum_facts, f"{arithmetic}（{section.points_note}）", lost, section.pos.line,
                                        f"各项合计得 {plain(before)} 分（满分 {plain(parts_max)} 分），"
                                        f"按 {plain(maximum)} 分折算为 {plain(after)} 分"))
                    else:
                        out.append(Line("not_applicable", f"不适用的指标不计：其余 {plain(out_of)}分 按 {plain(target)}分 折算",
                                        sum_facts, arithmetic, lost, section.pos.line,
                                        f"有指标不适用，其余指标得 {plain(before)} 分（满分 {plain(out_of)} 分），"
                                        f"按 {plain(target)} 分折算为 {plain(after)} 分"))
                return out
            steps.append(_where(rescaled, scaled_lines))
        value = num.add(value, extra)
        if parts_max != maximum and not scaled:
            mismatch = Line("points_mismatch", "分值与各项合计不符", facts, section.points_note or "",
                            maximum - parts_max, section.pos.line,
                            f"本板块分值 {plain(maximum)} 分，各项合计 {plain(parts_max)} 分"
                            + (f"（{section.points_note}）" if section.points_note else ""))
            steps.append(lambda idx: [mismatch] * len(idx))
        score, more = self._adjust(Where(section.name, section.name), section, value, maximum + bonus_max)
        steps += more
        if self.scheme.section_rounding:  # 舍入 板块: each section's score, after its own steps
            rounding, before = self.scheme.section_rounding, score
            score = num.round_to(before, rounding)
            near = num.compare(before, score) != 0
            steps.append(_where(near, lambda idx, before=before, after=score: [
                Line("rounding", f"舍入（板块，{rounding.places} 位）", (), f"{b} ≈ {a}", Decimal(b) - Decimal(a),
                     section.pos.line, f"本板块得分 {b} 分，按 {rounding.places} 位小数计为 {a} 分")
                for b, a in zip(num.texts(before, idx, None), num.texts(after, idx, None))]))
        na = None
        if all_na.any():  # nothing in it applies: dropped as a whole, its own section rescales
            na = all_na
            score = num.where(na, e.const(0), score)
            # its parts' lines lose their points; this line what the section's differ by (its other
            # lines, a points mismatch included, are not these units')
            dropped_all = Line("not_applicable", "各项均不适用", (), f"本板块 {plain(maximum)} 分不计",
                               maximum - parts_max, section.pos.line,
                               f"本板块各项均不适用，{plain(maximum)} 分不计")
            steps = [_where(~na, step) for step in steps] + [_where(na, lambda idx: [dropped_all] * len(idx))]
        own = np.where(parts_err == 0, score.err, 0)
        return self._kept(Trace(section, score, steps, own, children, na))

    def _kept(self, trace: Trace) -> Trace:
        """A node scored: its score, and the units it does not apply to, as awards read them."""
        self.engine.scores[trace.node.name] = trace.score
        if trace.na is not None:
            self.engine.dropped_scores[trace.node.name] = trace.na
        return trace

    def _adjust(self, at: Where, node, value: Col, maximum: Decimal) -> tuple[Col, list[Step]]:
        """Deductions, then the floor (扣完为止) and the cap, then vetoes: shared by items and
        sections. Returns the final score and the steps that explain each change."""
        e = self.engine
        steps: list[Step] = []
        once = isinstance(node, ast.Item) and e.rounding.once and bool(node.deductions)
        shown = num.round_to(value, e.working) if once else value  # what the lines so far count
        for rule in node.deductions:
            outcome = deduction.evaluate(e, at, rule, None if once else e.rounding)
            value, shown = num.sub(value, outcome.earned), num.sub(shown, outcome.shown)
            steps.append(outcome.lines)
        if once:  # 舍入 指标 … 扣分后: the item rounded once, its lines counted to the working places
            value = num.round_to(value, e.rounding)
            near = num.compare(shown, value) != 0
            once_word = f"舍入（扣分后，{e.rounding.places} 位）"
            steps.append(_where(near, lambda idx, shown=shown, value=value: [
                Line("rounding", once_word, (), f"{before} ≈ {after}", Decimal(before) - Decimal(after), node.pos.line,
                     f"得分 {before} 分，按 {e.rounding.places} 位小数计为 {after} 分")
                for before, after in zip(num.texts(shown, idx, None), num.texts(value, idx, None))]))
        if not node.allow_negative:
            below, before = num.compare(value, e.const(0)) < 0, value
            if below.any():
                steps.append(_where(below, lambda idx, before=before: [
                    Line("floor", "扣完为止", (), f"{shown} → 0", Decimal(shown), node.pos.line,
                         "扣分超过本项分值，扣完为止，计 0 分")
                    for shown in num.texts(before, idx, None)]))
            value = num.where(below, e.const(0), value)
            value.err = before.err
        ceiling = min(maximum, node.cap.value) if node.cap else maximum
        over, before = num.compare(value, e.const(ceiling)) > 0, value
        if over.any():
            word = f"封顶 {node.cap}" if node.cap and node.cap.value < maximum else "最高计满分"
            steps.append(_where(over, lambda idx, before=before: [
                Line("cap", word, (), f"{shown} → {plain(ceiling)}", Decimal(shown) - ceiling, node.pos.line,
                     f"得分 {shown} 分，{word}，按 {plain(ceiling)} 分计")
                for shown in num.texts(before, idx, None)]))
        value = num.where(over, e.const(ceiling), value)
        value.err = before.err
        for rule in node.vetoes:
            before = value
            value, hit, reads = veto.evaluate(e, at, rule, before)
            text = f"一票否决：{show_expr(rule.condition)}"
            said = f"一票否决：{say_expr(rule.condition)}，本项计 0 分"
            steps.append(_where(hit, lambda idx, before=before, reads=reads, text=text, rule=rule, said=said: [
                Line("veto", text, inputs, f"{shown} → 0", Decimal(shown), rule.pos.line, said)
                for inputs, shown in zip(reads.rows(idx), num.texts(before, idx, None))]))
        return value, steps

    def counted(self, name: str) -> np.ndarray:
        """The units totalled on this top section (all, unless a 总分 适用 … leaves it out)."""
        if name not in self._counted:
            self._counted[name] = np.array([w is not None for w in self.shares[name]], bool)[self.engine.group]
        return self._counted[name]

    def weight(self, name: str) -> Col:
        """How much a point of this node counts in each unit's total: its top section's weight
        in the unit's group's 总分 (0 where that leaves it out)."""
        top = self.index.nodes[name].path[0]
        if top not in self._weights:
            shares = [Fraction(w or 0) for w in self.shares[top]]
            n, d = (np.array([getattr(f, part) for f in shares], np.int64)[self.engine.group]
                    for part in ("numerator", "denominator"))
            self._weights[top] = num.number(n, d, np.zeros(self.engine.size, np.int32))
        return self._weights[top]

    def _weighted(self, top: Trace) -> Col:
        """A top section's part of the total: its score × its weight, rounded if 舍入 加权 says so;
        nothing (and none of its errors) for a unit not totalled on it."""
        e, rounding = self.engine, self.scheme.weighted_rounding
        part = num.where(self.counted(top.node.name), num.mul(top.score, self.weight(top.node.name)), e.const(0))
        if rounding is None:
            return part
        rounded = num.round_to(part, rounding)
        near = num.compare(part, rounded) != 0
        name, shares = top.node.name, self.shares[top.node.name]
        line = self.scheme.total[0].pos.line if self.scheme.total else top.node.pos.line

        def lines(idx):
            out = []
            for g, score, exact, after in zip(e.group[idx].tolist(), num.texts(top.score, idx, None),
                                              num.texts(part, idx, None), num.texts(rounded, idx, None)):
                share = plain(shares[g] * 100) + "%"
                out.append(Line("rounding", f"舍入（{name} × {share}，{rounding.places} 位）", (),
                                f"{score} × {share} = {exact} ≈ {after}", Decimal(exact) - Decimal(after), line,
                                f"{name}得分 {score} 分按 {share} 计为 {exact} 分，按 {rounding.places} 位小数计为 {after} 分"))
            return out
        self.total_steps.append(_where(near, lines))
        return rounded

    def _total_deductions(self, total: Col) -> Col:
        """Deductions from the total (资金管理 "酌情扣分"), each with its 原文, then the floor at 0."""
        e = self.engine
        for rule in self.scheme.deductions:
            outcome = deduction.evaluate(e, Where(None, None), rule, e.rounding)
            total = num.sub(total, outcome.earned)

            def lines(idx, outcome=outcome, source=rule.source) -> list[Line]:
                out = outcome.lines(idx)
                for line in out:
                    line.source = source
                return out
            self.total_steps.append(lines)
        if self.scheme.deductions:
            below, before = num.compare(total, e.const(0)) < 0, total
            if below.any():
                self.total_steps.append(_where(below, lambda idx: [
                    Line("floor", "扣完为止", (), f"{shown} → 0", Decimal(shown), self.scheme.deductions[0].pos.line,
                         "扣分超过总分，扣完为止，计 0 分") for shown in num.texts(before, idx, None)]))
            total = num.where(below, e.const(0), total)
            total.err = before.err
        return total

    def _total_veto(self, veto: ast.Veto, total: Col) -> Col:
        e = self.engine
        reads = Reads()
        holds = e.truth(Where(None, None), veto.condition, reads)
        limit = veto.total_at_most.value if veto.total_at_most else Decimal(0)
        hit = holds.n.astype(bool) & (num.compare(total, e.const(limit)) > 0)
        text = f"一票否决：{show_expr(veto.condition)}" + (f"，总分不超过 {veto.total_at_most}"
                                                           if veto.total_at_most else "")
        before = total
        said = f"一票否决：{say_expr(veto.condition)}，总分计 {plain(limit)} 分" if not veto.total_at_most else \
            f"一票否决：{say_expr(veto.condition)}，总分不超过 {plain(limit)} 分"
        self.total_steps.append(_where(hit, lambda idx: [
            Line("veto", text, inputs, f"{shown} → {plain(limit)}", Decimal(shown) - limit, veto.pos.line, said,
                 veto.source)
            for inputs, shown in zip(reads.rows(idx), num.texts(before, idx, None))]))
        result = num.where(hit, e.const(limit), total)
        result.err = num.first_error(total.err, holds.err)
        return result

    def _ranks(self) -> tuple[np.ndarray, np.ndarray]:
        """Totals ranked overall and within each group; equal totals share a rank (1-2-2-4),
        unless the scheme breaks ties (并列 按 …): then by each key in turn, still equal sharing."""
        e = self.engine
        keys = [(self.total, True)] + [(e.number(Where(None, None), self.index.tie_key(t), Reads()), t.descending)
                                       for t in self.scheme.tie_breaks]
        if len(keys) > 1:  # a unit whose tie key cannot be read has no rank: refused as its total is
            self.total.err = num.first_error(self.total.err, *(key.err for key, _ in keys[1:]))
        rank, group_rank = np.zeros(e.size, np.int64), np.zeros(e.size, np.int64)
        for members, out in [(np.arange(e.size), rank)] + [(np.flatnonzero(e.group == g), group_rank)
                                                            for g in range(len(e.group_names))]:
            _place(members, keys, out, 1)
        return rank, group_rank

    # ---- errors ---------------------------------------------------------------------
    def check(self, limit: int = 200) -> None:
        """Refuse with every unit's problems (each item's, then each section's own, then the
        total's), if any unit cannot be scored."""
        traces = [t for s in self.sections for t in walk(s)]
        bad = np.flatnonzero(self.total.err)
        if not len(bad):
            return
        e = self.engine
        problems = []
        for i in bad.tolist():
            codes = [int(t.err[i]) for t in traces if t.err[i]]
            if not codes:
                codes = [int(self.total.err[i])]
            for code in codes:
                found = e.errors[code](i)
                if found not in problems:
                    problems.append(found)
            if len(problems) >= limit:
                break
        from ..errors import DataError

        raise DataError(problems[:limit])

    # ---- explanations ------------------------------------------------------------------
    def unit(self, i: int, explained: bool = True) -> UnitResult:
        """Unit i's result; without `explained`, its scores only (no lines: a ranking table)."""
        return self.units(np.array([i]), explained)[0]

    def units(self, idx: np.ndarray, explained: bool = True) -> list[UnitResult]:
        """The results of the units at idx, each step's lines written for all of them at once."""
        idx = np.asarray(idx, np.int64)
        made = self._made([t for s in self.sections for t in walk(s)], idx, explained)
        total_lines = _lines([step(idx) for step in self.total_steps], len(idx))
        totals = _as_decimals(self.total, idx, self.scheme.total_rounding.places)
        out = []
        for k, i in enumerate(idx.tolist()):
            g = int(self.engine.group[i])
            sections = tuple(self._node_result(t, k, made, self.shares[t.node.name][g])
                             for t in self.sections if self.shares[t.node.name][g] is not None)
            full = sum((s.max * s.weight for s in sections if not s.bonus), Decimal(0))
            bonus = sum((s.score * s.weight for s in sections if s.bonus), Decimal(0))
            exact = sum((s.score * s.weight for s in sections), Decimal(0))
            for line in total_lines[k]:
                exact = exact - line.lost
            unit = self.engine.data.units[i]
            out.append(UnitResult(unit.name, unit.group, sections, full, bonus, exact, totals[k], total_lines[k],
                                  self._requirements(i), int(self.rank[i]), int(self.group_rank[i])))
        return out

    def trace(self, name: str) -> Trace:
        return next(t for s in self.sections for t in walk(s) if t.node.name == name)

    def node_result(self, trace: Trace, i: int):
        """One unit's result for one item or section."""
        made = self._made(list(walk(trace)), np.array([i]), True)
        share = self.shares[self.index.nodes[trace.node.name].path[0]][int(self.engine.group[i])]
        return self._node_result(trace, 0, made, share or Decimal(0))

    def _made(self, traces: list[Trace], idx: np.ndarray, explained: bool) -> dict[int, tuple[list, list]]:
        """For each trace, the scores and lines of the units at idx."""
        places = self.scheme.item_rounding.places
        return {id(t): (_as_decimals(t.score, idx, places),
                        _lines([step(idx) for step in t.steps], len(idx)) if explained else [()] * len(idx))
                for t in traces}

    def _node_result(self, trace: Trace, k: int, made: dict, weight: Decimal):
        path, title, maximum, bonus, source, interpretation, line, kind = self._static[trace.node.name]
        scores, lines = made[id(trace)]
        if isinstance(trace.node, ast.Item):
            return ItemResult(path, title, maximum, scores[k], weight, bonus, lines[k], source, interpretation, line,
                              kind)
        children = tuple([self._node_result(c, k, made, weight) for c in trace.children])
        return SectionResult(path, title, maximum, scores[k], weight, bonus, lines[k], source, interpretation, line,
                             children=children)

    @cached_property
    def _static(self) -> dict[str, tuple]:
        """What every unit's result states alike of each node (made by the million for a report)."""
        return {name: (info.path, info.node.title, info.node.points.value,
                       info.bonus if isinstance(info.node, ast.Item) else info.node.bonus, info.node.source,
                       info.node.interpretation, info.node.pos.line, getattr(info.node, "kind", None))
                for name, info in self.index.nodes.items()}

    def _requirements(self, i: int) -> tuple[tuple[str, int], ...]:
        unit, groups = self.engine.data.units[i], self.scheme.groups
        return tuple((text, line) for text, line, names in self._every_requirement
                     if not names or any(name == unit.group or (name not in groups and self.engine.named(name) is unit)
                                         for name in names))

    @cached_property
    def _every_requirement(self) -> list[tuple[str, int, tuple[str, ...]]]:
        """The scheme's requirements in order: (text, line, the groups or units it applies to)."""
        found = []

        def visit(node):
            for req in node.requirements:
                found.append((f"{node.name}：{req.text}" if hasattr(node, "points") else req.text, req.pos.line,
                              req.applies_to))
            for child in getattr(node, "children", ()):
                visit(child)

        visit(self.scheme)
        for section in self.scheme.sections:
            visit(section)
        return found

    def order(self) -> np.ndarray:
        """The units in ranking order (ties by name)."""
        names = [u.name for u in self.engine.data.units]
        return np.array(sorted(range(self.engine.size), key=lambda i: (self.rank[i], names[i])), dtype=np.int64)

    def results(self, explained: bool = True) -> Results:
        tree, most = [], Decimal(0)
        for t in self.sections:
            weights = {w for w in self.shares[t.node.name] if w is not None}
            weight = weights.pop() if len(weights) == 1 else None
            for name, info in self.index.nodes.items():
                if info.path[0] == t.node.name:
                    tree.append(Head(name, len(info.path) - 1, isinstance(info.node, ast.Section),
                                     info.node.points.value, info.node.source, self._static[name][3], weight))
        for g in range(len(self.engine.group_names)):
            most = max(most, sum((t.node.points.value * self.shares[t.node.name][g] for t in self.sections
                                  if self.shares[t.node.name][g] is not None), Decimal(0)))
        return Results(self.scheme.title, self.scheme.path, LazyUnits(self, explained), self.total_rules(),
                       tuple(tree), most)

    def total_rules(self) -> tuple[TotalRule, ...]:
        """The 总分 lines with their 原文 and 口径, as the scheme writes them."""
        return tuple(TotalRule(f"总分{' 适用 ' + '、'.join(t.groups) if t.groups else ''} = {ast.terms_text(t.terms)}"
                               + (f" 满分 {t.points}" if t.points else ""), t.source, t.interpretation, t.pos.line, t.groups)
                     for t in self.scheme.totals())


class LazyUnits(Sequence):
    """Every unit's result in ranking order, written a chunk of units at a time when first asked
    for; only the latest chunk is kept (memory stays bounded over 100,000 units)."""
    CHUNK = 512

    def __init__(self, scoring: Scoring, explained: bool):
        self.scoring, self.positions, self.explained = scoring, scoring.order(), explained
        self._start, self._chunk = -1, []

    def __len__(self) -> int:
        return len(self.positions)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self)))]
        k = range(len(self))[k]
        start = k - k % self.CHUNK
        if start != self._start:
            self._start = start
            self._chunk = self.scoring.units(self.positions[start:start + self.CHUNK], self.explained)
        return self._chunk[k - start]


def walk(trace: Trace):
    for child in trace.children:
        yield from walk(child)
    yield trace


def _as_decimals(col: Col, idx: np.ndarray, places: int) -> list[Decimal]:
    """Scores as the Decimals they are, written to at least the rounding's places (so that a
    product with a weight reads as it did: 84.6080)."""
    out = []
    for text in num.texts(col, idx, None):  # the fewest places that hold each value exactly
        dot = text.find(".")
        short = places - (len(text) - dot - 1 if dot >= 0 else 0)
        out.append(Decimal(text + ("" if dot >= 0 else ".") + "0" * short if short > 0 else text))
    return out


def _lines(steps: list[list[Line | None]], count: int) -> list[tuple[Line, ...]]:
    """Each unit's lines, in step order, from each step's lines for every unit."""
    return [tuple(line for line in lines if line is not None) for lines in zip(*steps)] if steps else [()] * count


def _where(mask: np.ndarray, make: Callable[[np.ndarray], list[Line]]) -> Step:
    """A step with a line only for the units in mask."""
    def step(idx: np.ndarray) -> list[Line | None]:
        out, at = [None] * len(idx), np.flatnonzero(mask[idx])
        for k, line in zip(at.tolist(), make(idx[at])):
            out[k] = line
        return out
    return step
