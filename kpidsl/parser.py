"""Parse stage: .kpi text -> typed AST (kpidsl.ast), or a SchemeSyntaxError with file:line:col."""
from __future__ import annotations

import dataclasses

import hashlib
import re
import unicodedata
from datetime import date
from decimal import Decimal
from functools import lru_cache

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from . import ast, units
from .errors import SchemeSyntaxError, diagnostic
from .parsed import MAX_SCHEME_BYTES, cache_folder, grammar_text, parse  # noqa: F401  (parse: the entry point, cached)

MAX_NESTING = 32

_QUANTITY = re.compile(r"(\d+(?:\.\d+)?)(.*)")


@lru_cache(maxsize=1)
def _lark() -> Lark:
    """The parser, its LALR tables cached in the user's cache folder between runs (keyed by
    the grammar, so a changed grammar builds afresh); built in memory where that cannot be."""
    options = dict(parser="lalr", propagate_positions=True, maybe_placeholders=False)
    folder = cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(grammar_text().encode("utf-8")).hexdigest()[:16]
        return Lark(grammar_text(), cache=str(folder / f"grammar-{digest}.lark-cache"), **options)
    except OSError:
        return Lark(grammar_text(), **options)


@lru_cache(maxsize=1)
def keyword_spellings() -> dict[str, tuple[str, ...]]:
    """Terminal name -> its spellings, read from the grammar (first Chinese, then English)."""
    spellings = {}
    for m in re.finditer(r"^_?(KW_\w+)\.\d+: /\((.*?)\)\(\?!", grammar_text(), re.M):
        spellings[m.group(1)] = tuple(m.group(2).split("|"))
    return spellings


def detect_language(text: str) -> str:
    """Messages follow the language of the scheme's structural keywords."""
    zh = len(re.findall(r"(?:^|\s)(?:方案|板块|指标)\s", text))
    en = len(re.findall(r"(?:^|\s)(?:scheme|section|item)\s", text))
    return "en" if en > zh else "zh"


def quantity(token: Token | str) -> ast.Quantity:
    number, suffix = _QUANTITY.fullmatch(unicodedata.normalize("NFKC", str(token))).groups()
    unit, power = units.read(suffix)  # the grammar admits only units the table knows
    return ast.Quantity(units.scaled(Decimal(number), power), unit, str(token))


def parse_date(text: str) -> date:
    """2021-09-30, 2021/9/30 or 2021年9月30日."""
    year, month, day = (int(n) for n in re.findall(r"\d+", text))
    return date(year, month, day)


def _string(token: Token) -> str:
    return re.sub(r"\\(.)", r"\1", str(token)[1:-1])


def _pos(meta_or_token) -> ast.Pos:
    return ast.Pos(getattr(meta_or_token, "line", 0) or 0, getattr(meta_or_token, "column", 0) or 0)


class _Body:
    """The parts of a section or item body, sorted by kind."""

    def __init__(self, parts, lang: str, owner: str):
        self.rules, self.children, self.deductions, self.vetoes = [], [], [], []
        self.requirements, self.lets, self.defaults = [], [], []
        self.aliases, self.sub_aliases, self.measures = [], [], []
        self.cap = self.source = self.interpretation = self.points_note = None
        self.allow_negative = self.points_scaled = self.floor_stated = self.may_not_apply = False
        self.kind = None
        for part in parts:
            match part:
                case ast.Section() | ast.Item():
                    self.children.append(part)
                case ast.Deduction():
                    self.deductions.append(part)
                case ast.Veto():
                    self.vetoes.append(part)
                case ast.Requirement():
                    self.requirements.append(part)
                case ast.Let():
                    self.lets.append(part)
                case ast.Default():
                    self.defaults.append(part)
                case ast.Measure():
                    self.measures.append(part)
                case ("kind", kind):
                    self.kind = kind
                case ("alias", sub, names):
                    (self.sub_aliases if sub else self.aliases).extend(names)
                case ("cap", q):
                    self.cap = q
                case ("allow_negative",):
                    self.allow_negative = True
                case ("floor",):
                    self.floor_stated = True
                case ("may_not_apply",):
                    self.may_not_apply = True
                case ("source", text):  # several 原文 lines read as one passage
                    self.source = text if self.source is None else self.source + "\n" + text
                case ("interpretation", text):  # as 原文: several lines read as one passage
                    self.interpretation = text if self.interpretation is None else self.interpretation + "\n" + text
                case ("points_note", text, scaled):
                    self.points_note, self.points_scaled = text, scaled
                case _:
                    self.rules.append(part)
        if len(self.rules) > 1:
            what = (f"{owner} 有多条计分规则；一个指标只能有一条（扣分、否决可另加）" if lang == "zh" else
                    f"{owner} has more than one scoring rule; an item takes one (plus deductions and vetoes)")
            raise _BodyError(what, self.rules[1].pos)

    def common(self, name: str, title: str | None, points: ast.Quantity, meta) -> dict:
        """The fields of ast.Node."""
        return dict(name=name, title=title, points=points, deductions=tuple(self.deductions),
                    vetoes=tuple(self.vetoes), cap=self.cap, allow_negative=self.allow_negative,
                    floor_stated=self.floor_stated,
                    source=self.source, interpretation=self.interpretation,
                    requirements=tuple(self.requirements), lets=tuple(self.lets),
                    defaults=tuple(self.defaults), aliases=tuple(self.aliases),
                    sub_aliases=tuple(self.sub_aliases), measures=tuple(self.measures), pos=_pos(meta))


