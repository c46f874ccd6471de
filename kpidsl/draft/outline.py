"""The structure of a notice: its numbered headings (一、（一）1.（1）①) with the points each
declares, and its annex tables (任务分解表: units across, items down, points and 评分标准; or a
list of items with their weights), as a tree of nodes with their sentences and targets."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .notice import Block, Table, squeeze

_LEVELS = [  # heading markers, outermost first
    re.compile(r"^\s*[一二三四五六七八九十]+\s*、"),
    re.compile(r"^\s*[（(]\s*[一二三四五六七八九十]+\s*[)）]"),
    re.compile(r"^\s*\d{1,2}\s*[.．、](?!\d)"),
    re.compile(r"^\s*[（(]\s*\d{1,2}\s*[)）]"),
    re.compile(r"^\s*[①-⑳]"),
]
_POINTS = r"(\d+(?:\.\d+)?)\s*分"
_BRACKET_POINTS = re.compile(rf"[（(]\s*{_POINTS}\s*[)）]")
_COMMA_POINTS = re.compile(rf"^(.*?)[，,]\s*{_POINTS}(?:[。.]|$)")
_CELL_POINTS = re.compile(rf"[（(]\s*{_POINTS}[，,、)）]")
_ANNEX = re.compile(r"^\s*附\s*件\s*(\d+)\s*[:：]?\s*$")
_SEE_ANNEX = re.compile(r"见附件\s*(\d+)")
_NUMBER = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?%?$")
_UNIT_NAME = re.compile(r"^.{1,12}?(镇|乡|区|街道)(（.{1,12}）)?$")
_GENERIC = {"总任务", "合计", "小计", "总数", "任务"}
_NAME_CHARS = re.compile(r"[^\w]|_", re.U)


@dataclass
class Node:
    label: str  # as the document writes it
    points: str | None = None  # "20", "5.6"
    bonus: bool = False
    children: list["Node"] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    targets: dict[str, str] = field(default_factory=dict)  # unit -> value
    sub_targets: dict[str, str] = field(default_factory=dict)  # unit -> the bracketed second value
    aliases: list[str] = field(default_factory=list)
    sub_alias: str | None = None
    kind: str | None = None
    annex: int | None = None  # "见附件2": the annex tables are this node's parts
    name: str = ""


@dataclass
class Outline:
    title: str | None
    roots: list[Node]
    top: list[str]  # sentences outside any scored heading
    units: list[str]


def name_of(label: str) -> str:
    """A name the language accepts: a trailing unit in brackets dropped ("城镇新增就业（人）"),
    punctuation out ("就业困难人员（含双零家庭）认定" -> 就业困难人员含双零家庭认定)."""
    text = squeeze(unicodedata.normalize("NFKC", label).replace("(", "（").replace(")", "）"))
    text = re.sub(r"[（][^（）]{0,4}[）]$", "", text)  # （人） （个） （%）
    text = re.sub(r"\d+%$", "", text)
    name = _NAME_CHARS.sub("", text)
    name = name.lstrip("0123456789")
    return name or "未命名"


def points_of(text: str) -> str | None:
    found = _BRACKET_POINTS.search(text)
    return found.group(1) if found else None


def _number(cell: str) -> bool:
    text = squeeze(unicodedata.normalize("NFKC", cell))
    return bool(_NUMBER.match(re.sub(r"（[\d,.]+%?）$", "", text))) if text else False


def _split_value(cell: str) -> tuple[str, str | None]:
    text = squeeze(unicodedata.normalize("NFKC", cell)).replace(",", "")
    found = re.fullmatch(r"(.+?)（(.+)）", text)
    return (found.group(1), found.group(2)) if found else (text, None)


def unit_name(cell: str) -> str | None:
    text = squeeze(unicodedata.normalize("NFKC", cell)).replace("(", "（").replace(")", "）")
    if text.count("（") > text.count("）"):  # "高新区（城南街道": a bracket the table lost
        text += "）"
    return text if _UNIT_NAME.match(text) and "合计" not in text else None


def build(blocks: list[Block]) -> Outline:
    roots: list[Node] = []
    top: list[str] = []
    stack: list[tuple[int, Node | None]] = []
    annexes: dict[int, list[Table]] = {}
    annex_titles: dict[int, str] = {}
    annex: int | None = None
    title = None
    expect_title = False

    def current() -> Node | None:
        return next((n for _, n in reversed(stack) if n is not None), None)

    for block in blocks:
        if isinstance(block, Table):
            annexes.setdefault(annex or 0, []).append(block)
            continue
        text = block.strip()
        if not text:
            continue
        found = _ANNEX.match(text)
        if found:
            annex, expect_title, stack = int(found.group(1)), True, []
            continue
        if expect_title:
            expect_title = False
            if not any(p.match(text) for p in _LEVELS) and len(text) < 60:
                annex_titles[annex] = text
                title = title or (text if "办法" in text else None)
                continue
        if title is None and text.endswith("办法") and len(text) < 40 and not text.startswith("《"):
            title = text
            continue
        level = next((i for i, p in enumerate(_LEVELS) if p.match(text)), None)
        if level is None:
            (current().sentences if current() else top).append(text)
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        node = _heading(text, _LEVELS[level].sub("", text, count=1).strip())
        if node is None and current() is not None:
            node = _scored_paragraph(text, _LEVELS[level].sub("", text, count=1).strip())
        if node is None:
            stack.append((level, None))
            (current().sentences if current() else top).append(text)
            continue
        parent = current()
        (parent.children if parent else roots).append(node)
        stack.append((level, node))

    units: list[str] = []
    linked = {n.annex: n for n in walk(roots) if n.annex is not None}
    # the annexes a heading refers to first: their rows are that heading's parts, not items
    for number, tables in sorted(annexes.items(), key=lambda a: (a[0] not in linked, a[0])):
        parts, found_units = _tables(tables, top)
        units = units or found_units
        owner = linked.get(number)
        if owner is not None:
            owner.children.extend(parts)
            continue
        if not any(p.points for p in parts):
            parts = _match_rows(roots, parts)
        if parts:
            label = annex_titles.get(number) or f"附件{number}"
            section = Node(label, _sum(parts) or "0", children=parts)
            section.name = _annex_name(label)
            roots.append(section)
    titles = [t for _, t in sorted(annex_titles.items())]
    return Outline(title or (titles[0] if titles else None), roots, top, units)


def _annex_name(label: str) -> str:
    text = re.sub(r"^\d{4}年(度)?", "", squeeze(label))
    text = re.sub(r"^(全市|市本级|全县|全区)", "", text)
    text = re.sub(r"分解表$|考核指标表?$", "", text)
    return name_of(text)


def _heading(full: str, text: str) -> Node | None:
    """A scored heading, "企业职工养老保险扩面参保（55分）", "社会保险工作，100分", with what
    follows its colon as its first sentence; None for a heading without points."""
    bonus = False
    found = _BRACKET_POINTS.search(text)
    comma = _COMMA_POINTS.match(text)
    if found and (comma is None or found.start() < len(comma.group(1))):
        label, rest = text[:found.start()], text[found.end():]
    elif comma:
        label, rest = comma.group(1), text[comma.end():]
        found = comma
    else:
        return None
    if "：" in label or ":" in label:
        prefix, label = re.split(r"[：:]", label, maxsplit=1)
        bonus = "加分" in prefix
    if len(label) > 40:  # a sentence that mentions points, not a heading
        return None
    node = Node(label.strip(), found.group(found.re.groups), bonus)
    rest = rest.lstrip("：:。. ")
    node.sentences.append(full)  # the whole heading is the 原文, as the document has it
    if rest:
        see = _SEE_ANNEX.search(rest)
        node.annex = int(see.group(1)) if see else None
    return node


_SCORES = re.compile(r"([^，,。；;：:]{2,30}?)的[，,]\s*得\s*(\d+(?:\.\d+)?)\s*分")


def _scored_paragraph(full: str, text: str) -> Node | None:
    """A numbered paragraph under a scored heading that states its own points without a
    bracket ("①…即征即保的，得5分，否则不得分"): an item named by what it scores."""
    found = _SCORES.search(text)
    if found is None:
        return None
    return Node(found.group(1), found.group(2), sentences=[full])


def walk(nodes):
    for n in nodes:
        yield n
        yield from walk(n.children)


def _sum(parts: list[Node]) -> str | None:
    from decimal import Decimal

    known = [Decimal(p.points) for p in parts if p.points]
    return str(sum(known)) if known else None


def _tables(tables: list[Table], top: list[str]) -> tuple[list[Node], list[str]]:
    """The nodes of an annex's tables, and the units their header names."""
    sections: list[Node] = []
    loose: list[Node] = []
    units: list[str] = []
    all_units: list[str] = []
    columns: dict[str, int] = {}
    has_points = False
    section: Node | None = None
    section_heading = None
    for table in tables:
        for row in table.rows:
            cells = [c.strip() for c in row]
            named = [u for u in (unit_name(c) for c in cells) if u]
            words = {squeeze(c) for c in cells}
            if len(named) >= 3 or words & {"项目", "评分标准", "序号", "考核内容", "指标"}:
                units = named if len(named) >= 3 else []
                all_units = all_units or list(dict.fromkeys(units))  # a unit named twice is one unit
                has_points = has_points or "分值" in words or any("权重" in w for w in words)
                if not units:
                    columns = {squeeze(c): i for i, c in enumerate(cells)}
                continue
            node, heading, text = (_unit_row(cells, units, has_points) if units else
                                   _column_row(cells, columns))
            if heading is not None and (section is None or squeeze(heading) != section_heading):
                section_heading = squeeze(heading)  # a .docx repeats a merged cell in every row it spans
                section = Node(re.sub(r"[（(].*$", "", squeeze(heading)), points_of(squeeze(heading)))
                sections.append(section)
            if node is None:
                if text:
                    (section.sentences if section else top).append(text)
                continue
            (section.children if section else loose).append(node)
            _split_cell_items(node)
    return sections + loose, all_units


