"""HTML report renderer: one self-contained page (no network needed) for publishing results
(公示): the ranking, a bar chart of totals by section, each unit's explanation folded under its
row with the scheme's 原文 beside each item. Prints on A4 with every explanation open."""
from __future__ import annotations

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

SCRIPT = """
window.addEventListener("load", function () {
  var chart = document.getElementById("chart");
  var box = chart.getBBox();
  document.body.dataset.chartWidth = Math.round(box.width);
  document.body.dataset.bars = chart.querySelectorAll("rect.bar").length;
});
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details").forEach(function (d) { d.open = true; });
});
"""


def render(results: Results) -> str:
    units = results.units
    sections = [s for s in units[0].sections] if units else []
    scheme_file = Path(results.path).name
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{escape(results.scheme)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(results.scheme)} 考核结果</h1>",
        f"<p>方案文件 {escape(scheme_file)} · 共 {len(units)} 个单位</p>",
        _chart(units, sections),
        "<h2>排名</h2>",
        _ranking(units, sections, scheme_file),
        f"<script>{SCRIPT}</script></body></html>",
    ]
    return "\n".join(parts)


def _chart(units: list[UnitResult], sections: list[SectionResult]) -> str:
    """Stacked horizontal bars: each section's contribution to the total (score × weight)."""
    if not units:
        return '<svg id="chart"></svg>'
    top = max(u.full + sum(s.max * s.weight for s in u.sections if s.bonus) for u in units)
    label_width, bar_width, row = 230, 560, 22
    height = row * len(units) + 30
    out = [f'<svg id="chart" xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 70}" '
           f'height="{height}" role="img" aria-label="各单位总分构成">']
    for i, unit in enumerate(units):
        y = i * row + 4
        out.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end" font-size="12">'
                   f'{unit.rank}. {escape(unit.unit)}</text>')
        x = float(label_width)
        for j, section in enumerate(unit.sections):
            width = float(section.score * section.weight) / float(top) * bar_width
            out.append(f'<rect class="bar" x="{x:.2f}" y="{y}" width="{width:.2f}" height="{row - 6}" '
                       f'fill="{COLOURS[j % len(COLOURS)]}"><title>{escape(section.path[-1])} '
                       f'{plain(section.score)}</title></rect>')
            x += width
        out.append(f'<text x="{x + 4:.2f}" y="{y + 14}" font-size="12">{plain(unit.total)}</text>')
    out.append("</svg>")
    legend = "".join(f'<span><i style="background:{COLOURS[j % len(COLOURS)]}"></i>{escape(s.path[-1])}'
                     f'{"（加分）" if s.bonus else "" if s.weight == 1 else f"（×{plain(s.weight * 100)}%）"}</span>'
                     for j, s in enumerate(sections))
    return "\n".join(out) + f'<p class="legend">{legend}</p>'


def _ranking(units: list[UnitResult], sections: list[SectionResult], scheme_file: str) -> str:
    heads = "".join(f"<th>{escape(s.path[-1])}</th>" for s in sections)
    rows = [f"<table><thead><tr><th>名次</th><th>单位</th><th>分组</th><th>组内名次</th>{heads}"
            "<th>总分</th></tr></thead><tbody>"]
    for unit in units:
        scores = "".join(f'<td class="n">{plain(s.score)}</td>' for s in unit.sections)
        rows.append(f'<tr class="unit" data-unit="{escape(unit.unit)}"><td class="n">{unit.rank}</td>'
                    f"<td>{escape(unit.unit)}</td><td>{escape(unit.group)}</td>"
                    f'<td class="n">{unit.group_rank}</td>{scores}<td class="n">{plain(unit.total)}</td></tr>')
        rows.append(f'<tr><td colspan="{len(sections) + 5}"><details><summary>{escape(unit.unit)} 的得分说明'
                    f"</summary>{_explanation(unit, scheme_file)}</details></td></tr>")
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _explanation(unit: UnitResult, scheme_file: str) -> str:
    rows = ["<table><thead><tr><th>板块 / 指标</th><th>满分</th><th>得分</th><th>失分</th>"
            "<th>计分过程</th><th>原文</th></tr></thead><tbody>"]

    def add(node, depth: int) -> None:
        reasons = "<br>".join(
            f"{escape(l.text)}：{escape(' · '.join(f'{k} {v}' for k, v in l.inputs))}"
            f"{'；' if l.inputs else ''}{escape(l.arithmetic)}"
            f"{f'（扣 {plain(l.lost)}）' if l.lost > 0 else ''} <span class=source>[{scheme_file}:{l.line}]</span>"
            for l in node.lines)
        kind = "section" if isinstance(node, SectionResult) else "item"
        lost = plain(node.lost) if node.lost else ""
        rows.append(f'<tr class="{kind}"><td style="padding-left:{0.5 + depth}em">{escape(node.path[-1])}</td>'
                    f'<td class="n">{plain(node.max)}</td><td class="n">{plain(node.score)}</td>'
                    f'<td class="n lost">{lost}</td><td>{reasons}</td>'
                    f'<td class="source">{escape(node.source or "")}</td></tr>')
        for child in getattr(node, "children", ()):
            add(child, depth + 1)

    for section in unit.sections:
        add(section, 0)
    rows.append("</tbody></table><table><tbody>")
    rows.append(f'<tr><td>满分</td><td class="n">{plain(unit.full)}</td></tr>')
    for entry in unit.ledger():
        rows.append(f"<tr><td>{escape(entry.label)}（{escape(entry.detail)}）</td>"
                    f'<td class="n">{"+" if entry.points > 0 else ""}{plain(entry.points)}</td></tr>')
    rows.append(f'<tr><td><b>总分</b></td><td class="n"><b>{plain(unit.total)}</b></td></tr></tbody></table>')
    if unit.requirements:
        rows.append("<p>要求（不计分）：" + "；".join(escape(t) for t, _ in unit.requirements) + "</p>")
    return "\n".join(rows)

