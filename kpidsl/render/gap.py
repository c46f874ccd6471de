"""Gap renderers: the cheapest points first, and what no own change can help."""
from __future__ import annotations

import json

from rich.console import Console
from rich.text import Text

from ..numbers import plain, show
from ..result import UnitResult
from .explain import columns, print_lines


def table(unit: UnitResult, options, blocked, console: Console) -> None:
    rows = [tuple(Text(h, style="bold") for h in ("指标", "改变", "本项挽回", "总分挽回", "每单位挽回"))]
    rows += [(Text(o.path[-1]), Text(o.note), Text(plain(o.item_regained)), Text(plain(o.regained)),
              Text(show(o.per_unit, 4) if o.per_unit is not None else "—"))  # per person, case, … or point
             for o in options]
    parts = [Text(f"{unit.unit}：挽回失分的最小改变（总分 {plain(unit.total)}，按每单位挽回分数从高到低）",
                  style="bold"), Text(""), columns(console, rows, (False, False, True, True, True), (0, 1)), Text("")]
    parts += [Text(f"  {b.path[-1]}（失 {plain(b.lost)} 分）：{b.why}") for b in blocked]
    parts.append(Text("每项挽回分数均已按改变后的数据重新计分核实；各项单独计，不可简单相加。", style="dim"))
    print_lines(console, parts)


def to_json(unit: UnitResult, options, blocked) -> str:
    document = {
        "unit": unit.unit, "total": plain(unit.total),
        "options": [{"path": list(o.path), "node": o.node, "field": o.field, "current": o.current,
                     "needed": o.needed, "change": show(o.change) if o.change is not None else None,
                     "item_regained": plain(o.item_regained), "regained": plain(o.regained),
                     "per_unit": plain(o.per_unit) if o.per_unit is not None else None} for o in options],
        "blocked": [{"path": list(b.path), "lost": plain(b.lost), "why": b.why} for b in blocked],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
