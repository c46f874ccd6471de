"""Publishing (#13): what a bureau publishes, sends each town and files for auditors, through the
installed `kpi` entry point: the top-level veto's 原文 in every explanation, several units in one
`kpi explain`, the public voice on a terminal, terminal lines that break where Chinese breaks,
the results workbook's printed pages."""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import zlib
from collections import Counter

import pytest
from conftest import UNITS, build
from rich.cells import cell_len
from test_cli import KPI, kpi

VETO_SOURCE = "一旦发现有弄虚作假的，将实施“一票否决制”。"


def vetoed_scheme(folder):
    """甲镇's total struck to 0 by a top-level veto that carries its 原文."""
    return build(folder, f"""
        总分 = 甲 × 100%
        一票否决 弄虚作假
          原文 "{VETO_SOURCE}"
        板块 甲 10分 {{
          指标 乙 10分 {{ 按比例 }}
        }}
        """, {(u, "乙", f): v for u, _ in UNITS for f, v in (("任务", "10"), ("实际", "8"))}
        | {(u, "总分", "弄虚作假"): "是" if u == "甲镇" else "否" for u, _ in UNITS})


def packed_units(page: str) -> list:
    """The units' explanation data embedded in a report."""
    return [unit for blob in re.findall(r'class="explanations"[^>]*>([^<]*)<', page)
            for unit in json.loads(zlib.decompress(base64.b64decode(blob), 31))["units"]]


