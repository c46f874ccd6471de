"""The wide layout of one row per unit (the 任务分解表 transposed, as a CSV of more units than
Excel has columns must be): read by the full loader as the transpose of the usual layout, and by
the columnar reader; both give the engine the same figures, or refuse alike."""
import csv
import io
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import UNITS, build, write_csv
from kpidsl.pipeline import _data_files, _many, bundled_schemes, load_all, prepare, read_scheme
from test_cli import kpi
from test_readers import SCHEMES, both_paths, explanations_agree, _csv, _outcome

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from synthetic import write_dataset  # noqa: E402


@pytest.mark.parametrize("name", SCHEMES)
def test_wide_reads_as_the_long_layout(tmp_path, name):
    """The same figures, long or one row per unit: the same scores from the full loader."""
    long = write_dataset(bundled_schemes() / name, 20, tmp_path / "long", 5, True)
    wide = write_dataset(bundled_schemes() / name, 20, tmp_path / "wide", 5, True, wide=True)
    assert _csv(prepare(wide, reader="full")[0]) == _csv(prepare(long, reader="full")[0])


@pytest.mark.parametrize("name", SCHEMES)
@settings(max_examples=3, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), units=st.integers(14, 40), boundaries=st.booleans())
def test_synthetic_wide_data_by_both_readers(tmp_path_factory, name, seed, units, boundaries):
    scheme = write_dataset(bundled_schemes() / name, units, tmp_path_factory.mktemp("wide"), seed, boundaries,
                           wide=True)
    fast, exact = both_paths(scheme)
    assert fast == exact


@pytest.mark.parametrize("name", SCHEMES)
def test_one_unit_explained_alike_on_wide_data(tmp_path, name):
    scheme = write_dataset(bundled_schemes() / name, 16, tmp_path, 9, True, wide=True)
    assert explanations_agree(scheme) == 16


def test_many_units_in_wide_csv_go_to_the_columnar_reader(tmp_path):
    scheme = write_dataset(bundled_schemes() / "rugao-2021.kpi", 1001, tmp_path, 2, wide=True)
    files = _data_files(read_scheme(scheme)[0], scheme, None, None, None, None, None, False)
    assert files.wide and _many(files)
    files.wide[0] = (Path("任务分解表.xlsx"), "任务分解表.xlsx", files.wide[0][2])
    assert not _many(files)  # a workbook: the full loader


# ---- the layout itself --------------------------------------------------------------------
BODY = """板块 总 10分 {
  指标 培训 "技能提升培训" 4分 { 按比例 别名 "技能提升培训（其中鉴定取证）(人)" }
  指标 取证 3分 { 按比例 别名 其中 "技能提升培训（其中鉴定取证）(人)" }
  指标 就业 3分 { 达标 }
}
"""
HEADER = '方案 "x"\n单位分组 镇, 区\n数据 { 单位 "units.csv" 任务 "targets.csv" 实际 "actuals.csv" }\n'


def one_row_per_unit(folder: Path, units=UNITS, cell=None) -> Path:
    """Targets with a bracketed 其中 value, without a 字段 row (they fill 任务), and a column no
    item names; actuals with a 字段 row, a column for reference and one no item names."""
    path = build(folder, BODY, {}, units=units, header=HEADER)
    write_csv(folder / "targets.csv", ["单位", "技能提升培训（其中鉴定取证）(人)", "合计", "就业"],
              [[u, f"{100 + k}\n({50 + k})", "", "１２"] for k, (u, _) in enumerate(units)])
    write_csv(folder / "actuals.csv", ["单位", "培训", "取证", "就业", "就业", "备注"],
              [["字段", "实际", "实际", "实际", "任务（参考）", ""]] +
              [[u, cell or str(90 + k), str(50 - k), "3.5万" if k % 2 else "12", "12", "—"]
               for k, (u, _) in enumerate(units)])
    return path


def test_one_row_per_unit_with_bracketed_sub_values(tmp_path):
    scheme = one_row_per_unit(tmp_path)
    values = {k: c for k, c in load_all(scheme).data.values.items()}
    assert values[("乙镇", "培训", "任务")].value == 101 and values[("乙镇", "取证", "任务")].value == 51
    assert values[("乙镇", "取证", "任务")].place == "targets.csv targets!B3"
    assert values[("乙镇", "就业", "实际")].place == "actuals.csv actuals!D4"
    assert ("乙镇", "就业", "任务（参考）") not in values
    fast, exact = both_paths(scheme)
    assert fast == exact
    assert explanations_agree(scheme) == len(UNITS)


