"""Worked examples as tests: each 示例 of a scheme is scored on its own small data set and its
expected scores are checked (kpi test)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from . import ast
from .data import Cell, Dataset, Record, Unit, parse_value
from .errors import KpiError
from .index import SCHEME_NODE, SCHEME_NODE_ALIASES, SchemeIndex
from .result import NodeResult


@dataclass(frozen=True)
class Failure:
    expected: ast.Expectation
    got: Decimal | None
    node: NodeResult | None  # what was scored, to show its explanation
    message: str  # an error, where the example could not be scored


@dataclass(frozen=True)
class Outcome:
    example: ast.Example
    failures: tuple[Failure, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def dataset(example: ast.Example) -> Dataset:
    where = f"示例「{example.name}」"
    units = [Unit(name, group, (), where) for name, group in example.units]
    values = {(v.unit, SCHEME_NODE if v.node in SCHEME_NODE_ALIASES else v.node, v.field):
              Cell(parse_value(v.text), v.text, v.note or "", where) for v in example.values}
    records: dict[tuple[str, str], list[Record]] = {}
    for unit, item, project, level in example.records:
        records.setdefault((unit, item), []).append(Record(project, level, where))
    return Dataset(units, values, records, (where,))


def run(scheme: ast.Scheme, index: SchemeIndex | None = None) -> list[Outcome]:
    index = index or SchemeIndex(scheme)
    outcomes = []
    for example in scheme.examples:
        data = dataset(example)
        evaluation = _evaluation(scheme, index, data)
        failures = []
        for expected in example.expectations:
            try:
                unit = next(u for u in data.units if u.name == expected.unit)
            except StopIteration:
                failures.append(Failure(expected, None, None, f"示例中没有单位 {expected.unit}"))
                continue
            try:
                got, node = _score(evaluation, index, data.units.index(unit), expected.node)
            except KpiError as e:
                failures.append(Failure(expected, None, None, e.render()))
                continue
            if got != expected.points.value:
                failures.append(Failure(expected, got, node, ""))
        outcomes.append(Outcome(example, tuple(failures)))
    return outcomes


def _evaluation(scheme: ast.Scheme, index: SchemeIndex, data: Dataset):
    from .cells import from_dataset
    from .engine import Evaluation

    return Evaluation(scheme, index, data, *from_dataset(data))


def _score(evaluation, index: SchemeIndex, unit: int, node_name: str | None):
    """What the example checks: the total, an award's amount, or one item's or section's
    score, refused only where what is checked cannot be scored (an example gives the figures
    of the part it checks)."""
    engine, scoring = evaluation.engine, evaluation.scoring
    if node_name is None:
        engine.raise_errors(np.where(np.arange(engine.size) == unit, scoring.total.err, 0))
        return scoring.unit(unit).total, None
    if node_name in index.awards:
        from .engine.money import Money

        money = Money(engine, only={node_name})
        money.check(np.array([unit]))
        payment = next(p for p in money.awards_of([unit]).payments[engine.data.units[unit].name]
                       if p.award == node_name)
        return payment.amount, payment
    trace = scoring.trace(node_name)
    engine.raise_errors(np.where(np.arange(engine.size) == unit, trace.score.err, 0))
    result = scoring.node_result(trace, unit)
    return result.score, result
