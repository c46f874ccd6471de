"""`kpi score --format csv`: one row per unit — total, ranks, every section's and item's score,
every award's amount, as the engine computed them.
"""
from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..ast import Scheme
from ..index import SchemeIndex

_HEAD = {"zh": ("单位", "分组", "总分", "名次", "组内名次", "奖励合计"),
         "en": ("unit", "group", "total", "rank", "group rank", "awards total")}


@dataclass
class ScoreTable:
    units: list[str]
    groups: list[str]
    rank: np.ndarray
    group_rank: np.ndarray
    total: tuple[np.ndarray, int]  # integers and their decimal places
    nodes: dict[str, tuple[np.ndarray, int]]  # section or item -> scores
    amounts: dict[str, tuple[np.ndarray, int]]  # award -> amounts
    uncounted: dict[str, np.ndarray] | None = None  # node -> the units not totalled on it (总分 适用 …)
    dropped: dict[str, np.ndarray] | None = None  # node -> the units it does not apply to (不适用)

    def node_texts(self, name: str, order: np.ndarray) -> list[str]:
        """A node's scores as text, in this order; — for a unit not totalled on it, 不适用 where it
        does not apply."""
        out = texts(self.nodes[name], order)
        for marks, word in ((self.uncounted, "—"), (self.dropped, "不适用")):
            mask = (marks or {}).get(name)
            if mask is not None:
                out = [word if gone else text for text, gone in zip(out, mask[order].tolist())]
        return out


def columns_of(scheme: Scheme, index: SchemeIndex) -> tuple[list[str], list[str]]:
    """The nodes (in the scheme's order) and the awards the table has a column for."""
    return list(index.nodes), [a.name for a in scheme.awards]


def from_evaluation(evaluation) -> ScoreTable:
    """Every unit's scores and amounts, as the engine computed them, as a table."""
    from ..engine.num import places_and_integers
    from ..engine.scoring import walk

    engine, scoring = evaluation.engine, evaluation.scoring
    nodes, award_names = columns_of(engine.scheme, engine.index)
    money = evaluation.money
    units = engine.data.units
    uncounted = {n: ~scoring.counted(engine.index.nodes[n].path[0]) for n in nodes}
    dropped = {t.node.name: t.na for s in scoring.sections for t in walk(s) if t.na is not None}
    return ScoreTable([u.name for u in units], [u.group for u in units], scoring.rank, scoring.group_rank,
                      places_and_integers(scoring.total),
                      {n: places_and_integers(engine.scores[n]) for n in nodes},
                      {a: places_and_integers(money.traces[a][0]) for a in award_names},
                      {n: gone for n, gone in uncounted.items() if gone.any()}, dropped)


def fixed(values: list[Decimal]) -> tuple[np.ndarray, int]:
    """Decimals as integers at the places the longest one needs (Python integers where one
    would not fit in 64 bits: the exact path takes figures of up to 30 digits)."""
    places = max((-v.as_tuple().exponent for v in values), default=0)
    places = max(places, 0)
    integers = [int(v.scaleb(places)) for v in values]
    fits = all(-2**63 <= i < 2**63 for i in integers)
    return np.array(integers, dtype=np.int64 if fits else object), places


def ranking_order(table: ScoreTable) -> np.ndarray:
    """The units by rank, then name (UTF-8 byte order is code point order, as Python sorts)."""
    names = pa.array(table.units, pa.string())
    return pc.sort_indices(pa.table({"rank": table.rank, "name": names}),
                           sort_keys=[("rank", "ascending"), ("name", "ascending")]).to_numpy()


def texts(value: tuple[np.ndarray, int], order: np.ndarray, fewest: bool = True) -> list[str]:
    """A column of numbers as text, in this order, every one to the places the column needs
    (to exactly the places given, without `fewest`)."""
    return pc.cast(_decimal(*value, order, fewest), pa.string()).to_pylist()


def fewest_places(value: tuple[np.ndarray, int]) -> tuple[np.ndarray, int]:
    """The same numbers at the fewest places that write every one exactly."""
    integers, places = value
    while places and not np.any(integers % 10):
        integers, places = integers // 10, places - 1
    return integers, places


def awards_total(table: ScoreTable) -> tuple[np.ndarray, int]:
    """Each unit's money, all awards together."""
    places = max((p for _, p in table.amounts.values()), default=0)
    total = sum((v * 10 ** (places - p) for v, p in table.amounts.values()), np.zeros(len(table.units), np.int64))
    return total, places


def write(table: ScoreTable, language: str, out: BinaryIO) -> None:
    """Rows by rank, then name. Numbers are written to the places their column needs, the same
    in every row (17.60 beside 17.64), unquoted; names are quoted."""
    head = _HEAD.get(language, _HEAD["zh"])
    names = pa.array(table.units, pa.string())
    order = ranking_order(table)
    columns = {head[0]: _as_text(names.take(order)),
               head[1]: _as_text(pa.array(table.groups, pa.string()).take(order)),
               head[2]: _decimal(*table.total, order),
               head[3]: pa.array(table.rank[order]),
               head[4]: pa.array(table.group_rank[order])}
    for name, value in table.nodes.items():
        columns[name] = _decimal(*value, order)
        for marks in (table.uncounted, table.dropped):  # not totalled on it, or 不适用: an empty cell, not 0
            if marks and name in marks:
                columns[name] = pc.if_else(pa.array(marks[name][order]), None, columns[name])
    for name, value in table.amounts.items():
        columns[name] = _decimal(*value, order)
    if table.amounts:
        columns[head[5]] = _decimal(*awards_total(table), order)
    rows = pa.table(columns)
    half = (rows.num_rows + 1) // 2

    def text(start: int, stop: int) -> bytes:
        buffer = io.BytesIO()
        pacsv.write_csv(rows.slice(start, stop - start), buffer, write_options=pacsv.WriteOptions(
            include_header=start == 0, quoting_style="needed"))
        return buffer.getvalue()

    with ThreadPoolExecutor(max_workers=2) as pool:  # pyarrow formats each half without the GIL
        for part in pool.map(text, (0, half), (half, rows.num_rows)):
            out.write(part)


def _as_text(texts: pa.Array) -> pa.Array:
    """Names a spreadsheet would run as a formula (a leading =, +, -, @, tab or CR) behind an
    apostrophe, which spreadsheets show as text (CSV injection)."""
    risky = pc.match_substring_regex(texts, r"^[=+\-@\t\r]")
    return pc.if_else(risky, pc.binary_join_element_wise("'", texts, ""), texts)


def _decimal(integers: np.ndarray, places: int, order: np.ndarray, fewest: bool = True) -> pa.Array:
    """Integers counted in 10**-places as a decimal column (built from its 128-bit words), at
    the fewest places that write every value exactly (or at these places)."""
    values, places = (fewest_places if fewest else lambda v: v)((integers[order], places))
    if values.dtype == object:  # beyond 64 bits: slower, and wider where 38 digits do not do
        decimals = [Decimal(int(v)).scaleb(-places) for v in values]
        width = max((len(d.as_tuple().digits) for d in decimals), default=1)
        kind = pa.decimal128(38, places) if width <= 38 else pa.decimal256(76, places)
        return pa.array(decimals, kind)
    words = np.empty((len(values), 2), np.int64)
    words[:, 0], words[:, 1] = values, values >> 63  # little-endian two's complement
    return pa.Array.from_buffers(pa.decimal128(38, places), len(values), [None, pa.py_buffer(words)])
