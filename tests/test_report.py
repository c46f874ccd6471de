"""The HTML report, opened in a real headless browser (Debian's chromium): it loads with no
network, the chart is drawn, the ranking matches the JSON, and it prints to A4 PDF."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import unescape as html_unescape
from pathlib import Path

import pytest
from conftest import UNITS, build

from kpidsl.numbers import plain
from kpidsl.render import html, json as json_render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed here (`apt-get install chromium`; .ci/run installs it)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def browse(page: Path, tmp_path: Path, *args: str, fragment: str = "") -> str:
    done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args,
                           page.as_uri() + fragment],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def report(bundled_results, tmp_path_factory):
    results = bundled_results["rugao-2021.kpi"]
    folder = tmp_path_factory.mktemp("report")
    page = folder / "结果.html"
    page.write_text(html.render(results), encoding="utf-8")
    return results, page


def test_report_is_self_contained(report):
    text = report[1].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    assert "@page { size: A4" in text


@needs_chromium
def test_report_opens_draws_the_chart_and_ranks_as_the_json(report, tmp_path):
    results, page = report
    dom = browse(page, tmp_path, "--virtual-time-budget=5000", "--dump-dom")
    body = re.search(r"<body([^>]*)>", dom).group(1)
    assert int(re.search(r'data-bars="(\d+)"', body).group(1)) == 3 * len(results.units)
    assert int(re.search(r'data-chart-width="(\d+)"', body).group(1)) > 200
    ranked = re.findall(r'<tr class="unit" data-unit="([^"]+)"', dom)
    expected = [u["unit"] for u in json.loads(json_render.render(results))["units"]]
    assert ranked == expected


@needs_chromium
def test_report_prints_to_pdf(report, tmp_path):
    pdf = tmp_path / "结果.pdf"
    browse(report[1], tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


@needs_chromium
def test_report_link_opens_one_units_explanation_from_the_embedded_data(report, tmp_path):
    """The explanations are data laid out in the browser: a link to a unit opens its explanation,
    which reads as the unit's own (its items' scores, its ledger's total)."""
    results, _ = report
    page = tmp_path / "分批.html"  # written in parts of 5 units, as a large report is
    page.write_text(html.render(results, part=5), encoding="utf-8")
    unit = next(u for u in results.units if u.unit == "丁堰镇")
    assert results.units.index(unit) >= 5
    dom = browse(page, tmp_path, "--virtual-time-budget=5000", "--dump-dom", fragment=f"#{unit.unit}")
    assert f'data-explained="{len(results.units)}"' in dom
    opened = re.findall(r'<details data-k="\d+"[^>]*>(.*?)</details>', dom, re.S)
    filled = [box for box in opened if "<table" in box]
    assert len(filled) == 1 and filled[0].count('<tr class="item"') == sum(1 for _ in unit.items())
    item = next(i for i in unit.items() if i.lost)
    assert re.search(rf">{re.escape(item.path[-1])}</td><td class=\"n\">{plain(item.max)}</td>"
                     rf"<td class=\"n\">{plain(item.score)}</td>", filled[0])
    assert f"<b>{plain(unit.total)}</b>" in filled[0]


def _explanations(page: str) -> list:
    """Every unit's explanation data in a page, its shared texts written out."""
    import base64
    import zlib

    found = []
    for packed in re.findall(r'<script type="application/octet-stream" class="explanations"[^>]*>([^<]*)<', page):
        data = json.loads(zlib.decompress(base64.b64decode(packed), 31))
        text = lambda x: data["strings"][x] if isinstance(x, int) else x  # noqa: E731
        for scores, lost, lines, ledger, total, required, name, rank, _, _ in data["units"]:
            found.append((scores, lost, [[[text(l[0]), [text(x) for x in l[1]], *l[2:]] if len(l) > 1 else l
                                          for l in node] for node in lines],
                          [[text(e[0]), *e[1:]] for e in ledger], total, [text(r) for r in required], name, rank))
    return found


