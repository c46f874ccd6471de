"""Typed AST of a scheme: frozen dataclasses built by the parser, read by every later stage.

The AST does not know whether a keyword was written in Chinese or English. Quantities keep
the text as written (for explanations) beside their normalised value (70% -> 0.7).
"""
from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Iterator, Union

from .units import DATE as DATE_UNIT, PERCENT_POINTS  # noqa: F401  (read as ast.*)

# Built-in fields every item has; the English spellings map to these.
TARGET = "任务"
ACTUAL = "实际"
RATE = "完成率"


@dataclass(frozen=True)
class Pos:
    line: int
    column: int


@dataclass(frozen=True)
class Quantity:
    value: Decimal  # normalised: 70% -> 0.7, 1.7万人 -> 17000
    unit: str  # "分", "人", "%", "" …; 万 is folded into the value
    text: str  # as written in the scheme

    def __str__(self) -> str:
        return self.text


# ---- expressions --------------------------------------------------------------------
@dataclass(frozen=True)
class Literal:
    quantity: Quantity
    pos: Pos


@dataclass(frozen=True)
class BoolLiteral:
    value: bool
    pos: Pos


@dataclass(frozen=True)
class TextLiteral:
    value: str
    pos: Pos


@dataclass(frozen=True)
class DateLiteral:
    value: date
    text: str
    pos: Pos


@dataclass(frozen=True)
class Ref:
    """A value by name: a field of an item (`完成率`, `企业职工养老保险新增参保人数.完成率`),
    a computed measure (计算) or a per-group constant (常量)."""
    item: str | None
    field: str
    pos: Pos

    def __str__(self) -> str:
        return f"{self.item}.{self.field}" if self.item else self.field


@dataclass(frozen=True)
class Binary:
    op: str  # + - * /
    left: Expr
    right: Expr
    pos: Pos


@dataclass(frozen=True)
class Compare:
    op: str  # >= <= > < = !=
    left: Expr
    right: Expr
    pos: Pos


@dataclass(frozen=True)
class Logical:
    op: str  # and / or
    operands: tuple[Expr, ...]
    pos: Pos


@dataclass(frozen=True)
class Not:
    operand: Expr
    pos: Pos


Expr = Union[Literal, TextLiteral, DateLiteral, BoolLiteral, Ref, Binary, Compare, Logical, Not]

# Fields with a meaning of their own: a node's score (X.得分), an award's amount (X.金额), and
# the unit's total (总分). Readable only when paying awards, after scoring.
SCORE = "得分"
AMOUNT = "金额"
GRADE = "等次"  # the grade an award's 评等 gave
TOTAL = "总分"


# ---- scoring rules ------------------------------------------------------------------
@dataclass(frozen=True)
class Meet:
    """达标: full points if the condition holds (default 实际 >= 任务), else 0."""
    condition: Expr | None
    pos: Pos


@dataclass(frozen=True)
class Proportional:
    """按比例: points × min(ratio, 1); 0 below the threshold (未达 70% 不得分)."""
    ratio: Expr | None  # default 实际 / 任务
    threshold: Quantity | None
    pos: Pos
    reverse: bool = False  # 反向: 任务 / 实际, full points where 实际 <= 任务 (lower is better)


@dataclass(frozen=True)
class Share:
    """份额: points × the unit's volume / all units' volume (因素分析法)."""
    volume_field: str
    pos: Pos


@dataclass(frozen=True)
class Full:
    pos: Pos


@dataclass(frozen=True)
class Zero:
    pos: Pos


@dataclass(frozen=True)
class Fixed:
    points: Quantity
    pos: Pos


@dataclass(frozen=True)
class Given:
    """得 系统考核得分: the score as given in the data (by a system, an inspection), checked to lie
    within 0 and the item's points."""
    field: Ref
    pos: Pos


@dataclass(frozen=True)
class Conditional:
    condition: Expr
    then: Rule
    otherwise: Rule
    pos: Pos


@dataclass(frozen=True)
class RankStep:
    group: str | None  # None: the same step for every group
    points: Quantity


