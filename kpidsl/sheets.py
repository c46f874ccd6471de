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

import re
import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from itertools import zip_longest
from pathlib import Path

from . import units
from .data import (_HEADERS, NOTE_SUFFIX, Dataset, Unit, bare, csv_rows, fields_unlike_header, normalise,
                   parse_value, read_text, written_unit)
from .errors import DataError, Diagnostic, close_matches, diagnostic, said_close

_BRACKETED = re.compile(r"^(.*?)\s*[（(]\s*([^()（）]*?)\s*[)）]\s*$", re.S)
_FIELD_HEADERS = {"字段", "field"}
_MEASURE_HEADERS = {"计量"}  # the template's column saying the unit a row's figures are in ("unit" is 单位)
REFERENCE = "（参考）"  # a template row shown for reference (the targets), never read back
UNIT_PROPERTY = "kpidsl单位"  # a unit's own workbook (kpi template --per-unit) names its unit here


@dataclass
class Grid:
    """One sheet as text cells, merged cells filled with their value; `transposed`: its rows
    are the sheet's columns."""
    name: str
    cells: list[list[str]]
    transposed: bool = False
    merges: list[tuple[int, int, int, int]] = dataclasses.field(default_factory=list)  # first row, column; last
    uncomputed: set[tuple[int, int]] = dataclasses.field(default_factory=set)  # formulas with no cached value
    csv: bool = False  # read from a CSV: its rows as long as they were written (a sheet's are all alike)

    def transpose(self) -> Grid:
        return Grid(self.name, [list(column) for column in zip_longest(*self.cells, fillvalue="")],
                    not self.transposed, [(c, r, c2, r2) for r, c, r2, c2 in self.merges],
                    {(c, r) for r, c in self.uncomputed}, self.csv)

    def where(self, display: str, row: int, column: int, last: tuple[int, int] | None = None) -> str:
        """A cell's place as the sheet shows it (a range's, to its `last` cell)."""
        place = cell_place(display, self.name, *((column, row) if self.transposed else (row, column)))
        if last is None:
            return place
        return place + ":" + self.where("", *last).rsplit("!", 1)[1]


def cell_place(display: str, sheet: str, row: int, column: int) -> str:
    """Where a cell is, as messages say it: 任务分解表.xlsx 附件2!H14 (row and column from 0)."""
    from openpyxl.utils import get_column_letter

    return f"{display} {sheet}!{get_column_letter(column + 1)}{row + 1}"


# A date cell before this year holds a number typed into it, not a date: 930 (for 9月30日) reads
# 1902-07-18, 2021 reads 1905-07-13, 0 a time of day. It is read as neither a date nor a number
# (which one was typed is not recoverable exactly: Excel's 1900 leap day, 1904-based workbooks):
# a rule reading it refuses it with its cell, never taking a date that passes 完成日期 <= 2021-09-30.
FIRST_YEAR = 1950

UNCOMPUTED = object()  # a formula's cell holding no result: a program wrote it, nothing computed it


def _text(value, number_format: str = "General", lang: str = "zh") -> str:
    if value is None or value is UNCOMPUTED:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, time) or (isinstance(value, (datetime, date)) and value.year < FIRST_YEAR):
        shown = value.isoformat() if isinstance(value, time) else value.strftime("%Y-%m-%d")
        return shown + ("（日期格式的单元格中填的疑为数字）" if lang == "zh" else " (a number typed into a date cell?)")
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):  # exact as written: repr is the shortest round-tripping form
        value = Decimal(repr(value))
    if isinstance(value, (int, Decimal)):
        if "%" in number_format:
            return f"{Decimal(value) * 100:f}%"
        return f"{value:f}" if isinstance(value, Decimal) else str(value)
    return str(value)


MAX_CELLS = 5_000_000  # cells one workbook may hold: far past any 任务分解表, well short of memory trouble


