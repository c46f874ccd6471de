"""Fast data stage: long-layout value files read into one column per (item, field).

For the vectorised scorer (kpidsl.vector). Files are read by pyarrow's multi-threaded CSV
reader; the common cells (plain numbers, percentages, 是/否, ISO dates) are parsed by array
kernels, every other cell by `data.parse_value`, so a cell means the same on either path.
Numbers are kept exactly, as an integer and a power of ten.

Anything the exact loader would report (an unknown unit or item, a blank or repeated cell, a
file pyarrow cannot read) raises `Unsupported`: the caller then takes the exact path, whose
messages name the file and row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .data import _FIELD_ALIASES, _HEADERS, Dataset, _Reader, normalise, parse_value

# kinds of a cell
MISSING, NUMBER, FLAG, DAY, TEXT = 0, 1, 2, 3, 4
_UNKNOWN, _BLANK = -1, -2  # unit codes of rows naming no known unit, and of rows naming none
ASSESSED = "评分"  # the field of an assessed score, the one field whose note (reason) matters
EPOCH = date(1970, 1, 1)
_TRUE = ["是", "有", "true", "yes", "y"]
_FALSE = ["否", "无", "false", "no", "n"]


class Unsupported(Exception):
    """The fast path cannot take this scheme or data; the exact path can (and says why not)."""


@dataclass
class Columns:
    """Cells by (item, field) for units 0..U-1 (in the units file's order). Stored unit by unit,
    as files list them, so that filling the arrays writes memory in order."""
    slots: dict[tuple[str, str], int]
    kind: np.ndarray  # int8 [unit, slot]
    number: np.ndarray  # int64 [unit, slot]: numerator; a flag 0/1; a date in days since 1970
    exponent: np.ndarray  # int8 [unit, slot]: a number is number / 10**exponent
    noted: np.ndarray  # bool [unit, slot]: the cell has a note (说明)
    texts: dict[tuple[int, int], str]  # (slot, unit) -> a text cell

    def column(self, slot: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Kinds, integers and exponents of one (item, field) for every unit."""
        return (np.ascontiguousarray(self.kind[:, slot]), np.ascontiguousarray(self.number[:, slot]),
                self.exponent[:, slot].astype(np.int64))


def read_values(paths: list[tuple[Path, str]], data: Dataset, item_names: dict[str, str]) -> Columns:
    """The value files (long layout) for the units of `data`, as columns."""
    unit_index = {}
    for i, unit in enumerate(data.units):
        for name in (unit.name, *unit.aliases):
            unit_index[name] = unit_index[normalise(name)] = i

    def unit_of(text: str) -> int:
        found = unit_index.get(text)  # names are mostly written as in the units file
        return found if found is not None else unit_index.get(normalise(text), _UNKNOWN)

    slots: dict[tuple[str, str], int] = {}
    parts = []
    for path, display in paths:
        table = _read(path, display)
        (unit_codes, unit_words), (item_codes, item_words), (field_codes, field_words) = \
            table["unit"], table["item"], table["field"]
        units = np.array([unit_of(w) if w.strip() else _BLANK for w in unit_words] + [0], np.int64)[unit_codes]
        items = [item_names.get(normalise(w)) for w in item_words]
        fields = [_FIELD_ALIASES.get(w.strip().lower(), w.strip()) for w in field_words]
        values = table["value"]
        if np.any(units == _BLANK):  # rows left blank, as spreadsheets leave them, are skipped
            blank = (units == _BLANK) & (pc.equal(values, "").to_numpy(zero_copy_only=False)) & \
                np.array([not w.strip() for w in item_words] + [True])[item_codes] & \
                np.array([not w for w in fields] + [True])[field_codes]
            kept = ~blank
            units, item_codes, field_codes = units[kept], item_codes[kept], field_codes[kept]
            values, table["note"] = values.filter(pa.array(kept)), table["note"].filter(pa.array(kept))
        if np.any(units < 0) or any(i is None for i in items):
            raise Unsupported("unknown unit or item")
        pair_slot = np.empty((len(items), len(fields)), dtype=np.int64)
        for i, item in enumerate(items):
            for f, field in enumerate(fields):
                pair_slot[i, f] = slots.setdefault((item, field), len(slots))
        parts.append((units, pair_slot[item_codes, field_codes], values, table["note"]))

    count = len(data.units)
    shape = (count, len(slots))
    kind = np.zeros(shape, dtype=np.int8)
    number = np.zeros(shape, dtype=np.int64)
    exponent = np.zeros(shape, dtype=np.int8)
    noted = np.zeros(shape, dtype=bool)
    texts = {}
    flats = [units * len(slots) + slot_of_row for units, slot_of_row, _, _ in parts]
    if flats and np.bincount(np.concatenate(flats), minlength=kind.size).max(initial=0) > 1:
        raise Unsupported("repeated cell")
    assessed = np.array([field == ASSESSED for (_, field) in slots], bool)
    for flat, (units, slot_of_row, values, notes) in zip(flats, parts):
        cell_kind, cell_number, cell_exponent, others = _parse(values)
        for row, text in others:
            value = parse_value(text)
            if value is None or (isinstance(value, Decimal) and len(value.as_tuple().digits) > 18):
                raise Unsupported("blank or long cell")
            if isinstance(value, bool):
                cell_kind[row], cell_number[row] = FLAG, int(value)
            elif isinstance(value, Decimal):
                cell_kind[row] = NUMBER
                cell_number[row], cell_exponent[row] = decimal_parts(value)
            elif isinstance(value, date):
                cell_kind[row], cell_number[row] = DAY, (value - EPOCH).days
            else:
                cell_kind[row] = TEXT
                texts[(int(slot_of_row[row]), int(units[row]))] = value
        kind.ravel()[flat] = cell_kind
        number.ravel()[flat] = cell_number
        exponent.ravel()[flat] = cell_exponent
        rows = np.flatnonzero(assessed[slot_of_row])  # only an assessed score needs its note
        if len(rows):
            has_note = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(notes.take(pa.array(rows)))), 0)
            noted.ravel()[flat[rows]] = has_note.to_numpy(zero_copy_only=False)
    return Columns(slots, kind, number, exponent, noted, texts)


