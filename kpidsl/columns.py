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
EPOCH = date(1970, 1, 1)
_TRUE = ["是", "有", "true", "yes", "y"]
_FALSE = ["否", "无", "false", "no", "n"]
# at most 18 digits: the integer always fits in int64
_PLAIN_NUMBER = r"^-?\d+(\.\d+)?%?$"
_MAX_PLAIN_CHARS = 19


class Unsupported(Exception):
    """The fast path cannot take this scheme or data; the exact path can (and says why not)."""


@dataclass
class Columns:
    """Cells by (item, field) for units 0..U-1 (in the units file's order)."""
    slots: dict[tuple[str, str], int]
    kind: np.ndarray  # int8 [slot, unit]
    number: np.ndarray  # int64 [slot, unit]: numerator; a flag 0/1; a date in days since 1970
    exponent: np.ndarray  # int8 [slot, unit]: a number is number / 10**exponent
    noted: np.ndarray  # bool [slot, unit]: the cell has a note (说明)
    texts: dict[tuple[int, int], str]  # (slot, unit) -> a text cell


def read_values(paths: list[tuple[Path, str]], data: Dataset, item_names: dict[str, str]) -> Columns:
    """The value files (long layout) for the units of `data`, as columns."""
    unit_index = {}
    for i, unit in enumerate(data.units):
        for name in (unit.name, *unit.aliases):
            unit_index[normalise(name)] = i
    tables = [_read(path, display) for path, display in paths]
    slots: dict[tuple[str, str], int] = {}
    parts = []
    for table in tables:
        units = _codes(table["unit"], lambda s: unit_index.get(normalise(s), -1), "unit")
        items = _dictionary(table["item"], lambda s: item_names.get(normalise(s)))
        fields = _dictionary(table["field"], lambda s: _FIELD_ALIASES.get(s.strip().lower(), s.strip()))
        item_codes, item_values = items
        field_codes, field_values = fields
        if any(v is None for v in item_values):
            raise Unsupported("unknown item")
        pair_slot = np.empty((len(item_values), len(field_values)), dtype=np.int64)
        for i, item in enumerate(item_values):
            for f, field in enumerate(field_values):
                pair_slot[i, f] = slots.setdefault((item, field), len(slots))
        parts.append((units, pair_slot[item_codes, field_codes], table["value"], table["note"]))

    count = len(data.units)
    shape = (len(slots), count)
    kind = np.zeros(shape, dtype=np.int8)
    number = np.zeros(shape, dtype=np.int64)
    exponent = np.zeros(shape, dtype=np.int8)
    noted = np.zeros(shape, dtype=bool)
    texts = {}
    flats = [slot_of_row * count + units for units, slot_of_row, _, _ in parts]
    if flats and np.bincount(np.concatenate(flats), minlength=kind.size).max(initial=0) > 1:
        raise Unsupported("repeated cell")
    for flat, (units, slot_of_row, values, notes) in zip(flats, parts):
        cell_kind, cell_number, cell_exponent, others = _parse(values)
        for row, text in others:
            value = parse_value(text)
            if value is None or (isinstance(value, Decimal) and len(value.as_tuple().digits) > 18):
                raise Unsupported("blank or long cell")
            if isinstance(value, bool):
                cell_kind[row], cell_number[row] = FLAG, int(value)
            elif isinstance(value, Decimal):
                sign, digits, exp = value.as_tuple()
                integer = int("".join(map(str, digits))) * (-1 if sign else 1)
                cell_kind[row] = NUMBER
                cell_number[row], cell_exponent[row] = (integer * 10 ** exp, 0) if exp > 0 else (integer, -exp)
            elif isinstance(value, date):
                cell_kind[row], cell_number[row] = DAY, (value - EPOCH).days
            else:
                cell_kind[row] = TEXT
                texts[(int(slot_of_row[row]), int(units[row]))] = value
        kind.ravel()[flat] = cell_kind
        number.ravel()[flat] = cell_number
        exponent.ravel()[flat] = cell_exponent
        noted.ravel()[flat] = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(notes)), 0) \
            .to_numpy(zero_copy_only=False)
    return Columns(slots, kind, number, exponent, noted, texts)


