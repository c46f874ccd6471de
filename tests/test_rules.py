"""Each rule kind, pinned down on small schemes: what the policy sentence means in points."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from kpidsl.errors import DataError
from kpidsl.numbers import plain
from conftest import UNITS, evaluate, item_score
from kpidsl.pipeline import load_all


def same(field_values: dict, item="测") -> dict:
    """{(unit, item, field): value} for every unit from {field: [v per unit]}."""
    return {(u, item, f): vs[i] for f, vs in field_values.items() for i, (u, _) in enumerate(UNITS)}


def scores(result) -> list[str]:
    return [plain(result[u].score) for u, _ in UNITS]


# ---- target ------------------------------------------------------------------------
def test_target_full_when_actual_reaches_target(tmp_path):
    r = item_score(tmp_path, "3分", "达标", same({"任务": ["10"] * 5, "实际": ["9", "10", "11", "0", "10"]}))
    assert scores(r) == ["0", "3", "3", "0", "3"]


def test_target_lower_is_better(tmp_path):
    r = item_score(tmp_path, "2分", "达标 失业率 <= 4.5%", same({"失业率": ["4.5%", "4.6%", "3%", "10%", "0"]}))
    assert scores(r) == ["2", "0", "2", "0", "2"]


def test_target_yes_no_fact(tmp_path):
    r = item_score(tmp_path, "1分", "达标 有机制", same({"有机制": ["是", "否", "有", "无", "yes"]}))
    assert scores(r) == ["1", "0", "1", "0", "1"]


def test_target_on_text_value_is_a_named_error(tmp_path):
    with pytest.raises(DataError) as e:
        item_score(tmp_path, "1分", "达标 有机制", same({"有机制": ["是", "也许", "是", "是", "是"]}))
    assert "乙镇 / 测" in str(e.value) and "是/否" in str(e.value)


# ---- proportional ------------------------------------------------------------------
def test_proportional_scores_the_rate_rounded_half_up(tmp_path):
    r = item_score(tmp_path, "20分", "按比例 实际 / 任务 未达 70% 不得分",
                   same({"任务": ["737", "100", "100", "100", "100"], "实际": ["650", "70", "69", "120", "0"]}))
    assert scores(r) == ["17.64", "14", "0", "20", "0"]
    assert "88.20…%" in r["甲镇"].lines[0].arithmetic


def test_proportional_threshold_is_inclusive(tmp_path):
    r = item_score(tmp_path, "30分", "按比例 未达 70% 不得分",
                   same({"任务": ["680"] * 5, "实际": ["476", "475", "680", "700", "1"]}))
    assert scores(r) == ["21", "0", "30", "30", "0"]


def test_proportional_target_of_zero_is_an_error_unless_the_scheme_says(tmp_path):
    values = same({"任务": ["0", "10", "10", "10", "10"], "实际": ["5"] * 5})
    with pytest.raises(DataError) as e:
        item_score(tmp_path, "5分", "按比例", values)
    assert "E307" in str(e.value) and "甲镇" in str(e.value)
    r = item_score(tmp_path, "5分", "若 任务 = 0 则 满分 否则 按比例", values)
    assert scores(r) == ["5", "2.5", "2.5", "2.5", "2.5"]


def test_proportional_reverse_lower_is_better(tmp_path):
    """按比例 反向 (10号's 反向指标): full at or below 任务 (an 实际 of 0 too), else 任务 / 实际."""
    values = same({"任务": ["4.5%"] * 5, "实际": ["3%", "4.5%", "6%", "0", "9%"]})
    r = item_score(tmp_path, "10分", "按比例 反向", values)
    assert scores(r) == ["10", "10", "7.5", "10", "5"]
    line = next(l for l in r["丙镇"].lines if l.kind == "proportional")
    assert line.text.startswith("反向指标（越低越好）") and "比率 任务 / 实际 = 75%" in line.arithmetic
    assert "未超过任务，得满分" in next(l for l in r["甲镇"].lines if l.kind == "proportional").said
    (tmp_path / "t").mkdir()
    assert scores(item_score(tmp_path / "t", "10分", "按比例 反向 未达 60% 不得分", values)) == \
        ["10", "10", "7.5", "10", "0"]


@settings(max_examples=15)
@given(target=st.integers(1, 10_000), actuals=st.lists(st.integers(0, 30_000), min_size=5, max_size=5))
def test_proportional_reverse_never_rewards_a_higher_actual(tmp_path_factory, target, actuals):
    actuals = sorted(actuals)
    r = item_score(tmp_path_factory.mktemp("reverse"), "10分", "按比例 反向",
                   same({"任务": [str(target)] * 5, "实际": [str(a) for a in actuals]}))
    got = [r[u].score for u, _ in UNITS]
    assert got == sorted(got, reverse=True) and got[0] <= 10
    assert all(s == 10 for s, a in zip(got, actuals) if a <= target)


# ---- assessed ----------------------------------------------------------------------
def test_an_assessment_in_the_schemes_words_with_or_without_a_reason(rugao_copy):
    """评定 "由市人社局考核组评定" 无需理由: the explanation says who assessed, as the scheme does,
    and no reason is asked; without 无需理由 a missing reason is E311, as before."""
    from test_cli import kpi

    actuals = rugao_copy.parent / "rugao-2021/actuals-sample.csv"
    text = actuals.read_text(encoding="utf-8")
    given = next(l for l in text.splitlines() if l.startswith("丁堰镇,创新创优项目,评分,"))
    actuals.write_text(text.replace(given, ",".join(given.split(",")[:4]) + ","), encoding="utf-8")
    scheme = rugao_copy.read_text(encoding="utf-8")
    assert kpi("score", rugao_copy.name, cwd=rugao_copy.parent).returncode == 1  # the reason is missing
    rugao_copy.write_text(scheme.replace("      评定\n", '      评定 "由市人社局考核组评定" 无需理由\n', 1), encoding="utf-8")
    done = kpi("explain", rugao_copy.name, "丁堰镇", cwd=rugao_copy.parent)
    assert done.returncode == 0 and "评定得分（由市人社局考核组评定）" in done.stdout


# ---- given -------------------------------------------------------------------------
def test_a_score_given_in_the_data_is_taken_within_the_items_points(tmp_path):
    """得 系统考核得分: a mark given elsewhere (a system, an inspection), read as it is."""
    r = item_score(tmp_path, "10分", "得 系统考核得分", same({"系统考核得分": ["9.5", "10", "0", "7.25", "8"]}))
    assert scores(r) == ["9.5", "10", "0", "7.25", "8"]
    line = r["甲镇"].lines[0]
    assert (line.kind, line.text, line.arithmetic) == ("given", "得分取自 系统考核得分", "系统考核得分 = 9.5")
    (tmp_path / "t").mkdir()
    with pytest.raises(DataError) as e:
        item_score(tmp_path / "t", "10分", "得 系统考核得分", same({"系统考核得分": ["9.5", "12", "0", "-1", "8"]}))
    said = e.value.render()
    assert "乙镇 / 测：系统考核得分 12 超出允许范围 0–10（values.csv 第" in said and "丁区 / 测：系统考核得分 -1" in said


# ---- deduct-per --------------------------------------------------------------------
def test_deduct_per_person_stops_at_zero(tmp_path):
    r = item_score(tmp_path, "3分", "每少 1人 扣 0.1分",
                   same({"任务": ["150"] * 5, "实际": ["150", "146", "200", "100", "120"]}))
    assert scores(r) == ["3", "2.6", "3", "0", "0"]
    floor = [l for l in r["丁区"].lines if l.kind == "floor"]
    assert floor and floor[0].lost == Decimal("-2.0")


@pytest.mark.parametrize("partial,expected", [("不计", "1"), ("按比例计", "0.5"), ("按一档计", "0")])
def test_deduct_per_ten_partial_step_is_declared(tmp_path, partial, expected):
    r = item_score(tmp_path, "2分", f"每少 10人 扣 1分 不足一档 {partial}",
                   same({"任务": ["280"] * 5, "实际": ["265"] * 5}))
    assert plain(r["甲镇"].score) == expected


def test_deduct_per_ten_default_is_prorate_and_warned(tmp_path):
    from conftest import build
    from kpidsl.pipeline import load_all

    values = same({"任务": ["280"] * 5, "实际": ["265"] * 5})
    path = build(tmp_path, "板块 总 2分 {\n 指标 测 2分 { 每少 10人 扣 1分 }\n}\n", values)
    loaded = load_all(path)
    assert [w.code for w in loaded.warnings] == ["W201"]
    assert plain(next(loaded.evaluate().units[0].items()).score) == "0.5"


def test_deduct_per_incident_with_several_counters(tmp_path):
    r = item_score(tmp_path, "4分", "每 1例 未及时处置 扣 1分\n每 1例 未上传 扣 0.5分",
                   same({"未及时处置": ["0", "1", "2", "5", "0"], "未上传": ["0", "1", "2", "0", "3"]}))
    assert scores(r) == ["4", "2.5", "1", "0", "2.5"]


def test_deduct_per_percentage_point(tmp_path):
    r = item_score(tmp_path, "2分", "每降低 1% (100% - 体检率) 扣 0.1分 不足一档 按比例计",
                   same({"体检率": ["100%", "97.5%", "99%", "50%", "80%"]}))
    assert scores(r) == ["2", "1.75", "1.9", "0", "0"]


def test_per_group_constant(tmp_path):
    body = ("常量 要求 = 镇 1家, 区 2家\n"
            "板块 总 3分 {\n 指标 测 3分 { 每 1家 (要求 - 基地数) 扣 1分 }\n}\n")
    units = evaluate(tmp_path, body, same({"基地数": ["1", "0", "2", "1", "2"]}))
    assert [plain(next(units[u].items()).score) for u, _ in UNITS] == ["3", "2", "3", "2", "3"]


# ---- rank ---------------------------------------------------------------------------
RANK = "排名 降序 按 值 分组内 仅限 达标 依次递减 镇 0.25分, 区 0.5分"


def test_rank_within_group_only_eligible_units(tmp_path):
    r = item_score(tmp_path, "5分", RANK, same({"值": ["3", "2", "9", "1", "2"],
                                               "达标": ["是", "是", "否", "是", "是"]}))
    # 镇: 甲(3) 1st, 乙(2) 2nd, 丙 not eligible; 区: 戊(2) 1st, 丁(1) 2nd
    assert scores(r) == ["5", "4.75", "0", "4.5", "5"]


def test_rank_ties_share_a_rank(tmp_path):
    values = same({"值": ["3", "3", "1", "1", "1"], "达标": ["是"] * 5})
    r = item_score(tmp_path, "5分", RANK, values)
    assert scores(r) == ["5", "5", "4.5", "5", "5"]  # 1-1-3
    r = item_score(tmp_path, "5分", RANK + " 并列 紧随名次", values)
    assert scores(r) == ["5", "5", "4.75", "5", "5"]  # 1-1-2


def test_rank_overall_ascending_never_below_zero(tmp_path):
    r = item_score(tmp_path, "0.5分", "排名 升序 按 值 全体 依次递减 0.2分",
                   same({"值": ["1", "2", "3", "4", "5"]}))
    assert scores(r) == ["0.5", "0.3", "0.1", "0", "0"]


def test_rank_ineligible_points_and_missing_data(tmp_path):
    values = same({"值": ["3", "2", "1", "1", "1"], "达标": ["是", "否", "是", "是", "是"]})
    del values[("丙镇", "测", "值")]
    with pytest.raises(DataError) as e:
        item_score(tmp_path, "5分", RANK, values)
    assert "E305" in str(e.value) and "丙镇 / 测 / 值" in str(e.value)
    r = item_score(tmp_path, "5分", RANK + " 不符合得 1分 无数据得 0.5分", values)
    assert scores(r)[:3] == ["5", "1", "0.5"]


# ---- tiers, levels, projects, assessed ---------------------------------------------
def test_tiers_take_the_band_reached(tmp_path):
    rule = "分档 调撤率 { >= 10%: 1分 >= 20%: 2分 >= 30%: 3分 >= 40%: 4分 >= 50%: 5分 否则: 0分 }"
    r = item_score(tmp_path, "5分", rule, same({"调撤率": ["9.99%", "10%", "35%", "50%", "100%"]}))
    assert scores(r) == ["0", "1", "3", "5", "5"]


def test_tier_ranges_include_lower_edge_and_the_top_band_its_upper(tmp_path):
    # "a 至 b": [a, b), except the band no other band continues (the top one) holds b
    rule = "分档 率 { 40% 至 50%: 1分  50% 至 60%: 2分  否则: 0分 }"
    r = item_score(tmp_path, "2分", rule, same({"率": ["39%", "40%", "49.9%", "50%", "60%"]}))
    assert scores(r) == ["0", "1", "1", "2", "2"]
    # each end declared: 含 / 不含, bracketed or not
    rule = "分档 率 { 40%（不含） 至 50% 含: 1分  50% 不含 至 60%（不含）: 2分  否则: 0分 }"
    r = item_score(tmp_path, "2分", rule, same({"率": ["39%", "40%", "49.9%", "50%", "60%"]}))
    assert scores(r) == ["0", "0", "1", "1", "0"]


def test_levels_highest_or_sum_capped(tmp_path):
    levels = "等级 { 本市级: 1分  南通市级: 2分  省级: 3分  国家级: 4分 }"
    records = [("甲镇", "测", "a", "本市级"), ("甲镇", "测", "b", "省级"),
               ("乙镇", "测", "a", "国家级"), ("乙镇", "测", "b", "国家级")]
    r = item_score(tmp_path, "4分", levels + " 取最高", {}, records=records)
    assert scores(r) == ["3", "4", "0", "0", "0"]
    r = item_score(tmp_path, "4分", levels + " 求和", {}, records=records)
    assert scores(r)[:2] == ["4", "4"]  # 8 capped at the item's 4
    assert any(l.kind == "cap" for l in r["乙镇"].lines)


def test_projects_count_once_at_best_level_with_class_limits(tmp_path):
    rule = """按项目就高 {
        双创评选成功: 每项 3分
        双创申报: 每项 1分
        省级, 南通市级: 每项 1分 最多 2分
        如皋市级: 每项 0.5分 最多 1.5分
      }"""
    records = [("甲镇", "测", "张某", "双创申报"), ("甲镇", "测", "张某", "双创评选成功"),
               ("乙镇", "测", "a", "省级"), ("乙镇", "测", "b", "南通市级"), ("乙镇", "测", "c", "省级"),
               ("丙镇", "测", "a", "如皋市级"), ("丙镇", "测", "b", "如皋市级"),
               ("丁区", "测", "a", "如皋市级"), ("丁区", "测", "a", "省级"), ("丁区", "测", "b", "省级")]
    r = item_score(tmp_path, "3分", rule, {}, records=records)
    assert scores(r) == ["3", "2", "1", "2", "0"]


def test_projects_unknown_level_names_the_record_row(tmp_path):
    with pytest.raises(DataError) as e:
        item_score(tmp_path, "3分", "按项目就高 { 省级: 每项 1分 }", {}, records=[("甲镇", "测", "a", "县级")])
    assert "records.csv 第 2 行" in str(e.value) and "县级" in str(e.value)


def test_assessed_score_needs_a_reason_and_stays_in_band(tmp_path):
    values = same({"评分": ["4", "2.5", "0", "1", "3.2"], "档位": ["达成", "部分达成", "未达成", "未达成", "达成"]})
    rule = "评定 { 达成: 80% 至 100%  部分达成: 50% 至 80%  未达成: 0% 至 50% }"
    r = item_score(tmp_path, "4分", rule, values)
    assert scores(r) == ["4", "2.5", "0", "1", "3.2"]
    values[("乙镇", "测", "评分")] = "3.5"
    with pytest.raises(DataError) as e:
        item_score(tmp_path, "4分", rule, values)
    assert "超出允许范围 2（含）–3.2（不含）" in str(e.value)
    # 3.2 is 80%: the 达成 band's, as 10号's "100-80%（含80%）、80-50%（含50%）" reads
    values[("乙镇", "测", "评分")] = "3.2"
    with pytest.raises(DataError) as e:
        item_score(tmp_path, "4分", rule, values)
    assert "评定分 3.2 超出允许范围" in str(e.value)


# ---- veto, cap, conditional, sections ----------------------------------------------
def test_veto_zeroes_the_item(tmp_path):
    r = item_score(tmp_path, "3分", "每 1例 漏核 扣 0.5分\n一票否决 冒领未追缴",
                   same({"漏核": ["0", "1", "0", "0", "0"], "冒领未追缴": ["否", "否", "是", "否", "否"]}))
    assert scores(r) == ["3", "2.5", "0", "3", "3"]
    assert r["丙镇"].lines[-1].kind == "veto"


def test_section_veto_takes_all_its_points_and_section_deductions_stop_at_zero(tmp_path):
    body = """板块 总 30分 {
      板块 退管 10分 {
        指标 甲 10分 { 达标 }
        一票否决 重大事故
      }
      板块 劳动 20分 {
        指标 乙 20分 { 达标 }
        每 1例 集访 扣 2分
      }
    }
    """
    values = {}
    for u, _ in UNITS:
        values.update({(u, "甲", "任务"): "1", (u, "甲", "实际"): "1", (u, "乙", "任务"): "1",
                       (u, "乙", "实际"): "1", (u, "退管", "重大事故"): "是" if u == "甲镇" else "否",
                       (u, "劳动", "集访"): {"甲镇": "0", "乙镇": "3", "丙镇": "11"}.get(u, "0")})
    units = evaluate(tmp_path, body, values)
    assert units["甲镇"].total == Decimal("20.00")
    assert units["乙镇"].total == Decimal("24.00")
    assert units["丙镇"].total == Decimal("10.00")
    lines = units["丙镇"].sections[0].children[1].lines
    assert [l.kind for l in lines] == ["deduct", "floor"]


def test_total_veto_caps_the_total(tmp_path):
    body = "板块 总 100分 { 指标 甲 100分 { 达标 } }\n一票否决 弄虚作假 总分不超过 60分\n"
    values = {}
    for u, _ in UNITS:
        values.update({(u, "甲", "任务"): "1", (u, "甲", "实际"): "1",
                       (u, "总分", "弄虚作假"): "是" if u == "乙镇" else "否"})
    units = evaluate(tmp_path, body, values)
    assert units["乙镇"].total == Decimal("60.00") and units["甲镇"].total == Decimal("100.00")


def test_weights_and_bonus_after_weighting(tmp_path):
    body = """总分 = 甲 × 60% + 乙 × 40% + 奖
    板块 甲 100分 { 指标 a 100分 { 按比例 } }
    板块 乙 100分 { 指标 b 100分 { 按比例 } }
    加分板块 奖 2分 { 指标 c 2分 { 按比例 } }
    """
    values = {}
    for u, _ in UNITS:
        for item, actual in (("a", "50"), ("b", "100"), ("c", "75")):
            values.update({(u, item, "任务"): "100", (u, item, "实际"): actual})
    unit = evaluate(tmp_path, body, values)["甲镇"]
    assert unit.total == Decimal("71.50")  # 50×0.6 + 100×0.4 + 1.5
    assert unit.full == Decimal(100) and unit.bonus == Decimal("1.50")


def test_tier_for_an_exact_value(tmp_path):
    r = item_score(tmp_path, "3分", "分档 有数 { = 1个: 1分  = 2个: 2分  >= 3个: 3分 }",
                   same({"有数": ["0", "1", "2", "3", "9"]}))
    assert scores(r) == ["0", "1", "2", "3", "3"]


def test_bonus_before_weighting_is_a_bonus_section_inside_a_weighted_one(tmp_path):
    body = """总分 = 甲 × 50% + 乙 × 50%
    板块 甲 100分 {
      指标 a 100分 { 按比例 }
      加分板块 奖 10分 { 指标 b 10分 { 按比例 } }
    }
    板块 乙 100分 { 指标 c 100分 { 按比例 } }
    """
    values = {}
    for u, _ in UNITS:
        for item, actual in (("a", "50"), ("b", "100"), ("c", "100")):
            values.update({(u, item, "任务"): "100", (u, item, "实际"): actual})
    unit = evaluate(tmp_path, body, values)["甲镇"]
    assert unit.sections[0].score == Decimal("60")  # 50 + the bonus 10, above its 100 points' share
    assert unit.total == Decimal("80.00")  # 60 × 50% + 100 × 50%
    assert unit.full + sum(e.points for e in unit.ledger()) == unit.total


def test_parts_above_the_section_points_are_capped_and_explained(tmp_path):
    body = """板块 甲 40分 {
      分值说明 "原文各项合计42分，板块按40分封顶"
      指标 a 30分 { 按比例 }
      指标 b 12分 { 按比例 }
    }
    """
    values = {}
    for u, _ in UNITS:
        for item in ("a", "b"):
            values.update({(u, item, "任务"): "10", (u, item, "实际"): "10" if u == "甲镇" else "5"})
    units = evaluate(tmp_path, body, values)
    assert units["甲镇"].total == Decimal("40.00")
    assert units["乙镇"].total == Decimal("21.00")
    kinds = [l.kind for l in units["甲镇"].sections[0].lines]
    assert kinds == ["points_mismatch", "cap"]
    for unit in units.values():
        assert unit.full + sum(e.points for e in unit.ledger()) == unit.total


def test_conditional_deduction(tmp_path):
    r = item_score(tmp_path, "4分", "每 1次 不正常 扣 0.5分\n若 台账不全 扣 2分",
                   same({"不正常": ["0", "1", "0", "3", "8"], "台账不全": ["否", "否", "是", "是", "是"]}))
    assert scores(r) == ["4", "3.5", "2", "0.5", "0"]


def test_points_scaled_to_the_declared_section_points(tmp_path):
    body = """板块 总 8分 {
      板块 技能提升培训 8分 {
        分值说明 折算 "培训和鉴定取证各3分，原表列8分"
        指标 培训 3分 { 按比例 }
        指标 取证 3分 { 按比例 }
      }
    }
    """
    values = {}
    for u, _ in UNITS:
        values.update({(u, "培训", "任务"): "10", (u, "培训", "实际"): "10" if u == "甲镇" else "5",
                       (u, "取证", "任务"): "10", (u, "取证", "实际"): "10" if u != "丙镇" else "0"})
    units = evaluate(tmp_path, body, values)
    assert units["甲镇"].total == Decimal("8.00")  # 6 of 6 → 8 of 8
    assert units["乙镇"].total == Decimal("6.00")  # 4.5 × 8/6
    assert units["丙镇"].total == Decimal("2.00")  # 1.5 × 8/6
    for unit in units.values():
        assert unit.full + sum(e.points for e in unit.ledger()) == unit.total
    assert units["乙镇"].sections[0].children[0].lines[0].kind == "points_scaled"


# ---- ranks of the total -------------------------------------------------------------
def test_equal_totals_share_a_rank_unless_the_scheme_breaks_ties(tmp_path):
    from conftest import build
    from test_cli import kpi

    parts = ("板块 现场考核 10分 {\n  指标 现场 10分 { 得 现场分 }\n}\n"
             "板块 台账考核 10分 {\n  指标 台账 10分 { 得 台账分 }\n}\n")
    values = {**same({"现场分": ["6", "4", "5", "6", "9"]}, "现场"), **same({"台账分": ["4", "6", "5", "3", "1"]}, "台账")}
    shared = evaluate(tmp_path, parts, values)
    assert [shared[u].rank for u, _ in UNITS] == [1, 1, 1, 5, 1]  # totals 10, 10, 10, 9, 10
    (tmp_path / "ties").mkdir()
    broken = build(tmp_path / "ties", "并列 按 现场考核 降序\n" + parts, values)
    assert {u.unit: u.rank for u in load_all(broken).evaluate().units} == \
        {"戊区": 1, "甲镇": 2, "丙镇": 3, "乙镇": 4, "丁区": 5}
    done = kpi("score", str(broken), "--format", "csv")
    assert done.returncode == 0 and [line.split(",")[0] for line in done.stdout.splitlines()[1:3]] == ['"戊区"', '"甲镇"']
