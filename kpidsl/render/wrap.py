"""Line breaking for the terminal, as Chinese text is broken: between characters, at spaces and
after punctuation, but never inside a number, a percentage, a weight (`（×60%）`), an amount
(`2400元`) or a ranking entry (`3. 石庄镇`); never before closing punctuation, never after
opening punctuation; a space beside a number (`扣 2.36 分`, `20 × 88.20%`) only where a line has
no other place to break. Lines carry no trailing spaces. Every terminal renderer breaks its text
here: explanations and money, the ranking, awards, gap, diff and what-if tables.

A piece longer than the line (a name, a number wider than its column) is cut where it must be."""
from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

from rich.cells import cell_len
from rich.text import Text

CLOSING = frozenset("，。、；：！？）」』》】〕〉”’%‰,.;:!?)]}")
OPENING = frozenset("（「『《【〔〈“‘([{")
_BINDS = OPENING | {"→"}  # never the last thing on a line: `1 → 2` breaks before the arrow
NAMES_WHOLE = 100  # from this terminal width up, a column of unit names is never wrapped
NARROWEST = 8  # a column of a table that gives up width keeps this many

_NUMBER_END = frozenset("0123456789%‰…")
_RANK_ENTRY = re.compile(r"\d+\. [^\s，,；;。、]{1,20}")  # `3. 石庄镇` in a list of standings
BEST, GOOD, LAST = 0, 1, 2  # a break: after a character of `at`; anywhere else allowed; only where
# the line has no other (a space beside a number)


def narrow(widths: list[int], columns: list[int], excess: int) -> None:
    """Take `excess` columns of width from these columns, the widest first, none below
    NARROWEST: what a table too wide for the terminal gives up, and where its cells wrap."""
    for _ in range(excess):
        k = max(columns, key=lambda k: widths[k], default=None)
        if k is None or widths[k] <= NARROWEST:
            return
        widths[k] -= 1


def wrap(text: str, width: int, at: str = "", even: bool = False) -> list[str]:
    """The text as lines of at most `width` columns (a line break in it is kept). Where a line
    must break it breaks after the last character of `at` on it, if any (`；` between the
    entries of a list); `even`: over lines of about equal length (a header: 社会保/险工作, not
    社会保险工/作)."""
    return [text[start:end] for start, end in spans(text, width, at, even)]


def wrap_text(text: Text, width: int) -> list[Text]:
    """As `wrap`, keeping the text's styles."""
    return [text[start:end] for start, end in spans(text.plain, width)]


def spans(text: str, width: int, at: str = "", even: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each line of `wrap`."""
    out: list[tuple[int, int]] = []
    offset = 0
    for paragraph in text.split("\n"):
        found = _spans(paragraph, max(1, width), at)
        if even and len(found) > 1:
            size = cell_len(paragraph)
            for narrower in range(-(-size // len(found)), width):
                tried = _spans(paragraph, narrower, at)
                if len(tried) <= len(found):
                    found = tried
                    break
        out += [(offset + start, offset + end) for start, end in found]
        offset += len(paragraph) + 1
    return out


def _spans(text: str, width: int, at: str) -> list[tuple[int, int]]:
    end = len(text.rstrip())
    if cell_len(text) <= width:
        return [(0, end)]
    columns = [0, *accumulate(map(cell_len, text))]  # columns[i]: the width of text[:i]
    breaks = _breaks(text, at)
    reach = [columns[b[0]] for b in breaks]  # ascending, as the breaks are
    lines, start, first = [], 0, 0
    while columns[end] - columns[start] > width:
        while first < len(breaks) and breaks[first][0] <= start:
            first += 1
        fits = breaks[first:bisect_right(reach, columns[start] + width)]
        if fits:
            stop, start_next = _best(fits, columns[start] + width * 2 // 3, columns)
        else:  # nothing to break at on this line: cut where it fills
            stop = bisect_right(columns, columns[start] + width) - 1
            stop = max(stop, start + 1)
            if stop - start > 1 and text[stop] in CLOSING:
                stop -= 1
            start_next = stop
            while start_next < end and text[start_next].isspace():
                start_next += 1
            while stop > start + 1 and text[stop - 1].isspace():
                stop -= 1
        lines.append((start, stop))
        start = start_next
    return lines + [(start, end)]


def _best(fits: list[tuple[int, int, int]], full: int, columns: list[int]) -> tuple[int, int]:
    """Of the breaks that fit on a line, the last after a character of `at`; else the last GOOD
    one, unless it leaves the line less than two thirds full (column `full`) and a LAST one is
    further on."""
    last = {kind: (stop, start) for stop, start, kind in fits}  # in order: the last of each kind
    if BEST in last:
        return last[BEST]
    good, fallback = last.get(GOOD), last.get(LAST)
    if good is None or (fallback is not None and columns[good[0]] < full and fallback[0] > good[0]):
        return fallback
    return good


def _breaks(text: str, at: str) -> list[tuple[int, int, int]]:
    """Every place a line may break, in order: (where the line ends, where the next begins, how
    good: after a character of `at` best, then GOOD, then LAST)."""
    inside, entries = set(), set()
    for entry in _RANK_ENTRY.finditer(text):
        inside.update(range(entry.start() + 1, entry.end()))
        entries.add(entry.start())
    found = []
    i, n = 1, len(text)
    while i < n:
        before, here = text[i - 1], text[i]
        if here.isspace():  # a break at a run of spaces drops them
            j = i
            while j < n and text[j].isspace():
                j += 1
            if j < n and not before.isspace() and i not in inside and _allowed(before, text[j]):
                beside_number = j not in entries and (before in _NUMBER_END or text[j].isdigit() or
                                                      (text[j] in "+-−×" and j + 1 < n and text[j + 1].isdigit()))
                found.append((i, j, BEST if before in at else LAST if beside_number else GOOD))
            i = j + 1
            continue
        if i not in inside and not before.isspace() and _allowed(before, here) and \
                (_wide(before) or _wide(here)) and not (before in _NUMBER_END and _wide(here)):
            found.append((i, i, BEST if before in at else GOOD))
        i += 1
    return found


def _allowed(before: str, after: str) -> bool:
    return after not in CLOSING and before not in _BINDS


def _wide(char: str) -> bool:
    """Chinese (a character two columns wide), broken on either side; the letters, digits and
    signs of a word or number are broken only at spaces."""
    return cell_len(char) > 1