def test_report_in_parts_holds_the_same_explanations(bundled_results):
    """A large report is written by several processes, a part each: the page holds the same
    explanations, in the same order, as when one process writes them all."""
    results = bundled_results["rugao-2021.kpi"]
    whole, parts = html.render(results), html.render(results, part=5)
    assert parts.count('class="explanations"') == 3 and whole.count('class="explanations"') == 1
    assert _explanations(parts) == _explanations(whole)
    assert len(_explanations(whole)) == len(results.units)
    assert re.findall(r'<tr class="unit".*', parts) == re.findall(r'<tr class="unit".*', whole)


MEASURE = """<script>
// test only: once the explanations are in, open every one and measure the page as laid out
window.addEventListener("load", function wait() {
  if (!document.body.dataset.explained) { return setTimeout(wait, 50); }
  document.querySelectorAll("details[data-k]").forEach(function (d) { d.open = true; });
  setTimeout(function () {
    var width = window.innerWidth, chart = document.getElementById("chart").getBoundingClientRect();
    var rows = Array.prototype.map.call(document.querySelectorAll("#chart .row"), function (row) {
      var track = row.querySelector(".track").getBoundingClientRect().width;
      var bars = Array.prototype.reduce.call(row.querySelectorAll(".bar"), function (n, b) {
        return n + b.getBoundingClientRect().width; }, 0);
      return [row.querySelector(".who").textContent, bars / track];
    });
    parent.postMessage(JSON.stringify({
      width: width, scroll: document.documentElement.scrollWidth, chartRight: chart.right, rows: rows,
      tables: document.querySelectorAll("table.explain").length}), "*");
  }, 200);
});
</script>"""


@needs_chromium
@pytest.mark.parametrize("width", [390, 1400])
def test_report_fits_a_phone_and_a_desktop(report, tmp_path, width):
    """At a phone's width and a desktop's, every explanation open: nothing runs off the page
    sideways, the chart is inside it, and each bar is as long as the unit's final total."""
    results, page = report
    measured_page = tmp_path / "量.html"
    measured_page.write_text(page.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"),
                             encoding="utf-8")
    frame = tmp_path / "框.html"  # headless windows are at least 500 px wide: a phone is a frame
    frame.write_text(f'<!DOCTYPE html><body style="margin:0"><iframe src="{measured_page.name}" width="{width}" '
                     'height="900" style="border:0"></iframe><script>window.addEventListener("message", '
                     'function (e) { document.body.dataset.measured = e.data; });</script></body>', encoding="utf-8")
    dom = browse(frame, tmp_path, "--window-size=1600,1000", "--virtual-time-budget=10000", "--dump-dom")
    found = json.loads(html_unescape(re.search(r'data-measured="([^"]+)"', dom).group(1)))
    assert found["width"] == width and found["scroll"] <= width and found["chartRight"] <= width
    assert found["tables"] == len(results.units)
    top = max(u.full + sum(s.max * s.weight for s in u.sections if s.bonus) for u in results.units)
    for (who, share), unit in zip(found["rows"], results.units):
        assert who.endswith(unit.unit) and abs(share - float(unit.total / top)) < 0.01


def test_a_vetoed_unit_has_no_bar(tmp_path):
    """A total struck to 0 by a veto is drawn as 0, the veto named, not as the parts before it."""
    from kpidsl.pipeline import load_all

    scheme = build(tmp_path, """
        总分 = 甲 × 100%
        一票否决 重大事故
        板块 甲 10分 {
          指标 乙 10分 { 按比例 }
        }
        """, {(u, "乙", f): v for u, _ in UNITS for f, v in (("任务", "10"), ("实际", "8"))}
        | {(u, "总分", "重大事故"): "是" if u == "甲镇" else "否" for u, _ in UNITS})
    page = html.render(load_all(scheme).evaluate())
    struck = re.search(r'<div class="row"><span class="who">\d+\. 甲镇</span>(.*?)</div>', page).group(1)
    assert 'class="bar"' not in struck and "一票否决：重大事故，总分计 0 分" in struck  # in words
    other = re.search(r'<div class="row"><span class="who">\d+\. 乙镇</span>(.*?)</div>', page).group(1)
    assert 'style="width:80.00%' in other


