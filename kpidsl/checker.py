"""Check stage: what can be known wrong about a scheme before any unit is scored.

Errors stop evaluation; warnings (W…) are printed and evaluation goes on. With data, the
checks that need units (rank steps that fall below 0 in a group) run too; missing values are
found by evaluating (kpidsl.engine), which reports every one of them.
"""
from __future__ import annotations

import functools
import math
from datetime import date
from decimal import Decimal

from . import ast
from .ast import ACTUAL, RATE, TARGET
from .data import Dataset, is_not_applicable, measure_problem, not_applicable_hint
from .errors import DataError, Diagnostic, KpiError, SchemeCheckError, diagnostic, did_you_mean
from .index import SCHEME_NODE, SCHEME_NODE_ALIASES, SchemeIndex
from .units import declared as declared_unit, kind as unit_kind
from .numbers import plain

_BUILTINS = {TARGET, ACTUAL, RATE}
MAX_REPORTED = 200
MAX_PLACES = 10  # rounding beyond this is no longer a score, and costs unbounded work


class _Checker:
    def __init__(self, scheme: ast.Scheme, index: SchemeIndex, source: str | None):
        self.scheme, self.index, self.source = scheme, index, source
        self.lang = scheme.language
        self.found: list[Diagnostic] = []

    def report(self, code: str, pos: ast.Pos | None = None, **fields) -> None:
        where = dict(file=self.scheme.path, source=self.source)
        if pos:
            where.update(line=pos.line, column=pos.column)
        self.found.append(diagnostic(code, self.lang, **where, **fields))

    def run(self) -> list[Diagnostic]:
        for rounding in (self.scheme.item_rounding, self.scheme.total_rounding, self.scheme.section_rounding,
                         self.scheme.weighted_rounding):
            if rounding and not 0 <= rounding.places <= MAX_PLACES:
                self.report("E207", None, what=f"舍入位数 {rounding.places} 超出 0–{MAX_PLACES}")
        for first, again in self.index.duplicates:
            self.report("E204", again.pos, name=again.name, first=first.pos.line)
        self.check_total()
        for section in self.scheme.sections:
            self.check_section(section)
        for let in self.scheme.lets:
            self.check_expr(let.expr)
        for veto in self.scheme.vetoes:
            self.check_expr(veto.condition)
        for deduction in self.scheme.deductions:
            if deduction.condition is None and deduction.count is None:  # no 任务/实际 of the whole scheme
                self.report("E207", deduction.pos, what=(
                    "总分的扣分须写明条件或计数：若 … 扣 …分，或 每 1例 … 扣 …分" if self.lang == "zh" else
                    "a deduction from the total needs a condition or a count: if … deduct …, or per 1 … deduct …"))
                continue
            self.check_expr(deduction.condition if deduction.condition is not None else deduction.count)
        self.check_cycles()
        for tie in self.scheme.tie_breaks:
            self.check_expr(self.index.tie_key(tie))
        for example in self.scheme.examples:
            self.check_example(example)
        self.check_measures()
        groups = set(self.scheme.groups)
        for const in self.scheme.consts:
            for group, _ in const.values:
                self.check_group(group, const.pos)
        if groups:
            for const in self.scheme.consts:
                missing = groups - {g for g, _ in const.values}
                if missing:
                    self.report("E207", const.pos, what=f"常量 {const.name} 未规定分组 {'、'.join(sorted(missing))} 的值")
        return self.found

    def check_measures(self) -> None:
        """Each 计量 names a field its node's rules (or awards) read, once, in a unit that agrees
        with the figures the rules compare it with."""
        read = {**required_fields(self.index), **award_fields(self.index)}
        implied = implied_units(self.index)
        for name, info in self.index.nodes.items():
            seen = set()
            for m in info.node.measures:
                key = (name, m.field)
                said = implied.get(key)
                if m.field in seen:
                    what = f"计量 {m.field} 重复" if self.lang == "zh" else f"measure {m.field} given twice"
                elif key not in read:
                    what = (f"计量 {m.field}：{name} 的规则不读取此字段" if self.lang == "zh" else
                            f"measure {m.field}: no rule of {name} reads this field")
                elif said and unit_kind(said) != unit_kind(m.unit):
                    what = (f"计量 {m.field} {m.unit} 与规则中以“{said}”计的数值不符" if self.lang == "zh" else
                            f"measure {m.field} {m.unit} disagrees with the figures in {said} the rules compare it with")
                else:
                    what = None
                if what:
                    self.report("E207", m.pos, what=what)
                seen.add(m.field)

    def check_total(self) -> None:
        formulas = [(t.terms, t.points, f"（适用 {'、'.join(t.groups)}）" if t.groups else "")
                    for t in self.scheme.totals()]
        for terms, declared, which in formulas:
            self.check_formula(terms, declared, which)
        seen: dict[str, int] = {}
        for total in self.scheme.group_totals:
            for group in total.groups:
                self.check_group(group, total.pos)
                if group in seen:
                    self.report("E207", total.pos, what=f"分组 {group} 已有总分公式（第 {seen[group]} 行）")
                seen.setdefault(group, total.pos.line)
        if not formulas:
            return
        named = {t.section for terms, _, _ in formulas for t in terms}
        for section in self.scheme.sections:
            if section.name not in named:
                self.report("E207", section.pos, what=f"板块 {section.name} 未写入 总分 = …，不会计入总分")

    def check_formula(self, terms: tuple[ast.TotalTerm, ...], declared: ast.Quantity | None, which: str) -> None:
        """One 总分 = … line: its sections exist, its weights are percentages adding up to 100%
        (or its parts' full points to the 满分 it declares)."""
        top = {s.name: s for s in self.scheme.sections}
        weights = full = Decimal(0)
        for term in terms:
            if term.section not in top:
                self.report("E201", term.pos, name=term.section, hint=did_you_mean(term.section, top, self.lang))
                continue
            if term.weight and term.weight.unit != "%":
                self.report("E207", term.pos, what=f"权重 {term.weight} 应写成百分数，如 60%")
            if not top[term.section].bonus:
                weight = term.weight.value if term.weight else Decimal(1)
                weights += weight
                full += weight * top[term.section].points.value
        if declared is not None and full != declared.value:  # 总分 = 甲 × 40% + 乙 + 丙 满分 100分
            self.report("E203", terms[0].pos, what=(
                f"总分{which}按各板块计满分为 {plain(full)}分，与声明的 满分 {declared} 不符" if self.lang == "zh" else
                f"the parts of the total{which} give full points of {plain(full)}, not the {declared} declared"))
        elif declared is None and weights != 1 and any(t.weight for t in terms):
            # a weighted average whose weights do not add up; a plain sum (no weights) is one
            self.report("E203", terms[0].pos, what=(
                f"总分{which}中各板块权重合计 {plain(weights * 100)}%，应为 100%；若总分是加权与不加权部分之和，"
                f"请写明其满分（如 满分 {plain(full)}分）" if self.lang == "zh" else
                f"the weights of the total{which} add up to {plain(weights * 100)}%, not 100%; if the total adds "
                f"weighted and unweighted parts, declare its full points (e.g. full {plain(full)}分)"))

    def check_points(self, quantity: ast.Quantity, pos: ast.Pos) -> None:
        if quantity.unit not in ("分", ""):
            self.report("E207", pos, what=f"分值 {quantity} 应以 分 为单位")

    def check_section(self, section: ast.Section) -> None:
        self.check_points(section.points, section.pos)
        parts = sum((c.points.value for c in section.children
                     if not getattr(c, "bonus", False) or section.bonus), Decimal(0))
        if section.children and parts != section.points.value:
            kind = "加分板块" if section.bonus else "板块"
            fields = dict(kind=kind, name=section.name, declared=section.points.text,
                          parts=plain(parts) + "分")
            if section.points_note:
                self.report("W202", section.pos, note=section.points_note, **fields)
            else:
                self.report("E202", section.pos, **fields)
        self.check_node_body(section)
        for child in section.children:
            if isinstance(child, ast.Section):
                self.check_section(child)
            else:
                self.check_item(child)

    def check_item(self, item: ast.Item) -> None:
        if item.name in (SCHEME_NODE, *SCHEME_NODE_ALIASES):  # the data's name for the unit's own fields
            self.report("E207", item.pos, what=f"指标不能名为 {item.name}：数据中它指单位整体的字段")
        self.check_points(item.points, item.pos)
        self.check_node_body(item)
        if item.rule is not None:
            self.check_rule(item, item.rule)
            self.check_reachable(item)

    def check_node_body(self, node) -> None:
        for deduction in node.deductions:
            self.check_points(deduction.points, deduction.pos)
            for expr in (deduction.count, deduction.condition):
                if expr is not None:
                    self.check_expr(expr)
            if deduction.step and deduction.partial is None and \
                    (deduction.step.value != 1 or deduction.step.unit == "%"):
                self.report("W201", deduction.pos, name=node.name, step=deduction.step.text)
        for veto in node.vetoes:
            self.check_expr(veto.condition)
            if veto.total_at_most:
                self.report("E207", veto.pos, what="总分不超过 只能用于方案顶层的一票否决")
        for let in node.lets:
            self.check_expr(let.expr)
        if node.cap:
            self.check_points(node.cap, node.pos)
        if node.floor_stated and node.allow_negative:
            self.report("E207", node.pos, what=(f"{node.name}：扣完为止 与 可为负分 相矛盾" if self.lang == "zh" else
                                                f"{node.name}: floor_at_zero contradicts allow_negative"))
        if node.points.unit == "":  # 指标 甲 10 {: taken as 10分, and said
            self.report("W204", node.pos, name=node.name, points=node.points.text)

    def check_reachable(self, item: ast.Item) -> None:
        """Points no data can reach: a rule whose best outcome is below the item's points."""
        most = _most(item.rule, item.points.value)
        if most is not None and most < item.points.value:
            self.report("W208", item.rule.pos, name=item.name, points=item.points.text, most=plain(most),
                        lost=plain(item.points.value - most))

    def check_rule(self, item: ast.Item, rule: ast.Rule) -> None:
        match rule:
            case ast.Meet(condition=c) if c is not None:
                self.check_expr(c)
            case ast.Proportional(ratio=r, threshold=t):
                if r is not None:
                    self.check_expr(r)
                if t is not None and t.unit != "%":
                    self.report("E207", rule.pos, what=f"门槛 {t} 应写成百分数，如 70%")
            case ast.Conditional():
                self.check_expr(rule.condition)
                self.check_rule(item, rule.then)
                self.check_rule(item, rule.otherwise)
            case ast.Rank():
                self.check_expr(rule.key)
                if rule.eligible is not None:
                    self.check_expr(rule.eligible)
                if not rule.steps:
                    self.report("E207", rule.pos, what=f"{item.name}：排名须写明 依次递减 多少分")
                for step in rule.steps:
                    self.check_points(step.points, rule.pos)
                    if step.group is not None:
                        self.check_group(step.group, rule.pos)
            case ast.Assessed(bands=bands) if bands:
                for band in bands:
                    if band.low.unit != "%" or band.high.unit != "%":  # a share of the item's points
                        self.report("E207", rule.pos, what=(
                            f"{item.name}：评定档位 {band.label} 应写成分值的百分比，如 "
                            f"{plain(band.low.value / item.points.value * 100) if band.low.unit == '分' else band.low.value}% 至 "
                            f"{plain(band.high.value / item.points.value * 100) if band.high.unit == '分' else band.high.value}%"))
                    elif band.low.value > band.high.value or band.high.value > 1:
                        self.report("E207", rule.pos, what=_range_order(item.name, band.label, band.low, band.high))
                self.check_assessed_bands(item.name, rule)
            case ast.Tiers():
                self.check_expr(rule.measure)
                for band in rule.bands:
                    self.check_points(band.points, rule.pos)
                    if band.low is not None and band.high is not None and band.low > band.high:
                        self.report("E207", rule.pos, what=_range_order(item.name, band.text, band.low, band.high))
                    if band.points.value > item.points.value:
                        self.report("E207", rule.pos, what=f"{item.name}：分档 {band.text} 得 {band.points}，超过指标分值 {item.points}")
                self.check_bands(item.name, rule)
            case ast.Fixed(points=p):
                self.check_points(p, rule.pos)
            case ast.Given(field=f):
                if self.index.resolve(item.name, f)[0] != "field":
                    self.report("E207", rule.pos, what=(f"得 {f}：须是数据中的字段（评定得分）" if self.lang == "zh" else
                                                        f"get {f}: must be a field of the data (a score given)"))

    def check_assessed_bands(self, name: str, rule: ast.Assessed) -> None:
        """评定 bands read as the 10号 tables are: from 0% to 100% of the points, each score in one band."""
        def holds(b, x):
            return (b.low.value < x or (b.low.value == x and b.low_inclusive)) and \
                (x < b.high.value or (x == b.high.value and b.high_inclusive))
        ends = sorted({Decimal(0), Decimal(1)} | {e.value for b in rule.bands for e in (b.low, b.high)})
        probes = [p for x, y in zip(ends, ends[1:]) for p in (x, (x + y) / 2)] + [ends[-1]]
        shown = lambda x: plain(x * 100) + "%"
        labels = [b.label for b in rule.bands]
        for label in sorted({l for l in labels if labels.count(l) > 1}):
            self.report("E207", rule.pos, what=f"{name}：评定档位 {label} 写了两次")
        gap, held, overlapping = [], None, set()  # a run of probes no band holds; the probe held before it
        for x in [p for p in probes if 0 <= p <= 1] + [None]:
            holding = [b.label for b in rule.bands if holds(b, x)] if x is not None else [""]
            if len(holding) > 1 and tuple(holding) not in overlapping:  # each overlap once, where it begins
                overlapping.add(tuple(holding))
                self.report("W207", rule.pos, name=name, what=f"{'、'.join(holding)} 都含 {shown(x)}：档位重叠")
            if not holding:
                gap.append(x)
                continue
            if gap:
                low = f"{shown(gap[0])}（含）" if gap[0] in ends else f"{shown(held)}（不含）"
                high = f"{shown(gap[-1])}（含）" if gap[-1] in ends else f"{shown(x)}（不含）"
                what = f"恰为 {shown(gap[0])} 的分数" if len(gap) == 1 and gap[0] in ends else f"{low}至 {high}的分数"
                self.report("W207", rule.pos, name=name, what=f"{what}不在任何档位")
                gap = []
            held = x

    def check_bands(self, name: str, rule: ast.Tiers) -> None:
        """A 分档 table read as a policy table: a band that never decides (inside another worth as
        much or more: the highest points win), and values between bands that no band holds
        (they get 否则, or 0)."""
        bands = rule.bands
        for k, a in enumerate(bands):
            if any(_inside(a, b) and b.points.value >= a.points.value and not (_inside(b, a) and j > k)
                   for j, b in enumerate(bands) if j != k):
                self.report("W206", rule.pos, name=name, what=f"{a.text} 落在另一档之内而得分不高于它，不起作用")
        ends = sorted({e for b in bands for e in (b.low, b.high) if e is not None})
        # the ends and the values between each two, in order: a run of them no band holds, with
        # bands on both sides, is a gap in the table
        probes = [(ends[0], ends[0], ends[0])] + [p for x, y in zip(ends, ends[1:]) for p in (((x + y) / 2, x, y), (y, y, y))]
        percent = any("%" in b.text for b in bands)
        show = lambda v: plain(v * 100) + "%" if percent else plain(v)
        run: list = []
        for probe in [*probes, None]:
            if probe is not None and not any(_holds(b, probe[0]) for b in bands) \
                    and any(_below(b, probe[0]) for b in bands) and any(_above(b, probe[0]) for b in bands):
                run.append(probe)
                continue
            if run:
                (_, low, first), (_, last, high) = run[0], run[-1]
                where = f"= {show(low)}" if len(run) == 1 and low == high else \
                    f"{'[' if low == first else '('}{show(low)}, {show(high)}{']' if last == high else ')'}"
                otherwise = rule.otherwise.text if rule.otherwise else "0分"
                self.report("W206", rule.pos, name=name, what=f"{where} 的值不在任何一档（得 {otherwise}）")
                run = []

    def check_example(self, example: ast.Example) -> None:
        units = {name for name, _ in example.units}
        known = set(self.index.nodes) | set(self.index.awards) | {SCHEME_NODE, *SCHEME_NODE_ALIASES}
        for name, group in example.units:
            if self.scheme.groups:
                self.check_group(group, example.pos)
        mentioned = [(v.unit, v.node) for v in example.values] + [(r[0], r[1]) for r in example.records] + \
            [(e.unit, e.node) for e in example.expectations]
        for unit, node in mentioned:
            if unit not in units:
                self.report("E207", example.pos, what=f"示例「{example.name}」未列出单位 {unit}（写 单位 {unit} 分组）")
            if node is not None and node not in known:
                self.report("E201", example.pos, name=node, hint=did_you_mean(node, known, self.lang))

    def check_group(self, name: str, pos: ast.Pos) -> None:
        if name not in self.scheme.groups:
            self.report("E206", pos, name=name, hint=did_you_mean(name, self.scheme.groups, self.lang))

    def check_expr(self, expr: ast.Expr) -> None:
        for ref in _refs(expr):
            if ref.item is not None and ref.item not in self.index.nodes:
                self.report("E201", ref.pos, name=ref.item, hint=did_you_mean(ref.item, self.index.nodes, self.lang))

    def check_cycles(self) -> None:
        """Computed measures may use each other, but not in a circle."""
        lets: list[tuple[str | None, ast.Let]] = [(None, l) for l in self.scheme.lets]
        for name, info in self.index.nodes.items():
            lets.extend((name, l) for l in info.node.lets)
        edges = {}
        for owner, let in lets:
            uses = []
            for ref in _refs(let.expr):
                if ref.item is None and ref.field not in _BUILTINS:
                    target = self.index.local_let(owner, ref.field)
                    if target is not None:
                        uses.append(target)
            edges[id(let)] = (let, uses)
        state: dict[int, int] = {}

        def visit(let: ast.Let, trail: list[str]) -> None:
            if state.get(id(let)) == 2:
                return
            if state.get(id(let)) == 1:
                cycle = trail[trail.index(let.name):] + [let.name]
                self.report("E205", let.pos, cycle=" → ".join(cycle))
                return
            state[id(let)] = 1
            for used in edges.get(id(let), (let, []))[1]:
                visit(used, trail + [let.name])
            state[id(let)] = 2

        for let, _ in edges.values():
            visit(let, [])

    def check_with_data(self, data: Dataset) -> None:
        sizes: dict[str, int] = {}
        for unit in data.units:
            sizes[unit.group] = sizes.get(unit.group, 0) + 1
            if self.scheme.groups and unit.group not in self.scheme.groups:
                self.found.append(diagnostic("E303", self.lang, place=unit.place,
                                             unit=f"{unit.name}（分组 {unit.group}）",
                                             hint=did_you_mean(unit.group, self.scheme.groups, self.lang)))
        for requirement in self._requirements():
            for name in requirement.applies_to:
                if name not in sizes and name not in self.scheme.groups:  # a declared group may have no unit here
                    try:
                        data.find_unit(name, self.lang)
                    except KpiError as e:  # names no group, and no unit (or several)
                        # a scheme run on part of its units: said, and scoring goes on
                        self.report("W205", requirement.pos, name=name, hint=f"（{e.diagnostics[0].message}）")
        for info in self.index.items():
            rule = info.node.rule
            if not isinstance(rule, ast.Rank):
                continue
            pools = sizes.items() if rule.within_group else [("全体单位", len(data.units))]
            for group, count in pools:
                step = next((s.points.value for s in rule.steps if s.group in (group, None)), None)
                if step is None and rule.within_group:
                    step = next((s.points.value for s in rule.steps if s.group is None), Decimal(0))
                if not step or step < 0:
                    continue
                first_below = math.floor(info.node.points.value / step) + 2  # points − (r − 1) × step < 0
                if first_below <= count:
                    self.report("W203", rule.pos, name=info.node.name, group=group, count=count,
                                ranks=f"{first_below}–{count}" if count > first_below else str(count))


    def check_fields_present(self, data: Dataset) -> None:
        """Every field any rule may read, in any branch, is in the data for every unit (or has a
        declared 缺省): found here at once rather than one evaluation at a time."""
        files = "、".join(data.value_files) or "（未指定）"
        fields_needed = required_fields(self.index)
        order = {name: k for k, name in enumerate(self.index.nodes)}  # as the scheme and its template list them
        needed = sorted(fields_needed, key=lambda key: (order.get(key[0], len(order)), key))
        units = field_units(self.index)
        dropped = {(u, node) for (u, node, _), cell in data.values.items()  # 不适用: nothing else is read
                   if is_not_applicable(cell.value) and self.index.may_not_apply(node)}
        counted = {unit.group: set(self.index.counted(unit.group)) for unit in data.units}  # 总分 适用 …
        paid = sorted(key for key in award_fields(self.index) if key not in fields_needed and key in units)

        def refuse(unit: str, node: str, field: str, cell, expected: str) -> None:
            data.refused.add((unit, node, field))
            self.found.append(diagnostic("E306", self.lang, place=cell.place, unit=unit, item=node, field=field,
                                         value=cell.raw, expected=expected))

        for unit in data.units:
            if unit.name in data.refused:
                continue
            for node, field in paid:  # read by an award alone: checked where written, never required
                cell = data.values.get((unit.name, node, field))
                if cell is not None and (expected := measure_problem(cell, units[(node, field)], self.lang)):
                    refuse(unit.name, node, field, cell, expected)
            for node, field in needed:
                if (unit.name, node, field) in data.refused or (unit.name, node) in dropped:
                    continue
                if node in self.index.nodes and self.index.nodes[node].path[0] not in counted[unit.group]:
                    continue  # a section the unit's group is not totalled on
                cell = data.values.get((unit.name, node, field))
                if cell is not None:  # of the kind the rule reads, even where a branch does not
                    kind = fields_needed[(node, field)]
                    wanted = {NUMBER: (Decimal, date), FLAG: (bool,), DATE: (date,)}.get(kind)
                    if wanted and (not isinstance(cell.value, wanted) or
                                   (kind == NUMBER and isinstance(cell.value, bool))):
                        expected = kind + not_applicable_hint(cell.value, self.lang)
                    elif (node, field) in units:
                        expected = measure_problem(cell, units[(node, field)], self.lang)
                    else:
                        continue
                    if expected:
                        refuse(unit.name, node, field, cell, expected)
                    continue
                if self.index.default(node, field) is None and (unit.name, node, field) in data.blanks:
                    self.found.append(diagnostic("E313", self.lang, place=data.blanks[(unit.name, node, field)],
                                                 unit=unit.name, item=node, field=field))
                elif self.index.default(node, field) is None:
                    fields = {f for (u, n, f) in data.values if u == unit.name and n == node}
                    self.found.append(diagnostic("E305", self.lang, unit=unit.name, item=node, field=field,
                                                 files=files, hint=did_you_mean(field, fields, self.lang)))
                    if len(self.found) >= MAX_REPORTED:
                        return

    def _requirements(self):
        yield from self.scheme.requirements
        for info in self.index.nodes.values():
            yield from info.node.requirements


