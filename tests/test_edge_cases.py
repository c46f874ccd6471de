"""Semantic edge cases, each pinned: ties at every rank position, a group of one, no eligible
unit, every unit vetoed, long chains of measures."""
from __future__ import annotations

import time
from decimal import Decimal

import pytest

from kpidsl.numbers import plain
from conftest import UNITS, evaluate, item_score

RANK = "排名 降序 按 值 全体 依次递减 1分"


@pytest.mark.parametrize("values,expected", [
    (["5", "5", "5", "5", "5"], ["5", "5", "5", "5", "5"]),        # all tied at first
    (["9", "5", "5", "1", "0"], ["5", "4", "4", "2", "1"]),        # tie in the middle
    (["9", "8", "7", "1", "1"], ["5", "4", "3", "2", "2"]),        # tie at the end
    (["1", "9", "9", "9", "9"], ["1", "5", "5", "5", "5"]),        # four tied first
])
def test_ties_at_every_rank_position(tmp_path, values, expected):
    r = item_score(tmp_path, "5分", RANK, {(u, "测", "值"): v for (u, _), v in zip(UNITS, values)})
    assert [plain(r[u].score) for u, _ in UNITS] == expected


def test_a_group_of_one_unit_is_first_in_its_group(tmp_path):
    units = [("甲镇", "镇"), ("乙镇", "镇"), ("丁区", "区")]
    values = {(u, "测", "值"): v for (u, _), v in zip(units, ["1", "2", "0"])}
    r = item_score(tmp_path, "5分", "排名 降序 按 值 分组内 依次递减 1分", values, units=units)
    assert plain(r["丁区"].score) == "5" and plain(r["甲镇"].score) == "4"


def test_no_eligible_unit_gives_everyone_the_ineligible_points(tmp_path):
    values = {(u, "测", k): v for u, _ in UNITS for k, v in (("值", "3"), ("达标", "否"))}
    r = item_score(tmp_path, "5分", "排名 降序 按 值 全体 仅限 达标 依次递减 1分", values)
    assert {plain(i.score) for i in r.values()} == {"0"}
    assert all("不符合排名条件" in i.lines[0].arithmetic for i in r.values())


def test_every_unit_vetoed(tmp_path):
    body = "板块 总 10分 { 指标 测 10分 { 满分 } 一票否决 事故 }\n"
    units = evaluate(tmp_path, body, {(u, "总", "事故"): "是" for u, _ in UNITS})
    assert {u.total for u in units.values()} == {Decimal("0.00")}
    assert {u.rank for u in units.values()} == {1}
    for unit in units.values():
        assert unit.full + sum(e.points for e in unit.ledger()) == unit.total


def test_a_long_chain_of_measures_is_linear_work(tmp_path):
    lets = "计算 m0 = 值\n" + "".join(f"计算 m{i} = m{i - 1} + m{i - 1}\n" for i in range(1, 60))
    body = lets + "板块 总 1分 { 指标 测 1分 { 达标 m59 > 0 } }\n"
    start = time.perf_counter()
    units = evaluate(tmp_path, body, {(u, "总分", "值"): "1" for u, _ in UNITS})
    assert time.perf_counter() - start < 5
    assert all(u.total == 1 for u in units.values())
