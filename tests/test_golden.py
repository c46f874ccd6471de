"""Golden tests: the bundled scheme and data -> checked-in explanation text and JSON.

Regenerate after an intended change with `KPI_UPDATE_GOLDEN=1 pytest tests/test_golden.py`,
then read the diff: it is the change users will see.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from rich.console import Console

from kpidsl.render import explain, json as json_render, money

GOLDEN = Path(__file__).parent / "golden"
UNITS = ["丁堰镇", "下原镇", "磨头镇"]


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("KPI_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with KPI_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


def find(results, name):
    return next(u for u in results.units if u.unit == name)


@pytest.mark.parametrize("unit", UNITS)
def test_explanation_text(bundled, unit):
    _, results, awards = bundled["rugao-2021.kpi"]
    out = io.StringIO()
    console = Console(file=out, width=110, color_system=None, force_terminal=False)
    explain.render(find(results, unit), results.scheme, results.path, console,
                   total_rule=results.rule_for(find(results, unit).group))
    money.explain(find(results, unit), awards, results.path, console)
    check_golden(f"rugao-2021.{unit}.txt", out.getvalue())


@pytest.mark.parametrize("scheme,unit", [("rugao-2018", "丁堰镇"), ("changzhou-platform", "天宁乙街道（示例）"),
                                         ("self-evaluation-2020", "市社会保险基金管理中心")])
def test_explanation_text_of_the_other_schemes(bundled, scheme, unit):
    _, results, awards = bundled[f"{scheme}.kpi"]
    out = io.StringIO()
    console = Console(file=out, width=110, color_system=None, force_terminal=False)
    explain.render(find(results, unit), results.scheme, results.path, console,
                   total_rule=results.rule_for(find(results, unit).group))
    if awards is not None:
        money.explain(find(results, unit), awards, results.path, console)
    check_golden(f"{scheme}.{unit}.txt", out.getvalue())


@pytest.mark.parametrize("scheme,unit", [("rugao-2018", "丁堰镇"), ("changzhou-platform", "天宁乙街道（示例）"),
                                         ("self-evaluation-2020", "市社会保险基金管理中心")])
def test_explanation_json_of_the_other_schemes(bundled, scheme, unit):
    _, results, awards = bundled[f"{scheme}.kpi"]
    check_golden(f"{scheme}.{unit}.json", json_render.render(results, [find(results, unit)], awards))


@pytest.mark.parametrize("unit", UNITS)
def test_explanation_json(bundled, unit):
    _, results, awards = bundled["rugao-2021.kpi"]
    check_golden(f"rugao-2021.{unit}.json", json_render.render(results, [find(results, unit)], awards))
