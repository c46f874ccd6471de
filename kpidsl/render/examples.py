"""Renderer for `kpi test`: each example passed or failed, and for a failure the expected score,
the score the scheme gives and its explanation."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.text import Text

from ..numbers import plain


def report(path: Path, outcomes, console: Console) -> None:
    console.print(Text(f"{path.name}：{len(outcomes)} 个示例", style="bold"))
    for outcome in outcomes:
        mark, style = ("✓", "green") if outcome.passed else ("✗", "red")
        console.print(Text(f"  {mark} {outcome.example.name}", style=style))
        for failure in outcome.failures:
            e = failure.expected
            target = f"{e.unit}.{e.node}" if e.node else f"{e.unit} 总分"
            if failure.message:
                console.print(Text(f"      {target}：无法计分\n      {failure.message}"))
                continue
            unit = e.points.unit or "分"
            console.print(Text(f"      {target}：期望 {e.points}，实得 {plain(failure.got)}{unit}"))
            for line in failure.node.lines if failure.node else ():
                console.print(Text(f"        {line.text}：{line.arithmetic}", style="dim"))
