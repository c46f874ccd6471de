"""The installed `kpi` entry point, as users run it: output, errors, exit codes."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

KPI = shutil.which("kpi") or str(Path(sys.executable).parent / "kpi")


def kpi(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([KPI, *args], capture_output=True, text=True, encoding="utf-8",
                          cwd=cwd, env={"PATH": "/usr/bin:/bin", "COLUMNS": "120"})


def test_entry_point_is_installed():
    assert Path(KPI).exists()


@pytest.mark.parametrize("name", [["丁堰镇"], ["丁 堰 镇"], ["丁", "堰", "镇"]])
def test_explain_finds_a_unit_by_name_with_or_without_spaces(name):
    done = kpi("explain", *name)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("丁堰镇（镇）")
    assert "账目" in done.stdout and "= 总分" in done.stdout
    assert done.stderr == ""


def test_explain_by_unique_prefix_and_alias():
    assert kpi("explain", "长江镇").stdout.startswith("长江镇（如皋港区）")
    assert kpi("explain", "城北街道").stdout.startswith("经济技术开发区（城北街道）")


def test_explain_unknown_or_ambiguous_unit_is_a_user_error():
    unknown = kpi("explain", "丁堰")
    assert unknown.returncode == 0  # a unique prefix
    missing = kpi("explain", "北京市")
    assert missing.returncode == 1 and "E308" in missing.stderr and missing.stdout == ""
    # 如皋工业园区 and 如皋港区 both begin with 如皋
    ambiguous = kpi("explain", "如皋")
    assert ambiguous.returncode == 1 and "E309" in ambiguous.stderr
    assert "如皋工业园区（如城街道）" in ambiguous.stderr and "长江镇（如皋港区）" in ambiguous.stderr


def test_explain_with_an_explicit_scheme(schemes_dir):
    done = kpi("explain", str(schemes_dir / "rugao-2021.kpi"), "丁堰镇", "--format", "json")
    assert done.returncode == 0
    document = json.loads(done.stdout)
    assert [u["unit"] for u in document["units"]] == ["丁堰镇"]


def test_score_table_lists_every_unit_with_ranks():
    done = kpi("score")
    assert done.returncode == 0
    for unit in ("丁堰镇", "下原镇", "长江镇（如皋港区）"):
        assert unit in done.stdout


def test_score_json_contract():
    done = kpi("score", "--format", "json")
    document = json.loads(done.stdout)
    assert document["scheme"] == "2021年人力资源和社会保障工作考核办法"
    assert len(document["units"]) == 14
    unit = document["units"][0]
    assert {"unit", "group", "total", "items", "rank", "group_rank"} <= unit.keys()
    item = unit["items"][0]
    assert {"path", "max", "score", "lost"} <= item.keys() and "reasons" not in item  # scores only
    assert all(isinstance(item[k], str) for k in ("max", "score", "lost"))
    assert item["path"][0] == "社会保险工作"
    assert all(Decimal(i["score"]) + Decimal(i["lost"]) == Decimal(i["max"]) for i in unit["items"])
    assert Decimal(unit["awards_total"]) == sum(Decimal(a["amount"]) for a in unit["awards"])
    ranks = [u["rank"] for u in document["units"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    # each unit's explanation has the reasons, and the same scores
    explained = json.loads(kpi("explain", unit["unit"], "--format", "json").stdout)["units"][0]
    assert [(i["path"], Decimal(i["score"])) for i in explained["items"]] == \
        [(i["path"], Decimal(i["score"])) for i in unit["items"]]
    reason = next(r for i in explained["items"] for r in i["reasons"])
    assert {"kind", "inputs", "points", "line"} <= reason.keys()
    assert reason["line"].startswith("rugao-2021.kpi:")


def test_check_prints_the_outline_with_points():
    done = kpi("check")
    assert done.returncode == 0, done.stderr
    assert "社会保险工作  100分" in done.stdout and "× 60%" in done.stdout
    assert "数据完整" in done.stdout


def test_syntax_error_shows_file_line_column_and_caret(tmp_path):
    bad = tmp_path / "bad.kpi"
    bad.write_text('方案 "x"\n板块 甲 10分 {\n  指标 乙 10分 { 按比例 未达 70% 得分 }\n}\n', encoding="utf-8")
    done = kpi("check", str(bad), "--no-data")
    assert done.returncode == 1
    assert f"{bad}:3:" in done.stderr and "E102" in done.stderr and "应为：不得分" in done.stderr
    assert "Traceback" not in done.stderr
    caret_line = done.stderr.splitlines()[2]
    assert caret_line.rstrip().endswith("^")


def test_check_names_every_broken_statement_not_only_the_first(tmp_path):
    """Three mistakes in three places: one run of kpi check names all three, in file order,
    and the statements between them are not blamed."""
    bad = tmp_path / "bad.kpi"
    bad.write_text('方案 "x"\n板块 甲 10分 {\n  指标 乙 10分 { 按比例 未达 70% 得分 }\n'
                   '  指标 丙 10分 { 达标 }\n}\n板块 丁 10分 {\n  指标 戊 10分 { 按比例 未达 七成 不得分 }\n}\n'
                   '板块 己 5分 {\n  指标 庚 5分 { 扣 }\n}\n', encoding="utf-8")
    done = kpi("check", str(bad), "--no-data")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    places = [int(m) for m in re.findall(rf"{re.escape(str(bad))}:(\d+):", done.stderr)]
    assert places == [3, 7, 10], done.stderr
    assert ":4:" not in done.stderr  # 丙 is well written


@pytest.mark.parametrize("text,expected", [
    # a missing `}`: the end of the file, said once
    ('方案 "x"\n板块 甲 10分 {\n  指标 乙 5分 { 达标 }\n  指标 丙 5分 { 按比例\n}\n'
     '板块 丁 10分 {\n  指标 戊 10分 { 达标 }\n}\n', [8]),
    # a broken item closing on its section's line: the item left out, not the section's `}`
    ('方案 "x"\n板块 甲 10分 {\n  指标 乙 5分 { 达标 }\n  指标 丙 5分 { 按比例 未达 七成 不得分 } }\n'
     '板块 丁 10分 {\n  指标 戊 10分 { 达标 }\n}\n', [4]),
])
def test_check_blames_no_well_written_statement(tmp_path, text, expected):
    bad = tmp_path / "bad.kpi"
    bad.write_text(text, encoding="utf-8")
    done = kpi("check", str(bad), "--no-data")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert [int(m) for m in re.findall(rf"{re.escape(str(bad))}:(\d+):", done.stderr)] == expected, done.stderr


def test_missing_scheme_file_is_a_user_error(tmp_path):
    done = kpi("score", str(tmp_path / "none.kpi"))
    assert done.returncode == 1 and "E301" in done.stderr


def test_usage_errors_exit_2():
    assert kpi("frobnicate").returncode == 2
    assert kpi("score", "--format", "xml").returncode == 2
    assert kpi().returncode == 2
    for argv in (["score", "--out", "结果.txt"], ["score", "--format", "csv", "--out", "得分.txt"]):
        named = kpi(*argv)  # a workbook or a CSV under a name that says otherwise: not written
        assert named.returncode == 2 and "name it .xlsx for the results workbook, or .csv" in named.stderr
    blank = kpi("explain", "")  # no name: a usage error, not every unit listed as matching it
    assert blank.returncode == 2 and "needs a unit name" in blank.stderr and "E309" not in blank.stderr


def test_many_units_on_a_pipe_show_no_progress_bar(tmp_path):
    from conftest import build

    units = [(f"单位{i}", "镇") for i in range(1001)]
    values = {(u, "测", f): "1" for u, _ in units for f in ("任务", "实际")}
    path = build(tmp_path, "板块 总 1分 { 指标 测 1分 { 达标 } }\n", values, units=units)
    done = kpi("score", str(path), "--out", str(tmp_path / "r.xlsx"))
    assert done.returncode == 0 and done.stderr == ""
    assert "单位1000" in done.stdout and "━" not in done.stdout


def test_template_report_and_workbook_commands(tmp_path):
    for args in (["template", "--out", str(tmp_path / "t.xlsx")], ["report", "--out", str(tmp_path / "r.html")],
                 ["score", "--out", str(tmp_path / "r.xlsx")]):
        done = kpi(*args)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "t.xlsx").stat().st_size and (tmp_path / "r.html").stat().st_size
    assert kpi("report").returncode == 2  # --out is required


def test_score_csv_has_a_row_per_unit_with_every_score_and_amount(tmp_path):
    done = kpi("score", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 14
    assert [int(r["名次"]) for r in rows] == sorted(int(r["名次"]) for r in rows)
    dingyan = next(r for r in rows if r["单位"] == "丁堰镇")
    assert dingyan["企业职工养老保险新增参保人数"] == "17.64"  # 20 × 650 / 737, the worked example
    assert {"总分", "组内名次", "社会保险工作", "绩效考核补助", "奖励合计"} <= set(rows[0])
    written = tmp_path / "得分.csv"
    assert kpi("score", "--format", "csv", "--out", str(written)).returncode == 0
    assert written.read_text(encoding="utf-8-sig") == done.stdout


def test_score_csv_file_opens_in_excel_and_stdout_stays_plain(tmp_path):
    """A CSV file starts with a UTF-8 BOM (Excel, opening it by double-click, reads UTF-8 only
    then), --no-bom drops it, standard output never has one; `--out x.csv` alone is the CSV."""
    shown = kpi("score", "--format", "csv")
    assert shown.returncode == 0 and not shown.stdout.startswith("\ufeff")
    for args, bom in ((["--out", "得分.csv"], True), (["--format", "csv", "--out", "得分.csv", "--no-bom"], False)):
        done = kpi("score", *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        written = (tmp_path / "得分.csv").read_bytes()
        assert written.startswith(b"\xef\xbb\xbf") == bom
        assert written.removeprefix(b"\xef\xbb\xbf").decode("utf-8") == shown.stdout
    for args in (["--format", "json", "--out", "x.csv"], ["--format", "csv", "--out", "x.xlsx"]):
        wrong = kpi("score", *args, cwd=tmp_path)
        assert wrong.returncode == 2 and "--out" in wrong.stderr and not (tmp_path / args[-1]).exists()


def test_score_csv_writes_every_value_of_a_column_to_the_same_places():
    """Each column at the places its values need, in every row (17.64 beside 20.00); ranks and
    columns of whole numbers stay integers."""
    rows = list(csv.reader(io.StringIO(kpi("score", "--format", "csv").stdout)))
    head, rows = rows[0], rows[1:]
    places = {name: {len(row[j].partition(".")[2]) for row in rows} for j, name in enumerate(head) if j > 1}
    assert {name: p for name, p in places.items() if len(p) != 1} == {}
    assert places["名次"] == places["组内名次"] == places["调撤率"] == {0}
    assert places["总分"] == places["企业职工养老保险新增参保人数"] == {2}
    column = [row[head.index("企业职工养老保险新增参保人数")] for row in rows]
    assert "17.64" in column and "20.00" in column


def test_score_csv_of_the_wide_table_is_scored_alike(schemes_dir):
    """The 任务分解表 (.xlsx) goes through the same engine as the long CSV: the same bytes."""
    folder = schemes_dir / "rugao-2021"
    done = kpi("score", "--format", "csv", "--targets", str(folder / "任务分解表.xlsx"),
               "--values", str(folder / "actuals-sample.csv"))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout == kpi("score", "--format", "csv").stdout


def test_score_csv_reports_bad_data_with_its_row(tmp_path, schemes_dir):
    values = (schemes_dir / "rugao-2021" / "actuals-sample.csv").read_text(encoding="utf-8").splitlines()
    values[3] = ",".join(values[3].split(",")[:3] + ["—", ""])
    (tmp_path / "actuals.csv").write_text("\n".join(values) + "\n", encoding="utf-8")
    done = kpi("score", "--format", "csv", "--values", str(schemes_dir / "rugao-2021" / "targets.csv"),
               "--values", str(tmp_path / "actuals.csv"))
    assert done.returncode == 1
    assert "E313" in done.stderr and "第 4 行" in done.stderr
    assert "Traceback" not in done.stderr


def test_score_csv_and_what_if_do_not_combine():
    done = kpi("score", "--format", "csv", "--set", "丁堰镇.城镇新增就业.实际=305")
    assert done.returncode == 2


def test_explain_among_many_units_agrees_with_the_scores(tmp_path, schemes_dir):
    """From 1,000 units the figures are read by the columnar reader: the unit's explained total
    and ranks are those of `kpi score --format csv`."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from synthetic import write_dataset

    scheme = write_dataset(schemes_dir / "rugao-2021.kpi", 1050, tmp_path, seed=11)
    scores = kpi("score", str(scheme), "--format", "csv")
    row = next(r for r in csv.DictReader(io.StringIO(scores.stdout)) if r["单位"] == "3#丁堰镇")
    explained = kpi("explain", str(scheme), "3#丁堰镇", "--format", "json")
    assert explained.returncode == 0, explained.stderr
    unit = json.loads(explained.stdout)["units"][0]
    assert (Decimal(unit["total"]), unit["rank"], unit["group_rank"]) == \
        (Decimal(row["总分"]), int(row["名次"]), int(row["组内名次"]))
    assert "全体第" in kpi("explain", str(scheme), "3#丁堰镇").stdout


