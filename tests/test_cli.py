"""The installed `kpi` entry point, as users run it: output, errors, exit codes."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
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
    assert {"path", "max", "score", "lost", "reasons"} <= item.keys()
    assert all(isinstance(item[k], str) for k in ("max", "score", "lost"))
    assert item["path"][0] == "社会保险工作"
    reason = next(r for i in unit["items"] for r in i["reasons"])
    assert {"kind", "inputs", "points", "line"} <= reason.keys()
    assert reason["line"].startswith("rugao-2021.kpi:")
    ranks = [u["rank"] for u in document["units"]]
    assert ranks == sorted(ranks) and ranks[0] == 1


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


def test_missing_scheme_file_is_a_user_error(tmp_path):
    done = kpi("score", str(tmp_path / "none.kpi"))
    assert done.returncode == 1 and "E301" in done.stderr


def test_usage_errors_exit_2():
    assert kpi("frobnicate").returncode == 2
    assert kpi("score", "--format", "xml").returncode == 2
    assert kpi().returncode == 2


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
