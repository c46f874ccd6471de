"""Units of measure: one table (kpidsl/units.py) for the scheme's quantities, the data's figures
and 计量; the grammar spells the same list."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from kpidsl import units
from kpidsl.data import parse_value, written_unit
from kpidsl.errors import SchemeSyntaxError
from kpidsl.parsed import grammar_text
from kpidsl.parser import build, quantity
from kpidsl.pipeline import load_columns, prepare, read_scheme
from test_cli import kpi
from test_damaged_inputs import ACTUALS, declare, replace_line
from test_readers import _csv, _files


def test_the_grammar_spells_the_units_of_the_table():
    for terminal in ("QUANTITY", "MEASURE_UNIT"):
        pattern = re.search(rf"^{terminal}(?:\.\d)?: /(.*)/$", grammar_text(), re.M).group(1)
        spelled = set(re.search(r"\(亿\|万\|千\)\?\(([^()]*)\)", pattern).group(1).split("|"))
        assert spelled == {*units.BASE, *units.SCALED}, terminal


@pytest.mark.parametrize("written, value, unit", [
    ("2亿元", Decimal(200_000_000), "元"), ("266米", Decimal(266), "米"), ("50厘米", Decimal("0.5"), "米"),
    ("3千人", Decimal(3000), "人"), ("1.7万人", Decimal(17000), "人"), ("85%", Decimal("0.85"), "%"),
    ("12人次", Decimal(12), "人次"), ("3万", Decimal(30000), ""), ("2公里", Decimal(2000), "米"),
])
def test_a_quantity_reads_the_same_in_a_scheme_and_in_the_data(written, value, unit):
    q = quantity(written)
    assert (q.value, q.unit, q.text) == (value, unit, written)
    assert parse_value(written) == value and written_unit(written) == unit


@pytest.mark.parametrize("written", ["50斤", "10分钟"])
def test_an_unknown_unit_in_a_scheme_names_it_and_lists_the_known(written):
    with pytest.raises(SchemeSyntaxError) as e:
        build(f"方案 \"t\"\n板块 总 10分 {{ 指标 甲 10分 {{ 达标 实际 >= {written} }} }}\n", "t.kpi")
    message = e.value.render()
    assert f"E107 未知的单位 {written.lstrip('0123456789')}" in message and "人次" in message and "亿元" in message


def test_a_field_kept_in_thousands_reads_its_bare_figures_so(rugao_copy):
    """计量 实际 千人: a table kept in thousands writes 0.265 for 265 people (both readers, and
    shown with its unit); a figure written with its own unit (265人) is read as written."""
    original = _csv(prepare(rugao_copy, reader="full")[0])
    declare(rugao_copy, "指标 劳动力外引", "      计量 实际 千人")
    actuals = rugao_copy.parent / ACTUALS
    actuals.write_text(re.sub(r"^(.*,劳动力外引,实际,)(\d+),", lambda m: f"{m[1]}{Decimal(m[2]) / 1000},",
                              actuals.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    replace_line(actuals, "白蒲镇,劳动力外引,实际,0.36,", "白蒲镇,劳动力外引,实际,360人,")
    # 万 says its own size too: 0.0108万 is 108 people, not 0.0108万 thousands (108,000 people)
    replace_line(actuals, "磨头镇,劳动力外引,实际,0.108,", "磨头镇,劳动力外引,实际,0.0108万,")
    assert [_csv(prepare(rugao_copy, reader=r)[0]) for r in ("columns", "full")] == [original, original]
    assert "实际 0.265千人" in kpi("explain", rugao_copy.name, "丁堰镇", cwd=rugao_copy.parent).stdout
    assert '"实际": "0.0108万人"' in kpi("explain", rugao_copy.name, "磨头镇", "--format", "json", cwd=rugao_copy.parent).stdout
    replace_line(actuals, "白蒲镇,劳动力外引,实际,360人,", "白蒲镇,劳动力外引,实际,0.36,")  # (a unit written: the full loader reads)
    load_columns(*read_scheme(rugao_copy), _files(rugao_copy))  # the columnar reader reads 0.0108万 itself
    evaluation, _, _ = prepare(rugao_copy, reader="columns")  # (no unit's cells kept as written: a report's)
    assert _csv(evaluation) == original
    shown = [line.inputs for item in evaluation.scoring.unit(evaluation.engine.data.units.index(
        evaluation.engine.data.find_unit("丁堰镇"))).items() if item.path[-1] == "劳动力外引" for line in item.lines]
    assert ("实际", "0.265千人") in shown[0]  # in the unit declared, not its base unit written as it (265千人)