@dataclass(frozen=True)
class Rank:
    """排名: the first eligible unit gets full points, each later rank `step` fewer."""
    descending: bool
    key: Expr
    within_group: bool
    eligible: Expr | None
    steps: tuple[RankStep, ...]
    ties: str  # "shared" (1-2-2-4) or "dense" (1-2-2-3)
    ineligible_points: Quantity | None
    no_data_points: Quantity | None
    pos: Pos


def range_ends(ranges: list[tuple], others=()) -> list[tuple[bool, bool]]:
    """Whether each range `a 至 b` includes its ends: (low, low_written, high, high_written) with
    a written end True (含) or False (不含), else None. Unwritten: the low end is included, the
    high end excluded unless no other band holds it (the top band, 80% 至 100%, holds 100%) —
    judged by the other ranges' low ends, so that the default never depends on a written high end.
    `others`: (low, low_inclusive, high, high_inclusive) of a table's bands that are no range."""
    def holds(band, x):
        low, low_in, high, high_in = band
        return (low is None or low < x or (low == x and low_in)) and \
            (high is None or x < high or (x == high and high_in))

    known = [(low, True if li is None else li, high, False) for low, li, high, _ in ranges]
    out = []
    for k, (low, li, high, hi) in enumerate(ranges):
        if hi is None:
            hi = not any(holds(b, high) for j, b in enumerate(known) if j != k) and \
                not any(holds(b, high) for b in others)
        out.append((True if li is None else li, hi))
    return out


@dataclass(frozen=True)
class Band:
    low: Decimal | None
    low_inclusive: bool
    high: Decimal | None
    high_inclusive: bool
    points: Quantity
    text: str  # the band as written, for explanations


@dataclass(frozen=True)
class Tiers:
    """分档: the highest points among the bands that contain the measure."""
    measure: Expr
    bands: tuple[Band, ...]
    otherwise: Quantity | None
    pos: Pos


@dataclass(frozen=True)
class LevelEntry:
    label: str
    points: Quantity


@dataclass(frozen=True)
class Levels:
    """等级: points per level of the unit's records, combined by max (取最高) or sum (求和)."""
    entries: tuple[LevelEntry, ...]
    combine: str  # "max" or "sum"
    pos: Pos


@dataclass(frozen=True)
class ProjectClass:
    labels: tuple[str, ...]
    each: Quantity
    up_to: Quantity | None


@dataclass(frozen=True)
class Projects:
    """按项目就高: each project counts once at its best level; classes sum with their limits."""
    classes: tuple[ProjectClass, ...]
    pos: Pos


@dataclass(frozen=True)
class AssessedBand:
    label: str
    low: Quantity  # share of the item's points, e.g. 80%
    high: Quantity
    low_inclusive: bool = True
    high_inclusive: bool = True


@dataclass(frozen=True)
class Assessed:
    """评定: a score the assessor enters with a reason (unless 无需理由), optionally within a
    chosen band; `by`: who assesses, as the scheme says it."""
    bands: tuple[AssessedBand, ...]
    pos: Pos
    by: str | None = None
    reason: bool = True


Rule = Union[Meet, Proportional, Full, Zero, Fixed, Given, Conditional, Rank, Tiers, Levels,
             Projects, Assessed, Share]


@dataclass(frozen=True)
class Deduction:
    """每少 10人 扣 1分 / 每 1例 X 扣 0.1分: points per step of a shortfall or a count;
    若 X 扣 2分: points once, if a condition holds."""
    step: Quantity | None  # None: a conditional deduction
    count: Expr | None  # None: the shortfall 任务 - 实际
    points: Quantity
    partial: str | None  # "prorate" | "ignore" | "whole"; None: not stated (default prorate)
    condition: Expr | None
    pos: Pos
    source: str | None = None  # 原文 of a deduction from the total (in a node, 原文 is the node's)


@dataclass(frozen=True)
class Veto:
    """一票否决: the condition zeroes the enclosing item, section or total, or caps the total."""
    condition: Expr
    total_at_most: Quantity | None
    source: str | None
    pos: Pos