def _read(path: Path, display: str) -> dict[str, pa.Array]:
    """A long-layout file as string columns unit, item, field, value, note (blank rows dropped)."""
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
    try:
        table = pacsv.read_csv(
            path, read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False,
                                                 include_columns=[names[i] for i in columns.values()
                                                                  if i is not None]))
    except (pa.ArrowInvalid, OSError):
        raise Unsupported("CSV the fast reader cannot read") from None
    empty = pa.array([""] * table.num_rows, pa.string())
    result = {name: (pc.utf8_trim_whitespace(table[names[i]]).combine_chunks() if i is not None else empty)
              for name, i in columns.items()}
    blank = pc.and_(pc.and_(pc.equal(result["unit"], ""), pc.equal(result["item"], "")),
                    pc.and_(pc.equal(result["field"], ""), pc.equal(result["value"], "")))
    kept = pc.invert(blank)
    return {name: column.filter(kept) for name, column in result.items()}


def _dictionary(column: pa.Array, meaning) -> tuple[np.ndarray, list]:
    """Codes of each row into the distinct strings, and what each distinct string means."""
    encoded = pc.dictionary_encode(column)
    return (encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64),
            [meaning(s) for s in encoded.dictionary.to_pylist()])


def _codes(column: pa.Array, meaning, what: str) -> np.ndarray:
    codes, values = _dictionary(column, meaning)
    mapped = np.asarray(values, dtype=np.int64)[codes] if values else codes
    if np.any(mapped < 0):
        raise Unsupported(f"unknown {what}")
    return mapped


def _parse(values: pa.Array):
    """Kinds, integers and exponents of the cells the array kernels read; the rest as
    (row, text) for `parse_value`."""
    rows = len(values)
    kind = np.zeros(rows, dtype=np.int8)
    number = np.zeros(rows, dtype=np.int64)
    exponent = np.zeros(rows, dtype=np.int8)
    plain = pc.and_(pc.match_substring_regex(values, _PLAIN_NUMBER),
                    pc.less_equal(pc.utf8_length(values), _MAX_PLAIN_CHARS)).to_numpy(zero_copy_only=False)
    if plain.any():
        text = values.filter(pa.array(plain))
        percent = pc.ends_with(text, "%").to_numpy(zero_copy_only=False)
        digits = pc.cast(pc.replace_substring_regex(text, r"[.%]", ""), pa.int64()).to_numpy()
        point = pc.find_substring(text, ".").to_numpy()
        length = pc.utf8_length(text).to_numpy()
        decimals = np.where(point >= 0, length - point - 1 - percent, 0) + 2 * percent
        kind[plain], number[plain], exponent[plain] = NUMBER, digits, decimals
    lower = pc.utf8_lower(values)
    for words, flag in ((_TRUE, 1), (_FALSE, 0)):
        hit = pc.is_in(lower, value_set=pa.array(words)).to_numpy(zero_copy_only=False)
        kind[hit], number[hit] = FLAG, flag
    iso = pc.match_substring_regex(values, r"^\d{4}-\d{2}-\d{2}$").to_numpy(zero_copy_only=False)
    if iso.any():
        days = pc.cast(pc.strptime(values.filter(pa.array(iso)), format="%Y-%m-%d", unit="s",
                                   error_is_null=True), pa.date32())
        good = pc.is_valid(days).to_numpy(zero_copy_only=False)
        where = np.flatnonzero(iso)[good]
        kind[where], number[where] = DAY, days.filter(pc.is_valid(days)).cast(pa.int32()).to_numpy()
    rest = np.flatnonzero(kind == MISSING)
    others = list(zip(rest.tolist(), values.take(pa.array(rest)).to_pylist()))
    return kind, number, exponent, others