NUMBER, FLAG, SCORE, BAND, DATE = "数值", "是/否", "评分", "档位", "日期"  # the kinds of value a field holds


def _expr_fields(index: SchemeIndex, node: str | None, e: ast.Expr | None, kind: str,
                 needed: dict | None = None, visited_lets: set | None = None) -> dict[tuple[str, str], str]:
    """The data fields an expression reads, each with the kind of value it must hold (added to
    `needed`; a measure is followed once)."""
    needed = {} if needed is None else needed
    visited_lets = set() if visited_lets is None else visited_lets

    def expr(node: str | None, e: ast.Expr | None, kind: str) -> None:
        match e:
            case ast.Ref():
                match index.resolve(node, e):
                    case ("rate", n):
                        needed.update({(n, TARGET): NUMBER, (n, ACTUAL): NUMBER})
                    case ("let", let, owner) if (owner, let.name) not in visited_lets:
                        visited_lets.add((owner, let.name))
                        expr(owner, let.expr, kind)
                    case ("field", n, f):
                        needed.setdefault((n, f), kind)
            case ast.Not(operand=o):
                expr(node, o, FLAG)
            case ast.Logical(operands=ops):
                for o in ops:
                    expr(node, o, FLAG)
            case ast.Compare(op=op, left=l, right=r):
                flags = op in ("=", "!=") and any(isinstance(x, ast.BoolLiteral) for x in (l, r))
                dates = any(isinstance(x, ast.DateLiteral) for x in (l, r))
                expr(node, l, FLAG if flags else DATE if dates else NUMBER)
                expr(node, r, FLAG if flags else DATE if dates else NUMBER)
            case ast.Binary(left=l, right=r):
                expr(node, l, NUMBER)
                expr(node, r, NUMBER)

    expr(node, e, kind)
    return needed


