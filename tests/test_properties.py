"""Properties of rule semantics, over generated data (hypothesis): bounds, monotonicity, rank
invariants, vetoes, caps, and explanations that add up."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

from hypothesis import given, strategies as st

from kpidsl.ast import Rounding
from kpidsl.data import Cell, Dataset, Unit, parse_value
from kpidsl.engine import evaluate
from kpidsl.numbers import round_to
from kpidsl.parser import parse

GROUPS = ["主功能区", "镇"]


@lru_cache(maxsize=None)
def scheme(text: str):
    return parse(text, "p.kpi")


def run(text: str, cells: dict, groups: list[str]):
    """Evaluate a scheme over in-memory data: cells maps (unit index, item, field) to text."""
    units = [Unit(f"u{i}", g, (), f"units 第 {i + 2} 行") for i, g in enumerate(groups)]
    values = {(f"u{i}", item, field): Cell(parse_value(v), v, "", "values")
              for (i, item, field), v in cells.items()}
    results = evaluate(scheme(text), Dataset(units, values, {}, ("values",))).results()
    return {u.unit: u for u in results.units}


def item_of(unit):
    return next(unit.items())


counts = st.integers(min_value=0, max_value=5000)
targets = st.integers(min_value=1, max_value=5000)
group_lists = st.lists(st.sampled_from(GROUPS), min_size=1, max_size=12)

PROPORTIONAL = "板块 s 20分 { 指标 x 20分 { 按比例 实际 / 任务 未达 70% 不得分 } }"
MEET = "板块 s 3分 { 指标 x 3分 { 达标 } }"
DEDUCT = "板块 s 2分 { 指标 x 2分 { 每少 10人 扣 1分 不足一档 按比例计 } }"


def one_unit(text, target, actual):
    return item_of(run(text, {(0, "x", "任务"): str(target), (0, "x", "实际"): str(actual)}, ["镇"])["u0"])


@given(targets, counts, counts)
def test_proportional_is_bounded_and_monotone_in_the_actual(target, a, b):
    low, high = sorted((a, b))
    s_low, s_high = one_unit(PROPORTIONAL, target, low), one_unit(PROPORTIONAL, target, high)
    assert 0 <= s_low.score <= s_high.score <= 20
    if Fraction(low, target) < Fraction(7, 10):
        assert s_low.score == 0
    if low >= target:
        assert s_low.score == 20


@given(targets, counts, counts)
def test_target_is_all_or_nothing_and_monotone(target, a, b):
    low, high = sorted((a, b))
    s_low, s_high = one_unit(MEET, target, low).score, one_unit(MEET, target, high).score
    assert s_low in (0, 3) and s_high in (0, 3) and s_low <= s_high


@given(targets, counts, counts)
def test_deduct_per_is_monotone_in_the_shortfall_and_stops_at_zero(target, a, b):
    low, high = sorted((a, b))  # the higher actual has the smaller shortfall
    s_short, s_less_short = one_unit(DEDUCT, target, low).score, one_unit(DEDUCT, target, high).score
    assert 0 <= s_short <= s_less_short <= 2


@given(group_lists, st.data())
def test_rank_gives_the_top_eligible_full_points_and_never_rises_with_rank(groups, data):
    text = ("板块 s 5分 { 指标 x 5分 { 排名 降序 按 值 分组内 仅限 达标 "
            "依次递减 主功能区 0.5分, 镇 0.25分 } }")
    cells = {}
    for i in range(len(groups)):
        cells[(i, "x", "值")] = str(data.draw(st.integers(0, 20)))
        cells[(i, "x", "达标")] = data.draw(st.sampled_from(["是", "否"]))
    units = run(text, cells, groups)
    for group in GROUPS:
        members = [(i, Decimal(cells[(i, "x", "值")])) for i, g in enumerate(groups)
                   if g == group and cells[(i, "x", "达标")] == "是"]
        scores = [item_of(units[f"u{i}"]).score for i, _ in sorted(members, key=lambda m: -m[1])]
        if scores:
            assert scores[0] == 5
        assert all(a >= b >= 0 for a, b in zip(scores, scores[1:]))
    for i, g in enumerate(groups):
        if cells[(i, "x", "达标")] == "否":
            assert item_of(units[f"u{i}"]).score == 0


@given(counts, st.sampled_from(["是", "否"]))
def test_a_veto_zeroes_its_item_whatever_else(missed, vetoed):
    text = "板块 s 3分 { 指标 x 3分 { 每 1例 漏核 扣 0.5分 一票否决 冒领 } }"
    unit = run(text, {(0, "x", "漏核"): str(missed), (0, "x", "冒领"): vetoed}, ["镇"])["u0"]
    if vetoed == "是":
        assert item_of(unit).score == 0 and unit.total == 0


@given(st.lists(st.sampled_from(["本市级", "南通市级", "省级", "国家级"]), max_size=8))
def test_summed_levels_never_pass_the_cap(levels):
    from kpidsl.data import Record

    text = ("板块 s 4分 { 指标 x 4分 { 等级 { 本市级: 1分 南通市级: 2分 省级: 3分 国家级: 4分 } 求和 "
            "封顶 3分 } }")
    units = [Unit("u0", "镇", (), "units")]
    records = {("u0", "x"): [Record(f"p{i}", level, "records") for i, level in enumerate(levels)]}
    results = evaluate(scheme(text), Dataset(units, {}, records, ())).results()
    points = {"本市级": 1, "南通市级": 2, "省级": 3, "国家级": 4}
    assert next(results.units[0].items()).score == min(3, sum(points[l] for l in levels))


WEIGHTED = """总分 = 甲 × 60% + 乙 × 40% + 奖
板块 甲 100分 {
  指标 a 55分 { 按比例 实际 / 任务 未达 70% 不得分 }
  指标 b 45分 { 每少 7人 扣 1.5分 不足一档 按比例计 }
}
板块 乙 100分 {
  指标 c 60分 { 按比例 }
  指标 d 40分 { 排名 降序 按 实际 全体 依次递减 3.3分 }
  每 1例 事故 扣 12.5分
}
加分板块 奖 2分 { 指标 e 2分 { 按比例 } }
"""


@given(st.lists(st.tuples(targets, counts, counts, counts, targets, counts, counts, st.integers(0, 9)),
                min_size=1, max_size=6))
def test_the_ledger_balances_for_any_data(rows):
    cells = {}
    for i, (t1, a1, a2, a3, t2, a4, a5, accidents) in enumerate(rows):
        cells.update({(i, "a", "任务"): str(t1), (i, "a", "实际"): str(a1),
                      (i, "b", "任务"): str(t1), (i, "b", "实际"): str(a2),
                      (i, "c", "任务"): str(t2), (i, "c", "实际"): str(a3),
                      (i, "d", "实际"): str(a4), (i, "e", "任务"): str(t2), (i, "e", "实际"): str(a5),
                      (i, "乙", "事故"): str(accidents)})
    for unit in run(WEIGHTED, cells, ["镇"] * len(rows)).values():
        assert unit.full + sum(e.points for e in unit.ledger()) == unit.total
        for item in unit.items():
            assert sum((l.lost for l in item.lines), Decimal(0)) == item.lost
            assert 0 <= item.score <= item.max
        assert unit.total == unit.total.quantize(Decimal("0.01"))


@given(st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False))
def test_rounding_half_up_matches_hand_rounding(x):
    assert round_to(Fraction(x), Rounding(2, "half_up")) == x.quantize(Decimal("0.01"), ROUND_HALF_UP)
