"""The stages put together: read a scheme and its data, check, evaluate.

Data files named in a scheme resolve relative to the scheme's folder and may not leave it;
files the user names on the command line are taken as given.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from . import ast
from .ast import ACTUAL, TARGET
from .checker import check
from .data import Dataset, load
from .errors import DataError, Diagnostic, KpiError, diagnostic
from .evaluator import evaluate
from .index import SchemeIndex
from .parser import MAX_SCHEME_BYTES, parse
from .result import Results

DEFAULT_SCHEME = "rugao-2021.kpi"


def bundled_schemes() -> Path:
    """The folder of schemes shipped inside the package."""
    return Path(str(files("kpidsl.schemes")))


def default_scheme() -> Path:
    return bundled_schemes() / DEFAULT_SCHEME


@dataclass
class Loaded:
    scheme: ast.Scheme
    source: str
    index: SchemeIndex
    data: Dataset | None
    warnings: list[Diagnostic]

    def evaluate(self, progress=None) -> Results:
        return evaluate(self.scheme, self.data, self.index, progress)

    def pay(self, results: Results):
        """The scheme's awards on these results (kpidsl.awards.Awards), or None if it has none."""
        if not self.scheme.awards and not self.scheme.department_awards:
            return None
        from .awards import pay

        return pay(self.scheme, self.data, self.index, results)


def read_scheme(path: Path) -> tuple[ast.Scheme, str]:
    try:
        raw = path.read_bytes()[: MAX_SCHEME_BYTES + 1]
    except OSError as e:
        raise KpiError([diagnostic("E301", "zh", path=str(path), reason=e.strerror)]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise KpiError([diagnostic("E104", "zh", file=str(path),
                                   what=f"不是 UTF-8 编码（第 {e.start} 字节）/ not UTF-8")]) from None
    return parse(text, str(path)), text


def _inside(scheme: ast.Scheme, folder: Path, name: str, allow_outside: bool) -> tuple[Path, str]:
    """A data file the scheme names: inside the scheme's folder, after following links."""
    path = (folder / name).resolve()
    if not allow_outside and (Path(name).is_absolute() or not path.is_relative_to(folder.resolve())):
        raise DataError([diagnostic("E310", scheme.language, path=name)])
    return path, name


def load_all(scheme_path: Path | None = None, *, units: list[str] | None = None,
             values: list[str] | None = None, records: list[str] | None = None,
             targets: list[str] | None = None, actuals: list[str] | None = None,
             with_data: bool = True, check_data: bool = True, allow_outside: bool = False) -> Loaded:
    """Parse, check and load data.

    Command-line files replace the scheme's: units and records kind by kind; values, targets
    and actuals (wide tables) together, since they are one set of figures. A scheme may only
    name data inside its own folder, unless `allow_outside`.
    """
    path = Path(scheme_path) if scheme_path else default_scheme()
    scheme, source = read_scheme(path)
    index = SchemeIndex(scheme)
    if not with_data:
        return Loaded(scheme, source, index, None, check(scheme, None, source, index))
    folder = path.parent

    def declared(names: tuple[str, ...]):
        return [_inside(scheme, folder, name, allow_outside) for name in names]

    def given(names: list[str] | None):
        return [(Path(n), n) for n in names or ()]

    figures_given = bool(values or targets or actuals)
    if figures_given:
        long, wide = given(values), [(p, d, TARGET) for p, d in given(targets)] + \
            [(p, d, ACTUAL) for p, d in given(actuals)]
    else:
        long, wide = declared(scheme.data.values), [(p, d, TARGET) for p, d in declared(scheme.data.targets)] + \
            [(p, d, ACTUAL) for p, d in declared(scheme.data.actuals)]
    data = load(given(units) or declared(scheme.data.units), long,
                given(records) or declared(scheme.data.records), index.data_names(), scheme.language,
                wide=wide, sub_names=index.sub_names())
    warnings = check(scheme, data if check_data else None, source, index)
    return Loaded(scheme, source, index, data, warnings)