class _BodyError(Exception):
    def __init__(self, what: str, pos: ast.Pos):
        self.what, self.pos = what, pos


@v_args(meta=True)
class _ToAst(Transformer):
    def __init__(self, path: str, lang: str):
        super().__init__()
        self.path, self.lang = path, lang

    # -- top level
    def start(self, meta, parts):
        title, groups, data, totals, total_source, total_points = "", (), ast.DataFiles((), (), (), (), ()), (), None, None
        rounding = {kind: ast.Rounding(2, "half_up") for kind in ("item", "total", "amount")}
        sections, consts, lets, requirements, vetoes, defaults = [], [], [], [], [], []
        awards, department_awards, examples, tie_breaks, total_deductions, group_totals = [], [], [], [], [], []
        total_reading = None
        for part in parts:
            match part:
                case ("title", t):
                    title = t
                case ("groups", g):
                    groups = g
                case ("data", d):
                    data = d
                case ("rounding", scope, r):
                    rounding[scope] = r
                case ("total", (), terms, text, points, reading, _):
                    totals, total_source, total_points, total_reading = terms, text, points, reading
                case ("total", named, terms, text, points, reading, pos):
                    group_totals.append(ast.GroupTotal(named, terms, points, text, reading, pos))
                case ("total_deduct", deduction):
                    total_deductions.append(deduction)
                case ast.Section():
                    sections.append(part)
                case ast.Const():
                    consts.append(part)
                case ast.Let():
                    lets.append(part)
                case ast.Requirement():
                    requirements.append(part)
                case ast.Veto():
                    vetoes.append(part)
                case ast.Default():
                    defaults.append(part)
                case ast.Award():
                    awards.append(part)
                case ast.DepartmentAward():
                    department_awards.append(part)
                case ast.Example():
                    examples.append(part)
                case ast.TieBreak():
                    tie_breaks.append(part)
        return ast.Scheme(title, groups, data, rounding["item"], rounding["total"], rounding["amount"],
                          totals, total_source, total_points, tuple(tie_breaks), tuple(sections), tuple(consts), tuple(lets),
                          tuple(requirements), tuple(vetoes), tuple(defaults), tuple(awards),
                          tuple(department_awards), tuple(examples), self.path, self.lang,
                          total_reading, tuple(total_deductions), tuple(group_totals), rounding.get("section"),
                          rounding.get("weighted"))

    def scheme_title(self, meta, c):
        return ("title", _string(c[0]))

    def groups_decl(self, meta, c):
        return ("groups", c[0])

    def name_list(self, meta, c):
        return tuple(str(t) for t in c)

    def string_list(self, meta, c):
        return tuple(_string(t) for t in c)

    def data_decl(self, meta, entries):
        found = {"units": (), "values": (), "records": (), "targets": (), "actuals": ()}
        for kind, paths in entries:
            found[kind] = found[kind] + paths
        return ("data", ast.DataFiles(**found))

    def data_entry(self, meta, c):
        return (c[0], c[1])

    def data_kind(self, meta, c):
        return {"KW_UNITS": "units", "KW_VALUES": "values", "KW_RECORDS": "records",
                "KW_TARGET": "targets", "KW_ACTUAL": "actuals"}[c[0].type.lstrip("_")]

    def rounding_decl(self, meta, c):
        scope, places = c[0], quantity(c[1])
        mode = next((x for x in c[2:] if isinstance(x, str)), "half_up")
        once = ("once",) in c[2:]
        if once and scope != "item":
            raise _BodyError("扣分后 只用于 舍入 指标" if self.lang == "zh" else
                             "after_deductions belongs to rounding item", _pos(meta))
        return ("rounding", scope, ast.Rounding(int(places.value), mode, once))

    def rounding_scope(self, meta, c):
        return {"_KW_ITEM": "item", "_KW_TOTAL": "total", "_KW_AMOUNT": "amount", "_KW_SECTION": "section",
                "_KW_WEIGHTED": "weighted"}[c[0].type]

    def once(self, meta, c):
        return ("once",)

    def rounding_mode(self, meta, c):
        return {"_KW_HALF_UP": "half_up", "_KW_DOWN": "down", "_KW_HALF_EVEN": "half_even"}[c[0].type]

    def total_decl(self, meta, c):
        groups, c = (c[0], c[1:]) if isinstance(c[0], tuple) else ((), c)  # 适用 …: the first part
        said: dict = {}
        for kind, value in (x for x in c if isinstance(x, tuple)):  # several 原文 lines read as one passage
            said[kind] = value if kind not in said or kind == "points" else said[kind] + "\n" + value
        return ("total", groups, tuple(t for t in c if isinstance(t, ast.TotalTerm)), said.get("source"),
                said.get("points"), said.get("interpretation"), _pos(meta))

    def total_deduct(self, meta, c):
        source = next((x[1] for x in c[1:] if isinstance(x, tuple)), None)
        return ("total_deduct", dataclasses.replace(c[0], source=source))

    def tie_break(self, meta, c):
        return ast.TieBreak(c[0], c[1] == "desc", _pos(meta))

    def total_points(self, meta, c):
        return ("points", quantity(c[0]))

    def total_term(self, meta, c):
        return ast.TotalTerm(str(c[0]), quantity(c[2]) if len(c) > 1 else None, _pos(meta))

    def const_decl(self, meta, c):
        values = tuple(v for v in c[2:] if isinstance(v, tuple))
        return ast.Const(str(c[0]), values, _pos(meta))

    def group_value(self, meta, c):
        return (str(c[0]), quantity(c[1]))

    def let_decl(self, meta, c):
        return ast.Let(str(c[0]), c[2], _pos(meta))

    def default_decl(self, meta, c):
        token = c[2]
        value = (quantity(token).value if token.type == "QUANTITY" else token.type == "_KW_TRUE")
        return ast.Default(str(c[0]), value, str(token), _pos(meta))

    def default_value(self, meta, c):
        return c[0]

    # -- structure
    def section(self, meta, c):
        bonus, name = c[0], str(c[1])
        title, rest = (_string(c[2]), c[3:]) if c[2].type == "STRING" else (None, c[2:])
        points, parts = quantity(rest[0]), rest[1:]
        body = _Body(parts, self.lang, name)  # the grammar admits no scoring rule here
        return ast.Section(**body.common(name, title, points, meta), bonus=bonus,
                           children=tuple(body.children), points_note=body.points_note,
                           points_scaled=body.points_scaled)

    def section_kw(self, meta, c):
        return c[0].type == "_KW_BONUS"

    def item(self, meta, c):
        name = str(c[0])
        title, rest = (_string(c[1]), c[2:]) if c[1].type == "STRING" else (None, c[1:])
        points, parts = quantity(rest[0]), rest[1:]
        body = _Body(parts, self.lang, name)
        return ast.Item(**body.common(name, title, points, meta),
                        rule=body.rules[0] if body.rules else None, kind=body.kind,
                        may_not_apply=body.may_not_apply)

    def source(self, meta, c):
        return ("source", "".join(_string(t) for t in c))

    def interpretation(self, meta, c):
        return ("interpretation", "".join(_string(t) for t in c))

    def points_note(self, meta, c):
        return ("points_note", "".join(_string(t) for t in c if isinstance(t, Token)), c[0] is True)

    def scale(self, meta, c):
        return True

    def requirement(self, meta, c):
        applies = c[0] if isinstance(c[0], tuple) else ()
        texts = [t for t in c if isinstance(t, Token)]
        return ast.Requirement("".join(_string(t) for t in texts), applies, _pos(meta))

    def cap(self, meta, c):
        return ("cap", quantity(c[0]))

    def alias(self, meta, c):
        return ("alias", len(c) == 2, c[-1])

    def sub(self, meta, c):
        return True

    def allow_negative(self, meta, c):
        return ("allow_negative",)

    def may_not_apply(self, meta, c):
        return ("may_not_apply",)

    def floor(self, meta, c):
        return ("floor",)

    # -- rules
    def meet(self, meta, c):
        return ast.Meet(c[0] if c else None, _pos(meta))

    def proportional(self, meta, c):
        reverse = "reverse" in c
        ratio = c[0] if c and not isinstance(c[0], (Token, str)) else None
        tokens = [t for t in c if isinstance(t, Token) and t.type == "QUANTITY"]
        return ast.Proportional(ratio, quantity(tokens[0]) if tokens else None, _pos(meta), reverse)

    def reverse(self, meta, c):
        return "reverse"

    def given(self, meta, c):
        return ast.Given(c[0], _pos(meta))

    def full(self, meta, c):
        return ast.Full(_pos(meta))

    def zero(self, meta, c):
        return ast.Zero(_pos(meta))

    def fixed(self, meta, c):
        return ast.Fixed(quantity(c[0]), _pos(meta))

    def conditional(self, meta, c):
        return ast.Conditional(c[0], c[1], c[2], _pos(meta))

    def rank(self, meta, c):
        order, key, clauses = c[0], c[1], c[2:]
        opts = {"within_group": True, "eligible": None, "steps": (), "ties": "shared",
                "ineligible": None, "no_data": None}
        for name, value in clauses:
            opts[name] = value
        return ast.Rank(order == "desc", key, opts["within_group"], opts["eligible"], opts["steps"],
                        opts["ties"], opts["ineligible"], opts["no_data"], _pos(meta))

    def rank_order(self, meta, c):
        return "desc" if c[0].type == "_KW_DESC" else "asc"

    def within_group(self, meta, c):
        return ("within_group", True)

    def overall(self, meta, c):
        return ("within_group", False)

    def only_if(self, meta, c):
        return ("eligible", c[0])

    def rank_step(self, meta, c):
        return ("steps", tuple(c))

    def step_entry(self, meta, c):
        return ast.RankStep(str(c[0]), quantity(c[1])) if len(c) == 2 else ast.RankStep(None, quantity(c[0]))

    def ties(self, meta, c):
        return ("ties", c[0])

    def tie_mode(self, meta, c):
        return "shared" if c[0].type == "_KW_TIES_SHARED" else "dense"

    def ineligible(self, meta, c):
        return ("ineligible", quantity(c[0]))

    def no_data(self, meta, c):
        return ("no_data", quantity(c[0]))

    def tiers(self, meta, c):
        measure, parts = c[0], c[1:]
        otherwise = next((b[1] for b in parts if isinstance(b, tuple) and b[0] == "else"), None)
        ranges = [b for b in parts if isinstance(b, tuple) and b[0] == "range"]
        others = [b for b in parts if isinstance(b, ast.Band)]
        ends = iter(ast.range_ends([(lo.value, li, hi.value, hin) for _, lo, li, hi, hin, _ in ranges],
                                   [(b.low, b.low_inclusive, b.high, b.high_inclusive) for b in others]))
        bands = []
        for b in parts:
            if isinstance(b, ast.Band):
                bands.append(b)
            elif b[0] == "range":
                _, low, _, high, _, points = b
                low_in, high_in = next(ends)
                text = f"{'[' if low_in else '('}{low}, {high}{']' if high_in else ')'}"
                bands.append(ast.Band(low.value, low_in, high.value, high_in, points, text))
        return ast.Tiers(measure, tuple(bands), otherwise, _pos(meta))

    def band_compare(self, meta, c):
        op, edge, points = _cmp(c[0]), quantity(c[1]), quantity(c[2])
        text = f"{op} {edge}"
        if op in (">=", ">"):
            return ast.Band(edge.value, op == ">=", None, False, points, text)
        if op in ("<=", "<"):
            return ast.Band(None, False, edge.value, op == "<=", points, text)
        return ast.Band(edge.value, True, edge.value, True, points, text)

    def band_range(self, meta, c):
        # "40% 至 50%": its ends' inclusion settled with the whole table (ast.range_ends)
        low, low_in, high, high_in, points = self._range(c)
        return ("range", low, low_in, high, high_in, quantity(points))

    def _range(self, c) -> tuple:
        """QUANTITY end? 至 QUANTITY end? (rest): the ends with 含 True, 不含 False, unwritten None."""
        c = list(c)
        low = quantity(c.pop(0))
        low_in = c.pop(0) if isinstance(c[0], bool) else None
        high = quantity(c.pop(0))
        high_in = c.pop(0) if c and isinstance(c[0], bool) else None
        return (low, low_in, high, high_in, *c)

    def end(self, meta, c):
        return next(t.type for t in c if t.type in ("_KW_INCL", "_KW_EXCL")) == "_KW_INCL"

    def band_else(self, meta, c):
        return ("else", quantity(c[0]))

    def levels(self, meta, c):
        entries = tuple(e for e in c if isinstance(e, ast.LevelEntry))
        combine = c[-1] if isinstance(c[-1], str) else "max"
        return ast.Levels(entries, combine, _pos(meta))

    def level_entry(self, meta, c):
        return ast.LevelEntry(c[0], quantity(c[1]))

    def level_combine(self, meta, c):
        return "max" if c[0].type == "_KW_MAX" else "sum"

    def projects(self, meta, c):
        return ast.Projects(tuple(c), _pos(meta))

    def project_class(self, meta, c):
        labels = tuple(x for x in c if isinstance(x, str) and not isinstance(x, Token))
        amounts = [quantity(t) for t in c if isinstance(t, Token) and t.type == "QUANTITY"]
        return ast.ProjectClass(labels, amounts[0], amounts[1] if len(amounts) > 1 else None)

    def assessed(self, meta, c):
        by = next((_string(t) for t in c if isinstance(t, Token) and t.type == "STRING"), None)
        written = [b for b in c if isinstance(b, tuple)]
        ends = ast.range_ends([(low.value, li, high.value, hi) for _, low, li, high, hi in written])
        bands = tuple(ast.AssessedBand(label, low, high, low_in, high_in)
                      for (label, low, _, high, _), (low_in, high_in) in zip(written, ends))
        return ast.Assessed(bands, _pos(meta), by, "no_reason" not in c)

    def no_reason(self, meta, c):
        return "no_reason"

    def assessed_band(self, meta, c):
        return (c[0], *self._range(c[1:]))

    def label(self, meta, c):
        return _string(c[0]) if c[0].type == "STRING" else str(c[0])

    def deduct_short(self, meta, c):  # 每少: counts the shortfall 任务 - 实际 unless given
        return self._deduction(meta, c)

    def deduct_count(self, meta, c):
        return self._deduction(meta, c)

    def _deduction(self, meta, c):
        count = next((x for x in c[1:] if not isinstance(x, (Token, tuple))), None)
        amounts = [t for t in c if isinstance(t, Token) and t.type == "QUANTITY"]
        partial = c[-1][1] if isinstance(c[-1], tuple) else None
        return ast.Deduction(quantity(amounts[0]), count, quantity(amounts[1]), partial, None, _pos(meta))

    def deduct_if(self, meta, c):
        return ast.Deduction(None, None, quantity(c[1]), None, c[0], _pos(meta))

    def partial(self, meta, c):
        return ("partial", c[0])

    def partial_mode(self, meta, c):
        return {"_KW_PRORATE": "prorate", "_KW_IGNORE": "ignore", "_KW_WHOLE": "whole"}[c[0].type]

    def veto(self, meta, c):
        cap = next((quantity(x) for x in c[1:] if isinstance(x, Token)), None)
        source = next((x[1] for x in c[1:] if isinstance(x, tuple)), None)
        return ast.Veto(c[0], cap, source, _pos(meta))

    total_veto = veto

    # -- money
    def award(self, meta, c):
        name = str(c[0])
        title, parts = (_string(c[1]), c[2:]) if len(c) > 1 and isinstance(c[1], Token) else (None, c[1:])
        found = {"eligible": None, "rank": None, "straddle": "average", "source": None, "interpretation": None}
        lists = {"bands": [], "parts": [], "deductions": [], "vetoes": [], "requirements": []}
        for part in parts:
            match part:
                case ("eligible", expr):
                    found["eligible"] = expr
                case ("source" | "interpretation", text):  # several lines read as one passage
                    found[part[0]] = text if found[part[0]] is None else found[part[0]] + "\n" + text
                case ("straddle", text):
                    found["straddle"] = text
                case ast.AwardRank():
                    found["rank"] = part
                case ast.RankBand():
                    lists["bands"].append(part)
                case ast.Deduction():
                    lists["deductions"].append(part)
                case ast.Veto():
                    lists["vetoes"].append(part)
                case ast.Requirement():
                    lists["requirements"].append(part)
                case _:
                    lists["parts"].append(part)
        return ast.Award(name, title, pos=_pos(meta), **found, **{k: tuple(v) for k, v in lists.items()})

    def award_rank(self, meta, c):
        within = c[2][1] if len(c) > 2 else False
        return ast.AwardRank(c[0] == "desc", c[1], within, _pos(meta))

    def rank_band(self, meta, c):
        first = int(quantity(c[0]).value)
        last = int(quantity(c[1]).value) if len(c) == 3 else first
        return ast.RankBand(first, last, quantity(c[-1]))

    def straddle(self, meta, c):
        return ("straddle", {"_KW_HIGHER": "higher", "_KW_LOWER": "lower", "_KW_AVERAGE": "average"}[c[1].type])

    def per_person(self, meta, c):
        beyond = c[2] if len(c) > 2 else None
        return ast.PerPerson(quantity(c[0]), c[1], beyond, quantity(c[3]) if beyond is not None else None,
                             _pos(meta))

    def lump_fixed(self, meta, c):
        return ast.LumpFixed(quantity(c[0]), c[2] if len(c) == 3 else None, _pos(meta))

    def lump_if(self, meta, c):
        return ast.LumpIf(c[0], c[1], c[2], _pos(meta))

    def grades(self, meta, c):
        return ast.Grades(tuple(c), _pos(meta))

    def grade(self, meta, c):
        return ast.Grade(c[0], c[1] if len(c) == 3 else None, quantity(c[-1]))

    def factor(self, meta, c):
        return ast.Factor(quantity(c[0]), c[1], _pos(meta))

    def share(self, meta, c):
        return ast.Share(str(c[0]), _pos(meta))

    def item_kind(self, meta, c):
        return ("kind", str(c[0]))

    def measure(self, meta, c):
        unit = unicodedata.normalize("NFKC", str(c[1]))
        return ast.Measure(str(c[0]), {e: zh for zh, e in units.ENGLISH.items()}.get(unit, unit),
                           _pos(meta))

    def department_award(self, meta, c):
        amount = quantity(c[1]) if len(c) > 1 and isinstance(c[1], Token) else None
        texts: dict[str, str] = {}
        for kind, text in (x for x in c if isinstance(x, tuple)):  # several lines read as one passage
            texts[kind] = texts[kind] + "\n" + text if kind in texts else text
        return ast.DepartmentAward(str(c[0]), amount, texts.get("source"), texts.get("interpretation"),
                                   _pos(meta))

    # -- examples
    def example(self, meta, c):
        parts = c[1:]
        pick = lambda tag: tuple(p[1] for p in parts if p[0] == tag)  # noqa: E731
        return ast.Example(_string(c[0]), pick("unit"), pick("value"), pick("record"), pick("expect"), _pos(meta))

    def example_unit(self, meta, c):
        return ("unit", (c[0], str(c[1])))

    def example_value(self, meta, c):
        c = _without_equals(c)
        note = _string(c[4]) if len(c) > 4 else None
        return ("value", ast.ExampleValue(c[0], str(c[1]), str(c[2]), c[3], note))

    def example_literal(self, meta, c):
        token = c[0]
        if token.type == "STRING":
            return _string(token)
        return {"_KW_TRUE": "是", "_KW_FALSE": "否"}.get(token.type, str(token))

    def example_record(self, meta, c):
        c = _without_equals(c)
        return ("record", (c[0], str(c[1]), c[2], c[3]))

    def example_expect(self, meta, c):
        c = _without_equals(c)
        node = str(c[1]) if len(c) == 3 else None
        return ("expect", ast.Expectation(c[0], node, quantity(c[-1])))

    # -- expressions
    def date_literal(self, meta, c):
        try:
            return ast.DateLiteral(parse_date(str(c[0])), str(c[0]), _pos(meta))
        except ValueError:
            raise _BodyError(f"日期 {c[0]} 不存在" if self.lang == "zh" else f"no such date: {c[0]}",
                             _pos(meta)) from None

    def text_literal(self, meta, c):
        return ast.TextLiteral(_string(c[0]), _pos(meta))

    def total_ref(self, meta, c):
        return ast.Ref(None, ast.TOTAL, _pos(meta))

    def literal(self, meta, c):
        return ast.Literal(quantity(c[0]), _pos(meta))

    def true(self, meta, c):
        return ast.BoolLiteral(True, _pos(meta))

    def false(self, meta, c):
        return ast.BoolLiteral(False, _pos(meta))

    def ref(self, meta, c):
        if len(c) == 2:
            return ast.Ref(str(c[0]), str(c[1]), _pos(meta))
        return ast.Ref(None, str(c[0]), _pos(meta))

    def builtin(self, meta, c):
        return {"_KW_TARGET": ast.TARGET, "_KW_ACTUAL": ast.ACTUAL, "_KW_RATE": ast.RATE}[c[0].type]

    def negation(self, meta, c):
        return ast.Not(c[0], _pos(meta))

    def or_expr(self, meta, c):
        return ast.Logical("or", tuple(c), _pos(meta))

    def and_expr(self, meta, c):
        return ast.Logical("and", tuple(c), _pos(meta))

    def comparison(self, meta, c):
        return ast.Compare(_cmp(c[1]), c[0], c[2], _pos(meta))

    def sum(self, meta, c):
        return self._fold(meta, c)

    def product(self, meta, c):
        return self._fold(meta, c)

    def _fold(self, meta, c):
        result = c[0]
        for op, right in zip(c[1::2], c[2::2]):
            symbol = unicodedata.normalize("NFKC", str(op))
            symbol = {"×": "*", "÷": "/"}.get(symbol, symbol)
            result = ast.Binary(symbol, result, right, _pos(meta))
        return result


