"""Data the way officials keep it: wide 任务分解表 in, templates out, results workbooks out."""
from __future__ import annotations

import csv
import io
import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from rich.console import Console

from kpidsl.cli import _progress
from kpidsl.errors import DataError
from kpidsl.pipeline import load_all
from kpidsl.render import json as json_render
from kpidsl.render.workbook import write_results, write_template
from kpidsl.sheets import REFERENCE
from conftest import UNITS, build
from test_cli import kpi


@pytest.fixture(scope="module")
def rugao(schemes_dir):
    return schemes_dir / "rugao-2021.kpi", schemes_dir / "rugao-2021"


@pytest.fixture(scope="module")
def reference_json(rugao):
    return json_render.render(load_all(rugao[0]).evaluate())


def test_bundled_wide_targets_read_as_the_csv(rugao, reference_json):
    scheme, folder = rugao
    loaded = load_all(scheme, targets=[str(folder / "任务分解表.xlsx")],
                      values=[str(folder / "actuals-sample.csv")])
    assert json_render.render(loaded.evaluate()) == reference_json
    cell = loaded.data.values[("东陈镇", "居保转企保人数", "任务")]
    assert cell.value == 680 and cell.place == f"{folder / '任务分解表.xlsx'} 附件1!H4"
    assert loaded.data.values[("丁堰镇", "服务企业用工", "任务")].value == 1  # a 100% cell


WIDE_BODY = """板块 总 10分 {
  指标 培训 "技能提升培训" 4分 { 按比例 别名 "技能提升培训（其中鉴定取证）(人)" }
  指标 取证 3分 { 按比例 别名 其中 "技能提升培训（其中鉴定取证）(人)" }
  指标 就业 3分 { 达标 }
}
"""


def wide_rows(cells):
    """A 任务分解表 in CSV: a title, a header with names broken over lines, labels in two
    columns, a total column, then one column per unit."""
    header = ["项目", "指标", "合计", *("\n".join(name) for name, _ in UNITS)]
    rows = [["2018年任务分解表"], header]
    rows.append(["培训", "技能提升培训（其中鉴定取证）(人)", "", *cells])
    rows.append(["", "就业", "", "１２", "3.5万", "1,200", "100%", "7人"])
    return rows


