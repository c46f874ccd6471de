"""Issue 11, "one engine": schemes *and* data drawn from the grammar (hypothesis), scored through
the real command line. `kpi score --format csv`, `kpi score --format json` and `kpi explain
--format json` (every unit) must give every unit the same total, ranks and node scores, with a
ledger that balances; or all three must refuse with the same error codes. Both data readers
(the full loader and the columnar one, forced) must give the same outcome.

The generator writes schemes in Chinese, English or mixed keywords with every rule kind, and
data that lands on thresholds, on half-分 roundings, on targets of zero or below, on 19- and
25-digit figures, and leaves figures out.
"""
from __future__ import annotations

import csv
import decimal
import io
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from decimal import Decimal

from hypothesis import event, given, settings, strategies as st

from conftest import UNITS, build
from kpidsl import pipeline
from kpidsl.cli import main

GROUPS = ("镇", "区")

# Chinese keyword -> English spelling (grammar/kpi.lark); a scheme is written in one or the
# other, or each keyword drawn at random ("mixed").
ENGLISH = {
    "方案": "scheme", "单位分组": "groups", "数据": "data", "单位": "units", "数值": "values",
    "记录": "records", "舍入": "rounding", "四舍五入": "half_up", "截尾": "down", "银行家舍入": "half_even",
    "总分": "total", "常量": "const", "计算": "let", "缺省": "default", "板块": "section",
    "加分板块": "bonus", "指标": "item", "原文": "source", "分值说明": "points_note", "折算": "scale",
    "封顶": "cap", "可为负分": "allow_negative", "达标": "meet", "按比例": "proportional", "未达": "below",
    "不得分": "zero", "满分": "full", "得": "score", "若": "if", "则": "then", "否则": "else",
    "排名": "rank", "降序": "desc", "升序": "asc", "按": "by", "分组内": "within_group", "全体": "overall",
    "仅限": "only_if", "依次递减": "step", "并列": "ties", "同名次": "shared", "紧随名次": "dense",
    "不符合得": "ineligible", "无数据得": "no_data", "分档": "tiers", "至": "to", "等级": "levels",
    "取最高": "max", "求和": "sum", "按项目就高": "projects", "每项": "each", "最多": "up_to",
    "评定": "assessed", "份额": "share", "每少": "per_short", "每降低": "per_short", "每": "per",
    "扣": "deduct", "不足一档": "partial", "按比例计": "prorate", "不计": "ignore", "按一档计": "whole",
    "一票否决": "veto", "总分不超过": "total_at_most", "且": "and", "或": "or", "非": "not",
    "是": "yes", "否": "no", "任务": "target", "实际": "actual", "完成率": "rate",
}
# A keyword is a whole token of the generated text (never part of a name or of 名.完成率).
KEYWORD = re.compile(r"(?<!\S)(" + "|".join(sorted(map(re.escape, ENGLISH), key=len, reverse=True))
                     + r")(?=$|[\s:])")

# Figures past 64 bits: around int64's bounds (19 digits) and far beyond (25 digits).
BIG = ["9223372036854775807", "9223372036854775808", "-9223372036854775809", "9999999999999999999",
       "1234567890123456789", "1" * 25, "-" + "9" * 25, "1234567890123456789012345.5"]
# Targets on which scores land on half-分 (10 × 1/400 = 0.025, 3 × 1/8 = 0.375) and on thresholds.
TARGETS = [8, 10, 20, 40, 100, 200, 400, 1000, 2000, 4000]
THRESHOLDS = [50, 60, 70, 80, 90, 95, 100]  # percent
STEP_POINTS = ["0.5", "0.25", "1", "0.125", "0.05", "0.3", "0.025"]
# Statements that score nothing but must not change a score.
NOTES = ['原文 "完成任务得满分，未完成按比例扣分。" "扣完为止"', '口径 "按年末数计"', "类别 标准化下沉",
         '要求 "按时报送台账"', '要求 适用 镇 "每月报送"', '别名 "另一个名称"']
HAZARDS = ["zero", "negative", "big", "missing", "decimal", "invalid"]


@dataclass
class Drawn:
    """A generated scheme and its data, before it is written to a folder."""
    text: str
    units: list
    values: dict = field(default_factory=dict)
    records: list = field(default_factory=list)