def test_a_veto_on_the_total_shows_its_source_in_every_explanation(tmp_path):
    """The one sentence that explains a total of 0: in the text, the JSON and the report, in
    both voices."""
    scheme = vetoed_scheme(tmp_path)
    text = kpi("explain", str(scheme), "甲镇", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "总分 0" in text.stdout and VETO_SOURCE in text.stdout.replace("\n", "").replace(" ", "")
    document = json.loads(kpi("explain", str(scheme), "甲镇", "--format", "json", cwd=tmp_path).stdout)
    (veto,) = document["units"][0]["total_adjustments"]
    assert veto["source"] == VETO_SOURCE and veto["points"] == "8"
    other = json.loads(kpi("explain", str(scheme), "乙镇", "--format", "json", cwd=tmp_path).stdout)
    assert other["units"][0]["total_adjustments"] == []
    for detail in ([], ["--detail"]):
        page = tmp_path / "r.html"
        done = kpi("report", str(scheme), "--out", str(page), *detail, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        units = {u[6]: u for u in packed_units(page.read_text(encoding="utf-8"))}
        (line, lost, source), = units["甲镇"][8]
        assert (lost, source) == ("8", VETO_SOURCE)
        assert units["乙镇"][8] == []
        assert ("一票否决" in line[0]) if not detail else len(line) == 5


def test_several_units_explained_in_one_run_are_each_as_explained_alone(tmp_path):
    """`kpi explain 丁堰镇 白蒲镇`: one explanation after the other, a rule between them, each the
    same as the unit's own run; JSON lists both; a unit named twice is explained once."""
    both = kpi("explain", "丁堰镇", "白蒲镇", "丁堰镇", cwd=tmp_path)
    assert both.returncode == 0, both.stderr
    alone = [kpi("explain", name, cwd=tmp_path).stdout for name in ("丁堰镇", "白蒲镇")]
    first, second = re.split(r"\n\n═{120}\n\n", both.stdout)
    assert [first + "\n", second] == alone
    document = json.loads(kpi("explain", "丁堰镇", "白蒲镇", "--format", "json", cwd=tmp_path).stdout)
    assert document["units"] == [json.loads(kpi("explain", name, "--format", "json", cwd=tmp_path).stdout)["units"][0]
                                 for name in ("丁堰镇", "白蒲镇")]


def test_a_name_written_with_spaces_is_one_unit_only_where_its_words_are_not(tmp_path):
    """丁 堰 镇 is 丁堰镇 (堰 and 镇 name no unit); where the words name units both together and
    each alone, neither is guessed; an unknown unit among several is named."""
    assert kpi("explain", "丁", "堰", "镇", cwd=tmp_path).stdout.count("账目") == 1
    missing = kpi("explain", "丁堰镇", "北京市", cwd=tmp_path)
    assert missing.returncode == 1 and "E308" in missing.stderr and "北京市" in missing.stderr
    scheme = build(tmp_path, "板块 总 10分 { 指标 测 10分 { 按比例 } }\n",
                   {(u, "测", f): v for u in ("甲", "乙", "甲乙") for f, v in (("任务", "10"), ("实际", "8"))},
                   units=[("甲", "镇"), ("乙", "镇"), ("甲乙", "镇")])
    both = kpi("explain", str(scheme), "甲", "乙", cwd=tmp_path)
    assert both.returncode == 1 and "E309" in both.stderr and "甲乙" in both.stderr, both.stderr
    assert kpi("explain", str(scheme), "甲乙", cwd=tmp_path).stdout.startswith("甲乙（镇）")
    renamed = scheme.rename(tmp_path / "方案.txt")  # a scheme need not end .kpi: it is an existing file
    assert kpi("explain", str(renamed), "乙", cwd=tmp_path).stdout.startswith("乙（镇）")


def test_public_explanation_says_what_the_published_report_says(tmp_path):
    """`kpi explain --public`: the report's sentences for every point lost, the 原文, no rule
    notation, no scheme lines, no scheme writer's notes (口径)."""
    done = kpi("explain", "丁堰镇", "--public", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    flat = re.sub(r"\s", "", done.stdout)
    assert "完成650人，任务737人，完成率88.20%，按比例得17.64分（满分20分）" in flat
    assert "①企业职工养老保险新增参保人数（20分）" in flat  # its 原文
    for notation in ("min(", ">=", "…", ".kpi"):
        assert notation not in done.stdout, notation
    for label in ("规则", "计算", "口径"):  # as a line's label (a 原文 may say 计算)
        assert not re.search(rf"^\s*{label}\s", done.stdout, re.M), label
    from kpidsl.pipeline import prepare
    from kpidsl.render import html
    from kpidsl.result import ItemResult

    evaluation, _, (unit,) = prepare(None, cells_of=["丁堰镇"])
    result = evaluation.scoring.unit(evaluation.engine.data.units.index(unit))
    page = html.render(evaluation.results())
    published = next(u for u in packed_units(page) if u[6] == "丁堰镇")
    items = [(node, lines) for node, lines in zip(result.nodes(), published[2]) if isinstance(node, ItemResult)]
    lost = [line[0] for node, lines in items if node.lost and not node.bonus for line in lines]
    assert len(lost) > 20 and [s for s in lost if re.sub(r"\s", "", s) not in flat] == []


def on_terminal(width: int, *args: str, cwd) -> str:
    """What `kpi` prints to a terminal `width` columns wide (a pseudo-terminal, as a user runs
    it; styles stripped)."""
    pty = pytest.importorskip("pty", reason="no pseudo-terminals here")
    import fcntl
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, width, 0, 0))
    run = subprocess.Popen([KPI, *args], stdin=subprocess.DEVNULL, stdout=follower, stderr=subprocess.PIPE, cwd=cwd,
                           env={"PATH": "/usr/bin:/bin", "COLUMNS": str(width), "TERM": "xterm"})
    os.close(follower)
    written = []
    while True:
        try:
            chunk = os.read(leader, 1 << 16)
        except OSError:  # the terminal is closed: all is read
            break
        if not chunk:
            break
        written.append(chunk)
    os.close(leader)
    assert run.wait() == 0, run.stderr.read().decode()
    text = b"".join(written).decode("utf-8").replace("\r\n", "\n")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


CLOSING, OPENING = "，。、；：！？）」』》%,.;:!?)", "（「『《(["


def whole_tokens(text: str, names: list[str]) -> Counter:
    """Every number (with its sign, places, %, unit of measure), weight and ranking entry that
    stands whole on a line."""
    entry = "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
    token = re.compile(rf"\d+\. (?:{entry})|（×\d+%）|[−+]?\d+(?:\.\d+)?…?%?[元分人次]?")
    return Counter(t for line in text.splitlines() for t in token.findall(line))


@pytest.mark.parametrize("args", [("explain", "丁堰镇"), ("score",), ("awards",), ("explain", "丁堰镇", "--public"),
                                  ("gap", "丁堰镇")], ids=" ".join)
def test_terminal_lines_break_where_chinese_breaks(args, tmp_path):
    """At 80 and 120 columns: no line wider than the terminal or ending in a space, none starting
    with closing punctuation or ending with opening punctuation, every number, percentage,
    weight, amount and ranking entry whole on its line (as many of each as on a terminal too
    wide to break anything); unit names whole from 100 columns up."""
    from kpidsl.pipeline import prepare

    names = [u.name for u in prepare(None)[0].engine.data.units]
    unbroken = whole_tokens(on_terminal(1000, *args, cwd=tmp_path), names)
    assert sum(unbroken.values()) > 50
    for width in (80, 100, 120) if args[0] in ("score", "awards") else (80, 120):
        lines = on_terminal(width, *args, cwd=tmp_path).splitlines()
        assert [line for line in lines if cell_len(line) > width or line.endswith(" ")] == []
        assert [line for line in lines if line.strip() and (line.strip()[0] in CLOSING or line[-1] in OPENING)] == []
        assert whole_tokens("\n".join(lines), names) == unbroken, width
        if width >= 100 and args[0] in ("score", "awards"):
            rows = [line for line in lines if re.match(r" *\d+  ", line)]
            assert len(rows) == len(names) and all(any(f"  {name}  " in f"{row}  " for name in names) for row in rows)


def test_unit_names_are_not_wrapped_from_100_columns_up():
    """A table too wide for the terminal narrows its other text columns first; the column of
    unit names only below 100 columns."""
    import io

    from rich.console import Console

    from kpidsl.render.table import aligned

    names = ["经济技术开发区（城北街道）甲乙丙丁戊己庚辛壬癸子丑", "长江镇（如皋港区）"]  # 50 columns
    notes = ["说明，" * 10] * 2  # 60: at 100 both columns would give up width, the widest first
    assert (cell_len(names[0]), cell_len(notes[0])) == (50, 60)
    for width, whole in ((100, True), (120, True), (80, False)):
        written = io.StringIO()
        aligned(Console(file=written, width=width, force_terminal=True), "表", [("单位", False), ("说明", False)],
                [names, notes], names=0)
        assert (names[0] in written.getvalue()) == whole, width
        assert all(cell_len(line) <= width for line in written.getvalue().splitlines())


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed here "
                    "(`apt-get install libreoffice-calc-nogui`; .ci/run installs it)")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed (poppler-utils)")
def test_results_workbook_prints_on_a_few_pages_a_unit(tmp_path):
    """The results workbook printed by LibreOffice: A4, fitted to the width, the header rows on
    every page; the ranking a page, the awards one award a row, a unit's explanation no more than
    four pages with its long texts at full height (it printed on 91 pages before its print setup),
    every page of it naming the unit."""
    from kpidsl.pipeline import prepare

    units = prepare(None)[0].engine.data.units
    done = kpi("score", "--out", "结果.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # a profile of its own: another LibreOffice running on the machine would take the job
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "结果.xlsx")],
                   check=True, capture_output=True, timeout=300)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "结果.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")[:-1]
    money = [page for page in pages if "金额（元）" in page]  # the awards, one award a row
    explained = pages[1 + len(money):]
    assert pages[0].lstrip().startswith("名次") and pages[1:1 + len(money)] == money
    assert len(units) <= len(explained) <= 4 * len(units), len(explained)  # wrapped text at full height
    heads = [f"{u.name}（{u.group}）" for u in units]
    assert all(any(head in page for head in heads) for page in explained)
    assert all(any(head in page for page in explained) for head in heads)
