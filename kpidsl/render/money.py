"""Money renderers: the awards table, each unit's money explained, and their JSON."""
from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.text import Text

from ..awards import Awards
from ..numbers import plain
from ..result import UnitResult
from .explain import Details, print_lines


def _money(amount) -> str:
    return f"{plain(amount)}元"


def table(scores, scheme, totals, departments, console: Console) -> None:
    """Each unit's money with the awards it gets; each award's total; departments; the city.
    `scores`: the score table (render.scores_csv.ScoreTable)."""
    from .scores_csv import awards_total, ranking_order, texts
    from .table import aligned

    out = console.file
    order = ranking_order(scores)
    amounts = {name: texts(value, order) for name, value in scores.amounts.items()}
    nonzero = {name: (value[0][order] != 0).tolist() for name, value in scores.amounts.items()}
    got = ["；".join(f"{name} {amounts[name][k]}" for name in amounts if nonzero[name][k]) or "—"
           for k in range(len(order))]
    aligned(console, f"{scheme.title} 奖励与补助",
            [("名次", True), ("单位", False), ("合计（元）", True), ("其中", False)],
            [[str(r) for r in scores.rank[order].tolist()], [scores.units[i] for i in order],
             texts(awards_total(scores), order), got], names=1)
    out.write("\n")
    aligned(console, "各项奖励", [("奖励", False), ("发放（元）", True), ("扣减或留存（元）", True)],
            [[t.award for t in totals], [plain(t.paid) for t in totals], [plain(t.kept_back) for t in totals]])
    if departments:
        out.write("\n")
        aligned(console, "部门奖励", [("部门 / 事项", False), ("金额", True)],
                [[d.name for d in departments],
                 [_money(d.amount) if d.amount is not None else "原文未定金额" for d in departments]])
    out.write(f"\n全市合计 {_money(Awards({}, totals, departments).city_total)}（各单位 + 已定金额的部门奖励）\n")


def explain(unit: UnitResult, awards: Awards, scheme_path: str, console: Console, public: bool = False) -> None:
    """A unit's money, each award with its 原文 and, in the auditor's voice, every step."""
    scheme_file = Path(scheme_path).name
    parts = [Text(""), Text(f"奖励与补助  合计 {_money(awards.unit_total(unit.unit))}", style="bold underline")]
    for payment in awards.payments[unit.unit]:
        parts.append(Text(f"{payment.award}  {_money(payment.amount)}", style="bold"))
        details = Details(scheme_file, public)
        details.add_texts(payment)
        for line in () if public else payment.lines:  # the steps of money have no plain sentences yet
            details.add("规则", f"{line.text}  [{scheme_file}:{line.line}]")
            if line.inputs:
                details.add("数据", " · ".join(f"{k} {v}" for k, v in line.inputs))
            details.add("计算", line.arithmetic)
        parts.append(details.lines(console))
    print_lines(console, parts)


def payments_list(awards: Awards, unit: str, scheme_file: str) -> list[dict]:
    """A unit's awards: each with its rule (the award's name), amount and reasons."""
    return [{"rule": p.award, "amount": plain(p.amount), "line": f"{scheme_file}:{p.line}",
             "reasons": [{"kind": l.kind, "text": l.text, "inputs": dict(l.inputs),
                          "arithmetic": l.arithmetic, "amount": plain(l.amount),
                          "line": f"{scheme_file}:{l.line}"} for l in p.lines]}
            for p in awards.payments.get(unit, ())]


def award_heads(names) -> list[str]:
    """The constant start of each award's entry in a unit's JSON (see `listed`)."""
    return [f'{{"rule": {json.dumps(name, ensure_ascii=False)}, "amount": "' for name in names]


def listed(heads: list[str], columns: list[list[str]], k: int) -> str:
    """The k-th unit's awards as JSON entries: each award's amount, as text, from its column."""
    return ", ".join(f'{head}{column[k]}"}}' for head, column in zip(heads, columns))


def write_json(scores, scheme, totals, departments, out: TextIO) -> None:
    """Every unit's money by award (amounts only: `kpi explain --format json` explains them),
    each award's totals, the departments and the city, written unit by unit."""
    from .scores_csv import awards_total, ranking_order, texts

    order = ranking_order(scores)
    heads, amounts = award_heads(scores.amounts), [texts(value, order) for value in scores.amounts.values()]
    unit_totals = texts(awards_total(scores), order)
    dumps = partial(json.dumps, ensure_ascii=False)
    out.write(f'{{"scheme": {dumps(scheme.title)}, "units": [\n')
    for k, i in enumerate(order.tolist()):
        awards = listed(heads, amounts, k)
        out.write(f'{"," if k else ""}{{"unit": {dumps(scores.units[i])}, "group": {dumps(scores.groups[i])}, '
                  f'"rank": {scores.rank[i]}, "awards_total": "{unit_totals[k]}", "awards": [{awards}]}}\n')
    rest = {"awards": [{"award": t.award, "paid": plain(t.paid), "kept_back": plain(t.kept_back)} for t in totals],
            "departments": [{"name": d.name, "amount": plain(d.amount) if d.amount is not None else None}
                            for d in departments],
            "city_total": plain(Awards({}, totals, departments).city_total)}
    out.write("], " + dumps(rest)[1:] + "\n")
