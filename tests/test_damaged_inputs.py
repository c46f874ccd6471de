"""Figures damaged the way people and tools damage them are read as meant or refused with their
place — never scored otherwise without a word (issue 12). Each case runs through the `kpi` entry
point on a copy of the bundled 如皋 2021 scheme, and by both readers."""
from __future__ import annotations

import os
import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kpidsl.errors import KpiError
from kpidsl.pipeline import prepare
from test_cli import KPI, kpi
from test_readers import _csv

ACTUALS = "rugao-2021/actuals-sample.csv"


def replace_line(path: Path, old: str, new: str) -> int:
    """Replace the line `old` of a data file by `new`; returns its line number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    at = lines.index(old)
    lines[at] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return at + 1


def refused_by_both(scheme: Path) -> str:
    """The error both readers give (the same), and the entry point's: exit 1, the same text."""
    messages = set()
    for reader in ("columns", "full"):
        with pytest.raises(KpiError) as e:
            prepare(scheme, reader=reader)
        messages.add(e.value.render())
    assert len(messages) == 1
    done = kpi("score", scheme.name, "--format", "csv", cwd=scheme.parent)
    assert done.returncode == 1 and done.stdout == ""
    return done.stderr


@pytest.mark.parametrize("written, reads", [("97.5%", "0.975"), ("0.975", "0.975"), ("９７.５％", "0.975")])
def test_a_rate_written_as_a_percentage_or_a_fraction_reads_alike(rugao_copy, written, reads):
    original = _csv(prepare(rugao_copy, reader="full")[0])
    replace_line(rugao_copy.parent / ACTUALS, "丁堰镇,体检率,体检率,97.5%,", f"丁堰镇,体检率,体检率,{written},")
    assert [_csv(prepare(rugao_copy, reader=r)[0]) for r in ("columns", "full")] == [original, original]


@pytest.mark.parametrize("written", ["97.5", "1", "-97.5", "97.5人"])
def test_a_rate_typed_without_its_percent_sign_is_refused_with_its_row(rugao_copy, written):
    row = replace_line(rugao_copy.parent / ACTUALS, "丁堰镇,体检率,体检率,97.5%,", f"丁堰镇,体检率,体检率,{written},")
    error = refused_by_both(rugao_copy)
    assert f"E306 {ACTUALS} 第 {row} 行：丁堰镇 / 体检率 / 体检率 的值 '{written}' 不是百分数" in error
    if written == "97.5":
        assert "是 97.5% 吗" in error


@pytest.mark.parametrize("written", ["-10098", "10098.5", "10.098"])
def test_a_headcount_paid_per_person_is_whole_and_not_negative(rugao_copy, written):
    """每人 4元 按 缴费900元人数 counts people: a stray minus (paid 0元), half a person, or a dot
    typed for a thousands separator (paid 40.392元) is refused with its row, as a count is."""
    row = replace_line(rugao_copy.parent / ACTUALS, "丁堰镇,居民养老保险缴费人数,缴费900元人数,10098,",
                       f"丁堰镇,居民养老保险缴费人数,缴费900元人数,{written},")
    assert f"E306 {ACTUALS} 第 {row} 行：丁堰镇 / 居民养老保险缴费人数 / 缴费900元人数 的值 '{written}' " \
           "不是以“人”计的非负整数" in refused_by_both(rugao_copy)


def test_a_headcount_counted_in_another_unit_keeps_its_check(rugao_copy):
    """居保转企保人数.实际 is paid 每人 30元 and also compared with a figure in 人次: it is a count of
    人次 (每人 implies 人 only where nothing else says), so a stray minus is still refused."""
    declare(rugao_copy, "指标 居保转企保人数", "      一票否决 实际 > 1000000人次")
    row = replace_line(rugao_copy.parent / ACTUALS, "丁堰镇,居保转企保人数,实际,382,", "丁堰镇,居保转企保人数,实际,-382,")
    assert f"E306 {ACTUALS} 第 {row} 行：丁堰镇 / 居保转企保人数 / 实际 的值 '-382' 不是以“人次”计的非负整数" \
        in refused_by_both(rugao_copy)


