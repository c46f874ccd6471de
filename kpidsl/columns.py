"""Data stage, columnar reader: value files — long layout, or wide CSV of one row per unit —
read into one column per (item, field).

For many units (kpidsl.pipeline.prepare). Files are read by pyarrow's multi-threaded CSV
reader; the common cells (plain numbers, percentages, 是/否, ISO dates) are parsed by array
kernels, every other cell by `data.parse_value`, so a cell means the same to either reader. A
wide table's header is matched to items by kpidsl.sheets, as the full loader matches it.
Numbers are kept exactly, as an integer and a power of ten.

Anything the full loader (kpidsl.data) would report (an unknown unit or item, a blank or
repeated cell, a file pyarrow cannot read), or might read otherwise, raises `Unsupported`: the
full loader then reads, and its messages name the file and row.
"""
from __future__ import annotations

import csv
import mmap
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .cells import DAY, FLAG, MISSING, NUMBER, TEXT, Columns, RecordRows, decimal_parts
from .data import (_HEADERS, MAX_CELL, MAX_RATE, NOTE_SUFFIX, Cell, Dataset, Unit, _Reader, bare, field_key, keeps,
                   normalise, parse_value, place, split_aliases, written_unit)
from .units import declared, kind as unit_kind
from .sheets import Indicator, cell_place, exact_unit, field_index, indicator, measure_index, named_unit, with_notes

_UNKNOWN, _BLANK = -1, -2  # unit codes of rows naming an unknown unit, and of rows naming none
_BLOCK = 1 << 23  # bytes pyarrow parses at a time: larger blocks read faster, smaller use less memory
ASSESSED = "评分"  # the field of an assessed score, the one field whose note (reason) matters
EPOCH = date(1970, 1, 1)
_TRUE = ["是", "有", "true", "yes", "y"]
_FALSE = ["否", "无", "false", "no", "n"]


class Unsupported(Exception):
    """The columnar reader cannot take this data as it is; the full loader can (or says why not)."""


def read_dataset(units: list[tuple[Path, str]], records: list[tuple[Path, str]],
                 item_names: dict[str, str], lang: str) -> tuple[Dataset, RecordRows]:
    """The units file as a Dataset (without values: see read_values; without records: they
    come as RecordRows)."""
    data = Dataset()
    for path, display in units:
        table = _read(path, ("unit", "group"), ("aliases",))
        names, groups = table["unit"].to_pylist(), table["group"].to_pylist()
        aliases = table["aliases"].to_pylist() if "aliases" in table else [""] * len(names)
        data.units.extend(Unit(n.strip(), g.strip(), split_aliases(a) if a else (), place(display, row, lang))
                          for row, (n, g, a) in enumerate(zip(names, groups, aliases), start=2)
                          if n.strip() or g.strip() or a.strip())
        if any(not unit.name for unit in data.units):
            raise Unsupported("a unit without a name")
    keys = pc.replace_substring_regex(pc.utf8_normalize(pa.array(
        [n for u in data.units for n in (u.name, *u.aliases)], pa.string()), "NFKC"), r"\s+", "")
    owners = [i for i, u in enumerate(data.units) for _ in range(1 + len(u.aliases))]
    distinct = {}
    for key, i in zip(keys.to_pylist(), owners):
        if distinct.setdefault(key, i) != i:
            raise Unsupported("units of the same name")
    data.by_key = {key: data.units[i] for key, i in distinct.items()}
    position = {u.name: i for i, u in enumerate(data.units)}

    def at(word: str) -> int:
        if word in position:  # as the units file writes it: the usual case
            return position[word]
        unit = data.by_key.get(normalise(word))
        return position[unit.name] if unit is not None else -1

    rows = RecordRows(np.zeros(0, np.int64), [], [], [], [])
    for path, display in records:
        table = _read(path, ("unit", "item", "project", "level"), (), coded=("unit", "item"))
        (unit_codes, unit_words), (item_codes, item_words) = table["unit"], table["item"]
        unit_of = np.array([at(w) for w in unit_words] + [-1], np.int64)[unit_codes]
        node_of = [item_names.get(normalise(w)) for w in item_words]
        projects = [p.strip() for p in table["project"].to_pylist()]
        levels = [v.strip() for v in table["level"].to_pylist()]
        known = (unit_of >= 0) & np.array([n is not None for n in node_of] + [False])[item_codes]
        for i in np.flatnonzero(~known).tolist():  # a row of blanks is skipped, as data.load does
            if unit_words[unit_codes[i]].strip() or item_words[item_codes[i]].strip() or projects[i] or levels[i]:
                raise Unsupported("a record of an unknown unit or item")
        kept = np.flatnonzero(known).tolist()
        rows.unit = np.concatenate([rows.unit, unit_of[kept]])
        rows.item += [node_of[item_codes[i]] for i in kept]
        rows.project += [projects[i] for i in kept]
        rows.level += [levels[i] for i in kept]
        rows.places += [place(display, i + 2, lang) for i in kept]
    return data, rows


