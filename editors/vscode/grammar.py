"""The TextMate grammar of .kpi (syntaxes/kpi.tmLanguage.json), written from the parser's own
grammar (grammar/kpi.lark): every keyword in both languages, numbers with the units the parser
knows, dates, strings in straight and curly quotes, comments. tests/test_editor_grammar.py holds
the file to this and tokenises the bundled schemes with it.

Run: python editors/vscode/grammar.py   (rewrites syntaxes/kpi.tmLanguage.json)
"""
from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
LARK = HERE.parent.parent / "grammar" / "kpi.lark"
OUT = HERE / "syntaxes" / "kpi.tmLanguage.json"

# terminal -> scope; any other keyword is a rule's word (keyword.control)
DECLARATIONS = {"SCHEME", "GROUPS", "DATA", "ROUNDING", "TOTAL", "CONST", "LET", "DEFAULT", "SECTION", "BONUS",
                "ITEM", "AWARD", "DEPARTMENT_AWARD", "EXAMPLE", "MEASURE", "KIND", "ALIAS", "SOURCE",
                "INTERPRETATION", "POINTS_NOTE", "REQUIREMENT"}
SCOPES = {"AND": "keyword.operator.logical.kpi", "OR": "keyword.operator.logical.kpi",
          "NOT": "keyword.operator.logical.kpi", "TRUE": "constant.language.boolean.kpi",
          "FALSE": "constant.language.boolean.kpi", "TARGET": "variable.language.kpi",
          "ACTUAL": "variable.language.kpi", "RATE": "variable.language.kpi"}
LETTER_AFTER = "(?![^\\W\\d])"  # as the parser: a keyword or unit ends where a letter would continue it


def scope_of(terminal: str) -> str:
    """The scope of a keyword terminal (KW_SECTION, _KW_SECTION)."""
    bare = terminal.lstrip("_").removeprefix("KW_")
    return SCOPES.get(bare, "storage.type.kpi" if bare in DECLARATIONS else "keyword.control.kpi")


def terminals(lark: str) -> dict[str, str]:
    """Terminal name -> its regular expression, as kpi.lark writes it."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^(_?[A-Z_]+)(?:\.\d+)?: /(.*)/$", lark, re.MULTILINE)}


def keyword_groups(lark: str) -> dict[str, list[str]]:
    """Scope -> the spellings of its keywords, longest first (加分板块 before 板块)."""
    groups: dict[str, list[str]] = {}
    for name, pattern in terminals(lark).items():
        if "KW_" in name:
            spellings = re.fullmatch(r"\((.*)\)\(\?!\[\^\\W\\d\]\)", pattern).group(1).split("|")
            groups.setdefault(scope_of(name), []).extend(spellings)
    return {scope: sorted(set(words), key=lambda w: (-len(w), w)) for scope, words in sorted(groups.items())}


def grammar() -> dict:
    lark = LARK.read_text(encoding="utf-8")
    found = terminals(lark)
    string = found["STRING"].replace("\\n", "")  # a line at a time: no string spans lines
    keywords = [{"name": scope, "match": f"({'|'.join(map(re.escape, words))}){LETTER_AFTER}"}
                for scope, words in keyword_groups(lark).items()]
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "kpi",
        "scopeName": "source.kpi",
        "fileTypes": ["kpi"],
        "patterns": [{"include": "#comment"}, {"include": "#string"}, {"include": "#measure"},
                     {"include": "#date"}, {"include": "#number"}, {"include": "#keyword"},
                     {"include": "#name"}, {"include": "#operator"}, {"include": "#punctuation"}],
        "repository": {
            "comment": {"name": "comment.line.number-sign.kpi", "match": "#.*$"},
            "string": {"patterns": [
                {"name": "string.quoted.double.kpi", "match": string.split("|“")[0]},
                {"name": "string.quoted.other.curly.kpi", "match": "“" + string.split("|“")[1]}]},
            # 计量 字段 万元: the unit a field is measured in
            "measure": {"begin": f"(计量|measure){LETTER_AFTER}", "beginCaptures": {"1": {"name": "storage.type.kpi"}},
                        "end": f"{found['MEASURE_UNIT']}|$",
                        "endCaptures": {"0": {"name": "support.type.unit.kpi"}},
                        "patterns": [{"include": "#comment"}, {"include": "#keyword"}, {"include": "#name"}]},
            "date": {"name": "constant.numeric.date.kpi", "match": found["DATE"]},
            "number": {"name": "constant.numeric.kpi", "match": found["QUANTITY"]},
            "keyword": {"patterns": keywords},
            "name": {"name": "variable.other.name.kpi", "match": found["NAME"]},
            "operator": {"name": "keyword.operator.kpi",
                         "match": "|".join([found["CMP"], found["EQUAL"], found["PLUS"], found["MINUS"],
                                            found["TIMES"], found["DIVIDE"]])},
            "punctuation": {"name": "punctuation.separator.kpi", "match": "[{}｛｝()（）.．:：,，、;；]"},
        },
    }


def text() -> str:
    return json.dumps(grammar(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    OUT.write_text(text(), encoding="utf-8")
    print(f"wrote {OUT}")
