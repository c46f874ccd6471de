"""Explanation renderer (rich): one unit's score tree, every point lost, and its ledger."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console, Group
from rich.markup import escape
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
            table.add_row(name, plain(node.max), plain(node.score),
                          Text(lost, style="red") if lost else "")

    for section in unit.sections:
        add(section, 0)
    return table


def _line_block(line: Line, scheme_file: str) -> list[Text]:
    out = [Text.assemble(("  规则  ", "dim"), line.text, (f"  [{scheme_file}:{line.line}]", "dim"))]
    if line.inputs:
        shown = " · ".join(f"{k} {v}" for k, v in line.inputs)
        out.append(Text.assemble(("  数据  ", "dim"), shown))
    if line.arithmetic:
        out.append(Text.assemble(("  计算  ", "dim"), line.arithmetic))
    if line.lost:
        sign = "扣" if line.lost > 0 else "退回"
        out.append(Text.assemble(("  结果  ", "dim"), f"{sign} {plain(abs(line.lost))} 分"))
    return out


def _losses(unit: UnitResult, scheme_file: str) -> list:
    blocks: list = []

    def weighted(points, weight) -> str:
        return "" if weight == 1 else f"，计入总分 −{plain(points * weight)}"

    def item_block(item: ItemResult) -> None:
        head = "/".join(item.path)
        blocks.append(Text(f"{head}  −{plain(item.lost)} 分（满分 {plain(item.max)}，得 {plain(item.score)}"
                           f"{weighted(item.lost, item.weight)}）", style="bold"))
        if item.source:
            blocks.append(Text.assemble(("  原文  ", "dim"), item.source))
        if item.interpretation:
            blocks.append(Text.assemble(("  口径  ", "dim"), item.interpretation))
        for line in item.lines:
            blocks.extend(_line_block(line, scheme_file))
        blocks.append(Text(""))

    for top in (s for s in unit.sections if not s.bonus):  # a bonus is no loss of the total
        for section in top.sections():
            for child in section.children:
                if isinstance(child, ItemResult) and child.lost:
                    item_block(child)
            changed = [l for l in section.lines if l.lost]
            if changed:
                blocks.append(Text(f"{'/'.join(section.path)}（板块）  −{plain(sum(l.lost for l in changed))} 分"
                                   f"{weighted(sum(l.lost for l in changed), section.weight)}", style="bold"))
                if section.source:
                    blocks.append(Text.assemble(("  原文  ", "dim"), section.source))
                for line in changed:
                    blocks.extend(_line_block(line, scheme_file))
                blocks.append(Text(""))
    for line in unit.total_lines:
        blocks.append(Text(f"总分  −{plain(line.lost)}", style="bold"))
        blocks.extend(_line_block(line, scheme_file))
    return blocks


def _ledger(unit: UnitResult) -> Table:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column()
    table.add_column(justify="right")
    table.add_column(justify="right")
    table.add_row("满分", "", plain(unit.full))
    for entry in unit.ledger():
        sign = "+" if entry.points > 0 else "−"
        table.add_row(f"{sign} {escape(entry.label)}", entry.detail, f"{sign}{plain(abs(entry.points))}")
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
    bonus = [s for s in unit.sections if s.bonus]
    for section in bonus:
        console.print(Text(f"加分：{section.path[-1]}  +{plain(section.score)} 分（最高 {plain(section.max)}）",
                           style="bold"))
        for item in section.items():
            console.print(Text(f"  {item.path[-1]}：{plain(item.score)} / {plain(item.max)}"))
            for line in item.lines:
                for text in _line_block(line, scheme_file):
                    console.print(Text("  ") + text)
        console.print()
    console.print(Text("账目（失分按权重折算为总分）", style="bold underline"))
    console.print(_ledger(unit))
    if unit.requirements:
        console.print()
        console.print(Text("要求（原文未定分值，不计分）", style="bold underline"))
        for text, line in unit.requirements:
            console.print(Text(f"  · {text}  [{scheme_file}:{line}]"))
