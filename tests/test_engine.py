"""The one engine: what the two former paths disagreed on, numbers past 64 bits, long chains of
measures, and the planted mistakes the suite once let through."""
from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import UNITS, build, evaluate, item_score
from test_readers import EVERY_RULE, datasets, write_every_rule
from kpidsl.errors import DataError, KpiError
from kpidsl.pipeline import load_all, prepare
from kpidsl.render.scores_csv import from_evaluation

READERS = ("columns", "full")


def totals(scheme, reader: str) -> dict[str, Decimal] | str:
    """Every unit's total through one reader, or the codes of the errors it refuses with."""
    try:
        evaluation = prepare(scheme, reader=reader)[0]
    except KpiError as e:
        return " ".join(sorted({d.code for d in e.diagnostics}))
    table = from_evaluation(evaluation)
    integers, places = table.total
    return {name: Decimal(int(v)).scaleb(-places) for name, v in zip(table.units, integers)}


def same_everywhere(scheme):
    """The outcome, which both readers and every command must agree on."""
    outcomes = [totals(scheme, reader) for reader in READERS]
    assert outcomes[0] == outcomes[1]
    return outcomes[0]


def figures(**by_item) -> dict:
    """Every unit's 任务 and 实际 for items: name -> (任务, 实际)."""
    return {(u, item, field): value for u, _ in UNITS for item, (target, actual) in by_item.items()
            for field, value in (("任务", target), ("实际", actual))}


@pytest.mark.parametrize("rule", ["按比例", "按比例 实际 / 任务 未达 70% 不得分", "按比例 实际 / (任务 - 任务)",
                                  "每降低 1% (100% - 完成率) 扣 0.1分"])
def test_a_target_of_zero_is_refused_alike(tmp_path, rule):
    scheme = build(tmp_path, f"板块 总 10分 {{ 指标 测 10分 {{ {rule if '扣' not in rule else '满分 ' + rule} }} }}\n",
                   figures(测=("0", "5")))
    assert same_everywhere(scheme) == "E307"


def test_a_target_of_zero_in_the_bundled_2018_scheme_is_refused(tmp_path, schemes_dir):
    import shutil

    shutil.copy(schemes_dir / "rugao-2018.kpi", tmp_path)
    shutil.copytree(schemes_dir / "rugao-2018", tmp_path / "rugao-2018")
    targets = tmp_path / "rugao-2018" / "targets.csv"
    lines = targets.read_text(encoding="utf-8").splitlines()
    row = next(i for i, l in enumerate(lines) if l.startswith("丁堰镇,技能提升培训人数,任务,"))
    fields = lines[row].split(",")
    lines[row] = ",".join(fields[:3] + ["0"] + fields[4:])  # the record keeps its 说明 column
    targets.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert same_everywhere(tmp_path / "rugao-2018.kpi") == "E307"


def test_comparisons_past_64_bits_do_not_wrap(tmp_path):
    scheme = build(tmp_path, "板块 总 10分 { 指标 测 10分 { 达标 实际 >= 任务 } }\n",
                   figures(测=("-900000000000000000", "9000000000000000000")))
    assert set(same_everywhere(scheme).values()) == {Decimal("10.00")}


@pytest.mark.parametrize("big", ["9223372036854775808", "1" * 25, "12345678901234567890.5"])
def test_figures_past_64_bits_are_scored_exactly(tmp_path, big):
    scheme = build(tmp_path, "板块 总 10分 { 指标 测 10分 { 按比例 } }\n", figures(测=(big, "1")))
    scores = same_everywhere(scheme)
    assert set(scores.values()) == {Decimal("0.00")}  # 10 × 1 / big rounds to 0
    units = evaluate(tmp_path, "板块 总 10分 { 指标 测 10分 { 按比例 } }\n", figures(测=(big, big)))
    assert {u.total for u in units.values()} == {Decimal("10.00")}


def test_a_doubled_bom_reads_alike(tmp_path):
    scheme = build(tmp_path, "板块 总 10分 { 指标 测 10分 { 按比例 } }\n", figures(测=("10", "5")))
    values = tmp_path / "values.csv"
    values.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + values.read_bytes())
    same_everywhere(scheme)


