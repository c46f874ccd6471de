"""Explanation renderer (rich): one unit's score tree, every point lost, and its ledger."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..numbers import plain
from ..result import ItemResult, Line, SectionResult, UnitResult


def _weight_note(section: SectionResult) -> str:
    if section.bonus:
        return "（加分）"
    return "" if section.weight == 1 else f"（×{plain(section.weight * 100)}%）"


def _tree(unit: UnitResult) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("板块 / 指标")
    table.add_column("满分", justify="right")
    table.add_column("得分", justify="right")
    table.add_column("失分", justify="right")

    def add(node, depth: int) -> None:
        name = "  " * depth + node.path[-1]
        lost = plain(node.lost) if node.lost else ""
        if isinstance(node, SectionResult):
            table.add_row(Text(name + _weight_note(node) if depth == 0 else name, style="bold"),
                          plain(node.max), plain(node.score), lost)
            for child in node.children:
                add(child, depth + 1)
        else:
            table.add_row(Text(name), plain(node.max), plain(node.score),
                          Text(lost, style="red") if lost else "")

    for section in unit.sections:
        add(section, 0)
    return table


class _Details:
    """Label / value rows under a heading; values fold within their column (Chinese has no
    spaces to wrap at)."""

    def __init__(self, indent: int = 2):
        self.grid = Table.grid(padding=(0, 2))
        self.grid.add_column(style="dim", no_wrap=True)
        self.grid.add_column(overflow="fold")
        self.indent = " " * indent

    def add(self, label: str, value: str) -> None:
        self.grid.add_row(Text(self.indent + label), Text(value))  # Text: no markup in data

    def add_line(self, line: Line, scheme_file: str) -> None:
        self.add("规则", f"{line.text}  [{scheme_file}:{line.line}]")
        if line.inputs:
            self.add("数据", " · ".join(f"{k} {v}" for k, v in line.inputs))
        if line.arithmetic:
            self.add("计算", line.arithmetic)
        if line.lost:
            self.add("结果", f"{'扣' if line.lost > 0 else '退回'} {plain(abs(line.lost))} 分")

    def add_texts(self, node) -> None:
        if node.source:
            self.add("原文", node.source)
        if node.interpretation:
            self.add("口径", node.interpretation)


def _losses(unit: UnitResult, scheme_file: str) -> list:
    blocks: list = []

    def weighted(points, weight) -> str:
        return "" if weight == 1 else f"，计入总分 −{plain(points * weight)}"

    def block(heading: str, node, lines) -> None:
        details = _Details()
        details.add_texts(node)
        for line in lines:
            details.add_line(line, scheme_file)
        blocks.extend([Text(heading, style="bold"), details.grid, Text("")])

    for top in (s for s in unit.sections if not s.bonus):  # a bonus is no loss of the total
        for section in top.sections():
            if section.bonus:
                continue
            for item in section.children:
                if isinstance(item, ItemResult) and item.lost and not item.bonus:
                    block(f"{'/'.join(item.path)}  −{plain(item.lost)} 分（满分 {plain(item.max)}，"
                          f"得 {plain(item.score)}{weighted(item.lost, item.weight)}）", item, item.lines)
                elif isinstance(item, ItemResult) and not item.max:  # recorded, not scored
                    block(f"{'/'.join(item.path)}（不计分，仅列完成情况）", item, item.lines)
            changed = [l for l in section.lines if l.lost]
            if changed:
                lost = sum(l.lost for l in changed)
                block(f"{'/'.join(section.path)}（板块）  −{plain(lost)} 分{weighted(lost, section.weight)}",
                      section, changed)
    for line in unit.total_lines:
        details = _Details()
        details.add_line(line, scheme_file)  # the veto's 原文 is in the scheme at that line
        blocks.extend([Text(f"总分  −{plain(line.lost)}", style="bold"), details.grid, Text("")])
    return blocks


def _ledger(unit: UnitResult) -> Table:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column()
    table.add_column(justify="right")
    table.add_column(justify="right")
    table.add_row("满分", "", plain(unit.full))
    for entry in unit.ledger():
        sign = "+" if entry.points > 0 else "−"
        table.add_row(Text(f"{sign} {entry.label}"), entry.detail, f"{sign}{plain(abs(entry.points))}")
    table.add_row(Text("= 总分", style="bold"), "", Text(plain(unit.total), style="bold"))
    return table


def render(unit: UnitResult, scheme_title: str, scheme_path: str, console: Console) -> None:
    scheme_file = Path(scheme_path).name
    console.print(Text(f"{unit.unit}（{unit.group}）  {scheme_title}", style="bold"))
    console.print(f"总分 {plain(unit.total)}    全体第 {unit.rank} 名 · {unit.group}内第 {unit.group_rank} 名")
    console.print()
    console.print(_tree(unit))
    console.print()
    losses = _losses(unit, scheme_file)
    if losses:
        console.print(Text("失分说明", style="bold underline"))
        console.print(Group(*losses))
    for section in unit.bonus_sections():
        console.print(Text(f"加分：{section.path[-1]}  +{plain(section.score)} 分（最高 {plain(section.max)}）",
                           style="bold"))
        details = _Details()
        details.add_texts(section)
        for item in section.items():
            details.add("指标", f"{item.path[-1]}：{plain(item.score)} / {plain(item.max)}")
            for line in item.lines:
                details.add_line(line, scheme_file)
        console.print(details.grid)
        console.print()
    console.print(Text("账目（失分按权重折算为总分）", style="bold underline"))
    console.print(_ledger(unit))
    if unit.requirements:
        console.print()
        console.print(Text("要求（原文未定分值，不计分）", style="bold underline"))
        for text, line in unit.requirements:
            console.print(Text(f"  · {text}  [{scheme_file}:{line}]"))
