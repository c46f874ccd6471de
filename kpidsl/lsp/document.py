"""Language server, analysis: an open scheme's text read as `kpi check` reads it, tolerant of the
errors of a file being typed (kpidsl.recovery), and the names, places and scores the editor asks
about."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .. import ast
from ..errors import MESSAGES, Diagnostic, KpiError
from ..parser import detect_language, keyword_spellings
from ..recovery import Token, brace_pairs, keywords, tokenize, tolerant_parse


class CachedReader:
    """data.load, keeping what it read while the files and what the scheme asks of them stay the
    same: a keystroke in the scheme does not read the data again."""

    def __init__(self):
        self._kept: dict = {}
        self.latest = None  # the Dataset read last: its names, while the scheme does not parse
        self.last: tuple = ((), ())  # the files read last, and their sizes and times then

    def __call__(self, units, values, records, item_names, lang="zh", wide=(), sub_names=None, powers=None):
        from ..data import load

        files = [p for kind in (units, values, records, wide) for p, *_ in kind]
        key = (repr((units, values, records, wide, sorted(item_names.items()), lang,
                     sorted((sub_names or {}).items()), sorted((powers or {}).items()))), tuple(map(_stamp, files)))
        if key not in self._kept:
            self._kept = {key: load(units, values, records, item_names, lang, wide=wide, sub_names=sub_names,
                                    powers=powers)}
        data, problems = self._kept[key]
        self.latest, self.last = data, (files, key[1])
        # the checker marks the figures it refused: each run starts from the data as read
        return dataclasses.replace(data, refused=set(data.refused)), list(problems)


def _stamp(path: Path):
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


@dataclass
class Located:
    """A diagnostic where the editor shows it: 0-based line and columns."""
    diagnostic: Diagnostic
    line: int
    start: int
    end: int


class Analysis:
    """One version of an open scheme."""

    def __init__(self, text: str, path: Path, reader: CachedReader | None = None):
        self.text, self.path, self.reader = text, path, reader
        self.lang = detect_language(text)
        self.tokens = tokenize(text)
        self.scheme, self.syntax, self.blanked = tolerant_parse(text, str(path), self.tokens)
        self.read: tuple = ((), ())  # the data files read for this version, and their stamps then

    # -- names and places
    @cached_property
    def index(self):
        from ..index import SchemeIndex

        return SchemeIndex(self.scheme) if self.scheme else None

    @cached_property
    def braces(self) -> dict[int, int]:
        return brace_pairs(self.tokens)

    def token_at(self, line: int, column: int) -> Token | None:
        """The token under the cursor, or just before it (the end of a word being typed)."""
        return next((t for t in self.tokens if t.line == line and t.start <= column <= t.end
                     and t.kind in ("word", "number", "string")), None)

    def _index_of(self, token: Token) -> int:
        return self.tokens.index(token)

    def qualifier(self, token: Token) -> str | None:
        """X in `X.字段` where the token is the 字段 and X an item or section (in an example's
        `甲镇.指标.字段`, the unit does not qualify the item)."""
        i = self._index_of(token)
        if i >= 2 and self.tokens[i - 1].kind == "dot" and self.tokens[i - 2].kind == "word":
            name = self.tokens[i - 2].text
            if self.index is None or name in self.index.nodes or name in self.index.awards:
                return name
        return None

    def definition_token(self, pos: ast.Pos, name: str) -> Token | None:
        """The name as written where a node, measure or constant is defined (its pos)."""
        return next((t for t in self.tokens if t.line == pos.line - 1 and t.start >= pos.column - 1
                     and t.kind == "word" and t.text == name), None)

    def span(self, pos: ast.Pos) -> tuple[int, int]:
        """The lines (0-based) of the statement starting at pos: to its closing brace, if it has one."""
        start = next((i for i, t in enumerate(self.tokens) if (t.line, t.start) >= (pos.line - 1, pos.column - 1)), None)
        if start is None:
            return pos.line - 1, pos.line - 1
        for i in range(start, len(self.tokens)):
            t = self.tokens[i]
            if t.kind == "open":
                return pos.line - 1, self.tokens[self.braces[i]].line
            if i > start and t.line > pos.line - 1 and t.start == 0:
                break
        return pos.line - 1, pos.line - 1

    @cached_property
    def nodes(self) -> list[tuple[str, int, int]]:
        """(name, first line, last line) of every section and item, outermost first."""
        if not self.index:
            return []
        return [(name, *self.span(info.node.pos)) for name, info in self.index.nodes.items()]

    def node_at(self, line: int) -> str | None:
        """The innermost section or item around a line."""
        around = [(last - first, name) for name, first, last in self.nodes if first <= line <= last]
        return min(around)[1] if around else None

    def named(self, name: str) -> bool:
        """Whether an item, section, measure or constant has this name."""
        index = self.index
        return bool(index) and (name in index.nodes or name in index.lets or name in index.consts or
                                any(let.name == name for info in index.nodes.values() for let in info.node.lets))

    def references(self, name: str) -> list[Token]:
        """Every place the name is written as a name (not in text or comments)."""
        return [t for t in self.tokens if t.kind == "word" and t.text == name]

    def meaning(self, token: Token) -> tuple:
        """What a word names: ("node", info) | ("let", let) | ("const", const) | ("group", name)
        | ("unit", name) | ("keyword", terminal) | ("field", node, field, terminal) | ("unknown",)."""
        word, index = token.text, self.index
        qualifier = self.qualifier(token)
        if index and qualifier is None:
            if word in index.nodes:
                return ("node", index.nodes[word])
            if word in index.lets:
                return ("let", index.lets[word])
            if word in index.consts:
                return ("const", index.consts[word])
            for info in index.nodes.values():
                let = next((l for l in info.node.lets if l.name == word), None)
                if let is not None:
                    return ("let", let)
        term = keywords().get(word)
        builtin = {"KW_TARGET": ast.TARGET, "KW_ACTUAL": ast.ACTUAL, "KW_RATE": ast.RATE}.get(term)
        if term and not builtin:
            return ("keyword", term)
        if self.scheme and qualifier is None and word in self.scheme.groups:
            return ("group", word)
        if any(t.line == token.line and t.start < token.start and t.text in keyword_spellings()["KW_FOR"]
               for t in self.tokens):  # 要求 适用 长江镇: a unit
            return ("unit", word)
        node = qualifier or self.node_at(token.line)
        if index and node:
            return ("field", node, builtin or word, term)
        return ("keyword", term) if term else ("unknown",)

    # -- diagnostics
    @cached_property
    def checked(self) -> list[Diagnostic]:
        """The scheme's own checks (`kpi check --no-data`), besides its syntax errors."""
        if self.scheme is None:
            return []
        from ..checker import check

        try:
            found = check(self.scheme, None, self.text, self.index)
        except KpiError as e:
            found = e.diagnostics
        if not self.blanked:
            return found
        # a name defined in a statement left out is not unknown, the weights of the total are not
        # short, nor the points of a section whose item is left out: the statement left out has the error
        gone = {t.text for first, last in self.blanked for t in self.tokens
                if first <= t.line <= last and t.kind == "word"}
        emptied = {name for name, first, last in self.nodes
                   if any(first <= start and end <= last for start, end in self.blanked)}
        return [d for d in found if d.code != "E203" and not (d.code == "E201" and any(name in d.message for name in gone))
                and not (d.code == "E202" and self.node_at(d.line - 1) in emptied)]

    @cached_property
    def loaded(self):
        """The scheme with its data (pipeline.Loaded), or the data's problems, as `kpi check` finds
        them; None where the scheme itself has errors (kpi check stops there too)."""
        if self.scheme is None or self.syntax or any(not d.is_warning for d in self.checked):
            return None
        from ..pipeline import load_parsed

        try:
            loaded = load_parsed(self.scheme, self.text, self.path, read=self.reader)
            loaded.evaluation  # noqa: B018  (surfaces every missing or malformed value)
        except KpiError as e:
            return e.diagnostics
        finally:
            self.read = self.reader.last if self.reader else ((), ())
        return loaded

    def stale(self) -> bool:
        """Whether a data file this version read has changed since (saved from Excel beside it)."""
        files, stamps = self.read
        return "loaded" in self.__dict__ and tuple(map(_stamp, files)) != stamps

    @property
    def dataset(self):
        """The data as read for this version, or as read last where this one cannot be."""
        loaded = self.loaded
        if loaded is not None and not isinstance(loaded, list):
            return loaded.data
        return self.reader.latest if self.reader else None

    @property
    def evaluation(self):
        loaded = self.loaded
        return None if loaded is None or isinstance(loaded, list) else loaded.evaluation

    def diagnostics(self, with_data: bool) -> list[Located]:
        found = list(self.syntax) + list(self.checked)
        if with_data:
            loaded = self.loaded
            data = loaded if isinstance(loaded, list) else (loaded.warnings if loaded else [])
            found += [d for d in data if d not in found]
        return self._locate(found)

    def _locate(self, found: list[Diagnostic]) -> list[Located]:
        located, missing = [], {}
        data_line = next((t.line for t in self.tokens if t.start == 0 and t.text in keyword_spellings()["KW_DATA"]), 0)
        for d in found:
            if d.line and (d.file is None or d.file == str(self.path)):
                line, column = d.line - 1, (d.column or 1) - 1
                token = next((t for t in self.tokens if t.line == line and t.start == column), None)
                located.append(Located(d, line, column, token.end if token else column + 1))
                continue
            fields = _missing(d, self.lang)
            if fields:
                missing.setdefault((fields["item"], fields["field"]), []).append(d)
                continue
            located.append(Located(d, data_line, 0, len(self.text.split("\n")[data_line])))
        for (item, field), ds in missing.items():  # E305 for every unit: once, where the field is read
            first = ds[0]
            if len(ds) > 1:
                more = f"（共 {len(ds)} 个单位）" if self.lang == "zh" else f" ({len(ds)} units)"
                first = dataclasses.replace(first, message=first.message + more)
            places = self._field_places(item, field) or [Token("word", "", data_line, 0, 0)]
            located += [Located(first, t.line, t.start, t.end) for t in places]
        return located

    def _field_places(self, item: str, field: str) -> list[Token]:
        builtin = {ast.TARGET: "KW_TARGET", ast.ACTUAL: "KW_ACTUAL", ast.RATE: "KW_RATE"}.get(field)
        spellings = set(keyword_spellings()[builtin]) if builtin else {field}
        inside = next(((first, last) for name, first, last in self.nodes if name == item), None)
        places = []
        for t in self.tokens:
            if t.kind != "word" or t.text not in spellings:
                continue
            qualifier = self.qualifier(t)
            if qualifier == item or (qualifier is None and inside and inside[0] <= t.line <= inside[1]
                                     and self.node_at(t.line) == item):
                places.append(t)
        if not places and inside:
            places = [t for t in self.tokens if t.line == inside[0] and t.text == item][:1]
        return places


def _missing(d: Diagnostic, lang: str) -> dict | None:
    """The unit, item and field of an E305 (a value missing), read back from its message."""
    if d.code != "E305":
        return None
    template = MESSAGES["E305"][0 if lang == "zh" else 1]
    pattern = re.sub(r"\\\{(\w+)\\\}", lambda m: f"(?P<{m.group(1)}>.*?)", re.escape(template)) + "$"
    found = re.match(pattern, d.message, re.DOTALL)
    return found.groupdict() if found else None
