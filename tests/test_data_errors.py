"""Bad data gets a named error that says which file, row, unit, item and field. Nothing is
silently scored as 0."""
from __future__ import annotations

import pytest

from kpidsl.errors import DataError
from kpidsl.pipeline import load_all
from conftest import UNITS, build, write_csv

BODY = "板块 总 10分 { 指标 测 10分 { 按比例 } }\n"


def values(**changes):
    cells = {}
    for u, _ in UNITS:
        cells[(u, "测", "任务")] = "100"
        cells[(u, "测", "实际")] = "90"
    cells.update(changes.get("cells", {}))
    for key in changes.get("drop", ()):
        del cells[key]
    return cells


def error_of(tmp_path, cells=None, **kw) -> str:
    with pytest.raises(DataError) as e:
        load_all(build(tmp_path, BODY, cells if cells is not None else values(), **kw)).evaluate()
    return e.value.render()


def test_missing_value_names_unit_item_field_and_file(tmp_path):
    message = error_of(tmp_path, values(drop=[("乙镇", "测", "实际")]))
    assert "E305" in message and "乙镇 / 测 / 实际" in message and "values.csv" in message


def test_every_missing_value_is_reported_at_once(tmp_path):
    message = error_of(tmp_path, values(drop=[("乙镇", "测", "实际"), ("丁区", "测", "任务")]))
    assert "乙镇 / 测 / 实际" in message and "丁区 / 测 / 任务" in message


def test_non_numeric_value_names_file_and_row(tmp_path):
    message = error_of(tmp_path, values(cells={("丙镇", "测", "实际"): "完成"}))
    assert "E311" in message or "E306" in message
    assert "丙镇" in message and "完成" in message


def test_empty_cell_is_an_error_not_a_zero(tmp_path):
    message = error_of(tmp_path, values(cells={("丙镇", "测", "实际"): ""}))
    assert "E313" in message and "values.csv 第 7 行" in message and "丙镇 / 测 / 实际 为空" in message


def error_with_rows(tmp_path, rows: str) -> str:
    """The error the sample data gives with `rows` appended to its values file."""
    path = build(tmp_path, BODY, values())
    with open(tmp_path / "values.csv", "a", encoding="utf-8") as f:
        f.write(rows)
    with pytest.raises(DataError) as e:
        load_all(path)
    return e.value.render()


def test_duplicate_row_points_at_both_rows(tmp_path):
    message = error_with_rows(tmp_path, "甲镇,测,实际,95,\n")
    assert "E304" in message and "甲镇 / 测 / 实际" in message and "values.csv 第 3 行 已有" in message


def test_unknown_unit_and_item_in_data(tmp_path):
    message = error_with_rows(tmp_path, "甲真,测,实际,95,\n甲镇,侧,实际,95,\n")
    assert "E303" in message and "未知单位 甲真" in message and "是否指：甲镇" in message
    assert "未知指标 侧" in message


def test_target_of_zero_is_named(tmp_path):
    message = error_of(tmp_path, values(cells={("甲镇", "测", "任务"): "0"}))
    assert "E307" in message and "甲镇 / 测" in message


def test_missing_column_in_header(tmp_path):
    path = build(tmp_path, BODY, values())
    write_csv(tmp_path / "units.csv", ["名称", "分组"], [("甲镇", "镇")])
    with pytest.raises(DataError) as e:
        load_all(path)
    assert "E302" in e.value.render() and "缺少列 单位" in e.value.render()


def test_data_path_may_not_leave_the_scheme_folder(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    header = '数据 { 单位 "../units.csv" }\n'
    with pytest.raises(DataError) as e:
        load_all(build(folder, BODY, values(), header=header))
    assert "E310" in e.value.render()


def test_bom_and_english_headers_are_read(tmp_path):
    path = build(tmp_path, BODY, values())
    rows = (tmp_path / "values.csv").read_text(encoding="utf-8").splitlines()[1:]
    (tmp_path / "values.csv").write_text("\ufeffunit,item,field,value,note\n" + "\n".join(rows) + "\n",
                                         encoding="utf-8")
    results = load_all(path).evaluate()
    assert len(results.units) == len(UNITS)


def test_a_misspelt_field_suggests_the_field_the_data_has(tmp_path):
    body = "板块 总 1分 { 指标 测 1分 { 达标 有联动机制 } }\n"
    cells = {(u, "测", "有联动化解机制"): "是" for u, _ in UNITS}
    with pytest.raises(DataError) as e:
        load_all(build(tmp_path, body, cells)).evaluate()
    assert "E305" in e.value.render() and "是否指：有联动化解机制" in e.value.render()


def test_a_declared_default_fills_a_missing_value_and_says_so(tmp_path):
    body = "板块 总 3分 { 指标 测 3分 { 缺省 漏核 = 0 每 1例 漏核 扣 0.5分 } }\n"
    cells = {("甲镇", "测", "漏核"): "2"}
    units = {u.unit: u for u in load_all(build(tmp_path, body, cells)).evaluate().units}
    assert units["甲镇"].total == 2 and units["乙镇"].total == 3
    shown = dict(next(units["乙镇"].items()).lines[0].inputs)
    assert shown["漏核"].startswith("0（未填报，按方案 缺省 视为 0）")


def test_a_scheme_wide_default_applies_to_every_item(tmp_path):
    body = "缺省 事故 = 否\n板块 总 1分 { 指标 测 1分 { 满分 一票否决 事故 } }\n"
    units = load_all(build(tmp_path, body, {("甲镇", "测", "事故"): "是"})).evaluate().units
    assert sorted(str(u.total) for u in units) == ["0.00", "1.00", "1.00", "1.00", "1.00"]
