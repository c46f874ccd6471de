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