def declare(scheme: Path, after: str, line: str) -> None:
    """A statement added to the scheme after the line holding `after`."""
    text = scheme.read_text(encoding="utf-8")
    at = text.index("\n", text.index(after)) + 1
    scheme.write_text(text[:at] + line + "\n" + text[at:], encoding="utf-8")


@pytest.mark.parametrize("written", ["97.5", "97.5%", "９７.５"])
def test_a_scheme_may_declare_bare_rates_as_percentages(rugao_copy, written):
    """计量 体检率 百分点: the bureau's sheets write 97.5 for 97.5%; both readers read it so."""
    original = _csv(prepare(rugao_copy, reader="full")[0])
    declare(rugao_copy, "指标 体检率", "      计量 体检率 百分点")
    replace_line(rugao_copy.parent / ACTUALS, "丁堰镇,体检率,体检率,97.5%,", f"丁堰镇,体检率,体检率,{written},")
    assert [_csv(prepare(rugao_copy, reader=r)[0]) for r in ("columns", "full")] == [original, original]
    explained = kpi("explain", rugao_copy.name, "丁堰镇", cwd=rugao_copy.parent).stdout
    assert f"体检率 {written.rstrip('%')}%" in explained  # as written, with its unit


@pytest.mark.parametrize("line, says", [
    ("计量 体检率 人", "计量 体检率 人 与规则中以“%”计的数值不符"),
    ("计量 完成率 %", "计量 完成率：体检率 的规则不读取此字段"),
    ("计量 体检率 斤", None),  # not a unit: a syntax error at the word
])
def test_a_measure_that_does_not_fit_the_rules_is_refused_at_its_line(rugao_copy, line, says):
    declare(rugao_copy, "指标 体检率", "      " + line)
    done = kpi("check", rugao_copy.name, "--no-data", cwd=rugao_copy.parent)
    assert done.returncode == 1 and "rugao-2021.kpi:234:" in done.stderr
    assert says is None or says in done.stderr


@pytest.mark.parametrize("written", ["2⁶5", "26⑤", "265½"])
def test_superscripts_and_circled_digits_are_never_digits(rugao_copy, written):
    row = replace_line(rugao_copy.parent / ACTUALS, "丁堰镇,劳动力外引,实际,265,", f"丁堰镇,劳动力外引,实际,{written},")
    assert f"第 {row} 行：丁堰镇 / 劳动力外引 / 实际 的值 '{written}' 不是数值" in refused_by_both(rugao_copy)


def test_a_count_of_people_takes_people_not_yuan(rugao_copy):
    actuals = rugao_copy.parent / ACTUALS
    original = _csv(prepare(rugao_copy, reader="full")[0])
    replace_line(actuals, "丁堰镇,劳动力外引,实际,265,", "丁堰镇,劳动力外引,实际,265人,")
    assert _csv(prepare(rugao_copy, reader="columns")[0]) == original
    row = replace_line(actuals, "丁堰镇,劳动力外引,实际,265人,", "丁堰镇,劳动力外引,实际,265元,")
    assert f"第 {row} 行：丁堰镇 / 劳动力外引 / 实际 的值 '265元' 不是以“人”计的数值" in refused_by_both(rugao_copy)


@pytest.mark.parametrize("written", ["265.5", "-265"])
def test_a_count_is_whole_and_not_negative(rugao_copy, written):
    row = replace_line(rugao_copy.parent / ACTUALS, "丁堰镇,劳动力外引,实际,265,", f"丁堰镇,劳动力外引,实际,{written},")
    assert f"第 {row} 行：丁堰镇 / 劳动力外引 / 实际 的值 '{written}' 不是以“人”计的非负整数" in refused_by_both(rugao_copy)