@dataclass(frozen=True)
class Requirement:
    """要求: a policy requirement that carries no points, listed in explanations."""
    text: str
    applies_to: tuple[str, ...]  # units or groups; empty: all
    pos: Pos


@dataclass(frozen=True)
class Let:
    name: str
    expr: Expr
    pos: Pos


@dataclass(frozen=True)
class Default:
    """缺省: the value to use where the data has none for this field (未填报视为0)."""
    field: str
    value: Decimal | bool
    text: str
    pos: Pos


@dataclass(frozen=True)
class Const:
    name: str
    values: tuple[tuple[str, Quantity], ...]  # (group, value)
    pos: Pos


@dataclass(frozen=True)
class Measure:
    """计量 实际 人: the unit a field's figures are in; PERCENT_POINTS: a rate whose bare
    figures are percentages (97.5 is 97.5%)."""
    field: str
    unit: str
    pos: Pos




# ---- structure ----------------------------------------------------------------------
@dataclass(frozen=True)
class Node:
    """What sections and items share: points, deductions, vetoes, a cap, texts, measures."""
    name: str
    title: str | None
    points: Quantity
    deductions: tuple[Deduction, ...]
    vetoes: tuple[Veto, ...]
    cap: Quantity | None
    allow_negative: bool
    floor_stated: bool  # 扣完为止 written: the default (floor at 0), restated as the policy does
    source: str | None
    interpretation: str | None
    requirements: tuple[Requirement, ...]
    lets: tuple[Let, ...]
    defaults: tuple[Default, ...]
    aliases: tuple[str, ...]  # row labels data may use for it
    sub_aliases: tuple[str, ...]  # row labels whose bracketed second value is its
    measures: tuple[Measure, ...]
    pos: Pos


@dataclass(frozen=True)
class Item(Node):
    rule: Rule | None  # None: full points, less deductions
    kind: str | None  # 类别: a property the policy gives the item (标准化下沉)
    may_not_apply: bool  # 可不适用: a unit's 不适用 drops it, its section rescaled


@dataclass(frozen=True)
class Section(Node):
    bonus: bool
    children: tuple[Union[Section, Item], ...]
    points_note: str | None
    points_scaled: bool  # 分值说明 折算: parts scaled to the declared points


# ---- money ------------------------------------------------------------------------
@dataclass(frozen=True)
class AwardRank:
    descending: bool
    key: Expr
    within_group: bool
    pos: Pos


@dataclass(frozen=True)
class RankBand:
    """名次 2 至 3: 40000元"""
    first: int
    last: int
    amount: Quantity


@dataclass(frozen=True)
class PerPerson:
    """每人 20元 按 X 超出 T 每人 30元: a rate per head, another for heads beyond T."""
    rate: Quantity
    count: Expr
    beyond: Expr | None
    beyond_rate: Quantity | None
    pos: Pos


@dataclass(frozen=True)
class LumpFixed:
    """得 10000元, or 得 200000元 × 进度 (a share of it)."""
    amount: Quantity
    factor: Expr | None
    pos: Pos


@dataclass(frozen=True)
class LumpIf:
    condition: Expr
    then: Lump
    otherwise: Lump
    pos: Pos


Lump = Union[LumpFixed, LumpIf]


@dataclass(frozen=True)
class Grade:
    label: str
    condition: Expr | None  # None: every unit not graded above
    amount: Quantity


@dataclass(frozen=True)
class Grades:
    """评等: the first grade whose condition holds, with its award."""
    grades: tuple[Grade, ...]
    pos: Pos


@dataclass(frozen=True)
class Factor:
    """因素分配: a pool shared among the eligible units in proportion to a key (a score)."""
    pool: Quantity
    key: Expr
    pos: Pos


AwardPart = Union[PerPerson, LumpFixed, LumpIf, Grades, Factor]


@dataclass(frozen=True)
class Award:
    """奖励: money per unit, paid after scoring: eligibility, then its parts (summed), then
    deductions (in 元, or in % of the amount), then vetoes."""
    name: str
    title: str | None
    eligible: Expr | None
    rank: AwardRank | None
    bands: tuple[RankBand, ...]
    straddle: str  # a tie across a band edge: "average" (default), "higher", "lower"
    parts: tuple[AwardPart, ...]
    deductions: tuple[Deduction, ...]
    vetoes: tuple[Veto, ...]
    source: str | None
    interpretation: str | None
    requirements: tuple[Requirement, ...]
    pos: Pos