def test_wide_csv_with_broken_names_and_bracketed_sub_targets(tmp_path):
    path = build(tmp_path, WIDE_BODY, {}, header='方案 "x"\n单位分组 镇, 区\n数据 { 单位 "units.csv" }\n')
    with open(tmp_path / "wide.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(wide_rows(["15000\n(7500)", "100 (50)", "（40）", "8", "9"]))
    loaded = load_all(path, targets=[str(tmp_path / "wide.csv")], check_data=False)
    values = {k: c.value for k, c in loaded.data.values.items()}
    assert values[("甲镇", "培训", "任务")] == 15000 and values[("甲镇", "取证", "任务")] == 7500
    assert values[("乙镇", "培训", "任务")] == 100 and values[("乙镇", "取证", "任务")] == 50
    assert ("丙镇", "培训", "任务") not in values and values[("丙镇", "取证", "任务")] == 40
    assert [values[(u, "就业", "任务")] for u, _ in UNITS] == \
        [12, Decimal("35000.0"), 1200, Decimal("1.00"), 7]
    assert loaded.data.values[("乙镇", "取证", "任务")].place.endswith("wide!E3")


def test_bracketed_value_without_its_item_is_a_named_error(tmp_path):
    body = WIDE_BODY.replace('别名 其中 "技能提升培训（其中鉴定取证）(人)"', "")
    path = build(tmp_path, body, {}, header='方案 "x"\n单位分组 镇, 区\n数据 { 单位 "units.csv" }\n')
    with open(tmp_path / "wide.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(wide_rows(["15000\n(7500)", "1", "1", "1", "1"]))
    with pytest.raises(DataError) as e:
        load_all(path, targets=[str(tmp_path / "wide.csv")], check_data=False)
    assert "wide!D3" in e.value.render() and "括号内的值 7500" in e.value.render()


def test_unreadable_cell_names_sheet_cell_unit_and_item(rugao, tmp_path):
    scheme, folder = rugao
    book = load_workbook(folder / "任务分解表.xlsx")
    book["附件2"]["J5"] = "约130"  # 丁堰镇's 引进高校毕业生… target
    book.save(tmp_path / "t.xlsx")
    with pytest.raises(DataError) as e:
        load_all(scheme, targets=[str(tmp_path / "t.xlsx")], values=[str(folder / "actuals-sample.csv")]).evaluate()
    message = e.value.render()
    assert "t.xlsx 附件2!J5" in message and "丁堰镇 / 引进高校毕业生和专业技术人员数 / 任务" in message
    assert "'约130' 不是数值" in message


def test_a_sheet_without_units_is_named(tmp_path):
    path = build(tmp_path, WIDE_BODY, {}, header='方案 "x"\n单位分组 镇, 区\n数据 { 单位 "units.csv" }\n')
    book = Workbook()
    book.active.append(["无关的表", 1, 2])
    book.save(tmp_path / "x.xlsx")
    with pytest.raises(DataError) as e:
        load_all(path, targets=[str(tmp_path / "x.xlsx")], check_data=False)
    assert "E302" in e.value.render()


def fill(template: Path, filled: Path, actuals: Path, typed: bool = False) -> None:
    """What a town does: type its figures into every row of the template — as the CSV writes
    them, or (`typed`) as Excel keeps what is typed: numbers, 97.5% as 0.975, dates as dates."""
    figures = {(r["单位"], r["指标"], r["字段"]): (r["值"], r["说明"])
               for r in csv.DictReader(actuals.open(encoding="utf-8"))}
    book = load_workbook(template)
    sheet = book["完成情况"]
    units = [c.value for c in sheet[3]][3:]
    for row in sheet.iter_rows(min_row=4):
        node, field = row[0].value, row[1].value
        if field.endswith(REFERENCE):
            continue
        for cell, unit in zip(row[3:], units):
            if field.endswith("说明"):
                cell.value = figures[(unit, node, field[:-2])][1]
            else:  # every row: a row no figure fills would be a field the template asks for in vain
                cell.value = _typed(figures[(unit, node, field)][0]) if typed else figures[(unit, node, field)][0]
    book.save(filled)


def _typed(text: str):
    if text.endswith("%"):
        return float(Decimal(text[:-1]) / 100)
    for kind in (lambda t: datetime.strptime(t, "%Y-%m-%d"), int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


@pytest.mark.parametrize("typed", [False, True])
def test_template_filled_in_scores_with_actuals_alone_as_the_csv(rugao, tmp_path, typed):
    """Through the entry point: `kpi template`, every row filled, then `--actuals` alone keeps the
    scheme's targets; scores and awards are those of the bundled CSV data."""
    scheme, folder = rugao
    assert kpi("template", str(scheme), "--out", str(tmp_path / "template.xlsx")).returncode == 0
    fill(tmp_path / "template.xlsx", tmp_path / "filled.xlsx", folder / "actuals-sample.csv", typed)
    for command in (["score", "--format", "csv"], ["awards", "--format", "json"]):
        again = kpi(command[0], str(scheme), "--actuals", str(tmp_path / "filled.xlsx"), *command[1:])
        assert again.returncode == 0, again.stderr
        assert again.stdout == kpi(command[0], str(scheme), *command[1:]).stdout


def test_template_validates_what_is_typed(rugao, tmp_path):
    loaded = load_all(rugao[0], check_data=False)
    write_template(loaded.index, loaded.data, tmp_path / "template.xlsx")
    sheet = load_workbook(tmp_path / "template.xlsx")["完成情况"]
    rows = {(r[0].value, r[1].value): r[0].row for r in sheet.iter_rows(min_row=4)}
    rules = {v.formula1: str(v.sqref) for v in sheet.data_validations.dataValidation}
    assert f"D{rows[('即征即保', '全部即征即保')]}" in rules['"是,否"']
    assert rows[("企业职工养老保险新增参保人数", "任务（参考）")] < rows[("企业职工养老保险新增参保人数", "实际")]
    assert sheet.cell(rows[("企业职工养老保险新增参保人数", "任务（参考）")], 9).value == 737
    score_rule = next(v for v in sheet.data_validations.dataValidation if v.formula2 == "4")
    assert f"D{rows[('创新创优项目', '评分')]}" in str(score_rule.sqref)
    # each row with its unit of measure, and checked by it: a rate 0–100%, a count whole
    rate, count = rows[("体检率", "体检率")], rows[("劳动力外引", "实际")]
    assert sheet.cell(rate, 3).value == "%" and sheet.cell(count, 3).value == "人"
    percent = next(v for v in sheet.data_validations.dataValidation if v.type == "decimal" and v.formula2 == "1")
    assert f"D{rate}" in str(percent.sqref) and sheet.cell(rate, 4).number_format.endswith("%")
    whole = next(v for v in sheet.data_validations.dataValidation if v.type == "whole")
    assert f"D{count}" in str(whole.sqref) and whole.formula1 == "0"
    # what the awards read is asked for too: the dates of completion, the counts by contribution
    assert ("企业职工养老保险新增参保人数", "完成日期") in rows and ("居民养老保险缴费人数", "缴费900元人数") in rows
    dates = next(v for v in sheet.data_validations.dataValidation if v.type == "date")
    assert f"D{rows[('企业职工养老保险新增参保人数', '完成日期')]}" in str(dates.sqref)
    assert ("创新创优项目", "评分说明") in rows


def test_results_workbook_has_numbers_and_every_unit(bundled_results, tmp_path):
    results = bundled_results["rugao-2021.kpi"]
    write_results(results, tmp_path / "r.xlsx")
    book = load_workbook(tmp_path / "r.xlsx")
    ranking = book["排名"]
    assert [c.value for c in ranking[1]][:2] == ["名次", "单位"]
    first = [c for c in ranking[2]]
    assert first[1].value == results.units[0].unit and first[-1].data_type == "n"
    assert first[-1].value == pytest.approx(float(results.units[0].total))
    assert len(book.sheetnames) == 1 + len(results.units)
    sheet = book["丁堰镇"]
    labels = [r[0].value for r in sheet.iter_rows()]
    assert "账目" in labels and labels[-1] == "总分"
    dingyan = next(u for u in results.units if u.unit == "丁堰镇")
    assert sheet.cell(sheet.max_row, 5).value == pytest.approx(float(dingyan.total))


def test_progress_bar_only_for_many_units_on_a_terminal():
    items = list(range(1001))
    on_pipe = _progress(Console(file=io.StringIO(), force_terminal=False))
    assert on_pipe(items, len(items), "x") is items
    assert _progress(Console(file=io.StringIO(), force_terminal=True))(items[:1000], 1000, "x") == items[:1000]
    out = io.StringIO()
    shown = list(_progress(Console(file=out, force_terminal=True))(items, len(items), "计分"))
    assert shown == items and "计分" in out.getvalue()


def test_results_workbook_carries_the_awards_ledger(bundled, tmp_path):
    _, results, awards = bundled["rugao-2021.kpi"]
    write_results(results, tmp_path / "r.xlsx", awards=awards)
    sheet = load_workbook(tmp_path / "r.xlsx")["奖励"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("名次", "单位", "奖励", "金额（元）")  # one award a row: it prints on A4
    dingyan = [r for r in rows if r[1] == "丁堰镇"]
    assert len(dingyan) == len(awards.payments["丁堰镇"]) + 1 and dingyan[-1][2] == "合计"
    assert dingyan[-1][3] == pytest.approx(float(awards.unit_total("丁堰镇")))
    assert rows[-1][1] == "全市合计" and rows[-1][3] == pytest.approx(float(awards.city_total))


def test_results_workbook_is_laid_out_to_read_and_print(bundled, tmp_path):
    """Numbers are numbers, formatted (scores 0.00, money #,##0.00); a unit's items are named,
    not pathed; every sheet prints on A4 fitted to its width with its heading repeated; the
    columns are as wide as their text, CJK counted double."""
    from kpidsl.render.workbook import display_width

    _, results, awards = bundled["rugao-2021.kpi"]
    write_results(results, tmp_path / "r.xlsx", awards=awards)
    book = load_workbook(tmp_path / "r.xlsx")
    ranking, money, unit = book["排名"], book["奖励"], book[results.units[0].unit[:31]]
    assert ranking.cell(2, 8).number_format == "0.00" and isinstance(ranking.cell(2, 8).value, float)
    assert money.cell(2, 4).number_format == "#,##0.00"
    assert unit.cell(1, 2).value == "总分" and unit.cell(1, 3).value == float(results.units[0].total)
    assert unit.cell(4, 1).value == results.units[0].sections[0].children[0].path[-1]
    assert unit.cell(4, 1).alignment.indent == 1
    for sheet, heading in ((ranking, "$1:$1"), (money, "$1:$1"), (unit, "$1:$2")):
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4) and sheet.print_title_rows == heading
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    names = [row[1] for row in ranking.iter_rows(min_row=2, values_only=True)]
    assert ranking.column_dimensions["B"].width >= max(display_width(n) for n in names)
    assert display_width("丁堰镇 A1") == 9


# ---- one workbook per unit: kpi template --per-unit DIR, read back with --actuals DIR ------------
@pytest.fixture
def returns(rugao, tmp_path):
    """Every unit's own workbook, filled in by the unit (as Excel keeps what is typed)."""
    scheme, folder = rugao
    done = kpi("template", str(scheme), "--per-unit", str(tmp_path / "blank"))
    assert done.returncode == 0, done.stderr
    (tmp_path / "returned").mkdir()
    for blank in (tmp_path / "blank").iterdir():
        fill(blank, tmp_path / "returned" / blank.name, folder / "actuals-sample.csv", typed=True)
    return scheme, tmp_path / "returned"


def test_each_unit_gets_its_own_workbook_with_its_targets_locked(returns, tmp_path):
    scheme, _ = returns
    names = sorted(p.name for p in (tmp_path / "blank").iterdir())
    assert len(names) == 14 and "丁堰镇.xlsx" in names and "长江镇（如皋港区）.xlsx" in names
    sheet = load_workbook(tmp_path / "blank" / "丁堰镇.xlsx")["完成情况"]
    assert sheet["A1"].value.endswith("（丁堰镇）") and [c.value for c in sheet[3]][3:] == ["丁堰镇"]
    assert sheet.protection.sheet
    rows = {(r[0].value, r[1].value): r for r in sheet.iter_rows(min_row=4)}
    target, actual = rows[("企业职工养老保险新增参保人数", "任务（参考）")], rows[("企业职工养老保险新增参保人数", "实际")]
    assert target[3].value is not None and target[3].protection.locked  # filled in, not to be typed over
    assert actual[3].value is None and not actual[3].protection.locked


def test_the_units_workbooks_score_as_the_csv(returns):
    scheme, returned = returns
    for command in (["score", "--format", "csv"], ["awards", "--format", "json"]):
        again = kpi(command[0], str(scheme), "--actuals", str(returned), *command[1:])
        assert again.returncode == 0, again.stderr
        assert again.stdout == kpi(command[0], str(scheme), *command[1:]).stdout


def test_a_workbook_with_another_units_column_sent_twice_or_missing_is_named(returns, tmp_path):
    scheme, returned = returns
    book = load_workbook(returned / "丁堰镇.xlsx")
    book["完成情况"]["D3"] = "白蒲镇"  # the column typed over, or pasted from a neighbour's workbook
    book.save(returned / "丁堰镇.xlsx")
    shutil.copy(returned / "东陈镇.xlsx", returned / "东陈镇 (2).xlsx")  # sent again
    (returned / "下原镇.xlsx").unlink()  # not sent
    (returned / "~$东陈镇.xlsx").write_bytes(b"Excel's lock file")  # left by an open workbook: not read
    done = kpi("score", str(scheme), "--actuals", str(returned))
    assert done.returncode == 1
    assert f"E315 {returned / '丁堰镇.xlsx'} 完成情况!D5：这是 丁堰镇 的填报表，此列却是 白蒲镇 的" in done.stderr
    assert f"E315 {returned / '东陈镇.xlsx'}：东陈镇 的填报表重复（已有 {returned / '东陈镇 (2).xlsx'}）" in done.stderr
    assert "E315 收到 13 份单位填报表，缺少 1 个单位的：下原镇" in done.stderr
    assert "E305" not in done.stderr and "E313" not in done.stderr  # nothing named twice, figure by figure


def test_per_unit_never_replaces_returned_workbooks_by_surprise(returns, tmp_path):
    scheme, returned = returns
    before = (returned / "丁堰镇.xlsx").read_bytes()
    done = kpi("template", str(scheme), "--per-unit", str(returned))
    assert done.returncode == 1 and "已有 14 份填报表" in done.stderr and "--force" in done.stderr
    assert (returned / "丁堰镇.xlsx").read_bytes() == before
    assert kpi("template", str(scheme), "--per-unit", str(returned), "--force").returncode == 0
    assert (returned / "丁堰镇.xlsx").read_bytes() != before


def _returned(tmp_path, measure: str, figure) -> Path:
    """The bundled 自评表's template, filled as sample data says, with 预算执行率's 实际 row
    carrying this 计量 and 市社会保险基金管理中心's figure."""
    scheme = Path(__file__).parent.parent / "schemes" / "self-evaluation-2020.kpi"
    book = tmp_path / "t.xlsx"
    assert kpi("template", str(scheme), "--out", str(book), cwd=tmp_path).returncode == 0
    wb = load_workbook(book)
    ws = wb.active
    filled = {"预算执行率": (1152, 801.5, 428), "培训人次": (12650, 2710, 6020), "新增就业岗位": (284, "不适用", 40),
              "培训合格率": (0.962, 0.845, 0.931), "资金拨付及时": ("2020-12-18", "2020-12-30", "2021-01-08"),
              "人均培训成本": (342, 318, 455), "服务对象满意度": (0.935, 0.88, 0.91)}
    assessed = {("社会效益", "评分"): (18.5, 14, 16.5), ("社会效益", "评分说明"): ("好", "可", "好"),
                ("社会效益", "档位"): ("达成", "部分达成", "达成"), ("可持续影响", "评分"): (9, "不适用", 6.5),
                ("可持续影响", "评分说明"): ("好", None, "中"), ("可持续影响", "档位"): ("达成", None, "部分达成"),
                ("单位整体", "审计发现重大问题"): ("否", "否", "是")}
    for r in range(4, ws.max_row + 1):
        item, field = ws.cell(r, 1).value, ws.cell(r, 2).value
        values = assessed.get((item, field)) or (filled.get(item) if field in ("实际", "拨付完成日期") else None)
        for k, v in enumerate(values or ()):
            ws.cell(r, 4 + k).value = v
        if (item, field) == ("预算执行率", "实际"):
            ws.cell(r, 3).value = measure
            ws.cell(r, 5).value = figure
    wb.save(book)
    return book


@pytest.mark.parametrize("measure, figure, total", [("万元", 801.5, "86.98"), (None, 801.5, "86.98"),
                                                    ("元", 8015000, "86.98"), ("万元", "801.5万", "86.98")])
def test_a_templates_unit_of_measure_is_read_as_the_town_wrote_it(tmp_path, measure, figure, total):
    """A town that changes a row's 计量 to 元 and types 8015000 is read in 元 (801.5 万元), not
    as 8015000 万元 (full marks); 801.5万 in a row of 万元 says its own 万."""
    scheme = Path(__file__).parent.parent / "schemes" / "self-evaluation-2020.kpi"
    book = _returned(tmp_path, measure, figure)
    done = kpi("score", str(scheme), "--actuals", str(book), "--format", "csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    row = next(l for l in done.stdout.splitlines() if l.startswith('"市社会保险基金管理中心"'))
    assert row.split(",")[2] == total


@pytest.mark.parametrize("measure, said", [("万圆", "E107 未知的单位 万圆（"), ("人", "不是以“万元”计的数值")])
def test_a_templates_unit_typed_over_is_refused_at_its_cell(tmp_path, measure, said):
    scheme = Path(__file__).parent.parent / "schemes" / "self-evaluation-2020.kpi"
    done = kpi("score", str(scheme), "--actuals", str(_returned(tmp_path, measure, 801.5)), cwd=tmp_path)
    assert done.returncode == 1 and said in done.stderr and "完成情况!" in done.stderr
    assert "E305" not in done.stderr  # the row is refused once, not again as missing


@pytest.mark.parametrize("typed, read", [(930, "1902-07-18"), (1, "1900-01-01"), (2020, "1905-07-12"),
                                         (0, "00:00:00"), (60, "1900-02-28")])
def test_a_number_typed_into_a_date_cell_is_not_a_date(tmp_path, typed, read):
    """A town types 930 (for 9月30日), or the year, into a cell formatted as a date: Excel keeps
    the number, which reads 1902-07-18 or 1905-07-12 — a date that passes 拨付完成日期 <= any
    deadline. It is refused with its cell (E306), saying what it looks like."""
    scheme = Path(__file__).parent.parent / "schemes" / "self-evaluation-2020.kpi"
    book = _returned(tmp_path, "万元", 801.5)
    wb = load_workbook(book)
    ws = wb.active
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value == "资金拨付及时")
    ws.cell(row, 5).value = typed
    ws.cell(row, 5).number_format = "yyyy-mm-dd"
    wb.save(book)
    done = kpi("score", str(scheme), "--actuals", str(book), cwd=tmp_path)
    assert done.returncode == 1, done.stdout
    assert f"完成情况!E{row}：市社会保险基金管理中心 / 资金拨付及时 / 拨付完成日期 的值 " \
           f"'{read}（日期格式的单元格中填的疑为数字）' 不是日期" in done.stderr
