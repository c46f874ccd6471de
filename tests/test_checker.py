"""Static checks: points add up, weights add up, names exist, no circles, rank steps and partial
steps surfaced."""
from __future__ import annotations

import pytest

from kpidsl.checker import check
from kpidsl.errors import SchemeCheckError
from kpidsl.parser import parse
from kpidsl.pipeline import load_all
from conftest import UNITS, build


def codes(text: str) -> list[str]:
    try:
        return [d.code for d in check(parse(text, "s.kpi"), source=text)]
    except SchemeCheckError as e:
        return [d.code for d in e.diagnostics]


def messages(text: str) -> str:
    try:
        check(parse(text, "s.kpi"), source=text)
    except SchemeCheckError as e:
        return e.render()
    return ""


def test_items_must_add_up_to_their_section():
    text = "板块 甲 40分 { 指标 a 30分 { 达标 } 指标 b 12分 { 达标 } }"
    assert codes(text) == ["E202"]
    assert "声明 40分，其下各项合计 42分" in messages(text)


def test_a_stated_reason_turns_the_mismatch_into_a_warning():
    text = '板块 甲 40分 { 分值说明 "原文如此，按40分封顶" 指标 a 30分 { 达标 } 指标 b 12分 { 达标 } }'
    assert codes(text) == ["W202"]


def test_weights_must_add_up_to_100_percent():
    text = "总分 = 甲 × 60% + 乙 × 30%\n板块 甲 1分 { 指标 a 1分 { 达标 } }\n板块 乙 1分 { 指标 b 1分 { 达标 } }"
    assert codes(text) == ["E203"]


def test_bonus_sections_do_not_count_towards_the_weights():
    text = ("总分 = 甲 + 奖\n板块 甲 1分 { 指标 a 1分 { 达标 } }\n"
            "加分板块 奖 2分 { 指标 b 2分 { 达标 } }")
    assert codes(text) == []


def test_a_section_left_out_of_the_total_is_an_error():
    text = "总分 = 甲\n板块 甲 1分 { 指标 a 1分 { 达标 } }\n板块 乙 1分 { 指标 b 1分 { 达标 } }"
    assert codes(text) == ["E207"]


def test_unknown_item_suggests_the_near_name():
    text = ("板块 甲 2分 { 指标 新增参保人数 1分 { 达标 }\n"
            "  指标 b 1分 { 达标 新增参保人.完成率 >= 100% } }")
    assert codes(text) == ["E201"]
    assert "是否指：新增参保人数" in messages(text)


def test_duplicate_names_are_errors():
    assert codes("板块 甲 2分 { 指标 a 1分 { 达标 } 指标 a 1分 { 达标 } }") == ["E204"]


def test_circular_computed_measures():
    text = "计算 x = y + 1\n计算 y = x * 2\n板块 甲 1分 { 指标 a 1分 { 达标 x > 0 } }"
    assert "E205" in codes(text)
    assert "x → y → x" in messages(text) or "y → x → y" in messages(text)


def test_unknown_group_in_rank_step():
    text = ("单位分组 主功能区, 镇\n板块 甲 5分 { 指标 a 5分 {"
            " 排名 降序 按 值 依次递减 主功能 0.5分, 镇 0.25分 } }")
    assert codes(text) == ["E206"]


def test_points_must_be_in_fen():
    assert codes("板块 甲 1人 { 指标 a 1人 { 达标 } }") == ["E207", "E207"]


def test_partial_step_not_stated_is_a_warning():
    assert codes("板块 甲 2分 { 指标 a 2分 { 每少 10人 扣 1分 } }") == ["W201"]
    assert codes("板块 甲 2分 { 指标 a 2分 { 每少 1人 扣 0.1分 } }") == []


def test_rank_step_below_zero_in_a_group_is_reported_with_the_ranks(tmp_path):
    values = {(u, "a", "值"): "1" for u, _ in UNITS}
    body = "板块 甲 0.5分 { 指标 a 0.5分 { 排名 降序 按 值 依次递减 镇 0.3分, 区 0.1分 } }"
    loaded = load_all(build(tmp_path, body, values))
    assert [w.code for w in loaded.warnings] == ["W203"]
    assert "镇 共 3 个单位，第 3 名" in loaded.warnings[0].message


def test_requirement_for_a_unit_absent_from_the_data_is_said_and_scoring_goes_on(tmp_path):
    from test_cli import kpi

    body = '板块 甲 1分 { 指标 a 1分 { 满分 要求 适用 北京 "x" } }'
    scheme = build(tmp_path, body, {})
    assert [w.code for w in load_all(scheme).warnings] == ["W205"]
    done = kpi("score", str(scheme), "--format", "csv")
    assert done.returncode == 0 and "W205 要求适用的 北京 不是分组，也不是数据中的单位（找不到单位 北京" in done.stderr


def test_a_total_of_weighted_and_unweighted_parts_declares_its_full_points(tmp_path):
    from test_cli import kpi

    parts = ("板块 甲 100分 { 指标 a 100分 { 满分 } }\n板块 乙 30分 { 指标 b 30分 { 满分 } }\n"
             "板块 丙 30分 { 指标 c 30分 { 满分 } }\n")
    assert codes("总分 = 甲 × 40% + 乙 + 丙 满分 100分\n" + parts) == []
    assert codes("总分 = 乙 + 丙\n" + parts.split("\n", 1)[1]) == []  # a plain sum
    assert "E203 总分按各板块计满分为 100分，与声明的 满分 90分 不符" in messages("总分 = 甲 × 40% + 乙 + 丙 满分 90分\n" + parts)
    assert "E203 总分中各板块权重合计 240%，应为 100%；若总分是加权与不加权部分之和，请写明其满分（如 满分 100分）" \
        in messages("总分 = 甲 × 40% + 乙 + 丙\n" + parts)
    scheme = build(tmp_path, "总分 = 甲 × 40% + 乙 + 丙 满分 100分\n" + parts, {})
    done = kpi("explain", str(scheme), "甲镇")
    assert done.returncode == 0 and "总分 100" in done.stdout


@pytest.mark.parametrize("bands, said", [
    # a range no band continues holds its upper end (50%): the gap is (50%, 55%)
    ("40% 至 50%: 1分  55% 至 60%（不含）: 2分  > 60%: 3分  否则: 0分",
     ["甲：分档 (50%, 55%) 的值不在任何一档（得 0分）", "甲：分档 = 60% 的值不在任何一档（得 0分）"]),
    ("40% 至 50%（不含）: 1分  55% 至 60%: 2分  > 60%: 3分", ["甲：分档 [50%, 55%) 的值不在任何一档（得 0分）"]),
    (">= 10%: 1分  40% 至 50%: 1分  >= 50%: 2分", ["甲：分档 [40%, 50%) 落在另一档之内而得分不高于它，不起作用"]),
    (">= 10%: 1分  >= 20%: 2分  >= 30%: 3分  否则: 0分", []),  # 如皋 2021: nested, each higher
    ("40% 至 50%: 1分  50% 至 60%: 2分  否则: 0分", []),  # 2018: ranges that meet
])
def test_tier_tables_with_gaps_or_bands_that_never_decide_are_said(bands, said):
    """W206, with each range's ends as ast.range_ends reads them."""
    text = f"板块 总 5分 {{ 指标 甲 5分 {{ 分档 实际 {{ {bands} }} }} }}"
    found = check(parse(text, "s.kpi"), source=text)
    assert [d.message for d in found if d.code == "W206"] == said
