"""Parsed schemes, kept in the user's cache folder between runs.

A scheme parsed before is read back (a few ms) without importing lark or building its lexer's
scanners (kpidsl.parser), which costs more than everything else `kpi explain` does on a small
scheme. The cache holds only ASTs kpidsl.parser built (as lark's own cache holds its tables).
"""
from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from . import ast

MAX_SCHEME_BYTES = 1_000_000
KEPT_PARSES = 64  # parsed schemes kept in the cache folder, the most recently written


@lru_cache(maxsize=1)
def grammar_text() -> str:
    return files("kpidsl.grammar").joinpath("kpi.lark").read_text(encoding="utf-8")


def cache_folder() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kpidsl"


@lru_cache(maxsize=1)
def _builder_digest() -> bytes:
    """The grammar and the code that builds the AST: a change to either parses afresh."""
    digest = hashlib.sha256()
    for part in (grammar_text(), *(Path(__file__).with_name(name).read_text(encoding="utf-8")
                                   for name in ("parser.py", "units.py")),
                 Path(ast.__file__).read_text(encoding="utf-8")):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.digest()


def _parsed_path(text: str, path: str) -> Path:
    """Where the AST of this text is kept: keyed by the text, its path (positions cite it) and
    what builds it."""
    digest = hashlib.sha256(_builder_digest())
    for part in (text, path):
        digest.update(part.encode("utf-8") + b"\0")
    return cache_folder() / "parsed" / f"{digest.hexdigest()[:32]}.pickle"


def parse(text: str, path: str = "<scheme>") -> ast.Scheme:
    """Parse scheme text; raises SchemeSyntaxError (a KpiError) on any malformed input."""
    kept = _parsed_path(text, path)
    try:
        return pickle.loads(kept.read_bytes())
    except Exception:  # absent, unreadable or stale: parse afresh
        pass
    from .errors import SchemeSyntaxError
    from .parser import build

    try:
        scheme = build(text, path)
    except SchemeSyntaxError as e:  # every broken statement's error, not only the first
        from .recovery import syntax_errors

        found = syntax_errors(text, path)  # (a file too large or too deep: that one error)
        raise SchemeSyntaxError(found if len(found) > 1 else e.diagnostics) from None
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        partial = kept.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(scheme, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, kept)  # whole or not at all, whoever else is writing it
        for old in sorted(kept.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime)[:-KEPT_PARSES]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
    return scheme
