"""Parsing: Chinese and English keywords, quantities with units, and syntax errors users can act on."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from kpidsl import ast
from kpidsl.errors import SchemeSyntaxError, display_width
from kpidsl.parser import parse, quantity

ZH = """方案 "测试"
单位分组 主功能区, 镇
总分 = 甲 × 60% + 乙 × 40%
# 注释
板块 甲 100分 {
  指标 a "完整标题" 20分 {
    按比例 实际 / 任务 未达 70% 不得分
    原文 "完成任务得20分"
  }
  指标 b 80分 {
    排名 降序 按 a.完成率 分组内 仅限 a.完成率 >= 100% 依次递减 主功能区 0.5分, 镇 0.25分
  }
}
板块 乙 100分 {
  指标 c 100分 { 每少 10人 扣 1分 不足一档 不计  一票否决 弄虚作假 }
}
"""

EN = """scheme "测试"
groups 主功能区, 镇
total = 甲 × 60% + 乙 × 40%
# comment
section 甲 100分 {
  item a "完整标题" 20分 {
    proportional actual / target below 70% zero
    source "完成任务得20分"
  }
  item b 80分 {
    rank desc by a.rate within_group only_if a.rate >= 100% step 主功能区 0.5分, 镇 0.25分
  }
}
section 乙 100分 {
  item c 100分 { per_short 10人 deduct 1分 partial ignore  veto 弄虚作假 }
}
"""


def without_positions(node):
    """The AST with positions and the scheme's own language blanked, for comparing content."""
    if isinstance(node, ast.Pos):
        return ast.Pos(0, 0)
    if dataclasses.is_dataclass(node):
        changes = {f.name: without_positions(getattr(node, f.name)) for f in dataclasses.fields(node)}
        if isinstance(node, ast.Scheme):
            changes["language"] = ""
        return type(node)(**changes)
    if isinstance(node, tuple):
        return tuple(without_positions(x) for x in node)
    return node


def test_chinese_and_english_keywords_give_the_same_ast():
    assert without_positions(parse(ZH)) == without_positions(parse(EN))


def test_keywords_may_be_mixed_in_one_file():
    mixed = ZH.replace("按比例 实际 / 任务", "proportional actual / 任务")
    assert without_positions(parse(mixed)) == without_positions(parse(ZH))


@pytest.mark.parametrize("text,value,unit", [
    ("20分", "20", "分"), ("70%", "0.70", "%"), ("1.7万人", "17000.0", "人"),
    ("12000元", "12000", "元"), ("3万元", "30000", "元"), ("0.25分", "0.25", "分"), ("5", "5", ""),
])
def test_quantities_keep_their_unit_and_normalise_their_value(text, value, unit):
    q = quantity(text)
    assert (q.value, q.unit, q.text) == (Decimal(value), unit, text)


def test_number_may_follow_a_keyword_directly():
    scheme = parse('板块 甲 1分 { 指标 乙 1分 { 按比例 未达70%不得分 } }')
    assert scheme.sections[0].children[0].rule.threshold.value == Decimal("0.70")


def test_item_title_and_source_are_kept():
    item = parse(ZH).sections[0].children[0]
    assert item.title == "完整标题" and item.source == "完成任务得20分"


def test_several_source_lines_are_one_passage():
    item = parse('板块 甲 1分 { 指标 乙 1分 { 达标 原文 "一" 原文 "二" } }').sections[0].children[0]
    assert item.source == "一\n二"


def syntax_error(text: str) -> str:
    with pytest.raises(SchemeSyntaxError) as e:
        parse(text, "s.kpi")
    return e.value.render()


def test_syntax_error_names_what_was_expected_in_chinese():
    message = syntax_error('方案 "x"\n板块 甲 10分 {\n  指标 乙 10分 { 按比例 未达 70% 得分 }\n}\n')
    assert message.startswith("s.kpi:3:")
    assert "E102" in message and "应为：不得分" in message


def test_syntax_error_in_english_scheme_is_in_english():
    message = syntax_error('scheme "x"\nsection A 10分 {\n  item B 10分 { proportional below 70% score }\n}\n')
    assert "expected: zero" in message


def test_caret_points_at_the_character_by_display_width():
    message = syntax_error('板块 甲 10分 {\n  指标 乙 10分 { 达标 ] }\n}\n')
    source, caret = message.splitlines()[1:3]
    column = source.index("]")
    assert display_width(source[:column]) == caret.index("^")


def test_unexpected_end_of_file():
    message = syntax_error('板块 甲 10分 {\n  指标 乙 10分 { 达标 }\n')
    assert "E103" in message and "文件意外结束" in message


def test_two_scoring_rules_in_one_item_are_rejected_with_position():
    message = syntax_error('板块 甲 10分 {\n  指标 乙 10分 {\n 达标\n 按比例\n }\n}\n')
    assert "s.kpi:4:2" in message and "多条计分规则" in message


def test_rule_directly_in_a_section_is_rejected():
    message = syntax_error('板块 甲 10分 { 达标 }\n')
    assert "E102" in message and "应为：" in message and "指标" in message


