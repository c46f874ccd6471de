"""Data stage: read units, values and records into a Dataset.

Layouts (CSV in UTF-8, with or without BOM; Chinese or English headers):
  units    单位,分组,别名           unit,group,aliases      (aliases separated by ; or 、)
  values   单位,指标,字段,值,说明   unit,item,field,value,note   (说明 optional)
  records  单位,指标,项目,级别      unit,item,project,level
and values in the wide layout of a 任务分解表 (indicators × units, .xlsx or CSV: kpidsl.sheets).
Every value keeps its place (file and row, or sheet and cell) so that an error can point at it.
"""
from __future__ import annotations

import csv
import io
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from .units import PATTERN as UNIT_PATTERN, PERCENT_POINTS, kind as unit_kind, read as read_unit, scaled
from .ast import ACTUAL, RATE, TARGET
from .errors import DataError, Diagnostic, diagnostic, did_you_mean

_HEADERS = {
    "unit": ("单位", "unit"), "group": ("分组", "group"), "aliases": ("别名", "aliases"),
    "item": ("指标", "item"), "field": ("字段", "field"), "value": ("值", "value"),
    "note": ("说明", "note"), "project": ("项目", "project"), "level": ("级别", "level"),
}
_FIELD_ALIASES = {"target": TARGET, "actual": ACTUAL, "rate": RATE}
_TRUE = {"是", "有", "true", "yes", "y"}
_FALSE = {"否", "无", "false", "no", "n"}
_DASHES = {"-", "—", "–", "－", "——", "/"}  # how a blank is often written: no value
# 1200, 1,200, -3.5, 3.5万, 12人, 85% (the unit a cell may carry is dropped, 万 multiplies)
_NUMBER = re.compile(rf"([+-]?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?)\s*({UNIT_PATTERN})?")
_DATE = re.compile(r"\d{4}\s*[-/年]\s*\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?")
MAX_DIGITS = 30  # a figure longer than this is a mistake, and would make arithmetic slow
NOTE_SUFFIX = "说明"  # in a wide table, the row "评分说明" carries the note (reason) of "评分"

Value = Decimal | bool | date | str


@lru_cache(maxsize=1 << 18)  # a name recurs in every row of a long file
def normalise(name: str) -> str:
    """The key names are matched by: full-width forms folded (NFKC), all white space removed
    (the seeds break names over lines: "丁 堰 镇")."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def split_aliases(text: str) -> tuple[str, ...]:
    """A unit's aliases as a units file lists them: separated by ; or 、 (or |)."""
    return tuple(a.strip() for a in re.split(r"[;；、|]", text) if a.strip())


def parse_value(text: str) -> Value | None:
    """A cell as written: a number, a percentage (85% -> 0.85), yes/no, or a label; None for a
    blank (empty or a dash). Full-width digits and signs read as half-width; superscripts,
    circled digits and fractions (10², ⑤, ½) are labels, never digits."""
    folded = unicodedata.normalize("NFKC", text).strip()
    if folded != text.strip() and any(unicodedata.category(c) == "No" for c in text):
        return text.strip()  # NFKC would read 10² as 102: a rule reading a number refuses it (E306)
    text = folded
    if not text or text in _DASHES:
        return None
    number = _number(text)
    if number is not None:
        return number[0]
    if _DATE.fullmatch(text):
        year, month, day = (int(n) for n in re.findall(r"\d+", text))
        try:
            return date(year, month, day)
        except ValueError:
            return text  # 2021-02-30 is a label, and a rule reading it as a date says so
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    return text


def _number(text: str) -> tuple[Decimal, str] | None:
    """A figure (NFKC-folded) and the base unit of measure written with it ("%", "人", "元" …, or
    ""), in that unit: 3.5万元 is 35000 元, 85% is 0.85."""
    number = _NUMBER.fullmatch(text)
    if not number:
        return None
    unit, power = read_unit(number.group(2) or "")
    return scaled(Decimal(number.group(1).replace(",", "")), power), unit