def read_grids(path: Path, display: str, lang: str) -> tuple[list[Grid], str | None]:
    """The file's sheets, and the unit it is the workbook of, if it says (UNIT_PROPERTY)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
            claim = next((p.value for p in book.custom_doc_props if p.name == UNIT_PROPERTY), None)
            return _sheets(book, display, lang), claim
        except DataError:
            raise
        except Exception as e:  # openpyxl and zipfile raise many kinds for a file that is not a workbook
            raise DataError([diagnostic("E301", lang, path=display, reason=f"不是 .xlsx 工作簿（{e}）")]) from None
    return [Grid(path.stem, csv_rows(read_text(path, display, lang), ",", display, lang), csv=True)], None


def _sheets(book, display: str, lang: str) -> list[Grid]:
    """Every sheet as text cells, read as the XML holds them: in time and memory proportional to
    the cells written, whatever dimension the sheet declares or how far a merge reaches. A merged
    range is filled with its value within the cells read, and kept to check it spans one unit."""
    from openpyxl.worksheet._read_only import ReadOnlyCell
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser
    from openpyxl.worksheet.cell_range import CellRange

    class _Parser(WorkSheetParser):  # marks the formulas Excel never computed (data_only drops them)
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = UNCOMPUTED
            return cell

    grids = []
    for sheet in book.worksheets:
        rows: dict[int, list[str]] = {}
        uncomputed: set[tuple[int, int]] = set()
        height = width = 0
        with sheet._get_source() as source:  # the parser read-only sheets use, keeping its merges
            parser = _Parser(source, sheet._shared_strings, data_only=True, epoch=book.epoch,
                                     date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
            for number, row in parser.parse():
                written = [cell for cell in row if cell["value"] is not None]  # not cells only formatted
                uncomputed.update((number - 1, cell["column"] - 1) for cell in written if cell["value"] is UNCOMPUTED)
                if not written:
                    continue
                height, width = number, max(width, written[-1]["column"])
                if height * width > MAX_CELLS:  # the grid is read as a rectangle, and maybe transposed
                    far = cell_place("", sheet.title, number - 1, written[-1]["column"] - 1).strip()
                    raise DataError([diagnostic("E301", lang, path=display, reason=(
                        f"工作表 {sheet.title} 过大：单元格 {far} 使表格超过 {MAX_CELLS} 格（若是误填，请删除）"
                        if lang == "zh" else f"sheet {sheet.title} too large: the cell {far} makes it over {MAX_CELLS} cells"))])
                line = rows[number] = [""] * written[-1]["column"]
                for cell in written:
                    line[cell["column"] - 1] = _text(cell["value"], ReadOnlyCell(sheet, **cell).number_format, lang)
        cells = [rows.get(number, []) for number in range(1, height + 1)]
        merges = []
        for merged in parser.merged_cells.mergeCell if parser.merged_cells else ():
            span = CellRange(merged.ref)
            merges.append((span.min_row - 1, span.min_col - 1, span.max_row - 1, span.max_col - 1))
            value = cells[span.min_row - 1][span.min_col - 1] if span.min_row <= len(cells) and \
                span.min_col <= len(cells[span.min_row - 1]) else ""
            for r in range(span.min_row - 1, min(span.max_row, len(cells))):
                for c in range(span.min_col - 1, min(span.max_col, len(cells[r]))):
                    cells[r][c] = value
        grids.append(Grid(sheet.title, cells, merges=merges, uncomputed=uncomputed))
    return grids


def read_wide(path: Path, display: str, field: str, data: Dataset, item_names: dict[str, str],
              sub_names: dict[str, str], lang: str):
    """(unit, item, field, raw text, place) for every cell of every indicator row (raw text ""
    where blank, None where refused), the problems found, and the unit whose own workbook this
    is (None for a table of several units): a figure of another unit in it is refused."""
    entries: list[tuple[Unit, str, str, str, str]] = []
    problems: list[Diagnostic] = []
    grids, claim = read_grids(path, display, lang)
    for grid in grids[:1]:  # a values file (单位,指标,字段,值) given as a table: named, not 196 missing figures
        first = next((row for row in grid.cells if any(c.strip() for c in row)), [])
        names = {c.strip().lstrip("\ufeff") for c in first}
        if all(names & set(_HEADERS[column]) for column in ("unit", "item", "field", "value")):
            raise DataError([diagnostic("E314", lang, place=display, what=(
                f"是数值文件（表头 {','.join(c.strip() for c in first)}），不是一行一个指标或一行一个单位的表格："
                "请用 --values 读取" if lang == "zh" else
                f"a values file (header {','.join(c.strip() for c in first)}), not a table of items by units: "
                "give it with --values"))])
    headed = [_read_grid(grid, display, field, data, item_names, sub_names, lang, entries, problems)
              for grid in grids]
    if not any(headed) and not problems:  # a sheet left blank under its header is read: each gap is named
        problems.append(diagnostic("E302", lang, path=display, wanted="单位名称（表头行）",
                                   header="（未找到列出单位的表头行）"))
    if claim is None:
        return entries, problems, None
    owner = exact_unit(data, claim)
    if owner is None:
        problems.append(diagnostic("E315", lang, what=(
            f"{display}：是 {claim} 的填报表，单位名单中没有此单位" if lang == "zh" else
            f"{display}: the workbook of {claim}, a unit not in the units file")))
        return [], problems, None
    strangers: dict[str, str] = {}
    for unit, *_, where in entries:
        if unit is not owner:
            strangers.setdefault(unit.name, where)
    if strangers:  # the unit's own figures are not there: named once here, not again as missing
        data.refused.add(owner.name)
    for name, where in strangers.items():  # a column renamed or pasted from another unit's workbook
        problems.append(diagnostic("E315", lang, what=(
            f"{where}：这是 {owner.name} 的填报表，此列却是 {name} 的" if lang == "zh" else
            f"{where}: this is {owner.name}'s workbook, but this column is {name}'s")))
    return [e for e in entries if e[0] is owner], problems, owner


def with_notes(entries: list[tuple[Unit, str, str, str, str]]):
    """The entries of a file as (unit, item, field, raw text, note, place): a 评分说明 entry is
    the note of the unit's 评分 entry where there is one, and no value of its own."""
    fields = {(u.name, i, f) for u, i, f, _, _ in entries}
    notes = {(u.name, i, f[: -len(NOTE_SUFFIX)]): raw for u, i, f, raw, _ in entries
             if f.endswith(NOTE_SUFFIX) and (u.name, i, f[: -len(NOTE_SUFFIX)]) in fields}
    for unit, item, field, raw, where in entries:
        if field.endswith(NOTE_SUFFIX) and (unit.name, item, field[: -len(NOTE_SUFFIX)]) in notes and raw:
            continue  # the reason for its base, attached to it as its note (a blank one kept as a blank)
        yield unit, item, field, raw, notes.get((unit.name, item, field), ""), where


