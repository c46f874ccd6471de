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
import gc
import json
import zlib
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from pathlib import Path
from urllib.parse import quote

from ..numbers import plain
from ..result import Head, Results, UnitResult

COLOURS = ["#4472c4", "#ed7d31", "#70ad47", "#ffc000", "#5b9bd5", "#a5a5a5", "#9e480e", "#264478"]

STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 1.5em; color: #222;
       line-height: 1.45; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.5em; }
.wide { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; }
th { background: #f2f2f2; } td.n { text-align: right; white-space: nowrap; }
th.head { text-align: left; background: #e8eef8; }
td.name { min-width: 8em; } td.item { min-width: 9em; }
tr.unit > td { font-weight: bold; } tr.section > td { background: #fafafa; font-weight: bold; }
td.lost { color: #c00000; } .source { color: #555; font-size: 0.85em; }
details summary { cursor: pointer; color: #264478; }
.sample { border: 2px solid #c00000; color: #c00000; padding: 0.5em 1em; font-weight: bold; }
#chart { max-width: 60em; font-size: 0.85em; }
#chart .row { display: flex; align-items: center; gap: 0.4em; margin: 2px 0; }
#chart .who { flex: 0 0 11em; text-align: right; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
#chart .track { flex: 1 1 auto; display: flex; height: 1em; min-width: 4em; }
#chart .bar { display: block; height: 100%; }
#chart .n { flex: 0 0 auto; white-space: nowrap; }
.legend span { display: inline-block; margin-right: 1.2em; }
.legend i { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.3em; vertical-align: -0.1em; }
@media (max-width: 600px) {
  body { margin: 0.6em; } #chart .who { flex-basis: 6.5em; }
  /* a phone: each item of an explanation a block (name, points), its reasons and 原文 below it */
  table.explain thead tr + tr { display: none; }
  table.explain tr { display: grid; grid-template-columns: 1fr auto auto auto; border-bottom: 1px solid #ccc; }
  table.explain td { border: none; } table.explain td.why, table.explain td.source { grid-column: 1 / -1; }
  table.explain td.source:empty, table.explain td.why:empty { display: none; }
}
@page { size: A4; margin: 15mm; }
@media print {
  body { margin: 0; } details > summary { display: none; } .wide { overflow: visible; }
  tr { break-inside: avoid; } #chart .row { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
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
    var title = esc(u[6]) + " 的得分说明（第 " + u[7] + " 名，总分 " + u[4] + "）";
    rows.push('<div class="wide"><table class="explain"><thead><tr><th class="head" colspan="6">' + title + "</th></tr>" +
              "<tr><th>板块 / 指标</th><th>满分</th><th>得分</th><th>失分</th>" +
              "<th>计分过程</th><th>原文</th></tr></thead><tbody>");
    function reason(l) {
      if (l.length === 1) { return esc(l[0]); }  // the public voice: a sentence
      var read = l[1].map(function (x) { return typeof x === "number" ? s[x] : x; }).join(" · ");
      return esc(s[l[0]]) + "：" + esc(read) + (read ? "；" : "") + esc(l[2]) +
             (l[3] ? "（扣 " + l[3] + "）" : "") + " <span class=source>[" + esc(data.file) + ":" + l[4] + "]</span>";
    }
    data.nodes.forEach(function (node, j) {
      if (u[0][j] === null) { return; }  // a section the unit's group is not totalled on
      rows.push('<tr class="' + node[0] + '"><td class="item" style="padding-left:' + (0.5 + node[1]) + 'em">' +
                esc(node[2]) +
                '</td><td class="n">' + node[3] + '</td><td class="n">' + u[0][j] + '</td><td class="n lost">' +
                u[1][j] + '</td><td class="why">' + u[2][j].map(reason).join("<br>") + '</td><td class="source">' +
                esc(node[4]) + "</td></tr>");
    });
    u[8].forEach(function (t) {  // a veto on the total, with its own 原文
      rows.push('<tr class="section"><td class="item">总分</td><td class="n"></td><td class="n">' + u[4] +
                '</td><td class="n lost">' + t[1] + '</td><td class="why">' + reason(t[0]) +
                '</td><td class="source">' + esc(t[2]) + "</td></tr>");
    });
    rows.push('</tbody></table></div><table><thead><tr><th class="head" colspan="2">' + title +
              "：从满分到总分</th></tr></thead><tbody>");
    rows.push('<tr><td>满分</td><td class="n">' + u[9] + "</td></tr>");
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
    document.body.dataset.chartWidth = Math.round(chart.getBoundingClientRect().width);
    document.body.dataset.bars = chart.querySelectorAll(".bar").length;
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
      opened();
    });
  });
  // a link to one unit's explanation: 结果.html#丁堰镇 (the unit names in the ranking are such links)
  function opened() {
    var wanted = decodeURIComponent(location.hash.slice(1));
    var row = wanted && document.querySelector('tr.unit[data-unit="' + CSS.escape(wanted) + '"]');
    if (row) {
      var box = row.nextElementSibling.querySelector("details");
      fill(box);
      box.open = true;
      row.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", function () { ready(opened); });
})();
"""


# Units whose explanations one task writes; a larger report is shared among the cores, a task at a
# time (small tasks keep both busy to the end). A multiple of the results' chunk (LazyUnits.CHUNK),
# else a chunk split between two tasks is written twice.
PART = 512


@dataclass(frozen=True)
class Money:
    """The awards as the report lists them: every unit's amounts (render.scores_csv.ScoreTable),
    each award's totals and the departments' payments."""
    scores: object
    totals: tuple
    departments: tuple


def render(results: Results, part: int = PART, money: Money | None = None, sample: tuple[str, ...] = (),
           detail: bool = False) -> str:
    """The page. `money`: the awards, where the scheme pays any; `sample`: the data files that
    are labelled sample data (the page then says so at its top); `detail`: explanations in the
    auditor's voice (each rule, what it read, its arithmetic, its line of the scheme), else in
    plain sentences for the public (公示)."""
    units = results.units
    scheme_file = Path(results.path).name
    sections = list(results.heads)
    ranges = [(start, min(start + part, len(units))) for start in range(0, len(units), part)] or [(0, 0)]
    # Explanations are millions of small objects, none in a cycle, a chunk of units alive at a
    # time: the cycle collector's default (a pass per 700 new objects) walked them over and
    # over (10–15% of a report); here it runs per 100,000.
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, 20, 100)
    try:
        written = _in_parallel(_written, results, ranges, detail) if len(ranges) > 1 else \
            [_written(results, *ranges[0], detail)]
    finally:
        gc.set_threshold(*threshold)
    bars, rows = [b for w in written for b in w[0]], [r for w in written for r in w[1]]
    blobs = "".join(f'<script type="application/octet-stream" class="explanations" data-first="{start}">'
                    f"{w[2]}</script>\n" for (start, _), w in zip(ranges, written))
    banner = (f'<p class="sample">示例数据：本页所用数据（{escape("、".join(sample))}）为示例，不是实际考核结果，'
              "不得作为公示或考核依据。</p>") if sample else ""
    page = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(results.scheme)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(results.scheme)} 考核结果</h1>",
        banner,
        f"<p>方案文件 {escape(scheme_file)} · 共 {len(units)} 个单位 · 点击单位名称查看其得分说明</p>",
        _total_rules(results, detail),
        _chart(bars, sections, len(units)),
        "<h2>排名</h2>",
        _ranking(rows, sections),
        _money(money) if money else "",
        blobs + f"<script>{SCRIPT}</script></body></html>",
    ]
    return "\n".join(page)


def _written(results: Results, start: int, stop: int, detail: bool) -> tuple[list[str], list[str], str]:
    """The chart's bars, the ranking's rows and the explanations (packed) of units start..stop,
    in one pass: results are written a chunk of units at a time."""
    units = results.units
    top = results.most or 0
    table = Explanations(results.tree, Path(results.path).name, detail)
    bars, rows = [], []
    heads = [h.name for h in results.heads]
    for k in range(start, stop):
        unit = units[k]
        if k < CHART_UNITS:
            bars.append(_bars(unit, top, heads))
        rows.append(_row(k, unit, heads))
        table.add(unit)
    return bars, rows, table.packed()


_SHARED = None  # what forked workers read (inherited, never pickled: an evaluation of 100,000 units)


def _in_parallel(work, results: Results, ranges: list[tuple[int, int]], *more) -> list:
    """work(results, start, stop, *more) for each range, in forked processes, one per core."""
    import multiprocessing
    import os

    global _SHARED
    _SHARED = (work, results, more)
    # What exists now (the evaluation, the figures: millions of objects) is left out of the
    # workers' garbage collections, which would walk it all again and again as explanations are
    # made, and whose marks would copy every page of it into each worker.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(min(len(ranges), os.cpu_count() or 1)) as pool:
            return pool.map(_shared_work, ranges, chunksize=1)
    finally:
        _SHARED = None
        gc.unfreeze()


def _shared_work(bounds: tuple[int, int]):
    work, results, more = _SHARED
    return work(results, *bounds, *more)


def _total_rules(results: Results, detail: bool) -> str:
    """How the totals are made: each 总分 line's 原文 (for the public), with the line and its 口径
    in the auditor's voice."""
    out = []
    for rule in results.total_rules:
        said = [f"原文：{escape(rule.source)}"] if rule.source else []
        if detail:
            said = [escape(rule.text)] + said + ([f"口径：{escape(rule.interpretation)}"] if rule.interpretation else [])
        if said:
            out.append(f'<p class="formula">{"；".join(said)}</p>')
    return "\n".join(out)


CHART_UNITS = 100  # the chart shows the first so many (a bar each); the ranking below lists every unit


def _chart(bars: list[str], sections: list[Head], units: int) -> str:
    """Stacked bars: each section's part of the final total (score × weight); a total cut by a
    veto or a cap has its parts cut in proportion, a vetoed unit no bar. Of a large report the
    first CHART_UNITS only: 10,000 bars are pages of scrolling on a phone before the ranking."""
    legend = "".join(f'<span><i style="background:{COLOURS[j % len(COLOURS)]}"></i>{escape(s.name)}'
                     f'{"（加分）" if s.bonus else "" if s.weight in (1, None) else f"（×{plain(s.weight * 100)}%）"}</span>'
                     for j, s in enumerate(sections))
    more = f"<p class=\"legend\">图中为排名在前的 {CHART_UNITS} 个单位；全部 {units} 个单位见下方排名。</p>" if units > CHART_UNITS else ""
    return "\n".join(['<div id="chart" role="img" aria-label="各单位总分构成">', *bars, "</div>"]) + \
        f'<p class="legend">{legend}</p>' + more


def _bars(unit: UnitResult, top, heads: list[str]) -> str:
    """(a section's colour is its column's: a unit may lack some sections, 总分 适用 …)"""
    parts = [s.score * s.weight for s in unit.sections]
    made = sum(parts)
    scale = unit.total / made if made and unit.total != made else 1  # vetoes and caps on the total
    out = []
    for section, value in zip(unit.sections, parts):
        j = heads.index(section.path[-1])
        width = float(value * scale / top * 100) if top else 0.0
        if width > 0:
            out.append(f'<i class="bar" style="width:{width:.2f}%;background:{COLOURS[j % len(COLOURS)]}" '
                       f'title="{escape(section.path[-1])} {plain(section.score)}"></i>')
    cut = next((f"（{escape(line.said.rstrip('，'))}）" for line in unit.total_lines if line.lost), "")  # in words
    return (f'<div class="row"><span class="who">{unit.rank}. {escape(unit.unit)}</span>'
            f'<span class="track">{"".join(out)}</span><span class="n">{unit.total}{cut}</span></div>')  # as rounded


def _ranking(rows: list[str], sections: list[Head]) -> str:
    heads = "".join(f"<th>{escape(s.name)}</th>" for s in sections)
    return "\n".join([f'<div class="wide"><table><thead><tr><th>名次</th><th>单位</th><th>分组</th><th>组内名次</th>{heads}'
                      "<th>总分</th></tr></thead><tbody>", *rows, "</tbody></table></div>"])


def _row(k: int, unit: UnitResult, heads: list[str]) -> str:
    own = {s.path[-1]: s.score for s in unit.sections}  # to their places: 97.50 above 96.00; — not totalled on
    scores = "".join(f'<td class="n">{own.get(name, "—")}</td>' for name in heads)
    sections = len(heads)
    name = escape(unit.unit)
    return (f'<tr class="unit" data-unit="{name}"><td class="n">{unit.rank}</td>'
            f'<td class="name"><a href="#{quote(unit.unit)}">{name}</a></td><td>{escape(unit.group)}</td>'
            f'<td class="n">{unit.group_rank}</td>{scores}<td class="n">{unit.total}</td></tr>\n'
            f'<tr><td colspan="{sections + 5}"><details data-k="{k}"><summary>{name} 的得分说明'
            f"</summary></details></td></tr>")


def _money(money: Money) -> str:
    """Every unit's awards (by award, and in all), each award's totals, the departments, the city."""
    from ..awards import Awards
    from .scores_csv import awards_total, ranking_order, texts

    scores = money.scores
    order = ranking_order(scores)
    amounts = [[_yuan(Decimal(t)) for t in texts(value, order)] for value in scores.amounts.values()]
    unit_totals = [_yuan(Decimal(t)) for t in texts(awards_total(scores), order)]
    heads = "".join(f"<th>{escape(name)}（元）</th>" for name in scores.amounts)
    rows = [f'<tr><td class="n">{scores.rank[i]}</td><td class="name">{escape(scores.units[i])}</td>'
            + "".join(f'<td class="n">{column[k]}</td>' for column in amounts)
            + f'<td class="n">{unit_totals[k]}</td></tr>' for k, i in enumerate(order.tolist())]
    totals = "".join(f'<tr><td>{escape(t.award)}</td><td class="n">{_yuan(t.paid)}</td>'
                     f'<td class="n">{_yuan(t.kept_back)}</td></tr>' for t in money.totals)
    departments = "".join(f'<tr><td>{escape(d.name)}</td><td class="n">'
                          f'{_yuan(d.amount) if d.amount is not None else "（未规定金额）"}</td><td></td></tr>'
                          for d in money.departments)
    city = _yuan(Awards({}, money.totals, money.departments).city_total)
    return "\n".join([
        "<h2>奖励与补助</h2>",
        f'<div class="wide"><table><thead><tr><th>名次</th><th>单位</th>{heads}<th>合计（元）</th></tr></thead><tbody>',
        *rows, "</tbody></table></div>",
        '<h2>各项奖励合计</h2><div class="wide"><table><thead><tr><th>奖励</th><th>发放（元）</th>'
        f"<th>扣减或留存（元）</th></tr></thead><tbody>{totals}{departments}"
        f'<tr><td><b>全市合计</b></td><td class="n"><b>{city}</b></td><td></td></tr></tbody></table></div>',
    ])


class Explanations:
    """Every unit's explanation as data, gzipped as it is written: the scheme's tree once, the
    texts units share once (`strings`, last: rules in words, standings, ledger labels), and
    per unit its scores, losses, lines, ledger, total and requirements, as arrays."""

    def __init__(self, tree, scheme_file: str, detail: bool):
        self.detail = detail  # the auditor's voice (rules, inputs, arithmetic, scheme lines), else the public's
        self.strings: list[str] = []
        self._codes: dict[str, int] = {}
        self._gzip = zlib.compressobj(6, zlib.DEFLATED, 31)
        self.names = [h.name for h in tree]
        nodes = [["section" if h.section else "item", h.depth, h.name, plain(h.points), h.source or ""] for h in tree]
        head = {"file": scheme_file, "nodes": nodes}
        self._parts = [self._gzip.compress(_json(head)[:-1].encode() + b',"units":[')]
        self._separator = b""

    def code(self, text: str) -> int:
        found = self._codes.get(text)
        if found is None:
            found = self._codes[text] = len(self.strings)
            self.strings.append(text)
        return found

    def add(self, unit: UnitResult) -> None:
        """(a node of the scheme the unit is not totalled on is null: 总分 适用 …)"""
        own = {n.path[-1]: n for n in unit.nodes()}
        code, said = self.code, self._said
        scores, losses, lines = [], [], []
        for name in self.names:  # one pass, the public's lines inline: done by the million
            n = own.get(name)
            lost = n and n.max - n.score
            scores.append(plain(n.score) if n else None)
            losses.append(plain(lost) if lost else "")
            lines.append([] if n is None else [said(l) for l in n.lines] if self.detail else [[l.said] for l in n.lines])
        words = {} if self.detail else {l.text: l.said for l in unit.total_lines}  # a veto's, in words
        ledger = [[code(words.get(e.label, e.label)), ("+" if e.points > 0 else "") + plain(e.points),
                   "" if e.label in words else e.detail] for e in unit.ledger()]  # the public: no notation
        total = [[said(l), plain(l.lost) if l.lost > 0 else "", l.source or ""] for l in unit.total_lines]
        row = [scores, losses, lines, ledger, plain(unit.total),
               [code(t) for t, _ in unit.requirements], unit.unit, unit.rank, total, plain(unit.full)]
        self._parts.append(self._gzip.compress(self._separator + _json(row).encode()))
        self._separator = b","

    def _said(self, line) -> list:
        """A line in the auditor's voice (its rule, what it read, the arithmetic, the points it
        took, its line of the scheme), or the public's (a sentence)."""
        if not self.detail:
            return [line.said]
        return [self.code(line.text), [_shared(f"{k} {v}", self.code) for k, v in line.inputs], line.arithmetic,
                plain(line.lost) if line.lost > 0 else "", line.line]

    def packed(self) -> str:
        tail = b'],"strings":' + _json(self.strings).encode() + b"}"
        self._parts += [self._gzip.compress(tail), self._gzip.flush()]
        return base64.b64encode(b"".join(self._parts)).decode("ascii")


def _shared(text: str, code) -> int | str:
    """A long input (a rank pool's standings, the same for every unit in it) written once."""
    return code(text) if len(text) > 40 else text


def _yuan(amount: Decimal) -> str:
    """An amount as money is written: 50,000.00."""
    return f"{amount.quantize(CENT) if -amount.as_tuple().exponent < 2 else amount:,f}"


CENT = Decimal("0.01")


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
