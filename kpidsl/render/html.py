"""HTML report renderer: one self-contained page (no network needed) for publishing results
(公示): the ranking, a bar chart of totals by section, and each unit's explanation with the
scheme's 原文 beside each item. Prints on A4.

Explanations are embedded once as data (gzip, then base64: the scheme's tree and the texts units
share written once, each unit's scores and lines as arrays) and laid out in the browser when a
unit is opened, so a report of 10,000 units stays a page a browser opens at once. Printing lays
out every explanation first. A large report is written in parts, one per core (each part's
explanations a packet of their own)."""
from __future__ import annotations

import base64
import json
import zlib
from html import escape
from pathlib import Path

from ..numbers import plain
from ..result import Results, SectionResult, UnitResult

COLOURS = ["#4472c4", "#ed7d31", "#70ad47", "#ffc000", "#5b9bd5", "#a5a5a5", "#9e480e", "#264478"]

STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.5em; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; }
th { background: #f2f2f2; } td.n { text-align: right; white-space: nowrap; }
tr.unit > td { font-weight: bold; } tr.section > td { background: #fafafa; font-weight: bold; }
td.lost { color: #c00000; } .source { color: #555; font-size: 0.85em; }
details summary { cursor: pointer; color: #264478; }
.legend span { display: inline-block; margin-right: 1.2em; }
.legend i { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.3em; vertical-align: -0.1em; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; } details > summary { display: none; } tr.unit { break-inside: avoid; } }
"""

# Lays out a unit's explanation from the embedded data (see `Explanations`) when it is opened.
SCRIPT = """
(function () {
  var parts = null, waiting = [];
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function explanation(k) {
    var data = parts.filter(function (p) { return p.first <= k; }).pop();
    var u = data.units[k - data.first], s = data.strings, rows = [];
    rows.push("<table><thead><tr><th>板块 / 指标</th><th>满分</th><th>得分</th><th>失分</th>" +
              "<th>计分过程</th><th>原文</th></tr></thead><tbody>");
    data.nodes.forEach(function (node, j) {
      var reasons = u[2][j].map(function (l) {
        var read = l[1].map(function (x) { return typeof x === "number" ? s[x] : x; }).join(" · ");
        return esc(s[l[0]]) + "：" + esc(read) + (read ? "；" : "") + esc(l[2]) +
               (l[3] ? "（扣 " + l[3] + "）" : "") + " <span class=source>[" + esc(data.file) + ":" + l[4] + "]</span>";
      }).join("<br>");
      rows.push('<tr class="' + node[0] + '"><td style="padding-left:' + (0.5 + node[1]) + 'em">' + esc(node[2]) +
                '</td><td class="n">' + node[3] + '</td><td class="n">' + u[0][j] + '</td><td class="n lost">' +
                u[1][j] + "</td><td>" + reasons + '</td><td class="source">' + esc(node[4]) + "</td></tr>");
    });
    rows.push("</tbody></table><table><tbody>");
    rows.push('<tr><td>满分</td><td class="n">' + data.full + "</td></tr>");
    u[3].forEach(function (e) {
      rows.push("<tr><td>" + esc(s[e[0]]) + "（" + esc(e[2]) + '）</td><td class="n">' + e[1] + "</td></tr>");
    });
    rows.push('<tr><td><b>总分</b></td><td class="n"><b>' + u[4] + "</b></td></tr></tbody></table>");
    if (u[5].length) {
      rows.push("<p>要求（不计分）：" + u[5].map(function (r) { return esc(s[r]); }).join("；") + "</p>");
    }
    return rows.join("\\n");
  }
  function fill(box) {
    if (!box.dataset.filled) {
      box.insertAdjacentHTML("beforeend", explanation(+box.dataset.k));
      box.dataset.filled = "1";
    }
  }
  function ready(then) { if (parts) then(); else waiting.push(then); }
  document.addEventListener("toggle", function (e) {
    if (e.target.open && e.target.dataset.k) ready(function () { fill(e.target); });
  }, true);
  window.addEventListener("beforeprint", function () {
    ready(function () {
      document.querySelectorAll("details[data-k]").forEach(function (d) { fill(d); d.open = true; });
    });
  });
  window.addEventListener("load", function () {
    var chart = document.getElementById("chart");
    var box = chart.getBBox();
    document.body.dataset.chartWidth = Math.round(box.width);
    document.body.dataset.bars = chart.querySelectorAll("rect.bar").length;
    var packed = Array.prototype.map.call(document.querySelectorAll("script.explanations"), function (box) {
      var bytes = Uint8Array.from(atob(box.textContent.trim()), function (c) { return c.charCodeAt(0); });
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      return new Response(stream).text().then(function (text) {
        var data = JSON.parse(text);
        data.first = +box.dataset.first;
        return data;
      });
    });
    Promise.all(packed).then(function (all) {
      parts = all;
      document.body.dataset.explained = all.reduce(function (n, p) { return n + p.units.length; }, 0);
      waiting.splice(0).forEach(function (then) { then(); });
      // a link to one unit's explanation: 结果.html#丁堰镇
      var wanted = decodeURIComponent(location.hash.slice(1));
      var row = wanted && document.querySelector('tr.unit[data-unit="' + CSS.escape(wanted) + '"]');
      if (row) {
        var box = row.nextElementSibling.querySelector("details");
        fill(box);
        box.open = true;
        row.scrollIntoView();
      }
    });
  });
})();
"""


PART = 2_048  # units whose explanations one process writes; a larger report is shared among the cores


def render(results: Results, part: int = PART) -> str:
    units = results.units
    scheme_file = Path(results.path).name
    first = units[0] if len(units) else None
    sections = list(first.sections) if first else []
    ranges = [(start, min(start + part, len(units))) for start in range(0, len(units), part)] or [(0, 0)]
    written = _in_parallel(_written, results, ranges) if len(ranges) > 1 else [_written(results, *ranges[0])]
    bars, rows = [b for w in written for b in w[0]], [r for w in written for r in w[1]]
    blobs = "".join(f'<script type="application/octet-stream" class="explanations" data-first="{start}">'
                    f"{w[2]}</script>\n" for (start, _), w in zip(ranges, written))
    page = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{escape(results.scheme)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(results.scheme)} 考核结果</h1>",
        f"<p>方案文件 {escape(scheme_file)} · 共 {len(units)} 个单位</p>",
        _chart(bars, sections),
        "<h2>排名</h2>",
        _ranking(rows, sections),
        blobs + f"<script>{SCRIPT}</script></body></html>",
    ]
    return "\n".join(page)


def _written(results: Results, start: int, stop: int) -> tuple[list[str], list[str], str]:
    """The chart's bars, the ranking's rows and the explanations (packed) of units start..stop,
    in one pass: results are written a chunk of units at a time."""
    units = results.units
    first = units[0] if len(units) else None
    top = first.full + sum(s.max * s.weight for s in first.sections if s.bonus) if first else 0
    table = Explanations(first, Path(results.path).name)
    bars, rows = [], []
    for k in range(start, stop):
        unit = units[k]
        bars.append(_bars(k, unit, top))
        rows.append(_row(k, unit, len(unit.sections)))
        table.add(unit)
    return bars, rows, table.packed()


_SHARED = None  # what forked workers read (inherited, never pickled: an evaluation of 100,000 units)


def _in_parallel(work, results: Results, ranges: list[tuple[int, int]]) -> list:
    """work(results, start, stop) for each range, in forked processes, one per core."""
    import multiprocessing
    import os

    global _SHARED
    _SHARED = (work, results)
    try:
        with multiprocessing.get_context("fork").Pool(min(len(ranges), os.cpu_count() or 1)) as pool:
            return pool.map(_shared_work, ranges)
    finally:
        _SHARED = None


def _shared_work(bounds: tuple[int, int]):
    work, results = _SHARED
    return work(results, *bounds)


LABEL_WIDTH, BAR_WIDTH, ROW = 230, 560, 22


def _chart(bars: list[str], sections: list[SectionResult]) -> str:
    """Stacked horizontal bars: each section's contribution to the total (score × weight)."""
    if not bars:
        return '<svg id="chart"></svg>'
    out = [f'<svg id="chart" xmlns="http://www.w3.org/2000/svg" width="{LABEL_WIDTH + BAR_WIDTH + 70}" '
           f'height="{ROW * len(bars) + 30}" role="img" aria-label="各单位总分构成">', *bars, "</svg>"]
    legend = "".join(f'<span><i style="background:{COLOURS[j % len(COLOURS)]}"></i>{escape(s.path[-1])}'
                     f'{"（加分）" if s.bonus else "" if s.weight == 1 else f"（×{plain(s.weight * 100)}%）"}</span>'
                     for j, s in enumerate(sections))
    return "\n".join(out) + f'<p class="legend">{legend}</p>'


def _bars(k: int, unit: UnitResult, top) -> str:
    y = k * ROW + 4
    out = [f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end" font-size="12">'
           f'{unit.rank}. {escape(unit.unit)}</text>']
    x = float(LABEL_WIDTH)
    for j, section in enumerate(unit.sections):
        width = float(section.score * section.weight) / float(top) * BAR_WIDTH
        out.append(f'<rect class="bar" x="{x:.2f}" y="{y}" width="{width:.2f}" height="{ROW - 6}" '
                   f'fill="{COLOURS[j % len(COLOURS)]}"><title>{escape(section.path[-1])} '
                   f'{plain(section.score)}</title></rect>')
        x += width
    out.append(f'<text x="{x + 4:.2f}" y="{y + 14}" font-size="12">{plain(unit.total)}</text>')
    return "\n".join(out)


def _ranking(rows: list[str], sections: list[SectionResult]) -> str:
    heads = "".join(f"<th>{escape(s.path[-1])}</th>" for s in sections)
    return "\n".join([f"<table><thead><tr><th>名次</th><th>单位</th><th>分组</th><th>组内名次</th>{heads}"
                      "<th>总分</th></tr></thead><tbody>", *rows, "</tbody></table>"])


def _row(k: int, unit: UnitResult, sections: int) -> str:
    scores = "".join(f'<td class="n">{plain(s.score)}</td>' for s in unit.sections)
    return (f'<tr class="unit" data-unit="{escape(unit.unit)}"><td class="n">{unit.rank}</td>'
            f"<td>{escape(unit.unit)}</td><td>{escape(unit.group)}</td>"
            f'<td class="n">{unit.group_rank}</td>{scores}<td class="n">{plain(unit.total)}</td></tr>\n'
            f'<tr><td colspan="{sections + 5}"><details data-k="{k}"><summary>{escape(unit.unit)} 的得分说明'
            f"</summary></details></td></tr>")


class Explanations:
    """Every unit's explanation as data, gzipped as it is written: the scheme's tree once, the
    texts units share once (`strings`, last: rules in words, standings, ledger labels), and
    per unit its scores, losses, lines, ledger, total and requirements, as arrays."""

    def __init__(self, first: UnitResult | None, scheme_file: str):
        self.strings: list[str] = []
        self._codes: dict[str, int] = {}
        self._gzip = zlib.compressobj(6, zlib.DEFLATED, 31)
        nodes = [["section" if isinstance(n, SectionResult) else "item", len(n.path) - 1, n.path[-1],
                  plain(n.max), n.source or ""] for n in first.nodes()] if first else []
        head = {"file": scheme_file, "full": plain(first.full) if first else "0", "nodes": nodes}
        self._parts = [self._gzip.compress(_json(head)[:-1].encode() + b',"units":[')]
        self._separator = b""

    def code(self, text: str) -> int:
        found = self._codes.get(text)
        if found is None:
            found = self._codes[text] = len(self.strings)
            self.strings.append(text)
        return found

    def add(self, unit: UnitResult) -> None:
        nodes = list(unit.nodes())
        code = self.code
        lines = [[[code(l.text), [_shared(f"{k} {v}", code) for k, v in l.inputs], l.arithmetic,
                   plain(l.lost) if l.lost > 0 else "", l.line] for l in n.lines] for n in nodes]
        ledger = [[code(e.label), ("+" if e.points > 0 else "") + plain(e.points), e.detail]
                  for e in unit.ledger()]
        row = [[plain(n.score) for n in nodes], [plain(n.lost) if n.lost else "" for n in nodes],
               lines, ledger, plain(unit.total), [code(t) for t, _ in unit.requirements]]
        self._parts.append(self._gzip.compress(self._separator + _json(row).encode()))
        self._separator = b","

    def packed(self) -> str:
        tail = b'],"strings":' + _json(self.strings).encode() + b"}"
        self._parts += [self._gzip.compress(tail), self._gzip.flush()]
        return base64.b64encode(b"".join(self._parts)).decode("ascii")


def _shared(text: str, code) -> int | str:
    """A long input (a rank pool's standings, the same for every unit in it) written once."""
    return code(text) if len(text) > 40 else text


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
