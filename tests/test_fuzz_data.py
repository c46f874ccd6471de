"""Data fuzzing on the bundled 如皋 2021 scheme: rows missing, repeated, reordered; cells
corrupted; files in the wrong shape. Each gives the right result or a named error."""
from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from kpidsl.errors import DataError, KpiError
from kpidsl.pipeline import load_all
from kpidsl.render import json as json_render

SOME = settings(max_examples=max(10, settings().max_examples // 4))  # each example scores 14 units
FILES = ("units.csv", "targets.csv", "actuals-sample.csv", "records-sample.csv")


def copy_bundled(schemes_dir: Path, folder: Path) -> Path:
    shutil.copy(schemes_dir / "rugao-2021.kpi", folder)
    shutil.copytree(schemes_dir / "rugao-2021", folder / "rugao-2021", dirs_exist_ok=True)
    return folder / "rugao-2021.kpi"


def rows(path: Path) -> list[list[str]]:
    return list(csv.reader(path.open(encoding="utf-8")))


def write(path: Path, table: list[list[str]], delimiter: str = ",") -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(table)


def score_json(path: Path) -> str:
    return json_render.render(load_all(path).evaluate())


@pytest.fixture(scope="module")
def reference(schemes_dir, tmp_path_factory):
    return score_json(copy_bundled(schemes_dir, tmp_path_factory.mktemp("reference")))


@SOME
@given(st.randoms(use_true_random=False))
def test_row_order_never_changes_a_score(schemes_dir, tmp_path_factory, reference, rng):
    path = copy_bundled(schemes_dir, tmp_path_factory.mktemp("shuffled"))
    for name in FILES:
        header, *body = rows(path.parent / "rugao-2021" / name)
        rng.shuffle(body)
        write(path.parent / "rugao-2021" / name, [header, *body])
    assert score_json(path) == reference


def test_other_delimiters_read_the_same(schemes_dir, tmp_path, reference):
    path = copy_bundled(schemes_dir, tmp_path)
    for name, delimiter in zip(FILES, ["\t", ";", "\t", ";"]):
        write(path.parent / "rugao-2021" / name, rows(path.parent / "rugao-2021" / name), delimiter)
    assert score_json(path) == reference


@SOME
@given(st.integers(min_value=1, max_value=811))
def test_a_missing_row_is_named(schemes_dir, tmp_path_factory, index):
    path = copy_bundled(schemes_dir, tmp_path_factory.mktemp("missing"))
    table = rows(path.parent / "rugao-2021" / "actuals-sample.csv")
    unit, item, field = table[index][:3]
    del table[index]
    write(path.parent / "rugao-2021" / "actuals-sample.csv", table)
    with pytest.raises(DataError) as e:
        score_json(path)
    assert f"{unit} / {item} / {field}" in e.value.render()


@SOME
@given(st.integers(min_value=1, max_value=811))
def test_a_repeated_row_is_named_with_both_rows(schemes_dir, tmp_path_factory, index):
    path = copy_bundled(schemes_dir, tmp_path_factory.mktemp("repeated"))
    table = rows(path.parent / "rugao-2021" / "actuals-sample.csv")
    table.append(table[index])
    write(path.parent / "rugao-2021" / "actuals-sample.csv", table)
    with pytest.raises(DataError) as e:
        load_all(path)
    message = e.value.render()
    assert "E304" in message and f"第 {len(table)} 行" in message and f"actuals-sample.csv 第 {index + 1} 行 已有" in message


BAD_CELLS = ["", "—", "完成", "NaN", "1e999", "9" * 40, "12..5", "是否", "-"]
GOOD_CELLS = {"3.5万": "35000", "1,200": "1200", "85%": "0.85", "１２": "12", "-5": "-5", "12人": "12"}


@SOME
@given(st.integers(min_value=1, max_value=811), st.sampled_from(BAD_CELLS + list(GOOD_CELLS)))
def test_a_corrupted_cell_scores_or_is_named(schemes_dir, tmp_path_factory, index, cell):
    path = copy_bundled(schemes_dir, tmp_path_factory.mktemp("cell"))
    table = rows(path.parent / "rugao-2021" / "actuals-sample.csv")
    unit, item, field = table[index][:3]
    table[index][3] = cell
    write(path.parent / "rugao-2021" / "actuals-sample.csv", table)
    try:
        results = load_all(path).evaluate()
    except DataError as e:
        message = e.render()
        assert f"{unit} / {item}" in message or f"第 {index + 1} 行" in message, message
        return
    assert cell in GOOD_CELLS, f"{cell!r} in row {index + 1} ({unit} / {item} / {field}) was accepted"
    assert len(results.units) == 14


@pytest.mark.parametrize("cell", ["", "—", "-"])
def test_a_blank_cell_is_never_a_zero(schemes_dir, tmp_path, cell):
    path = copy_bundled(schemes_dir, tmp_path)
    table = rows(path.parent / "rugao-2021" / "actuals-sample.csv")
    table[1][3] = cell
    write(path.parent / "rugao-2021" / "actuals-sample.csv", table)
    with pytest.raises(DataError) as e:
        load_all(path)
    assert "E313" in e.value.render() and "第 2 行" in e.value.render()


@pytest.mark.parametrize("cell,value", sorted(GOOD_CELLS.items()))
def test_numbers_as_officials_write_them(cell, value):
    from decimal import Decimal

    from kpidsl.data import parse_value

    assert parse_value(cell) == Decimal(value)


def test_non_utf8_file_is_named_with_the_fix(schemes_dir, tmp_path):
    path = copy_bundled(schemes_dir, tmp_path)
    target = path.parent / "rugao-2021" / "units.csv"
    target.write_bytes(target.read_text(encoding="utf-8").encode("gbk"))
    with pytest.raises(DataError) as e:
        load_all(path)
    assert "E301" in e.value.render() and "units.csv" in e.value.render() and "UTF-8" in e.value.render()


def test_target_of_zero_is_named(schemes_dir, tmp_path):
    path = copy_bundled(schemes_dir, tmp_path)
    table = rows(path.parent / "rugao-2021" / "targets.csv")
    row = next(r for r in table if r[:2] == ["丁堰镇", "新增留学回国人员数"])
    row[3] = "0"
    write(path.parent / "rugao-2021" / "targets.csv", table)
    with pytest.raises(DataError) as e:
        score_json(path)
    assert "E307" in e.value.render() and "丁堰镇 / 新增留学回国人员数" in e.value.render()


def test_unknown_units_and_items_are_named(schemes_dir, tmp_path):
    path = copy_bundled(schemes_dir, tmp_path)
    actuals = path.parent / "rugao-2021" / "actuals-sample.csv"
    row = len(rows(actuals)) + 1
    with actuals.open("a", encoding="utf-8") as f:
        f.write("北京市,城镇新增就业,实际,5,\n丁堰镇,城镇新增就来,实际,5,\n")
    with pytest.raises(DataError) as e:
        load_all(path)
    message = e.value.render()
    assert re.search(rf"第 {row} 行：未知单位 北京市", message) and "未知指标 城镇新增就来" in message
    assert "是否指：城镇新增就业" in message


def test_errors_are_collected_not_stopped_at_the_first(schemes_dir, tmp_path):
    path = copy_bundled(schemes_dir, tmp_path)
    table = rows(path.parent / "rugao-2021" / "actuals-sample.csv")
    write(path.parent / "rugao-2021" / "actuals-sample.csv", [table[0]] + table[60:])
    with pytest.raises(KpiError) as e:
        score_json(path)
    assert len(e.value.diagnostics) > 5
