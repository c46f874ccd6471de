"""The stages put together: read a scheme and its data, check, evaluate.

Data files named in a scheme resolve relative to the scheme's folder and may not leave it;
files the user names on the command line are taken as given.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
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
    files = _data_files(scheme, path, units, values, records, targets, actuals, allow_outside)
    data = load(files.units, files.values, files.records, index.data_names(), scheme.language,
                wide=files.wide, sub_names=index.sub_names())
    warnings = check(scheme, data if check_data else None, source, index)
    return Loaded(scheme, source, index, data, warnings)


@dataclass
class DataPaths:
    """The data files to read, each as (path, the name to show)."""
    units: list
    values: list  # long layout
    wide: list  # (path, name, the field its values fill)
    records: list
    scheme: Path | None = None


MANY_UNITS = 1_000  # from here on, `kpi explain` scores the other units by the fast path


def many_units(scheme_path: Path | None = None, *, units=None, values=None, records=None, targets=None,
               actuals=None, allow_outside: bool = False) -> DataPaths | None:
    """The data files, if their units file lists at least MANY_UNITS units (counted by lines)."""
    path = Path(scheme_path) if scheme_path else default_scheme()
    scheme, _ = read_scheme(path)
    files = _data_files(scheme, path, units, values, records, targets, actuals, allow_outside)
    lines = 0
    for unit_file, _ in files.units:
        try:
            with unit_file.open("rb") as f:
                lines += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
        except OSError:
            return None  # the exact path says what is wrong
    return replace(files, scheme=path) if lines > MANY_UNITS else None


def _data_files(scheme: ast.Scheme, path: Path, units, values, records, targets, actuals,
                allow_outside: bool) -> DataPaths:
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
    return DataPaths(given(units) or declared(scheme.data.units), long, wide,
                     given(records) or declared(scheme.data.records))


def score_table(scheme_path: Path | None = None, *, units=None, values=None, records=None,
                targets=None, actuals=None, allow_outside: bool = False, fast: bool = True):
    """Every unit's scores and amounts as a ScoreTable, by the vectorised path where it applies,
    else by the exact evaluator. Returns (table, language, warnings, why the exact path was
    taken or None)."""
    from .render.scores_csv import from_results

    path = Path(scheme_path) if scheme_path else default_scheme()
    why = "--exact" if not fast else None
    if fast:
        from .columns import Unsupported

        try:
            return (*_fast_table(path, units, values, records, targets, actuals, allow_outside), None)
        except Unsupported as e:
            why = str(e)
    loaded = load_all(path, units=units, values=values, records=records, targets=targets,
                      actuals=actuals, allow_outside=allow_outside)
    results = loaded.evaluate()
    table = from_results(loaded.scheme, loaded.index, results, loaded.pay(results))
    return table, loaded.scheme.language, loaded.warnings, why


def _fast_table(path: Path, units, values, records, targets, actuals, allow_outside):
    from .render.scores_csv import from_scores
    from .vector import VectorScorer

    files = _data_files(read_scheme(path)[0], path, units, values, records, targets, actuals, allow_outside)
    loaded = load_columns(path, files)
    scores = VectorScorer(loaded.scheme, loaded.index, loaded.data, loaded.columns, loaded.records).run()
    table = from_scores(loaded.scheme, loaded.index, loaded.data, scores)
    return table, loaded.scheme.language, loaded.warnings


@dataclass
class Columnar:
    """What the fast path reads: the scheme, its units, their values as columns, the records."""
    scheme: ast.Scheme
    index: SchemeIndex
    data: Dataset  # units; values only of the unit asked for (`cells_of`)
    records: object  # columns.RecordRows
    columns: object  # columns.Columns
    warnings: list[Diagnostic]
    unit: object  # the unit asked for, or None


def load_columns(path: Path, files: DataPaths, cells_of: str | None = None) -> Columnar:
    """Read for the fast path: pyarrow reads the values while the units are read. With
    `cells_of` (a unit as the user names it), that unit's cells also go into data.values, as
    the exact loader makes them. Raises columns.Unsupported where the exact path must read."""
    from concurrent.futures import ThreadPoolExecutor

    from .columns import Unsupported, read_dataset, read_value_tables, read_values

    scheme, source = read_scheme(path)
    index = SchemeIndex(scheme)
    if files.wide:
        raise Unsupported("wide-layout tables (任务分解表)")
    with ThreadPoolExecutor(max_workers=1) as pool:
        tables = pool.submit(read_value_tables, files.values)
        data, records = read_dataset(files.units, files.records, index.data_names(), scheme.language)
        try:
            warnings = check(scheme, data, source, index, values=False)
        except KpiError:
            raise Unsupported("the scheme or its units have errors") from None  # the exact path says which
        unit = data.find_unit(cells_of, scheme.language) if cells_of is not None else None
        columns = read_values(tables.result(), data, index.data_names(), cells_of=unit, lang=scheme.language)
    data.value_files = tuple(display for _, display in files.values)
    return Columnar(scheme, index, data, records, columns, warnings, unit)
