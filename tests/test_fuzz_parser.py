"""Parser fuzzing: schemes generated from the grammar, and the bundled schemes mangled. Every
input gives a scheme or a user error with a position — never a traceback, never a hang."""
from __future__ import annotations

import re
import time

from hypothesis import given, settings, strategies as st
from hypothesis.extra.lark import from_lark
from lark import Lark

from kpidsl.checker import check
from kpidsl.errors import KpiError, SchemeCheckError, SchemeSyntaxError
from kpidsl.parser import grammar_text, keyword_spellings, parse
from kpidsl.pipeline import default_scheme

SOURCE = default_scheme().read_text(encoding="utf-8")
FAST = settings(max_examples=settings().max_examples)  # the profile's count (thorough: more)


def grammar_strategy() -> st.SearchStrategy[str]:
    """Programs from the grammar. Each terminal brings its own trailing space, since the
    generator does not insert the white space the grammar ignores."""
    lark = Lark(grammar_text(), parser="lalr")
    spaced = lambda strategy: strategy.map(lambda text: text + " ")  # noqa: E731
    names = st.sampled_from(["甲", "乙", "丙", "主功能区", "镇", "完成数", "a_b"])
    explicit = {
        "NAME": names,
        "QUANTITY": st.sampled_from(["0", "1", "20分", "0.25分", "70%", "10人", "１２分", "1.7万人"]),
        "STRING": st.sampled_from(['""', '"原文"', '"a\\"b"']),
        "COMMENT": st.just("# 注释\n"),  # a comment runs to the end of its line
    }
    for term in lark.terminals:
        bare = term.name.lstrip("_")
        if bare in keyword_spellings():
            explicit[term.name] = st.sampled_from(keyword_spellings()[bare])
        elif term.name not in explicit and not term.name.startswith("__"):
            explicit[term.name] = st.from_regex(term.pattern.to_regexp(), fullmatch=True) \
                if term.pattern.type == "re" else st.just(term.pattern.value)
    used = {t.name for t in lark.terminals}
    return from_lark(lark, explicit={k: spaced(v) for k, v in explicit.items() if k in used})


def parse_and_check(text: str) -> None:
    """Only user errors may escape, and syntax errors carry file:line:column."""
    start = time.perf_counter()
    try:
        scheme = parse(text, "fuzz.kpi")
        check(scheme, source=text)
    except SchemeSyntaxError as e:
        assert re.match(r"fuzz\.kpi:\d+(:\d+)?: E1\d\d ", e.render()), e.render()
    except SchemeCheckError as e:
        assert all(d.code.startswith(("E2", "W2")) for d in e.diagnostics)
    except KpiError:
        pass
    assert time.perf_counter() - start < 5, "parsing must not hang"


@FAST
@given(grammar_strategy())
def test_generated_programs_parse_or_fail_cleanly(text):
    parse_and_check(text)


TOKENS = re.findall(r"\S+|\s+", SOURCE)
NOISE = st.sampled_from(list("０１２３４５６７８９，：（）％；｛｝＝＞＜") +
                        ["\r", "\r\n", "\t", "\ufeff", "\u3000", "\x00", "é", "𝔘", "{", "}", '"', "#"])


@FAST
@given(st.data())
def test_mangled_bundled_scheme_parses_or_fails_cleanly(data):
    tokens = list(TOKENS)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(tokens) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "swap", "noise"]))
        if action == "delete":
            del tokens[i]
        elif action == "duplicate":
            tokens.insert(i, tokens[i])
        elif action == "swap":
            j = data.draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        else:
            tokens.insert(i, data.draw(NOISE))
    parse_and_check("".join(tokens))


@FAST
@given(st.integers(0, len(SOURCE)))
def test_truncated_bundled_scheme_parses_or_fails_cleanly(cut):
    parse_and_check(SOURCE[:cut])


@FAST
@given(st.text(max_size=200))
def test_arbitrary_text_parses_or_fails_cleanly(text):
    parse_and_check(text)


def test_bundled_scheme_with_other_line_endings_bom_and_tabs_is_the_same_scheme():
    from test_parser import without_positions

    expected = without_positions(parse(SOURCE))
    for variant in (SOURCE.replace("\n", "\r\n"), SOURCE.replace("\n", "\r"),
                    "\ufeff" + SOURCE, SOURCE.replace("  ", "\t")):
        assert without_positions(parse(variant)) == expected
