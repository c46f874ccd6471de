"""The ranking table: every unit's rank, group, section scores and total, from the score table
(no explanation is written). Plain aligned text, so that 100,000 rows print in a moment:
CJK characters count two columns, numbers are never broken, long headers wrap."""
from __future__ import annotations

import re

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from ..numbers import plain
from .scores_csv import ScoreTable, ranking_order, texts

HEADER_WIDTH = 8  # a header wider than its column's values wraps at about this many columns
MIN_TEXT = 8  # a text column is never narrowed below this many columns
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
    aligned(console, scheme.title, columns, cells)


def aligned(console: Console, title: str, columns: list[tuple[str, bool]], cells: list[list[str]]) -> None:
    """Columns of text (each a header and whether it is right-aligned) under a title. On a
    terminal narrower than the table, the widest text column wraps within itself (after a
    `；` where it can, never inside a number); to a file or a pipe, a row is one line."""
    out = console.file
    widths = [max([cell_len(c) for c in column] + [min(cell_len(h), HEADER_WIDTH), 2])
              for (h, _), column in zip(columns, cells)]
    right = [r for _, r in columns]
    room = console.width - 2 * (len(widths) - 1) if console.is_terminal else None
    wrapping = None
    if room is not None and sum(widths) > room and not all(right):
        wrapping = max((k for k, r in enumerate(right) if not r), key=lambda k: widths[k])
        widths[wrapping] = max(MIN_TEXT, room - (sum(widths) - widths[wrapping]))
    heads = [_head(h, w) for (h, _), w in zip(columns, widths)]
    depth = max(len(h) for h in heads)

    def line(row) -> str:
        return "  ".join(_pad(c, w, r) for c, w, r in zip(row, widths, right)).rstrip() + "\n"

    out.write(title + "\n\n")
    for k in range(depth):  # headers sit on the rule below them
        out.write(line([h[k - depth + len(h)] if k - depth + len(h) >= 0 else "" for h in heads]))
    rule = widths[:-1] + [min(widths[-1], max(cell_len(heads[-1][-1]), HEADER_WIDTH))]  # a long last column
    out.write("  ".join("─" * w for w in rule) + "\n")
    if wrapping is None:
        out.write("".join(map(line, zip(*cells))))
        return
    limit = widths[wrapping]
    for row in zip(*cells):
        if cell_len(row[wrapping]) <= limit:
            out.write(line(row))
            continue
        parts = _wrap(row[wrapping], limit)
        out.write(line(row[:wrapping] + (parts[0],) + row[wrapping + 1:]))
        out.write("".join(line([""] * wrapping + [part]) for part in parts[1:]))


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * (width - cell_len(text))
    return space + text if right else text + space


def _head(text: str, width: int) -> list[str]:
    """A header over lines of about equal length (社会保/险工作, not 社会保险工/作), a bracketed
    part on a line of its own where it fits."""
    if cell_len(text) <= width:
        return [text]
    head, bracket, rest = text.partition("（")
    if bracket and head and cell_len(bracket + rest) <= width:
        return _head(head, width) + [bracket + rest]
    return _wrap(text, width, -(-cell_len(text) // -(-cell_len(text) // width)))


_TOKENS = re.compile(r"[\d.,%×/+\-]+|.", re.S)  # a number, a percentage, an amount: never split


def _wrap(text: str, width: int, share: int | None = None) -> list[str]:
    """Text over lines of at most `width` columns (about `share`, if given), breaking after the
    last `；` where a line must break, never inside a number, never before closing punctuation
    (the word before it goes down with it)."""
    share = share or width
    lines: list[list[str]] = []
    current: list[str] = []
    used = 0
    for token in _TOKENS.findall(text):
        size = cell_len(token)
        if current and (used >= share or used + size > width):
            cut = max((k + 1 for k, t in enumerate(current) if t == "；"), default=0) if share == width else 0
            if not 0 < cut < len(current):
                cut = len(current) - 1 if token[0] in CLOSING and len(current) > 1 else len(current)
            lines.append(current[:cut])
            current = current[cut:]
            while current and current[0].isspace():
                current.pop(0)
            used = sum(map(cell_len, current))
        if current or not token.isspace():
            current.append(token)
            used += size
    return ["".join(line).rstrip() for line in lines + [current]]


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
