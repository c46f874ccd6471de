"""kpi fmt: canonical layout that parses to the same scheme, idempotent, and zh → en → zh exact."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings

from kpidsl.errors import KpiError
from kpidsl.fmt import comments_of, format_scheme
from kpidsl.parser import parse
from kpidsl.pipeline import bundled_schemes
from test_cli import kpi
from test_fuzz_parser import grammar_strategy
from test_parser import without_positions

SCHEMES = sorted(bundled_schemes().glob("*.kpi"))


def same(a, b) -> bool:
    return dataclasses.replace(without_positions(a), path="") == dataclasses.replace(without_positions(b), path="")


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: p.name)
def test_formatting_keeps_the_scheme_and_its_comments(path):
    source = path.read_text(encoding="utf-8")
    formatted = format_scheme(parse(source), source)
    assert same(parse(formatted), parse(source))
    assert format_scheme(parse(formatted), formatted) == formatted  # idempotent
    assert sorted(t for _, t in comments_of(formatted)) == sorted(t for _, t in comments_of(source))


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: p.name)
def test_chinese_to_english_to_chinese_is_the_identity(path):
    source = path.read_text(encoding="utf-8")
    chinese = format_scheme(parse(source), source, "zh")
    english = format_scheme(parse(chinese), chinese, "en")
    assert "section " in english and "板块 " not in english.split("#")[0]
    assert same(parse(english), parse(chinese))
    assert format_scheme(parse(english), english, "zh") == chinese


@settings(max_examples=max(20, settings().max_examples // 2))
@given(grammar_strategy())
def test_generated_schemes_format_to_themselves(text):
    try:
        scheme = parse(text)
    except KpiError:
        return
    for lang in ("zh", "en"):
        formatted = format_scheme(scheme, text, lang)
        assert same(parse(formatted), scheme), formatted
        assert format_scheme(parse(formatted), formatted, lang) == formatted


def test_fmt_command_check_and_rewrite(tmp_path: Path):
    messy = tmp_path / "s.kpi"
    messy.write_text('方案 "x"\n# 说明\n板块   甲 1分 {指标 乙 1分 {达标}}\n', encoding="utf-8")
    assert kpi("fmt", "--check", str(messy)).returncode == 1
    assert kpi("fmt", str(messy)).returncode == 0
    assert messy.read_text(encoding="utf-8") == '方案 "x"\n\n# 说明\n板块 甲 1分 {\n  指标 乙 1分 {\n    达标\n  }\n}\n'
    assert kpi("fmt", "--check", str(messy)).returncode == 0
    assert kpi("fmt", "--lang", "en", str(messy)).returncode == 0
    assert messy.read_text(encoding="utf-8").startswith('scheme "x"\n\n# 说明\nsection 甲 1分 {')


def test_bundled_schemes_are_in_canonical_layout():
    done = kpi("fmt", "--check", *map(str, SCHEMES))
    assert done.returncode == 0, done.stderr


def test_measures_keep_their_units_in_either_language():
    source = ("方案 \"计量\"\n板块 总 10分 {\n  指标 体检率 10分 {\n    达标 体检率 >= 95%\n    计量 体检率 百分点\n  }\n"
              "  指标 完成 0分 {\n    达标 实际 >= 任务\n    计量 实际 万元\n    计量 任务 ％\n  }\n}\n")
    chinese = format_scheme(parse(source), source, "zh")
    english = format_scheme(parse(chinese), chinese, "en")
    assert "measure 体检率 percent_points" in english and "measure actual 万元" in english
    assert same(parse(english), parse(source)) and format_scheme(parse(english), english, "zh") == chinese
    assert [(m.field, m.unit) for m in parse(source).sections[0].children[1].measures] == [("实际", "万元"), ("任务", "%")]


def test_fmt_keeps_the_roundings_written_and_adds_none():
    source = '方案 "t"\n舍入 指标 1位 四舍五入\n板块 总 10分 {\n  指标 甲 10分 {\n    每少 1次 扣 1分\n  }\n}\n'
    formatted = format_scheme(parse(source), source)
    assert "舍入 指标 1位 四舍五入" in formatted and "金额" not in formatted and "舍入 总分" not in formatted
    assert "每少 1次 扣 1分" in formatted


def test_a_sections_deduction_stays_where_written_with_its_comment():
    source = ('方案 "t"\n\n板块 总 10分 {\n  指标 甲 5分 {\n    满分\n  }\n  # 资金管理：酌情扣分\n'
              '  每 1例 违规例数 扣 1分\n  指标 乙 5分 {\n    满分\n  }\n}\n')
    assert format_scheme(parse(source), source) == source