def test_one_unit_reads_the_way_its_items_run(tmp_path):
    """One unit names one row and one column alike: the sheet is read the way items label it."""
    scheme = one_row_per_unit(tmp_path, units=UNITS[:1])
    assert load_all(scheme, check_data=False).data.values[("甲镇", "取证", "实际")].value == 50
    with open(tmp_path / "actuals.csv", encoding="utf-8") as f:
        turned = [list(column) for column in zip(*csv.reader(f))]  # indicators as rows again
    write_csv(tmp_path / "actuals.csv", turned[0], turned[1:])
    assert load_all(scheme, check_data=False).data.values[("甲镇", "取证", "实际")].value == 50


@pytest.mark.parametrize("cell, code", [("很多", "E306"), ("1" * 31, "E306"), ("—", "E313"), ("90(3)", "E312")])
def test_a_bad_cell_is_named_with_its_sheet_and_cell_by_both_readers(tmp_path, cell, code):
    scheme = one_row_per_unit(tmp_path, cell=cell)
    outcomes = [_outcome(scheme, reader) for reader in ("columns", "full")]
    assert outcomes[0] == outcomes[1] and code in outcomes[0] and "actuals!B3" in outcomes[0]


@pytest.mark.parametrize("turned, blank_last", [(False, False), (True, False), (False, True), (True, True)])
def test_an_unquoted_thousands_figure_is_refused_not_shifted(tmp_path, turned, blank_last):
    """`1,200` saved unquoted is two fields: the row is refused (E314, with its row), as the long
    layout's reader refuses it, rather than every figure after it moved one item (or unit) along
    — also where the field it pushes out of the table is a blank 备注 (or a unit's blank column)."""
    scheme = one_row_per_unit(tmp_path)
    with open(tmp_path / "actuals.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if blank_last:
        for row in rows[1:]:
            row[-1] = ""
    if turned:  # indicators as rows, units as columns
        rows = [list(column) for column in zip(*rows)]
    at = 2 if turned else 1  # a figure's cell (past the 字段 column where indicators are rows)
    rows[2][at:at + 1] = [rows[2][at][:1], rows[2][at][1:]]  # e.g. 50 saved as 5,0
    write_csv(tmp_path / "actuals.csv", rows[0], rows[1:])
    for reader in ("columns", "full"):
        found = _outcome(scheme, reader)
        assert found.startswith("E314 actuals.csv 第 3 行：有 ") and "含逗号的值请加引号" in found, found
        assert "E305" not in found  # the row's figures are refused with it, not missing besides


def test_rows_shorter_or_notes_above_the_table_read_as_written(tmp_path):
    """A title and notes above the table (说明, 填报人), a header's 备注 column over rows saved
    without its trailing comma: the table reads as written (only a row longer than its header
    is refused)."""
    scheme = one_row_per_unit(tmp_path)
    original = _csv(prepare(scheme, reader="full")[0])
    with open(tmp_path / "actuals.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows = [["2021年完成情况"], ["说明：按实填报"], ["填报人：", "审核人："]] + \
        [rows[0]] + [row[:-1] if row[-1] == "—" else row for row in rows[1:]]
    (tmp_path / "actuals.csv").write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    assert [_csv(prepare(scheme, reader=reader)[0]) for reader in ("columns", "full")] == [original, original]


# ---- data as people write it: both readers read it alike, or refuse it alike ------------------
def _mangle(rng, folder: Path) -> None:
    path = folder / "rugao-2021" / rng.choice(["actuals-sample.csv", "targets.csv"])
    rows = [row for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")) if row]
    head = 2 if rows[1][0] == "字段" else 1
    r, c = rng.randrange(head, len(rows)), rng.randrange(1, len(rows[0]))
    how = rng.choice(["blank", "dash", "word", "long number", "full-width", "spaces", "thousands", "percent",
                      "alias", "unknown unit", "cut short", "repeat", "blank line", "shuffle", "extra column",
                      "bracket", "title", "unit in a cell", "english", "swap columns", "unquoted thousands"])
    if how == "blank":
        rows[r][c] = ""
    elif how == "dash":
        rows[r][c] = "—"
    elif how == "word":
        rows[r][c] = "很多"
    elif how == "long number":
        rows[r][c] = "1" * rng.choice([19, 25, 31])
    elif how == "full-width":
        rows[r][c] = rows[r][c].translate(str.maketrans("0123456789.%", "０１２３４５６７８９．％"))
    elif how == "spaces":
        rows[r] = [f" {cell}  " for cell in rows[r]]
    elif how == "thousands" and rows[r][c].isdigit():
        rows[r][c] = f"{int(rows[r][c]):,}"
    elif how == "percent" and rows[r][c].isdigit():
        rows[r][c] += "%"
    elif how == "alias":
        for row in rows:
            row[0] = {"经济技术开发区（城北街道）": "城北街道", "丁堰镇": "丁 堰 镇"}.get(row[0], row[0])
    elif how == "unknown unit":
        rows[r][0] = "不存在镇"
    elif how == "cut short":
        rows[r][0] = rows[r][0][:-1]
    elif how == "repeat":
        rows.append(list(rows[r]))
    elif how == "blank line":
        rows.insert(r, [])
    elif how == "shuffle":
        body = rows[head:]
        rng.shuffle(body)
        rows[head:] = body
    elif how == "extra column":
        for k, row in enumerate(rows):
            row.append("备注" if k == 0 else f"说明{k}")
    elif how == "bracket":
        rows[r][c] = f"{rows[r][c]}\n(3)"
    elif how == "title":
        rows.insert(0, ["2021年任务分解表"] + [""] * (len(rows[0]) - 1))
    elif how == "unit in a cell":
        rows[r][c] = rows[head][0]
    elif how == "english":
        rows[0][0] = "unit"
        if head == 2:
            rows[1][0] = "field"
    elif how == "swap columns":
        for row in rows:
            row[1], row[c] = row[c], row[1]
    elif how == "unquoted thousands" and len(rows[r][c]) > 3 and rows[r][c].isdigit():
        rows[r][c:c + 1] = [rows[r][c][:-3], rows[r][c][-3:]]  # 1,200 typed in a cell, saved unquoted
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


@settings(max_examples=max(10, settings().max_examples // 3),  # each example scores 20 units twice
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False), changes=st.integers(1, 3))
def test_mangled_wide_data_reads_alike_by_both_readers(tmp_path_factory, rng, changes):
    scheme = write_dataset(bundled_schemes() / "rugao-2021.kpi", 20, tmp_path_factory.mktemp("mangled"), 4,
                           wide=True)
    for _ in range(changes):
        _mangle(rng, scheme.parent)
    assert _outcome(scheme, "columns") == _outcome(scheme, "full")


def test_a_values_file_given_as_a_table_is_named_so():
    """`--actuals actuals-sample.csv` (单位,指标,字段,值): one error saying to give it with --values,
    first, rather than only a figure missing for every unit and item."""
    done = kpi("score", "--actuals", str(bundled_schemes() / "rugao-2021" / "actuals-sample.csv"))
    assert done.returncode == 1
    assert done.stderr.startswith("E314 ") and "是数值文件（表头 单位,指标,字段,值,说明）" in done.stderr.splitlines()[0] \
        and "请用 --values 读取" in done.stderr.splitlines()[0]


@pytest.mark.parametrize("turned", [False, True])
def test_a_units_name_written_otherwise_in_a_table_is_named_at_its_cell(tmp_path, turned):
    """乙镇（已核） where 乙镇's row (or column) should be: the unit has no figures in the table,
    and the cell that reads nearly as its name is named (E303, with the cell and the unit
    meant), not each of its figures as missing."""
    scheme = one_row_per_unit(tmp_path)
    with open(tmp_path / "actuals.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[3][0] == "乙镇"
    rows[3][0] = "乙镇（已核）"
    if turned:
        rows = [list(column) for column in zip(*rows)]
    write_csv(tmp_path / "actuals.csv", rows[0], rows[1:])
    cell = "actuals!D1" if turned else "actuals!A4"
    for reader in ("columns", "full"):
        found = _outcome(scheme, reader)
        assert found == f"E303 actuals.csv {cell}：未知单位 乙镇（已核），是否指：乙镇", found
