"""Worked examples as tests: each 示例 of a scheme is scored on its own small data set and its
expected scores are checked (kpi test)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import ast
from .data import Cell, Dataset, Record, Unit, parse_value
from .errors import KpiError
from .evaluator import Evaluator
from .index import SchemeIndex
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
    values = {(v.unit, v.node, v.field): Cell(parse_value(v.text), v.text, v.note or "", where)
              for v in example.values}
    records: dict[tuple[str, str], list[Record]] = {}
    for unit, item, project, level in example.records:
        records.setdefault((unit, item), []).append(Record(project, level, where))
    return Dataset(units, values, records, (where,))


def run(scheme: ast.Scheme, index: SchemeIndex | None = None) -> list[Outcome]:
    index = index or SchemeIndex(scheme)
    outcomes = []
    for example in scheme.examples:
        data = dataset(example)
        evaluator = Evaluator(scheme, data, index)
        failures = []
        for expected in example.expectations:
            try:
                unit = next(u for u in data.units if u.name == expected.unit)
            except StopIteration:
                failures.append(Failure(expected, None, None, f"示例中没有单位 {expected.unit}"))
                continue
            try:
                got, node = _score(evaluator, index, unit, expected.node)
            except KpiError as e:
                failures.append(Failure(expected, None, None, e.render()))
                continue
            if got != expected.points.value:
                failures.append(Failure(expected, got, node, ""))
        outcomes.append(Outcome(example, tuple(failures)))
    return outcomes


def _score(evaluator: Evaluator, index: SchemeIndex, unit: Unit, node_name: str | None):
    if node_name is None:
        return evaluator.unit(unit).total, None
    if node_name in index.awards:  # an amount: the award alone, on what the example gives
        from .awards import pay

        awards = pay(index.scheme, evaluator.data, index, None, only={node_name})
        payment = next(p for p in awards.payments[unit.name] if p.award == node_name)
        return payment.amount, payment
    info = index.nodes[node_name]  # the checker has made sure it exists
    if isinstance(info.node, ast.Item):
        result = evaluator._item(unit, info.node, info.weight)
    else:
        problems = []
        result = evaluator._section(unit, info.node, info.weight, problems)
        if problems:
            raise KpiError(problems)
    return result.score, result
