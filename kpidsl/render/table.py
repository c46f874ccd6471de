"""The ranking table: every unit's rank, group, section scores and total, from the score table
(no explanation is written). Plain aligned text, so that 100,000 rows print in a moment:
CJK characters count two columns, lines break as render.wrap breaks them, long headers wrap."""
from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console

from ..numbers import plain
from .scores_csv import ScoreTable, ranking_order, texts
from .wrap import NAMES_WHOLE, narrow, wrap

HEADER_WIDTH = 8  # a header wider than its column's values wraps at about this many columns


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
    cells += [table.node_texts(s.name, order) for s in scheme.sections]
    cells.append(texts(table.total, order))
    aligned(console, scheme.title, columns, cells, names=1)


def aligned(console: Console, title: str, columns: list[tuple[str, bool]], cells: list[list[str]],
            names: int | None = None) -> None:
    """Columns of text (each a header and whether it is right-aligned) under a title. On a
    terminal narrower than the table, the widest text columns give up the width and wrap
    within themselves (after a `；` where they can); the column of unit names (`names`) only
    where the terminal is narrower than NAMES_WHOLE or no other text column can; to a file or a
    pipe, a row is one line."""
    out = console.file
    widths = [max([cell_len(c) for c in column] + [min(cell_len(h), HEADER_WIDTH), 2])
              for (h, _), column in zip(columns, cells)]
    right = [r for _, r in columns]
    narrowed = []
    excess = sum(widths) + 2 * (len(widths) - 1) - console.width
    if console.is_terminal and excess > 0:
        narrowed = [k for k, r in enumerate(right) if not r]
        if console.width >= NAMES_WHOLE and names in narrowed and len(narrowed) > 1:
            narrowed.remove(names)
        narrow(widths, narrowed, excess)
    heads = [_head(h, w) for (h, _), w in zip(columns, widths)]
    depth = max(len(h) for h in heads)

    def line(row) -> str:
        return "  ".join(_pad(c, w, r) for c, w, r in zip(row, widths, right)).rstrip() + "\n"

    out.write("\n".join(wrap(title, console.width) if console.is_terminal else [title]) + "\n\n")
    for k in range(depth):  # headers sit on the rule below them
        out.write(line([h[k - depth + len(h)] if k - depth + len(h) >= 0 else "" for h in heads]))
    rule = widths[:-1] + [min(widths[-1], max(cell_len(heads[-1][-1]), HEADER_WIDTH))]  # a long last column
    out.write("  ".join("─" * w for w in rule) + "\n")
    if not narrowed:
        out.write("".join(map(line, zip(*cells))))
        return
    for row in zip(*cells):
        if all(cell_len(row[k]) <= widths[k] for k in narrowed):
            out.write(line(row))
            continue
        parts = [wrap(cell, widths[k], at="；") if k in narrowed else [cell] for k, cell in enumerate(row)]
        out.write("".join(line([part[j] if j < len(part) else "" for part in parts])
                          for j in range(max(map(len, parts)))))


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
    return wrap(text, width, even=True)


def what_if(settings, changes, console: Console) -> None:
    """What was set, and each unit whose total or rank moved."""
    assumed = "；".join(f"{s.unit}.{s.item}.{s.field} = {s.raw}" for s in settings)
    rows = [[c.unit, plain(c.before), plain(c.after), f"{'+' if c.difference > 0 else ''}{plain(c.difference)}",
             f"{c.rank_before} → {c.rank_after}"] for c in changes] or [["（无单位的总分或名次变化）", "", "", "", ""]]
    console.file.write("\n")
    aligned(console, f"假设：{assumed}", [("单位", False), ("原总分", True), ("新总分", True), ("变化", True),
                                        ("名次", True)], [list(column) for column in zip(*rows)], names=0)
