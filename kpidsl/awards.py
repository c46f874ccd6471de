"""What the money stage (kpidsl.engine.money) gives the renderers: each unit's payments, every
元 explained, and each award's totals."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from . import ast
from .numbers import round_to


@dataclass(frozen=True)
class MoneyLine:
    """One step of an award: the rule, the inputs, the arithmetic, the 元 it adds (or takes)."""
    kind: str
    text: str
    inputs: tuple[tuple[str, str], ...]
    arithmetic: str
    amount: Decimal  # signed: what this step adds to the unit's award
    line: int


@dataclass(frozen=True)
class Payment:
    award: str
    title: str | None
    amount: Decimal
    lines: tuple[MoneyLine, ...]
    source: str | None
    interpretation: str | None
    line: int


@dataclass(frozen=True)
class AwardTotal:
    award: str
    paid: Decimal
    kept_back: Decimal  # deducted, vetoed or not shared out
    line: int


@dataclass(frozen=True)
class DepartmentPayment:
    name: str
    amount: Decimal | None  # None: the policy states no sum
    source: str | None
    line: int


@dataclass(frozen=True)
class Awards:
    payments: dict[str, tuple[Payment, ...]]  # unit -> its payments, in the scheme's order
    totals: tuple[AwardTotal, ...]
    departments: tuple[DepartmentPayment, ...]

    def unit_total(self, unit: str) -> Decimal:
        return sum((p.amount for p in self.payments.get(unit, ())), Decimal(0))

    @property
    def city_total(self) -> Decimal:
        """Everything paid: to units, and to departments where a sum is stated."""
        return sum((t.paid for t in self.totals), Decimal(0)) + \
            sum((d.amount for d in self.departments if d.amount is not None), Decimal(0))


def to_money(x: Fraction) -> Decimal:
    return round_to(x, ast.Rounding(2, "half_up"))
