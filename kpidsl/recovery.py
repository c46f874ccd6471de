"""Syntax errors, every one: a scheme's broken top-level statements (a section, an award, an
example …) are blanked out one at a time and the rest parsed again, so that one missing `}` costs
its own statement, not the report of every other error (kpi check) nor the outline, hover and
diagnostics of the file being typed (kpi lsp). Also the scheme's words, numbers and braces as an
editor needs them (tokens)."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

from . import ast
from .errors import Diagnostic, KpiError
from .parser import build, keyword_spellings

MAX_RECOVERIES = 10  # broken statements left out before giving up on the rest (each costs a parse, ~70 ms)

# Statements that begin at the left margin of a formatted scheme: where a broken one ends.
_TOP = ("KW_SCHEME", "KW_GROUPS", "KW_DATA", "KW_ROUNDING", "KW_TOTAL", "KW_CONST", "KW_LET", "KW_SECTION",
        "KW_BONUS", "KW_REQUIREMENT", "KW_VETO", "KW_DEFAULT", "KW_TIE", "KW_AWARD", "KW_DEPARTMENT_AWARD",
        "KW_EXAMPLE")

_TOKEN = re.compile(r'(?P<comment>#.*)|(?P<string>"(?:\\.|[^"\\])*"?|“(?:\\.|[^”\\])*”?)'
                    r'|(?P<number>\d[\d.．]*(?:[%％]|[^\W\d]+)?)|(?P<word>[^\W\d]\w*)'
                    r'|(?P<open>[{｛])|(?P<close>[}｝])|(?P<dot>[.．])')


@dataclass(frozen=True)
class Token:
    kind: str  # word, number, string, comment, open, close, dot
    text: str
    line: int  # 0-based, as the editor counts
    start: int  # column of the first character, 0-based
    end: int


def tokenize(text: str) -> list[Token]:
    """The words, numbers, strings, comments and braces of a scheme, line by line (no token
    spans lines), as far as an editor needs them: names and where they are."""
    found = []
    for n, line in enumerate(text.split("\n")):
        for m in _TOKEN.finditer(line):
            found.append(Token(m.lastgroup, m.group(), n, m.start(), m.end()))
    return found


def keywords() -> dict[str, str]:
    """Every keyword spelling -> its terminal."""
    return {spelling: term for term, spellings in keyword_spellings().items() for spelling in spellings}


def _top_lines(tokens: list[Token]) -> list[int]:
    """Lines where a top-level statement starts: a top-level keyword at the left margin."""
    top = {s for term in _TOP for s in keyword_spellings()[term]}
    return sorted({t.line for t in tokens if t.start == 0 and t.kind == "word" and t.text in top})


def _blank(text: str, first: int, last: int) -> str:
    """Lines first..last (0-based, inclusive) as spaces, so that every other position stays."""
    lines = text.split("\n")
    for n in range(first, min(last, len(lines) - 1) + 1):
        lines[n] = " " * len(lines[n])
    return "\n".join(lines)


def _blank_item(text: str, head: Token, closing: Token) -> str:
    """An item, from its keyword to its closing brace, as spaces: what shares its first or last
    line (a section's `}` after it) stays."""
    lines = text.split("\n")
    for n in range(head.line, closing.line + 1):
        start = head.start if n == head.line else 0
        end = closing.end if n == closing.line else len(lines[n])
        lines[n] = lines[n][:start] + " " * (end - start) + lines[n][end:]
    return "\n".join(lines)


def tolerant_parse(text: str, path: str, tokens: list[Token],
                   budget: float | None = None) -> tuple[ast.Scheme | None, list[Diagnostic], list[tuple[int, int]]]:
    """The scheme with its broken statements left out, each one's syntax error (each once), and
    the lines left out (0-based, inclusive). `budget`: seconds after which no further statement
    is left out (each try is a parse of the whole file)."""
    starts = _top_lines(tokens)
    lines = text.count("\n") + 1
    errors, blanked, work = [], [], text
    begun = time.monotonic()
    for _ in range(MAX_RECOVERIES):
        try:
            return build(work, path), errors, blanked
        except KpiError as e:
            error = e.diagnostics[0]
        if (error.code, error.line, error.column) not in {(d.code, d.line, d.column) for d in errors}:
            errors.append(error)  # (met again once a statement is left out: the same mistake, listed once)
        if error.code in ("E105", "E106") or not error.line or \
                (budget is not None and time.monotonic() - begun > budget):
            break
        at = error.line - 1
        item = _item_around(tokens, at, error.column - 1)
        span = (item[0].line, item[1].line) if item else None
        if item and span not in blanked:
            blanked.append(span)
            work = _blank_item(work, *item)
            continue
        if span is None:
            before = [s for s in starts if s <= at]
            k = len(before) - 1
            if k > 0 and before[-1] == at and error.column == 1:
                k -= 1  # the statement before never ended (a missing `}`): this one is where it shows
            if k < 0:
                span = (at, at)
            else:
                span = (starts[k], starts[k + 1] - 1 if k + 1 < len(starts) else lines - 1)
        if span in blanked:
            span = (at, at)
            if span in blanked:
                break
        blanked.append(span)
        work = _blank(work, *span)
    return None, errors, blanked


def brace_pairs(tokens: list[Token]) -> dict[int, int]:
    """Token index of each `{` -> that of its `}` (an unclosed one: the last token)."""
    pairs, stack = {}, []
    for i, t in enumerate(tokens):
        if t.kind == "open":
            stack.append(i)
        elif t.kind == "close" and stack:
            pairs[stack.pop()] = i
    for i in stack:
        pairs[i] = len(tokens) - 1
    return pairs


def _item_around(tokens: list[Token], line: int, column: int) -> tuple[Token, Token] | None:
    """The item whose body holds an error (its keyword and its closing brace), where the item's
    braces close: that item alone is left out, not its whole section."""
    item = set(keyword_spellings()["KW_ITEM"])
    pairs = brace_pairs(tokens)
    starts = [i for i, t in enumerate(tokens) if t.kind == "word" and t.text in item
              and (i == 0 or tokens[i - 1].line < t.line)]
    for i in reversed(starts):
        head = tokens[i]
        if (head.line, head.start) >= (line, column):
            continue
        opening = next((j for j in range(i, len(tokens)) if tokens[j].kind == "open"), None)
        if opening is None or tokens[opening].line > line:
            return None
        closing = pairs[opening]
        if tokens[closing].kind != "close" or tokens[closing].line < line:
            return None
        if any(tokens[j].text in item and tokens[j].kind == "word" for j in range(opening + 1, closing)):
            return None  # another item inside: a `}` is missing, and this one is not the whole story
        return head, tokens[closing]
    return None


def syntax_errors(text: str, path: str) -> list[Diagnostic]:
    """Every broken statement's syntax error (at most MAX_RECOVERIES), each as a parse of the
    file would give it, in the order of the file."""
    errors = tolerant_parse(text, path, tokenize(text), budget=3.0)[1]
    return sorted(errors, key=lambda d: (d.line or 0, d.column or 0))