def test_ranking_and_awards_tables_keep_names_and_numbers_whole():
    """Plain aligned text: every unit's name and total on its row, no header line that starts
    with closing punctuation, no trailing spaces."""
    for command in ("score", "awards"):
        done = kpi(command)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert all(not line.endswith(" ") for line in lines)
        assert not any(line.strip().startswith(("）", "%", "，")) for line in lines)
        assert any(line.split()[:2] == ["1", "经济技术开发区（城北街道）"] for line in lines)
    rows = [line.split() for line in kpi("score").stdout.splitlines() if line.split() and line.split()[0].isdigit()]
    assert len(rows) == 14 and all(len(r) == 8 for r in rows)  # rank, unit, group, group rank, 3 sections, total


def test_score_json_is_the_same_written_in_chunks(monkeypatch):
    """The JSON of all units is written a chunk of units at a time; the chunks do not show."""
    import io

    from kpidsl.pipeline import prepare
    from kpidsl.render import json as render
    from kpidsl.render.scores_csv import from_evaluation

    evaluation = prepare(None)[0]
    scores, scheme, index = from_evaluation(evaluation), evaluation.engine.scheme, evaluation.engine.index
    whole = io.StringIO()
    render.write_scores(scores, scheme, index, whole)
    monkeypatch.setattr(render, "CHUNK", 3)
    chunked = io.StringIO()
    render.write_scores(scores, scheme, index, chunked)
    assert chunked.getvalue() == whole.getvalue() and len(json.loads(whole.getvalue())["units"]) == 14