def required_fields(index: SchemeIndex, only: str | None = None, optional: bool = False) -> dict[tuple[str, str], str]:
    """(item or section, field) -> the kind of value, for every data field a rule may read
    (only those of the node `only`, if given); `optional`: also those read only where a unit
    has them (a rank's key with 无数据得)."""
    needed: dict[tuple[str, str], str] = {}
    visited_lets: set[tuple[str | None, str]] = set()

    def expr(node: str | None, e: ast.Expr | None, kind: str) -> None:
        _expr_fields(index, node, e, kind, needed, visited_lets)

    def own(node: str, *fields: str) -> None:
        needed.update({(node, f): NUMBER for f in fields})

    def rule(node: str, r) -> None:
        match r:
            case ast.Meet(condition=None) | ast.Proportional(ratio=None):
                own(node, TARGET, ACTUAL)
            case ast.Meet(condition=c):
                expr(node, c, FLAG)
            case ast.Proportional(ratio=c):
                expr(node, c, NUMBER)
            case ast.Given(field=f):
                expr(node, f, NUMBER)
            case ast.Conditional():
                expr(node, r.condition, FLAG)
                rule(node, r.then)
                rule(node, r.otherwise)
            case ast.Rank():
                expr(node, r.eligible, FLAG)
                if r.no_data_points is None or optional:
                    expr(node, r.key, NUMBER)
            case ast.Tiers():
                expr(node, r.measure, NUMBER)
            case ast.Share():
                needed.setdefault((node, r.volume_field), NUMBER)
            case ast.Assessed():
                needed[(node, "评分")] = SCORE
                if r.bands:
                    needed[(node, "档位")] = BAND

    for name, info in index.nodes.items():
        if only is not None and name != only:
            continue
        if isinstance(info.node, ast.Item) and info.node.rule is not None:
            rule(name, info.node.rule)
        for d in info.node.deductions:
            if d.condition is not None:
                expr(name, d.condition, FLAG)
            elif d.count is None:
                own(name, TARGET, ACTUAL)
            else:
                expr(name, d.count, NUMBER)
        for v in info.node.vetoes:
            expr(name, v.condition, FLAG)
    for v in index.scheme.vetoes if only is None else ():
        expr(None, v.condition, FLAG)
    for d in index.scheme.deductions if only is None else ():
        if d.condition is not None:
            expr(None, d.condition, FLAG)
        elif d.count is not None:
            expr(None, d.count, NUMBER)
    for tie in index.scheme.tie_breaks if only is None else ():
        expr(None, index.tie_key(tie), NUMBER)
    return needed


