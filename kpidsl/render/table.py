"""Ranking table renderer (rich): every unit's total, ranks and section scores."""
from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from ..numbers import plain
from ..result import Results


def render(results: Results, console: Console) -> None:
    table = Table(title=results.scheme, box=box.SIMPLE_HEAD)
    table.add_column("名次", justify="right")
    table.add_column("单位", overflow="fold", min_width=8)
    table.add_column("分组", no_wrap=True)
    table.add_column("组内", justify="right")
    first = results.units[0] if results.units else None
    sections = [s for s in first.sections] if first else []
    for section in sections:
        label = section.path[-1] + ("（加分）" if section.bonus else
                                    "" if section.weight == 1 else f"（×{plain(section.weight * 100)}%）")
        table.add_column(label, justify="right", min_width=6, overflow="fold")
    table.add_column("总分", justify="right", style="bold")
    for unit in results.units:
        table.add_row(str(unit.rank), unit.unit, unit.group, str(unit.group_rank),
                      *(plain(s.score) for s in unit.sections), plain(unit.total))
    console.print(table)


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
