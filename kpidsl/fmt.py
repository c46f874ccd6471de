"""Formatter: a scheme's AST written back in canonical layout, in Chinese or English keywords,
with its comments kept (each before the statement it stood before, or beside).

parse(format(x)) equals parse(x) but for positions; formatting is idempotent.
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import ast
from .ast import operand_text, quote, show_expr
from .parser import _lark, keyword_spellings
from .units import ENGLISH

INDENT = "  "
_NAME = re.compile(r"[^\W\d]\w*")


class _Writer:
    def __init__(self, lang: str, comments: list[tuple[int, str]]):
        self.lang, self.lines = lang, []
        self.comments = sorted(comments)  # (line, text) still to place

    def kw(self, name: str) -> str:
        zh, en = keyword_spellings()[name][:2]
        return zh if self.lang == "zh" else en

    def expr(self, e: ast.Expr) -> str:
        return show_expr(e, self.lang)

    def operand(self, e: ast.Expr) -> str:
        """An expression where a single atom is expected (after 每 Q, after ×)."""
        return operand_text(e, self.lang)

    def label(self, text: str) -> str:
        """A label as a name where it can be one, else quoted."""
        bare = _NAME.fullmatch(text) and not any(text in spellings for spellings in keyword_spellings().values())
        return text if bare else quote(text)

    def emit(self, depth: int, text: str, line: int | None = None) -> None:
        if line is not None:  # comments written before this statement's line go first
            while self.comments and self.comments[0][0] <= line:
                self.lines.append(INDENT * depth + self.comments.pop(0)[1])
        self.lines.append(INDENT * depth + text)

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")


def comments_of(text: str) -> list[tuple[int, str]]:
    """(line, "# …") for every comment, outside strings."""
    found = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        inside = False
        for i, ch in enumerate(line):
            if ch == '"' and (i == 0 or line[i - 1] != "\\"):
                inside = not inside
            elif ch == "#" and not inside:
                found.append((number, line[i:].rstrip()))
                break
    return found


def _line_of(source: str, keyword: str) -> int | None:
    """The line a header statement starts on (the AST keeps no position for it)."""
    spellings = "|".join(keyword_spellings()[keyword])
    match = re.search(rf"^[ \t]*({spellings})(?![^\W\d])", source, re.M)
    return source.count("\n", 0, match.start()) + 1 if match else None


def format_scheme(scheme: ast.Scheme, source: str, lang: str | None = None) -> str:
    w = _Writer(lang or scheme.language, comments_of(source))
    kw = w.kw
    if scheme.title:
        w.emit(0, f"{kw('KW_SCHEME')} {quote(scheme.title)}", _line_of(source, "KW_SCHEME"))
    if scheme.groups:
        w.emit(0, f"{kw('KW_GROUPS')} {', '.join(scheme.groups)}", _line_of(source, "KW_GROUPS"))
    data = [(kw("KW_UNITS"), scheme.data.units), (kw("KW_VALUES"), scheme.data.values),
            (kw("KW_RECORDS"), scheme.data.records), (kw("KW_TARGET"), scheme.data.targets),
            (kw("KW_ACTUAL"), scheme.data.actuals)]
    if any(files for _, files in data):
        w.blank()
        w.emit(0, f"{kw('KW_DATA')} {{", _line_of(source, "KW_DATA"))
        for word, files in data:
            if files:
                w.emit(1, f"{word} {', '.join(quote(f) for f in files)}")
        w.emit(0, "}")
    roundings = [("KW_ITEM", scheme.item_rounding), ("KW_SECTION", scheme.section_rounding),
                 ("KW_WEIGHTED", scheme.weighted_rounding), ("KW_TOTAL", scheme.total_rounding),
                 ("KW_AMOUNT", scheme.amount_rounding)]
    modes = {"half_up": "KW_HALF_UP", "down": "KW_DOWN", "half_even": "KW_HALF_EVEN"}
    # those that differ from the default or are written (舍入 金额 is not added to a scheme paying none)
    spelled = {scope: "|".join(keyword_spellings()[scope]) for scope, _ in roundings}
    written = [(scope, r) for scope, r in roundings if r is not None and (r != ast.Rounding(2, "half_up") or re.search(
        rf"^[ \t]*({'|'.join(keyword_spellings()['KW_ROUNDING'])})\s+({spelled[scope]})(?![^\W\d])", source, re.M))]
    if written:
        w.blank()
        for scope, r in written:
            w.emit(0, f"{kw('KW_ROUNDING')} {kw(scope)} {r.places}{'位' if w.lang == 'zh' else ''} {kw(modes[r.mode])}"
                      + (f" {kw('KW_ONCE')}" if r.once else ""), _line_of(source, "KW_ROUNDING"))
    # the rest in the order written, so that comments stay beside what they are about
    statements = []
    for total in scheme.totals():
        statements.append((total.pos.line, lambda t=total: _total(w, t)))
    for veto in scheme.vetoes:
        statements.append((veto.pos.line, lambda v=veto: _top_veto(w, v)))
    for deduction in scheme.deductions:
        statements.append((deduction.pos.line, lambda d=deduction: (
            w.emit(0, _deduction(w, d), d.pos.line), _texts(w, 1, "KW_SOURCE", d.source))))
    for tie in scheme.tie_breaks:
        statements.append((tie.pos.line, lambda t=tie: w.emit(
            0, f"{kw('KW_TIE')} {kw('KW_BY')} {w.expr(t.key)} {kw('KW_DESC' if t.descending else 'KW_ASC')}", t.pos.line)))
    for const in scheme.consts:
        values = ", ".join(f"{g} {q}" for g, q in const.values)
        statements.append((const.pos.line, lambda c=const, v=values: w.emit(
            0, f"{kw('KW_CONST')} {c.name} = {v}", c.pos.line)))
    for let in scheme.lets:
        statements.append((let.pos.line, lambda l=let: w.emit(
            0, f"{kw('KW_LET')} {l.name} = {_long(w, l.expr, 0)}", l.pos.line)))
    for default in scheme.defaults:
        statements.append((default.pos.line, lambda d=default: w.emit(0, _default(w, d), d.pos.line)))
    for requirement in scheme.requirements:
        statements.append((requirement.pos.line, lambda r=requirement: w.emit(0, _requirement(w, r), r.pos.line)))
    for section in scheme.sections:
        statements.append((section.pos.line, lambda n=section: (w.blank(), _node(w, n, 0))))
    for award in scheme.awards:
        statements.append((award.pos.line, lambda a=award: (w.blank(), _award(w, a))))
    for department in scheme.department_awards:
        statements.append((department.pos.line, lambda d=department: _department(w, d)))
    for example in scheme.examples:
        statements.append((example.pos.line, lambda e=example: (w.blank(), _example(w, e))))
    for _, write in sorted(statements, key=lambda s: s[0]):
        write()
    w.lines.extend(text for _, text in w.comments)  # comments after the last statement
    return "\n".join(w.lines).strip("\n") + "\n"


def _long(w: _Writer, expr: ast.Expr, depth: int) -> str:
    """A long 且/或 chain one condition a line, as policy lists read."""
    if isinstance(expr, ast.Logical) and len(expr.operands) > 3:
        joint = "\n" + INDENT * (depth + 1) + ast.WORDS[w.lang][expr.op] + " "
        return joint.join(w.operand(o) for o in expr.operands).lstrip()
    return w.expr(expr)


def _total(w: _Writer, total: ast.GroupTotal) -> None:
    """A 总分 line (with 适用 …, a group's), its 满分, 原文 and 口径."""
    w.blank()
    terms = ast.terms_text(total.terms)
    full = f" {w.kw('KW_FULL')} {total.points}" if total.points else ""
    groups = f" {w.kw('KW_FOR')} {', '.join(total.groups)}" if total.groups else ""
    w.emit(0, f"{w.kw('KW_TOTAL')}{groups} = {terms}{full}", total.pos.line)
    _texts(w, 1, "KW_SOURCE", total.source)
    _texts(w, 1, "KW_INTERPRETATION", total.interpretation)


def _top_veto(w: _Writer, veto: ast.Veto) -> None:
    w.emit(0, _veto(w, veto), veto.pos.line)
    _texts(w, 1, "KW_SOURCE", veto.source)


def _department(w: _Writer, department: ast.DepartmentAward) -> None:
    head = f"{w.kw('KW_DEPARTMENT_AWARD')} {department.name}" + (f" {department.amount}" if department.amount else "")
    if department.source is not None or department.interpretation is not None:
        w.emit(0, head + " {", department.pos.line)
        _texts(w, 1, "KW_SOURCE", department.source)
        _texts(w, 1, "KW_INTERPRETATION", department.interpretation)
        w.emit(0, "}")
    else:
        w.emit(0, head, department.pos.line)


def _texts(w: _Writer, depth: int, keyword: str, text: str | None) -> None:
    for part in (text.split("\n") if text is not None else ()):
        w.emit(depth, f"{w.kw(keyword)} {quote(part)}")


def _requirement(w: _Writer, r: ast.Requirement) -> str:
    applies = f" {w.kw('KW_FOR')} {', '.join(r.applies_to)}" if r.applies_to else ""
    return f"{w.kw('KW_REQUIREMENT')}{applies} {quote(r.text)}"


def _default(w: _Writer, d: ast.Default) -> str:
    return f"{w.kw('KW_DEFAULT')} {d.field} = {d.text}"


def _veto(w: _Writer, v: ast.Veto) -> str:
    cap = f" {w.kw('KW_TOTAL_AT_MOST')} {v.total_at_most}" if v.total_at_most else ""
    return f"{w.kw('KW_VETO')} {w.expr(v.condition)}{cap}"


def _deduction(w: _Writer, d: ast.Deduction) -> str:
    if d.condition is not None:
        return f"{w.kw('KW_IF')} {w.expr(d.condition)} {w.kw('KW_DEDUCT')} {d.points}"
    if d.count is None:
        head = f"{w.kw('KW_PER_SHORT')} {d.step}"
    else:
        head = f"{w.kw('KW_PER')} {d.step} {w.operand(d.count)}"
    partial = {"prorate": "KW_PRORATE", "ignore": "KW_IGNORE", "whole": "KW_WHOLE"}
    tail = f" {w.kw('KW_PARTIAL')} {w.kw(partial[d.partial])}" if d.partial else ""
    return f"{head} {w.kw('KW_DEDUCT')} {d.points}{tail}"


def _node(w: _Writer, node, depth: int) -> None:
    """An item: its rule, deductions, vetoes, then its texts. A section: its texts, then its parts
    with its own deductions and vetoes where they were written (their comments beside them)."""
    kw = w.kw
    word = kw("KW_ITEM") if isinstance(node, ast.Item) else kw("KW_BONUS" if node.bonus else "KW_SECTION")
    title = f" {quote(node.title)}" if node.title is not None else ""
    w.emit(depth, f"{word} {node.name}{title} {node.points} {{", node.pos.line)
    inner = depth + 1
    if isinstance(node, ast.Section) and node.points_note is not None:
        scaled = f" {kw('KW_SCALE')}" if node.points_scaled else ""
        w.emit(inner, f"{kw('KW_POINTS_NOTE')}{scaled} {quote(node.points_note)}")
    if isinstance(node, ast.Item):
        if node.rule is not None:
            w.emit(inner, _rule(w, node.rule, inner), node.rule.pos.line)
        if node.kind:
            w.emit(inner, f"{kw('KW_KIND')} {node.kind}")
        _adjustments(w, node, inner)
    for let in node.lets:
        w.emit(inner, f"{kw('KW_LET')} {let.name} = {_long(w, let.expr, inner)}", let.pos.line)
    for default in node.defaults:
        w.emit(inner, _default(w, default), default.pos.line)
    for measure in node.measures:
        unit = ENGLISH.get(measure.unit, measure.unit) if w.lang == "en" else measure.unit
        w.emit(inner, f"{kw('KW_MEASURE')} {w.expr(ast.Ref(None, measure.field, measure.pos))} {unit}", measure.pos.line)
    if node.aliases:
        w.emit(inner, f"{kw('KW_ALIAS')} {', '.join(quote(a) for a in node.aliases)}")
    if node.sub_aliases:
        w.emit(inner, f"{kw('KW_ALIAS')} {kw('KW_SUB')} {', '.join(quote(a) for a in node.sub_aliases)}")
    _texts(w, inner, "KW_SOURCE", node.source)
    _texts(w, inner, "KW_INTERPRETATION", node.interpretation)
    for requirement in node.requirements:
        w.emit(inner, _requirement(w, requirement), requirement.pos.line)
    if isinstance(node, ast.Section):
        own = [(d.pos.line, lambda d=d: w.emit(inner, _deduction(w, d), d.pos.line)) for d in node.deductions] + \
            [(v.pos.line, lambda v=v: w.emit(inner, _veto(w, v), v.pos.line)) for v in node.vetoes]
        parts = [(c.pos.line, lambda c=c: ((w.blank() if isinstance(c, ast.Section) else None), _node(w, c, inner)))
                 for c in node.children]
        for _, write in sorted(parts + own, key=lambda part: part[0]):
            write()
        _flags(w, node, inner)
    w.emit(depth, "}")


def _adjustments(w: _Writer, node, depth: int) -> None:
    for d in node.deductions:
        w.emit(depth, _deduction(w, d), d.pos.line)
    for v in node.vetoes:
        w.emit(depth, _veto(w, v), v.pos.line)
    _flags(w, node, depth)


def _flags(w: _Writer, node, depth: int) -> None:
    if node.cap:
        w.emit(depth, f"{w.kw('KW_CAP')} {node.cap}")
    if node.allow_negative:
        w.emit(depth, w.kw("KW_ALLOW_NEGATIVE"))
    if node.floor_stated:
        w.emit(depth, w.kw("KW_FLOOR"))
    if isinstance(node, ast.Item) and node.may_not_apply:
        w.emit(depth, w.kw("KW_MAY_NOT_APPLY"))


def _rule(w: _Writer, rule, depth: int) -> str:
    kw = w.kw
    match rule:
        case ast.Meet(condition=c):
            return kw("KW_MEET") + (f" {w.expr(c)}" if c is not None else "")
        case ast.Proportional(ratio=r, threshold=t, reverse=reverse):
            return kw("KW_PROPORTIONAL") + (f" {kw('KW_REVERSE')}" if reverse else "") + \
                (f" {w.expr(r)}" if r is not None else "") + \
                (f" {kw('KW_BELOW')} {t} {kw('KW_ZERO')}" if t else "")
        case ast.Full():
            return kw("KW_FULL")
        case ast.Zero():
            return kw("KW_ZERO")
        case ast.Given(field=f):
            return f"{kw('KW_GET')} {w.expr(f)}"
        case ast.Fixed(points=p):
            return f"{kw('KW_GET')} {p}"
        case ast.Share(volume_field=f):
            return f"{kw('KW_SHARE')} {f}"
        case ast.Conditional():
            return (f"{kw('KW_IF')} {w.expr(rule.condition)} {kw('KW_THEN')} {_rule(w, rule.then, depth)} "
                    f"{kw('KW_ELSE')} {_rule(w, rule.otherwise, depth)}")
        case ast.Rank():
            clauses = [" ".join([kw("KW_RANK"), kw("KW_DESC" if rule.descending else "KW_ASC"), kw("KW_BY"),
                                 w.expr(rule.key), kw("KW_WITHIN_GROUP" if rule.within_group else "KW_OVERALL")])]
            if rule.eligible is not None:
                clauses.append(f"{kw('KW_ONLY_IF')} {w.expr(rule.eligible)}")
            if rule.steps:
                clauses.append(f"{kw('KW_STEP')} " + ", ".join((f"{s.group} " if s.group else "") + str(s.points)
                                                               for s in rule.steps))
            if rule.ties == "dense":
                clauses.append(f"{kw('KW_TIES')} {kw('KW_TIES_DENSE')}")
            if rule.ineligible_points:
                clauses.append(f"{kw('KW_INELIGIBLE')} {rule.ineligible_points}")
            if rule.no_data_points:
                clauses.append(f"{kw('KW_NO_DATA')} {rule.no_data_points}")
            one_line = " ".join(clauses)  # long rankings: one clause a line, as the policy lists them
            return one_line if len(one_line) <= 60 else ("\n" + INDENT * (depth + 1)).join(clauses)
        case ast.Tiers():
            ranges = [b for b in rule.bands if b.text[0] in "[("]
            defaults = dict(zip(map(id, ranges), ast.range_ends(
                [(b.low, b.low_inclusive, b.high, None) for b in ranges],
                [(b.low, b.low_inclusive, b.high, b.high_inclusive) for b in rule.bands if b.text[0] not in "[("])))
            bands = [_band(w, b, defaults.get(id(b))) for b in rule.bands]
            if rule.otherwise:
                bands.append(f"{kw('KW_ELSE')}: {rule.otherwise}")
            return f"{kw('KW_TIERS')} {w.expr(rule.measure)} {{ " + "  ".join(bands) + " }"
        case ast.Levels():
            entries = "  ".join(f"{w.label(e.label)}: {e.points}" for e in rule.entries)
            combine = kw("KW_MAX" if rule.combine == "max" else "KW_SUM")
            return f"{kw('KW_LEVELS')} {{ {entries} }} {combine}"
        case ast.Projects():
            rows = "\n".join(INDENT * (depth + 1) + ", ".join(w.label(l) for l in c.labels) +
                             f": {kw('KW_EACH')} {c.each}" + (f" {kw('KW_UP_TO')} {c.up_to}" if c.up_to else "")
                             for c in rule.classes)
            return f"{kw('KW_PROJECTS')} {{\n{rows}\n{INDENT * depth}}}"
        case ast.Assessed():
            head = kw("KW_ASSESSED") + (f" {quote(rule.by)}" if rule.by else "") + \
                ("" if rule.reason else f" {kw('KW_NO_REASON')}")
            if not rule.bands:
                return head
            defaults = ast.range_ends([(b.low.value, b.low_inclusive, b.high.value, None) for b in rule.bands])
            bands = "  ".join(f"{w.label(b.label)}: "
                              + _range(w, str(b.low), str(b.high), (b.low_inclusive, b.high_inclusive), default)
                              for b, default in zip(rule.bands, defaults))
            return f"{head} {{ {bands} }}"
    raise TypeError(rule)


def _band(w: _Writer, band: ast.Band, default: tuple[bool, bool] | None) -> str:
    """A band as written; a range's ends marked 含/不含 only where they differ from the default."""
    ranged = re.fullmatch(r"[\[(](.+), (.+)[\])]", band.text)  # "[40%, 50%)" is written "40% 至 50%"
    if not ranged:
        return f"{band.text}: {band.points}"
    return f"{_range(w, ranged.group(1), ranged.group(2), (band.low_inclusive, band.high_inclusive), default)}: {band.points}"


def _range(w: _Writer, low: str, high: str, ends: tuple[bool, bool], default: tuple[bool, bool]) -> str:
    """`default`: ast.range_ends' reading of the range, its low end as written; a low end is included
    unless marked."""
    mark = lambda inclusive: f"（{w.kw('KW_INCL' if inclusive else 'KW_EXCL')}）"
    return (low + ("" if ends[0] else mark(False)) + f" {w.kw('KW_TO')} " + high
            + ("" if ends[1] == default[1] else mark(ends[1])))


def _award(w: _Writer, award: ast.Award) -> None:
    kw = w.kw
    title = f" {quote(award.title)}" if award.title is not None else ""
    w.emit(0, f"{kw('KW_AWARD')} {award.name}{title} {{", award.pos.line)
    if award.eligible is not None:
        w.emit(1, f"{kw('KW_ONLY_IF')} {w.expr(award.eligible)}")
    if award.rank:
        r = award.rank
        w.emit(1, f"{kw('KW_RANK')} {kw('KW_DESC' if r.descending else 'KW_ASC')} {kw('KW_BY')} {w.expr(r.key)}"
               + (f" {kw('KW_WITHIN_GROUP')}" if r.within_group else ""))
    if award.bands:
        w.emit(1, "  ".join(f"{kw('KW_PLACE')} {b.first}" + (f" {kw('KW_TO')} {b.last}" if b.last != b.first else "")
                            + f": {b.amount}" for b in award.bands))
    if award.straddle != "average" or award.bands:
        straddle = {"average": "KW_AVERAGE", "higher": "KW_HIGHER", "lower": "KW_LOWER"}[award.straddle]
        w.emit(1, f"{kw('KW_STRADDLE')} {kw(straddle)}")
    for part in award.parts:
        w.emit(1, _part(w, part), part.pos.line)
    for d in award.deductions:
        w.emit(1, _deduction(w, d), d.pos.line)
    for v in award.vetoes:
        w.emit(1, _veto(w, v), v.pos.line)
    _texts(w, 1, "KW_SOURCE", award.source)
    _texts(w, 1, "KW_INTERPRETATION", award.interpretation)
    for requirement in award.requirements:
        w.emit(1, _requirement(w, requirement), requirement.pos.line)
    w.emit(0, "}")


def _part(w: _Writer, part) -> str:
    kw = w.kw
    match part:
        case ast.PerPerson():
            text = f"{kw('KW_PER_PERSON')} {part.rate} {kw('KW_BY')} {w.expr(part.count)}"
            if part.beyond is not None:
                text += f" {kw('KW_BEYOND')} {w.expr(part.beyond)} {kw('KW_PER_PERSON')} {part.beyond_rate}"
            return text
        case ast.LumpFixed():
            return f"{kw('KW_GET')} {part.amount}" + (f" × {w.operand(part.factor)}" if part.factor is not None else "")
        case ast.LumpIf():
            return (f"{kw('KW_IF')} {w.expr(part.condition)} {kw('KW_THEN')} {_part(w, part.then)} "
                    f"{kw('KW_ELSE')} {_part(w, part.otherwise)}")
        case ast.Grades():
            grades = "  ".join(f"{w.label(g.label)}" + (f" {kw('KW_IF')} {w.expr(g.condition)}" if g.condition else "")
                               + f" {kw('KW_GET')} {g.amount}" for g in part.grades)
            return f"{kw('KW_GRADES')} {{ {grades} }}"
        case ast.Factor():
            return f"{kw('KW_FACTOR')} {part.pool} {kw('KW_BY')} {w.expr(part.key)}"
    raise TypeError(part)


@lru_cache(maxsize=1)
def _literal() -> re.Pattern:
    """What an example's value may be written as bare: a number or a date, as the grammar lexes them."""
    terminals = [_lark().get_terminal(name).pattern.to_regexp() for name in ("QUANTITY", "DATE")]
    return re.compile("|".join(f"(?:{t})" for t in terminals))


def _example(w: _Writer, example: ast.Example) -> None:
    kw = w.kw
    builtins = {ast.TARGET: "KW_TARGET", ast.ACTUAL: "KW_ACTUAL", ast.RATE: "KW_RATE"}

    def value(text: str) -> str:
        if text in ("是", "否"):
            return kw("KW_TRUE" if text == "是" else "KW_FALSE")
        return text if _literal().fullmatch(text) else quote(text)

    w.emit(0, f"{kw('KW_EXAMPLE')} {quote(example.name)} {{", example.pos.line)
    for unit, group in example.units:
        w.emit(1, f"{kw('KW_UNITS')} {w.label(unit)} {group}")
    for v in example.values:
        field = kw(builtins[v.field]) if v.field in builtins else v.field
        note = f" {quote(v.note)}" if v.note is not None else ""
        w.emit(1, f"{kw('KW_VALUES')} {w.label(v.unit)}.{v.node}.{field} = {value(v.text)}{note}")
    for unit, item, project, level in example.records:
        w.emit(1, f"{kw('KW_RECORDS')} {w.label(unit)}.{item} = {w.label(project)} {w.label(level)}")
    for e in example.expectations:
        target = w.label(e.unit) + (f".{e.node}" if e.node else "")
        w.emit(1, f"{kw('KW_EXPECT')} {target} = {e.points}")
    w.emit(0, "}")