def read_value_tables(paths: list[tuple[Path, str]], wide: list[tuple[Path, str, str]] = ()) -> list:
    """The value files as read by pyarrow — long layout (paths), wide (path, name, the field its
    values fill) — the part of reading that needs no Python, so it can run while the units are read."""
    tables = []
    for path, display, keep in paths:
        table = _read(path, ("unit", "item", "field", "value"), ("note",), coded=("unit", "item", "field"))
        tables.append({**table, "display": display, "keep": keep})
        pa.default_memory_pool().release_unused()  # the parser's buffers: hand them back
    for path, display, field in wide:
        tables.append(_Wide(_read_grid(path), display, field, path.stem))
    return tables


@dataclass
class _Rows:
    """Rows of one value file, each placed: its unit and its (item, field) slot."""
    units: np.ndarray
    slots: np.ndarray
    values: pa.ChunkedArray  # trimmed (long layout) or as written (wide: parse_value strips)
    notes: pa.ChunkedArray | None
    check: Callable[[str], None] | None = None  # for a cell parsed in Python: raises Unsupported if it may not be read alike


@dataclass
class _Wide:
    """A wide CSV as pyarrow reads it: every cell a string, the header rows among the others."""
    table: pa.Table
    display: str
    field: str  # the field its values fill, unless a 字段 row says
    sheet: str  # the name places give it, as the full loader names a CSV's one sheet


def read_values(tables: list, data: Dataset, item_names: dict[str, str], sub_names: dict[str, str] | None = None,
                cells_of: list[Unit] = (), lang: str = "zh", measured: dict | None = None) -> Columns:
    """The value files' cells for the units of `data`, as columns (tables: read_value_tables,
    emptied as they are used, to keep memory down). The cells of the unit `cells_of` are also
    put in `data.values`, as the full loader would put them (for explaining them). `measured`:
    (item, field) -> the unit the scheme measures it in (checker.field_units)."""
    position = {id(u): i for i, u in enumerate(data.units)}
    unit_index = {key: position[id(u)] for key, u in data.by_key.items()}
    for i, unit in enumerate(data.units):
        unit_index[unit.name] = i

    def unit_of(text: str) -> int:
        found = unit_index.get(text)  # names are mostly written as in the units file
        return found if found is not None else unit_index.get(normalise(text), _UNKNOWN)

    slots: dict[tuple[str, str], int] = {}
    files = []
    # a long file lists a unit's cells together, a wide one an (item, field)'s: the columns are
    # filled in the order the files give, [unit, slot] or (wide files only) [slot, unit]
    slot_major = all(isinstance(table, _Wide) for table in tables)
    if any(isinstance(table, _Wide) for table in tables) and \
            np.any(_parse(pa.array(list(data.by_key), pa.string()))[0] != MISSING):
        raise Unsupported("a unit named like a figure")  # a cell the kernels read would name it, unseen
    while tables:
        table = tables.pop(0)
        if isinstance(table, _Wide):
            files += _wide_rows(table, data, unit_of, item_names, sub_names or {}, slots, cells_of)
        else:
            files.append(_long_rows(table, data, unit_of, item_names, slots, cells_of, lang))
        del table

    pa.default_memory_pool().release_unused()  # the files' original columns, now coded
    shape = (len(slots), len(data.units)) if slot_major else (len(data.units), len(slots))
    unit_of_slot = [(measured or {}).get(key, "") for key in slots]
    checked = (np.array([u == "%" for u in unit_of_slot], bool),
               np.array([u != "" and declared(u)[0] != "%" for u in unit_of_slot], bool),
               np.array([unit_kind(u) == "count" for u in unit_of_slot], bool),
               np.array([declared(u)[1] for u in unit_of_slot], np.int64))
    columns = Columns(slots, np.zeros(shape, np.int8), np.zeros(shape, np.int64), np.zeros(shape, np.int8),
                      np.zeros(shape, bool), {})
    pieces = [(rows, start, min(start + _PIECE, len(rows.units)))
              for rows in files for start in range(0, len(rows.units), _PIECE)]
    # numpy and pyarrow let go of the GIL in their kernels: pieces fill the columns side by side
    with ThreadPoolExecutor(max_workers=2) as pool:
        filled = sum(pool.map(lambda piece: _fill(columns, *piece, slot_major, *checked), pieces))
    if np.count_nonzero(columns.kind) != filled:  # every cell filled has a kind: two were one
        raise Unsupported("repeated cell")
    del files, pieces
    pa.default_memory_pool().release_unused()
    return columns if slot_major else columns.by_slot()