def test_a_cap_never_lifts_a_section_above_its_points(tmp_path):
    body = '板块 甲 5分 { 分值说明 "各项合计 10分，按 5分 计" 封顶 8分 指标 乙 10分 { 按比例 } }\n'
    units = evaluate(tmp_path, body, figures(乙=("10", "10")))
    assert {u.sections[0].score for u in units.values()} <= {Decimal("5")}


def test_a_negative_ratio_counts_as_zero_even_where_scores_may_be_negative(tmp_path):
    items = item_score(tmp_path, "10分", "按比例 可为负分", figures(测=("10", "-50")))
    assert {i.score for i in items.values()} == {Decimal("0")}


def test_a_long_chain_of_measures_scores(tmp_path):
    chain = "\n".join(f"  计算 x{k + 1} = x{k} + 1" for k in range(200))
    body = f"板块 总 10分 {{\n  指标 测 10分 {{\n  计算 x0 = 实际\n{chain}\n  达标 x200 >= 任务\n  }}\n}}\n"
    units = evaluate(tmp_path, body, figures(测=("300", "100")))
    assert {u.total for u in units.values()} == {Decimal("10.00")}


def test_numbers_past_the_size_bound_stop_at_once_naming_the_measure(tmp_path):
    chain = "\n".join(f"  计算 x{k + 1} = x{k} * x{k}" for k in range(30))
    body = f"板块 总 10分 {{\n  指标 测 10分 {{\n  计算 x0 = 实际\n{chain}\n  达标 x30 >= 任务\n  }}\n}}\n"
    start = time.perf_counter()
    with pytest.raises(DataError) as e:
        load_all(build(tmp_path, body, figures(测=("300", "7")))).evaluate()
    assert time.perf_counter() - start < 5  # bounded work (the bound itself is checked in bench/)
    assert "E311" in e.value.render() and "计算 x9 的数值超过 300 位" in e.value.render()


def test_score_json_and_explain_json_agree_with_the_csv(tmp_path, schemes_dir):
    """The totals of `kpi score --format json` and of each explanation are the CSV's."""
    from kpidsl.render import json as json_render

    for path in sorted(schemes_dir.glob("*.kpi")):
        evaluation = prepare(path, reader="full")[0]
        csv_totals = totals(path, "full")
        document = json.loads(json_render.render(evaluation.results()))
        assert {u["unit"]: Decimal(u["total"]) for u in document["units"]} == csv_totals
        for i, unit in enumerate(evaluation.engine.data.units):
            assert evaluation.scoring.unit(i).total == csv_totals[unit.name]


def _three_outputs(scheme) -> object:
    """The totals of `score --format csv`, `score --format json` and each unit's explanation, or
    the error codes all three refuse with."""
    from kpidsl.render import json as json_render

    try:
        evaluation = prepare(scheme, reader="full")[0]
    except KpiError as e:
        return " ".join(sorted({d.code for d in e.diagnostics}))
    table = from_evaluation(evaluation)
    integers, places = table.total
    csv_totals = {name: Decimal(int(v)).scaleb(-places) for name, v in zip(table.units, integers)}
    document = json.loads(json_render.render(evaluation.results()))
    assert {u["unit"]: Decimal(u["total"]) for u in document["units"]} == csv_totals
    for i, unit in enumerate(evaluation.engine.data.units):
        explained = evaluation.scoring.unit(i)
        assert explained.total == csv_totals[unit.name]
        assert explained.full + sum(e.points for e in explained.ledger()) == explained.total  # the ledger balances
    return csv_totals


@settings(max_examples=max(10, settings().max_examples // 3), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=datasets(), zeros=st.lists(st.integers(0, 7), max_size=2), huge=st.booleans())
def test_every_rule_kind_agrees_across_outputs(tmp_path_factory, data, zeros, huge):
    """Random figures for a scheme of every rule kind, with targets of 0 and 25-digit figures
    planted: the CSV, the JSON and every explanation give the same totals, or the same error."""
    units, values, records = data
    items = ("比例项", "比例二", "达标项", "扣分项", "扣分二", "折一", "折二", "其他项")
    for k in zeros:  # a target of 0 for the first unit
        for row in values:
            if row[0] == units[0][0] and row[1] == items[k] and row[2] == "任务":
                row[3] = "0"
    if huge:
        for row in values:
            if row[0] == units[-1][0] and row[2] in ("任务", "实际"):
                row[3] = "1" * 25
    scheme = write_every_rule(tmp_path_factory.mktemp("three"), (units, values, records), EVERY_RULE)
    _three_outputs(scheme)