def _without_equals(children):
    return [x for x in children if not (isinstance(x, Token) and x.type == "EQUAL")]


def _cmp(token) -> str:
    symbol = unicodedata.normalize("NFKC", str(token))  # ＞＝ -> >=
    return {"≥": ">=", "≤": "<=", "≠": "!=", "==": "="}.get(symbol, symbol)


def _describe_expected(expected: set[str], lang: str, found: str = "") -> str:
    """What may come here, in words; where a statement has ended and any other may follow, not
    the list of them all but that, with the keywords the word found is close to."""
    names = {"NAME": ("名称", "a name"), "QUANTITY": ("数值", "a number"),
             "STRING": ("带引号的文字", "quoted text"), "$END": ("文件结束", "end of file"),
             "CMP": ("比较符", "a comparison"), "EQUAL": ("=", "="), "PLUS": ("+", "+"),
             "MINUS": ("-", "-"), "TIMES": ("×", "×"), "DIVIDE": ("/", "/"), "_DOT": (".", "."),
             "_COLON": ("：", ":"), "_COMMA": ("，", ","), "_LPAR": ("（", "("), "_RPAR": ("）", ")"),
             "_LBRACE": ("{", "{"), "_RBRACE": ("}", "}")}
    shown = []
    for term in sorted(expected):
        bare = term.lstrip("_")
        if bare in keyword_spellings():
            zh, en = keyword_spellings()[bare][:2]
            shown.append(zh if lang == "zh" else en)
        elif term in names:
            shown.append(names[term][0 if lang == "zh" else 1])
        else:
            shown.append(term)
    shown = list(dict.fromkeys(shown))
    if len(shown) > 8:
        import difflib

        close = difflib.get_close_matches(found, shown, n=3, cutoff=0.3)
        if lang == "zh":
            return "另起一条语句，或 }" + (f"（是否指：{'、'.join(close)}？）" if close else "")
        return "a new statement, or }" + (f" (did you mean: {', '.join(close)}?)" if close else "")
    return "、".join(shown) if lang == "zh" else ", ".join(shown)


