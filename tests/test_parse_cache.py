"""Parsed schemes are kept in the cache folder: read back equal, re-parsed when stale or damaged."""
from pathlib import Path

import pytest

from kpidsl import parsed, parser
from kpidsl.pipeline import default_scheme


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "kpidsl" / "parsed"


def test_a_scheme_is_read_back_as_parsed(cache):
    text = default_scheme().read_text(encoding="utf-8")
    first = parsed.parse(text, "a.kpi")
    assert len(list(cache.glob("*.pickle"))) == 1
    assert parsed.parse(text, "a.kpi") == first
    assert parser.build(text, "a.kpi") == first  # what a fresh parse gives


def test_a_damaged_entry_is_parsed_afresh(cache):
    text = default_scheme().read_text(encoding="utf-8")
    first = parsed.parse(text, "a.kpi")
    (entry,) = cache.glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    assert parsed.parse(text, "a.kpi") == first


def test_the_path_and_the_text_are_part_of_the_key(cache):
    text = default_scheme().read_text(encoding="utf-8")
    assert parsed.parse(text, "a.kpi").path == "a.kpi"
    assert parsed.parse(text, "b.kpi").path == "b.kpi"
    changed = text.replace("指标 即征即保 5分", "指标 即征即保 5分 ", 1)
    parsed.parse(changed, "a.kpi")
    assert len(list(cache.glob("*.pickle"))) == 3


def test_only_the_latest_entries_are_kept(cache, monkeypatch):
    monkeypatch.setattr(parsed, "KEPT_PARSES", 2)
    for n in range(4):
        parsed.parse(f'方案 "示例{n}"\n', "a.kpi")
    assert len(list(cache.glob("*.pickle"))) == 2


def test_a_syntax_error_is_not_kept(cache):
    with pytest.raises(parser.SchemeSyntaxError):
        parsed.parse("方案 {", "a.kpi")
    assert not list(cache.glob("*.pickle"))
