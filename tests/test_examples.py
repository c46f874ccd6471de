"""Worked examples (示例) as tests: the bundled schemes carry one for every rule kind they use."""
from __future__ import annotations

import pytest

from kpidsl import ast
from kpidsl.errors import SchemeCheckError
from kpidsl.examples import run
from kpidsl.index import SchemeIndex
from kpidsl.pipeline import bundled_schemes, load_all
from test_cli import kpi

SCHEMES = sorted(bundled_schemes().glob("*.kpi"))


def kinds(node) -> set[str]:
    found = set()
    if isinstance(node, ast.Item) and node.rule is not None:
        found.add(type(node.rule).__name__)
    if node.deductions:
        found.add("Deduction")
    if node.vetoes:
        found.add("Veto")
    return found


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: p.name)
def test_bundled_examples_pass_and_cover_every_rule_kind(path):
    scheme = load_all(path, with_data=False).scheme
    outcomes = run(scheme)
    assert outcomes and all(o.passed for o in outcomes), [o.example.name for o in outcomes if not o.passed]
    index = SchemeIndex(scheme)
    used = set().union(*(kinds(info.node) for info in index.nodes.values()))
    covered = set()
    for example in scheme.examples:
        for expected in example.expectations:
            if expected.node in index.nodes:  # (an award is money, not a rule kind)
                node = index.nodes[expected.node].node
                covered |= kinds(node) | {k for child in getattr(node, "children", ()) for k in kinds(child)}
    assert used <= covered, used - covered


BODY = "板块 总 20分 { 指标 测 20分 { 按比例 } }\n"


def test_a_failing_example_shows_expected_got_and_why(tmp_path):
    path = tmp_path / "s.kpi"
    path.write_text(BODY + '示例 "错" { 单位 甲 镇 数值 甲.测.任务 = 737 数值 甲.测.实际 = 650 期望 甲.测 = 18分 }\n',
                    encoding="utf-8")
    done = kpi("test", str(path))
    assert done.returncode == 1
    assert "✗ 错" in done.stdout and "期望 18分，实得 17.64分" in done.stdout and "0 passed, 1 failed" in done.stdout
    assert "20 × 88.20…% = 17.6391…" in done.stdout


def test_an_example_lacking_figures_says_which(tmp_path):
    path = tmp_path / "s.kpi"
    path.write_text(BODY + '示例 "缺" { 单位 甲 镇 数值 甲.测.任务 = 737 期望 甲.测 = 18分 }\n', encoding="utf-8")
    done = kpi("test", str(path))
    assert done.returncode == 1 and "甲 / 测 / 实际" in done.stdout


def test_examples_are_checked_against_the_scheme():
    from kpidsl.checker import check
    from kpidsl.parser import parse

    with pytest.raises(SchemeCheckError) as e:
        check(parse(BODY + '示例 "x" { 单位 甲 镇 数值 乙.测.任务 = 1 期望 甲.侧 = 1分 }'))
    message = e.value.render()
    assert "未列出单位 乙" in message and "E201 未知名称 侧" in message


def test_an_award_example_needs_no_scores_when_the_award_reads_none(tmp_path):
    path = tmp_path / "s.kpi"
    path.write_text(BODY + "奖励 补 { 每人 20元 按 测.实际 超出 测.任务 每人 30元 }\n"
                    "奖励 名 { 排名 降序 按 总分 名次 1: 100元 }\n"
                    '示例 "补" { 单位 甲 镇 数值 甲.测.任务 = 10 数值 甲.测.实际 = 12 期望 甲.补 = 260元 }\n'
                    '示例 "名" { 单位 甲 镇 数值 甲.测.任务 = 10 数值 甲.测.实际 = 12 期望 甲.名 = 100元 }\n',
                    encoding="utf-8")
    done = kpi("test", str(path))
    # 补 reads no score; 名 ranks by the total, which the example's own figures give
    assert "✓ 补" in done.stdout and "✓ 名" in done.stdout