@functools.lru_cache(maxsize=4)  # asked by the checker, the readers and the engine of one index
def field_units(index: SchemeIndex) -> dict[tuple[str, str], str]:
    """(node, field) -> the unit of measure the scheme gives the field: as declared (计量 实际 人),
    else as its rules imply."""
    return implied_units(index) | {(name, m.field): m.unit for name, info in index.nodes.items()
                                   for m in info.node.measures}


def field_powers(index: SchemeIndex) -> dict[tuple[str, str], int]:
    """(node, field) -> the power of ten its bare figures are in, where not 0 (计量 实际 万元: 4)."""
    return {key: power for key, unit in field_units(index).items() if (power := declared_unit(unit)[1])}


@functools.lru_cache(maxsize=4)
def implied_units(index: SchemeIndex) -> dict[tuple[str, str], str]:
    """(node, field) -> the unit of a figure the field is compared with or added to (体检率 >= 95%
    is a percentage; 每少 10人 counts 任务 and 实际 in 人), or of the bands of a 分档 on it; an item's
    任务 and 实际 share theirs. A field given two units is given none. A field 每人 20元 按 X
    counts is in 人 where nothing else gives it a unit."""
    found: dict[tuple[str, str], str | None] = {}

    def give(node: str | None, ref, unit: str) -> None:
        if isinstance(ref, ast.Ref) and unit not in ("", "分"):
            resolved = index.resolve(node, ref)
            if resolved[0] == "field":
                key = resolved[1:]
                found[key] = unit if found.get(key, unit) == unit else None

    def walk(node: str | None, part) -> None:
        match part:
            case ast.Compare(left=l, right=r) | ast.Binary(op="+" | "-", left=l, right=r):
                for a, b in ((l, r), (r, l)):
                    if isinstance(b, ast.Literal):
                        give(node, a, b.quantity.unit)
            case ast.Tiers(measure=m, bands=bands) if any("%" in b.text for b in bands):
                give(node, m, "%")
            case ast.Deduction(step=step, count=None, condition=None) if step is not None:
                for f in (TARGET, ACTUAL):
                    give(node, ast.Ref(None, f, part.pos), step.unit)
            case ast.Deduction(step=step, count=count) if step is not None:
                give(node, count, step.unit)
            case ast.PerPerson(count=count):  # 每人 20元 按 X: X counts people, whole and not below 0
                heads.append((node, count))
        for name, child in ast.parts(part):
            if name != "children":  # a section's items are walked as nodes of their own
                walk(node, child)

    heads: list[tuple[str | None, ast.Expr]] = []
    for name, info in index.nodes.items():
        walk(name, info.node)
    for part in (*index.scheme.vetoes, *index.scheme.deductions, *index.scheme.awards):
        walk(getattr(part, "name", None), part)
    for node, count in heads:  # 人 where nothing else says: a field counted in 人次 elsewhere stays so
        if isinstance(count, ast.Ref) and (resolved := index.resolve(node, count))[0] == "field" \
                and resolved[1:] not in found:
            found[resolved[1:]] = "人"
    for name in index.nodes:  # a target and its actual are figures of one measure
        target, actual = found.get((name, TARGET)), found.get((name, ACTUAL))
        if (target is None) != (actual is None):
            found[(name, TARGET)] = found[(name, ACTUAL)] = target or actual
    return {key: unit for key, unit in found.items() if unit}