def read_figure(raw: str, power: int | None, lang: str, named: dict) -> tuple[Value | None, Diagnostic | None]:
    """A cell as a file or --set gives it: its value, or why not (E313 blank, E306 too long).
    A bare figure of a field in a power of ten of its unit (计量 … 万元: 3.5) is scaled to it; one
    written with a unit or a multiplier (3.5万元, 1152万) says its own size."""
    value = parse_value(raw)
    if value is None:
        return None, diagnostic("E313", lang, **named)
    if isinstance(value, Decimal) and len(value.as_tuple().digits) > MAX_DIGITS:
        return None, diagnostic("E306", lang, value=raw, **named,
                                expected=f"不超过 {MAX_DIGITS} 位的数值" if lang == "zh"
                                else f"a number of at most {MAX_DIGITS} digits")
    if power and isinstance(value, Decimal) and bare(raw):
        value = scaled(value, power)
    return value, None


def bare(raw: str) -> bool:
    """A figure written with neither a unit nor 万 or 亿 (1152, not 1152万 or 1152万元)."""
    number = _NUMBER.fullmatch(unicodedata.normalize("NFKC", raw).strip())
    return bool(number) and not number.group(2)


def written_unit(raw: str) -> str:
    """The unit of measure a figure is written with ("%", "人", "元" …), or ""."""
    number = _number(unicodedata.normalize("NFKC", raw).strip())
    return number[1] if number else ""


MAX_RATE = Decimal(10)  # 1000%: past any rate a town reports; what 35 typed into a cell formatted % reads
def measure_problem(cell: Cell, unit: str, lang: str) -> str | None:
    """Why a number does not fit a field the scheme measures in `unit` (from the figures it is
    compared with: "%", "人", "元" …), as E306 says what was expected; None if it fits."""
    if not isinstance(cell.value, Decimal):
        return None
    written = written_unit(cell.raw)
    zh = lang == "zh"
    if unit == PERCENT_POINTS:  # 97.5 and 97.5% alike
        return None if written in ("", "%") else "百分数" if zh else "a percentage"
    if unit == "%":
        if written == "%" and abs(cell.value) >= MAX_RATE:  # 35 pasted into a cell formatted as %
            shown = f"{cell.value * 100:f}".rstrip("0").rstrip(".")
            return (f"百分数（读作 {shown}%，超过 {MAX_RATE:%}；是 {cell.value:f}% 吗？）" if zh else
                    f"a percentage (it reads {shown}%, over {MAX_RATE:%}; did you mean {cell.value:f}%?)")
        if written == "%" or (written == "" and 0 <= cell.value < 1):  # 0.975 is 97.5%
            return None
        if written == "":  # 97.5 typed where 97.5% was meant: never read as 9750%
            raw = cell.raw.strip()
            return (f"百分数（是 {raw}% 吗？请写作 {raw}%，或写作小数）" if zh else
                    f"a percentage (did you mean {raw}%? write {raw}%, or a fraction)")
        return "百分数" if zh else "a percentage"
    if written and unit_kind(written) != unit_kind(unit):
        return f"以“{unit}”计的数值" if zh else f"a figure in {unit}"
    if unit_kind(unit) == "count" and (cell.value < 0 or cell.value != cell.value.to_integral_value()):
        return f"以“{unit}”计的非负整数" if zh else f"a whole number of {unit}, not negative"
    return None


def field_key(text: str) -> str:
    """A field as data files write it, as rules name it: `target` is 任务."""
    text = text.strip()
    return _FIELD_ALIASES.get(text.lower(), text)


def keeps(keep: str | None, field_name: str) -> bool:
    """Whether a value file's row of this field is read: all are (None); only targets (任务);
    all but targets (实际: --targets given alone replaces the scheme's, the rest stays)."""
    return keep is None or (field_name == TARGET) == (keep == TARGET)


def value_files(values, wide) -> tuple[str, ...]:
    """The value files as a "missing" message names them: where only some rows are read, which."""
    return tuple(display + {None: "", TARGET: "（只读其中的任务）", ACTUAL: "（不读其中的任务）"}[keep]
                 for _, display, keep in values) + tuple(display for _, display, _ in wide)


