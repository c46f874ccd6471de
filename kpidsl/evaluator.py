"""Evaluation stage: a checked scheme and a Dataset -> Results, with every point explained.

Rule arithmetic is exact (Fractions); each rule's result is rounded once, as the scheme
declares for items (default half up to 2 places), so every explained loss is a finite
decimal and the explanation lines of an item add up exactly to its loss.
"""
from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from . import ast
from .ast import ACTUAL, RATE, TARGET, operand_text, show_expr
from .data import Cell, Dataset, Unit, check_value
from .errors import DataError, Diagnostic, diagnostic, did_you_mean
from .index import SCHEME_NODE, SchemeIndex
from .numbers import plain, round_to, show, show_percent, sort_key
from .result import ItemResult, Line, Results, SectionResult, UnitResult

MAX_DIAGNOSTICS = 200
_PARTIAL_WORDS = {"prorate": "按比例计", "ignore": "不计", "whole": "按一档计"}


class Inputs:
    """Collects the values an expression read, for the explanation."""

    def __init__(self):
        self.seen: dict[str, str] = {}

    def add(self, label: str, shown: str) -> None:
        self.seen.setdefault(label, shown)

    def as_tuple(self) -> tuple[tuple[str, str], ...]:
        return tuple(self.seen.items())


class Scope:
    """Where an expression is evaluated: for which unit, inside which item or section (whose
    fields bare names read); `scored` is the item or section being scored, for messages."""

    def __init__(self, unit: Unit, node: str | None, inputs: Inputs, scored: str | None = None):
        self.unit, self.node, self.inputs = unit, node, inputs
        self.scored = scored or node

    def at(self, node: str | None) -> Scope:
        return Scope(self.unit, node, self.inputs, self.scored)


class _Pool:
    """The units ranked together for one rank rule: keys, eligibility, ranks, standings."""

    SHOWN = 30  # standings longer than this are cut in explanations

    def __init__(self, entries: dict, positions: dict[str, int], count: int, head, shown):
        """entries: name -> (key or None, ranked or not, inputs); positions: name -> rank;
        count: how many are ranked; head: the first (name, key, rank), by rank, then name."""
        self.entries, self.positions, self.count, self.show_number = entries, positions, count, shown
        parts = [f"{position}. {name} {shown(key)}" for name, key, position in head[: self.SHOWN]]
        if count > self.SHOWN:
            parts.append(f"……（共 {count} 个）")
        self.standings = "，".join(parts)

    @classmethod
    def ranking(cls, entries: dict, rule: ast.Rank, shown) -> _Pool:
        """Every entry ranked. Equal keys share a rank: 1-2-2-4 ("shared", the default) or
        1-2-2-3 ("dense")."""
        ranked = sorted(((name, key) for name, (key, ok, _) in entries.items() if ok),
                        key=lambda e: (*sort_key(-e[1] if rule.descending else e[1]), e[0]))
        positions: dict[str, int] = {}
        previous, position, distinct = None, 0, 0
        for index, (name, key) in enumerate(ranked):
            if key != previous:
                distinct += 1
                position = distinct if rule.ties == "dense" else index + 1
                previous = key
            positions[name] = position
        head = [(name, key, positions[name]) for name, key in ranked[: cls.SHOWN]]
        return cls(entries, positions, len(ranked), head, shown)

    def show(self, key: Fraction | None) -> str:
        return "无数据" if key is None else self.show_number(key)