@dataclass(frozen=True)
class DepartmentAward:
    """部门奖励: money to a department rather than a unit; None where the policy states no sum."""
    name: str
    amount: Quantity | None
    source: str | None
    interpretation: str | None
    pos: Pos


@dataclass(frozen=True)
class ExampleValue:
    unit: str
    node: str
    field: str
    text: str  # as a data cell would hold it
    note: str | None


@dataclass(frozen=True)
class Expectation:
    unit: str
    node: str | None  # None: the unit's total
    points: Quantity


@dataclass(frozen=True)
class Example:
    """示例: a worked example — a few units and figures, and the scores they must give."""
    name: str
    units: tuple[tuple[str, str], ...]  # (unit, group)
    values: tuple[ExampleValue, ...]
    records: tuple[tuple[str, str, str, str], ...]  # (unit, item, project, level)
    expectations: tuple[Expectation, ...]
    pos: Pos


@dataclass(frozen=True)
class TotalTerm:
    section: str
    weight: Quantity | None  # None: 100%
    pos: Pos


@dataclass(frozen=True)
class GroupTotal:
    """总分 适用 街道 = 甲 + 乙 满分 70分: how the units of these groups are totalled; a top
    section it does not name does not count for them (nor is its data asked of them)."""
    groups: tuple[str, ...]
    terms: tuple[TotalTerm, ...]
    points: Quantity | None
    source: str | None
    interpretation: str | None
    pos: Pos


@dataclass(frozen=True)
class Rounding:
    places: int
    mode: str  # "half_up" | "down" | "half_even"
    once: bool = False  # 舍入 指标 … 扣分后: an item rounded once, after its deductions (not each step)


@dataclass(frozen=True)
class DataFiles:
    units: tuple[str, ...]
    values: tuple[str, ...]  # long layout
    records: tuple[str, ...]
    targets: tuple[str, ...]  # wide layout (indicators × units), read as 任务
    actuals: tuple[str, ...]  # wide layout, read as 实际 (or as its 字段 column says)


@dataclass(frozen=True)
class TieBreak:
    """并列 按 现场考核 降序: how units of equal total are ranked (else they share a rank)."""
    key: Expr
    descending: bool
    pos: Pos


@dataclass(frozen=True)
class Scheme:
    title: str
    groups: tuple[str, ...]
    data: DataFiles
    item_rounding: Rounding
    total_rounding: Rounding
    amount_rounding: Rounding
    total: tuple[TotalTerm, ...]  # empty: the plain sum of the top-level sections
    total_source: str | None  # 原文 of the total formula
    total_points: Quantity | None  # 满分 declared on it: the weighted parts' full points add up to it
    tie_breaks: tuple[TieBreak, ...]  # in the order applied
    sections: tuple[Section, ...]
    consts: tuple[Const, ...]
    lets: tuple[Let, ...]
    requirements: tuple[Requirement, ...]
    vetoes: tuple[Veto, ...]
    defaults: tuple[Default, ...]
    awards: tuple[Award, ...]
    department_awards: tuple[DepartmentAward, ...]
    examples: tuple[Example, ...]
    path: str  # where it was read from, for citing lines
    language: str  # "zh" or "en": the language of its keywords, for messages
    total_interpretation: str | None = None  # 口径 of the total formula
    deductions: tuple[Deduction, ...] = ()  # from the total, after the weighting (资金管理 酌情扣分)
    group_totals: tuple[GroupTotal, ...] = ()  # 总分 适用 …: groups totalled otherwise than by `total`
    section_rounding: Rounding | None = None  # 舍入 板块: each section's score (else exact)
    weighted_rounding: Rounding | None = None  # 舍入 加权: each weighted part of the total (else exact)

    def totals(self) -> tuple[GroupTotal, ...]:
        """Every 总分 line as written: the one without 适用 (if any) first, as a GroupTotal of no group."""
        default = (GroupTotal((), self.total, self.total_points, self.total_source, self.total_interpretation,
                              self.total[0].pos),) if self.total else ()
        return default + self.group_totals


