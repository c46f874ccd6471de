"""Figures damaged the way people and tools damage them are read as meant or refused with their
place — never scored otherwise without a word (issue 12). Each case runs through the `kpi` entry
point on a copy of the bundled 如皋 2021 scheme, and by both readers."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kpidsl.errors import KpiError
from kpidsl.pipeline import bundled_schemes, prepare
from test_cli import kpi
from test_readers import _csv

ACTUALS = "rugao-2021/actuals-sample.csv"


@pytest.fixture
def rugao(tmp_path) -> Path:
    for name in ("rugao-2021.kpi", "rugao-2021"):
        source = bundled_schemes() / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    return tmp_path / "rugao-2021.kpi"


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
def test_a_rate_written_as_a_percentage_or_a_fraction_reads_alike(rugao, written, reads):
    original = _csv(prepare(rugao, reader="full")[0])
    replace_line(rugao.parent / ACTUALS, "丁堰镇,体检率,体检率,97.5%,", f"丁堰镇,体检率,体检率,{written},")
    assert [_csv(prepare(rugao, reader=r)[0]) for r in ("columns", "full")] == [original, original]


@pytest.mark.parametrize("written", ["97.5", "1", "-97.5", "97.5人"])
def test_a_rate_typed_without_its_percent_sign_is_refused_with_its_row(rugao, written):
    row = replace_line(rugao.parent / ACTUALS, "丁堰镇,体检率,体检率,97.5%,", f"丁堰镇,体检率,体检率,{written},")
    error = refused_by_both(rugao)
    assert f"E306 {ACTUALS} 第 {row} 行：丁堰镇 / 体检率 / 体检率 的值 '{written}' 不是百分数" in error
    if written == "97.5":
        assert "是 97.5% 吗" in error


@pytest.mark.parametrize("written", ["2⁶5", "26⑤", "265½"])
def test_superscripts_and_circled_digits_are_never_digits(rugao, written):
    row = replace_line(rugao.parent / ACTUALS, "丁堰镇,劳动力外引,实际,265,", f"丁堰镇,劳动力外引,实际,{written},")
    assert f"第 {row} 行：丁堰镇 / 劳动力外引 / 实际 的值 '{written}' 不是数值" in refused_by_both(rugao)


def test_a_count_of_people_takes_people_not_yuan(rugao):
    actuals = rugao.parent / ACTUALS
    original = _csv(prepare(rugao, reader="full")[0])
    replace_line(actuals, "丁堰镇,劳动力外引,实际,265,", "丁堰镇,劳动力外引,实际,265人,")
    assert _csv(prepare(rugao, reader="columns")[0]) == original
    row = replace_line(actuals, "丁堰镇,劳动力外引,实际,265人,", "丁堰镇,劳动力外引,实际,265元,")
    assert f"第 {row} 行：丁堰镇 / 劳动力外引 / 实际 的值 '265元' 不是以“人”计的数值" in refused_by_both(rugao)


@pytest.mark.parametrize("written", ["265.5", "-265"])
def test_a_count_is_whole_and_not_negative(rugao, written):
    row = replace_line(rugao.parent / ACTUALS, "丁堰镇,劳动力外引,实际,265,", f"丁堰镇,劳动力外引,实际,{written},")
    assert f"第 {row} 行：丁堰镇 / 劳动力外引 / 实际 的值 '{written}' 不是以“人”计的非负整数" in refused_by_both(rugao)
