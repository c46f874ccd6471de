"""Workbook renderers (openpyxl): the results workbook and the template towns fill in."""
from __future__ import annotations

import re
from decimal import Decimal
from unicodedata import east_asian_width
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.datavalidation import DataValidation

from ..ast import TARGET, Assessed, Item
from ..checker import BAND, DATE, FLAG, NUMBER, SCORE, award_fields, field_units, required_fields
from ..data import NOT_APPLICABLE, NOTE_SUFFIX, Dataset
from ..index import SchemeIndex
from ..result import ItemResult, Results, SectionResult
from ..sheets import REFERENCE, UNIT_PROPERTY
from ..units import declared, kind as unit_kind, scaled

BOLD = Font(bold=True)
GREY = PatternFill("solid", fgColor="E7E6E6")
TO_FILL = PatternFill("solid", fgColor="FFF2CC")  # the cells a town types in
THIN = Side(style="thin", color="A6A6A6")
RULED = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")


def _identity(items, total, description):
    return items


def sheet_title(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    title = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "_"
    base, n = title, 2
    while title in taken:
        suffix = f"~{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title)
    return title


def _append(sheet, row) -> None:
    """A row of values, text always as text: a name or 原文 such as `=HYPERLINK(…)` is never
    written as a formula (openpyxl would take a leading = as one)."""
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


SCORE_FORMAT, MONEY_FORMAT = "0.00", "#,##0.00"


def write_results(results: Results, path, progress=_identity, awards=None) -> None:
    """A ranking sheet, the awards ledger where the scheme pays money, then one sheet per unit
    with every item, its loss and reasons, and the ledger. Numbers are numbers in the cells,
    formatted (scores 0.00, money #,##0.00); every sheet prints on A4, fitted to its width,
    its heading repeated on every page."""
    book = Workbook()
    ranking = book.active
    ranking.title = "排名"
    taken = {"排名"}
    if awards is not None:
        _awards_sheet(book.create_sheet("奖励"), results, awards)
        taken.add("奖励")
    sections = [h.name + ("（加分）" if h.bonus else "") for h in results.heads]
    _append(ranking, ["名次", "单位", "分组", "组内名次", *sections, "总分"])
    for unit in results.units:
        own = {s.path[-1]: s.score for s in unit.sections}  # — for a section its group is not totalled on
        _append(ranking, [unit.rank, unit.unit, unit.group, unit.group_rank,
                        *(own.get(h.name, "—") for h in results.heads), unit.total])
    _numbers(ranking, 2, range(5, 6 + len(sections)), SCORE_FORMAT)
    _layout(ranking, heading=1)
    scheme_file = Path(results.path).name
    for unit in progress(results.units, len(results.units), "写入各单位说明"):
        sheet = book.create_sheet(sheet_title(unit.unit, taken))
        _append(sheet, [f"{unit.unit}（{unit.group}）", "总分", unit.total,
                      f"全体第 {unit.rank} 名", f"{unit.group}内第 {unit.group_rank} 名"])
        sheet.cell(1, 3).number_format = SCORE_FORMAT
        _append(sheet, ["板块 / 指标", "满分", "得分", "失分", "计入总分", "说明", "原文", "方案行"])
        for top in unit.sections:
            for node in top.nodes():
                reasons = "\n".join(f"{l.text}：{l.arithmetic}" + (f"（扣 {l.lost}）" if l.lost else "")
                                    for l in node.lines)
                counted = -(node.lost * node.weight) if isinstance(node, ItemResult) and not node.bonus else None
                _append(sheet, [node.path[-1], node.max, node.score, node.lost, counted, reasons,
                              node.source or "", f"{scheme_file}:{node.line}"])
                sheet.cell(sheet.max_row, 1).alignment = Alignment(indent=len(node.path) - 1, wrap_text=True,
                                                                   vertical="top")
                if isinstance(node, SectionResult):
                    for cell in sheet[sheet.max_row]:
                        cell.font = BOLD
        _append(sheet, [])
        _append(sheet, ["账目", None, None, None, "分"])
        _append(sheet, ["满分", None, None, None, unit.full])
        for entry in unit.ledger():
            _append(sheet, [entry.label, None, None, None, entry.points, entry.detail])
        _append(sheet, ["总分", None, None, None, unit.total])
        _numbers(sheet, 3, range(2, 6), SCORE_FORMAT)
        for row in sheet.iter_rows(min_row=3, min_col=2):  # figures level with their item's name
            for cell in row:
                cell.alignment = WRAP if cell.column >= 6 else Alignment(vertical="top")
        _layout(sheet, heading=2, widest={"F": 60, "G": 50})
    book.save(path)


def _numbers(sheet, first_row: int, columns, number_format: str) -> None:
    for row in sheet.iter_rows(min_row=first_row, min_col=min(columns), max_col=max(columns)):
        for cell in row:
            if isinstance(cell.value, (int, float, Decimal)) and not isinstance(cell.value, bool):
                cell.number_format = number_format


def _awards_sheet(sheet, results: Results, awards) -> None:
    """One award a row (it prints on A4 however many awards a scheme pays): each unit by rank,
    its awards and its total; then each award's total paid and kept back, the departments and
    the city total."""
    _append(sheet, ["名次", "单位", "奖励", "金额（元）"])
    for unit in results.units:
        for payment in awards.payments[unit.unit]:
            _append(sheet, [unit.rank, unit.unit, payment.title or payment.award, payment.amount])
        _append(sheet, [None, unit.unit, "合计", awards.unit_total(unit.unit)])
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
    _append(sheet, [])
    for total in awards.totals:
        _append(sheet, [None, "发放合计", total.award, total.paid])
        if total.kept_back:
            _append(sheet, [None, "扣减或留存", total.award, total.kept_back])
    for department in awards.departments:
        _append(sheet, [None, "部门", department.name,
                        department.amount if department.amount is not None else "原文未定金额"])
    _append(sheet, [None, "全市合计", None, awards.city_total])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    _numbers(sheet, 2, range(4, 5), MONEY_FORMAT)
    _layout(sheet, heading=1, widest={"C": 40})


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column `width` characters wide."""
    return sum(max(1, -(-display_width(line) // max(1, int(width) - 1))) for line in text.split("\n"))


def display_width(text: str) -> int:
    """Columns a text takes on screen: CJK characters two, others one; its longest line."""
    return max((sum(2 if east_asian_width(c) in "WF" else 1 for c in line) for line in text.split("\n")), default=0)


def _layout(sheet, heading: int, widest: dict[str, int] | None = None) -> None:
    """Bold, frozen heading rows; each column as wide as its widest cell (CJK counted double),
    long text wrapped within `widest`; A4, fitted to the page's width, the heading repeated on
    every printed page."""
    widths: dict[str, int] = {}
    for r, row in enumerate(sheet.iter_rows(), start=1):
        for cell in row:
            if cell.value is not None:
                text = f"{cell.value:,.2f}" if isinstance(cell.value, (Decimal, float)) else str(cell.value)
                width = display_width(text) if r > heading else min(display_width(text), 12)  # headings wrap
                widths[cell.column_letter] = max(widths.get(cell.column_letter, 0), width)
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = min(width + 2, (widest or {}).get(letter, 40))
    for row in sheet.iter_rows(min_row=heading + 1):  # wrapped text gets the height it needs:
        lines = max((_lines(str(cell.value), sheet.column_dimensions[cell.column_letter].width)  # spreadsheets
                     for cell in row if cell.value is not None and cell.alignment.wrap_text), default=1)  # print one
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = min(15 * lines, 409)  # line high unless told
    for row in sheet.iter_rows(max_row=heading):
        for cell in row:
            cell.font = BOLD
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(heading + 1, 1)
    sheet.print_title_rows = f"1:{heading}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if sum(widths.values()) > 100 else "portrait"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def write_template(index: SchemeIndex, data: Dataset, path, progress=_identity, owner=None) -> None:
    """The actuals workbook towns fill in: one row per field a rule reads, one column per unit,
    the targets beside as grey reference rows, and validation so that data comes back in the
    shape the scheme reads (`kpi score --actuals`). With `owner` (a unit), that unit's own workbook: its
    column alone, its name kept in the file (the reader checks the workbook is the unit's), the
    sheet protected but for the cells to fill."""
    book = Workbook()
    sheet = book.active
    sheet.title = "完成情况"
    units = [owner] if owner is not None else list(progress(data.units, len(data.units), "写入填报表"))
    _append(sheet, [f"{index.scheme.title} 完成情况填报表" + (f"（{owner.name}）" if owner is not None else "")])
    _append(sheet, ["在浅黄色格中填写（灰色为任务，不必填）；百分数带 %，日期如 2021-09-30"])  # more: each row's note
    _append(sheet, ["指标", "字段", "计量", *(u.name for u in units)])
    needed = {**award_fields(index), **required_fields(index)}  # what the awards read is filled in too
    measured = field_units(index)
    order = {name: i for i, name in enumerate([*index.nodes, *index.awards])}
    first, last_column = sheet.cell(3, 4).column_letter, sheet.cell(3, len(units) + 3).column_letter
    validations: dict[str, DataValidation] = {}
    for (node, field), kind in sorted(needed.items(), key=lambda e: (order.get(e[0][0], -1), e[0][1] != TARGET)):
        unit = measured.get((node, field), "")
        if field == TARGET:
            power = declared(unit)[1] if unit else 0  # shown in the unit the row names (1200 万元)
            _append(sheet, [node, TARGET + REFERENCE, unit, *(_value(data, u.name, node, TARGET, power) for u in units)])
            for cell in sheet[sheet.max_row]:
                cell.fill = GREY
                if unit == "%" and cell.column > 3:
                    cell.number_format = "0.0#%"
            continue
        _append(sheet, [node, field, unit])
        row = f"{first}{sheet.max_row}:{last_column}{sheet.max_row}"
        if index.may_not_apply(node):
            sheet.cell(sheet.max_row, 2).comment = Comment(_hint(kind) + f"；不适用的填“{NOT_APPLICABLE}”", "kpidsl")
            rule = _or_not_applicable(kind, index.nodes[node].node, f"{first}{sheet.max_row}")
            sheet.add_data_validation(rule)
        else:
            sheet.cell(sheet.max_row, 2).comment = Comment(_hint(kind), "kpidsl")
            rule = _validation(kind, index.nodes.get(node), validations, unit)
        rule.add(row)
        if unit == "%" or kind == DATE:  # Excel then takes 97.5 typed as 97.5%, and a date as a date
            for cell in sheet[sheet.max_row][3:]:
                cell.number_format = "0.0#%" if unit == "%" else "yyyy-mm-dd"
        filled = [sheet.max_row]
        if kind == SCORE:  # an assessed score needs its reason
            _append(sheet, [node, field + NOTE_SUFFIX])
            filled.append(sheet.max_row)
        for row in filled:
            for cell in sheet[row][3:len(units) + 3]:
                cell.protection, cell.fill = Protection(locked=False), TO_FILL
    for rule in validations.values():
        sheet.add_data_validation(rule)
    _layout(sheet, heading=3, widest={"A": 32})
    sheet.column_dimensions["A"].width = 32  # the title rows above are not what sets it
    # the title and the instructions, one line each, run on over the table (no merge: a tool
    # that moves rows or columns would carry it over the figures); the table at least as wide
    across = sum(sheet.column_dimensions[sheet.cell(3, c).column_letter].width for c in range(1, len(units) + 4))
    for cell in (sheet["A1"], sheet["A2"]):
        cell.alignment = Alignment(vertical="top")
    sheet.column_dimensions["A"].width += max(0, max(display_width(c.value) for c in (sheet["A1"], sheet["A2"])) + 4 - across)
    for row in sheet.iter_rows(min_row=3, max_col=len(units) + 3):
        for cell in row:
            cell.border = RULED
    names = max((display_width(u.name) for u in units), default=0)  # the units' names, wrapped
    sheet.row_dimensions[3].height = 15 * -(-names // int(sheet.column_dimensions["D"].width - 1))
    sheet.freeze_panes = "D4"
    if owner is not None:
        book.custom_doc_props.append(StringProperty(name=UNIT_PROPERTY, value=owner.name))
        sheet.protection = SheetProtection(sheet=True, formatColumns=False, formatRows=False)  # no password:
        # a guard against typing over the targets, not a lock
    book.save(path)


def file_name(unit: str, taken: set[str]) -> str:
    """A unit's workbook name: its name, with what file systems refuse replaced; unique."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", unit).strip(" .") or "_"
    base, n = name, 2
    while name.casefold() in taken:
        name, n = f"{base}~{n}", n + 1
    taken.add(name.casefold())
    return name + ".xlsx"


def _value(data: Dataset, unit: str, node: str, field: str, power: int = 0):
    """A unit's figure as the template shows it: in the row's unit of measure (10^power of the base)."""
    cell = data.values.get((unit, node, field))
    if cell is None:
        return None
    if isinstance(cell.value, Decimal):
        return scaled(cell.value, -power).normalize() if power else cell.value
    return cell.value if isinstance(cell.value, str) else ("是" if cell.value else "否")


def _hint(kind: str) -> str:
    return {NUMBER: "填写数值", FLAG: "填写 是 或 否", DATE: "填写日期，如 2021-09-30",
            SCORE: "填写评定分；理由填在下一行（评分说明）", BAND: "从列表中选择档位"}[kind]


def _or_not_applicable(kind: str, node: Item, cell: str) -> DataValidation:
    """A rule of its own row, for an item that may not apply (可不适用): the figure, or 不适用."""
    if kind in (FLAG, BAND):
        labels = "是,否" if kind == FLAG else ",".join(b.label for b in node.rule.bands)
        rule = DataValidation(type="list", formula1=f'"{labels},{NOT_APPLICABLE}"', allow_blank=True)
    else:  # a number (a date is one too, in Excel)
        rule = DataValidation(type="custom", formula1=f'OR(ISNUMBER({cell}),{cell}="{NOT_APPLICABLE}")',
                              allow_blank=True)
    rule.error = rule.prompt = f"{_hint(kind)}，或填“{NOT_APPLICABLE}”"
    rule.errorTitle, rule.showInputMessage = "kpidsl", True
    return rule


def _validation(kind: str, info, validations: dict, unit: str = "") -> DataValidation:
    """One validation rule per kind (and per item, where the bounds are the item's; per unit of
    measure: percentages 0–100%, counts whole and not negative)."""
    node = info.node if info else None
    if kind == SCORE and isinstance(node, Item):
        key = f"{SCORE}:{node.name}"
        rule = DataValidation(type="decimal", operator="between", formula1="0",
                              formula2=str(node.points.value), allow_blank=True)
    elif kind == BAND and isinstance(node, Item) and isinstance(node.rule, Assessed):
        key = f"{BAND}:{node.name}"
        labels = ",".join(b.label for b in node.rule.bands)
        rule = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
    elif kind == FLAG:
        key = FLAG
        rule = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    elif kind == DATE:
        key = DATE
        rule = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
    elif unit == "%":
        key = unit  # typed 97.5 in a percent cell is 9750%: refused here, as kpidsl refuses it
        rule = DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True)
    elif unit_kind(unit) == "count":
        key = "count"
        rule = DataValidation(type="whole", operator="between", formula1="0", formula2="1000000000000",
                              allow_blank=True)
    else:
        key = NUMBER
        rule = DataValidation(type="decimal", operator="between", formula1="-1E+15",
                              formula2="1E+15", allow_blank=True)
    if key not in validations:
        rule.error = {"%": "填写百分数，如 97.5%", "count": "填写不为负的整数"}.get(key, _hint(kind))
        rule.errorTitle = "kpidsl"
        rule.prompt, rule.showInputMessage = rule.error, True  # shown as the cell is selected
        validations[key] = rule
    return validations[key]
