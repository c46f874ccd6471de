"""Properties of money rules over generated data (hypothesis)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from hypothesis import given, strategies as st

from kpidsl.data import Cell, Dataset, Unit, parse_value
from kpidsl.engine import evaluate
from kpidsl.parser import parse


@lru_cache(maxsize=None)
def scheme(text: str):
    return parse(text, "m.kpi")


def run(text: str, cells: dict, n: int):
    """Scores and awards over in-memory data: cells maps (unit index, node, field) to text."""
    units = [Unit(f"u{i}", "镇", (), "units") for i in range(n)]
    values = {(f"u{i}", node, field): Cell(parse_value(v), v, "", "values") for (i, node, field), v in cells.items()}
    data = Dataset(units, values, {}, ("values",))
    parsed = scheme(text)
    evaluation = evaluate(parsed, data)
    return evaluation.results(), evaluation.awards()


def paid(awards, award: str) -> dict[str, Decimal]:
    return {u: next(p.amount for p in ps if p.award == award) for u, ps in awards.payments.items()}


SCORE = "板块 s 100分 { 指标 x 100分 { 按比例 } }\n"
unit_rows = st.lists(st.tuples(st.integers(0, 150), st.booleans(), st.integers(0, 25), st.booleans()),
                     min_size=1, max_size=9)


def cells_of(rows) -> dict:
    cells = {}
    for i, (actual, ok, complaints, fraud) in enumerate(rows):
        cells.update({(i, "x", "任务"): "100", (i, "x", "实际"): str(actual), (i, "奖", "合格"): "是" if ok else "否",
                      (i, "奖", "投诉"): str(complaints), (i, "奖", "弄虚作假"): "是" if fraud else "否"})
    return cells


BANDS = SCORE + "奖励 奖 { 仅限 合格 排名 降序 按 总分 名次 1: 500元 名次 2 至 3: 300元 并列跨档 平均 }\n"


@given(unit_rows)
def test_bands_pay_nothing_outside_eligibility_and_never_more_than_the_top_band(rows):
    _, awards = run(BANDS, cells_of(rows), len(rows))
    for i, (_, ok, _, _) in enumerate(rows):
        amount = paid(awards, "奖")[f"u{i}"]
        assert 0 <= amount <= 500
        if not ok:
            assert amount == 0


FACTOR = SCORE + """奖励 奖 {
  仅限 合格
  因素分配 1000元 按 x.得分
  每 1次 投诉 扣 5%
  一票否决 弄虚作假
}
"""
NO_DEDUCTIONS = SCORE + "奖励 奖 { 仅限 合格 因素分配 1000元 按 x.得分 }\n"


@given(unit_rows)
def test_factor_shares_are_non_negative_and_add_up_to_the_pool_exactly(rows):
    results, awards = run(NO_DEDUCTIONS, cells_of(rows), len(rows))
    amounts = paid(awards, "奖")
    assert all(a >= 0 for a in amounts.values())
    anyone = any(ok and u.total > 0 for (_, ok, _, _), u in
                 zip(rows, sorted(results.units, key=lambda u: int(u.unit[1:]))))
    assert sum(amounts.values()) == (Decimal(1000) if anyone else 0)


@given(unit_rows)
def test_each_complaint_takes_five_percent_of_the_base_and_fraud_takes_all(rows):
    _, base = run(NO_DEDUCTIONS, cells_of(rows), len(rows))
    _, awards = run(FACTOR, cells_of(rows), len(rows))
    for i, (_, _, complaints, fraud) in enumerate(rows):
        before, after = paid(base, "奖")[f"u{i}"], paid(awards, "奖")[f"u{i}"]
        expected = Decimal(0) if fraud else max(before - before * Decimal(complaints) * Decimal("0.05"), Decimal(0))
        assert after == expected.quantize(Decimal("0.01"), ROUND_HALF_UP)  # as officials round
    total = awards.totals[0]
    assert total.paid + total.kept_back == Decimal(1000) or total.paid == 0


@given(st.integers(0, 300), st.integers(0, 300), st.integers(1, 200))
def test_per_head_amounts_are_monotone_in_the_count(a, b, target):
    text = SCORE + "奖励 补 { 每人 20元 按 x.实际 超出 x.任务 每人 30元 }\n"
    low, high = sorted((a, b))
    amounts = []
    for actual in (low, high):
        _, awards = run(text, {(0, "x", "任务"): str(target), (0, "x", "实际"): str(actual)}, 1)
        amounts.append(paid(awards, "补")["u0"])
    assert 0 <= amounts[0] <= amounts[1]
    assert amounts[1] - amounts[0] <= 30 * (high - low)