def award_fields(index: SchemeIndex) -> dict[tuple[str, str], str]:
    """(node, field) -> the kind of value, for every data field an award may read: what the
    award's conditions read is yes/no unless compared, the rest numbers."""
    found: dict[tuple[str, str], str] = {}

    def walk(award: str, node, kind: str) -> None:
        if isinstance(node, (ast.Ref, ast.Binary, ast.Compare, ast.Logical, ast.Not)):
            found.update((k, v) for k, v in _expr_fields(index, award, node, kind).items() if k not in found)
            return
        for name, child in ast.parts(node):
            walk(award, child, FLAG if name in ("condition", "eligible") else NUMBER)

    for award in index.scheme.awards:
        walk(award.name, award, NUMBER)
    return found


def _refs(expr: ast.Expr):
    match expr:
        case ast.Ref():
            yield expr
        case ast.Binary(left=l, right=r) | ast.Compare(left=l, right=r):
            yield from _refs(l)
            yield from _refs(r)
        case ast.Logical(operands=ops):
            for o in ops:
                yield from _refs(o)
        case ast.Not(operand=o):
            yield from _refs(o)


def check(scheme: ast.Scheme, data: Dataset | None = None, source: str | None = None,
          index: SchemeIndex | None = None, values: bool = True,
          problems: list[Diagnostic] = ()) -> list[Diagnostic]:
    """All warnings; raises SchemeCheckError if there is any error (with the warnings too).
    `values=False`: the data's values are not in `data` (the fast path reads them as columns);
    `problems`: those found reading the data, raised with the rest."""
    checker = _Checker(scheme, index or SchemeIndex(scheme), source)
    checker.found.extend(problems)
    checker.run()
    if data is not None:
        checker.check_with_data(data)
        if values:
            checker.check_fields_present(data)
    errors = [d for d in checker.found if not d.is_warning]
    if errors:  # missing data (E3xx) is the data's fault, not the scheme's
        raise (DataError if all(d.code.startswith("E3") for d in errors) else SchemeCheckError)(checker.found)
    return checker.found