# ---- CSV as it gets broken: every record as long as its header, quotes closed ---------------
@pytest.mark.parametrize("written, says", [
    ("丁堰镇,劳动力外引,实际,1,200,", "有 6 个字段，表头有 5 个（含逗号的值请加引号）"),
    ("丁堰镇,劳动力外引,实际,265,,extra,more", "有 7 个字段，表头有 5 个"),
    ("丁堰镇,劳动力外引,实际,265,,", "有 6 个字段，表头有 5 个"),
    ("丁堰镇,劳动力外引,实际,265", "有 4 个字段，表头有 5 个"),
    ('丁堰镇,劳动力外引,实际,"265,', "引号未闭合（此行以 '丁堰镇,劳动力外引,实际,\"265,' 开头）"),
    ('丁堰镇,劳动力外引,实际,"265"x,', "引号闭合后紧跟其他字符"),
    ('丁堰镇,劳动力外引,实际,265,"' + "长" * ((1 << 20) + 1) + '"', "单元格超过 1048576 个字符"),
    (",劳动力外引,实际,265,", "未写单位"),
    ("丁堰镇,,实际,265,", "未写指标"),
])
def test_a_broken_csv_record_is_named_by_its_row(rugao_copy, written, says):
    row = replace_line(rugao_copy.parent / ACTUALS, "丁堰镇,劳动力外引,实际,265,", written)
    assert f"E314 {ACTUALS} 第 {row} 行：{says}" in refused_by_both(rugao_copy)


def test_a_unit_without_a_name_is_refused(rugao_copy):
    units = rugao_copy.parent / "rugao-2021/units.csv"
    row = replace_line(units, "白蒲镇,镇,", ",镇,")
    assert f"E314 rugao-2021/units.csv 第 {row} 行：单位名为空" in refused_by_both(rugao_copy)


# ---- files that would hang or eat memory are refused by their type, before reading ----------
@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
@pytest.mark.parametrize("option", ["scheme", "--values", "--units", "--targets"])
def test_pipes_devices_and_folders_are_refused_not_read(rugao_copy, kind, option):
    target = {"fifo": rugao_copy.parent / "pipe.csv", "device": Path("/dev/zero"), "directory": rugao_copy.parent}[kind]
    if kind == "fifo":
        os.mkfifo(target)
    args = ["check", str(target)] if option == "scheme" else ["score", rugao_copy.name, option, str(target)]
    done = subprocess.run([KPI, *args], capture_output=True, text=True, cwd=rugao_copy.parent, timeout=60)
    assert done.returncode == 1
    said = {"directory": "目录"}.get(kind, "设备或管道")
    if kind == "directory" and option == "--targets":  # a folder of the units' own workbooks, here none
        said = "文件夹中没有 .xlsx 或 .csv 文件"
    assert f"E301 无法读取文件 {target}：" in done.stderr and said in done.stderr


def test_a_pipe_in_a_folder_of_workbooks_is_refused_not_read(rugao_copy):
    (rugao_copy.parent / "returns").mkdir()
    os.mkfifo(rugao_copy.parent / "returns" / "丁堰镇.xlsx")
    done = subprocess.run([KPI, "score", rugao_copy.name, "--actuals", "returns"], capture_output=True, text=True,
                          cwd=rugao_copy.parent, timeout=60)
    assert done.returncode == 1 and "E301 无法读取文件 returns/丁堰镇.xlsx：" in done.stderr


# ---- workbooks: merges that would copy a figure, cells far away, declared sizes ------------
TARGETS = "rugao-2021/任务分解表.xlsx"


def score_with_targets(scheme: Path, workbook: Path) -> subprocess.CompletedProcess:
    return kpi("score", scheme.name, "--targets", str(workbook), "--values", ACTUALS, "--format", "csv",
               cwd=scheme.parent)


