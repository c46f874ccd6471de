"""Diagnostics: every user-facing error and warning, with a stable code and both languages.

Codes: E1xx syntax, E2xx scheme checks, E3xx data and evaluation, E4xx writing outputs, W2xx
warnings.
One root class (KpiError) carries a list of diagnostics, so a stage can collect all it finds
and raise once.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# code -> (Chinese, English). Templates use str.format fields.
MESSAGES: dict[str, tuple[str, str]] = {
    "E101": ("无法识别的字符 {char!r}", "unrecognised character {char!r}"),
    "E102": ("此处不应出现 {found}；应为：{expected}", "unexpected {found}; expected: {expected}"),
    "E107": ("未知的单位 {unit}；可用的单位：{known}", "unknown unit {unit}; the units known: {known}"),
    "E103": ("文件意外结束；应为：{expected}", "unexpected end of file; expected: {expected}"),
    "E104": ("{what}", "{what}"),
    "E105": ("方案文件过大（{size} 字节，上限 {limit}）", "scheme file too large ({size} bytes, limit {limit})"),
    "E106": ("嵌套过深（上限 {limit} 层）", "nesting too deep (limit {limit} levels)"),
    "E201": ("未知名称 {name}{hint}", "unknown name {name}{hint}"),
    "E202": ("{kind} {name} 声明 {declared}，其下各项合计 {parts}；请改正分值，或用 分值说明 写明如何处理",
             "{kind} {name} declares {declared} but its parts add up to {parts}; fix the points or "
             "state how it is resolved with points_note"),
    "E203": ("{what}", "{what}"),
    "E204": ("名称 {name} 重复（第 {first} 行已定义）", "duplicate name {name} (first defined on line {first})"),
    "E205": ("循环引用：{cycle}", "circular reference: {cycle}"),
    "E206": ("未知分组 {name}{hint}", "unknown group {name}{hint}"),
    "E207": ("{what}", "{what}"),
    "E301": ("无法读取文件 {path}：{reason}", "cannot read file {path}: {reason}"),
    "E302": ("{path} 缺少列 {wanted}（表头为 {header}）", "{path} lacks column {wanted} (header is {header})"),
    "E303": ("{place}：未知单位 {unit}{hint}", "{place}: unknown unit {unit}{hint}"),
    "E304": ("{place}：{unit} / {item} / {field} 重复（{first} 已有）",
             "{place}: {unit} / {item} / {field} repeated (first at {first})"),
    "E305": ("缺少数据：{unit} / {item} / {field}（应在数值文件 {files} 中）{hint}",
             "missing value: {unit} / {item} / {field} (expected in values file {files}){hint}"),
    "E306": ("{place}：{unit} / {item} / {field} 的值 {value!r} 不是{expected}",
             "{place}: {unit} / {item} / {field} value {value!r} is not {expected}"),
    "E307": ("{unit} / {item}：{what} 为 0，方案未规定此时如何计分（可用 若 … 则 … 否则 写明）",
             "{unit} / {item}: {what} is 0 and the scheme does not say how that scores "
             "(state it with if … then … else)"),
    "E308": ("找不到单位 {name}{hint}", "no unit named {name}{hint}"),
    "E309": ("单位名 {name} 不唯一，可能是：{candidates}", "unit name {name} is ambiguous: {candidates}"),
    "E310": ("数据文件 {path} 不在方案所在目录之内", "data file {path} is outside the scheme's folder"),
    "E311": ("{unit} / {item}：{what}", "{unit} / {item}: {what}"),
    "E312": ("{place}：{what}", "{place}: {what}"),
    "E313": ("{place}：{unit} / {item} / {field} 为空；缺失的数据不按 0 计，请填写",
             "{place}: {unit} / {item} / {field} is empty; missing data is never scored as 0"),
    "E314": ("{place}：{what}", "{place}: {what}"),
    "E315": ("{what}", "{what}"),
    "E401": ("无法写入 {path}：{reason}", "cannot write {path}: {reason}"),
    "W201": ("{name}：每 {step} 扣分，未写明不足一档如何计（默认 按比例计）",
             "{name}: deduction per {step} does not say how a partial step counts (default prorate)"),
    "W202": ("{kind} {name} 声明 {declared}，其下各项合计 {parts}；分值说明：{note}",
             "{kind} {name} declares {declared}, its parts add up to {parts}; points_note: {note}"),
    "W204": ("{name} 的分值 {points} 未写单位，按 {points}分 计", "{name}: points {points} without 分, taken as {points}分"),
    "W205": ("要求适用的 {name} 不是分组，也不是数据中的单位{hint}：此要求不列入任何单位的说明",
             "the requirement's {name} is no group and no unit in the data{hint}: it is listed for no unit"),
    "W206": ("{name}：分档 {what}", "{name}: tiers: {what}"),
    "W207": ("{name}：评定档位 {what}", "{name}: assessed bands: {what}"),
    "W208": ("{name}：满分 {points}，但其规则最多得 {most}分，{lost}分无论数据如何都得不到",
             "{name}: full points {points}, but its rule gives at most {most}分: {lost}分 no data can reach"),
    "W203": ("{name}：{group} 共 {count} 个单位，第 {ranks} 名按递减将低于 0 分，按 0 分计",
             "{name}: {group} has {count} units; rank(s) {ranks} would fall below 0 and score 0"),
}


def display_width(text: str) -> int:
    """Terminal columns: CJK characters are two wide, so carets must be padded by width."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def printable(text: str) -> str:
    """Control characters (ESC, NUL, …) from a file shown escaped, never sent to the terminal;
    so are invisible ones (a zero-width space, a BOM, a soft hyphen pasted into a name), so that
    "未知单位 丁堰\\u200b镇，是否指：丁堰镇" does not read as two same names."""
    def shown(c: str) -> str:
        if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Zl", "Zp", "Cf"):
            return c
        return f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}"
    return "".join(map(shown, text))


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    source_line: str | None = None

    @property
    def is_warning(self) -> bool:
        return self.code.startswith("W")

    def render(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += f":{self.line}"
                if self.column:
                    where += f":{self.column}"
            where += ": "
        text = f"{where}{self.code} {printable(self.message)}"
        if self.source_line is not None and self.line:
            gutter = f"{self.line:>4} | "
            text += f"\n{gutter}{printable(self.source_line)}"
            if self.column:
                pad = display_width(printable(self.source_line[: self.column - 1]))
                text += "\n" + " " * (len(gutter) - 2) + "| " + " " * pad + "^"
        return text


def diagnostic(code: str, lang: str, *, file: str | None = None, line: int | None = None,
               column: int | None = None, source: str | None = None, **fields) -> Diagnostic:
    """Build a diagnostic in the scheme's language; `source` is the scheme text for the caret."""
    zh, en = MESSAGES[code]
    message = (zh if lang == "zh" else en).format(**fields)
    source_line = None
    if source is not None and line:
        lines = source.splitlines()
        if 0 < line <= len(lines):
            # one column per tab, as the parser counts them, so the caret stays aligned
            source_line = lines[line - 1].replace("\t", " ")
    return Diagnostic(code, message, file, line, column, source_line)


def did_you_mean(name: str, candidates, lang: str) -> str:
    return said_close(close_matches(name, candidates), lang)


def close_matches(name: str, candidates) -> list[str]:
    """The candidates (at most three) a mistyped name is nearest."""
    import difflib

    return difflib.get_close_matches(name, sorted(candidates), n=3, cutoff=0.5)


def said_close(close: list[str], lang: str) -> str:
    return ("，是否指：" if lang == "zh" else "; did you mean: ") + "、".join(close) if close else ""


class KpiError(Exception):
    """A user error: bad scheme, bad data or bad request. Never a bug in kpidsl."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__(self.render())

    def render(self, limit: int = 20) -> str:
        shown = [d.render() for d in self.diagnostics[:limit]]
        rest = len(self.diagnostics) - limit
        if rest > 0:
            shown.append(f"… 以及另外 {rest} 条 / and {rest} more")
        return "\n".join(shown)


class SchemeSyntaxError(KpiError):
    pass


class SchemeCheckError(KpiError):
    pass


class DataError(KpiError):
    pass
