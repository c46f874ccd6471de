"""Units of measure: one table for everything that reads them — the scheme's quantities (2亿元,
266米, 85%), the figures of the data (1,200元, 3.5万人) and the units a scheme declares (计量).

A unit is a base unit and a power of ten: 万元 is 10⁴ 元, 厘米 10⁻² 米, % 10⁻² (a rate is a
fraction), 百分点 a rate whose figures are written as percentages. 亿, 万 and 千 before a unit
multiply it. The grammar's QUANTITY and MEASURE_UNIT terminals spell the same list
(tests/test_units.py holds them to it)."""
from __future__ import annotations

import re
from decimal import Decimal

COUNTED = ("人次", "人", "户", "个", "家", "项", "次", "例", "起", "名", "位", "月", "天")  # whole, not negative
BASE = (*COUNTED, "元", "米", "吨", "亩", "小时", "分")
SCALED = {"厘米": ("米", -2), "公里": ("米", 3)}
MULTIPLIERS = {"亿": 8, "万": 4, "千": 3}
PERCENT, PERCENT_POINTS, DATE = "%", "百分点", "日期"
ENGLISH = {PERCENT_POINTS: "percent_points", DATE: "date"}  # 计量's words in an English scheme

_UNIT = "|".join(sorted([*BASE, *SCALED], key=len, reverse=True))  # 人次 before 人
PATTERN = rf"%|(?:亿|万|千)?(?:{_UNIT})|亿|万|千"  # what may follow a number
_SPLIT = re.compile(rf"(亿|万|千)?({_UNIT})?")


def read(suffix: str) -> tuple[str, int] | None:
    """(base unit, power of ten) of what is written after a number: "万元" -> ("元", 4),
    "%" -> ("%", -2), "万" -> ("", 4), "" -> ("", 0); None if it is no unit."""
    if suffix in ("%", "％"):
        return PERCENT, -2
    found = _SPLIT.fullmatch(suffix)
    if found is None:
        return None
    multiplier, unit = found.groups()
    base, power = SCALED.get(unit, (unit or "", 0))
    return base, power + MULTIPLIERS.get(multiplier, 0)


def scaled(number: Decimal, power: int) -> Decimal:
    """number × 10^power, in plain digits (1.7万 is 17000.0, not 1.7E+4; 60% is 0.60)."""
    return number * Decimal(10) ** power if power else number


def declared(unit: str) -> tuple[str, int]:
    """What a field measured in `unit` holds, and the power of ten its bare figures are in:
    万元 -> ("元", 4): 3.5 is 35000元; 百分点 -> ("%", -2): 97.5 is 97.5%; 人 -> ("人", 0)."""
    if unit == PERCENT_POINTS:
        return PERCENT, -2
    if unit in (PERCENT, DATE):
        return unit, 0
    return read(unit) or (unit, 0)


def kind(unit: str) -> str:
    """What figures in `unit` are, to tell whether two units agree: every count is one kind
    (245个 in a field counted in 人 is still a count), 万元 and 元 are both money."""
    base = declared(unit)[0]
    return "count" if base in COUNTED else base


def known() -> str:
    """The units a scheme may write, for a message."""
    return "、".join([PERCENT, *BASE, *SCALED]) + "（前面可加 亿、万、千，如 2亿元）"
