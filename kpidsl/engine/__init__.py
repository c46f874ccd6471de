"""The one evaluation engine: the whole scheme over all units at once, exact, with a trace from
which any unit's explanation is written (kpidsl.engine.scoring, kpidsl.engine.money); one
module per rule kind under kpidsl.engine.rules."""
from __future__ import annotations

from ..awards import Awards
from ..result import Results
from .core import Engine
from .money import Money
from .scoring import Scoring


class Evaluation:
    """A scheme evaluated over units: scores (checked), explanations and money on demand."""

    def __init__(self, scheme, index, data, columns, records):
        self.engine = Engine(scheme, index, data, columns, records)
        self.scoring = Scoring(self.engine)
        self._money: Money | None = None

    def check(self) -> Evaluation:
        """Refuse, with every problem, if any unit cannot be scored."""
        self.scoring.check()
        return self

    def results(self, explained: bool = True) -> Results:
        """Every unit's result, written as asked for; without `explained`, scores only."""
        return self.scoring.results(explained)

    @property
    def money(self) -> Money | None:
        scheme = self.engine.scheme
        if not scheme.awards and not scheme.department_awards:
            return None
        if self._money is None:
            self._money = Money(self.engine)
            self._money.check()
        return self._money

    def awards(self, units=None, explained: bool = True) -> Awards | None:
        """Every unit's payments (or the units' at these indices), None if the scheme pays none;
        without `explained`, amounts only."""
        money = self.money
        if money is None:
            return None
        return money.awards_of(list(range(self.engine.size)) if units is None else list(units), explained)


def evaluate(scheme, data, index=None) -> Evaluation:
    """The scheme over the units of a Dataset (as data.load reads it), checked."""
    from ..cells import from_dataset
    from ..index import SchemeIndex

    return Evaluation(scheme, index or SchemeIndex(scheme), data, *from_dataset(data)).check()