def place(file: str, row: int, lang: str) -> str:
    """Where a row is, as messages say it."""
    return f"{file} 第 {row} 行" if lang == "zh" else f"{file} row {row}"


class Unit(NamedTuple):  # a named tuple: a province has 100,000 of them, made fast
    name: str
    group: str
    aliases: tuple[str, ...]
    place: str


@dataclass(frozen=True)
class Cell:
    value: Value
    raw: str
    note: str
    place: str  # "values.csv 第 7 行", "任务分解表.xlsx 附件2!H14"


class Record(NamedTuple):
    project: str
    level: str
    place: str


@dataclass
class Dataset:
    units: list[Unit] = field(default_factory=list)
    values: dict[tuple[str, str, str], Cell] = field(default_factory=dict)
    records: dict[tuple[str, str], list[Record]] = field(default_factory=dict)
    value_files: tuple[str, ...] = ()  # where values were read from, for "missing" messages
    by_key: dict[str, Unit] = field(default_factory=dict)  # normalised name or alias -> unit
    blanks: dict[tuple[str, str, str], str] = field(default_factory=dict)  # a wide table's empty cells: place
    refused: set = field(default_factory=set)  # (unit, item, field) of figures refused, or a unit's name:
    # already named in a problem, so that nothing else reports them again as missing
    units_read: bool = True  # False where a units file could not be read: the units are not all here

    def find_unit(self, query: str, lang: str = "zh") -> Unit:
        """By name or alias, ignoring white space; else by a unique prefix."""
        key = normalise(query)
        if not self.by_key:
            self.by_key = {normalise(n): u for u in self.units for n in (u.name, *u.aliases)}
        if key in self.by_key:
            return self.by_key[key]
        # by_key holds every name and alias, normalised, unit by unit in the units' order
        matches = list({id(u): u for name, u in self.by_key.items() if name.startswith(key)}.values())
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise DataError([diagnostic("E309", lang, name=query,
                                        candidates="、".join(u.name for u in matches))])
        raise DataError([diagnostic("E308", lang, name=query,
                                    hint=did_you_mean(key, [u.name for u in self.units], lang))])


MAX_DATA_BYTES = 4 << 30  # 4 GiB: a province's figures are far less; /dev/zero is refused first


def regular_file(path: Path, display: str, lang: str, limit: int = MAX_DATA_BYTES) -> int:
    """The size of a file that may be read: a DataError for a directory, a device or a pipe
    (which would hang or never end) and for a file over `limit` bytes, before any of it is read."""
    try:
        info = path.stat()
    except OSError as e:
        raise DataError([diagnostic("E301", lang, path=display, reason=e.strerror)]) from None
    if not stat.S_ISREG(info.st_mode):
        kind = "目录" if stat.S_ISDIR(info.st_mode) else "设备或管道"
        raise DataError([diagnostic("E301", lang, path=display, reason=(
            f"是{kind}，不是数据文件" if lang == "zh" else "not a regular file (a directory, device or pipe)"))])
    if info.st_size > limit:
        raise DataError([diagnostic("E301", lang, path=display, reason=(
            f"文件过大（{info.st_size} 字节，上限 {limit}）" if lang == "zh" else
            f"too large ({info.st_size} bytes, limit {limit})"))])
    return info.st_size


def read_text(path: Path, display: str, lang: str) -> str:
    """A data file's text: UTF-8, with or without BOM, or a DataError that says how to fix it."""
    regular_file(path, display, lang)
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise DataError([diagnostic("E301", lang, path=display, reason=e.strerror)]) from None
    except UnicodeDecodeError as e:
        reason = (f"不是 UTF-8 编码（第 {e.start} 字节）；请另存为“CSV UTF-8”" if lang == "zh" else
                  f"not UTF-8 (byte {e.start}); save it as CSV UTF-8")
        raise DataError([diagnostic("E301", lang, path=display, reason=reason)]) from None