def _unit_row(cells: list[str], units: list[str], has_points: bool):
    """One row of a 任务分解表: labels, [合计], [分值], one value per unit, 评分标准."""
    numeric = [_number(c) for c in cells]
    size = len(units)
    end = None
    for i in range(len(cells) - 1, size - 2, -1):
        if all(numeric[i - size + 1:i + 1]):
            end = i
            break
    if end is not None:
        before, values, after = cells[:end - size + 1], cells[end - size + 1:end + 1], cells[end + 1:]
    else:
        first = next((i for i, n in enumerate(numeric) if n), len(cells))
        last = max((i for i, n in enumerate(numeric) if n and i < first + 2), default=first - 1)
        # "", "", 晚霞行动, "", 4: an empty target cell before the points
        before, values, after = cells[:last + 1], [], cells[last + 1:]
    heading = cells[0] if cells and cells[0] and points_of(squeeze(cells[0])) else None
    labels = [(i, c) for i, c in enumerate(before) if c and not _number(c) and not (i == 0 and heading)]
    figures = [c for c in before if _number(c)]
    text = "\n".join(c for c in after if c.strip())
    if not labels:
        return None, heading, text
    points = figures[-1] if has_points and figures else None
    if len(labels) >= 2 and labels[0][0] == 0:  # a label spanning rows, then this row's own
        label = labels[0][1] if squeeze(labels[-1][1]) in _GENERIC else squeeze(labels[0][1]) + labels[-1][1]
    else:
        label = labels[-1][1]
    node = Node(squeeze(label).replace("(", "（").replace(")", "）"), _plain(points) if points else None)
    for unit, cell in zip(units, values):
        main, sub = _split_value(cell)
        node.targets[unit] = main
        if sub is not None:
            node.sub_targets[unit] = sub
    if text:
        node.sentences.append(text)
    return node, heading, None


