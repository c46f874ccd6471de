"""One unit explained among many: the exact evaluator scores and explains that unit alone; what
it must know of the others (their keys in each rank pool, whether they may be ranked or paid,
their keys in each award's ranking or sharing, the totals that rank it) comes from the
vectorised scorer, which computed the same values exactly.

The explanation is the one the exact path gives over all units, to the character
(tests/test_vector.py), at a cost that grows with the units only through the fast path:
`kpi explain` takes this way for schemes with many units (pipeline.MANY_UNITS).
"""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from . import ast
from .awards import Awards, _MoneyEvaluator, pay_units
from .checker import check
from .columns import Unsupported, read_dataset, read_value_tables, read_values
from .data import Unit
from .errors import KpiError
from .evaluator import Evaluator, Inputs
from .index import SchemeIndex
from .result import Results
from .vector import Num, VectorScorer


def _fraction(value: Num, i: int) -> Fraction:
    return Fraction(int(value.n[i]), int(value.d[i]))


class _OneUnit(Evaluator):
    """The exact evaluator, asking the fast path about every unit but the one explained."""

    def __init__(self, scheme, data, index, explained: Unit, vector: VectorScorer):
        super().__init__(scheme, data, index)
        self.explained, self.vector = explained, vector
        self.at = {u.name: i for i, u in enumerate(data.units)}

    def _pool_entry(self, node: str, rule: ast.Rank, unit: Unit):
        if unit is self.explained:
            return super()._pool_entry(node, rule, unit)
        key, has_key, ranked = self.vector.rank_pools[node]
        i = self.at[unit.name]
        return (_fraction(key, i) if has_key[i] else None), bool(ranked[i]), Inputs()

    def _volume_total(self, node: str, rule: ast.Share) -> Fraction:
        return self.vector.share_totals[node]


class _OneUnitMoney(_MoneyEvaluator):
    def __init__(self, scheme, data, index, results: Results, explained: Unit, vector: VectorScorer):
        super().__init__(scheme, data, index, results)
        self.explained, self.vector = explained, vector
        self.at = {u.name: i for i, u in enumerate(data.units)}

    def eligibility(self, award: ast.Award, unit: Unit) -> tuple[bool, tuple]:
        if unit is self.explained:
            return super().eligibility(award, unit)
        return bool(self.vector.award_eligible[award.name][self.at[unit.name]]), ()

    def key(self, award: ast.Award, expr: ast.Expr, unit: Unit) -> tuple[Fraction, tuple]:
        if unit is self.explained:
            return super().key(award, expr, unit)
        return _fraction(self.vector.award_keys[(award.name, expr)], self.at[unit.name]), ()


def explain(scheme_path: Path, query: str, files) -> tuple[Results, Awards | None, list]:
    """The unit named `query` scored and explained; Results holding that unit alone (ranked
    among all), its Awards (None if the scheme has none), the scheme's warnings. Raises
    Unsupported where the fast path cannot go (the caller takes the exact path)."""
    from .pipeline import read_scheme

    scheme, source = read_scheme(scheme_path)
    index = SchemeIndex(scheme)
    if files.wide:
        raise Unsupported("wide-layout tables (任务分解表)")
    tables = read_value_tables(files.values)
    data, records = read_dataset(files.units, files.records, index.data_names(), scheme.language)
    try:
        warnings = check(scheme, data, source, index, values=False)
    except KpiError:
        raise Unsupported("the scheme or its units have errors") from None
    unit = data.find_unit(query, scheme.language)
    columns = read_values(tables, data, index.data_names(), cells_of=unit, lang=scheme.language)
    data.value_files = tuple(display for _, display in files.values)
    vector = VectorScorer(scheme, index, data, columns, records)
    scores = vector.run()
    i = data.units.index(unit)
    data.records = records.of(i, unit.name)  # the exact evaluator reads the unit's own records only
    result = replace(_OneUnit(scheme, data, index, unit, vector).unit(unit),
                     rank=int(scores.rank[i]), group_rank=int(scores.group_rank[i]))
    results = Results(scheme.title, scheme.path, (result,))
    awards = None
    if scheme.awards or scheme.department_awards:
        awards = pay_units(_OneUnitMoney(scheme, data, index, results, unit, vector), [unit])
    return results, awards, warnings