MAX_CELL = 1 << 20  # characters in one CSV cell: a 说明 is far shorter; a stray quote makes one this long


def csv_rows(text: str, delimiter: str, display: str, lang: str) -> list[list[str]]:
    """The records of a CSV text. csv itself splits them: a quoted cell may hold a line break (a
    说明 typed with Alt+Enter in Excel), and only \n, \r\n and \r end a record. A quote left
    open, or a cell too long, is a DataError naming the record where it begins."""
    csv.field_size_limit(MAX_CELL)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows, line = [], 1
    try:
        for row in reader:
            rows.append(row)
            line = reader.line_num + 1
    except csv.Error as e:
        record = len(rows) + 1
        begins = text.split("\n", line)[line - 1][:40]
        where = place(display, record, lang) + ("" if line == record else
                                                 f"（文本第 {line} 行）" if lang == "zh" else f" (text line {line})")
        zh, en = ((f"单元格超过 {MAX_CELL} 个字符", f"a cell over {MAX_CELL} characters") if "larger" in str(e) else
                  ("引号闭合后紧跟其他字符", "characters after a closing quote") if "expected after" in str(e) else
                  ("引号未闭合", "a quote left open"))
        raise DataError([diagnostic("E314", lang, place=where, what=(
            f"{zh}（此行以 {begins!r} 开头）" if lang == "zh" else f"{en} (the line begins {begins!r})"))]) from None
    return rows


def fields_unlike_header(display: str, row: int, fields: int, header: int, lang: str) -> Diagnostic:
    """E314 for a CSV row of more (or fewer) fields than its header: 1,200 unquoted is two."""
    return diagnostic("E314", lang, place=place(display, row, lang), what=(
        f"有 {fields} 个字段，表头有 {header} 个（含逗号的值请加引号）" if lang == "zh" else
        f"{fields} fields, the header has {header} (quote a value holding a comma)"))


class _Reader:
    """Reads one CSV file, mapping its header to our column names."""

    def __init__(self, path: Path, display: str, lang: str, required: tuple[str, ...],
                 optional: tuple[str, ...] = ()):
        self.display, self.lang = display, lang
        text = read_text(path, display, lang)
        first = text.split("\n", 1)[0].rstrip("\r")
        rows = csv_rows(text, self._delimiter(first, required + optional), display, lang)
        header = [h.strip().lstrip("\ufeff") for h in rows[0]] if rows else []  # a BOM saved twice, as both readers take it
        self.columns = {}
        for name in required + optional:
            index = next((i for i, h in enumerate(header) if h in _HEADERS[name]), None)
            if index is None and name in required:
                raise DataError([diagnostic("E302", lang, path=display, wanted=_HEADERS[name][0],
                                            header=",".join(header))])
            self.columns[name] = index
        self.rows = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
        # 1,200 unquoted is two fields: never read as 1 with 200 taken for the next column
        self.problems = [fields_unlike_header(display, n, len(r), len(header), lang)
                         for n, r in self.rows if len(r) != len(header)]
        self.rows = [(n, r) for n, r in self.rows if len(r) == len(header)]

    @staticmethod
    def _delimiter(header: str, names: tuple[str, ...]) -> str:
        """Comma, or what the header is evidently split by (tab, semicolon, full-width comma)."""
        known = {h for name in names for h in _HEADERS[name]}

        def hits(delimiter: str) -> int:
            return sum(1 for h in header.split(delimiter) if h.strip().lstrip("\ufeff") in known)

        return max([",", "\t", ";", "，"], key=hits)

    def cell(self, row: list[str], name: str) -> str:
        index = self.columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""