def _holds(band: ast.Band, x) -> bool:
    return (band.low is None or band.low < x or (band.low == x and band.low_inclusive)) and \
        (band.high is None or x < band.high or (x == band.high and band.high_inclusive))


def _below(band: ast.Band, x) -> bool:
    """Every value of the band is below x."""
    return band.high is not None and (band.high < x or (band.high == x and not band.high_inclusive))


def _above(band: ast.Band, x) -> bool:
    return band.low is not None and (band.low > x or (band.low == x and not band.low_inclusive))


def _inside(a: ast.Band, b: ast.Band) -> bool:
    """Every value of band a is in band b."""
    low = b.low is None or (a.low is not None and (b.low < a.low or (b.low == a.low and (b.low_inclusive or not a.low_inclusive))))
    high = b.high is None or (a.high is not None and (a.high < b.high or (a.high == b.high and (b.high_inclusive or not a.high_inclusive))))
    return low and high


def _most(rule, points: Decimal) -> Decimal | None:
    """The most a rule can give an item of these points, where the rule bounds it; None where
    data can take it to the item's points (or it cannot be told)."""
    match rule:
        case ast.Tiers(bands=bands, otherwise=otherwise):
            return max([b.points.value for b in bands] + [otherwise.value if otherwise else Decimal(0)])
        case ast.Levels(entries=entries, combine="max"):
            return max(e.points.value for e in entries)
        case ast.Fixed(points=p):
            return p.value
        case ast.Assessed(bands=bands) if bands:
            return max(b.high.value for b in bands) * points
        case ast.Projects(classes=classes) if all(c.up_to for c in classes):
            return sum((c.up_to.value for c in classes), Decimal(0))
        case ast.Conditional(then=then, otherwise=otherwise):
            both = (_most(then, points), _most(otherwise, points))
            return None if None in both else max(both)
    return None


def _range_order(name: str, band: str, low, high) -> str:
    """A range written high to low (10号 writes "100-80%"), or past 100% of the points."""
    show = lambda q: q.text if isinstance(q, ast.Quantity) else plain(q * 100) + "%"
    value = lambda q: q.value if isinstance(q, ast.Quantity) else q
    if value(low) > value(high):
        return f"{name}：{band} 从高到低写了（{show(low)} 至 {show(high)}）：请写成 {show(high)} 至 {show(low)}"
    return f"{name}：{band} 超过满分（{show(high)}）"
