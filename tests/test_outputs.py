"""Outputs cannot hurt: nothing from input becomes a formula, nothing is overwritten by
surprise, a bad --out is a clear error (exit 1), control characters are shown escaped. Through
the real `kpi` entry point."""
from __future__ import annotations

import csv
import io
import shutil

import pytest
from openpyxl import load_workbook

from kpidsl.pipeline import bundled_schemes
from test_cli import kpi

EVIL = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def evil(tmp_path):
    """The bundled 2021 scheme with 丁堰镇 renamed to a formula and a 原文 that is one."""
    shutil.copytree(bundled_schemes() / "rugao-2021", tmp_path / "rugao-2021")
    scheme = tmp_path / "rugao-2021.kpi"
    text = (bundled_schemes() / "rugao-2021.kpi").read_text(encoding="utf-8")
    at = text.index("原文", text.index("指标 城镇新增就业"))  # an item's 原文: the workbook shows it
    scheme.write_text(text[:at] + text[at:].replace('原文 "', '原文 "=cmd|\'/c calc\'!A1 ', 1), encoding="utf-8")
    for path in (tmp_path / "rugao-2021").glob("*.csv"):  # the unit's name, not text that contains it
        rows = [[EVIL if f == "丁堰镇" else f for f in row] for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8")))]
        with path.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out, lineterminator="\n").writerows(rows)
    return scheme


def test_no_text_from_input_becomes_a_formula(evil, tmp_path):
    for args in (("score", str(evil), "--out", str(tmp_path / "r.xlsx")),
                 ("template", str(evil), "--out", str(tmp_path / "t.xlsx"))):
        done = kpi(*args)
        assert done.returncode == 0, done.stderr
        book = load_workbook(args[-1])
        cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        assert any(c.value == EVIL for c in cells)  # written as the text it is
        if args[0] == "score":
            assert any(isinstance(c.value, str) and c.value.startswith("=cmd|") for c in cells)


def test_csv_neutralises_names_a_spreadsheet_would_run(evil, tmp_path):
    done = kpi("score", str(evil), "--format", "csv", "--out", str(tmp_path / "s.csv"))
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO((tmp_path / "s.csv").read_text(encoding="utf-8"))))
    names = [r[0] for r in rows[1:]]
    assert "'" + EVIL in names and not any(n.startswith(("=", "+", "-", "@")) for n in names)


def test_a_bad_out_is_a_clear_error(tmp_path):
    scheme = bundled_schemes() / "rugao-2021.kpi"
    link = tmp_path / "link.html"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    link.symlink_to(victim)
    cases = {
        str(tmp_path): "文件夹",  # a directory
        str(tmp_path / "missing" / "r.html"): "不存在",
        "/proc/version": "",  # the folder refuses a new file: its own reason
        "/dev/null": "不是普通文件",
        str(link): "符号链接",
        str(scheme): "不会被覆盖",
    }
    for out, words in cases.items():
        done = kpi("report", str(scheme), "--out", out)
        assert done.returncode == 1 and "E401" in done.stderr and words in done.stderr, (out, done.stderr)
        assert "Traceback" not in done.stderr
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert kpi("report", str(scheme), "--out", str(link), "--force").returncode == 0
    assert victim.read_text(encoding="utf-8").startswith("<!DOCTYPE html>") and link.is_symlink()
    for command in ("score", "template"):
        done = kpi(command, "--out", str(tmp_path))
        assert done.returncode == 1 and "E401" in done.stderr


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    from kpidsl.errors import KpiError
    from kpidsl.output import check_target, replacing

    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with replacing(check_target(str(target)), str(target)) as f:
            f.write(b"half")
            raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    with pytest.raises(KpiError):
        check_target(str(tmp_path / "out.csv"), read=[tmp_path / "out.csv"])


def test_control_characters_in_a_scheme_are_shown_escaped(tmp_path):
    scheme = tmp_path / "bad.kpi"
    scheme.write_bytes("板块 甲 1分 { 指标 乙 1分 { 满分 \x1b[31m\x00 } }\n".encode("utf-8"))
    done = kpi("check", str(scheme), "--no-data")
    assert done.returncode == 1 and "\x1b" not in done.stderr and "\x00" not in done.stderr
    assert "\\x1b" in done.stderr


def test_a_template_is_not_written_over_a_workbook_already_there(tmp_path):
    """The template is the data-entry workbook: one at --out may be filled in already. It is
    replaced only with --force (as --per-unit replaces returned workbooks only with --force)."""
    book = tmp_path / "完成情况.xlsx"
    assert kpi("template", "--out", str(book)).returncode == 0
    before = book.read_bytes()
    refused = kpi("template", "--out", str(book))
    assert refused.returncode == 1 and "E401" in refused.stderr and "--force" in refused.stderr
    assert book.read_bytes() == before
    assert kpi("template", "--out", str(book), "--force").returncode == 0