def load(units: list[tuple[Path, str]], values: list[tuple[Path, str]],
         records: list[tuple[Path, str]], item_names: dict[str, str], lang: str = "zh",
         wide: list[tuple[Path, str, str]] = (), sub_names: dict[str, str] | None = None,
         powers: dict[tuple[str, str], int] | None = None) -> tuple[Dataset, list[Diagnostic]]:
    """Load the files (each given as path and the name to show in messages; a values file also
    with which of its rows to read, see `keeps`).

    `item_names` maps the normalised name, title or alias of every item and section to its
    name, so the data may use any. `wide` lists wide-layout files with the field their values
    fill (任务 or 实际); `sub_names` maps row labels to the items that take a row's bracketed
    second value; a bare figure of a field (item, field) in `powers` is in that power of ten of
    its unit (计量 … 万元: 3.5 is 35000 元; 计量 … 百分点: 97.5 is 97.5%).
    Returns what could be read and every problem found, each figure refused left out of
    data.values and noted in data.refused.
    """
    data = Dataset(value_files=value_files(values, wide))
    problems: list[Diagnostic] = []
    by_key = data.by_key

    def opened(read):
        """What `read()` returns, or None with its problem kept: one file that cannot be read
        (its encoding, a column missing) does not hide the problems of the others."""
        try:
            return read()
        except DataError as e:
            problems.extend(e.diagnostics)
            return None

    for path, display in units:
        reader = opened(lambda: _Reader(path, display, lang, ("unit", "group"), ("aliases",)))
        if reader is None:  # no row's unit is then called unknown: the units file said what is wrong
            data.units_read = False
            continue
        problems += reader.problems
        for row_no, row in reader.rows:
            name, group = reader.cell(row, "unit"), reader.cell(row, "group")
            aliases = split_aliases(reader.cell(row, "aliases"))
            unit = Unit(name, group, aliases, place(display, row_no, lang))
            if not name:
                problems.append(diagnostic("E314", lang, place=unit.place, what=(
                    "单位名为空" if lang == "zh" else "the unit has no name")))
                continue
            for key in {normalise(n) for n in (name, *aliases)}:
                if key in by_key:
                    problems.append(diagnostic("E312", lang, place=unit.place,
                                               what=f"单位 {name} 与 {by_key[key].place} 的 {by_key[key].name} 重名"))
                by_key[key] = unit
            data.units.append(unit)

    def resolve_unit(name: str, where: str) -> Unit | None:
        unit = by_key.get(normalise(name))
        if not name:
            problems.append(diagnostic("E314", lang, place=where, what="未写单位" if lang == "zh" else "no unit given"))
        elif unit is None and data.units_read:
            problems.append(diagnostic("E303", lang, place=where, unit=name,
                                       hint=did_you_mean(name, [u.name for u in data.units], lang)))
        return unit

    def resolve_item(name: str, where: str) -> str | None:
        item = item_names.get(normalise(name))
        if not name:
            problems.append(diagnostic("E314", lang, place=where, what="未写指标" if lang == "zh" else "no item given"))
        elif item is None:
            problems.append(diagnostic("E312", lang, place=where,
                                       what=f"未知指标 {name}" + did_you_mean(name, set(item_names.values()), lang)))
        return item

    def add_value(unit: Unit, item: str, field_name: str, raw: str, note: str, where: str) -> None:
        field_name = field_key(field_name)
        key = (unit.name, item, field_name)
        named = dict(place=where, unit=unit.name, item=item, field=field_name)
        if key in data.values:
            problems.append(diagnostic("E304", lang, first=data.values[key].place, **named))
            return
        value, problem = read_figure(raw, (powers or {}).get((item, field_name)), lang, named)
        if problem is None:
            data.values[key] = Cell(value, raw, note, where)
            return
        problems.append(problem)
        data.refused.add(key)

    for path, display, keep in values:
        reader = opened(lambda: _Reader(path, display, lang, ("unit", "item", "field", "value"), ("note",)))
        if reader is None:
            continue
        problems += reader.problems
        for row_no, row in reader.rows:
            if not keeps(keep, field_key(reader.cell(row, "field"))):
                continue
            where = place(display, row_no, lang)
            unit = resolve_unit(reader.cell(row, "unit"), where)
            item = resolve_item(reader.cell(row, "item"), where)
            if unit is not None and item is not None:
                add_value(unit, item, reader.cell(row, "field"), reader.cell(row, "value"),
                          reader.cell(row, "note"), where)

    returns: dict[str, str] = {}  # unit -> its own workbook (kpi template --per-unit)
    others: set[str] = set()  # units with figures in a table of several units
    if wide:
        from .sheets import read_wide, with_notes  # the wide layout's reader: only when there is one
    for path, display, field_name in wide:
        read = opened(lambda: read_wide(path, display, field_name, data, item_names, sub_names or {}, lang))
        if read is None:
            continue
        entries, found, owner = read
        problems.extend(found)
        if owner is not None and owner.name in returns:  # sent twice: neither copy is taken over the other
            problems.append(diagnostic("E315", lang, what=(
                f"{display}：{owner.name} 的填报表重复（已有 {returns[owner.name]}）" if lang == "zh" else
                f"{display}: {owner.name}'s workbook again (after {returns[owner.name]})")))
            data.refused.add(owner.name)
            continue
        if owner is not None:
            returns[owner.name] = display
        else:
            others.update(e[0].name for e in entries)
        for unit, item, field_of_row, raw, note, where in with_notes(entries):
            if raw is None:  # refused where it was read
                data.refused.add((unit.name, item, field_key(field_of_row)))
            elif raw:
                add_value(unit, item, field_of_row, raw, note, where)
            else:
                data.blanks.setdefault((unit.name, item, field_key(field_of_row)), where)

    missing = [u.name for u in data.units if u.name not in returns and u.name not in others] if returns else []
    if missing:  # one line for a town that has not sent its workbook, not a line per figure
        problems.append(diagnostic("E315", lang, what=(
            f"收到 {len(returns)} 份单位填报表，缺少 {len(missing)} 个单位的：{'、'.join(missing)}" if lang == "zh" else
            f"{len(returns)} unit workbooks read; none from {len(missing)} units: {', '.join(missing)}")))
        data.refused.update(missing)

    for path, display in records:
        reader = opened(lambda: _Reader(path, display, lang, ("unit", "item", "project", "level")))
        if reader is None:
            continue
        problems += reader.problems
        for row_no, row in reader.rows:
            where = place(display, row_no, lang)
            unit = resolve_unit(reader.cell(row, "unit"), where)
            item = resolve_item(reader.cell(row, "item"), where)
            if unit is not None and item is not None:
                data.records.setdefault((unit.name, item), []).append(
                    Record(reader.cell(row, "project"), reader.cell(row, "level"), where))

    return data, problems