class Evaluator:
    def __init__(self, scheme: ast.Scheme, data: Dataset, index: SchemeIndex | None = None):
        self.scheme, self.data = scheme, data
        self.index = index or SchemeIndex(scheme)
        self.lang = scheme.language
        self.rounding = scheme.item_rounding
        self._pools: dict[tuple[str, str], _Pool] = {}
        self._named_units: dict[str, Unit] = {}
        self._let_values: dict[tuple, tuple] = {}
        self._volumes: dict[tuple, Fraction] = {}

    # ---- public -------------------------------------------------------------------
    def run(self, progress=None) -> Results:
        """`progress(items, total, description)` may wrap the units, e.g. with a progress bar."""
        problems: list[Diagnostic] = []
        units = []
        each = progress(self.data.units, len(self.data.units), "计分") if progress else self.data.units
        for unit in each:
            try:
                units.append(self.unit(unit))
            except DataError as e:
                problems.extend(d for d in e.diagnostics if d not in problems)
                if len(problems) >= MAX_DIAGNOSTICS:
                    break
        if problems:
            raise DataError(problems)
        return Results(self.scheme.title, self.scheme.path, _ranked(units))

    def unit(self, unit: Unit) -> UnitResult:
        problems: list[Diagnostic] = []
        sections = []
        for section in self.scheme.sections:
            weight = self.index.nodes[section.name].weight
            sections.append(self._section(unit, section, weight, problems))
        if problems:
            raise DataError(problems)
        full = sum((s.max * s.weight for s in sections if not s.bonus), Decimal(0))
        bonus = sum((s.score * s.weight for s in sections if s.bonus), Decimal(0))
        exact = sum((s.score * s.weight for s in sections), Decimal(0))
        total_lines = []
        for veto in self.scheme.vetoes:
            line, exact = self._total_veto(unit, veto, exact)
            if line:
                total_lines.append(line)
        requirements = self._requirements(unit)
        return UnitResult(unit.name, unit.group, tuple(sections), full, bonus, exact,
                          round_to(exact, self.scheme.total_rounding), tuple(total_lines),
                          requirements)

    # ---- structure ----------------------------------------------------------------
    def _section(self, unit: Unit, section: ast.Section, weight: Decimal,
                 problems: list[Diagnostic]) -> SectionResult:
        children = []
        for child in section.children:
            try:
                if isinstance(child, ast.Section):
                    children.append(self._section(unit, child, weight, problems))
                else:
                    children.append(self._item(unit, child, weight))
            except DataError as e:
                problems.extend(e.diagnostics)
        info = self.index.nodes[section.name]
        maximum = section.points.value
        if problems:  # the section cannot be totalled; the caller raises
            return SectionResult(info.path, section.title, maximum, Decimal(0), weight, section.bonus,
                                 (), section.source, section.interpretation, section.pos.line,
                                 children=tuple(children))
        lines = []
        # a nested bonus section adds to its section before the weighting, beyond its points
        parts_max = sum((c.max for c in children if not c.bonus or section.bonus), Decimal(0))
        bonus_max = sum((c.max for c in children if c.bonus and not section.bonus), Decimal(0))
        value = sum((c.score for c in children), Decimal(0))
        facts = (("板块分值", plain(maximum)), ("各项合计", plain(parts_max)))
        if parts_max != maximum and section.points_scaled and parts_max:
            scaled = round_to(Fraction(value) * Fraction(maximum) / Fraction(parts_max), self.rounding)
            lost = (maximum - scaled) - (parts_max - value)  # beyond the parts' own losses
            lines.append(Line("points_scaled", f"分值折算：各项合计 {plain(parts_max)}分 按 {plain(maximum)}分 计",
                              facts, f"{plain(value)} × {plain(maximum)}/{plain(parts_max)} = "
                              f"{show(Fraction(value) * Fraction(maximum) / Fraction(parts_max))} ≈ {plain(scaled)}"
                              f"（{section.points_note}）", lost, section.pos.line))
            value = scaled
        elif parts_max != maximum:
            lines.append(Line("points_mismatch", "分值与各项合计不符", facts, section.points_note or "",
                              maximum - parts_max, section.pos.line))
        scope = Scope(unit, section.name, Inputs())
        score, more = self._adjust(scope, section, value, maximum + bonus_max)
        return SectionResult(info.path, section.title, maximum, score, weight, section.bonus,
                             tuple(lines + more), section.source, section.interpretation,
                             section.pos.line, children=tuple(children))

    def _item(self, unit: Unit, item: ast.Item, weight: Decimal) -> ItemResult:
        info = self.index.nodes[item.name]
        maximum = item.points.value
        scope = Scope(unit, item.name, Inputs())
        lines = []
        if item.rule is None:
            value = maximum
        else:
            earned, line = self._rule(scope, item.rule, maximum)
            value = round_to(earned, self.rounding)
            if value != earned:
                line = _with(line, arithmetic=f"{line.arithmetic} ≈ {plain(value)}")
            lines.append(_with(line, lost=maximum - value))
        score, more = self._adjust(scope, item, value, maximum)
        return ItemResult(info.path, item.title, maximum, score, weight, info.bonus,
                          tuple(lines + more), item.source, item.interpretation, item.pos.line, item.kind)

    def _adjust(self, scope: Scope, node, value: Decimal, maximum: Decimal):
        """Deductions, then the floor (扣完为止) and the cap, then vetoes: shared by items and
        sections. Returns the final score and the lines that explain each change."""
        lines = []
        for deduction in node.deductions:
            amount, line = self._deduction(scope.at(node.name), deduction)
            value -= amount
            lines.append(line)
        if value < 0 and not node.allow_negative:
            lines.append(Line("floor", "扣完为止", (), f"{plain(value)} → 0", value, node.pos.line))
            value = Decimal(0)
        ceiling = min(maximum, node.cap.value) if node.cap else maximum
        if value > ceiling:
            word = f"封顶 {node.cap}" if node.cap and node.cap.value < maximum else "最高计满分"
            lines.append(Line("cap", word, (), f"{plain(value)} → {plain(ceiling)}",
                              value - ceiling, node.pos.line))
            value = ceiling
        for veto in node.vetoes:
            inputs = Inputs()
            if value and self._truth(scope.at(node.name), veto.condition, inputs):
                lines.append(Line("veto", f"一票否决：{show_expr(veto.condition)}", inputs.as_tuple(),
                                  f"{plain(value)} → 0", value, veto.pos.line))
                value = Decimal(0)
        return value, lines

    def _total_veto(self, unit: Unit, veto: ast.Veto, total: Decimal):
        inputs = Inputs()
        if not self._truth(Scope(unit, None, inputs), veto.condition, inputs):
            return None, total
        limit = veto.total_at_most.value if veto.total_at_most else Decimal(0)
        if total <= limit:
            return None, total
        text = f"一票否决：{show_expr(veto.condition)}" + (f"，总分不超过 {veto.total_at_most}"
                                                           if veto.total_at_most else "")
        return Line("veto", text, inputs.as_tuple(), f"{plain(total)} → {plain(limit)}",
                    total - limit, veto.pos.line), limit

    def _requirements(self, unit: Unit) -> tuple[tuple[str, int], ...]:
        found = []

        def applies(req: ast.Requirement) -> bool:
            return not req.applies_to or any(
                name == unit.group or (name not in self.scheme.groups and self._named(name) is unit)
                for name in req.applies_to)

        def visit(node):
            for req in node.requirements:
                if applies(req):
                    found.append((f"{node.name}：{req.text}" if hasattr(node, "points") else req.text,
                                  req.pos.line))
            for child in getattr(node, "children", ()):
                visit(child)

        visit(self.scheme)
        for section in self.scheme.sections:
            visit(section)
        return tuple(found)

    def _named(self, name: str) -> Unit:
        if name not in self._named_units:
            self._named_units[name] = self.data.find_unit(name, self.lang)
        return self._named_units[name]

    # ---- rules ---------------------------------------------------------------------
    def _rule(self, scope: Scope, rule: ast.Rule, maximum: Decimal) -> tuple[Fraction, Line]:
        """Points earned (exact) and the line explaining them (its `lost` set by the caller)."""
        top = Fraction(maximum)
        line_no = rule.pos.line
        match rule:
            case ast.Full():
                return top, Line("full", "得满分", (), plain(maximum), Decimal(0), line_no)
            case ast.Zero():
                return Fraction(0), Line("zero", "不得分", (), "0", Decimal(0), line_no)
            case ast.Fixed(points=points):
                return Fraction(points.value), Line("fixed", f"得 {points}", (), plain(points.value),
                                                    Decimal(0), line_no)
            case ast.Meet():
                return self._meet(scope, rule, top)
            case ast.Proportional():
                return self._proportional(scope, rule, top)
            case ast.Conditional(condition=condition):
                holds = self._truth(scope, condition, scope.inputs)
                earned, line = self._rule(scope, rule.then if holds else rule.otherwise, maximum)
                branch = "成立" if holds else "不成立"
                return earned, _with(line, text=f"若 {show_expr(condition)}（{branch}）：{line.text}",
                                     inputs=scope.inputs.as_tuple())
            case ast.Rank():
                return self._rank(scope, rule, top)
            case ast.Tiers():
                return self._tiers(scope, rule)
            case ast.Levels():
                return self._levels(scope, rule)
            case ast.Projects():
                return self._projects(scope, rule)
            case ast.Assessed():
                return self._assessed(scope, rule, top)
            case ast.Share():
                return self._share(scope, rule, top)
        raise TypeError(rule)

    def _share(self, scope, rule: ast.Share, top: Fraction):
        """因素分析法: the item's points shared by volume; an item nobody did gives no one points."""
        key = (scope.node, rule.volume_field)
        if key not in self._volumes:
            self._volumes[key] = self._volume_total(scope.node, rule)
        total = self._volumes[key]
        mine = max(self._number(scope, ast.Ref(None, rule.volume_field, rule.pos), scope.inputs), Fraction(0))
        text = f"按{rule.volume_field}分享：满分 × 本单位{rule.volume_field} / 全体单位{rule.volume_field}"
        if not total:
            return Fraction(0), Line("share", text, scope.inputs.as_tuple(),
                                     f"全体单位{rule.volume_field}为 0，本项无人得分", Decimal(0), rule.pos.line)
        earned = top * mine / total
        return earned, Line("share", text, scope.inputs.as_tuple() + ((f"全体{rule.volume_field}", show(total)),),
                            f"{show(top)} × {show(mine)} / {show(total)} = {show(earned)}", Decimal(0), rule.pos.line)

    def _volume_total(self, node: str, rule: ast.Share) -> Fraction:
        """All units' volume for a share (each at least 0)."""
        return sum((max(self._number(Scope(u, node, Inputs()), ast.Ref(None, rule.volume_field, rule.pos),
                                     Inputs()), Fraction(0)) for u in self.data.units), Fraction(0))

    def _meet(self, scope, rule: ast.Meet, top: Fraction):
        condition = rule.condition or ast.Compare(">=", ast.Ref(None, ACTUAL, rule.pos),
                                                  ast.Ref(None, TARGET, rule.pos), rule.pos)
        holds = self._truth(scope, condition, scope.inputs)
        text = f"达标得满分，否则不得分（{show_expr(condition)}）"
        return (top if holds else Fraction(0),
                Line("meet", text, scope.inputs.as_tuple(), "达标" if holds else "未达标",
                     Decimal(0), rule.pos.line))

    def _proportional(self, scope, rule: ast.Proportional, top: Fraction):
        ratio_expr = rule.ratio or ast.Binary("/", ast.Ref(None, ACTUAL, rule.pos),
                                              ast.Ref(None, TARGET, rule.pos), rule.pos)
        ratio = max(self._number(scope, ratio_expr, scope.inputs), Fraction(0))
        text = "按比例得分：满分 × min(比率, 1)"
        if rule.threshold:
            text += f"，未达 {rule.threshold} 不得分"
        shown = f"比率 {show_expr(ratio_expr)} = {show_percent(ratio)}"
        if rule.threshold and ratio < rule.threshold.value:
            earned, arithmetic = Fraction(0), f"{shown} < {rule.threshold} → 0"
        else:
            earned = top * min(ratio, Fraction(1))
            arithmetic = f"{shown}；{plain(Decimal(top.numerator) / top.denominator)} × {show_percent(min(ratio, 1))} = {show(earned)}"
        return earned, Line("proportional", text, scope.inputs.as_tuple(), arithmetic,
                            Decimal(0), rule.pos.line)

    def _rank(self, scope, rule: ast.Rank, top: Fraction):
        unit = scope.unit
        pool = self._pool(scope.node, rule, unit)
        key, eligible, seen = pool.entries[unit.name]
        where = f"{unit.group}内" if rule.within_group else "全体单位"
        order = "降序" if rule.descending else "升序"
        step = self._rank_step(rule, unit.group)
        text = (f"按 {show_expr(rule.key)} {order}排名（{where}），第一名得满分，其后依次递减 {plain(step)}分"
                + (f"；仅限 {show_expr(rule.eligible)}" if rule.eligible else ""))
        inputs = list(seen.as_tuple()) or [(show_expr(rule.key), pool.show(key))]
        if not eligible:
            points = rule.ineligible_points.value if rule.ineligible_points else Decimal(0)
            reason = "不符合排名条件" if key is not None else "无数据"
            if key is None and rule.no_data_points:
                points = rule.no_data_points.value
            return Fraction(points), Line("rank", text, tuple(inputs), f"{reason}，得 {plain(points)}分",
                                          Decimal(0), rule.pos.line)
        position = pool.positions[unit.name]
        earned = max(top - (position - 1) * Fraction(step), Fraction(0))
        inputs.append(("排名", pool.standings))
        arithmetic = (f"第 {position} 名（共 {pool.count} 个单位参与）："
                      f"{show(top)} − {position - 1} × {plain(step)} = {show(earned)}")
        if top - (position - 1) * Fraction(step) < 0:
            arithmetic += "，低于 0 按 0 计"
        return earned, Line("rank", text, tuple(inputs), arithmetic, Decimal(0), rule.pos.line)

    def _pool(self, node: str, rule: ast.Rank, unit: Unit) -> _Pool:
        """The units ranked together with the unit, with keys, eligibility and ranks (cached)."""
        pool_key = (node, unit.group if rule.within_group else "")
        if pool_key not in self._pools:
            entries = {other.name: self._pool_entry(node, rule, other) for other in self.data.units
                       if not rule.within_group or other.group == unit.group}
            self._pools[pool_key] = _Pool.ranking(entries, rule, self._key_shown(rule, node))
        return self._pools[pool_key]

    def _key_shown(self, rule: ast.Rank, node: str):
        """How a rank's keys are written: ratios as percentages."""
        return show_percent if self._is_ratio(rule.key, node) else show

    def _pool_entry(self, node: str, rule: ast.Rank, unit: Unit) -> tuple[Fraction | None, bool, Inputs]:
        """A unit's key in a rank pool (None: no data), whether it may be ranked, and the inputs."""
        scope = Scope(unit, node, Inputs())
        try:
            key = self._number(scope, rule.key, scope.inputs)
        except DataError:
            if rule.no_data_points is None:
                raise
            key = None
        ok = key is not None and (rule.eligible is None or self._truth(scope, rule.eligible, scope.inputs))
        return key, ok, scope.inputs

    @staticmethod
    def _rank_step(rule: ast.Rank, group: str) -> Decimal:
        for step in rule.steps:
            if step.group == group:
                return step.points.value
        return next((s.points.value for s in rule.steps if s.group is None), Decimal(0))

    def _is_ratio(self, expr: ast.Expr, node: str | None) -> bool:
        """Ratios (完成率, a / b, a measure computed as one) are shown as percentages."""
        if isinstance(expr, ast.Binary):
            return expr.op == "/"
        if isinstance(expr, ast.Ref) and expr.item is None and expr.field != RATE:
            let = self.index.local_let(node, expr.field)
            return let is not None and self._is_ratio(let.expr, self.index.let_owner(node, let))
        return isinstance(expr, ast.Ref) and expr.field == RATE

    def _tiers(self, scope, rule: ast.Tiers):
        value = self._number(scope, rule.measure, scope.inputs)
        hits = [b for b in rule.bands if _in_band(value, b)]
        text = "分档计分：" + "；".join(f"{b.text} 得 {b.points}" for b in rule.bands)
        if hits:
            best = max(hits, key=lambda b: b.points.value)
            earned, why = Fraction(best.points.value), f"{show_expr(rule.measure)} = {show(value)}，在 {best.text} 档 → {best.points}"
        else:
            points = rule.otherwise.value if rule.otherwise else Decimal(0)
            earned, why = Fraction(points), f"{show_expr(rule.measure)} = {show(value)}，不在任何一档 → {plain(points)}分"
        return earned, Line("tiers", text, scope.inputs.as_tuple(), why, Decimal(0), rule.pos.line)

    def _records(self, scope):
        """The unit's records for the item, in an order that does not depend on the file's."""
        return sorted(self.data.records.get((scope.unit.name, scope.node), []),
                      key=lambda r: (r.project, r.level))

    def _levels(self, scope, rule: ast.Levels):
        table = {e.label: e.points.value for e in rule.entries}
        found = []
        for record in self._records(scope):
            if record.level not in table:
                raise self._record_error(scope, record, table)
            found.append((record, table[record.level]))
        points = [p for _, p in found]
        earned = (max(points) if rule.combine == "max" else sum(points)) if points else Decimal(0)
        word = "取最高" if rule.combine == "max" else "求和"
        inputs = tuple((r.project or r.level, f"{r.level} {plain(p)}分") for r, p in found)
        text = "按等级计分（" + "、".join(f"{e.label}{e.points}" for e in rule.entries) + f"），{word}"
        return Fraction(earned), Line("levels", text, inputs or (("记录", "无"),),
                                      f"{word} = {plain(earned)}", Decimal(0), rule.pos.line)

    def _projects(self, scope, rule: ast.Projects):
        class_of = {label: c for c in rule.classes for label in c.labels}
        best: dict[str, tuple[ast.ProjectClass, str]] = {}
        for record in self._records(scope):
            if record.level not in class_of:
                raise self._record_error(scope, record, class_of)
            cls = class_of[record.level]
            current = best.get(record.project)
            if current is None or cls.each.value > current[0].each.value:  # 相同项目按就高计分
                best[record.project] = (cls, record.level)
        inputs, parts, earned = [], [], Decimal(0)
        for cls in rule.classes:
            projects = [p for p, (c, _) in best.items() if c is cls]
            if not projects:
                continue
            raw = cls.each.value * len(projects)
            counted = min(raw, cls.up_to.value) if cls.up_to else raw
            for p in projects:
                inputs.append((p, best[p][1]))
            limit = f"（最多 {cls.up_to}）" if cls.up_to and raw > counted else ""
            parts.append(f"{'、'.join(cls.labels)} {len(projects)} 项 × {cls.each}{limit} = {plain(counted)}")
            earned += counted
        text = "按项目计分，同一项目就高不重复：" + "；".join(
            f"{'、'.join(c.labels)} 每项 {c.each}" + (f" 最多 {c.up_to}" if c.up_to else "")
            for c in rule.classes)
        arithmetic = "；".join(parts) + f"；合计 {plain(earned)}" if parts else "无项目记录，得 0 分"
        return Fraction(earned), Line("projects", text, tuple(inputs), arithmetic, Decimal(0),
                                      rule.pos.line)

    def _record_error(self, scope, record, known) -> DataError:
        return DataError([diagnostic("E312", self.lang, place=record.place,
                                     what=f"{scope.unit.name} / {scope.node}：级别 {record.level!r} "
                                          f"不在方案所列之中（{'、'.join(known)}）")])

    def _assessed(self, scope, rule: ast.Assessed, top: Fraction):
        cell = self._cell(scope.unit, scope.node, "评分")
        score = Fraction(check_value(cell, scope.unit.name, scope.node, "评分", Decimal, self.lang))
        if not cell.note:
            raise self._eval_error(scope, "评定分须附评定理由（数值文件的 说明 列）")
        low, high, band_text = Fraction(0), top, ""
        if rule.bands:
            band_cell = self._cell(scope.unit, scope.node, "档位")
            label = band_cell.raw
            band = next((b for b in rule.bands if b.label == label), None)
            if band is None:
                raise self._eval_error(scope, f"档位 {label!r} 不在方案所列之中（{'、'.join(b.label for b in rule.bands)}）")
            low, high = top * Fraction(band.low.value), top * Fraction(band.high.value)
            band_text = f"，档位 {label}（{band.low}–{band.high}，即 {show(low)}–{show(high)}分）"
        if not (min(low, high) <= score <= max(low, high)):
            raise self._eval_error(scope, f"评定分 {cell.raw} 超出允许范围 {show(min(low, high))}–{show(max(low, high))}")
        inputs = (("评分", cell.raw), ("评定理由", cell.note))
        return score, Line("assessed", "评定得分（由考核组择优评定）" + band_text, inputs,
                           f"评定 {cell.raw}分", Decimal(0), rule.pos.line)

    def _deduction(self, scope, rule: ast.Deduction) -> tuple[Decimal, Line]:
        inputs = Inputs()
        if rule.condition is not None:
            holds = self._truth(scope, rule.condition, inputs)
            amount = rule.points.value if holds else Decimal(0)
            return amount, Line("deduct", f"若 {show_expr(rule.condition)} 扣 {rule.points}", inputs.as_tuple(),
                                f"{'成立' if holds else '不成立'} → {plain(amount)}", amount, rule.pos.line)
        count_expr = rule.count or ast.Binary("-", ast.Ref(None, TARGET, rule.pos),
                                              ast.Ref(None, ACTUAL, rule.pos), rule.pos)
        count = max(self._number(scope, count_expr, inputs), Fraction(0))
        steps = count / Fraction(rule.step.value)
        partial = rule.partial or "prorate"
        counted = {"prorate": steps, "ignore": Fraction(math.floor(steps)),
                   "whole": Fraction(math.ceil(steps))}[partial]
        amount = round_to(counted * Fraction(rule.points.value), self.rounding)
        counted_text = "" if rule.count is None else operand_text(rule.count) + " "
        text = f"{'每少' if rule.count is None else '每'} {rule.step} {counted_text}扣 {rule.points}"
        shown = show_percent(count) if rule.step.unit == "%" else show(count)
        arithmetic = f"{show_expr(count_expr)} = {shown}，{show(steps)} 档"
        if counted != steps:
            arithmetic += f"（不足一档{_PARTIAL_WORDS[partial]}）→ {show(counted)} 档"
        arithmetic += f" × {plain(rule.points.value)} = {plain(amount)}"
        return amount, Line("deduct", text, inputs.as_tuple(), arithmetic, amount, rule.pos.line)

    # ---- expressions ---------------------------------------------------------------
    def _number(self, scope: Scope, expr: ast.Expr, inputs: Inputs) -> Fraction:
        value = self._value(scope, expr, inputs)
        if isinstance(value, bool) or not isinstance(value, Fraction):
            raise self._kind_error(scope, expr, value, Decimal, "数值")
        return value

    def _truth(self, scope: Scope, expr: ast.Expr, inputs: Inputs) -> bool:
        value = self._value(scope, expr, inputs)
        if not isinstance(value, bool):
            raise self._kind_error(scope, expr, value, bool, "是/否")
        return value

    def _kind_error(self, scope: Scope, expr: ast.Expr, value, kind: type, word: str) -> DataError:
        """A value of the wrong kind: the data cell it came from (file and row), if it did."""
        if isinstance(expr, ast.Ref):
            resolved = self.index.resolve(scope.node, expr)
            if resolved[0] == "field":
                _, node, field = resolved
                cell = self.data.values.get((scope.unit.name, node, field))
                if cell is not None:
                    try:
                        check_value(cell, scope.unit.name, node, field, kind, self.lang)
                    except DataError as e:
                        return e
        return self._eval_error(scope, f"{show_expr(expr)} 应为{word}，实为 {value!r}")

    def _value(self, scope: Scope, expr: ast.Expr, inputs: Inputs):
        match expr:
            case ast.Literal(quantity=q):
                return Fraction(q.value)
            case ast.BoolLiteral(value=v):
                return v
            case ast.Ref():
                return self._ref(scope, expr, inputs)
            case ast.Not(operand=o):
                return not self._truth(scope, o, inputs)
            case ast.Logical(op="and", operands=ops):
                return all(self._truth(scope, o, inputs) for o in ops)
            case ast.Logical(op="or", operands=ops):
                return any(self._truth(scope, o, inputs) for o in ops)
            case ast.Compare(op=op, left=l, right=r):
                a, b = self._value(scope, l, inputs), self._value(scope, r, inputs)
                if op in ("=", "!="):
                    return (a == b) == (op == "=")
                if isinstance(a, date) or isinstance(b, date):  # 完成日期 <= 2021-09-30
                    for side, value in ((l, a), (r, b)):
                        if not isinstance(value, date):
                            raise self._kind_error(scope, side, value, date, "日期")
                else:
                    a, b = self._number(scope, l, inputs), self._number(scope, r, inputs)
                return {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b}[op]
            case ast.DateLiteral(value=v) | ast.TextLiteral(value=v):
                return v
            case ast.Binary(op=op, left=l, right=r):
                a, b = self._number(scope, l, inputs), self._number(scope, r, inputs)
                if op == "/":
                    if b == 0:
                        raise DataError([diagnostic("E307", self.lang, unit=scope.unit.name,
                                                    item=scope.node, what=show_expr(r))])
                    return a / b
                return {"+": a + b, "-": a - b, "*": a * b}[op]
        raise TypeError(expr)

    def _ref(self, scope: Scope, ref: ast.Ref, inputs: Inputs):
        label = str(ref)
        match self.index.resolve(scope.node, ref):
            case ("rate", node):
                target = self._number(scope.at(node), ast.Ref(None, TARGET, ref.pos), Inputs())
                actual = self._number(scope.at(node), ast.Ref(None, ACTUAL, ref.pos), Inputs())
                if target == 0:
                    raise DataError([diagnostic("E307", self.lang, unit=scope.unit.name, item=node,
                                                what=TARGET)])
                rate = actual / target
                inputs.add(label, f"{show(actual)} / {show(target)} = {show_percent(rate)}")
                return rate
            case ("let", let, owner):
                value = self._let_value(scope.at(owner), let, inputs)
                shown = (show_percent(value) if self._is_ratio(let.expr, owner) else show(value)) \
                    if isinstance(value, Fraction) else ({True: "是", False: "否"}.get(value, str(value)))
                inputs.add(label, shown)
                return value
            case ("const", const):
                quantity = dict(const.values).get(scope.unit.group)
                if quantity is None:
                    raise self._eval_error(scope, f"常量 {const.name} 未规定分组 {scope.unit.group} 的值")
                inputs.add(label, f"{quantity}（{scope.unit.group}）")
                return Fraction(quantity.value)
            case ("field", node, field):
                cell = self._cell(scope.unit, node, field)
                inputs.add(label, cell.raw)
                return Fraction(cell.value) if isinstance(cell.value, Decimal) else cell.value
            case (kind, *_):  # 得分, 金额, 总分: results, readable only when paying awards
                raise self._eval_error(scope, f"{label} 只能在 奖励 中使用（计分时尚无{kind}）")

    def _let_value(self, scope: Scope, let: ast.Let, inputs: Inputs):
        """A computed measure, once per unit: measures built on measures stay linear work."""
        key = (scope.unit.name, scope.node, let.name)
        if key not in self._let_values:
            seen = Inputs()
            self._let_values[key] = (self._value(scope, let.expr, seen), seen.as_tuple())
        value, seen = self._let_values[key]
        for label, shown in seen:
            inputs.add(label, shown)
        return value

    def _cell(self, unit: Unit, node: str, field: str) -> Cell:
        cell = self.data.values.get((unit.name, node, field))
        if cell is None and (default := self.index.default(node, field)) is not None:
            shown = f"{default.text}（未填报，按方案 缺省 视为 {default.text}）"
            return Cell(default.value, shown, "", f"{self.scheme.path}:{default.pos.line}")
        if cell is None:
            files = "、".join(self.data.value_files) or "（未指定）"
            fields = {f for (u, n, f) in self.data.values if u == unit.name and n == node}
            raise DataError([diagnostic("E305", self.lang, unit=unit.name, item=node, field=field,
                                        files=files, hint=did_you_mean(field, fields, self.lang))])
        return cell

    def _eval_error(self, scope: Scope, what: str) -> DataError:
        return DataError([diagnostic("E311", self.lang, unit=scope.unit.name, item=scope.scored or SCHEME_NODE,
                                     what=what)])


