"""JSON renderer: the machine-readable contract. Decimals are strings ("17.64")."""
from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import TextIO

from ..engine import num
from ..numbers import plain
from ..result import ItemResult, Line, Results, SectionResult, UnitResult


def _line(line: Line, scheme_file: str) -> dict:
    return {"kind": line.kind, "text": line.text, "inputs": dict(line.inputs),
            "arithmetic": line.arithmetic, "points": plain(line.lost),
            "line": f"{scheme_file}:{line.line}", **({"source": line.source} if line.source else {})}


def _item(item: ItemResult, scheme_file: str) -> dict:
    return {"path": list(item.path), "max": plain(item.max), "score": plain(item.score),
            "lost": plain(item.lost), "weight": plain(item.weight), "bonus": item.bonus,
            **({"kind": item.kind} if item.kind else {}),
            "reasons": [_line(l, scheme_file) for l in item.lines]}


def _section(section: SectionResult, scheme_file: str) -> dict:
    return {"path": list(section.path), "max": plain(section.max), "score": plain(section.score),
            "lost": plain(section.lost), "weight": plain(section.weight), "bonus": section.bonus,
            "adjustments": [_line(l, scheme_file) for l in section.lines]}


def unit_dict(unit: UnitResult, scheme_file: str) -> dict:
    return {
        "unit": unit.unit, "group": unit.group, "total": plain(unit.total),
        "rank": unit.rank, "group_rank": unit.group_rank,
        "full": plain(unit.full), "bonus": plain(unit.bonus),
        "total_unrounded": plain(unit.total_exact),
        "items": [_item(i, scheme_file) for i in unit.items()],
        "sections": [_section(s, scheme_file) for top in unit.sections for s in top.sections()],
        "total_adjustments": [_line(l, scheme_file) for l in unit.total_lines],
        "ledger": [{"label": e.label, "points": plain(e.points), "detail": e.detail} for e in unit.ledger()],
        "requirements": [text for text, _ in unit.requirements],
    }


def render(results: Results, units: list[UnitResult] | None = None, awards=None) -> str:
    """The units (all, or those given) and, where the scheme pays awards, each unit's money."""
    scheme_file = Path(results.path).name
    chosen = results.units if units is None else units
    document = {"scheme": results.scheme, "units": [unit_dict(u, scheme_file) for u in chosen]}
    if results.total_rules:
        document["total_rules"] = [{"text": rule.text, "line": f"{scheme_file}:{rule.line}",
                                    **({"groups": list(rule.groups)} if rule.groups else {}),
                                    **({"source": rule.source} if rule.source else {}),
                                    **({"interpretation": rule.interpretation} if rule.interpretation else {})}
                                   for rule in results.total_rules]
    if awards is not None:
        from .money import payments_list

        for entry, unit in zip(document["units"], chosen):
            entry["awards_total"] = plain(awards.unit_total(unit.unit))
            entry["awards"] = payments_list(awards, unit.unit, scheme_file)
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


CHUNK = 10_000  # units written from one batch of formatted numbers


def write_scores(scores, scheme, index, out: TextIO) -> None:
    """`kpi score --format json`: every unit's total, ranks and scores (each item's and
    section's), and its money by award, without explanations (`kpi explain --format json`
    gives those). Written a unit a line, so that 100,000 units take no more memory than one."""
    from ..ast import Item
    from .money import award_heads, listed
    from .scores_csv import awards_total, fewest_places, ranking_order, texts

    order = ranking_order(scores)
    dumps = partial(json.dumps, ensure_ascii=False)

    def columns(names: list[str]) -> list[tuple[str, tuple, tuple]]:
        """Each node's constant part, its scores and its points lost (at fixed places)."""
        found = []
        for name in names:
            info = index.nodes[name]
            integers, places = scores.nodes[name]
            points = info.node.points.value
            wider = max(places, -points.as_tuple().exponent)  # 0.25分 beside scores of 0 and 1
            integers, places = num.narrow(num.times(integers, 10 ** (wider - places))), wider  # never wraps
            full = int(points.scaleb(places))
            head = (f'{{"path": {dumps(list(info.path))}, "max": "{plain(points)}", '
                    f'"weight": "{plain(info.weight)}", "bonus": {dumps(info.bonus)}, ')
            found.append((head, fewest_places((integers, places)), fewest_places((full - integers, places))))
        return found

    items = columns([n for n, info in index.nodes.items() if isinstance(info.node, Item)])
    sections = columns([n for n, info in index.nodes.items() if not isinstance(info.node, Item)])
    total = fewest_places(scores.total)
    money = [fewest_places(value) for value in scores.amounts.values()]
    heads = award_heads(scores.amounts)
    unit_money = fewest_places(awards_total(scores)) if money else None
    out.write(f'{{"scheme": {dumps(scheme.title)}, "units": [\n')
    for start in range(0, len(order), CHUNK):  # text for a chunk of units at a time: memory stays flat
        chunk = order[start:start + CHUNK]

        def text(value) -> list[str]:
            return texts(value, chunk, fewest=False)
        node_texts = {key: [(head, text(score), text(lost)) for head, score, lost in nodes]
                      for key, nodes in (("items", items), ("sections", sections))}
        totals, amounts = text(total), [text(value) for value in money]
        unit_amounts = text(unit_money) if money else None
        for k, i in enumerate(chunk.tolist()):
            parts = [f'{{"unit": {dumps(scores.units[i])}, "group": {dumps(scores.groups[i])}, '
                     f'"total": "{totals[k]}", "rank": {scores.rank[i]}, "group_rank": {scores.group_rank[i]}']
            for key, nodes in node_texts.items():
                entries = ", ".join(f'{head}"score": "{score[k]}", "lost": "{lost[k]}"}}' for head, score, lost in nodes)
                parts.append(f'"{key}": [{entries}]')
            if money:
                parts.append(f'"awards_total": "{unit_amounts[k]}", "awards": [{listed(heads, amounts, k)}]')
            out.write(("," if start + k else "") + ", ".join(parts) + "}\n")
    out.write("]}\n")