def _syntax_error(e: UnexpectedInput, text: str, path: str, lang: str) -> SchemeSyntaxError:
    where = dict(file=path, line=e.line, column=e.column, source=text)
    if isinstance(e, UnexpectedCharacters):
        return SchemeSyntaxError([diagnostic("E101", lang, char=text[e.pos_in_stream], **where)])
    expected = _describe_expected(set(e.expected) if isinstance(e, UnexpectedEOF) else set(e.accepts or e.expected), lang,
                                  "" if isinstance(e, UnexpectedEOF) else str(e.token))
    if isinstance(e, UnexpectedEOF) or e.token.type == "$END":
        lines = text.splitlines() or [""]
        where.update(line=len(lines), column=len(lines[-1]) + 1)
        return SchemeSyntaxError([diagnostic("E103", lang, expected=expected, **where)])
    found = repr(str(e.token))
    if e.token.type == "QUANTITY" and re.search(r"(含|incl|excl)[(（\s]*$", text[:e.token.start_pos]):
        # 10号's "80%（含80%）": the mark follows the end it is about
        expected = ("）：含、不含 写在所指的那一端之后，如 80%（含） 至 100%" if lang == "zh" else
                    "): incl and excl follow the end they are about, as in 80% (incl) to 100%")
    if e.token.type == "NAME" and e.token.start_pos and text[e.token.start_pos - 1].isdigit():  # 50斤, 10分钟
        return SchemeSyntaxError([diagnostic("E107", lang, unit=str(e.token), known=units.known(), **where)])
    return SchemeSyntaxError([diagnostic("E102", lang, found=found, expected=expected, **where)])


