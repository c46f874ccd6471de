"""排名: full points for the first, then a step less per place (per group, 依次递减), among the
units (in the group, 分组内) that may be ranked; ineligible units and units with no data get
the points the scheme gives them (default 0). Equal keys share a place."""
from decimal import Decimal
from fractions import Fraction
from functools import cache

import numpy as np

from ... import ast
from ...ast import say_expr, show_expr
from ...numbers import plain, show, show_percent
from ...result import Line
from .. import num
from ..core import Reads, _decimal_arrays
from . import Outcome

SHOWN = 30  # standings longer than this are cut in explanations


def step_of(rule: ast.Rank, group: str) -> Decimal:
    for step in rule.steps:
        if step.group == group:
            return step.points.value
    return next((s.points.value for s in rule.steps if s.group is None), Decimal(0))


def pools(engine, within_group: bool) -> list[np.ndarray]:
    if not within_group:
        return [np.arange(engine.size)]
    return [np.flatnonzero(engine.group == g) for g in range(len(engine.group_names))]


class Pool:
    """The key of every unit for one rank rule, who is ranked, and the places (computed once)."""

    def __init__(self, engine, at, rule: ast.Rank):
        self.reads = Reads()
        self.key = engine.number(at, rule.key, self.reads)
        self.has_key = self.key.err == 0
        self.ok = self.has_key.copy()
        dropped = engine.not_applicable(at.scored)
        if dropped is not None:  # a unit the item does not apply to is in no pool
            self.ok &= ~dropped
        self.err = self.key.err if rule.no_data_points is None else np.zeros(engine.size, np.int32)
        if rule.eligible is not None:
            eligible = engine.truth(at, rule.eligible, self.reads, self.has_key)
            self.err = num.first_error(self.err, np.where(self.has_key, eligible.err, 0))
            self.ok &= eligible.n.astype(bool) & (eligible.err == 0)
        self.position = np.zeros(engine.size, np.int64)
        self.count = np.zeros(engine.size, np.int64)
        self.heads: list[tuple[np.ndarray, list]] = []  # per pool: its members, its head (index, place)
        for members in pools(engine, rule.within_group):
            ordered, before, _ = num.runs(self.key, members[self.ok[members]], rule.descending)
            place = num.ranks(before, rule.ties == "dense")
            self.position[ordered] = place
            self.count[members] = len(ordered)
            last = int(place[min(SHOWN, len(place)) - 1]) if len(place) else 0
            self.heads.append((members, list(zip(ordered[place <= last].tolist(), place[place <= last].tolist()))))
        self.pool_of = np.zeros(engine.size, np.int64)
        for p, (members, _) in enumerate(self.heads):
            self.pool_of[members] = p


def evaluate(engine, at, rule: ast.Rank, top: Fraction, reads, mask) -> Outcome:
    pool = Pool(engine, at, rule)
    n, d = _decimal_arrays([step_of(rule, g) for g in engine.group_names] + [Decimal(0)])
    step = num.number(n[engine.group], d[engine.group], engine.zeros())
    places = num.number(pool.position - 1, np.ones(engine.size, np.int64), engine.zeros())
    unfloored = num.sub(engine.const(top), num.mul(places, step))
    earned = num.larger(unfloored, engine.const(0))
    other = engine.const(rule.ineligible_points.value if rule.ineligible_points else 0)
    if rule.no_data_points is not None:
        other = num.where(pool.has_key, other, engine.const(rule.no_data_points.value))
    earned = num.where(pool.ok, earned, other)
    earned.err = pool.err
    ratio = engine.is_ratio(rule.key, at.node)
    shown_key = show_percent if ratio else show
    order = "降序" if rule.descending else "升序"
    names = [u.name for u in engine.data.units]

    @cache
    def standings(pool_index: int, count: int) -> str:
        """The head of a pool, the same in every member's explanation."""
        _, head = pool.heads[pool_index]
        ranked = sorted(((names[j], pool.key.fraction(j), p) for j, p in head), key=lambda e: (e[2], e[0]))
        parts = [f"{p}. {name} {shown_key(key)}" for name, key, p in ranked[:SHOWN]]
        if count > SHOWN:
            parts.append(f"……（共 {count} 个）")
        return "，".join(parts)

    key_shown = show_expr(rule.key)
    only = f"；仅限 {show_expr(rule.eligible)}" if rule.eligible else ""

    below_zero = num.compare(unfloored, engine.const(0)) < 0
    top_shown = show(top)

    @cache
    def text_of(group: str) -> str:
        where_ = f"{group}内" if rule.within_group else "全体单位"
        return f"按 {key_shown} {order}排名（{where_}），第一名得满分，其后依次递减 {plain(step_of(rule, group))}分{only}"

    def lines(idx):
        out = []
        for i, inputs, key, points in zip(idx.tolist(), pool.reads.rows(idx),
                                          num.texts(pool.key, idx, percent=ratio), num.texts(earned, idx)):
            group = engine.data.units[i].group
            has_key = pool.has_key[i]
            inputs = list(inputs) or [(key_shown, key if has_key else "无数据")]
            if not pool.ok[i]:
                given = rule.ineligible_points.value if rule.ineligible_points else Decimal(0)
                reason = "不符合排名条件" if has_key else "无数据"
                if not has_key and rule.no_data_points:
                    given = rule.no_data_points.value
                said = f"{'不符合排名条件（' + say_expr(rule.eligible) + '）' if has_key else '无排名数据'}，"
                out.append(Line("rank", text_of(group), tuple(inputs), f"{reason}，得 {plain(given)}分", Decimal(0),
                                rule.pos.line, said))
                continue
            position = int(pool.position[i])
            inputs.append(("排名", standings(int(pool.pool_of[i]), int(pool.count[i]))))
            arithmetic = (f"第 {position} 名（共 {pool.count[i]} 个单位参与）："
                          f"{top_shown} − {position - 1} × {plain(step_of(rule, group))} = {points}")
            if below_zero[i]:
                arithmetic += "，低于 0 按 0 计"
            said = (f"按{say_expr(rule.key)}{'从高到低' if rule.descending else '从低到高'}排名，"
                    f"在{group + '内' if rule.within_group else '全体单位中'}列第 {position} 名"
                    f"（共 {pool.count[i]} 个单位参与，第一名得满分，其后每名递减 {plain(step_of(rule, group))} 分），")
            out.append(Line("rank", text_of(group), tuple(inputs), arithmetic, Decimal(0), rule.pos.line, said))
        return out
    return Outcome(earned, lines)