class Writer:
    """Draws one scheme: its text (through `k` for keywords) and what data each node needs."""

    def __init__(self, draw, lang: str, seed: int):
        self.draw, self.lang, self.rng = draw, lang, random.Random(seed)
        self.needs: list[tuple[str, str, object]] = []  # (node, field, kind)
        self.records: list[tuple[str, str, list[str]]] = []  # (item, "levels"/"projects", labels)
        self.pairs: list[str] = []  # items with 任务 and 实际, for cross references
        self.count = 0
        self.has_const = draw(st.booleans())
        self.measures: list[str] = []

    def k(self, text: str) -> str:
        """The text with its keywords in the scheme's language."""
        if self.lang == "zh":
            return text
        english = self.lang == "en"
        return KEYWORD.sub(lambda m: ENGLISH[m.group()] if english or self.rng.random() < 0.5 else m.group(),
                           text)

    def pick(self, options):
        return self.draw(st.sampled_from(options))

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def need(self, node: str, field: str, kind) -> None:
        self.needs.append((node, field, kind))

    # ---- items --------------------------------------------------------------------------
    def pair(self, item: str) -> None:
        self.need(item, "任务+实际", "pair")
        self.pairs.append(item)

    def ratio_key(self, item: str) -> str:
        """An expression of 完成率 kind: the item's own, another item's, or a measure."""
        choice = self.pick(["own", "other", "measure"])
        if choice == "other" and self.pairs:
            return f"{self.pick(self.pairs)}.完成率"
        if choice == "measure" and self.measures:
            return self.pick(self.measures)
        self.pair(item)
        return "完成率"

    def rule(self, item: str, points: Decimal, depth: int = 0) -> str:
        kinds = ["按比例", "达标", "若", "排名", "分档", "评定", "等级", "按项目就高", "满分", "不得分", "得",
                 "份额", "无"]
        # any rule may stand in a branch of 若 … 则 … 否则 (a rank or tiers over the units it applies to)
        kind = self.pick(kinds if depth == 0 else kinds[:-1] if depth == 1 else ["按比例", "达标", "满分", "不得分", "得"])
        p = points
        if kind == "按比例":
            ratio = self.pick(["", "实际 / 任务", "清欠 / 欠款", "measure"])
            if ratio == "清欠 / 欠款":
                self.need(item, "欠款", "target")
                self.need(item, "清欠", "count")
            elif ratio == "measure" and self.measures:
                ratio = self.pick(self.measures)
            else:
                ratio = "" if ratio == "measure" else ratio
                self.pair(item)
            below = self.draw(st.none() | st.sampled_from(THRESHOLDS[:4]))
            return f"按比例 {ratio}" + (f" 未达 {below}% 不得分" if below else "")
        if kind == "达标":
            how = self.pick(["", "实际 <= 任务", "机制", "率 >= 95%", "实际 >= 任务 且 非 瞒报"])
            if how in ("", "实际 <= 任务"):
                self.pair(item)
            elif how == "机制":
                self.need(item, "机制", "flag")
            elif how == "率 >= 95%":
                self.need(item, "率", "percent")
            else:
                self.pair(item)
                self.need(item, "瞒报", "flag")
            return f"达标 {how}"
        if kind == "若":
            how = self.pick(["zero-target", "met", "flag", "nested"])
            if how == "zero-target":  # the way a scheme says what a target of 0 means
                self.pair(item)
                return f"若 任务 = 0 则 满分 否则 {self.rule(item, p, depth + 1)}"
            if how == "met":
                self.pair(item)
                return f"若 实际 >= 任务 则 {self.fixed(p)} 否则 {self.rule(item, p, depth + 1)}"
            if how == "flag":
                self.need(item, "机制", "flag")
                return f"若 机制 则 {self.rule(item, p, depth + 1)} 否则 不得分"
            key = self.ratio_key(item)
            a, b = sorted(self.draw(st.lists(st.sampled_from(THRESHOLDS), min_size=2, max_size=2, unique=True)))
            return f"若 {key} >= {b}% 则 满分 否则 若 {key} >= {a}% 则 {self.fixed(p)} 否则 不得分"
        if kind == "排名":
            key = self.pick(["实际", "值", "ratio"])
            if key == "实际":
                self.pair(item)
            elif key == "值":
                self.need(item, "值", "key")
            else:
                key = self.ratio_key(item)
            text = f"排名 {self.pick(['降序', '升序'])} 按 {key}"
            pool = self.pick(["", "分组内", "全体"])
            text += f" {pool}" if pool else ""
            if self.draw(st.booleans()):
                only = self.pick(["ratio", "值"])
                if only == "值":
                    self.need(item, "值", "key")
                    text += " 仅限 值 > 1"
                else:
                    text += f" 仅限 {self.ratio_key(item)} >= {self.pick(THRESHOLDS)}%"
            steps = [s for s in STEP_POINTS if Decimal(s) <= p]
            if self.draw(st.booleans()):
                text += f" 依次递减 镇 {self.pick(steps)}分, 区 {self.pick(steps)}分"
            else:
                text += f" 依次递减 {self.pick(steps)}分"
            if self.draw(st.booleans()):
                text += f" 并列 {self.pick(['同名次', '紧随名次'])}"
            if self.draw(st.booleans()):
                text += f" 不符合得 {self.points_upto(p)}分"
            if self.draw(st.booleans()):
                text += f" 无数据得 {self.points_upto(p)}分"
            return text
        if kind == "分档":
            on = self.pick(["实际", "值", "ratio"])
            if on == "实际":
                self.pair(item)
                cuts = [str(t) for t in self.draw(st.lists(st.sampled_from(TARGETS), min_size=1, max_size=4,
                                                           unique=True))]
            elif on == "值":
                self.need(item, "值", "key")
                cuts = [str(t) for t in self.draw(st.lists(st.integers(0, 5), min_size=1, max_size=4, unique=True))]
            else:
                on = self.ratio_key(item)
                cuts = [f"{t}%" for t in self.draw(st.lists(st.sampled_from(THRESHOLDS), min_size=1, max_size=4,
                                                             unique=True))]
            cuts.sort(key=lambda c: Decimal(c.rstrip("%")))
            if self.draw(st.booleans()) and len(cuts) >= 2:  # 2018 style ranges [a, b)
                bands = [f"{a} 至 {b}: {self.points_upto(p)}分" for a, b in zip(cuts, cuts[1:])]
            else:
                bands = [f"{self.pick(['>=', '>', '<=', '<', '='])} {c}: {self.points_upto(p)}分" for c in cuts]
            if self.draw(st.booleans()):
                bands.append(f"否则: {self.points_upto(p)}分")
            return f"分档 {on} {{ {'  '.join(bands)} }}"
        if kind == "评定":
            if self.draw(st.booleans()):
                self.need(item, "评分", ("score", p, None))
                return "评定"
            bands = (("达成", "80%", "100%"), ("部分达成", "50%", "80%"), ("未达成", "0%", "50%"))
            self.need(item, "评分", ("score", p, bands))
            return "评定 { " + "  ".join(f"{l}: {a} 至 {b}" for l, a, b in bands) + " }"
        if kind == "等级":
            table = {"市级": self.points_upto(p), "省级": self.points_upto(p), "国家级": p}
            self.records.append((item, "levels", list(table)))
            return ("等级 { " + "  ".join(f"{l}: {v}分" for l, v in table.items()) + " } "
                    + self.pick(["", "取最高", "求和"]))
        if kind == "按项目就高":
            classes = [("高", None), ("中, 中二", self.pick(["", "2分"])), ("低", self.pick(["", "1分"]))]
            self.records.append((item, "projects", ["高", "中", "中二", "低"]))
            body = "  ".join(f"{label}: 每项 {self.points_upto(p)}分" + (f" 最多 {most}" if most else "")
                             for label, most in classes)
            return f"按项目就高 {{ {body} }}"
        if kind == "份额":
            self.need(item, "业务量", "volume")
            return "份额 业务量"
        if kind == "满分" or kind == "不得分":
            return kind
        if kind == "得":
            return self.fixed(p)
        return ""  # no scoring rule: full points, less deductions

    def fixed(self, p: Decimal) -> str:
        return f"得 {self.points_upto(p)}分"

    def points_upto(self, p: Decimal) -> str:
        """Points between 0 and p, often p's halves and eighths (half-分 once rounded)."""
        return str(self.pick(sorted({Decimal(0), p, p / 2, p / 4, p / 8} | ({Decimal("0.5")} if p >= 1 else set()))))

    def deduction(self, node: str, item: bool) -> str:
        how = self.pick(["short", "const", "count", "rate", "if-count", "if-rate"] if item else ["count", "if-count"])
        step = self.pick(STEP_POINTS)
        partial = self.pick(["", " 不足一档 按比例计", " 不足一档 不计", " 不足一档 按一档计"])
        if how == "short":
            self.pair(node)
            return f"{self.pick(['每少', '每降低'])} {self.pick(['1人', '10人', '3人', '7人'])} 扣 {step}分{partial}"
        if how == "const" and self.has_const:
            self.need(node, "个数", "count")
            return f"每少 1个 (要求 - 个数) 扣 {step}分{partial}"
        if how == "rate":
            self.pair(node)
            return f"每降低 1% (100% - 完成率) 扣 {step}分{partial}"
        if how == "if-rate":
            self.pair(node)
            return f"若 完成率 < {self.pick(THRESHOLDS)}% 扣 {step}分"
        self.need(node, "事故", "count")
        if how == "if-count":
            return f"若 事故 > 1 扣 {step}分"
        return f"每 {self.pick(['1例', '2例'])} 事故 扣 {step}分{partial}"

    def item(self) -> tuple[str, Decimal]:
        name = self.name("项")
        points = Decimal(self.pick(["1", "2", "2.5", "3", "5", "10", "20", "0.5"]))
        lines = []
        if self.draw(st.integers(0, 4)) == 0:  # a measure of the item's own fields
            measure = self.name("差")
            self.pair(name)
            lines.append(f"计算 {measure} = 实际 - 任务")
            lines.append(f"若 {measure} < 0 扣 {self.pick(STEP_POINTS)}分")
        if self.draw(st.integers(0, 5)) == 0:
            lines.append("缺省 事故 = 0")
        lines.append(self.rule(name, points))
        for _ in range(self.draw(st.integers(0, 2))):
            lines.append(self.deduction(name, True))
        if self.draw(st.integers(0, 3)) == 0:
            lines.append(f"封顶 {self.points_upto(points)}分")
        if self.draw(st.integers(0, 3)) == 0:
            lines.append("可为负分")
        if self.draw(st.integers(0, 3)) == 0:
            self.need(name, "造假", "flag")
            lines.append("一票否决 造假")
        lines += self.draw(st.lists(st.sampled_from(NOTES), max_size=2))
        body = "\n    ".join(self.k(line) for line in lines if line.strip())
        title = f' "{name}（标题）"' if self.draw(st.integers(0, 5)) == 0 else ""
        return f"  {self.k('指标')} {name}{title} {points}分 {{\n    {body}\n  }}", points

    # ---- sections and the scheme --------------------------------------------------------
    def section(self, bonus: bool = False, depth: int = 0) -> tuple[str, str, Decimal]:
        name = self.name("加分" if bonus else "板块")
        parts, total = [], Decimal(0)
        for _ in range(self.draw(st.integers(1, 2 if bonus else 3))):
            if depth == 0 and not bonus and self.draw(st.integers(0, 4)) == 0:
                text, _, points = self.section(depth=1)
            else:
                text, points = self.item()
            parts.append(text)
            total += points
        lines, declared = [], total
        scaled = self.draw(st.integers(0, 5))
        if scaled == 0 and not bonus:
            declared = total * 2
            lines.append(f'分值说明 折算 "各项合计 {total}分，按 {declared}分 计"')
        elif scaled == 1 and not bonus:
            declared = total + 1
            lines.append(f'分值说明 "各项合计 {total}分，按 {declared}分 计"')
        if self.draw(st.integers(0, 3)) == 0:
            self.need(name, "集访", "count")
            lines.append(f"每 1例 集访 扣 {self.pick(STEP_POINTS)}分{self.pick(['', ' 不足一档 按一档计'])}")
        if self.draw(st.integers(0, 4)) == 0:
            self.need(name, "否决", "flag")
            lines.append("一票否决 否决")
        if self.draw(st.integers(0, 4)) == 0:
            lines.append(f"封顶 {max(Decimal(0), declared - self.pick([Decimal(0), Decimal('0.5'), Decimal(1)]))}分")
        if self.draw(st.integers(0, 5)) == 0:
            lines.append("可为负分")
        head = "\n  ".join(self.k(line) for line in lines)
        keyword = self.k("加分板块" if bonus else "板块")
        text = f"{keyword} {name} {declared}分 {{\n  {head}\n" + "\n".join(parts) + "\n}"
        return text, name, declared