def test_deep_nesting_is_refused_before_parsing():
    deep = "板块 a 1分 {\n" * 40 + "}\n" * 40
    assert "E106" in syntax_error(deep)
    assert "E106" in syntax_error('板块 a 1分 { 指标 b 1分 { 达标 ' + "(" * 50 + "x" + ")" * 50 + " } }")


def test_full_width_digits_and_punctuation_read_as_half_width():
    full = '板块 甲 １００分 ｛ 指标 乙 １００分 ｛ 按比例 实际 ／ 任务 未达 ７０．５％ 不得分 ｝ ｝'
    item = parse(full).sections[0].children[0]
    assert item.points.value == 100 and item.rule.threshold.value == Decimal("0.705")
    assert item.rule.threshold.text == "７０．５％"  # shown as written
    half = '板块 甲 100分 { 指标 乙 100分 { 按比例 实际 / 任务 未达 70.5% 不得分 } }'
    assert without_positions(parse(full)).sections[0].children[0].rule.ratio == \
        without_positions(parse(half)).sections[0].children[0].rule.ratio


def test_full_width_comparison_operators():
    rule = parse('板块 甲 1分 { 指标 乙 1分 { 达标 实际 ＞＝ 任务 } }').sections[0].children[0].rule
    assert rule.condition.op == ">="


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_line_numbers_are_right_whatever_the_line_endings(ending):
    text = ending.join(['方案 "x"', "板块 甲 10分 {", "  指标 乙 10分 { 达标 ] }", "}"])
    assert syntax_error(text).startswith("s.kpi:3:")


def test_byte_order_mark_and_tabs_are_accepted():
    scheme = parse('\ufeff方案 "x"\n板块\t甲\t1分\t{\t指标 乙 1分 { 达标 } }')
    assert scheme.title == "x"


def test_a_scheme_as_pasted_from_word_reads_as_the_typed_one(tmp_path):
    """Curly quotes, ﹦, points in brackets after the name, "，扣完为止": read as the canonical
    spelling, through `kpi check` and `kpi fmt`."""
    from test_cli import kpi

    pasted = tmp_path / "pasted.kpi"
    pasted.write_text("方案 “培训”\n板块 总（10分） {\n  指标 安全培训 “安全培训（10分）”（10分） {\n"
                      "    达标 实际 ﹦ 任务\n    每少 1人 扣 1分，扣完为止\n  }\n}\n", encoding="utf-8")
    typed = tmp_path / "typed.kpi"
    typed.write_text('方案 "培训"\n\n板块 总 10分 {\n  指标 安全培训 "安全培训（10分）" 10分 {\n'
                     "    达标 实际 = 任务\n    每少 1人 扣 1分\n    扣完为止\n  }\n}\n", encoding="utf-8")
    assert kpi("check", str(pasted), "--no-data").returncode == 0
    assert kpi("fmt", str(pasted)).returncode == 0
    assert pasted.read_text(encoding="utf-8") == typed.read_text(encoding="utf-8")


@pytest.mark.parametrize("body, says", [
    ("每少 1人 扣 1分，扣完为止 可为负分", "E207 甲：扣完为止 与 可为负分 相矛盾"),
    ("达标 实际 >= 任务", "W204 甲 的分值 10 未写单位，按 10分 计"),
])
def test_what_a_pasted_scheme_leaves_unsaid_is_said(tmp_path, body, says):
    from test_cli import kpi

    scheme = tmp_path / "s.kpi"
    points = "10" if says.startswith("W204") else "10分"
    scheme.write_text(f'方案 "s"\n板块 总 10分 {{\n  指标 甲 {points} {{\n    {body}\n  }}\n}}\n', encoding="utf-8")
    done = kpi("check", str(scheme), "--no-data")
    assert says in done.stderr and done.returncode == (1 if says.startswith("E") else 0)


def test_a_word_after_a_whole_statement_is_answered_in_words_not_a_token_list():
    text = '方案 "t"\n板块 总 10分 {\n  指标 甲 10分 {\n    一票否决 实际 < 1 总分为 0分\n  }\n}\n'
    with pytest.raises(SchemeSyntaxError) as e:
        parse(text, "t.kpi")
    said = e.value.render()
    assert "E102 此处不应出现 '总分为'；应为：另起一条语句，或 }（是否指：总分不超过" in said
    assert "可为负分" not in said  # not every keyword of the language


def test_several_reading_lines_read_as_one_passage_as_source_lines_do():
    """口径 written over several lines (as kpi draft writes them) is kept whole, not its last line."""
    text = ('方案 "t"\n总分 = 甲\n  口径 "一"\n  口径 "二"\n板块 甲 10分 {\n  指标 A 10分 {\n    按比例\n'
            '    口径 "三"\n    口径 "四"\n  }\n}\n奖励 奖 { 名次 1: 10元 口径 "五" 口径 "六" }\n'
            '部门奖励 办公室 { 口径 "七" 口径 "八" }\n')
    scheme = parse(text, "t.kpi")
    assert scheme.total_interpretation == "一\n二"
    assert scheme.sections[0].children[0].interpretation == "三\n四"
    assert scheme.awards[0].interpretation == "五\n六" and scheme.department_awards[0].interpretation == "七\n八"
