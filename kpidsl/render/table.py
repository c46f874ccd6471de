"""The ranking table: every unit's rank, group, section scores and total, from the score table
(no explanation is written). Plain aligned text, so that 100,000 rows print in a moment:
CJK characters count two columns, unit names are never broken, long headers wrap."""
from __future__ import annotations

from typing import TextIO

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from ..numbers import plain
from .scores_csv import ScoreTable, ranking_order, texts

HEADER_WIDTH = 10  # a header wider than its column's values wraps at this many columns
CLOSING = "）)》」』】，。、；：！？%"


def render(table: ScoreTable, scheme, index, console: Console) -> None:
    columns = [("名次", True), ("单位", False), ("分组", False), ("组内", True)]
    for section in scheme.sections:
        info = index.nodes[section.name]
        label = section.name + ("（加分）" if info.bonus else "" if info.weight == 1 else f"（×{plain(info.weight * 100)}%）")
        columns.append((label, True))
    columns.append(("总分", True))
    order = ranking_order(table)
    names, groups = [table.units[i] for i in order], [table.groups[i] for i in order]
    cells = [[str(r) for r in table.rank[order].tolist()], names, groups,
             [str(r) for r in table.group_rank[order].tolist()]]
    cells += [texts(table.nodes[s.name], order) for s in scheme.sections]
    cells.append(texts(table.total, order))
    aligned(console.file, scheme.title, columns, cells)


def aligned(out: TextIO, title: str, columns: list[tuple[str, bool]], cells: list[list[str]]) -> None:
    """Columns of text (each a header and whether it is right-aligned) under a title."""
    widths = [max([cell_len(c) for c in column] + [min(cell_len(h), HEADER_WIDTH), 2])
              for (h, _), column in zip(columns, cells)]
    heads = [_wrap(h, w) for (h, _), w in zip(columns, widths)]
    depth = max(len(h) for h in heads)
    right = [r for _, r in columns]

    def line(row) -> str:
        return "  ".join(_pad(c, w, r) for c, w, r in zip(row, widths, right)).rstrip()

    out.write(title + "\n\n")
    for k in range(depth):  # headers sit on the rule below them
        out.write(line([h[k - depth + len(h)] if k - depth + len(h) >= 0 else "" for h in heads]) + "\n")
    rule = widths[:-1] + [min(widths[-1], max(cell_len(heads[-1][-1]), HEADER_WIDTH))]  # a long last column
    out.write("  ".join("─" * w for w in rule) + "\n")
    out.write("".join(line(row) + "\n" for row in zip(*cells)))


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * (width - cell_len(text))
    return space + text if right else text + space


def _wrap(text: str, width: int) -> list[str]:
    """A header over lines of at most `width` columns: a bracketed part on a line of its own
    where it fits, never a line that starts with closing punctuation."""
    if cell_len(text) <= width:
        return [text]
    head, bracket, rest = text.partition("（")
    if bracket and head and cell_len(bracket + rest) <= width:
        return _wrap(head, width) + [bracket + rest]
    lines, current = [], ""
    for ch in text:
        if current and cell_len(current + ch) > width and ch not in CLOSING:
            lines.append(current)
            current = ""
        current += ch
    return lines + [current]


def what_if(settings, changes, console: Console) -> None:
    """What was set, and each unit whose total or rank moved."""
    assumed = "；".join(f"{s.unit}.{s.item}.{s.field} = {s.raw}" for s in settings)
    table = Table(title=f"假设：{assumed}", box=box.SIMPLE_HEAD)
    table.add_column("单位", overflow="fold")
    table.add_column("原总分", justify="right")
    table.add_column("新总分", justify="right")
    table.add_column("变化", justify="right", style="bold")
    table.add_column("名次", justify="right")
    for c in changes:
        sign = "+" if c.difference > 0 else ""
        table.add_row(c.unit, plain(c.before), plain(c.after), f"{sign}{plain(c.difference)}",
                      f"{c.rank_before} → {c.rank_after}")
    if not changes:
        table.add_row("（无单位的总分或名次变化）", "", "", "", "")
    console.print(table)