def _column_row(cells: list[str], columns: dict[str, int]):
    """One row of a list of items with their weights (序号, 类别, 事项名称, 指标权重 …)."""
    def cell(*words, exact=False):
        for word, i in columns.items():
            if (word in words if exact else any(w in word for w in words)) and i < len(cells):
                return cells[i]
        return ""

    heading = cell("类别", "项目", exact=True) or None
    if heading and not points_of(squeeze(heading)):
        heading = None
    label = cell("名称", "考核内容") or cell("指标", exact=True)
    points = cell("权重", "分值")
    text = cell("评分标准")
    kind_column = next((w for w in columns if "类别" in w and w != "类别"), None)
    if not label or (points and not _number(points)) or (len(cells) < len(columns) - 1 and not points):
        rest = "\n".join(c for c in cells[1:] if c.strip() and c != heading)
        return None, heading, rest if not _number(rest) else None
    node = Node(squeeze(label).replace("(", "（").replace(")", "）"), _plain(points) if points else None)
    if kind_column:
        node.kind = _NAME_CHARS.sub("", cell(kind_column, exact=True)) or None
    if text:
        node.sentences.append(text)
    return node, heading, None


def _plain(points: str) -> str:
    return squeeze(unicodedata.normalize("NFKC", points)).rstrip("分")