@st.composite
def generated(draw) -> Drawn:
    """A random valid scheme over some of the conftest units, with data for it."""
    lang = draw(st.sampled_from(["zh", "en", "mixed"]))
    w = Writer(draw, lang, draw(st.integers(0, 2**16)))
    k = w.k
    head = [k('方案 "生成"'), k("单位分组 镇, 区"),
            k('数据 { 单位 "units.csv" 数值 "values.csv" 记录 "records.csv" }')]
    for scope in ("指标", "总分"):
        if draw(st.booleans()):
            places = draw(st.integers(0, 3))
            mode = draw(st.sampled_from(["", " 四舍五入", " 截尾", " 银行家舍入"]))
            head.append(k(f"舍入 {scope} {places}{'位' if lang == 'zh' else ''}{mode}"))
    if w.has_const:
        head.append(k(f"常量 要求 = 镇 {draw(st.integers(0, 4))}个, 区 {draw(st.integers(0, 4))}个"))
    if draw(st.integers(0, 3)) == 0:
        head.append(k("缺省 事故 = 0"))
    sections, names = [], []
    for _ in range(draw(st.integers(1, 3))):
        text, name, _ = w.section()
        sections.append(text)
        names.append(name)
        if w.pairs and draw(st.integers(0, 2)) == 0:  # a measure later rules may read
            measure = w.name("比")
            source = draw(st.sampled_from(w.pairs))
            sections.append(k(f"计算 {measure} = {source}.实际 / {source}.任务"))
            w.measures.append(measure)
    bonus = None
    if draw(st.integers(0, 2)) == 0:
        text, bonus, _ = w.section(bonus=True)
        sections.append(text)
    if draw(st.booleans()) or len(names) == 1:
        weights = {1: [[100]], 2: [[60, 40], [50, 50], [70, 30]], 3: [[50, 30, 20], [40, 30, 30]]}[len(names)]
        terms = [f"{n} × {p}%" for n, p in zip(names, draw(st.sampled_from(weights)))]
        head.append(k("总分 = " + " + ".join(terms + ([bonus] if bonus else []))))
    if draw(st.integers(0, 3)) == 0:
        w.need("总分", "违纪", "flag")
        sections.append(k(f"一票否决 违纪{draw(st.sampled_from(['', ' 总分不超过 60分']))}"))
    text = "\n".join(head + sections) + "\n"
    if draw(st.integers(0, 3)) == 0:
        text = full_width(text)
    units = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=5, unique=True))
    hazards = draw(st.sets(st.sampled_from(HAZARDS), max_size=3))
    drawn = Drawn(text, units)
    for unit, _ in units:
        for node, field_, kind in dict.fromkeys(w.needs):  # a field needed twice is written once
            for f, v in figures(draw, field_, kind, hazards).items():
                drawn.values[(unit, node, f)] = v
        for item, kind, labels in w.records:
            for project in range(draw(st.integers(0, 3))):
                for _ in range(draw(st.integers(1, 2))):
                    level = draw(st.sampled_from(labels))
                    if "invalid" in hazards and draw(st.integers(0, 9)) == 0:
                        level = "区级"  # not in the table: E312
                    drawn.records.append((unit, item, f"项目{project}", level))
    return drawn