def _long_rows(table: dict, data: Dataset, unit_of, item_names: dict[str, str], slots: dict, cells_of,
               lang: str) -> _Rows:
    """A long-layout file's rows, placed (registering the slots it fills)."""
    (unit_codes, unit_words), (item_codes, item_words), (field_codes, field_words) = \
        table["unit"], table["item"], table["field"]
    written = table.pop("value")
    notes = table.get("note")  # None: the file has no 说明 column
    fields = [field_key(w) for w in field_words]
    if table["keep"] is not None:
        kept = pa.array(np.array([keeps(table["keep"], f) for f in fields] + [False])[field_codes])
        written, notes = written.filter(kept), notes.filter(kept) if notes is not None else None
        unit_codes, item_codes, field_codes = (codes[kept.to_numpy(zero_copy_only=False)]
                                               for codes in (unit_codes, item_codes, field_codes))
    values = pc.utf8_trim_whitespace(written)
    display = table["display"]
    units = np.array([unit_of(w) if w.strip() else _BLANK for w in unit_words] + [0], np.int32)[unit_codes]
    items = [item_names.get(normalise(w)) for w in item_words]
    position = {id(u): i for i, u in enumerate(data.units)}
    for unit in cells_of:
        rows = np.flatnonzero(units == position[id(unit)])
        _cells(data, unit, rows, written, notes, [items[i] for i in item_codes[rows]],
               [fields[f] for f in field_codes[rows]], display, lang)
    if np.any(units == _BLANK):  # rows left blank, as spreadsheets leave them, are skipped
        blank = (units == _BLANK) & (pc.equal(values, "").to_numpy(zero_copy_only=False)) & \
            np.array([not w.strip() for w in item_words] + [True])[item_codes] & \
            np.array([not w for w in fields] + [True])[field_codes]
        kept = ~blank
        units, item_codes, field_codes = units[kept], item_codes[kept], field_codes[kept]
        values = values.filter(pa.array(kept))
        notes = notes.filter(pa.array(kept)) if notes is not None else None
    if np.any(units < 0):
        raise Unsupported("unknown unit")
    pair = item_codes * np.int32(len(fields)) + field_codes
    pair_slot = np.zeros(len(items) * len(fields), dtype=np.int32)
    for p in np.flatnonzero(np.bincount(pair, minlength=len(pair_slot))):  # the pairs that occur
        if items[p // len(fields)] is None:
            raise Unsupported("unknown item")
        pair_slot[p] = slots.setdefault((items[p // len(fields)], fields[p % len(fields)]), len(slots))
    return _Rows(units, pair_slot[pair], values, notes)


def _wide_rows(wide: _Wide, data: Dataset, unit_of, item_names: dict[str, str], sub_names: dict[str, str],
               slots: dict, cells_of) -> list[_Rows]:
    """A wide table of one row per unit as rows placed, an indicator column at a time: as
    kpidsl.sheets reads it (its transpose). Only the shape read alike for certain is taken: a
    column of units that no other cell names, header rows above naming no unit, each row below
    a unit's (or blank); else Unsupported."""
    table, width = wide.table, wide.table.num_columns
    top = [column.slice(0, _TOP).to_pylist() for column in table.columns]
    first = next((r for r in range(len(top[0] if top else ())) if any(exact_unit(data, c[r]) for c in top)), None)
    if first is None:
        raise Unsupported("no unit in the first rows")
    named = [c for c in range(width) if exact_unit(data, top[c][first])]
    head = [column[:first] for column in top]
    if len(named) != 1 or any(named_unit(data, cell) for cell in head[named[0]]):  # cut short, in the header
        raise Unsupported("units named in more than one column, or in the header")
    at = named[0]

    # cells as written: the kernels take a figure without spaces around it, parse_value the rest
    cells = [column.slice(first) for column in table.columns]
    units = pc.index_in(cells[at], value_set=pa.array([u.name for u in data.units], pa.string()))
    units = units.to_numpy(zero_copy_only=False)
    for r in np.flatnonzero(np.isnan(units)).tolist():  # not written as in the units file
        word = cells[at][r].as_py()
        units[r] = unit_of(word) if word.strip() else _BLANK
    units = units.astype(np.int32)
    kept = units != _BLANK
    if not kept.all():  # a blank line among the units, as spreadsheets leave them, is passed over
        if any(pc.any(pc.not_equal(c.filter(pa.array(~kept)), "")).as_py() for c in cells):
            raise Unsupported("a row of figures naming no unit")
        cells, units = [c.filter(pa.array(kept)) for c in cells], units[kept]
    if np.any(units < 0) or len(units) < 2:  # one unit: which way the sheet runs is a question
        raise Unsupported("unknown unit")
    rows = np.flatnonzero(kept) + first  # each unit's row of the table, for places

    def no_unit(text: str) -> None:
        if exact_unit(data, text):
            raise Unsupported("a unit named among the figures")

    if measure_index(head[at]) is not None:  # figures read in the unit a 计量 row gives: the full reader's
        raise Unsupported("a 计量 row")
    at_field = field_index(head[at])
    read = {c: found for c in range(at + 1, width)
            if (found := indicator(head[c], at_field, wide.field, item_names, sub_names)) is not None}
    for c in range(width):  # cells of columns not read name no unit either
        if c != at and c not in read:
            for _, text in _parse(pc.unique(cells[c].filter(pc.not_equal(cells[c], ""))))[4]:
                no_unit(text)
    for unit in cells_of:
        entries = []
        for r in np.flatnonzero(units == unit_of(unit.name)).tolist():  # one row; more are refused below
            for c, found in read.items():
                raw = table.column(c)[int(rows[r])].as_py().strip()
                entries += [(unit, item, found.field, text, cell_place(wide.display, wide.sheet, int(rows[r]), c))
                            for item, text in found.values(raw)[0]] if raw else []
        for _, item, field, raw, note, where in with_notes(entries):
            data.values[(unit.name, item, field_key(field))] = Cell(parse_value(raw), raw, note, where)

    def wide_check(found: Indicator) -> Callable[[str], None]:
        def check(text: str) -> None:
            no_unit(text)
            if found.values(text.strip())[1] is not None:
                raise Unsupported("a bracketed value of no item")
        return check

    filled: dict[tuple[str, str], np.ndarray] = {}  # (item, field as written) -> the rows with a value
    placed: dict[tuple[str, str], _Rows] = {}
    for c, found in read.items():
        values = cells[c]
        if found.sub is None and found.item is not None:  # most columns: a value a cell, parsed where it goes
            present = pc.not_equal(values, "")
            taken = {found.item: (np.flatnonzero(present.to_numpy(zero_copy_only=False)), values.filter(present))}
            check = wide_check(found)
        else:  # a cell may hold a second value in brackets: split in Python
            split: dict[str, tuple[list[int], list[str]]] = {}
            for r, text in enumerate(values.to_pylist()):
                if text.strip():
                    no_unit(text)
                    for item, part in found.values(text.strip())[0]:
                        split.setdefault(item, ([], []))[0].append(r)
                        split[item][1].append(part)
                    if found.values(text.strip())[1] is not None:
                        raise Unsupported("a bracketed value of no item")
            taken = {item: (np.array(r, np.int64), pa.chunked_array([pa.array(v, pa.string())]))
                     for item, (r, v) in split.items()}
            check = None
        for item, (where, texts) in taken.items():
            if (item, found.field) in filled:
                raise Unsupported("two columns of one field")  # the full loader names each repeated cell
            filled[(item, found.field)] = where
            slot = slots.setdefault((item, field_key(found.field)), len(slots))
            placed[(item, found.field)] = _Rows(units[where], np.full(len(where), slot, np.int32), texts, None, check)

    for (item, field), where in filled.items():  # 评分说明: the note of 评分, where there is one
        base = (item, field[: -len(NOTE_SUFFIX)])
        if not field.endswith(NOTE_SUFFIX) or base not in filled:
            continue
        if base not in placed or not np.isin(where, filled[base]).all():
            raise Unsupported("a note without its value, or of a note")
        notes = placed.pop((item, field)).values
        bracketed = pc.or_(pc.match_substring(notes, "("), pc.match_substring(notes, "（"))
        for text in pc.unique(notes).to_pylist():
            no_unit(text)
        for text in notes.filter(bracketed).to_pylist():  # the full loader splits a note as any cell
            if Indicator(item, None, field, "").values(text.strip())[1] is not None:
                raise Unsupported("a note ending in a bracketed number")
        note_of = np.full(len(units), -1, np.int64)
        note_of[where] = np.arange(len(where))
        chosen = note_of[filled[base]]
        placed[base].notes = pc.if_else(pa.array(chosen >= 0), notes.take(pa.array(np.maximum(chosen, 0))), "")
    return list(placed.values())


_TOP = 64  # rows looked at for the header rows and the first unit's
_PIECE = 1 << 20  # rows filled at a time (two at once): more, smaller pieces use less memory


def _fill(columns: Columns, rows: _Rows, start: int, stop: int, slot_major: bool, rate_slots: np.ndarray,
          measured_slots: np.ndarray, count_slots: np.ndarray, power_of_slot: np.ndarray) -> int:
    """Parse the cells of rows start..stop and put them in place; returns how many. A figure the
    full loader refuses for its field's unit (data.measure_problem) raises Unsupported; a bare
    figure of a field declared in 万元 or 百分点 is in that power of ten, as data.load reads it."""
    units, slot_of_row = rows.units[start:stop], rows.slots[start:stop]
    values = rows.values.slice(start, stop - start)
    flat = slot_of_row.astype(np.int64) * columns.kind.shape[1] + units if slot_major else \
        units.astype(np.int64) * columns.kind.shape[1] + slot_of_row
    cell_kind, cell_number, cell_exponent, percent, others = _parse(values)
    sized = np.zeros(len(cell_kind), bool)  # written with 万 or 亿: a size of its own, not a field's power
    for row, text in others:
        if rows.check is not None:
            rows.check(text)
        value = parse_value(text)
        if value is None or (isinstance(value, Decimal) and (len(value.as_tuple().digits) > 18
                                                             or value.as_tuple().exponent < -18)):
            raise Unsupported("blank or long cell")  # 18 digits and places: an int64 holds them, and 10 ** places
        if isinstance(value, Decimal) and written_unit(text):
            raise Unsupported("a figure written with its unit")  # the full loader checks it against the field's
        if isinstance(value, bool):
            cell_kind[row], cell_number[row] = FLAG, int(value)
        elif isinstance(value, Decimal):
            cell_kind[row] = NUMBER
            cell_number[row], cell_exponent[row] = decimal_parts(value)
            sized[row] = not bare(text)
        elif isinstance(value, date):
            cell_kind[row], cell_number[row] = DAY, (value - EPOCH).days
        else:
            cell_kind[row] = TEXT
            columns.texts[(int(slot_of_row[row]), int(units[row]))] = value
    numbers = cell_kind == NUMBER
    if np.any(measured_slots[slot_of_row] & percent & numbers):
        raise Unsupported("a percentage in a field measured in another unit")  # 0% of a count of 例
    shifted = (power_of_slot[slot_of_row] != 0) & ~percent & numbers & ~sized
    if np.any(shifted):  # the same digits, the point moved: 97.5 百分点 is 0.975, 3.5 万元 is 35000
        places = cell_exponent[shifted].astype(np.int64) - power_of_slot[slot_of_row][shifted]
        digits = cell_number[shifted]
        up = np.minimum(places, 0)
        if np.any(places > 18) or np.any(np.abs(digits) >= 10 ** (18 + up)):
            raise Unsupported("a figure past 18 digits once in its unit")
        cell_number[shifted], cell_exponent[shifted] = digits * 10 ** -up, places - up
    one = 10 ** cell_exponent.astype(np.int64)
    unmarked = rate_slots[slot_of_row] & ~percent & numbers
    if np.any((cell_number[unmarked] >= one[unmarked]) | (cell_number[unmarked] < 0)):
        raise Unsupported("a rate written without %, not a fraction")  # 97.5 for 97.5%
    rates = rate_slots[slot_of_row] & numbers
    if np.any(np.abs(cell_number[rates]) // one[rates] >= int(MAX_RATE)):
        raise Unsupported("a rate past 1000%")
    counts = count_slots[slot_of_row] & numbers
    if np.any((cell_number[counts] < 0) | (cell_number[counts] % one[counts] != 0)):
        raise Unsupported("a count not whole, or negative")
    columns.kind.ravel()[flat] = cell_kind
    columns.number.ravel()[flat] = cell_number
    columns.exponent.ravel()[flat] = cell_exponent
    assessed = np.array([field == ASSESSED for (_, field) in columns.slots], bool)
    noted = np.flatnonzero(assessed[slot_of_row])  # only an assessed score needs its note
    if len(noted) and rows.notes is not None:
        text = rows.notes.slice(start, stop - start).take(pa.array(noted))
        columns.noted.ravel()[flat[noted]] = \
            pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(text)), 0).to_numpy(zero_copy_only=False)
    return len(flat)


def _cells(data: Dataset, unit: Unit, rows: np.ndarray, written, notes, items, fields, display: str,
           lang: str) -> None:
    """One unit's cells as data.load makes them: value, text as written, note, file and row."""
    texts = written.take(pa.array(rows)).to_pylist()
    remarks = notes.take(pa.array(rows)).to_pylist() if notes is not None else [""] * len(rows)
    for row, item, field, text, remark in zip(rows.tolist(), items, fields, texts, remarks):
        raw = text.strip()
        data.values[(unit.name, item, field)] = Cell(parse_value(raw), raw, remark.strip(),
                                                     place(display, row + 2, lang))


def _read(path: Path, required: tuple[str, ...], optional: tuple[str, ...], coded: tuple[str, ...] = ()) -> dict:
    """The columns of a CSV file found by their headers (Chinese or English), as string arrays,
    or for the `coded` ones as (row codes, distinct strings)."""
    try:
        with path.open(encoding="utf-8-sig") as f:
            header_line = f.readline().rstrip("\r\n")
    except (OSError, UnicodeDecodeError):
        raise Unsupported("unreadable file") from None
    wanted = required + optional
    delimiter = _Reader._delimiter(header_line, wanted)
    header = [h.strip().lstrip("\ufeff") for h in header_line.split(delimiter)]
    names = [f"c{i}" for i in range(len(header))]
    columns = {}
    for name in wanted:
        index = next((i for i, h in enumerate(header) if h in _HEADERS[name]), None)
        if index is None and name in required:
            raise Unsupported("header")
        if index is not None:
            columns[name] = names[index]
    types = {column: pa.dictionary(pa.int32(), pa.string()) if name in coded else pa.string()
             for name, column in columns.items()}
    table = _csv(path, names, skip_rows=1, delimiter=delimiter, types=types)
    result = {}
    for name, column in columns.items():
        if name not in coded:
            result[name] = table[column]
            continue
        chunks = table[column].unify_dictionaries().chunks
        words = chunks[0].dictionary.to_pylist() if chunks else []
        codes = [c.indices.to_numpy(zero_copy_only=False) for c in chunks]
        result[name] = (np.concatenate(codes) if codes else np.zeros(0, np.int32), words)
    return result


def _read_grid(path: Path) -> pa.Table:
    """A wide CSV's cells, every row (the header rows too) and every column, as strings."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            width = len(next(csv.reader(f), []))
    except (OSError, UnicodeDecodeError, csv.Error):
        raise Unsupported("unreadable file") from None
    names = [f"c{i}" for i in range(width)]
    return _csv(path, names, skip_rows=0, delimiter=",", types={name: pa.string() for name in names})


def _csv(path: Path, names: list[str], skip_rows: int, delimiter: str, types: dict) -> pa.Table:
    if not delimiter.isascii():
        raise Unsupported("a full-width comma between fields")  # Arrow splits on one byte only
    try:
        table = pacsv.read_csv(
            path, read_options=pacsv.ReadOptions(column_names=names, skip_rows=skip_rows, block_size=_BLOCK),
            # blank lines are rows too, so that row n of the table is record n + 1 + skip_rows of
            # the file, as the exact path counts; a quoted cell may hold a line break (reading for
            # that is slower, so only where there is a quote at all)
            parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False,
                                             newlines_in_values=_quoted(path)),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                                 include_columns=list(types)))
    except (pa.ArrowInvalid, OSError):
        raise Unsupported("CSV the fast reader cannot read") from None
    for column in table.columns:
        words = [c.dictionary for c in column.chunks] if pa.types.is_dictionary(column.type) else column.chunks
        if any(len(w) and pc.max(pc.utf8_length(w)).as_py() > MAX_CELL for w in words):
            raise Unsupported("a cell too long")  # as the full loader's csv reader refuses it
    return table


def _quoted(path: Path) -> bool:
    """Whether the file has a quote anywhere (looked for in the mapped file, not read into memory)."""
    with path.open("rb") as f:
        try:
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                return mapped.find(b'"') >= 0
        except ValueError:  # an empty file cannot be mapped
            return False


def _parse(values: pa.ChunkedArray):
    """Kinds, integers and exponents of the cells the array kernels read; the rest as
    (row, text) for `parse_value`. Cheapest test first: most cells are plain numbers."""
    rows = len(values)
    kind = np.zeros(rows, dtype=np.int8)
    percent = np.zeros(rows, dtype=bool)
    number = np.zeros(rows, dtype=np.int64)
    exponent = np.zeros(rows, dtype=np.int8)
    whole = pc.and_(pc.ascii_is_decimal(values), pc.less_equal(pc.utf8_length(values), pa.scalar(18, pa.int32())))
    plain = whole.to_numpy(zero_copy_only=False)  # 0-9 only: counts, the most common cell
    kind[plain], number[plain] = NUMBER, pc.cast(values.filter(whole), pa.int64()).to_numpy()
    rest = np.flatnonzero(~plain)
    if len(rest):
        text = values.take(pa.array(rest))
        done = _numbers(text, rest, kind, number, exponent, percent=False)
        written = _numbers(text, rest, kind, number, exponent, percent=True)
        percent[rest[written]] = True
        done |= written
        for words, flag in ((_TRUE, 1), (_FALSE, 0)):
            hit = pc.is_in(text, value_set=pa.array(words)).to_numpy(zero_copy_only=False)
            kind[rest[hit]], number[rest[hit]] = FLAG, flag
            done |= hit
        iso = pc.match_substring_regex(text, r"^\d{4}-\d{2}-\d{2}$").to_numpy(zero_copy_only=False)
        if iso.any():
            written = text.filter(pa.array(iso))
            stamps = pc.strptime(written, format="%Y-%m-%d", unit="s", error_is_null=True)
            days = pc.cast(stamps, pa.date32())
            # Arrow rolls a day past the month's end over (2021-09-31 → 10-01) and takes a year 0:
            # only a date whose year, month and day are the ones written is one (compared as
            # numbers: formatting every date back to text cost a fifth of reading a wide file);
            # the rest are read as the full loader reads them
            year, month, day = (pc.cast(pc.utf8_slice_codeunits(written, a, b), pa.int64())
                                for a, b in ((0, 4), (5, 7), (8, 10)))
            valid = pc.fill_null(pc.and_(pc.and_(pc.equal(pc.year(stamps), year), pc.greater_equal(year, 1)),
                                         pc.and_(pc.equal(pc.month(stamps), month), pc.equal(pc.day(stamps), day))),
                                 False)
            where = rest[np.flatnonzero(iso)[valid.to_numpy(zero_copy_only=False)]]
            kind[where], number[where] = DAY, days.filter(valid).cast(pa.int32()).to_numpy()
    others = np.flatnonzero(kind == MISSING)
    return kind, number, exponent, percent, list(zip(others.tolist(), values.take(pa.array(others)).to_pylist()))


def _numbers(text, rows: np.ndarray, kind, number, exponent, percent: bool) -> np.ndarray:
    """Fill in the cells of `text` (rows `rows`) that are plain numbers (or percentages) of at
    most 18 digits; returns which were."""
    pattern = r"^-?\d+(\.\d+)?%$" if percent else r"^-?\d+(\.\d+)?$"
    length = pc.utf8_length(text)
    hit = pc.and_(pc.match_substring_regex(text, pattern), pc.less_equal(length, pa.scalar(18 + percent, pa.int32())))  # 18 characters always fit int64
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