NOT_APPLICABLE = "不适用"


def is_not_applicable(value) -> bool:
    """不适用 written for an item (财预〔2020〕10号), as typed: 不 适 用, 不适用。, N/A, NA."""
    if not isinstance(value, str):
        return False
    word = re.sub(r"[\s　]+", "", unicodedata.normalize("NFKC", value)).rstrip("。.；;，,").upper()
    return word in (NOT_APPLICABLE, "N/A", "NA")


def not_applicable_hint(value, lang: str) -> str:
    """Said after E306's expected kind where the value is 不适用 and the item may not drop."""
    if not is_not_applicable(value):
        return ""
    return "（方案未写明本指标 可不适用）" if lang == "zh" else " (the scheme does not say may_not_apply)"


def check_value(cell: Cell, unit: str, item: str, field_name: str, expected: type, lang: str) -> Value:
    """The cell's value if it has the expected kind, else a DataError naming its place."""
    ok = isinstance(cell.value, expected) and not (expected is Decimal and isinstance(cell.value, bool))
    if not ok:
        label = {Decimal: ("数值", "a number"), bool: ("是/否", "yes/no"), date: ("日期", "a date"),
                 str: ("文字", "text")}[expected]
        label = (label[0] if lang == "zh" else label[1]) + not_applicable_hint(cell.value, lang)
        raise DataError([diagnostic("E306", lang, place=cell.place, unit=unit, item=item,
                                    field=field_name, value=cell.raw, expected=label)])
    return cell.value
