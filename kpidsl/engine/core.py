"""Evaluation stage, shared part: the units, their figures as columns, and expressions.

Every expression is evaluated once over all units. What it read is kept in a `Reads` (the
columns, and for each the units that really read it: a branch not taken, an operand after a
decisive one, is not read), so that one unit's explanation can be written later from the record.
Errors are values too (num.Col.err): a unit is refused only where the error reaches its score.
"""
from __future__ import annotations

import copy
import dataclasses
import functools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Callable

import numpy as np

from .. import ast
from ..ast import ACTUAL, RATE, TARGET, show_expr
from ..data import Dataset, bare, check_value, is_not_applicable, written_unit
from ..errors import DataError, Diagnostic, diagnostic, did_you_mean
from ..index import SCHEME_NODE, SchemeIndex
from ..numbers import plain
from ..units import declared
from . import num
from .num import DAY, FLAG, MISSING, NUMBER, TEXT, Col

EPOCH = date(1970, 1, 1)
MAX_DIGITS = 300  # a computed measure longer than this (numerator or denominator) is an error
MAX_BITS = int(MAX_DIGITS * 3.33)
_WORD = {NUMBER: "数值", FLAG: "是/否", DAY: "日期"}
_TYPE = {NUMBER: Decimal, FLAG: bool, DAY: date}


Shown = Callable[[np.ndarray], list[str]]  # how the units at idx read a value, each as text


class Reads:
    """What was read while computing something, for the explanation: (label, how the units'
    values are shown, which units read it), or a measure's own Reads (shared, not copied:
    measures built on measures stay linear work)."""

    def __init__(self):
        self.entries: list[tuple[str | None, object, np.ndarray | None]] = []

    def add(self, label: str, shown: Shown, mask: np.ndarray | None) -> None:
        self.entries.append((label, shown, mask))

    def extend(self, other: Reads, mask: np.ndarray | None) -> None:
        self.entries.append((None, other, mask))

    def rows(self, idx: np.ndarray) -> list[tuple[tuple[str, str], ...]]:
        """For each unit at idx, what it read: (label, value shown), each label once, in the
        order first read."""
        found: list[tuple[str, list]] = []
        seen: dict[str, np.ndarray] = {}
        visited: dict[int, np.ndarray] = {}

        def visit(reads: Reads, reaching: np.ndarray) -> None:
            for label, shown, mask in reads.entries:
                here = reaching if mask is None else reaching & mask[idx]
                if label is None:  # a measure: read once per unit, where first reached
                    before = visited.setdefault(id(shown), np.zeros(len(idx), bool))
                    new = here & ~before
                    if new.any():
                        visited[id(shown)] = before | new
                        visit(shown, new)
                    continue
                before = seen.setdefault(label, np.zeros(len(idx), bool))
                new = here & ~before
                if new.any():
                    seen[label] = before | new
                    at = np.flatnonzero(new)
                    column: list = [None] * len(idx)
                    for k, text in zip(at.tolist(), shown(idx[at])):
                        column[k] = text
                    found.append((label, column))

        visit(self, np.ones(len(idx), bool))
        pairs = [[(label, text) for text in column] for label, column in found]
        if all(None not in column for _, column in found):  # every unit read the same labels
            return list(zip(*pairs)) if pairs else [()] * len(idx)
        return [tuple([pair for pair in row if pair[1] is not None]) for row in zip(*pairs)]

    def at(self, i: int) -> tuple[tuple[str, str], ...]:
        return self.rows(np.array([i]))[0]


@dataclass(frozen=True)
class Where:
    """Where an expression is evaluated: whose fields bare names read (`node`), and the item or
    section being scored (`scored`), for messages."""
    node: str | None
    scored: str | None

    def at(self, node: str | None) -> Where:
        return Where(node, self.scored)


