"""一票否决 on an item, a section or an award: its value to 0 where the condition holds, asked
only where there is something to take."""
from __future__ import annotations

import numpy as np

from ... import ast
from .. import num
from ..core import Reads
from ..num import Col


def evaluate(engine, at, veto: ast.Veto, value: Col) -> tuple[Col, np.ndarray, Reads]:
    """The value after the veto, the units it struck, and what it read."""
    live = value.n != 0
    reads = Reads()
    holds = engine.truth(at, veto.condition, reads, live)
    hit = live & holds.n.astype(bool)
    after = num.where(hit, engine.const(0), value)
    after.err = num.first_error(value.err, np.where(live, holds.err, 0))
    return after, hit, reads
