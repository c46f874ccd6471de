"""Wide tables: the 任务分解表 layout officials keep, indicators as rows and units as columns, or
its transpose, one row per unit (what a CSV of more units than Excel's 16,384 columns must be);
from .xlsx (openpyxl) or CSV.

The units run along the row or the column that names the most units (names broken over lines or
with full-width brackets still match); a sheet whose column names more units than any row is
read as its transpose, so that one reading serves both. An indicator row is matched by its label
cells — right to left, so "其中：居保转企保" wins over the merged label above it — against the
items' names, titles and 别名. A template sheet has a 字段 column; otherwise values fill the
file's field (任务 or 实际). A cell "15000\\n(7500)" holds a value and, in brackets, a second one
that belongs to the item declaring the row label as `别名 其中`.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import zip_longest
from pathlib import Path

from .data import NOTE_SUFFIX, Dataset, Unit, normalise, parse_value, read_text
from .errors import DataError, Diagnostic, diagnostic

_BRACKETED = re.compile(r"^(.*?)\s*[（(]\s*([^()（）]*?)\s*[)）]\s*$", re.S)
_FIELD_HEADERS = {"字段", "field"}
REFERENCE = "（参考）"  # a template row shown for reference (the targets), never read back


@dataclass
class Grid:
    """One sheet as text cells, merged cells filled with their value; `transposed`: its rows
    are the sheet's columns."""
    name: str
    cells: list[list[str]]
    transposed: bool = False

    def transpose(self) -> Grid:
        return Grid(self.name, [list(column) for column in zip_longest(*self.cells, fillvalue="")],
                    not self.transposed)

    def where(self, display: str, row: int, column: int) -> str:
        """A cell's place as the sheet shows it."""
        return cell_place(display, self.name, *((column, row) if self.transposed else (row, column)))


def cell_place(display: str, sheet: str, row: int, column: int) -> str:
    """Where a cell is, as messages say it: 任务分解表.xlsx 附件2!H14 (row and column from 0)."""
    from openpyxl.utils import get_column_letter

    return f"{display} {sheet}!{get_column_letter(column + 1)}{row + 1}"


def _text(value, number_format: str = "General") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):  # exact as written: repr is the shortest round-tripping form
        value = Decimal(repr(value))
    if isinstance(value, (int, Decimal)):
        if "%" in number_format:
            return f"{Decimal(value) * 100:f}%"
        return f"{value:f}" if isinstance(value, Decimal) else str(value)
    return str(value)


def read_grids(path: Path, display: str, lang: str) -> list[Grid]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, data_only=True)
        except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
            raise DataError([diagnostic("E301", lang, path=display, reason=f"不是 .xlsx 工作簿（{e}）")]) from None
        grids = []
        for sheet in book.worksheets:
            cells = [[_text(c.value, c.number_format) for c in row] for row in sheet.iter_rows()]
            for merged in sheet.merged_cells.ranges:
                value = cells[merged.min_row - 1][merged.min_col - 1]
                for r in range(merged.min_row - 1, min(merged.max_row, len(cells))):
                    for c in range(merged.min_col - 1, min(merged.max_col, len(cells[r]))):
                        cells[r][c] = value
            grids.append(Grid(sheet.title, cells))
        return grids
    # csv splits the records, as for the long layout: a quoted cell may hold a line break
    return [Grid(path.stem, list(csv.reader(io.StringIO(read_text(path, display, lang), newline=""))))]


def read_wide(path: Path, display: str, field: str, data: Dataset, item_names: dict[str, str],
              sub_names: dict[str, str], lang: str):
    """(unit, item, field, raw text, place) for every filled cell of every indicator row, and
    the problems found."""
    entries: list[tuple[Unit, str, str, str, str]] = []
    problems: list[Diagnostic] = []
    for grid in read_grids(path, display, lang):
        _read_grid(grid, display, field, data, item_names, sub_names, lang, entries, problems)
    if not entries and not problems:
        problems.append(diagnostic("E302", lang, path=display, wanted="单位名称（表头行）",
                                   header="（未找到列出单位的表头行）"))
    return entries, problems


def with_notes(entries: list[tuple[Unit, str, str, str, str]]):
    """The entries of a file as (unit, item, field, raw text, note, place): a 评分说明 entry is
    the note of the unit's 评分 entry where there is one, and no value of its own."""
    fields = {(u.name, i, f) for u, i, f, _, _ in entries}
    notes = {(u.name, i, f[: -len(NOTE_SUFFIX)]): raw for u, i, f, raw, _ in entries
             if f.endswith(NOTE_SUFFIX) and (u.name, i, f[: -len(NOTE_SUFFIX)]) in fields}
    for unit, item, field, raw, where in entries:
        if field.endswith(NOTE_SUFFIX) and (unit.name, item, field[: -len(NOTE_SUFFIX)]) in notes:
            continue  # the reason for its base, attached to it as its note
        yield unit, item, field, raw, notes.get((unit.name, item, field), ""), where