class Engine:
    """The units, their figures as columns, and the expression evaluator every rule uses."""

    def __init__(self, scheme: ast.Scheme, index: SchemeIndex, data: Dataset, columns, records):
        self.scheme, self.index, self.data, self.columns, self.records = scheme, index, data, columns, records
        self.lang = scheme.language
        self.size = len(data.units)
        self.group_names = sorted({u.group for u in data.units})
        number_of = {g: k for k, g in enumerate(self.group_names)}
        self.group = np.array([number_of[u.group] for u in data.units], dtype=np.int64)
        self.rounding = scheme.item_rounding
        # an item rounded once after its deductions: its steps kept exact, shown to 4 more places
        self.working = ast.Rounding(self.rounding.places + 4, self.rounding.mode)
        self._fresh()

    def _fresh(self) -> None:
        """What an evaluation builds as it goes: errors, texts, constants, measures, results."""
        self.errors: list[Callable[[int], Diagnostic]] = [lambda i: None]  # an error's code is its place here
        self.texts: list[str] = []
        self._text_codes: dict[str, int] = {}
        self._constants: dict = {}
        self._lets: dict[tuple, tuple[Col, Reads]] = {}
        self._named: dict = {}
        self._by_unit: dict[str, dict[int, list[int]]] = {}
        self._wrote_na: dict[str, np.ndarray | None] = {}  # node -> its units' 不适用
        self.overrides: dict[tuple[str, str], dict[int, object]] = {}  # what if: (node, field) -> unit -> value
        # results readable by awards (X.得分, 总分, X.金额, X.评等), set once computed
        self.scores: dict[str, Col] = {}
        self.dropped_scores: dict[str, np.ndarray] = {}  # node -> the units it does not apply to (不适用)
        self.total: Col | None = None
        self.amounts: dict[str, Col] = {}
        self.grades: dict[str, Col] = {}

    @functools.cached_property
    def measured(self) -> dict[tuple[str, str], str]:
        """(node, field) -> the unit its figures are in (checker.field_units)."""
        from ..checker import field_units

        return field_units(self.index)

    # ---- small helpers --------------------------------------------------------------
    def error(self, make: Callable[[int], Diagnostic]) -> int:
        self.errors.append(make)
        return len(self.errors) - 1

    def fail(self, code: str, where: str | None, what, cells: tuple[tuple[str, str], ...] = (), **fields) -> int:
        """An error for every unit it is set on: `what(i)` (or a fixed text) says what; with the
        place of the first of the unit's `cells` (node, field) whose place the data read keeps."""
        def make(i: int) -> Diagnostic:
            text = what(i) if callable(what) else what
            place = next(filter(None, (self.place_of(i, *cell) for cell in cells)), None)
            return diagnostic(code, self.lang, unit=self.data.units[i].name, item=where or SCHEME_NODE,
                              what=text + (f"（{place}）" if place else ""), **fields)
        return self.error(make)

    def place_of(self, i: int, node: str, field: str) -> str | None:
        """Where unit i's figure for node.field was read, or its blank cell was."""
        key = (self.data.units[i].name, node, field)
        cell = self.data.values.get(key)
        return cell.place if cell is not None else self.data.blanks.get(key)

    def const(self, value) -> Col:
        """A constant for every unit; its arrays are shared (no array is changed in place)."""
        if value not in self._constants:
            self._constants[value] = num.constant(value, self.size)
        c = self._constants[value]
        return Col(c.kind, c.n, c.d, c.err)

    def zeros(self) -> np.ndarray:
        return np.zeros(self.size, np.int32)

    def text_code(self, text: str) -> int:
        if text not in self._text_codes:
            self._text_codes[text] = len(self.texts)
            self.texts.append(text)
        return self._text_codes[text]

    def python(self, col: Col, i: int):
        """One unit's value as the Python value it stands for."""
        kind = int(col.kind[i])
        if kind == NUMBER:
            return col.fraction(i)
        if kind == FLAG:
            return bool(col.n[i])
        if kind == DAY:
            return EPOCH + timedelta(days=int(col.n[i]))
        return self.texts[int(col.n[i])]

    def raise_errors(self, err: np.ndarray, limit: int = 200) -> None:
        """Refuse, naming every unit's error (each once), if any unit has one."""
        problems: list[Diagnostic] = []
        for i in np.flatnonzero(err).tolist():
            found = self.errors[int(err[i])](i)
            if found not in problems:
                problems.append(found)
            if len(problems) >= limit:
                break
        if problems:
            raise DataError(problems)

    # ---- fields ---------------------------------------------------------------------
    def field(self, node: str, field: str) -> Col:
        """A field of every unit, with the scheme's 缺省 where a unit has none (not cached: cheap
        to make, and every field kept would double the memory at 100,000 units)."""
        columns, size = self.columns, self.size
        slot = columns.slots.get((node, field))
        if slot is None:
            kind, n, exponent = np.zeros(size, np.int8), np.zeros(size, np.int64), np.zeros(size, np.int64)
        else:
            kind, n, exponent = columns.column(slot)
            kind, n = kind.copy(), n.copy()
        d = 10 ** exponent
        missing = kind == MISSING
        if slot is not None and columns.big:
            wide = [(u, v) for (s, u), v in columns.big.items() if s == slot]
            if wide:
                n, d = n.astype(object), d.astype(object)
                for u, (integer, places) in wide:
                    n[u], d[u] = integer, 10 ** places
        if slot is not None and kind.max(initial=0) == TEXT:
            for u in np.flatnonzero(kind == TEXT).tolist():
                n[u] = self.text_code(columns.texts[(slot, u)])
        err = np.zeros(size, np.int32)
        if missing.any():
            default = self.index.default(node, field)
            if default is not None:
                value = default.value
                if isinstance(value, bool):
                    kind[missing], n[missing] = FLAG, int(value)
                elif isinstance(value, date):
                    kind[missing], n[missing] = DAY, (value - EPOCH).days
                else:
                    f = Fraction(value)
                    kind[missing], n[missing], d = NUMBER, f.numerator, np.where(missing, f.denominator, d)
            else:
                kind[missing] = NUMBER
                err[missing] = self._missing_error(node, field)
        d = d if d.dtype == object else d.astype(np.int64)
        for u, value in self.overrides.get((node, field), {}).items():
            if isinstance(value, bool):
                kind[u], n[u], d[u], err[u] = FLAG, int(value), 1, 0
            else:
                f = Fraction(value)
                if n.dtype != object and not (abs(f.numerator) < num._LIMIT and f.denominator < num._LIMIT):
                    n, d = n.astype(object), d.astype(object)  # only a figure past 64 bits widens the column
                kind[u], n[u], d[u], err[u] = NUMBER, f.numerator, f.denominator, 0
        return Col(kind.astype(np.int8), num.narrow(n), num.narrow(d), err)

    def of_unit(self, unit: int) -> Engine:
        """The same scheme over one unit alone (as unit 0), with its figures and what-ifs: for
        rules that read no other unit's figures (no rank, no share)."""
        data = dataclasses.replace(self.data, units=[self.data.units[unit]], by_key={})
        other = Engine(self.scheme, self.index, data, self.columns.of_unit(unit), self.records.of_unit(unit))
        other.overrides = {key: {0: units[unit]} for key, units in self.overrides.items() if unit in units}
        return other

    def fork(self, node: str, field: str, unit: int, value) -> Engine:
        """The same units and figures, but one unit's figure changed (what if)."""
        other = copy.copy(self)
        other._fresh()
        other.overrides = {key: dict(units) for key, units in self.overrides.items()}
        other.overrides.setdefault((node, field), {})[unit] = value
        return other

    def _missing_error(self, node: str, field: str) -> int:
        def make(i: int) -> Diagnostic:
            unit = self.data.units[i].name
            files = "、".join(self.data.value_files) or "（未指定）"
            fields = {f for (n, f), slot in self.columns.slots.items()
                      if n == node and self.columns.kind[slot][i] != MISSING}
            return diagnostic("E305", self.lang, unit=unit, item=node, field=field, files=files,
                              hint=did_you_mean(field, fields, self.lang))
        return self.error(make)

    def missing(self, node: str, field: str, i: int) -> bool:
        slot = self.columns.slots.get((node, field))
        return slot is None or self.columns.kind[slot][i] == MISSING

    def not_applicable(self, node: str) -> np.ndarray | None:
        """The units that wrote 不适用 in any of the node's fields, None for a node that may not
        drop out (no 可不适用); read by the item, its rank pool and its share: found once."""
        if node not in self._wrote_na:
            self._wrote_na[node] = self.columns.not_applicable(node) if self.index.may_not_apply(node) else None
        return self._wrote_na[node]

    def written(self, node: str, i: int) -> tuple[tuple[str, str], ...]:
        """Unit i's figures for the node as written (its 不适用 among them), field by field."""
        unit = self.data.units[i].name
        return tuple((field, cell.raw) for (name, field), _ in self.columns.slots.items()
                     if name == node and (cell := self.data.values.get((unit, node, field))) is not None)

    def noted(self, node: str, field: str) -> np.ndarray:
        slot = self.columns.slots.get((node, field))
        return self.columns.noted[slot] if slot is not None else np.zeros(self.size, bool)

    # ---- units and records ------------------------------------------------------------
    def named(self, name: str):
        if name not in self._named:
            self._named[name] = self.data.find_unit(name, self.lang)
        return self._named[name]

    def record_rows(self, node: str) -> list[int]:
        return [r for r, item in enumerate(self.records.item) if item == node]

    def records_by_unit(self, node: str) -> dict[int, list[int]]:
        """Each unit's records for the item, in an order that does not depend on the file's."""
        if node not in self._by_unit:
            records, found = self.records, {}
            for r in sorted(self.record_rows(node), key=lambda r: (records.project[r], records.level[r])):
                found.setdefault(int(records.unit[r]), []).append(r)
            self._by_unit[node] = found
        return self._by_unit[node]

    def record_error(self, place: str, i: int, node: str, level: str, known) -> Diagnostic:
        return diagnostic("E312", self.lang, place=place,
                          what=f"{self.data.units[i].name} / {node}：级别 {level!r} 不在方案所列之中（{'、'.join(known)}）")

    def field_shown(self, node: str, field: str, col: Col) -> Shown:
        """A field as the unit wrote it (the cell, where kept), with the unit the scheme measures
        it in where the figure is bare (245 of a field in 人: 245人); or as its default reads."""
        default = self.index.default(node, field)
        unit = self.measured.get((node, field), "")
        suffix = "%" if unit == ast.PERCENT_POINTS else "" if unit in ("%", ast.DATE_UNIT) else unit
        power = declared(unit)[1] if suffix else 0

        def shown(idx: np.ndarray) -> list[str]:
            out = self.shown_values(col, idx, None)
            units, values = self.data.units, self.data.values
            for k, i in enumerate(idx.tolist()):
                cell = values.get((units[i].name, node, field))
                if cell is not None:
                    if suffix and isinstance(cell.value, Decimal) and not written_unit(cell.raw):
                        out[k] = cell.raw + (suffix if bare(cell.raw) else declared(unit)[0])  # 1152万: 1152万元
                    else:
                        out[k] = cell.raw
                elif default is not None and self.missing(node, field, i):
                    out[k] = f"{default.text}（未填报，按方案 缺省 视为 {default.text}）"
                elif suffix and col.kind[i] == NUMBER and unit != ast.PERCENT_POINTS:
                    # read by the columnar reader, a number as such, in the base unit: 265 of 千人 is 0.265千人
                    out[k] = (plain(Decimal(out[k]).scaleb(-power)) if power and not out[k].endswith("…")
                              else out[k]) + suffix
            return out
        return shown

    def shown_values(self, col: Col, idx: np.ndarray, places: int | None = 4, ratio: bool = False) -> list[str]:
        """The units' values as text: numbers as num.texts writes them (percentages where
        `ratio`), 是/否, dates, labels."""
        kinds = col.kind[idx]
        numbers = kinds == NUMBER
        out = num.texts(col, idx[numbers], places, ratio) if numbers.all() else [None] * len(idx)
        if not numbers.all():
            at = np.flatnonzero(numbers)
            for k, text in zip(at.tolist(), num.texts(col, idx[at], places, ratio)):
                out[k] = text
            for k in np.flatnonzero(~numbers).tolist():
                value = self.python(col, int(idx[k]))
                out[k] = {True: "是", False: "否"}[value] if isinstance(value, bool) else str(value)
        return out

    # ---- expressions ------------------------------------------------------------------
    def number(self, at: Where, expr: ast.Expr, reads: Reads, mask=None) -> Col:
        return self._kind(at, expr, self.value(at, expr, reads, mask), NUMBER)

    def truth(self, at: Where, expr: ast.Expr, reads: Reads, mask=None) -> Col:
        return self._kind(at, expr, self.value(at, expr, reads, mask), FLAG)

    def _kind(self, at: Where, expr: ast.Expr, col: Col, kind: int) -> Col:
        wrong = (col.kind != kind) & (col.err == 0)
        if not wrong.any():
            return col
        code = self._kind_error(at, expr, col, kind)
        return Col(np.where(wrong, kind, col.kind), np.where(wrong, 0, col.n), np.where(wrong, 1, col.d),
                   np.where(wrong, code, col.err))

    def _kind_error(self, at: Where, expr: ast.Expr, col: Col, kind: int) -> int:
        """A value of the wrong kind: the data cell it came from (file and row), if it did."""
        def make(i: int) -> Diagnostic:
            unit = self.data.units[i].name
            if isinstance(expr, ast.Ref):
                resolved = self.index.resolve(at.node, expr)
                if resolved[0] == "field":
                    cell = self.data.values.get((unit, resolved[1], resolved[2]))
                    if cell is not None and is_not_applicable(cell.value) and self.index.may_not_apply(resolved[1]):
                        return diagnostic("E311", self.lang, unit=unit, item=at.scored or SCHEME_NODE,
                                          what=f"{resolved[1]}.{resolved[2]} 不适用（{cell.place}），此处无法读取")
                    if cell is not None:
                        try:
                            check_value(cell, unit, resolved[1], resolved[2], _TYPE[kind], self.lang)
                        except DataError as e:
                            return e.diagnostics[0]
            found = int(col.kind[i])
            value = self.shown_values(col, np.array([i]))[0]  # as the explanation writes it, not Python's repr
            return diagnostic("E311", self.lang, unit=unit, item=at.scored or SCHEME_NODE,
                              what=f"{show_expr(expr)}（{Path(self.scheme.path).name}:{expr.pos.line}:{expr.pos.column}）"
                                   f"应为{_WORD[kind]}，实为{_WORD.get(found, '文字')} {value}")
        return self.error(make)

    def value(self, at: Where, expr: ast.Expr, reads: Reads, mask=None) -> Col:
        """The expression for every unit; `mask`: the units that really evaluate it here (for
        what the explanation shows as read; None: all)."""
        size = self.size
        match expr:
            case ast.Literal(quantity=q):
                return self.const(q.value)
            case ast.BoolLiteral(value=v):
                return Col(np.full(size, FLAG, np.int8), np.full(size, int(v), np.int64),
                           np.ones(size, np.int64), self.zeros())
            case ast.DateLiteral(value=v):
                return Col(np.full(size, DAY, np.int8), np.full(size, (v - EPOCH).days, np.int64),
                           np.ones(size, np.int64), self.zeros())
            case ast.TextLiteral(value=v):
                return Col(np.full(size, TEXT, np.int8), np.full(size, self.text_code(v), np.int64),
                           np.ones(size, np.int64), self.zeros())
            case ast.Ref():
                return self._ref(at, expr, reads, mask)
            case ast.Not(operand=o):
                x = self.truth(at, o, reads, mask)
                return Col(x.kind, 1 - x.n, x.d, x.err)
            case ast.Logical(op=op, operands=ops):
                # left to right: an operand after a decisive one is not evaluated
                first = self.truth(at, ops[0], reads, mask)
                v, err = first.n.astype(bool), first.err
                for o in ops[1:]:
                    undecided = (v if op == "and" else ~v) & (err == 0)
                    x = self.truth(at, o, reads, undecided if mask is None else undecided & mask)
                    err = np.where(undecided, x.err, err)
                    v = (v & x.n.astype(bool)) if op == "and" else (v | x.n.astype(bool))
                return Col(np.full(size, FLAG, np.int8), v.astype(np.int64), np.ones(size, np.int64), err)
            case ast.Compare(op=op, left=l, right=r):
                return self._compare(at, op, l, r, reads, mask)
            case ast.Binary(op=op, left=l, right=r):
                a, b = self.number(at, l, reads, mask), self.number(at, r, reads, mask)
                if op == "/":
                    return num.div(a, b, self._zero_error(at.node, show_expr(r)))
                return {"+": num.add, "-": num.sub, "*": num.mul}[op](a, b)
        raise TypeError(expr)

    def _zero_error(self, node: str | None, what: str) -> int:
        return self.error(lambda i: diagnostic("E307", self.lang, unit=self.data.units[i].name, item=node,
                                               what=what))

    def _compare(self, at: Where, op: str, l, r, reads: Reads, mask) -> Col:
        a, b = self.value(at, l, reads, mask), self.value(at, r, reads, mask)
        err = num.first_error(a.err, b.err)
        size = self.size
        if op in ("=", "!="):
            same_kind = a.kind == b.kind
            numeric = same_kind & (a.kind == NUMBER)
            equal = same_kind & np.where(numeric, num.compare(a, b) == 0 if numeric.any() else False,
                                         (a.n == b.n) if a.n.dtype == b.n.dtype else False)
            v = equal if op == "=" else ~equal
        else:
            # dates compare with dates (完成日期 <= 2021-09-30), numbers with numbers
            dated = (a.kind == DAY) | (b.kind == DAY)
            want = np.where(dated, DAY, NUMBER)
            bad_a, bad_b = (a.kind != want) & (err == 0), (b.kind != want) & (err == 0)
            if bad_a.any() or bad_b.any():
                err = np.where(bad_a, self._kind_error(at, l, a, DAY) if (bad_a & dated).any() else
                               self._kind_error(at, l, a, NUMBER), err)
                err = np.where(bad_b & ~bad_a, self._kind_error(at, r, b, DAY) if (bad_b & dated).any() else
                               self._kind_error(at, r, b, NUMBER), err)
            ok = (err == 0)
            c = num.compare(Col(a.kind, np.where(ok, a.n, 0), np.where(ok, a.d, 1), a.err),
                            Col(b.kind, np.where(ok, b.n, 0), np.where(ok, b.d, 1), b.err))
            v = {">=": c >= 0, "<=": c <= 0, ">": c > 0, "<": c < 0}[op]
        return Col(np.full(size, FLAG, np.int8), v.astype(np.int64), np.ones(size, np.int64), err)

    def _ref(self, at: Where, ref: ast.Ref, reads: Reads, mask) -> Col:
        label = str(ref)
        match self.index.resolve(at.node, ref):
            case ("rate", node):
                here = at.at(node)
                target = self.number(here, ast.Ref(None, TARGET, ref.pos), Reads())
                actual = self.number(here, ast.Ref(None, ACTUAL, ref.pos), Reads())
                rate = num.div(actual, target, self._zero_error(node, TARGET))
                reads.add(label, lambda idx: [f"{a} / {t} = {r}" for a, t, r in zip(
                    num.texts(actual, idx), num.texts(target, idx), num.texts(rate, idx, percent=True))], mask)
                return rate
            case ("let", let, owner):
                key = (owner, let.name)
                if key not in self._lets:
                    inner = Reads()
                    self._lets[key] = (self._bounded(self.value(at.at(owner), let.expr, inner), at, let), inner)
                value, inner = self._lets[key]
                reads.extend(inner, mask)
                ratio = self.is_ratio(let.expr, owner)
                reads.add(label, lambda idx: self.shown_values(value, idx, ratio=ratio), mask)
                return value
            case ("const", const):
                values = dict(const.values)
                chosen = [values.get(g) for g in self.group_names]
                n, d = _decimal_arrays([q.value if q else Decimal(0) for q in chosen] + [Decimal(0)])
                missing = np.array([q is None for q in chosen] + [True], bool)[self.group]
                code = self.fail("E311", at.scored, lambda i: f"常量 {const.name} 未规定分组 "
                                                              f"{self.data.units[i].group} 的值")
                reads.add(label, lambda idx: [f"{values[g]}（{g}）" for g in (self.data.units[i].group
                                                                            for i in idx.tolist())], mask)
                return num.number(n[self.group], d[self.group], np.where(missing, code, 0).astype(np.int32))
            case ("field", node, field):
                col = self.field(node, field)
                reads.add(label, self.field_shown(node, field, col), mask)
                return col
            case ("total",) if self.total is not None:
                reads.add(label, lambda idx: num.texts(self.total, idx, None), mask)
                return self.total
            case ("score", node) if node in self.scores and self.total is not None:
                score = self.scores[node]
                reads.add(label, lambda idx: num.texts(score, idx, None), mask)
                return score
            case ("amount", award) if award in self.amounts:
                amount = self.amounts[award]
                reads.add(label, lambda idx: num.texts(amount, idx, None), mask)
                return amount
            case ("grade", award) if award in self.grades:
                grade = self.grades[award]
                reads.add(label, lambda idx: [self.texts[c] for c in grade.n[idx].tolist()], mask)
                return grade
            case ("amount", award):
                what = f"{ref} 须在本奖励之前计算（奖励按方案中的先后计算）"
            case ("grade", award):
                what = f"{ref}：{award} 须是在本奖励之前计算的评等"
            case (kind, *_):  # 得分, 总分: results, readable only when paying awards
                what = f"{label} 只能在 奖励 中使用（计分时尚无{kind}）"
        code = self.fail("E311", at.scored, what)
        return Col(np.full(self.size, NUMBER, np.int8), np.zeros(self.size, np.int64),
                   np.ones(self.size, np.int64), np.full(self.size, code, np.int32))

    def _bounded(self, col: Col, at: Where, let: ast.Let) -> Col:
        """A measure whose numbers pass MAX_BITS is an error for those units (its value 0 from
        then on): a chain of measures that square themselves stops here, not after hours."""
        if col.n.dtype != object and col.d.dtype != object:
            return col
        size = np.frompyfunc(lambda n, d: max(int(n).bit_length(), int(d).bit_length()), 2, 1)
        huge = (size(col.n, col.d).astype(np.int64) > MAX_BITS) & (col.err == 0)
        if not huge.any():
            return col
        code = self.fail("E311", at.scored, f"计算 {let.name} 的数值超过 {MAX_DIGITS} 位，超出允许范围 / "
                                            f"measure {let.name} exceeds {MAX_DIGITS} digits")
        return Col(col.kind, num.narrow(np.where(huge, 0, col.n)), num.narrow(np.where(huge, 1, col.d)),
                   np.where(huge, code, col.err).astype(np.int32))

    def is_ratio(self, expr: ast.Expr, node: str | None) -> bool:
        """Ratios (完成率, a / b, a measure computed as one) are shown as percentages."""
        if isinstance(expr, ast.Binary):
            return expr.op == "/"
        if isinstance(expr, ast.Ref) and expr.item is None and expr.field != RATE:
            let = self.index.local_let(node, expr.field)
            return let is not None and self.is_ratio(let.expr, self.index.let_owner(node, let))
        return isinstance(expr, ast.Ref) and expr.field == RATE


def _decimal_arrays(values: list[Decimal]) -> tuple[np.ndarray, np.ndarray]:
    """Decimals as numerators and denominators (int64 where they fit)."""
    fractions = [Fraction(v) for v in values]
    n = np.array([f.numerator for f in fractions], dtype=object)
    d = np.array([f.denominator for f in fractions], dtype=object)
    return num.narrow(n), num.narrow(d)