@dataclass(frozen=True)
class Indicator:
    """What the cells of an indicator row fill: the item of their value, the item of their
    bracketed second value (别名 其中), the field; and the row's label, to name in a message."""
    item: str | None
    sub: str | None
    field: str
    label: str
    measure: str = ""  # the row's 计量 as written (the template's), "" if none
    def values(self, raw: str) -> tuple[list[tuple[str, str]], str | None]:
        """A cell's values as (item, text), and a bracketed value that belongs to no item. A bare
        figure in a row whose 计量 names a unit (8015000 in a row of 元) is read in it; rates and
        dates are read as the scheme measures them."""
        measured = units.read(self.measure) if self.measure else None
        if measured and measured[0] not in ("", units.PERCENT) and _is_number(raw) and not written_unit(raw):
            raw += self.measure if bare(raw) else measured[0]  # 801.5万 in a row of 万元: 801.5万元, its own 万
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
    measures: int | None = None  # the 计量 column
    header: int = 0  # the row naming the units

def _read_grid(grid, display, field, data, item_names, sub_names, lang, entries, problems) -> bool:
    """Read a sheet's figures into `entries`; whether it has a header naming units."""
    named = [[exact_unit(data, cell) is not None for cell in row] for row in grid.cells]
    by_row = [sum(row) for row in named]
    by_column = [sum(column) for column in zip_longest(*named, fillvalue=False)]
    if not by_row or max(by_row) == 0:
        return False  # a sheet without a header naming units: notes, another table
    # one row per unit where a column names more units than any row; for a single unit, the
    # orientation in which its figures are labelled by items
    candidates = [(grid, by_row), (grid.transpose(), by_column)]
    if max(by_row) != max(by_column):
        candidates = [candidates[max(by_column) > max(by_row)]]
    written = grid
    grid, layout = max(((g, _layout(g, counts, data, field, item_names, sub_names)) for g, counts in candidates),
                       key=lambda found: len(found[1].indicators))  # the first of equals: as the sheet is
    read = [r for r, _ in layout.indicators]
    shifted = _longer_than_header(written, grid, layout, read, display, lang) if written.csv else {}
    problems.extend(shifted.values())
    problems.extend(_unit_written_otherwise(grid, layout, data, display, lang))
    for first_row, first_column, last_row, last_column in grid.merges:
        spanned = {layout.units[c].name: None for r in read if first_row <= r <= last_row
                   for c in layout.units if first_column <= c <= last_column}
        if len(spanned) > 1 or (spanned and sum(first_row <= r <= last_row for r in read) > 1):
            # one figure copied into another unit's or item's cell would be scored as theirs
            problems.append(diagnostic("E314", lang, place=grid.where(display, first_row, first_column,
                                                                      (last_row, last_column)), what=(
                f"合并单元格跨越多个数值单元格（{'、'.join(spanned)}）：每个单位、每项指标的数值须各占一格" if lang == "zh" else
                f"a merged range covers several figures ({', '.join(spanned)}): each unit's and item's figure needs its own cell")))
    for r, indicator in layout.indicators:
        row = grid.cells[r]
        if indicator.measure and not units.declared(indicator.measure)[0] in (units.PERCENT, units.DATE) \
                and units.read(indicator.measure) is None:  # a unit typed over: its figures cannot be read
            problems.append(diagnostic("E107", lang, unit=f"{indicator.measure}（{grid.where(display, r, layout.measures)}）",
                                       known=units.known()))
            entries.extend((unit, indicator.item, indicator.field, None, grid.where(display, r, col))  # refused here
                           for col, unit in layout.units.items() if indicator.item is not None)
            continue
        for col, unit in layout.units.items():
            raw = row[col].strip() if col < len(row) else ""
            where = grid.where(display, r, col)
            if (col if grid.transposed else r) in shifted:  # refused with its row, above
                if indicator.item is not None:
                    entries.append((unit, indicator.item, indicator.field, None, where))
                continue
            if (r, col) in grid.uncomputed:  # never evaluated here: its result is what Excel saved
                problems.append(diagnostic("E314", lang, place=where, what=(
                    "公式没有保存计算结果（请在 Excel 中打开并保存，或改填数值）" if lang == "zh" else
                    "a formula without a saved result (open and save the workbook in Excel, or type the value)")))
                entries.append((unit, indicator.item, indicator.field, None, where))
                continue
            if not raw:  # kept by its place: if a rule needs it, the message names the cell
                if indicator.item is not None:
                    entries.append((unit, indicator.item, indicator.field, "", where))
                continue
            values, bracketed = indicator.values(raw)
            entries.extend((unit, item, indicator.field, text, where) for item, text in values)
            if bracketed is not None:
                problems.append(diagnostic("E312", lang, place=where, what=(
                    f"括号内的值 {bracketed} 无所属指标（请在方案中为其指标写 别名 其中 \"{indicator.label}\"）"
                    if lang == "zh" else
                    f"the bracketed value {bracketed} belongs to no item (declare aliases sub \"{indicator.label}\")")))
    return True