def _too_deep(text: str) -> int | None:
    """The line where brackets first nest deeper than MAX_NESTING, outside strings and comments."""
    depth, line, in_string, in_comment = 0, 1, False, False
    for ch in text:
        if ch == "\n":
            line, in_comment = line + 1, False
        elif in_comment:
            continue
        elif ch == '"':
            in_string = not in_string
        elif in_string:
            continue
        elif ch == "#":
            in_comment = True
        elif ch in "{(（｛":
            depth += 1
            if depth > MAX_NESTING:
                return line
        elif ch in "})）｝":
            depth -= 1
    return None


def build(text: str, path: str) -> ast.Scheme:
    """The AST of scheme text, parsed afresh (kpidsl.parsed.parse reads back one parsed before)."""
    lang = detect_language(text)
    if len(text.encode("utf-8")) > MAX_SCHEME_BYTES:
        raise SchemeSyntaxError([diagnostic("E105", lang, file=path, size=len(text.encode()),
                                            limit=MAX_SCHEME_BYTES)])
    # one line ending, so that line numbers are right for \r\n and lone \r files alike
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    too_deep = _too_deep(text)
    if too_deep:  # an LALR parse is linear, but building the AST recurses
        raise SchemeSyntaxError([diagnostic("E106", lang, file=path, line=too_deep,
                                            limit=MAX_NESTING, source=text)])
    try:
        tree = _lark().parse(text)
    except UnexpectedInput as e:
        raise _syntax_error(e, text, path, lang) from None
    try:
        return _ToAst(path, lang).transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, _BodyError):
            err = e.orig_exc
            raise SchemeSyntaxError([diagnostic("E104", lang, what=err.what, file=path,
                                                line=err.pos.line, column=err.pos.column,
                                                source=text)]) from None
        raise

