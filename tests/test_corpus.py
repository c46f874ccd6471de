"""The corpus (issue 12, "Nothing enters wrong"): the bundled data and the template, damaged the
ways people and tools damage them, each damage a named, deterministic mutant. Every mutant either
scores exactly as the original (the score CSV byte for byte) or is refused, exit 1, with a named
error (E3xx) that gives the place of the damage: its file and row, its sheet and cell, or — for a
damage to a whole file (an encoding) or a figure that is not there at all — its file or the unit,
item and field it lacks. A mutant scored otherwise changed a score silently.

Each mutant runs `kpi score … --format csv` in-process (kpidsl.cli.main, as the entry point calls
it); mutants of CSV data run by the columnar reader too (the reader of 1,000 units and more); and
one in eight runs through the installed `kpi` command as well, which must print the same. The
counts are shown at the end of the run (conftest.py: pytest_terminal_summary).
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import shutil
import traceback
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from conftest import CORPUS
from kpidsl import cli
from kpidsl.errors import KpiError
from kpidsl.pipeline import bundled_schemes, score_table
from kpidsl.render.scores_csv import write as write_scores
from test_cli import kpi
from test_sheets import fill

R21 = "rugao-2021.kpi"
ACT, TGT, UNI, REC = (f"rugao-2021/{n}.csv" for n in ("actuals-sample", "targets", "units", "records-sample"))
SHEET = "完成情况"  # the template's sheet

# rows of the bundled actuals a damage is done to; each figure such that another reading of it
# would change the score (650 of 737 scores 17.64 of 20, prorated)
JOINED = "丁堰镇,企业职工养老保险新增参保人数,实际,650,"
PEOPLE = "丁堰镇,劳动力外引,实际,265,"  # measured in 人
RATE = "丁堰镇,体检率,体检率,97.5%,"
SHARE = "丁堰镇,调撤率,实际,35%,"
BIG = "丁堰镇,居民养老保险缴费人数,实际,11880,"
DAY = "丁堰镇,企业职工养老保险新增参保人数,完成日期,2021-12-31,年内未完成"
SEPTEMBER = "高新区（城南街道）,企业职工养老保险新增参保人数,完成日期,2021-09-30,"  # done by 9-30: 15000元
FLAG = "丁堰镇,即征即保,全部即征即保,是,"
ASSESSED = "丁堰镇,创新创优项目,评分,2.5,协助完成春季招聘突击任务，获南通市就业创新案例"
TARGET = "丁堰镇,企业职工养老保险新增参保人数,任务,737,附件1"
RECORD = "丁堰镇,高技能类双创人才等项目,张某 双创人才,双创通过南通初审"


# ---- the corpus ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Damage:
    """What a mutation did: the strings a refusal must name (its place: "file 第 N 行",
    "file sheet!D5", or the file or the unit / item / field a missing figure leaves; a tuple
    among them: any one of its strings), and the data options the run is given (the scheme's
    own files otherwise)."""
    names: tuple[str | tuple[str, ...], ...]
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mutant:
    name: str
    scheme: str  # a bundled scheme, copied with its data into the mutant's folder
    mutate: Callable[[Path], Damage]  # damages the copy in the folder given
    same: bool = False  # must score as the original: a damage that only changes how a file is written


MUTANTS: list[Mutant] = []


def mutant(name: str, scheme: str = R21, same: bool = False):
    def register(mutate):
        MUTANTS.append(Mutant(name, scheme, mutate, same))
        return mutate
    return register


# ---- CSV: text-level mutation helpers ---------------------------------------------------------
def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def write_lines(path: Path, lines: list[str]) -> None:
    path.write_bytes("\n".join(lines).encode())


def row(file: str, number: int) -> str:
    return f"{file} 第 {number} 行"


def replace(folder: Path, file: str, old: str, *new: str) -> int:
    """The line `old` of a data file replaced by the lines `new` (none: deleted); its line number."""
    lines = lines_of(folder / file)
    at = lines.index(old)
    lines[at:at + 1] = list(new)
    write_lines(folder / file, lines)
    return at + 1


def cells_of(line: str) -> list[str]:
    return next(csv.reader([line]))


def with_value(line: str, value: str, quote: bool = False) -> str:
    """A CSV line of the long layout with its 值 (4th cell) written as `value`, as given."""
    cells = line.split(",", 4)
    cells[3] = f'"{value}"' if quote else value
    return ",".join(cells)


def value_mutant(name: str, line: str, value: str, file: str = ACT, same: bool = False, quote: bool = False):
    def mutate(folder: Path) -> Damage:
        return Damage((row(file, replace(folder, file, line, with_value(line, value, quote))),))
    MUTANTS.append(Mutant(name, R21, mutate, same))


def whole_file(name: str, file: str, transform: Callable[[str], bytes], names: tuple[str, ...] | None = None,
               same: bool = False, scheme: str = R21):
    """A mutant rewriting a whole file (its encoding, its line ends, its separators …)."""
    def mutate(folder: Path) -> Damage:
        path = folder / file
        path.write_bytes(transform(path.read_text(encoding="utf-8")))
        return Damage(names or (file,))
    MUTANTS.append(Mutant(name, scheme, mutate, same))


def reorder_columns(text: str, order: list[int]) -> str:
    """Columns moved, each with its header (as csv writes it: quoted where needed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for cells in csv.reader(io.StringIO(text)):
        if cells:
            writer.writerow([cells[i] if i < len(cells) else "" for i in order])
    return out.getvalue()


def quote_all(text: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerows(cells for cells in csv.reader(io.StringIO(text)) if cells)
    return out.getvalue()


def separated(text: str, delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerows(cells for cells in csv.reader(io.StringIO(text)) if cells)
    return out.getvalue()


# values written otherwise in the long CSV: each either read as meant or refused with its row
for _name, _line, _value in [
    ("blank value", JOINED, ""),
    ("dash for a value", JOINED, "—"),
    ("text before a number (约650)", JOINED, "约650"),
    ("number in Chinese numerals", JOINED, "六百五十"),
    ("a number in scientific notation", JOINED, "6.5E+02"),
    ("a number typed with a percent sign", JOINED, "650%"),
    ("a number written in 元 where no unit is declared", JOINED, "650元"),
    ("digits as superscripts (6⁵0)", JOINED, "6⁵0"),
    ("a circled digit (65⓪)", JOINED, "65⓪"),
    ("a zero-width space inside digits", JOINED, "6\u200b50"),
    ("a thousands separator misplaced", BIG, '"1,1880"'),
    ("a date where a count is (Excel's 6-50)", JOINED, "2021-06-05"),
    ("an Excel error value", JOINED, "#DIV/0!"),
    ("curly quotes around a figure", JOINED, "“650”"),
    ("a stray quote inside a figure", JOINED, '65"0'),
    ("yes where a count is", JOINED, "是"),
    ("a rate typed without % (97.5)", RATE, "97.5"),
    ("a rate typed without % (35)", SHARE, "35"),
    ("a count of people in 元", PEOPLE, "265元"),
    ("a count of people in %", PEOPLE, "265%"),
    ("an Excel serial number for a date", DAY, "44561"),
    ("a day that does not exist (9月31日)", SEPTEMBER, "2021-09-31"),
    ("a date with a time (Excel export)", DAY, "2021-12-31 00:00:00"),
    ("1 for yes", FLAG, "1"),
    ("a tick for yes", FLAG, "√"),
    ("an assessed score as a fraction (2.5/4)", ASSESSED, "2.5/4"),
]:
    value_mutant(_name, _line, _value)

for _name, _line, _value, _quote in [
    ("full-width digits", JOINED, "６５０", False),
    ("a figure with trailing non-breaking spaces", JOINED, "650\u00a0\u00a0", False),
    ("a figure with .0 (Excel export)", JOINED, "650.0", False),
    ("a figure with a line break (Alt+Enter)", JOINED, "650\n", True),
    ("thousands separators, quoted", BIG, "11,880", True),
    ("a full-width comma as thousands separator", BIG, "11，880", False),
    ("a count of people written 265人", PEOPLE, "265人", False),
    ("a count of people written 265名", PEOPLE, "265名", False),
    ("a rate with a full-width percent sign", RATE, "97.5％", False),
    ("a rate as a fraction", RATE, "0.975", False),
    ("a date with slashes", DAY, "2021/12/31", False),
    ("a date in Chinese", DAY, "2021年12月31日", False),
    ("yes written Y", FLAG, "Y", False),
    ("an assessed score with 分", ASSESSED, "2.5分", False),
    ("a target with its unit 737人", TARGET, "737人", False),
]:
    value_mutant(_name, _line, _value, file=TGT if _line == TARGET else ACT, same=True, quote=_quote)


@mutant("a stray quote left open")
def _(folder):
    return Damage((row(ACT, replace(folder, ACT, JOINED, '丁堰镇,企业职工养老保险新增参保人数,实际,"650,')),))


@mutant("a thousands separator unquoted")
def _(folder):
    return Damage((row(ACT, replace(folder, ACT, BIG, "丁堰镇,居民养老保险缴费人数,实际,11,880,")),))


@mutant("extra fields in a row")
def _(folder):
    return Damage((row(ACT, replace(folder, ACT, JOINED, JOINED + ",extra,more")),))


@mutant("a field missing from a row")
def _(folder):
    return Damage((row(ACT, replace(folder, ACT, JOINED, JOINED[:-1])),))


@mutant("a NUL byte in a row")
def _(folder):
    return Damage((row(ACT, replace(folder, ACT, JOINED, with_value(JOINED, "65\x000"))),))


@mutant("a row missing")
def _(folder):
    replace(folder, ACT, JOINED)
    return Damage(("E305", "丁堰镇 / 企业职工养老保险新增参保人数 / 实际", ACT))


@mutant("a row duplicated")
def _(folder):
    return Damage((row(ACT, replace(folder, ACT, JOINED, JOINED, JOINED) + 1),))


@mutant("a row duplicated with another figure")
def _(folder):
    return Damage((row(ACT, replace(folder, ACT, JOINED, JOINED, with_value(JOINED, "737")) + 1),))


@mutant("a row duplicated into the targets file")
def _(folder):
    lines = lines_of(folder / TGT)
    write_lines(folder / TGT, lines[:-1] + [JOINED, lines[-1]] if lines[-1] == "" else lines + [JOINED])
    return Damage(("E304", "丁堰镇 / 企业职工养老保险新增参保人数 / 实际"))


@mutant("a row of a unit not in the units file")
def _(folder):
    return Damage((row(ACT, replace(folder, ACT, JOINED, JOINED, JOINED.replace("丁堰镇", "丁埝镇")) + 1),))


@mutant("a unit name cut short")
def _(folder):
    return Damage((row(ACT, replace(folder, ACT, JOINED, JOINED.replace("丁堰镇", "丁堰", 1))),))


@mutant("an item name misspelt")
def _(folder):
    return Damage((row(ACT, replace(folder, ACT, JOINED, JOINED.replace("企业职工养老保险新增参保人数", "企业职工养老保险新增人数"))),))


@mutant("a field name misspelt (实绩)")
def _(folder):
    replace(folder, ACT, JOINED, JOINED.replace(",实际,", ",实绩,"))
    return Damage(("丁堰镇 / 企业职工养老保险新增参保人数 / 实际",))


@mutant("a unit name broken by spaces", same=True)
def _(folder):
    return Damage((row(ACT, replace(folder, ACT, JOINED, JOINED.replace("丁堰镇", "丁 堰 镇 "))),))


@mutant("spaces around every cell of a row", same=True)
def _(folder):
    return Damage((row(ACT, replace(folder, ACT, JOINED, " , ".join(JOINED.split(",")))),))


@mutant("an assessed score without its reason")
def _(folder):
    return Damage((row(ACT, replace(folder, ACT, ASSESSED, ASSESSED.split("，")[0].rsplit(",", 1)[0] + ",")),))


@mutant("blank lines between rows", same=True)
def _(folder):
    return Damage((row(ACT, replace(folder, ACT, JOINED, "", JOINED, ",,,,", "")),))


@mutant("the file cut off in its last row")
def _(folder):
    lines = lines_of(folder / ACT)
    last = max(i for i, l in enumerate(lines) if l)
    lines[last:] = [lines[last][: len(lines[last]) // 2]]
    write_lines(folder / ACT, lines)
    return Damage((row(ACT, last + 1),))


# whole files written otherwise: how tools save them
whole_file("CRLF line ends", ACT, lambda t: t.replace("\n", "\r\n").encode(), same=True)
whole_file("CR line ends (old Mac)", TGT, lambda t: t.replace("\n", "\r").encode(), same=True)
whole_file("a UTF-8 BOM saved twice", UNI, lambda t: (codecs.BOM_UTF8 * 2) + t.encode(), same=True)
whole_file("every cell quoted, CRLF (Excel)", ACT, lambda t: quote_all(t).encode(), same=True)
whole_file("tab-separated", ACT, lambda t: separated(t, "\t").encode(), same=True)
whole_file("semicolon-separated", UNI, lambda t: separated(t, ";").encode(), same=True)
whole_file("full-width commas as separators (Word)", TGT, lambda t: t.replace(",", "，").encode(), same=True)
whole_file("full-width commas as separators, a note holding one", ACT, lambda t: t.replace(",", "，").encode(),
           names=(row(ACT, 1 + lines_of(bundled_schemes() / ACT).index(ASSESSED)),))
whole_file("columns moved with their header (值 first)", ACT, lambda t: reorder_columns(t, [3, 0, 1, 2, 4]).encode(), same=True)
whole_file("columns moved in the records", REC, lambda t: reorder_columns(t, [3, 2, 0, 1]).encode(), same=True)
whole_file("an extra column", TGT, lambda t: reorder_columns(t, [0, 1, 2, 3, 4, 5]).replace(
    "说明,\n", "说明,备注\n", 1).encode(), same=True)
whole_file("the 说明 column dropped", TGT, lambda t: reorder_columns(t, [0, 1, 2, 3]).encode(), same=True)
whole_file("a header renamed (数值 for 值)", ACT, lambda t: t.replace("单位,指标,字段,值,说明", "单位,指标,字段,数值,说明", 1).encode(),
           names=("E302", ACT))
whole_file("the header row deleted", TGT, lambda t: t.split("\n", 1)[1].encode(), names=("E302", TGT))
whole_file("a trailing comma on every row but the header", TGT, lambda t: t.replace("\n", ",\n").replace(
    "说明,\n", "说明\n", 1).encode(), names=(row(TGT, 2),))
whole_file("GBK (Excel's default CSV)", ACT, lambda t: t.encode("gbk"), names=("E301", ACT))
whole_file("GBK units file", UNI, lambda t: t.encode("gbk"), names=("E301", UNI))
whole_file("UTF-16 with BOM (Excel's Unicode text)", TGT, lambda t: separated(t, "\t").encode("utf-16"),
           names=("E301", TGT))
whole_file("UTF-16 without BOM", REC, lambda t: t.encode("utf-16-le"), names=("E301", REC))
whole_file("one row in GBK", ACT, lambda t: t.replace(JOINED, "@@").encode().replace(b"@@", JOINED.encode("gbk")),
           names=("E301", ACT))


# the units file
@mutant("a unit missing from the units file")
def _(folder):
    replace(folder, UNI, "白蒲镇,镇,")
    return Damage(("E303", "白蒲镇", row(TGT, 1 + lines_of(bundled_schemes() / TGT).index(
        next(l for l in lines_of(bundled_schemes() / TGT) if l.startswith("白蒲镇,"))))))


@mutant("an extra unit in the units file")
def _(folder):
    replace(folder, UNI, "白蒲镇,镇,", "白蒲镇,镇,", "丁埝镇,镇,")
    return Damage(("丁埝镇",))


@mutant("a unit listed twice")
def _(folder):
    return Damage((row(UNI, replace(folder, UNI, "白蒲镇,镇,", "白蒲镇,镇,", "白蒲镇,镇,") + 1),))


@mutant("a unit's group misspelt")
def _(folder):
    return Damage((row(UNI, replace(folder, UNI, "白蒲镇,镇,", "白蒲镇,乡镇,")),))


@mutant("a unit's group with spaces", same=True)
def _(folder):
    return Damage((row(UNI, replace(folder, UNI, "白蒲镇,镇,", " 白蒲镇 , 镇 ,")),))


@mutant("a unit's name shared by an alias")
def _(folder):
    return Damage((row(UNI, replace(folder, UNI, "白蒲镇,镇,", "白蒲镇,镇,丁堰镇")),))


# the targets file
@mutant("a target blank")
def _(folder):
    return Damage((row(TGT, replace(folder, TGT, TARGET, with_value(TARGET, ""))),))


@mutant("a target text (待定)")
def _(folder):
    return Damage((row(TGT, replace(folder, TGT, TARGET, with_value(TARGET, "待定"))),))


@mutant("a target row duplicated")
def _(folder):
    return Damage((row(TGT, replace(folder, TGT, TARGET, TARGET, TARGET) + 1),))


# the records file
@mutant("a record duplicated")
def _(folder):
    number = replace(folder, REC, RECORD, RECORD, RECORD)
    return Damage((row(REC, number + 1),))


@mutant("a record's level misspelt")
def _(folder):
    return Damage((row(REC, replace(folder, REC, RECORD, RECORD.replace("南通初审", "南通初审通过"))),))


@mutant("a record's level blank")
def _(folder):
    return Damage((row(REC, replace(folder, REC, RECORD, RECORD.rsplit(",", 1)[0] + ",")),))


@mutant("a record of a unit not in the units file")
def _(folder):
    return Damage((row(REC, replace(folder, REC, RECORD, RECORD, RECORD.replace("丁堰镇", "丁埝镇")) + 1),))


@mutant("a record with an extra field")
def _(folder):
    return Damage((row(REC, replace(folder, REC, RECORD, RECORD + ",2021")),))


# the other bundled schemes: the same damages, generated on a row of figures of each
def a_figure_row(scheme: str) -> tuple[str, int, list[str]]:
    """The values file of a scheme (its last), and the middle row of it holding a positive figure."""
    text = (bundled_schemes() / scheme).read_text(encoding="utf-8")
    files = re.search(r"数值\s+(.*)", text).group(1)
    file = re.findall(r'"([^"]+)"', files)[-1]
    lines = lines_of(bundled_schemes() / file)
    figures = [i for i, l in enumerate(lines[1:], 1) if l and re.fullmatch(r"[0-9.]+", cells_of(l)[3]) and float(cells_of(l)[3]) > 0]
    return file, figures[len(figures) // 2] + 1, lines


def generated(scheme: str) -> None:
    file, number, lines = a_figure_row(scheme)
    line = lines[number - 1]
    for name, new in [("blank value", [with_value(line, "")]),
                      ("text in a number", [with_value(line, "约" + cells_of(line)[3])]),
                      ("a row duplicated", [line, line])]:
        def mutate(folder, new=new, line=line, file=file):
            replace(folder, file, line, *new)
            return Damage((row(file, number + len(new) - 1),))
        MUTANTS.append(Mutant(f"{scheme[:-4]}: {name}", scheme, mutate))

    def missing(folder, file=file, line=line):
        replace(folder, file, line)
        unit, item, field = cells_of(line)[:3]
        return Damage(("E305", f"{unit} / {item} / {field}"))
    MUTANTS.append(Mutant(f"{scheme[:-4]}: a row missing", scheme, missing))
    whole_file(f"{scheme[:-4]}: GBK", file, lambda t: t.encode("gbk"), names=("E301", file), scheme=scheme)
    whole_file(f"{scheme[:-4]}: columns moved with their header", file,
               lambda t: reorder_columns(t, [2, 3, 0, 4, 1]).encode(), same=True, scheme=scheme)


for _scheme in ("rugao-2018.kpi", "changzhou-platform.kpi", "changzhou-hardware.kpi"):
    generated(_scheme)


# ---- workbooks: the template filled in, then damaged --------------------------------------------
FILLED, TYPED = "filled.xlsx", "typed.xlsx"  # figures as the CSV writes them (text), or as Excel keeps them


@dataclass
class Book:
    """A copy of a filled template opened to be damaged: its sheet, the row of each (item, field)
    and the column of each unit."""
    path: Path
    book: openpyxl.Workbook

    @property
    def sheet(self):
        return self.book[SHEET]

    def row(self, item: str, field: str) -> int:
        return next(r[0].row for r in self.sheet.iter_rows(min_row=4) if (r[0].value, r[1].value) == (item, field))

    def column(self, unit: str) -> int:
        return next(c.column for c in self.sheet[3] if c.value == unit)

    def cell(self, item: str, field: str, unit: str = "丁堰镇"):
        return self.sheet.cell(self.row(item, field), self.column(unit))

    def place(self, cell) -> str:
        return f"{self.path.name} {SHEET}!{cell.coordinate}"


def workbook_mutant(name: str, base: str = FILLED, same: bool = False):
    """A mutant of a filled template, damaged by openpyxl; scored with --actuals alone."""
    def register(damage: Callable[[Book], tuple[str, ...]]):
        def mutate(folder: Path) -> Damage:
            path = folder / "actuals.xlsx"
            book = Book(path, openpyxl.load_workbook(folder / base))
            names = damage(book)
            book.book.save(path)
            return Damage(names, ("--actuals", path.name))
        MUTANTS.append(Mutant(name, R21, mutate, same))
        return damage
    return register


def xml_mutant(name: str, base: str = TYPED, same: bool = False):
    """A mutant whose sheet XML is written by hand, as tools other than Excel write it: `edit`
    takes the book (to find a cell) and returns {cell: the new <c> element}, and the names."""
    def register(edit):
        def mutate(folder: Path) -> Damage:
            path = folder / "actuals.xlsx"
            book = Book(path, openpyxl.load_workbook(folder / base))
            cells, names = edit(book)
            with zipfile.ZipFile(folder / base) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
                for item in old.infolist():
                    data = old.read(item.filename)
                    if item.filename == "xl/worksheets/sheet1.xml":
                        data = patch_cells(data.decode(), cells).encode()
                    new.writestr(item, data)
            return Damage(names, ("--actuals", path.name))
        MUTANTS.append(Mutant(name, R21, mutate, same))
        return edit
    return register


def patch_cells(xml: str, cells: dict[str, str]) -> str:
    """The sheet's <c> elements of the cells named replaced (their style kept): `inner` is the
    new element's attributes and content, e.g. ' t="str"><f>1+1</f><v>2</v>'."""
    for ref, inner in cells.items():
        found = re.search(rf'<c r="{ref}"(?P<attrs>[^>]*?)(?:/>|>.*?</c>)', xml, re.S)
        assert found, ref
        style = re.search(r'\ss="\d+"', found["attrs"])
        xml = xml[:found.start()] + f'<c r="{ref}"{style[0] if style else ""}{inner}</c>' + xml[found.end():]
    return xml


def copy_column(sheet, source: int, target: int) -> None:
    for r in range(1, sheet.max_row + 1):
        cell, to = sheet.cell(r, source), sheet.cell(r, target)
        to.value, to.number_format = cell.value, cell.number_format


JOINED_ITEM = ("企业职工养老保险新增参保人数", "实际")


@workbook_mutant("xlsx: a reason (评分说明) left blank")
def _(book):
    cell = book.cell("创新创优项目", "评分说明")
    cell.value = None
    return ((book.place(cell), book.place(book.cell("创新创优项目", "评分"))),)  # the blank, or the score it is for


@workbook_mutant("xlsx: a merge across two units' figures")
def _(book):
    a, b = book.cell(*JOINED_ITEM), book.cell(*JOINED_ITEM, unit="白蒲镇")
    book.sheet.merge_cells(f"{a.coordinate}:{b.coordinate}")
    return (f"{book.place(a)}:{b.coordinate}",)


@workbook_mutant("xlsx: a merge down over two fields of an item")
def _(book):
    a, b = book.cell(*JOINED_ITEM), book.cell(JOINED_ITEM[0], "完成日期")
    book.sheet.merge_cells(f"{a.coordinate}:{b.coordinate}")
    return (f"{book.place(a)}:{b.coordinate}",)


@workbook_mutant("xlsx: the item labels merged down their rows", same=True)
def _(book):
    first, last = book.row(JOINED_ITEM[0], "任务（参考）"), book.row(JOINED_ITEM[0], "完成日期")
    book.sheet.merge_cells(f"A{first}:A{last}")
    return ()


@workbook_mutant("xlsx: the title merged over the header's width", same=True)
def _(book):
    book.sheet.merge_cells(start_row=1, start_column=1, end_row=2, end_column=book.sheet.max_column)
    return ()


@workbook_mutant("xlsx: two units' headers merged")
def _(book):
    a, b = book.column("丁堰镇"), book.column("白蒲镇")
    book.sheet.merge_cells(start_row=3, start_column=a, end_row=3, end_column=b)
    return ("E304", f"{SHEET}!{get_column_letter(b)}{book.row(*JOINED_ITEM)}")


@workbook_mutant("xlsx: a blank cell")
def _(book):
    cell = book.cell(*JOINED_ITEM)
    cell.value = None
    return (book.place(cell),)


@workbook_mutant("xlsx: text in a number (约650)")
def _(book):
    cell = book.cell(*JOINED_ITEM)
    cell.value = "约650"
    return (book.place(cell),)


@workbook_mutant("xlsx: a rate typed 97.5, no %", base=TYPED)
def _(book):
    cell = book.cell("体检率", "体检率")
    cell.value, cell.number_format = 97.5, "General"
    return (book.place(cell),)


@workbook_mutant("xlsx: a rate typed 35 into a cell formatted %", base=TYPED)
def _(book):
    cell = book.cell("调撤率", "实际")  # shows 3500.00%: the figure pasted without its % sign
    cell.value = 35
    return (book.place(cell),)


@workbook_mutant("xlsx: a rate written as text 97.5")
def _(book):
    cell = book.cell("体检率", "体检率")
    cell.value = "97.5"
    return (book.place(cell),)


@workbook_mutant("xlsx: a count formatted as a percentage", base=TYPED)
def _(book):
    cell = book.cell(*JOINED_ITEM)  # 650 shown as 65000%
    cell.number_format = "0%"
    return (book.place(cell),)


@workbook_mutant("xlsx: a count of people in 元")
def _(book):
    cell = book.cell("劳动力外引", "实际")
    cell.value = "265元"
    return (book.place(cell),)


@workbook_mutant("xlsx: a count of people written 265人", same=True)
def _(book):
    book.cell("劳动力外引", "实际").value = "265人"
    return ()


@workbook_mutant("xlsx: unit columns swapped with their headers", same=True)
def _(book):
    a, b = book.column("丁堰镇"), book.column("白蒲镇")
    spare = book.sheet.max_column + 1
    copy_column(book.sheet, a, spare)
    copy_column(book.sheet, b, a)
    copy_column(book.sheet, spare, b)
    for r in range(1, book.sheet.max_row + 1):
        book.sheet.cell(r, spare).value = None
    return ()


@workbook_mutant("xlsx: rows hidden", same=True)
def _(book):
    for r in range(book.row(*JOINED_ITEM), book.row("居保转企保人数", "实际") + 1):
        book.sheet.row_dimensions[r].hidden = True
    return ()


@workbook_mutant("xlsx: a unit's column hidden", same=True)
def _(book):
    book.sheet.column_dimensions[get_column_letter(book.column("丁堰镇"))].hidden = True
    return ()


@workbook_mutant("xlsx: a number stored as text", base=TYPED, same=True)
def _(book):
    book.cell(*JOINED_ITEM).value = "650"
    return ()


@workbook_mutant("xlsx: a date as an Excel serial number, formatted General", base=TYPED)
def _(book):
    cell = book.cell(JOINED_ITEM[0], "完成日期")
    cell.value, cell.number_format = 44561, "General"
    return (book.place(cell),)


@workbook_mutant("xlsx: a date as an Excel serial number, formatted as a date", base=TYPED, same=True)
def _(book):
    cell = book.cell(JOINED_ITEM[0], "完成日期")
    cell.value, cell.number_format = 44561, "yyyy-mm-dd"  # 2021-12-31
    return ()


@workbook_mutant("xlsx: a date as a datetime with a time of 0:00", base=TYPED, same=True)
def _(book):
    cell = book.cell("居民养老保险缴费人数", "完成日期")
    cell.value, cell.number_format = datetime(2021, 3, 31), "yyyy-mm-dd hh:mm"
    return ()


@workbook_mutant("xlsx: a date in a count's cell (Excel's 6-50)", base=TYPED)
def _(book):
    cell = book.cell(*JOINED_ITEM)
    cell.value, cell.number_format = datetime(2021, 6, 5), "yyyy-mm-dd"
    return (book.place(cell),)


@workbook_mutant("xlsx: TRUE (an Excel boolean) for 是", base=TYPED, same=True)
def _(book):
    book.cell("即征即保", "全部即征即保").value = True
    return ()


@workbook_mutant("xlsx: FALSE (an Excel boolean) in a count", base=TYPED)
def _(book):
    cell = book.cell(*JOINED_ITEM)
    cell.value = False
    return (book.place(cell),)


@workbook_mutant("xlsx: 1 for 是", base=TYPED)
def _(book):
    cell = book.cell("即征即保", "全部即征即保")
    cell.value = 1
    return (book.place(cell),)


@workbook_mutant("xlsx: an extra unit column not in the units file")
def _(book):
    spare = book.sheet.max_column + 1
    copy_column(book.sheet, book.column("丁堰镇"), spare)
    book.sheet.cell(3, spare).value = "丁埝镇"
    return (book.place(book.sheet.cell(3, spare)), "丁埝镇")


@workbook_mutant("xlsx: a unit's column deleted")
def _(book):
    book.sheet.delete_cols(book.column("白蒲镇"))
    return ("E305", "白蒲镇")


@workbook_mutant("xlsx: a unit's header misspelt")
def _(book):
    cell = book.sheet.cell(3, book.column("白蒲镇"))
    cell.value = "白浦镇"
    return ("白蒲镇",)


@workbook_mutant("xlsx: a unit's header broken over lines and cut short", same=True)
def _(book):
    book.sheet.cell(3, book.column("白蒲镇")).value = "白\n蒲"
    return ()


@workbook_mutant("xlsx: a unit's column duplicated at the end")
def _(book):
    spare = book.sheet.max_column + 1
    copy_column(book.sheet, book.column("丁堰镇"), spare)
    return ("E304", f"{SHEET}!{get_column_letter(spare)}")


@workbook_mutant("xlsx: an indicator row duplicated below")
def _(book):
    source, target = book.row(*JOINED_ITEM), book.sheet.max_row + 1
    for c in range(1, book.sheet.max_column + 1):
        book.sheet.cell(target, c).value = book.sheet.cell(source, c).value
    return ("E304", f"{SHEET}!D{target}")


@workbook_mutant("xlsx: the title rows deleted", same=True)
def _(book):
    book.sheet.delete_rows(1, 2)
    return ()


@workbook_mutant("xlsx: the sheet renamed and another sheet of notes before it", same=True)
def _(book):
    book.sheet.title = "Sheet1"
    notes = book.book.create_sheet("说明", 0)
    notes.append(["填表说明：数字请勿带单位", None])
    return ()


@workbook_mutant("xlsx: the sheet copied (a backup) into the same workbook")
def _(book):
    book.book.copy_worksheet(book.sheet).title = "完成情况 (2)"
    return ("E304",)


@workbook_mutant("xlsx: a field misspelt in the 字段 column")
def _(book):
    book.sheet.cell(book.row(*JOINED_ITEM), 2).value = "实绩"
    return ("企业职工养老保险新增参保人数 / 实际",)


@workbook_mutant("xlsx: the 字段 column deleted")
def _(book):
    book.sheet.delete_cols(2)
    return ("E304",)


@workbook_mutant("xlsx: an item label misspelt")
def _(book):
    book.sheet.cell(book.row(*JOINED_ITEM), 1).value = "企业职工养老保险新增参保数"
    return ("企业职工养老保险新增参保人数 / 实际",)


@xml_mutant("xlsx: a formula with its cached value", same=True)
def _(book):
    return {book.cell(*JOINED_ITEM).coordinate: "><f>600+50</f><v>650</v>"}, ()


@xml_mutant("xlsx: a formula of a rate with its cached value", same=True)
def _(book):
    return {book.cell("体检率", "体检率").coordinate: "><f>39/40</f><v>0.975</v>"}, ()


@xml_mutant("xlsx: a formula without a cached value")
def _(book):
    cell = book.cell(*JOINED_ITEM)
    return {cell.coordinate: "><f>600+50</f>"}, (book.place(cell),)


@xml_mutant("xlsx: a formula without a cached value in a reason (评分说明)")
def _(book):
    cell = book.cell("创新创优项目", "评分说明")
    return {cell.coordinate: ' t="str"><f>"理由"</f>'}, (book.place(cell),)


@xml_mutant("xlsx: a formula with a cached error")
def _(book):
    cell = book.cell(*JOINED_ITEM)
    return {cell.coordinate: ' t="e"><f>1/0</f><v>#DIV/0!</v>'}, (book.place(cell),)


@xml_mutant("xlsx: a shared formula's dependent without a cached value")
def _(book):
    a, b = book.cell(*JOINED_ITEM), book.cell(*JOINED_ITEM, unit="白蒲镇")
    return {a.coordinate: f'><f t="shared" ref="{a.coordinate}:{b.coordinate}" si="0">600+50</f><v>650</v>',
            b.coordinate: '><f t="shared" si="0"/>'}, (book.place(b),)


# the template saved as CSV by Excel: the wide layout in CSV
def wide_csv(name: str, encode: Callable[[str], bytes], names: tuple[str, ...] = ("actuals.csv",), same: bool = False):
    def mutate(folder: Path) -> Damage:
        (folder / "actuals.csv").write_bytes(encode((folder / "filled.csv").read_text(encoding="utf-8")))
        return Damage(names, ("--actuals", "actuals.csv"))
    MUTANTS.append(Mutant(name, R21, mutate, same))


wide_csv("template saved as CSV UTF-8 (BOM, CRLF)", lambda t: codecs.BOM_UTF8 + t.replace("\n", "\r\n").encode(), same=True)
wide_csv("template saved as CSV in GBK", lambda t: t.encode("gbk"), names=("E301", "actuals.csv"))
wide_csv("template saved as CSV, a figure's quote left open",
         lambda t: t.replace(",650,", ',"650,', 1).encode(), names=("E314", "actuals.csv"))


# the bundled 任务分解表 (targets as the city sends them: merged headers, names broken over lines)
TASKS = "rugao-2021/任务分解表.xlsx"


def tasks_mutant(name: str, same: bool = False):
    def register(damage):
        def mutate(folder: Path) -> Damage:
            book = openpyxl.load_workbook(folder / TASKS)
            names = damage(book)
            book.save(folder / "tasks.xlsx")
            return Damage(names, ("--targets", "tasks.xlsx", "--values", ACT))
        MUTANTS.append(Mutant(name, R21, mutate, same))
        return damage
    return register


@tasks_mutant("任务分解表: its header merges undone", same=True)
def _(book):
    for sheet in book.worksheets:
        for merged in list(sheet.merged_cells.ranges):
            if merged.min_row <= 3 and merged.max_row <= 3:
                sheet.unmerge_cells(str(merged))
    return ()


@tasks_mutant("任务分解表: a target merged over the next unit's")
def _(book):
    book["附件2"].merge_cells("J5:K5")
    return ("tasks.xlsx 附件2!J5:K5",)


@tasks_mutant("任务分解表: a target with text (约130)")
def _(book):
    book["附件2"]["J5"] = "约130"
    return ("tasks.xlsx 附件2!J5",)


@tasks_mutant("任务分解表: a target blanked")
def _(book):
    book["附件1"]["I3"] = None
    return ("tasks.xlsx 附件1!I3",)


@tasks_mutant("任务分解表: the 合计 column and a unit column swapped", same=True)
def _(book):
    sheet = book["附件1"]
    for r in range(2, sheet.max_row + 1):
        a, b = sheet.cell(r, 3), sheet.cell(r, 9)
        a.value, b.value = b.value, a.value
    return ()


@tasks_mutant("任务分解表: a unit's column hidden and the sheet order changed", same=True)
def _(book):
    book["附件1"].column_dimensions["I"].hidden = True
    book.move_sheet("附件2", offset=-1)
    return ()


# ---- running a mutant ------------------------------------------------------------------------
@dataclass
class Outcome:
    code: int | str  # the exit code, or "crash"
    out: str
    err: str


def in_process(argv: list[str]) -> Outcome:
    """`kpi ARGV` run by the entry point's own function in this process (the cwd: the mutant's)."""
    stdout, stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = cli.main(argv)
    except SystemExit as e:
        code = e.code
    except BaseException:
        return Outcome("crash", "", traceback.format_exc())
    stdout.flush()
    return Outcome(code, stdout.buffer.getvalue().decode("utf-8"), stderr.getvalue())


def by_columns(scheme: str, options: tuple[str, ...]) -> Outcome:
    """The same figures read by the columnar reader (what reads 1,000 units and more)."""
    files: dict[str, list[str]] = {}
    for option, value in zip(options[::2], options[1::2]):
        files.setdefault(option[2:], []).append(value)
    try:
        table, language, _ = score_table(Path(scheme), reader="columns", **files)
        out = io.BytesIO()
        write_scores(table, language, out)
    except KpiError as e:
        return Outcome(1, "", e.render())
    except BaseException:
        return Outcome("crash", "", traceback.format_exc())
    return Outcome(0, out.getvalue().decode("utf-8"), "")


def verdict(outcome: Outcome, original: str, damage: Damage) -> str:
    """same | refused | silent | crash | unplaced: how a mutant's run ended."""
    if outcome.code == 0:
        return "same" if outcome.out == original else "silent"
    if outcome.code != 1 or outcome.out or not re.search(r"\bE3\d\d\b", outcome.err):
        return "crash"
    named = all(n in outcome.err if isinstance(n, str) else any(m in outcome.err for m in n) for n in damage.names)
    return "refused" if named else "unplaced"


SAMPLED = 8  # one mutant in this many also runs through the installed command


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The originals: each scheme's score CSV through the `kpi` command; the template written by
    `kpi template`, filled in from the bundled actuals (as text, and typed), and saved as CSV."""
    folder = tmp_path_factory.mktemp("corpus")
    originals = {}
    for scheme in sorted({m.scheme for m in MUTANTS}):
        copy_scheme(scheme, folder)
        done = kpi("score", scheme, "--format", "csv", cwd=folder)
        assert done.returncode == 0 and done.stdout, done.stderr
        originals[scheme] = done.stdout
    assert kpi("template", R21, "--out", "template.xlsx", cwd=folder).returncode == 0
    fill(folder / "template.xlsx", folder / FILLED, folder / ACT)
    fill(folder / "template.xlsx", folder / TYPED, folder / ACT, typed=True)
    sheet = openpyxl.load_workbook(folder / FILLED)[SHEET]
    with open(folder / "filled.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(
            [("" if v is None else v) for v in r] for r in sheet.iter_rows(values_only=True))
    for options in (("--actuals", FILLED), ("--actuals", TYPED), ("--actuals", "filled.csv"),
                    ("--targets", TASKS, "--values", ACT)):  # each base, undamaged, scores as the CSV
        done = kpi("score", R21, *options, "--format", "csv", cwd=folder)
        assert (done.returncode, done.stdout) == (0, originals[R21]), (options, done.stderr)
    return folder, originals


def copy_scheme(scheme: str, folder: Path) -> None:
    shutil.copy(bundled_schemes() / scheme, folder / scheme)
    shutil.copytree(bundled_schemes() / scheme[:-4], folder / scheme[:-4], dirs_exist_ok=True)


@pytest.mark.parametrize("number, mutant", list(enumerate(MUTANTS)), ids=[m.name for m in MUTANTS])
def test_mutant_scores_as_the_original_or_is_refused_with_its_place(corpus, tmp_path, monkeypatch, request,
                                                                    number, mutant):
    base, originals = corpus
    copy_scheme(mutant.scheme, tmp_path)
    for name in (FILLED, TYPED, "filled.csv"):
        shutil.copy(base / name, tmp_path / name)
    damage = mutant.mutate(tmp_path)
    argv = ["score", mutant.scheme, *damage.options, "--format", "csv"]
    monkeypatch.chdir(tmp_path)
    outcome = in_process(argv)
    runs = {"kpi (in-process)": outcome}
    if not any(o.endswith(".xlsx") for o in damage.options):
        runs["columnar reader"] = by_columns(mutant.scheme, damage.options)
    if number % SAMPLED == 0:
        done = kpi(*argv, cwd=tmp_path)
        # a Python exception leaves the command with exit 1 and a traceback: a crash, not a refusal
        crashed = done.returncode not in (0, 1) or "Traceback (most recent call last)" in done.stderr
        runs["kpi (installed)"] = Outcome("crash" if crashed else done.returncode, done.stdout, done.stderr)
    verdicts = {how: verdict(o, originals[mutant.scheme], damage) for how, o in runs.items()}
    worst = next((v for v in ("crash", "silent", "unplaced", "refused") if v in verdicts.values()), "same")
    if mutant.same and worst == "refused":
        worst = "refused what reads the same"
    request.config.stash[CORPUS][mutant.name] = (worst, ", ".join(f"{how}: {v}" for how, v in verdicts.items()))
    report = "\n".join(f"{how}: {v} (exit {runs[how].code})\n{runs[how].err[-3000:]}" for how, v in verdicts.items())
    assert worst in ("same", "refused"), f"{mutant.name}: {worst}\n`kpi {' '.join(argv)}`\n{report}"
    if "kpi (installed)" in runs:  # what runs in-process is what the command runs
        installed = runs["kpi (installed)"]
        assert (installed.code, installed.out, installed.err) == (outcome.code, outcome.out, outcome.err)


def test_the_corpus_is_large_and_names_are_unique():
    assert 60 <= len(MUTANTS) <= 200
    assert len({m.name for m in MUTANTS}) == len(MUTANTS)