def edited_xml(source: Path, target: Path, sheet: str, edit) -> Path:
    """The workbook with one sheet's XML changed, as a tool or a hostile sender might write it."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            new.writestr(item, edit(data.decode()).encode() if item.filename == sheet else data)
    return target


@pytest.mark.parametrize("span, units", [
    ("D3:E3", "如皋工业园区（如城街道）、经济技术开发区（城北街道）"),  # across two units' columns
    ("D3:D4", "如皋工业园区（如城街道）"),  # down over a second item's row
])
def test_a_merge_across_figures_is_refused_naming_its_range(rugao_copy, tmp_path, span, units):
    book = openpyxl.load_workbook(rugao_copy.parent / TARGETS)
    book["附件1"].merge_cells(span)
    book.save(tmp_path / "merged.xlsx")
    done = score_with_targets(rugao_copy, tmp_path / "merged.xlsx")
    assert done.returncode == 1
    assert f"E314 {tmp_path / 'merged.xlsx'} 附件1!{span}：合并单元格跨越多个数值单元格（{units}）" in done.stderr


@pytest.mark.parametrize("cell", ["XFD1048576", "A1048576"])
def test_a_cell_far_away_is_refused_at_once(rugao_copy, tmp_path, cell):
    book = openpyxl.load_workbook(rugao_copy.parent / TARGETS)
    book.save(tmp_path / "plain.xlsx")
    row = cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    far = edited_xml(tmp_path / "plain.xlsx", tmp_path / "far.xlsx", "xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        "</sheetData>", f'<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))
    done = score_with_targets(rugao_copy, far)  # took minutes, then ran out of memory
    assert done.returncode == 1 and f"工作表 附件1 过大：单元格 附件1!{cell} 使表格超过" in done.stderr


def test_a_merge_over_the_whole_sheet_beside_the_table_costs_nothing(rugao_copy, tmp_path):
    book = openpyxl.load_workbook(rugao_copy.parent / TARGETS)
    book.save(tmp_path / "plain.xlsx")
    merged = edited_xml(tmp_path / "plain.xlsx", tmp_path / "merge.xlsx", "xl/worksheets/sheet1.xml", lambda xml: re.sub(
        r'<mergeCells count="(\d+)">', lambda m: f'<mergeCells count="{int(m[1]) + 1}"><mergeCell ref="R1:XFD1048576"/>', xml))
    assert score_with_targets(rugao_copy, merged).stdout == score_with_targets(rugao_copy, rugao_copy.parent / TARGETS).stdout != ""


def _formula(xml: str, cell: str, cached: str | None) -> str:
    """The cell's value replaced by a formula (=2607, as a tool that computes would write it),
    with the result Excel saved, or none (a program wrote the formula; nothing computed it)."""
    found = re.search(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)', xml)
    saved = f"<v>{cached}</v>" if cached is not None else ""
    return xml[:found.start()] + f'<c r="{cell}"><f>2000+607</f>{saved}</c>' + xml[found.end():]


def test_a_formula_reads_as_the_result_excel_saved_and_is_never_evaluated(rugao_copy, tmp_path):
    book = openpyxl.load_workbook(rugao_copy.parent / TARGETS)
    book.save(tmp_path / "plain.xlsx")
    computed = edited_xml(tmp_path / "plain.xlsx", tmp_path / "f.xlsx", "xl/worksheets/sheet1.xml",
                          lambda xml: _formula(xml, "D3", "2607"))
    assert score_with_targets(rugao_copy, computed).stdout == score_with_targets(rugao_copy, rugao_copy.parent / TARGETS).stdout != ""
    wrong = edited_xml(tmp_path / "plain.xlsx", tmp_path / "w.xlsx", "xl/worksheets/sheet1.xml",
                       lambda xml: _formula(xml, "D3", "9999"))  # the saved result is what is read
    assert score_with_targets(rugao_copy, wrong).stdout != score_with_targets(rugao_copy, computed).stdout


def test_a_formula_without_a_saved_result_is_refused_with_its_cell(rugao_copy, tmp_path):
    book = openpyxl.load_workbook(rugao_copy.parent / TARGETS)
    book.save(tmp_path / "plain.xlsx")
    bare = edited_xml(tmp_path / "plain.xlsx", tmp_path / "f.xlsx", "xl/worksheets/sheet1.xml",
                      lambda xml: _formula(xml, "D3", None))
    done = score_with_targets(rugao_copy, bare)
    assert done.returncode == 1
    assert f"E314 {bare} 附件1!D3：公式没有保存计算结果" in done.stderr


def test_one_run_names_every_problem_of_every_file_and_layer(rugao_copy):
    """A missing reason, a score above its points, text in a number and a broken record in
    another file: all in one run (they came one a run), each with its place."""
    actuals = rugao_copy.parent / ACTUALS
    lines = actuals.read_text(encoding="utf-8").split("\n")
    reason = next(i for i, l in enumerate(lines) if l.startswith("丁堰镇,创新创优项目,评分,"))
    above = next(i for i, l in enumerate(lines) if l.startswith("白蒲镇,创新创优项目,评分,"))
    lines[reason] = "丁堰镇,创新创优项目,评分,3,"
    lines[above] = "白蒲镇,创新创优项目,评分,30,理由"
    actuals.write_text("\n".join(lines), encoding="utf-8")
    text = replace_line(actuals, "丁堰镇,体检率,体检率,97.5%,", "丁堰镇,体检率,体检率,约97%,")
    records = rugao_copy.parent / "rugao-2021/records-sample.csv"
    broken = len(records.read_text(encoding="utf-8").splitlines()) + 1
    records.write_text(records.read_text(encoding="utf-8") + "丁堰镇,高技能类双创人才等项目,x,省级,1,200\n",
                       encoding="utf-8")
    done = kpi("score", rugao_copy.name, cwd=rugao_copy.parent)
    assert done.returncode == 1
    said = done.stderr
    assert "丁堰镇 / 创新创优项目：评定分须附评定理由" in said and f"（{ACTUALS} 第 {reason + 1} 行）" in said
    assert f"白蒲镇 / 创新创优项目：评定分 30 超出允许范围 0–4（{ACTUALS} 第 {above + 1} 行）" in said
    assert f"E306 {ACTUALS} 第 {text} 行：丁堰镇 / 体检率 / 体检率 的值 '约97%'" in said
    assert f"E314 rugao-2021/records-sample.csv 第 {broken} 行：有 6 个字段，表头有 4 个" in said


def test_a_project_is_one_however_its_name_is_spaced_and_is_named(rugao_copy):
    """相同项目不重复计分: 丁堰镇 技能大师工作室 is 丁堰镇技能大师工作室 (it counted twice, moving a
    10000元 award); a record naming no project is refused with its row, not counted as one."""
    records = rugao_copy.parent / "rugao-2021/records-sample.csv"
    original = _csv(prepare(rugao_copy)[0])  # every score and award
    with records.open("a", encoding="utf-8") as f:
        f.write("丁堰镇,高技能类双创人才等项目,丁堰镇 技能大师工作室,如皋市级\n")
    assert [_csv(prepare(rugao_copy, reader=reader)[0]) for reader in ("full", "columns")] == [original, original]
    with records.open("a", encoding="utf-8") as f:
        f.write("丁堰镇,高技能类双创人才等项目,,如皋市级\n")
    row = len(records.read_text(encoding="utf-8").splitlines())
    for reader in ("full", "columns"):
        with pytest.raises(KpiError) as refused:
            prepare(rugao_copy, reader=reader)
        assert f"E314 rugao-2021/records-sample.csv 第 {row} 行：丁堰镇 / 高技能类双创人才等项目：未写项目名称" \
            in refused.value.render()


@pytest.mark.parametrize("mark", ["\u200b", "\ufeff", "\u00ad"])
def test_an_invisible_character_in_a_name_is_shown_escaped(rugao_copy, mark):
    """A zero-width space, a BOM from two pasted files, a soft hyphen: the name is unknown, and
    the message shows why, not "未知单位 丁堰镇，是否指：丁堰镇"."""
    row = replace_line(rugao_copy.parent / ACTUALS, "丁堰镇,企业职工养老保险新增参保人数,实际,650,",
                       f"丁堰{mark}镇,企业职工养老保险新增参保人数,实际,650,")
    shown = f"\\x{ord(mark):02x}" if ord(mark) < 256 else f"\\u{ord(mark):04x}"
    assert f"E303 {ACTUALS} 第 {row} 行：未知单位 丁堰{shown}镇，是否指：丁堰镇" in refused_by_both(rugao_copy)
