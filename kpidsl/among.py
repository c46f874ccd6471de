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

import numpy as np

from . import ast
from .awards import Awards, _MoneyEvaluator, pay_units
from .data import Unit
from .evaluator import Evaluator, _Pool
from .result import Results
from .vector import Num, VectorScorer, ranks, runs


def _fraction(value: Num, i: int) -> Fraction:
    return Fraction(int(value.n[i]), int(value.d[i]))


def _pool_of(vector: VectorScorer, members: np.ndarray, within_group: bool, unit: Unit) -> np.ndarray:
    """The units ranked with `unit`: `members` (a mask), within its group if the rule says so."""
    if within_group:
        members = members & (vector.group == vector.group_names.index(unit.group))
    return np.flatnonzero(members)


class _OneUnit(Evaluator):
    """The exact evaluator, asking the fast path about every unit but the one explained."""

    def __init__(self, scheme, data, index, explained: Unit, vector: VectorScorer, at: dict[str, int]):
        super().__init__(scheme, data, index)
        self.explained, self.vector, self.at = explained, vector, at

    def _pool(self, node: str, rule: ast.Rank, unit: Unit) -> _Pool:
        """The pool as the exact evaluator would rank it, from the fast path's keys: the
        explained unit's entry (its own inputs), its rank, the count and the head of the
        standings; no entry for each of the others."""
        pool_key = (node, unit.group if rule.within_group else "")
        if pool_key not in self._pools:
            key, _, ranked = self.vector.rank_pools[node]
            ordered, before, _ = runs(key, _pool_of(self.vector, ranked, rule.within_group, unit), rule.descending)
            position = ranks(before, rule.ties == "dense")
            entry = super()._pool_entry(node, rule, unit)
            positions = {unit.name: int(position[np.flatnonzero(ordered == self.at[unit.name])[0]])} \
                if entry[1] else {}
            last = int(position[min(_Pool.SHOWN, len(position)) - 1]) if len(position) else 0
            head = sorted(((self.data.units[i].name, _fraction(key, i), int(p))
                           for i, p in zip(ordered[position <= last].tolist(), position[position <= last].tolist())),
                          key=lambda e: (e[2], e[0]))
            self._pools[pool_key] = _Pool({unit.name: entry}, positions, len(ordered), head,
                                          self._key_shown(rule, node))
        return self._pools[pool_key]

    def _volume_total(self, node: str, rule: ast.Share) -> Fraction:
        return self.vector.share_totals[node]


class _OneUnitMoney(_MoneyEvaluator):
    def __init__(self, scheme, data, index, results: Results, explained: Unit, vector: VectorScorer,
                 at: dict[str, int]):
        super().__init__(scheme, data, index, results)
        self.explained, self.vector, self.at = explained, vector, at
        self.eligible = {award: flags.tolist() for award, flags in vector.award_eligible.items()}

    def eligibility(self, award: ast.Award, unit: Unit) -> tuple[bool, tuple]:
        if unit is self.explained:
            return super().eligibility(award, unit)
        return self.eligible[award.name][self.at[unit.name]], ()

    def standings(self, award: ast.Award, eligible: dict, paying: list[Unit]) -> dict[str, tuple]:
        """The explained unit's place among the eligible, from the fast path's keys."""
        unit, rule = self.explained, award.rank
        if not eligible[unit.name][0]:
            return {}
        key, inputs = super().key(award, rule.key, unit)
        pool = _pool_of(self.vector, self.vector.award_eligible[award.name], rule.within_group, unit)
        ordered, before, tied = runs(self.vector.award_keys[(award.name, rule.key)], pool, rule.descending)
        j = np.flatnonzero(ordered == self.at[unit.name])[0]
        return {unit.name: (key, inputs, int(before[j]), int(tied[j]))}

    def key(self, award: ast.Award, expr: ast.Expr, unit: Unit) -> tuple[Fraction, tuple]:
        if unit is self.explained:
            return super().key(award, expr, unit)
        return _fraction(self.vector.award_keys[(award.name, expr)], self.at[unit.name]), ()


def explain(scheme_path: Path, query: str, files) -> tuple[Results, Awards | None, list]:
    """The unit named `query` scored and explained; Results holding that unit alone (ranked
    among all), its Awards (None if the scheme has none), the scheme's warnings. Raises
    Unsupported where the fast path cannot go (the caller takes the exact path)."""
    from .pipeline import load_columns

    loaded = load_columns(scheme_path, files, cells_of=query)
    scheme, index, data, unit = loaded.scheme, loaded.index, loaded.data, loaded.unit
    vector = VectorScorer(scheme, index, data, loaded.columns, loaded.records)
    scores = vector.run()
    at = {u.name: i for i, u in enumerate(data.units)}
    i = at[unit.name]
    data.records = loaded.records.of(i, unit.name)  # the exact evaluator reads the unit's own records only
    result = replace(_OneUnit(scheme, data, index, unit, vector, at).unit(unit),
                     rank=int(scores.rank[i]), group_rank=int(scores.group_rank[i]))
    results = Results(scheme.title, scheme.path, (result,))
    awards = None
    if scheme.awards or scheme.department_awards:
        awards = pay_units(_OneUnitMoney(scheme, data, index, results, unit, vector, at), [unit])
    return results, awards, loaded.warnings
