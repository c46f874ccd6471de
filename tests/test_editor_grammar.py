"""The VS Code extension's TextMate grammar (editors/vscode/syntaxes/kpi.tmLanguage.json): written
from grammar/kpi.lark (editors/vscode/grammar.py), every regex compiles, and tokenised as an
editor does (the leftmost match of the rules in order, begin/end rules kept on a stack), each
bundled scheme in Chinese and in English gets the scope of every token the parser's lexer reads:
keywords by kind, numbers with their units, dates, strings, comments, names.

Python's `re` stands in for Oniguruma: the grammar uses only what both read alike (classes,
alternation, look-ahead). Where node and npm are present and the extension's packages are
installed (`npm ci` in editors/vscode), vscode-tmgrammar-test also runs over editors/vscode/tests/."""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kpidsl.fmt import format_scheme
from kpidsl.parser import _lark
from kpidsl.pipeline import bundled_schemes, read_scheme

ROOT = Path(__file__).resolve().parent.parent
VSCODE = ROOT / "editors" / "vscode"
GRAMMAR = json.loads((VSCODE / "syntaxes" / "kpi.tmLanguage.json").read_text(encoding="utf-8"))


def _generator():
    spec = importlib.util.spec_from_file_location("kpi_tm_grammar", VSCODE / "grammar.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _generator()


def test_the_grammar_file_is_written_from_the_parsers_grammar():
    written = (VSCODE / "syntaxes" / "kpi.tmLanguage.json").read_text(encoding="utf-8")
    assert written == GENERATOR.text(), "run: python editors/vscode/grammar.py"


def _rules(node: dict):
    """Every rule with a regex, through includes."""
    if "include" in node:
        yield from _rules(GRAMMAR["repository"][node["include"][1:]])
        return
    if "match" in node or "begin" in node:
        yield node
    for child in node.get("patterns", ()):
        yield from _rules(child)


def test_every_regex_compiles():
    for rule in GRAMMAR["repository"].values():
        for found in _rules(rule):
            for key in ("match", "begin", "end"):
                if key in found:
                    re.compile(found[key])


def tokenise(line: str, stack: list[dict]) -> list[tuple[int, int, str]]:
    """(start, end, scope) of a line's tokens as a TextMate engine reads them: at each place,
    the leftmost match among the rules (and the open rule's end, which wins a tie), in order."""
    out, pos = [], 0
    while pos <= len(line):
        rules = list(_rules({"patterns": stack[-1]["patterns"]})) if stack else \
            list(_rules({"patterns": GRAMMAR["patterns"]}))
        best = None
        candidates = ([("end", stack[-1])] if stack else []) + [("rule", r) for r in rules]
        for kind, rule in candidates:
            found = re.compile(rule["end"] if kind == "end" else rule.get("match") or rule["begin"]).search(line, pos)
            if found and (best is None or found.start() < best[2].start()):
                best = (kind, rule, found)
        if best is None:
            break
        kind, rule, found = best
        if kind == "end":
            if found.group():
                out.append((found.start(), found.end(), rule["endCaptures"]["0"]["name"]))
            stack.pop()
        elif "begin" in rule:
            out.append((found.start(1), found.end(1), rule["beginCaptures"]["1"]["name"]))
            stack.append(rule)
        else:
            out.append((found.start(), found.end(), rule["name"]))
        pos = found.end() if found.end() > pos else pos + 1
        if pos >= len(line) and not stack:
            break
    return out


EXPECTED = {"QUANTITY": ("constant.numeric.kpi",), "DATE": ("constant.numeric.date.kpi",),
            "STRING": ("string.quoted.double.kpi", "string.quoted.other.curly.kpi"),
            "COMMENT": ("comment.line.number-sign.kpi",), "NAME": ("variable.other.name.kpi",),
            # 计量's unit, or a word such as 分 standing alone (a name to the parser)
            "MEASURE_UNIT": ("support.type.unit.kpi", "variable.other.name.kpi")}


def schemes():
    for path in sorted(bundled_schemes().glob("*.kpi")):
        scheme, source = read_scheme(path)
        yield pytest.param(source, id=f"{path.stem}-zh")
        yield pytest.param(format_scheme(scheme, source, "en"), id=f"{path.stem}-en")


@pytest.mark.parametrize("text", list(schemes()))
def test_every_token_of_the_bundled_schemes_gets_its_scope(text):
    lines = text.split("\n")
    scopes, stack = {}, []
    for n, line in enumerate(lines):
        for start, end, scope in tokenise(line, stack):
            scopes[(n + 1, start + 1)] = (end - start, scope)
    checked = 0
    for token in _lark().lex(text, dont_ignore=True):
        expected = (GENERATOR.scope_of(token.type),) if "KW_" in token.type else EXPECTED.get(token.type)
        if expected is None:  # operators and punctuation: scoped, but as the theme likes
            continue
        where = f"line {token.line}, {token.value!r} ({token.type})"
        assert (token.line, token.column) in scopes, f"no token at {where}"
        length, scope = scopes[(token.line, token.column)]
        assert scope in expected and length == len(token.value), f"{where}: {scope}, {length} characters"
        checked += 1
    assert checked > 50


def test_vscode_tmgrammar_test():
    runner = VSCODE / "node_modules" / ".bin" / "vscode-tmgrammar-test"
    if not shutil.which("node") or not runner.exists():
        pytest.skip("node, or the extension's packages (npm ci in editors/vscode), not installed: "
                    "the Python check above stands in")
    done = subprocess.run([str(runner), "-g", "syntaxes/kpi.tmLanguage.json", "tests/*.kpi"], cwd=VSCODE,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_extension_ships_what_its_manifest_names():
    package = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    (language,) = package["contributes"]["languages"]
    (grammar,) = package["contributes"]["grammars"]
    assert language["extensions"] == [".kpi"] and grammar["language"] == language["id"]
    assert grammar["scopeName"] == GRAMMAR["scopeName"] and (VSCODE / grammar["path"]).is_file()
    configuration = json.loads((VSCODE / language["configuration"]).read_text(encoding="utf-8"))
    assert configuration["comments"]["lineComment"] == "#"
    assert package["contributes"]["configuration"]["properties"]["kpidsl.server.command"]["default"] == ["kpi", "lsp"]
    if shutil.which("node"):  # the client parses as JavaScript
        done = subprocess.run(["node", "--check", str(VSCODE / package["main"])], capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stderr


def test_every_keyword_has_a_meaning_in_both_languages_for_hover():
    from kpidsl.lsp.words import MEANINGS
    from kpidsl.parser import keyword_spellings

    assert set(MEANINGS) == set(keyword_spellings())
    assert all(zh and en and zh != en for zh, en in MEANINGS.values())