def terms_text(terms: tuple[TotalTerm, ...]) -> str:
    """甲 × 60% + 乙 × 40% + 丙: the right-hand side of a 总分 line."""
    return " + ".join(t.section + (f" × {t.weight}" if t.weight else "") for t in terms)


# Words expressions are written with, by language: explanations use Chinese; the formatter
# may write either.
WORDS = {
    "zh": {"and": "且", "or": "或", "not": "非", True: "是", False: "否",
           TARGET: TARGET, ACTUAL: ACTUAL, RATE: RATE, TOTAL: TOTAL},
    "en": {"and": "and", "or": "or", "not": "not", True: "yes", False: "no",
           TARGET: "target", ACTUAL: "actual", RATE: "rate", TOTAL: "total"},
}


def show_expr(expr: Expr, lang: str = "zh") -> str:
    """An expression as a policy writer would write it (and as it parses back)."""
    words = WORDS[lang]
    match expr:
        case Literal(quantity=q):
            return q.text
        case BoolLiteral(value=v):
            return words[v]
        case DateLiteral(text=text):
            return text
        case TextLiteral(value=v):
            return quote(v)
        case Ref(item=item, field=field):
            field = words.get(field, field) if field in (TARGET, ACTUAL, RATE, TOTAL) else field
            return f"{item}.{field}" if item else field
        case Binary(op=op, left=l, right=r) | Compare(op=op, left=l, right=r):
            symbol = {"*": "×"}.get(op, op)
            return f"{operand_text(l, lang)} {symbol} {operand_text(r, lang)}"
        case Logical(op=op, operands=ops):
            return f" {words[op]} ".join(operand_text(o, lang) for o in ops)
        case Not(operand=o):
            return f"{words['not']} {operand_text(o, lang)}"
    raise TypeError(expr)


_SAID = {">=": "不低于", "<=": "不高于", ">": "高于", "<": "低于", "=": "为", "!=": "不为",
         "+": "加", "-": "减", "*": "乘以", "/": "除以"}


def say_expr(expr: Expr) -> str:
    """An expression in plain Chinese, for the public (公示): no symbols, no dotted names."""
    match expr:
        case Literal(quantity=q):
            return q.text
        case BoolLiteral(value=v):
            return "是" if v else "否"
        case DateLiteral(text=text):
            return text
        case TextLiteral(value=v):
            return f"“{v}”"
        case Ref(item=item, field=field):
            return f"{item}的{field}" if item else field
        case Binary(op=op, left=l, right=r) | Compare(op=op, left=l, right=r):
            return f"{say_expr(l)}{_SAID[op]}{say_expr(r)}"
        case Logical(op=op, operands=ops):
            return ("，且" if op == "and" else "，或").join(say_expr(o) for o in ops)
        case Not(operand=o):
            return f"并非{say_expr(o)}"
    raise TypeError(expr)


def operand_text(expr: Expr, lang: str = "zh") -> str:
    text = show_expr(expr, lang)
    return f"({text})" if isinstance(expr, (Binary, Compare, Logical)) else text


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def parts(node) -> Iterator[tuple[str, object]]:
    """The AST nodes directly inside a node, each with the name of the field that holds it."""
    def inside(value):
        if isinstance(value, (list, tuple)):
            for v in value:
                yield from inside(v)
        elif is_dataclass(value) and not isinstance(value, Pos):
            yield value

    names = _FIELD_NAMES.get(type(node))
    if names is None:  # dataclasses.fields builds its tuple anew at each call: walked by the thousand
        names = _FIELD_NAMES[type(node)] = tuple(f.name for f in fields(node))
    for name in names:
        for child in inside(getattr(node, name)):
            yield name, child


def walk(node) -> Iterator[object]:
    """The node and every AST node inside it."""
    yield node
    for _, child in parts(node):
        yield from walk(child)
