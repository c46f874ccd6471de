"""Gap analysis and what-if: the least change that regains points, confirmed by re-scoring."""
from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from kpidsl.gap import GapFinder
from kpidsl.pipeline import bundled_schemes, load_all
from kpidsl.whatif import apply, compare, parse_setting
from conftest import UNITS, build
from test_cli import kpi


def gaps(loaded, unit: str):
    results = loaded.evaluate()
    result = next(u for u in results.units if u.unit == unit)
    return GapFinder(loaded.evaluation).find(result)


def test_bundled_gap_for_dingyan_is_confirmed_by_what_if(bundled):
    loaded, results, _ = bundled["rugao-2021.kpi"]
    options, blocked = gaps(loaded, "丁堰镇")
    jobs = {o.path[-1]: o for o in options if o.field == "实际"}
    assert jobs["城镇新增就业"].needed == "305" and jobs["城镇新增就业"].change == 61
    assert jobs["城镇新增就业"].regained == Decimal("1.2")  # 3 points × 40%
    for option in options[:5]:  # each figure checked independently by scoring again
        setting = parse_setting(f"丁堰镇.{option.node}.{option.field}={option.needed}", loaded.data,
                                loaded.index, "zh")
        after = replace(loaded, data=apply(loaded.data, [setting], loaded.index)).evaluate()
        change = {c.unit: c for c in compare(results, after)}.get("丁堰镇")
        assert (change.difference if change else 0) == option.regained, option.note
    reasons = {b.path[-1]: b.why for b in blocked}
    assert "评定分由考核组给定" in reasons["创新创优项目"]


def test_least_change_and_one_place_up(tmp_path):
    body = ("板块 总 10分 {\n 指标 量 5分 { 按比例 未达 70% 不得分 }\n"
            " 指标 名 5分 { 排名 降序 按 值 全体 依次递减 1分 }\n}\n")
    values = {}
    for (u, _), (actual, key) in zip(UNITS, [("60", "3"), ("100", "9"), ("100", "7"), ("100", "5"), ("100", "1")]):
        values.update({(u, "量", "任务"): "100", (u, "量", "实际"): actual, (u, "名", "值"): key})
    loaded = load_all(build(tmp_path, body, values))
    options, _ = gaps(loaded, "甲镇")
    by_item = {o.path[-1]: o for o in options}
    assert by_item["量"].needed == "100" and by_item["量"].item_regained == 5
    assert by_item["名"].needed == "5" and by_item["名"].item_regained == 1  # 4th → 3rd: tie with 5 (1-2-3-3)


def test_a_veto_cannot_be_regained(tmp_path):
    body = "板块 总 3分 { 指标 测 3分 { 满分 一票否决 冒领 } }\n"
    loaded = load_all(build(tmp_path, body, {(u, "测", "冒领"): "是" for u, _ in UNITS}))
    options, blocked = gaps(loaded, "甲镇")
    assert not options and "一票否决已生效" in blocked[0].why