@needs_chromium
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed (poppler-utils)")
def test_report_printed_names_the_unit_on_every_explanation_page(report, tmp_path):
    """Printed, every explanation is laid out and every page of one names its unit (the table's
    heading repeats on each page)."""
    results, page = report
    pdf = tmp_path / "结果.pdf"
    browse(page, tmp_path, "--virtual-time-budget=8000", f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    explained = [p for p in pages if "板块 / 指标" in p]
    assert len(explained) >= len(results.units)
    for p in explained:
        assert re.search(r"(\S+) 的得分说明（第 \d+ 名，总分 [\d.]+）", p), p[:300]
    for unit in results.units:
        assert f"{unit.unit} 的得分说明（第 {unit.rank} 名" in text


@pytest.mark.parametrize("detail", [False, True])
def test_report_speaks_plainly_to_the_public_and_in_full_to_auditors(bundled_results, detail):
    """By default each line is a sentence with no rule notation and no scheme lines (公示);
    with --detail, the auditor's: the rule, what it read, the arithmetic, the line of the scheme."""
    results = bundled_results["rugao-2021.kpi"]
    page = html.render(results, detail=detail)
    k = next(k for k, u in enumerate(results.units) if u.unit == "丁堰镇")
    lines = [line for node in _explanations(page)[k][2] for line in node]
    said = " ".join(" ".join(map(str, line)) for line in lines)
    if detail:
        assert all(len(line) == 5 for line in lines) and "比率 实际 / 任务 = 88.20…%" in said
    else:
        assert all(len(line) == 1 for line in lines)
        assert "完成 650人，任务 737人，完成率 88.20%，按比例得 17.64 分（满分 20 分）" in said  # with their unit
        for notation in ("min(", ">=", "…", ".kpi", " / ", "→"):
            assert notation not in said, notation


def test_scores_are_published_to_their_places(report):
    """A column of scores reads 97.50 above 96.00 and a total 64.00, as rounded, never 97.5, 96, 64."""
    results, page = report
    text = page.read_text(encoding="utf-8")
    last = results.units[-1]
    assert f'<span class="n">{last.total}' in text and str(last.total).endswith("0")
    row = re.search(rf'data-unit="{re.escape(last.unit)}">(.*?)</tr>', text).group(1)
    assert re.findall(r'<td class="n">([\d.]+)</td>', row)[2:] == [str(s.score) for s in last.sections] + [str(last.total)]
    assert all(len(v.split(".")[1]) == 2 for v in re.findall(r'<td class="n">(\d+\.\d+)</td>', row))


def test_a_large_reports_chart_shows_the_first_units_and_says_so(bundled_results, monkeypatch):
    """A bar per unit up to html.CHART_UNITS (10,000 bars are pages of scrolling on a phone); the
    ranking below still lists every unit, and the page says where the rest are."""
    results = bundled_results["rugao-2021.kpi"]
    monkeypatch.setattr(html, "CHART_UNITS", 5)
    page = html.render(results, part=4)  # the parts written apart, as a large report is
    chart = page[page.index('<div id="chart"'):page.index('<p class="legend">')]
    assert chart.count('class="row"') == 5
    assert f"图中为排名在前的 5 个单位；全部 {len(results.units)} 个单位见下方排名" in page
    assert page.count('<tr class="unit"') == len(results.units)
    monkeypatch.setattr(html, "CHART_UNITS", 100)
    assert "图中为排名在前的" not in html.render(results)
