"""Explanation renderer (rich): one unit's score tree, every point lost, and its ledger, in the
auditor's voice (each rule, what it read, its arithmetic, its line of the scheme) or the public's
(`kpi explain --public`: the sentences `kpi report` publishes, no notation, no scheme lines).

The explanation is laid out as lines of rich Text and printed at once. Cells are broken into
lines by render.wrap (as Chinese breaks: never inside a number or an amount); the columns are set
here, each as wide as its widest cell, the text columns narrowed by what the terminal lacks. Rich
Tables measured and rendered every cell through their general layout: ~0.1 s of a ~0.5 s
`kpi explain`."""
from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from ..numbers import plain
from ..result import ItemResult, Line, SectionResult, TotalRule, UnitResult
from .wrap import narrow, wrap, wrap_text


def columns(console: Console, rows: list[tuple[Text, ...]], right: tuple[bool, ...], narrows: tuple[int, ...],
            gap: int = 2) -> list[Text]:
    """Rows of cells (Text of one style) as lines: each column as wide as its widest cell, `gap`
    spaces apart, every cell padded to its column in its style; where that is wider than the
    console, the columns `narrows` give up the excess (render.wrap.narrow) and their cells wrap.
    No line ends in spaces."""
    texts = [[cell.plain.expandtabs(4) for cell in row] for row in rows]  # a tab in a figure's note
    sizes = [[max(map(cell_len, text.splitlines()), default=0) for text in row] for row in texts]
    widths = [max(column) for column in zip(*sizes)]
    narrow(widths, list(narrows), sum(widths) + gap * (len(widths) - 1) - console.width)
    space, lines = " " * gap, []
    for row, row_texts, row_sizes in zip(rows, texts, sizes):
        cells = [_fit(text, size, width, r) for text, size, width, r in zip(row_texts, row_sizes, widths, right)]
        for k in range(max(map(len, cells))):
            line = Text()
            for c, (cell, width) in enumerate(zip(cells, widths)):
                if c:
                    line.append(space)
                line.append(cell[k] if k < len(cell) else " " * width, row[c].style)
            line.rstrip()
            lines.append(line)
    return lines


def _fit(text: str, size: int, width: int, right: bool) -> list[str]:
    """A cell's lines, each padded to `width` (on the left where it is right-aligned)."""
    lines = [text] if size <= width and "\n" not in text else wrap(text, width)
    return [" " * (width - cell_len(line)) + line if right else line + " " * (width - cell_len(line))
            for line in lines]


def _weight_note(section: SectionResult) -> str:
    if section.bonus:
        return "（加分）"
    return "" if section.weight == 1 else f"（×{plain(section.weight * 100)}%）"


def _tree(unit: UnitResult, console: Console) -> list[Text]:
    rows = [tuple(Text(h, style="bold") for h in ("板块 / 指标", "满分", "得分", "失分"))]

    def add(node, depth: int) -> None:
        name = "  " * depth + node.path[-1]
        lost = plain(node.lost) if node.lost else ""
        if isinstance(node, SectionResult):
            rows.append((Text(name + _weight_note(node) if depth == 0 else name, style="bold"),
                         Text(plain(node.max)), Text(plain(node.score)), Text(lost)))
            for child in node.children:
                add(child, depth + 1)
        elif node.dropped:  # its section rescales
            rows.append((Text(name), Text(plain(node.max)), Text("不适用"), Text("")))
        else:
            rows.append((Text(name), Text(plain(node.max)), Text(plain(node.score)),
                         Text(lost, style="red" if lost else "")))

    for section in unit.sections:
        add(section, 0)
    return columns(console, rows, (False, True, True, True), (0,))


class Details:
    """Label / value rows under a heading, in the auditor's voice or the public's (`public`: a
    line is its sentence; no 口径, the scheme writer's note; no scheme lines)."""

    def __init__(self, scheme_file: str, public: bool = False, indent: int = 2):
        self.rows: list[tuple[Text, Text]] = []
        self.scheme_file, self.public = scheme_file, public
        self.indent = " " * indent

    def add(self, label: str, value: str) -> None:
        self.rows.append((Text(self.indent + label, style="dim"), Text(value)))  # Text: no markup in data

    def add_line(self, line: Line) -> None:
        if self.public:
            if line.said:
                self.add("说明", line.said)
            return
        self.add("规则", f"{line.text}  [{self.scheme_file}:{line.line}]")
        if line.inputs:
            self.add("数据", " · ".join(f"{k} {v}" for k, v in line.inputs))
        if line.arithmetic:
            self.add("计算", line.arithmetic)
        if line.lost:
            self.add("结果", f"{'扣' if line.lost > 0 else '退回'} {plain(abs(line.lost))} 分")

    def add_texts(self, node) -> None:
        if node.source:
            self.add("原文", node.source)
        if node.interpretation and not self.public:
            self.add("口径", node.interpretation)

    def lines(self, console: Console) -> list[Text]:
        return columns(console, self.rows, (False, False), (1,)) if self.rows else []