@pytest.mark.parametrize("width", [80, 120])
def test_tables_fit_a_terminal_without_splitting_a_number(width):
    """On a terminal the widest text column wraps within itself: no line is wider than the
    terminal, none starts with closing punctuation, every amount is whole on one line."""
    import io
    import re

    from rich.cells import cell_len
    from rich.console import Console

    from kpidsl.pipeline import prepare
    from kpidsl.render import money, table
    from kpidsl.render.scores_csv import from_evaluation

    evaluation = prepare(None)[0]
    scores, scheme = from_evaluation(evaluation), evaluation.engine.scheme
    written = io.StringIO()
    console = Console(file=written, force_terminal=True, width=width)
    table.render(scores, scheme, evaluation.engine.index, console)
    money.table(scores, scheme, evaluation.money.totals(), evaluation.money.departments(), console)
    lines = written.getvalue().splitlines()
    assert lines and all(cell_len(line) <= width for line in lines)
    assert not any(line.strip().startswith(("）", "；", "，", "%")) for line in lines)
    amounts = {a for values in scores.amounts.values() for a in table.texts(values, table.ranking_order(scores))}
    shown = set(re.findall(r"[\d.]+", written.getvalue()))
    assert {a for a in amounts if Decimal(a)} <= shown  # awards of 0 are not listed


