"""JSON renderer: the machine-readable contract. Decimals are strings ("17.64")."""
from __future__ import annotations

import json
from pathlib import Path

from ..numbers import plain
from ..result import ItemResult, Line, Results, SectionResult, UnitResult


def _line(line: Line, scheme_file: str) -> dict:
    return {"kind": line.kind, "text": line.text, "inputs": dict(line.inputs),
            "arithmetic": line.arithmetic, "points": plain(line.lost),
            "line": f"{scheme_file}:{line.line}"}


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
    if awards is not None:
        from .money import payments_list

        for entry, unit in zip(document["units"], chosen):
            entry["awards_total"] = plain(awards.unit_total(unit.unit))
            entry["awards"] = payments_list(awards, unit.unit, scheme_file)
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
