"""kpi diff: what changed between two schemes, and each unit's change attributed to its items."""
from __future__ import annotations

import json
import shutil
from decimal import Decimal
from fractions import Fraction

from kpidsl.diff import contributions, scheme_changes, unit_changes
from kpidsl.parser import parse
from kpidsl.pipeline import load_all
from test_cli import kpi


def test_contributions_add_up_to_every_total(bundled):
    """Each unit's contributions add up to its total, and read as its explanation does: an
    item's score × weight; a section's own lines (and points beyond its parts) × weight."""
    from kpidsl.result import SectionResult

    for loaded, results, _ in bundled.values():
        evaluation = loaded.evaluation
        parts = contributions(evaluation)
        for i, data_unit in enumerate(evaluation.engine.data.units):
            unit = next(u for u in results.units if u.unit == data_unit.name)
            assert sum((c.fraction(i) for c in parts.values()), Fraction(0)) == unit.total, unit.unit
            for node in unit.nodes():
                name = node.path[-1]
                if isinstance(node, SectionResult):
                    counted = sum((c.max for c in node.children if not c.bonus or node.bonus), Decimal(0))
                    own = -sum((l.lost for l in node.lines), Decimal(0)) + node.max - counted
                    assert parts[f"{name}（板块调整）"].fraction(i) == own * node.weight, (unit.unit, name)
                else:
                    assert parts[name].fraction(i) == node.score * node.weight, (unit.unit, name)


def test_structural_changes_item_by_item():
    old = parse('总分 = 甲 × 60% + 乙 × 40%\n板块 甲 10分 { 指标 a 6分 { 按比例 未达 70% 不得分 } 指标 b 4分 { 达标 } }\n'
                '板块 乙 10分 { 指标 c 10分 { 每少 10人 扣 1分 不足一档 不计 } }')
    new = parse('总分 = 甲 × 50% + 乙 × 50%\n板块 甲 10分 { 指标 a 7分 { 按比例 未达 80% 不得分 } 指标 d 3分 { 达标 } }\n'
                '板块 乙 10分 { 指标 c 10分 { 每少 10人 扣 1分 不足一档 按比例计 } }')
    found = {(c.kind, c.path[-1] if c.path else "", c.what): (c.old, c.new) for c in scheme_changes(old, new)}
    assert found[("points", "a", "分值")] == ("6分", "7分")
    assert "70%" in found[("changed", "a", "计分规则")][0] and "80%" in found[("changed", "a", "计分规则")][1]
    assert ("removed", "b", "删除") in found and ("added", "d", "新增") in found
    assert "ignore" in found[("changed", "c", "扣分")][0]
    assert found[("weight", "", "总分权重")] == ("甲 60%；乙 40%", "甲 50%；乙 50%")


def test_a_renamed_item_is_matched_by_its_alias_title_or_a_close_name(schemes_dir):
    old = parse('板块 甲 10分 { 指标 新增就业 5分 { 达标 } 指标 晚霞行动 5分 { 达标 } }')
    new = parse('板块 甲 10分 { 指标 城镇新增就业 6分 { 达标 } 指标 银龄行动 4分 { 达标 别名 "晚霞行动" } }')
    found = {(c.kind, c.path[-1], c.what): (c.old, c.new) for c in scheme_changes(old, new)}
    assert found[("renamed", "城镇新增就业", "改名")] == ("新增就业", "城镇新增就业")
    assert found[("points", "城镇新增就业", "分值")] == ("5分", "6分")
    assert found[("renamed", "银龄行动", "改名")] == ("晚霞行动", "银龄行动")
    assert not any(kind in ("added", "removed") for kind, _, _ in found)
    across = kpi("diff", str(schemes_dir / "rugao-2018.kpi"), str(schemes_dir / "rugao-2021.kpi"), "--format", "json")
    renamed = {(c["old"], c["new"]) for c in json.loads(across.stdout)["changes"] if c["kind"] == "renamed"}
    assert ("新增就业", "城镇新增就业") in renamed and ("居民养老保险参保缴费人数", "居民养老保险缴费人数") in renamed


def test_unit_changes_are_attributed_exactly(schemes_dir, tmp_path):
    shutil.copytree(schemes_dir / "rugao-2021", tmp_path / "rugao-2021")
    text = (schemes_dir / "rugao-2021.kpi").read_text(encoding="utf-8")
    (tmp_path / "new.kpi").write_text(text.replace("未达 70% 不得分", "未达 80% 不得分")
                                      .replace("每少 10人 扣 1分 不足一档 不计", "每少 10人 扣 1分 不足一档 按比例计"),
                                      encoding="utf-8")
    changes = unit_changes(load_all(schemes_dir / "rugao-2021.kpi").evaluation, load_all(tmp_path / "new.kpi").evaluation)
    assert changes and all(sum(c.by_part.values(), Decimal(0)) == c.difference for c in changes)
    dingyan = next(c for c in changes if c.unit == "丁堰镇")
    assert dingyan.by_part == {"劳动力外引": Decimal("-0.2")}  # 15 short: 1.5 steps now, × 40%
    done = kpi("diff", str(schemes_dir / "rugao-2021.kpi"), str(tmp_path / "new.kpi"), "--scores", "--format", "json")
    document = json.loads(done.stdout)
    assert len(document["changes"]) == 3 and document["units"][0]["change"].startswith("-")
    money = {m["unit"]: m for m in document["money"]}
    assert all(sum(Decimal(v) for v in m["by_award"].values()) == Decimal(m["change"]) for m in money.values())