def _losses(unit: UnitResult, scheme_file: str, public: bool, console: Console) -> list:
    blocks: list = []

    def signed(lost) -> str:  # a loss, or points given back (a rounding up, a rescaling)
        return f"−{plain(lost)}" if lost >= 0 else f"+{plain(-lost)}"

    def weighted(points, weight) -> str:
        return "" if weight == 1 else f"，计入总分 {signed(points * weight)}"

    def block(heading: str, node, lines) -> None:
        details = Details(scheme_file, public)
        if node is not None:
            details.add_texts(node)
        for line in lines:
            if line.source:
                details.add("原文", line.source)
            details.add_line(line)
        blocks.extend([Text(heading, style="bold"), details.lines(console), Text("")])

    for top in (s for s in unit.sections if not s.bonus):  # a bonus is no loss of the total
        for section in top.sections():
            if section.bonus:
                continue
            for item in section.children:
                if isinstance(item, ItemResult) and item.dropped:
                    block(f"{'/'.join(item.path)}  不适用（满分 {plain(item.max)}，不计分，"
                          f"由本板块其余各项折算）", item, item.lines)
                elif isinstance(item, ItemResult) and item.lost and not item.bonus:
                    block(f"{'/'.join(item.path)}  −{plain(item.lost)} 分（满分 {plain(item.max)}，"
                          f"得 {plain(item.score)}{weighted(item.lost, item.weight)}）", item, item.lines)
                elif isinstance(item, ItemResult) and not item.max:  # recorded, not scored
                    block(f"{'/'.join(item.path)}（不计分，仅列完成情况）", item, item.lines)
            changed = [l for l in section.lines if l.lost]
            if changed:
                lost = sum(l.lost for l in changed)
                block(f"{'/'.join(section.path)}（板块）  {signed(lost)} 分{weighted(lost, section.weight)}",
                      section, changed)
    for line in unit.total_lines:
        if line.lost:  # a deduction from the total that did not apply is in the JSON, not here
            block(f"总分  {signed(line.lost)} 分", None, [line])
    return blocks


def _ledger(unit: UnitResult, console: Console, public: bool = False) -> list[Text]:
    """From full points to the total; for the public, a step on the total in its words."""
    rows = [(Text("满分"), Text(""), Text(plain(unit.full)))]
    for entry in unit.ledger():
        sign = "+" if entry.points > 0 else "−"
        label, detail = (entry.said.rstrip("，"), "") if public and entry.said else (entry.label, entry.detail)
        rows.append((Text(f"{sign} {label}"), Text(detail), Text(f"{sign}{plain(abs(entry.points))}")))
    rows.append((Text("= 总分", style="bold"), Text(""), Text(plain(unit.total), style="bold")))
    return columns(console, rows, (False, True, True), (0,))


def render(unit: UnitResult, scheme_title: str, scheme_path: str, console: Console, public: bool = False,
           total_rule: TotalRule | None = None) -> None:
    """The explanation, in the auditor's voice, or the public's (`public`); with the total's
    formula, 原文 and 口径 where the scheme writes them."""
    scheme_file = Path(scheme_path).name
    parts = [Text(f"{unit.unit}（{unit.group}）  {scheme_title}", style="bold"),
             console.render_str(f"总分 {plain(unit.total)}    全体第 {unit.rank} 名 · {unit.group}内第 {unit.group_rank} 名",
                                markup=False, emoji=False),  # highlighted, as a printed str is
             Text(""), _tree(unit, console), Text("")]
    losses = _losses(unit, scheme_file, public, console)
    if losses:
        parts += [Text("失分说明", style="bold underline"), *losses]
    for section in unit.bonus_sections():
        parts.append(Text(f"加分：{section.path[-1]}  +{plain(section.score)} 分（最高 {plain(section.max)}）",
                          style="bold"))
        details = Details(scheme_file, public)
        details.add_texts(section)
        for item in section.items():
            details.add("指标", f"{item.path[-1]}：{plain(item.score)} / {plain(item.max)}")
            for line in item.lines:
                details.add_line(line)
        for own in section.sections():  # its own steps: deductions, a cap, a rounding, a rescaling
            for line in own.lines:
                if line.lost:
                    details.add_line(line)
        parts += [details.lines(console), Text("")]
    parts.append(Text("账目（失分按权重折算为总分）", style="bold underline"))
    if total_rule is not None and (total_rule.source or not public):
        details = Details(scheme_file, public)
        if not public:  # the public reads the 原文, not the notation
            details.add("计算", f"{total_rule.text}  [{scheme_file}:{total_rule.line}]")
        details.add_texts(total_rule)
        parts.append(details.lines(console))
    parts.append(_ledger(unit, console, public))
    if unit.requirements:
        parts += [Text(""), Text("要求（原文未定分值，不计分）", style="bold underline")]
        parts += [Text(f"  · {text}" + ("" if public else f"  [{scheme_file}:{line}]"))
                  for text, line in unit.requirements]
    print_lines(console, parts)


def rule(console: Console) -> None:
    """What separates one unit's explanation from the next."""
    console.print(Text("\n" + "═" * console.width + "\n"), soft_wrap=True)


def print_lines(console: Console, parts: list[Text | list[Text]]) -> None:
    """Everything in one print: a Text broken into lines for the console (render.wrap), a list
    (the lines of `columns`) as it is; the print neither wraps nor crops again."""
    lines: list[Text] = []
    for part in parts:
        lines.extend(wrap_text(part, console.width) if isinstance(part, Text) else part)
    console.print(Text("\n").join(lines), soft_wrap=True)