_CELL_ITEM = re.compile(r"^\s*\d{1,2}\s*[.．、]")


def _split_cell_items(node: Node) -> None:
    """A row whose 评分标准 lists numbered parts with their own points ("1．配备…（1分，未完成
    不得分）") is a section of those parts; numbered lines without points stay its sentences."""
    if not node.sentences or node.points is None:
        return
    lines = re.split(r"\n+(?=\s*\d{1,2}\s*[.．、])", node.sentences[0])
    if len(lines) < 2:
        return
    parts, rest = [], []
    for line in lines:
        line = line.strip()
        found = _CELL_POINTS.search(line) if _CELL_ITEM.match(line) else None
        if found is None:
            rest.append(line)
            continue
        labels = [m for m in re.findall(r"（([^（）]{2,8})）", line[:found.start()]) if not re.search(r"\d", m)]
        rate = re.search(r"([\u4e00-\u9fff]{2,3}率)(?=达到|低于|超过|\d)", line)
        label = labels[-1] if labels else rate.group(1) if rate else _CELL_ITEM.sub("", line)[:10]
        parts.append(Node(label, found.group(1), sentences=[line]))
    if len(parts) >= 2:
        node.children, node.sentences = parts, rest


def _match_rows(roots: list[Node], rows: list[Node]) -> list[Node]:
    """Rows of a table without points (附件1: targets of items the text scores) joined to those
    items, the row label becoming an alias; the rows no item claims."""
    items = [n for n in walk(roots) if not n.children]
    left = []
    for row in rows:
        item = best_item(row.label, items) if items else None
        if item is None or item.targets:
            left.append(row)
            continue
        item.targets, item.sub_targets = row.targets, row.sub_targets
        item.aliases.append(row.label)
    return left


def best_item(label: str, items: list[Node], least: float = 0.6) -> Node | None:
    """The item a phrase names: one whose name holds the phrase's characters in order (an
    abbreviation, 居保转企保), else the closest above `least`."""
    phrase = re.sub(r"^(其中[：:])", "", squeeze(label))
    phrase = name_of(phrase)

    def holds(name: str) -> bool:
        it = iter(name)
        return all(ch in it for ch in phrase)

    scored = [(1.0 + SequenceMatcher(None, phrase, n.label).ratio() if holds(squeeze(n.label)) else
               SequenceMatcher(None, phrase, squeeze(n.label)).ratio(), i, n) for i, n in enumerate(items)]
    score, _, best = max(scored, key=lambda s: (s[0], -s[1]))
    return best if score >= least else None

