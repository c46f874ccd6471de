"""An untrusted scheme cannot run code, read files outside its folder, or work without bound."""
from __future__ import annotations

import os

import pytest

from kpidsl.checker import check
from kpidsl.errors import DataError, KpiError, SchemeCheckError, SchemeSyntaxError
from kpidsl.parser import MAX_SCHEME_BYTES, parse
from kpidsl.pipeline import load_all
from conftest import UNITS, build

BODY = "板块 总 1分 { 指标 测 1分 { 达标 } }\n"
VALUES = {(u, "测", f): "1" for u, _ in UNITS for f in ("任务", "实际")}


def header(units: str) -> str:
    return f'方案 "x"\n单位分组 镇, 区\n数据 {{ 单位 "{units}" 数值 "values.csv" }}\n'


def test_python_in_a_scheme_is_text_or_a_syntax_error(tmp_path):
    marker = tmp_path / "ran"
    code = f"__import__('os').system('touch {marker}')"
    with pytest.raises(SchemeSyntaxError):
        parse(code)
    scheme = parse(f'板块 甲 1分 {{ 指标 乙 1分 {{ 满分 原文 "{code}" }} }}')
    assert scheme.sections[0].children[0].source == code and not marker.exists()


@pytest.mark.parametrize("where", ["../units.csv", "/etc/passwd", "sub/../../units.csv"])
def test_data_paths_may_not_leave_the_scheme_folder(tmp_path, where):
    folder = tmp_path / "scheme"
    folder.mkdir()
    build(tmp_path, BODY, VALUES)  # real files one level up
    path = build(folder, BODY, VALUES, header=header(where))
    with pytest.raises(DataError) as e:
        load_all(path)
    assert "E310" in e.value.render()


def test_a_symlink_out_of_the_folder_is_refused_unless_allowed(tmp_path):
    folder = tmp_path / "scheme"
    folder.mkdir()
    build(tmp_path, BODY, VALUES)
    path = build(folder, BODY, VALUES, header=header("link.csv"))
    os.symlink(tmp_path / "units.csv", folder / "link.csv")
    with pytest.raises(DataError) as e:
        load_all(path)
    assert "E310" in e.value.render()
    assert len(load_all(path, allow_outside=True).evaluate().units) == len(UNITS)


def test_scheme_size_is_limited():
    with pytest.raises(SchemeSyntaxError) as e:
        parse("#" * (MAX_SCHEME_BYTES + 1))
    assert "E105" in e.value.render()


def test_rounding_places_are_bounded():
    with pytest.raises(SchemeCheckError) as e:
        check(parse("舍入 指标 100000位\n" + BODY))
    assert "舍入位数" in e.value.render()


def test_cli_flag_allows_outside_data(tmp_path):
    import subprocess
    import shutil
    import sys
    from pathlib import Path

    kpi = shutil.which("kpi") or str(Path(sys.executable).parent / "kpi")
    folder = tmp_path / "scheme"
    folder.mkdir()
    build(tmp_path, BODY, VALUES)
    path = build(folder, BODY, VALUES, header=header("../units.csv"))
    refused = subprocess.run([kpi, "score", str(path)], capture_output=True, text=True)
    allowed = subprocess.run([kpi, "score", str(path), "--allow-outside-data"], capture_output=True, text=True)
    assert refused.returncode == 1 and "E310" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr


def test_errors_are_kpi_errors():
    assert issubclass(DataError, KpiError) and issubclass(SchemeCheckError, KpiError)