def test_check_evaluates_the_awards_and_names_a_date_written_as_a_number(rugao_copy):
    """`2021/9/30` in a scheme is a division, not a date: `kpi check` does not say the scheme is
    complete while its award cannot be paid; each unit's error names the scheme's place and
    the value as written (a number), not Python's Fraction."""
    text = rugao_copy.read_text(encoding="utf-8")
    rugao_copy.write_text(text.replace("完成日期 <= 2021-09-30", "完成日期 <= 2021/9/30", 1), encoding="utf-8")
    done = kpi("check", rugao_copy.name, cwd=rugao_copy.parent)
    assert done.returncode == 1 and "数据完整" not in done.stdout
    assert "E311 丁堰镇 / 职工养老保险提前完成补助：(2021 / 9) / 30（rugao-2021.kpi:413:28）应为日期，实为数值 7.4852…" \
        in done.stderr and "Fraction" not in done.stderr


def test_a_reader_that_goes_away_is_not_an_error():
    """`kpi explain 城北街道 | head -1`: the pipe closes before the output ends; the run ends with
    exit 0 and says nothing (rich's own answer was exit 1, as if the user had erred)."""
    run = subprocess.Popen([KPI, "explain", "城北街道"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert run.stdout.readline()
    run.stdout.close()
    assert run.wait() == 0 and run.stderr.read() == b""