@dataclass(frozen=True)
class Indicator:
    """What the cells of an indicator row fill: the item of their value, the item of their
    bracketed second value (别名 其中), the field; and the row's label, to name in a message."""
    item: str | None
    sub: str | None
    field: str
    label: str

    def values(self, raw: str) -> tuple[list[tuple[str, str]], str | None]:
        """A cell's values as (item, text), and a bracketed value that belongs to no item."""
        main, bracketed = raw, None
        bracket = _BRACKETED.match(raw)
        if bracket and _is_number(bracket.group(2)):
            main, bracketed = bracket.group(1).strip(), bracket.group(2)
        values = [(self.item, main)] if main and self.item is not None else []
        if bracketed is not None and self.sub is not None:
            values.append((self.sub, bracketed))
            bracketed = None
        return values, bracketed


@dataclass
class Layout:
    """How a grid is read: the column of each unit, the rows read and what each fills."""
    units: dict[int, Unit]
    indicators: list[tuple[int, Indicator]]


def _read_grid(grid, display, field, data, item_names, sub_names, lang, entries, problems) -> None:
    named = [[exact_unit(data, cell) is not None for cell in row] for row in grid.cells]
    by_row = [sum(row) for row in named]
    by_column = [sum(column) for column in zip_longest(*named, fillvalue=False)]
    if not by_row or max(by_row) == 0:
        return  # a sheet without a header naming units: notes, another table
    # one row per unit where a column names more units than any row; for a single unit, the
    # orientation in which its figures are labelled by items
    candidates = [(grid, by_row), (grid.transpose(), by_column)]
    if max(by_row) != max(by_column):
        candidates = [candidates[max(by_column) > max(by_row)]]
    grid, layout = max(((g, _layout(g, counts, data, field, item_names, sub_names)) for g, counts in candidates),
                       key=lambda found: len(found[1].indicators))  # the first of equals: as the sheet is
    for r, indicator in layout.indicators:
        row = grid.cells[r]
        for col, unit in layout.units.items():
            raw = row[col].strip() if col < len(row) else ""
            if not raw:
                continue
            where = grid.where(display, r, col)
            values, bracketed = indicator.values(raw)
            entries.extend((unit, item, indicator.field, text, where) for item, text in values)
            if bracketed is not None:
                problems.append(diagnostic("E312", lang, place=where, what=(
                    f"括号内的值 {bracketed} 无所属指标（请在方案中为其指标写 别名 其中 \"{indicator.label}\"）"
                    if lang == "zh" else
                    f"the bracketed value {bracketed} belongs to no item (declare aliases sub \"{indicator.label}\")")))


def _layout(grid: Grid, counts: list[int], data: Dataset, field: str, item_names, sub_names) -> Layout:
    """The header is the row naming the most units (counts: units named, row by row)."""
    header_index = counts.index(max(counts))
    header = grid.cells[header_index]
    unit_columns = {col: unit for col, cell in enumerate(header) if (unit := named_unit(data, cell))}
    first = min(unit_columns)
    fields = field_index(header[:first])
    indicators = []
    for r in range(header_index + 1, len(grid.cells)):
        found = indicator(grid.cells[r][:first], fields, field, item_names, sub_names)
        if found is not None:
            indicators.append((r, found))
    return Layout(unit_columns, indicators)


def exact_unit(data: Dataset, text: str) -> Unit | None:
    """The unit a cell names, white space and full-width forms aside."""
    return data.by_key.get(normalise(text)) if text.strip() else None


def named_unit(data: Dataset, text: str) -> Unit | None:
    """The unit a header cell names: exactly, or cut short ("高新区（城南街道") the one unit it begins."""
    unit = exact_unit(data, text)
    if unit is not None:
        return unit
    key = normalise(text)
    if len(key) < 2:
        return None
    matches = {u.name: u for k, u in data.by_key.items() if k.startswith(key)}
    return next(iter(matches.values())) if len(matches) == 1 else None


def field_index(header: list[str]) -> int | None:
    """Which of the header's cells before the units is the 字段 column (the template's layout)."""
    return next((c for c, h in enumerate(header) if normalise(h) in _FIELD_HEADERS), None)


def indicator(labels: list[str], field_at: int | None, field: str, item_names: dict[str, str],
              sub_names: dict[str, str]) -> Indicator | None:
    """What a row's cells fill, from its cells before the units (labels, and its field at
    `field_at`); None for a row not read: a title, a repeated header, a section row, a row
    for reference. Numbers (合计, 分值) are not labels."""
    words = [cell.strip() for c, cell in enumerate(labels) if c != field_at and cell.strip() and not _is_number(cell)]
    item, sub = _match(words, item_names), _match(words, sub_names)
    if item is None and sub is None:
        return None
    written = labels[field_at].strip() if field_at is not None and field_at < len(labels) else ""
    if (written or field).endswith(REFERENCE):
        return None
    return Indicator(item, sub, written or field, words[-1])



def _match(labels: list[str], names: dict[str, str]) -> str | None:
    for candidate in ["".join(labels), *reversed(labels)]:
        found = names.get(normalise(candidate))
        if found is not None:
            return found
    return None


def _is_number(text: str) -> bool:
    return isinstance(parse_value(text), Decimal)
