"""Money renderers: the awards table, each unit's money explained, and their JSON."""
from __future__ import annotations

import json
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..awards import Awards
from ..numbers import plain
from ..result import Results, UnitResult


def _money(amount) -> str:
    return f"{plain(amount)}元"


def table(results: Results, awards: Awards, console: Console) -> None:
    """Each unit's money with the awards it gets; each award's total; departments; the city."""
    units = Table(title=f"{results.scheme} 奖励与补助", box=box.SIMPLE_HEAD)
    units.add_column("名次", justify="right")
    units.add_column("单位", overflow="fold", min_width=8)
    units.add_column("合计（元）", justify="right", style="bold")
    units.add_column("其中", overflow="fold")
    for unit in results.units:
        got = "；".join(f"{p.award} {plain(p.amount)}" for p in awards.payments[unit.unit] if p.amount)
        units.add_row(str(unit.rank), unit.unit, plain(awards.unit_total(unit.unit)), got or "—")
    console.print(units)
    per_award = Table(title="各项奖励", box=box.SIMPLE_HEAD)
    per_award.add_column("奖励", overflow="fold")
    per_award.add_column("发放（元）", justify="right")
    per_award.add_column("扣减或留存（元）", justify="right")
    for total in awards.totals:
        per_award.add_row(total.award, plain(total.paid), plain(total.kept_back))
    console.print(per_award)
    if awards.departments:
        departments = Table(title="部门奖励", box=box.SIMPLE_HEAD)
        departments.add_column("部门 / 事项", overflow="fold")
        departments.add_column("金额", justify="right")
        for d in awards.departments:
            departments.add_row(d.name, _money(d.amount) if d.amount is not None else "原文未定金额")
        console.print(departments)
    console.print(Text(f"全市合计 {_money(awards.city_total)}（各单位 + 已定金额的部门奖励）", style="bold"))


def explain(unit: UnitResult, awards: Awards, scheme_path: str, console: Console) -> None:
    scheme_file = Path(scheme_path).name
    console.print()
    console.print(Text(f"奖励与补助  合计 {_money(awards.unit_total(unit.unit))}", style="bold underline"))
    for payment in awards.payments[unit.unit]:
        console.print(Text(f"{payment.award}  {_money(payment.amount)}", style="bold"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        if payment.source:
            grid.add_row(Text("  原文"), Text(payment.source))
        if payment.interpretation:
            grid.add_row(Text("  口径"), Text(payment.interpretation))
        for line in payment.lines:
            grid.add_row(Text("  规则"), Text(f"{line.text}  [{scheme_file}:{line.line}]"))
            if line.inputs:
                grid.add_row(Text("  数据"), Text(" · ".join(f"{k} {v}" for k, v in line.inputs)))
            grid.add_row(Text("  计算"), Text(line.arithmetic))
        console.print(grid)


def payments_list(awards: Awards, unit: str, scheme_file: str) -> list[dict]:
    """A unit's awards: each with its rule (the award's name), amount and reasons."""
    return [{"rule": p.award, "amount": plain(p.amount), "line": f"{scheme_file}:{p.line}",
             "reasons": [{"kind": l.kind, "text": l.text, "inputs": dict(l.inputs),
                          "arithmetic": l.arithmetic, "amount": plain(l.amount),
                          "line": f"{scheme_file}:{l.line}"} for l in p.lines]}
            for p in awards.payments.get(unit, ())]


def to_json(results: Results, awards: Awards) -> str:
    scheme_file = Path(results.path).name
    document = {
        "scheme": results.scheme,
        "units": [{"unit": u.unit, "group": u.group, "rank": u.rank,
                   "awards_total": plain(awards.unit_total(u.unit)),
                   "awards": payments_list(awards, u.unit, scheme_file)} for u in results.units],
        "awards": [{"award": t.award, "paid": plain(t.paid), "kept_back": plain(t.kept_back)} for t in awards.totals],
        "departments": [{"name": d.name, "amount": plain(d.amount) if d.amount is not None else None}
                        for d in awards.departments],
        "city_total": plain(awards.city_total),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