def _in_band(value: Fraction, band: ast.Band) -> bool:
    if band.low is not None and (value < band.low or (value == band.low and not band.low_inclusive)):
        return False
    if band.high is not None and (value > band.high or (value == band.high and not band.high_inclusive)):
        return False
    return True


def _with(line: Line, **changes) -> Line:
    return replace(line, **changes)


def _ranked(units: list[UnitResult]) -> tuple[UnitResult, ...]:
    """Totals ranked overall and within each group; equal totals share a rank (1-2-2-4)."""
    def ranks(pool: list[UnitResult]) -> dict[str, int]:
        descending = sorted((-u.total for u in pool))
        return {u.unit: 1 + bisect_left(descending, -u.total) for u in pool}

    overall = ranks(units)
    in_group: dict[str, int] = {}
    for group in {u.group for u in units}:
        in_group.update(ranks([u for u in units if u.group == group]))
    ranked = [replace(u, rank=overall[u.unit], group_rank=in_group[u.unit]) for u in units]
    return tuple(sorted(ranked, key=lambda u: (u.rank, u.unit)))  # independent of row order


def evaluate(scheme: ast.Scheme, data: Dataset, index: SchemeIndex | None = None, progress=None) -> Results:
    return Evaluator(scheme, data, index).run(progress)