def test_gap_and_what_if_commands():
    done = kpi("gap", "丁堰镇", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["unit"] == "丁堰镇" and document["options"] and document["blocked"]
    done = kpi("score", "--set", "丁堰镇.城镇新增就业.实际=305", "--format", "json")
    changes = json.loads(done.stdout)["what_if"]["changes"]
    assert changes[0]["unit"] == "丁堰镇" and changes[0]["difference"] == "1.2"
    bad = kpi("score", "--set", "丁堰镇.城镇新增就来.实际=305")
    assert bad.returncode == 1 and "是否指：城镇新增就业" in bad.stderr


@pytest.mark.parametrize("setting, says", [
    ("丁堰镇.体检率.体检率=97.5", "E306 --set：丁堰镇 / 体检率 / 体检率 的值 '97.5' 不是百分数"),  # not 9750%
    ("丁堰镇.城镇新增就业.实际=" + "9" * 32, "不超过 30 位的数值"),
    ("丁堰镇.城镇新增就业.实绩=305", "E312 --set：方案不读取 城镇新增就业 的字段 实绩（读取：任务、实际），是否指：实际"),
    ("丁堰镇.居民养老保险缴费人数.缴费900元人数=-5", "不是以“人”计的非负整数"),
])
def test_a_what_if_figure_is_read_and_checked_as_a_data_file_s(setting, says):
    """--set is a cell of its own: refused where a data file's would be (a rate typed without
    %, a figure too long, a count not whole), and a field the scheme does not read is named,
    rather than a what-if that silently changes nothing."""
    bad = kpi("score", "--set", setting)
    assert bad.returncode == 1 and says in bad.stderr, bad.stderr


def test_a_what_if_may_say_not_applicable_in_any_field_of_an_item_that_may_not_apply():
    """不适用 may be written in any field of a 可不适用 item, in data as in --set: the item drops
    out for the unit and its section is rescaled."""
    done = kpi("score", "self-evaluation-2020.kpi", "--set", "市就业管理中心.新增就业岗位.备注=不适用", "--format", "json",
               cwd=bundled_schemes())
    assert done.returncode == 0, done.stderr
    assert [c["unit"] for c in json.loads(done.stdout)["what_if"]["changes"]] == ["市就业管理中心"]


def test_a_what_if_figure_of_a_field_kept_in_wan_yuan_is_in_wan_yuan():
    """计量 实际 万元: --set 预算执行率.实际=1152 is 1152万元, as the same figure in the data file
    (it scores as the data does: no change), and 1152万 too."""
    for value in ("1152", "1152万", "1152万元"):
        done = kpi("score", "self-evaluation-2020.kpi", "--set", f"市就业管理中心.预算执行率.实际={value}", "--format", "json",
                   cwd=bundled_schemes())
        assert done.returncode == 0 and json.loads(done.stdout)["what_if"]["changes"] == [], (value, done.stderr)


def test_an_item_over_one_unit_alone_scores_as_over_all(bundled):
    """gap re-scores an item that reads no other unit's figures over the unit alone: the same
    score, for every such item of every bundled scheme and every unit."""
    from kpidsl.engine.scoring import Scoring
    from kpidsl.gap import _reads_others

    checked = 0
    for loaded, _, _ in bundled.values():
        engine = loaded.evaluation.engine
        local = [n for n, info in engine.index.nodes.items() if not _reads_others(info.node)]
        checked += len(local)
        for i in range(engine.size):
            alone = engine.of_unit(i)
            for name in local:
                assert Scoring(alone, only=name).node.decimal(0) == engine.scores[name].decimal(i), name
    assert checked > 80
    index = bundled["rugao-2021.kpi"][0].index
    assert _reads_others(index.nodes["参保位次考核"].node)  # a rank reads every unit's figures
    assert all(_reads_others(info.node) for info in bundled["changzhou-platform.kpi"][0].index.nodes.values())  # shares


def test_a_score_given_in_the_data_is_not_offered_as_a_figure_to_change(tmp_path):
    from conftest import UNITS, build
    from test_cli import kpi

    scheme = build(tmp_path, "板块 总 10分 {\n  指标 系统 10分 { 得 系统考核得分 }\n}\n",
                   {(u, "系统", "系统考核得分"): "8" for u, _ in UNITS})
    done = kpi("gap", str(scheme), "甲镇")
    assert done.returncode == 0 and "得分由 系统考核得分 直接给定" in done.stdout


def test_an_options_total_rescoring_only_what_the_figure_reaches_is_the_whole_rescoring(bundled):
    """gap confirms an option re-scoring only the items that read the changed figure (directly,
    through measures, in a rank's pool) over the scoring it has: the same total, for every figure
    a rule reads of every bundled scheme, changed up and down for two units."""
    from fractions import Fraction

    from kpidsl.checker import required_fields
    from kpidsl.engine.num import NUMBER
    from kpidsl.engine.scoring import Scoring

    checked = 0
    for loaded, _, _ in bundled.values():
        finder = GapFinder(loaded.evaluation)
        engine = finder.engine
        for key in required_fields(engine.index):
            slot = engine.columns.slots.get(key)
            if slot is None:
                continue
            for i in (0, engine.size // 2):
                if engine.columns.kind[slot][i] != NUMBER:
                    continue
                now = engine.python(engine.field(*key), i)
                for value in (Fraction(now) * 2 + 1, Fraction(0)):
                    fork = engine.fork(*key, i, value)
                    whole = Scoring(fork).total
                    part = Scoring(fork, reuse=finder.scoring, changed=finder._readers.get(key, frozenset())).total
                    assert part.decimal(i) == whole.decimal(i), (key, value)
                    checked += 1
    assert checked > 150, checked


def test_an_option_regains_what_a_rank_reading_the_figure_gives_back_even_with_no_data_points(tmp_path):
    """A rank with 无数据得 reads its key only where a unit has it: still a reader of the figure,
    so 甲镇's 实际 60 → 100 moves it from 5th to first equal in 名 too (3 + 4 points)."""
    body = ("板块 总 10分 {\n 指标 量 5分 { 按比例 }\n"
            " 指标 名 5分 { 排名 降序 按 量.实际 全体 无数据得 0分 依次递减 1分 }\n}\n")
    values = {}
    for (u, _), actual in zip(UNITS, ["60", "100", "90", "80", "70"]):
        values.update({(u, "量", "任务"): "100", (u, "量", "实际"): actual})
    loaded = load_all(build(tmp_path, body, values))
    options, _ = gaps(loaded, "甲镇")
    option = next(o for o in options if o.path[-1] == "量")
    assert option.needed == "100" and option.regained == 6