def _unit_written_otherwise(grid: Grid, layout: Layout, data: Dataset, display: str, lang: str) -> list[Diagnostic]:
    """A unit this table gives no figures, and a cell where its name would be that reads nearly
    as it (丁堰镇（已核）): named at that cell (E303), rather than each of its figures as missing."""
    present = {unit.name for unit in layout.units.values()}
    absent = [unit.name for unit in data.units if unit.name not in present]
    found = []
    for col, cell in enumerate(grid.cells[layout.header]):
        if col in layout.units or not cell.strip() or not absent:
            continue
        close = close_matches(cell.strip(), absent)
        if close:
            data.refused.update(close)  # named here, not again as missing figure by figure
            found.append(diagnostic("E303", lang, place=grid.where(display, layout.header, col), unit=cell.strip(),
                                    hint=said_close(close, lang)))
    return found


def _longer_than_header(written: Grid, grid: Grid, layout: Layout, read: list[int], display: str,
                        lang: str) -> dict[int, Diagnostic]:
    """The CSV rows of figures longer than their table's header, each with its E314: `1,200` saved
    unquoted is two fields, and every figure after it would move one unit (or item) along —
    unseen where the column it pushes out is a blank 备注. Refused, as the long layout's reader
    refuses such a row, with all its figures. (Rows as long as it: a tool padding every row.)"""
    rows = written.cells
    figures = sorted(layout.units) if grid.transposed else read  # rows of the CSV as written
    if not figures:
        return {}
    header = max((len(rows[r]) for r in range(min(figures)) if any(c.strip() for c in rows[r])), default=0)
    padded = sum(len(rows[r]) > header for r in figures) > len(figures) / 2
    return {r: fields_unlike_header(display, r + 1, len(rows[r]), header, lang)
            for r in figures if len(rows[r]) > header and (not padded or any(c.strip() for c in rows[r][header:]))}


def _layout(grid: Grid, counts: list[int], data: Dataset, field: str, item_names, sub_names) -> Layout:
    """The header is the row naming the most units (counts: units named, row by row)."""
    header_index = counts.index(max(counts))
    header = grid.cells[header_index]
    unit_columns = {col: unit for col, cell in enumerate(header) if (unit := named_unit(data, cell))}
    first = min(unit_columns)
    fields = field_index(header[:first])
    measures = measure_index(header[:first])
    indicators = []
    for r in range(header_index + 1, len(grid.cells)):
        labels = grid.cells[r][:first]
        written = labels[measures].strip() if measures is not None and measures < len(labels) else ""
        if measures is not None:  # not a label of the row
            labels = [cell if c != measures else "" for c, cell in enumerate(labels)]
        found = indicator(labels, fields, field, item_names, sub_names)
        if found is not None:
            indicators.append((r, dataclasses.replace(found, measure=written)))
    return Layout(unit_columns, indicators, measures, header_index)


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


def measure_index(header: list[str]) -> int | None:
    """Which of the header's cells before the units is the 计量 column (the template's layout)."""
    return next((c for c, h in enumerate(header) if normalise(h) in _MEASURE_HEADERS), None)


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
