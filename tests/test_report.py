"""The HTML report, opened in a real headless browser (Debian's chromium): it loads with no
network, the chart is drawn, the ranking matches the JSON, and it prints to A4 PDF."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

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
    filled = [box for box in opened if "<table>" in box]
    assert len(filled) == 1 and filled[0].count('class="item"') == sum(1 for _ in unit.items())
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
        for scores, lost, lines, ledger, total, required in data["units"]:
            found.append((scores, lost, [[[text(l[0]), [text(x) for x in l[1]], *l[2:]] for l in node]
                                         for node in lines],
                          [[text(e[0]), *e[1:]] for e in ledger], total, [text(r) for r in required]))
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