def decimal_parts(value: Decimal) -> tuple[int, int]:
    """A Decimal as an integer and a power of ten: 12.5 -> (125, 1), 3E+2 -> (300, 0)."""
    sign, digits, exp = value.as_tuple()
    integer = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    return (integer * 10 ** exp, 0) if exp > 0 else (integer, -exp)


def _read(path: Path, display: str) -> dict:
    """A long-layout file: unit, item and field as (row codes, distinct strings); value (trimmed)
    and note as string arrays."""
    try:
        with path.open(encoding="utf-8-sig") as f:
            header_line = f.readline().rstrip("\r\n")
    except (OSError, UnicodeDecodeError):
        raise Unsupported("unreadable file") from None
    wanted = ("unit", "item", "field", "value", "note")
    delimiter = _Reader._delimiter(header_line, wanted)
    header = [h.strip().lstrip("\ufeff") for h in header_line.split(delimiter)]
    names = [f"c{i}" for i in range(len(header))]
    columns = {}
    for name in wanted:
        index = next((i for i, h in enumerate(header) if h in _HEADERS[name]), None)
        if index is None and name != "note":
            raise Unsupported("header")
        columns[name] = index
    coded = pa.dictionary(pa.int32(), pa.string())
    types = {names[i]: (coded if name in ("unit", "item", "field") else pa.string())
             for name, i in columns.items() if i is not None}
    try:
        table = pacsv.read_csv(
            path, read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                                 include_columns=list(types)))
    except (pa.ArrowInvalid, OSError):
        raise Unsupported("CSV the fast reader cannot read") from None
    result = {}
    for name in ("unit", "item", "field"):
        column = table[names[columns[name]]].unify_dictionaries()
        words = column.chunk(0).dictionary.to_pylist() if column.num_chunks else []
        codes = [c.indices.to_numpy(zero_copy_only=False) for c in column.chunks]
        # an empty table: the code len(words) points past the words, at a harmless default
        result[name] = (np.concatenate(codes) if codes else np.zeros(0, np.int32), words)
    result["value"] = pc.utf8_trim_whitespace(table[names[columns["value"]]])
    note = columns["note"]
    result["note"] = table[names[note]] if note is not None else \
        pa.chunked_array([pa.array([""] * table.num_rows, pa.string())])
    return result


def _parse(values: pa.ChunkedArray):
    """Kinds, integers and exponents of the cells the array kernels read; the rest as
    (row, text) for `parse_value`. Cheapest test first: most cells are plain numbers."""
    rows = len(values)
    kind = np.zeros(rows, dtype=np.int8)
    number = np.zeros(rows, dtype=np.int64)
    exponent = np.zeros(rows, dtype=np.int8)
    plain = _numbers(values, np.arange(rows), kind, number, exponent, percent=False)
    rest = np.flatnonzero(~plain)
    if len(rest):
        text = values.take(pa.array(rest))
        done = _numbers(text, rest, kind, number, exponent, percent=True)
        for words, flag in ((_TRUE, 1), (_FALSE, 0)):
            hit = pc.is_in(text, value_set=pa.array(words)).to_numpy(zero_copy_only=False)
            kind[rest[hit]], number[rest[hit]] = FLAG, flag
            done |= hit
        iso = pc.match_substring_regex(text, r"^\d{4}-\d{2}-\d{2}$").to_numpy(zero_copy_only=False)
        if iso.any():
            days = pc.cast(pc.strptime(text.filter(pa.array(iso)), format="%Y-%m-%d", unit="s",
                                       error_is_null=True), pa.date32())
            valid = pc.is_valid(days)
            where = rest[np.flatnonzero(iso)[valid.to_numpy(zero_copy_only=False)]]
            kind[where], number[where] = DAY, days.filter(valid).cast(pa.int32()).to_numpy()
    others = np.flatnonzero(kind == MISSING)
    return kind, number, exponent, list(zip(others.tolist(), values.take(pa.array(others)).to_pylist()))


def _numbers(text, rows: np.ndarray, kind, number, exponent, percent: bool) -> np.ndarray:
    """Fill in the cells of `text` (rows `rows`) that are plain numbers (or percentages) of at
    most 18 digits; returns which were."""
    pattern = r"^-?\d+(\.\d+)?%$" if percent else r"^-?\d+(\.\d+)?$"
    length = pc.utf8_length(text)
    hit = pc.and_(pc.match_substring_regex(text, pattern), pc.less_equal(length, 19 + percent))
    mask = hit.to_numpy(zero_copy_only=False)
    if not mask.any():
        return mask
    chosen = text.filter(hit)
    if percent:
        chosen = pc.utf8_slice_codeunits(chosen, 0, -1)
    digits = pc.cast(pc.replace_substring(chosen, ".", ""), pa.int64()).to_numpy()
    point = pc.find_substring(chosen, ".").to_numpy()
    size = pc.utf8_length(chosen).to_numpy()
    where = rows[mask]
    kind[where], number[where] = NUMBER, digits
    exponent[where] = np.where(point >= 0, size - point - 1, 0) + (2 if percent else 0)
    return mask
