"""Figures as columns: the one form in which every loader (long CSV by pyarrow, the wide
任务分解表, .xlsx, --set) hands units' figures to the engine."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np

from .data import Dataset, Record, is_not_applicable

# kinds of a cell (as kpidsl.engine.num's kinds of a value)
MISSING, NUMBER, FLAG, DAY, TEXT = 0, 1, 2, 3, 4
EPOCH = date(1970, 1, 1)
_INT64 = 2 ** 63


@dataclass
class Columns:
    """Cells by (item, field) for units 0..U-1 (in the units file's order): [slot, unit] arrays
    while scoring reads them a column at a time; [unit, slot] while long files fill them, unit by
    unit as they list them, so that filling writes memory in order (see `by_slot`)."""
    slots: dict[tuple[str, str], int]
    kind: np.ndarray  # int8
    number: np.ndarray  # int64: numerator; a flag 0/1; a date in days since 1970
    exponent: np.ndarray  # int8: a number is number / 10**exponent
    noted: np.ndarray  # bool: the cell has a note (说明)
    texts: dict[tuple[int, int], str]  # (slot, unit) -> a text cell
    big: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # (slot, unit) -> (integer, places) past int64

    def by_slot(self) -> Columns:
        """The [slot, unit] arrays of these [unit, slot] ones, each freed once copied."""
        arrays = {}
        for name in ("kind", "number", "exponent", "noted"):
            arrays[name] = np.ascontiguousarray(getattr(self, name).T)
            setattr(self, name, None)
        return Columns(self.slots, texts=self.texts, big=self.big, **arrays)

    def of_unit(self, unit: int) -> Columns:
        """The [slot, unit] columns of one unit alone (as unit 0)."""
        def alone(cells: dict) -> dict:
            return {(slot, 0): v for (slot, u), v in cells.items() if u == unit}
        return Columns(self.slots, *(a[:, unit:unit + 1] for a in (self.kind, self.number, self.exponent, self.noted)),
                       texts=alone(self.texts), big=alone(self.big))

    def not_applicable(self, node: str) -> np.ndarray:
        """The units that wrote 不适用 in any of the node's fields (its text cells only are read)."""
        out = np.zeros(self.kind.shape[1], bool)
        for (name, _), slot in self.slots.items():
            if name == node:
                for u in np.flatnonzero(self.kind[slot] == TEXT).tolist():
                    out[u] |= is_not_applicable(self.texts[(slot, u)])
        return out

    def column(self, slot: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Kinds, integers and exponents of one (item, field) for every unit."""
        return self.kind[slot], self.number[slot], self.exponent[slot].astype(np.int64)


@dataclass
class RecordRows:
    """The records files as columns, a row per record (the fast path needs no Record objects)."""
    unit: np.ndarray  # index into data.units
    item: list[str]
    project: list[str]
    level: list[str]
    places: list[str]

    def of_unit(self, unit: int) -> RecordRows:
        """One unit's records alone (as unit 0)."""
        rows = np.flatnonzero(self.unit == unit).tolist()
        return RecordRows(np.zeros(len(rows), np.int64), *([column[r] for r in rows] for column in
                                                           (self.item, self.project, self.level, self.places)))

    def of(self, unit: int, name: str) -> dict[tuple[str, str], list[Record]]:
        """One unit's records, as the exact loader gives them (Dataset.records)."""
        found: dict[tuple[str, str], list[Record]] = {}
        for i in np.flatnonzero(self.unit == unit).tolist():
            found.setdefault((name, self.item[i]), []).append(Record(self.project[i], self.level[i], self.places[i]))
        return found




def decimal_parts(value: Decimal) -> tuple[int, int]:
    """A Decimal as an integer and a power of ten: 12.5 -> (125, 1), 3E+2 -> (300, 0)."""
    sign, digits, exp = value.as_tuple()
    integer = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    return (integer * 10 ** exp, 0) if exp > 0 else (integer, -exp)


def from_dataset(data: Dataset) -> tuple[Columns, RecordRows]:
    """The cells and records the exact loader read (data.values, data.records) as columns."""
    position = {u.name: i for i, u in enumerate(data.units)}
    slots: dict[tuple[str, str], int] = {}
    for (_, node, name) in data.values:
        slots.setdefault((node, name), len(slots))
    shape = (len(slots), len(data.units))
    columns = Columns(slots, np.zeros(shape, np.int8), np.zeros(shape, np.int64), np.zeros(shape, np.int8),
                      np.zeros(shape, bool), {})
    for (unit, node, name), cell in data.values.items():
        s, u, value = slots[(node, name)], position[unit], cell.value
        columns.noted[s, u] = bool(cell.note)
        if isinstance(value, bool):
            columns.kind[s, u], columns.number[s, u] = FLAG, int(value)
        elif isinstance(value, Decimal):
            integer, places = decimal_parts(value)
            columns.kind[s, u] = NUMBER
            if abs(integer) < _INT64 and places <= 18:
                columns.number[s, u], columns.exponent[s, u] = integer, places
            else:
                columns.big[(s, u)] = (integer, places)
        elif isinstance(value, date):
            columns.kind[s, u], columns.number[s, u] = DAY, (value - EPOCH).days
        elif isinstance(value, str):
            columns.kind[s, u] = TEXT
            columns.texts[(s, u)] = value
    rows = RecordRows(np.zeros(0, np.int64), [], [], [], [])
    units = []
    for (unit, node), records in data.records.items():
        for record in records:
            units.append(position[unit])
            rows.item.append(node)
            rows.project.append(record.project)
            rows.level.append(record.level)
            rows.places.append(record.place)
    rows.unit = np.array(units, np.int64)
    return columns, rows
