"""Wide tables: the 任务分解表 layout officials keep, indicators as rows and units as columns,
from .xlsx (openpyxl) or CSV.

The header row is found as the row that names the most units (names broken over lines or with
full-width brackets still match). An indicator row is matched by its label cells — right to
left, so "其中：居保转企保" wins over the merged label above it — against the items' names,
titles and 别名. A template sheet has a 字段 column; otherwise values fill the file's field
(任务 or 实际). A cell "15000\\n(7500)" holds a value and, in brackets, a second one that belongs
to the item declaring the row label as `别名 其中`.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from .data import Dataset, Unit, normalise, read_text
from .errors import DataError, Diagnostic, diagnostic

_BRACKETED = re.compile(r"^(.*?)\s*[（(]\s*([^()（）]*?)\s*[)）]\s*$", re.S)
_FIELD_HEADERS = {"字段", "field"}
REFERENCE = "（参考）"  # a template row shown for reference (the targets), never read back


@dataclass
class Grid:
    """One sheet as text cells, merged cells filled with their value."""
    name: str
    cells: list[list[str]]


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
    text = read_text(path, display, lang)
    return [Grid(path.stem, list(csv.reader(text.splitlines())))]


def _column(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


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


def _read_grid(grid, display, field, data, item_names, sub_names, lang, entries, problems) -> None:
    def exact(text: str) -> Unit | None:
        return data.by_key.get(normalise(text)) if text.strip() else None

    counts = [sum(1 for cell in row if exact(cell)) for row in grid.cells]
    if not counts or max(counts) == 0:
        return  # a sheet without a header naming units: notes, another table
    header_index = counts.index(max(counts))
    header = grid.cells[header_index]
    unit_columns: dict[int, Unit] = {}
    for col, cell in enumerate(header):
        unit = exact(cell) or _by_prefix(data, cell)
        if unit is not None:
            unit_columns[col] = unit
    first = min(unit_columns)
    field_column = next((c for c, h in enumerate(header[:first]) if normalise(h) in _FIELD_HEADERS), None)
    for r in range(header_index + 1, len(grid.cells)):
        row = grid.cells[r] + [""] * (len(header) - len(grid.cells[r]))
        labels = [row[c].strip() for c in range(first) if c != field_column and row[c].strip()
                  and not _is_number(row[c])]
        item, sub = _match(labels, item_names), _match(labels, sub_names)
        if item is None and sub is None:
            continue  # a title, a repeated header, a section row
        row_field = row[field_column].strip() if field_column is not None and row[field_column].strip() else field
        if row_field.endswith(REFERENCE):
            continue
        for col, unit in unit_columns.items():
            raw = row[col].strip()
            if not raw:
                continue
            where = f"{display} {grid.name}!{_column(col)}{r + 1}"
            main, bracketed = raw, None
            bracket = _BRACKETED.match(raw)
            if bracket and _is_number(bracket.group(2)):
                main, bracketed = bracket.group(1).strip(), bracket.group(2)
            if main and item is not None:
                entries.append((unit, item, row_field, main, where))
            if bracketed is not None:
                if sub is None:
                    problems.append(diagnostic("E312", lang, place=where, what=(
                        f"括号内的值 {bracketed} 无所属指标（请在方案中为其指标写 别名 其中 \"{labels[-1]}\"）"
                        if lang == "zh" else
                        f"the bracketed value {bracketed} belongs to no item (declare aliases sub \"{labels[-1]}\")")))
                else:
                    entries.append((unit, sub, row_field, bracketed, where))


def _by_prefix(data: Dataset, text: str) -> Unit | None:
    """A header cell cut short ("高新区（城南街道") names the one unit it begins."""
    key = normalise(text)
    if len(key) < 2:
        return None
    matches = {u.name: u for k, u in data.by_key.items() if k.startswith(key)}
    return next(iter(matches.values())) if len(matches) == 1 else None


def _match(labels: list[str], names: dict[str, str]) -> str | None:
    for candidate in ["".join(labels), *reversed(labels)]:
        found = names.get(normalise(candidate))
        if found is not None:
            return found
    return None


def _is_number(text: str) -> bool:
    from .data import parse_value

    return isinstance(parse_value(text), Decimal)