def full_width(text: str) -> str:
    """The scheme with its punctuation and numbers full-width (names and quoted strings kept)."""
    punctuation = str.maketrans("{}:,%()", "｛｝：，％（）")
    digits = str.maketrans("0123456789.", "０１２３４５６７８９．")
    return "".join(part if part.startswith('"') else
                   re.sub(r"(?<!\w)\d+(\.\d+)?", lambda m: m.group().translate(digits), part.translate(punctuation))
                   for part in re.split(r'("(?:[^"\\]|\\.)*")', text))


def rare(draw, hazards, name: str) -> bool:
    return name in hazards and draw(st.integers(0, 5)) == 0


def figures(draw, name: str, kind, hazards) -> dict[str, str]:
    """The cells of one field (or of 任务 and 实际) for one unit: {field: text}; a missing
    figure is left out."""
    if rare(draw, hazards, "missing"):
        return {}
    if kind == "pair":
        target = draw(st.sampled_from(TARGETS) | st.integers(1, 5000))
        if rare(draw, hazards, "zero"):
            target = 0
        elif rare(draw, hazards, "negative"):
            target = -draw(st.sampled_from(TARGETS))
        if rare(draw, hazards, "big"):
            big = draw(st.sampled_from(BIG))
            return {"任务": big, "实际": draw(st.sampled_from([big, *BIG, "0", "7"]))}
        # on a threshold (t × p% is whole for these targets), just above or below, or anywhere
        actual = draw(st.sampled_from([target * p // 100 for p in THRESHOLDS] + [target - 1, target + 1, 0])
                      | st.integers(-5, 2 * abs(target) + 5))
        if rare(draw, hazards, "decimal"):
            return {"任务": str(target), "实际": f"{actual}.{draw(st.sampled_from(['5', '005', '125', '995']))}"}
        return {"任务": str(target), "实际": str(actual)}
    if kind == "target":
        return {name: "0" if rare(draw, hazards, "zero") else str(draw(st.sampled_from(TARGETS + [3])))}
    if kind in ("count", "key", "volume"):
        if rare(draw, hazards, "big"):
            return {name: draw(st.sampled_from(BIG))}
        if rare(draw, hazards, "negative"):
            return {name: "-1"}
        if kind == "volume":
            return {name: str(draw(st.sampled_from([0, 1, 10, 333, 1000])))}
        return {name: str(draw(st.integers(0, 5)))}
    if kind == "flag":
        return {name: draw(st.sampled_from(["否", "否", "否", "是", "no", "yes"]))}
    if kind == "percent":
        return {name: draw(st.sampled_from(["100%", "95%", "94.995%", "97.55%", "89.99%", "0%", "-5%"]))}
    _, points, bands = kind  # an assessed score, within its band unless invalid data was drawn
    cells = {}
    if bands:
        label, low, high = draw(st.sampled_from(bands))
        cells["档位"] = label
        low, high = Decimal(low.rstrip("%")) / 100 * points, Decimal(high.rstrip("%")) / 100 * points
    else:
        low, high = Decimal(0), points
    score = draw(st.sampled_from([low, high, (low + high) / 2, low + (high - low) / 3]))
    if rare(draw, hazards, "invalid"):
        score = high + 1
    cells[name] = f"{score:f}" if score == score.quantize(Decimal("0.001")) else f"{score.quantize(Decimal('0.001')):f}"
    return cells


# ---- the three outputs, through the command line ---------------------------------------------
CODE = re.compile(r"(?<![A-Za-z0-9])[EW]\d{3}(?!\d)")


def run(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _scores(unit: dict) -> dict:
    """A unit's total, ranks and node scores from either JSON output, as exact numbers."""
    nodes = {n["path"][-1]: Decimal(n["score"]) for n in unit["items"] + unit["sections"]}
    return {"total": Decimal(unit["total"]), "rank": unit["rank"], "group_rank": unit["group_rank"],
            "nodes": nodes}


def from_csv(text: str) -> dict:
    header, *rows = csv.reader(io.StringIO(text))
    return {row[0]: {"total": Decimal(row[2]), "rank": int(row[3]), "group_rank": int(row[4]),
                     "nodes": {name: Decimal(v) for name, v in zip(header[5:], row[5:])}} for row in rows}


def outcome(capsys, scheme, units) -> tuple:
    """What all three outputs agree on: ("refused", error and warning codes) or ("scored",
    every unit's scores); asserts that they agree and that each explanation's ledger balances."""
    with decimal.localcontext(prec=1000):  # sums of 25-digit figures: the default 28 digits round
        return _outcome(capsys, scheme, units)


def _outcome(capsys, scheme, units) -> tuple:
    path = str(scheme)
    runs = {"csv": run(capsys, "score", path, "--format", "csv"),
            "json": run(capsys, "score", path, "--format", "json")}
    runs |= {unit: run(capsys, "explain", path, unit, "--format", "json") for unit, _ in units}
    codes = {what: (rc, sorted(set(CODE.findall(err)))) for what, (rc, _, err) in runs.items()}
    assert len(set(map(repr, codes.values()))) == 1, codes  # same exit code, same codes, everywhere
    rc, found = codes["csv"]
    if rc != 0:
        assert rc == 1 and found and all(c.startswith(("E3", "W")) for c in found), (rc, runs["csv"][2])
        return "refused", found
    scored = from_csv(runs["csv"][1])
    assert {u["unit"]: _scores(u) for u in json.loads(runs["json"][1])["units"]} == scored
    for unit, _ in units:
        explained = json.loads(runs[unit][1])["units"][0]
        assert _scores(explained) == scored[unit], unit
        ledger = sum((Decimal(e["points"]) for e in explained["ledger"]), Decimal(explained["full"]))
        assert ledger == Decimal(explained["total"]), (unit, explained["ledger"])
        for item in explained["items"]:  # and each item's lines add up to its loss
            lines = sum((Decimal(line["points"]) for line in item["reasons"]), Decimal(0))
            assert lines == Decimal(item["lost"]) == Decimal(item["max"]) - Decimal(item["score"]), (unit, item)
    return "scored", scored


def check_everywhere(tmp_path_factory, capsys, monkeypatch, drawn: Drawn) -> tuple:
    """The outcome through the full loader, then with the columnar reader forced: the same."""
    scheme = build(tmp_path_factory.mktemp("gen"), "", drawn.values, units=drawn.units,
                   records=drawn.records, header=drawn.text)
    full = outcome(capsys, scheme, drawn.units)
    with monkeypatch.context() as m:
        read = []
        original = pipeline.load_columns
        m.setattr(pipeline, "MANY_UNITS", 0)  # the CLI takes the columnar reader from 1 unit on
        def spy(*a, **kw):  # counts the runs the columnar reader really read (it may step aside)
            found = original(*a, **kw)
            read.append(1)
            return found
        m.setattr(pipeline, "load_columns", spy)
        columns = outcome(capsys, scheme, drawn.units)
    event(f"outcome: {full[0]}")
    event(f"columnar reader read: {bool(read)}")
    assert columns == full
    return full


@settings(max_examples=max(20, settings().max_examples // 2))
@given(drawn=generated())
def test_the_outputs_agree_on_generated_schemes(tmp_path_factory, capsys, monkeypatch, drawn):
    check_everywhere(tmp_path_factory, capsys, monkeypatch, drawn)


# ---- what the generator found, minimised -------------------------------------------------------
def test_a_requirement_for_a_group_with_no_unit_in_the_data(tmp_path, capsys):
    """要求 适用 镇 with only 区 units in the data was E206 (the group taken for a unit name)."""
    body = '板块 板 1分 { 指标 项 1分 { 按比例  要求 适用 镇 "每月报送" } }\n'
    scheme = build(tmp_path, body, {("丁区", "项", "任务"): "8", ("丁区", "项", "实际"): "4"}, units=[("丁区", "区")],
                   header='方案 "测试"\n单位分组 镇, 区\n数据 { 单位 "units.csv" 数值 "values.csv" 记录 "records.csv" }\n')
    assert outcome(capsys, scheme, [("丁区", "区")]) == ("scored", {"丁区": {
        "total": Decimal("0.5"), "rank": 1, "group_rank": 1, "nodes": {"板": Decimal("0.5"), "项": Decimal("0.5")}}})


def test_score_json_keeps_a_score_past_64_bits_once_widened(tmp_path, capsys):
    body = '舍入 指标 0位\n板块 板 1.5分 { 指标 项 1.5分 { 不得分  每 1例 事故 扣 1分  可为负分 } }\n'
    scheme = build(tmp_path, body, {("甲镇", "项", "事故"): "1000000000000000000"}, units=[("甲镇", "镇")])
    code, out, _ = run(capsys, "score", str(scheme), "--format", "json")
    assert code == 0
    assert json.loads(out)["units"][0]["items"][0]["score"] == "-1000000000000000000"  # as the CSV and explain say


@settings(max_examples=1)  # a fresh interpreter costs ~1 s a command
@given(drawn=generated())
def test_the_installed_command_prints_what_main_prints(tmp_path_factory, capsys, drawn):
    """The in-process runs above stand for `kpi` itself: the same bytes and exit code from a
    fresh interpreter (stdout written through sys.stdout.buffer by the CSV, as text by the rest)."""
    import subprocess
    import sys

    scheme = str(build(tmp_path_factory.mktemp("cmd"), "", drawn.values, units=drawn.units,
                       records=drawn.records, header=drawn.text))
    for args in (["score", scheme, "--format", "csv"], ["score", scheme, "--format", "json"],
                 ["explain", scheme, drawn.units[0][0], "--format", "json"]):
        code, out, _ = run(capsys, *args)
        # from the scheme's folder: the package as installed, not the source tree of the checkout
        done = subprocess.run([sys.executable, "-m", "kpidsl.cli", *args], capture_output=True,
                              cwd=Path(scheme).parent)
        assert (done.returncode, done.stdout.decode("utf-8")) == (code, out), args
