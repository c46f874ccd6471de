"""The stages put together: read a scheme and its data, check, evaluate.

Data files named in a scheme resolve relative to the scheme's folder and may not leave it;
files the user names on the command line are taken as given.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from . import ast
from .ast import ACTUAL, TARGET
from .checker import check, field_powers, field_units
from .data import Dataset, load, regular_file, value_files
from .errors import DataError, Diagnostic, KpiError, diagnostic
from .index import SchemeIndex
from .parsed import MAX_SCHEME_BYTES, parse
from .result import Results

DEFAULT_SCHEME = "rugao-2021.kpi"


def bundled_schemes() -> Path:
    """The folder of schemes shipped inside the package."""
    return Path(str(files("kpidsl.schemes")))


def default_scheme() -> Path:
    return bundled_schemes() / DEFAULT_SCHEME


def scheme_file(given: str | Path | None) -> Path:
    """The scheme a command names, or the bundled default."""
    return Path(given) if given else default_scheme()


@dataclass
class Loaded:
    scheme: ast.Scheme
    source: str
    index: SchemeIndex
    data: Dataset | None
    warnings: list[Diagnostic]

    _evaluation: object = field(default=None, init=False, repr=False)  # not carried by replace()

    @property
    def evaluation(self):
        """The scheme evaluated over every unit (kpidsl.engine.Evaluation), checked: refuses with
        every problem if a unit cannot be scored."""
        if self._evaluation is None:
            from .cells import from_dataset
            from .engine import Evaluation

            columns, records = from_dataset(self.data)
            self._evaluation = Evaluation(self.scheme, self.index, self.data, columns, records).check()
        return self._evaluation

    def evaluate(self, progress=None, explained: bool = True) -> Results:
        return self.evaluation.results(explained)

    def pay(self, results: Results | None = None, explained: bool = True):
        """The scheme's awards (kpidsl.awards.Awards), or None if it has none."""
        return self.evaluation.awards(explained=explained)


def read_scheme(path: Path) -> tuple[ast.Scheme, str]:
    regular_file(path, str(path), "zh", limit=1 << 62)  # a pipe or device as the scheme: refused, not waited on
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_SCHEME_BYTES + 1)  # more is refused (E105), unread
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
    path = scheme_file(scheme_path)
    scheme, source = read_scheme(path)
    return load_parsed(scheme, source, path, units=units, values=values, records=records, targets=targets,
                       actuals=actuals, with_data=with_data, check_data=check_data, allow_outside=allow_outside)


def load_parsed(scheme: ast.Scheme, source: str, path: Path, *, units=None, values=None, records=None,
                targets=None, actuals=None, with_data: bool = True, check_data: bool = True,
                allow_outside: bool = False, read=None) -> Loaded:
    """load_all for a scheme parsed already (an editor's unsaved text): checked, with its data.
    `read`: the data reader (data.load), or one that keeps what it read between edits."""
    index = SchemeIndex(scheme)
    if not with_data:
        return Loaded(scheme, source, index, None, check(scheme, None, source, index))
    files = _data_files(scheme, path, units, values, records, targets, actuals, allow_outside)
    powers = field_powers(index)
    data, problems = (read or load)(files.units, files.values, files.records, index.data_names(), scheme.language,
                          wide=files.wide, sub_names=index.sub_names(), powers=powers)
    check_data = check_data and data.units_read  # without all the units, checking the figures says nothing
    try:
        warnings = check(scheme, data if check_data else None, source, index, problems=problems)
    except DataError as e:
        if check_data:
            e.diagnostics.extend(_scoring_problems(scheme, index, data, e.diagnostics))
        raise
    return Loaded(scheme, source, index, data, warnings)


def _scoring_problems(scheme: ast.Scheme, index: SchemeIndex, data: Dataset, known: list[Diagnostic]):
    """What scoring refuses besides the data's problems (an assessed score above its points, a
    target of 0), so that one run names every problem: the units scored on the figures read,
    those refused left out. Missing figures are named already (E305)."""
    from .cells import from_dataset
    from .engine import Evaluation

    kept = dataclasses.replace(data, values={k: c for k, c in data.values.items() if k not in data.refused})
    try:
        Evaluation(scheme, index, kept, *from_dataset(kept)).check()
    except DataError as e:
        return [d for d in e.diagnostics if d.code != "E305" and d not in known]
    return []


@dataclass
class DataPaths:
    """The data files to read, each as (path, the name to show)."""
    units: list
    values: list  # long layout, (path, name, keep): data.keeps() says which of its rows are read
    wide: list  # (path, name, the field its values fill)
    records: list
    scheme: Path | None = None


def _data_files(scheme: ast.Scheme, path: Path, units, values, records, targets, actuals,
                allow_outside: bool) -> DataPaths:
    folder = path.parent

    def declared(names: tuple[str, ...]):
        return [_inside(scheme, folder, name, allow_outside) for name in names]

    def given(names: list[str] | None):
        return [(Path(n), n) for n in names or ()]

    def tables(names: list[str] | None):  # a folder: the workbooks in it, one per unit (kpi template --per-unit)
        return [found for n in names or () for found in (_workbooks(Path(n), n, scheme.language)
                                                          if Path(n).is_dir() else [(Path(n), n)])]

    if values or (targets and actuals):  # one set of figures in place of the scheme's
        long = [(p, d, None) for p, d in given(values)]
        wide = [(p, d, TARGET) for p, d in tables(targets)] + [(p, d, ACTUAL) for p, d in tables(actuals)]
    else:  # the scheme's figures, less the kind given: --actuals alone keeps the scheme's targets
        keep = TARGET if actuals else ACTUAL if targets else None
        long = [(p, d, keep) for p, d in declared(scheme.data.values)]
        wide = [(p, d, TARGET) for p, d in tables(targets) or declared(scheme.data.targets)] + \
            [(p, d, ACTUAL) for p, d in tables(actuals) or declared(scheme.data.actuals)]
    files = DataPaths(given(units) or declared(scheme.data.units), long, wide,
                      given(records) or declared(scheme.data.records))
    problems = []
    for kind in (files.units, files.values, files.wide, files.records):
        for file, display, *_ in kind:  # before either reader opens one (a pipe would hang it)
            try:
                regular_file(file, display, scheme.language)
            except DataError as e:
                problems += e.diagnostics
    if problems:
        raise DataError(problems)
    return files


def _workbooks(folder: Path, name: str, lang: str) -> list[tuple[Path, str]]:
    """The tables in a folder, by name: Excel's lock files (~$…) and hidden files aside."""
    found = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm", ".csv")
                   and not p.name.startswith(("~$", ".")))
    if not found:
        raise DataError([diagnostic("E301", lang, path=name, reason=(
            "文件夹中没有 .xlsx 或 .csv 文件" if lang == "zh" else "the folder holds no .xlsx or .csv file"))])
    return [(p, str(Path(name) / p.name)) for p in found]


def prepare(scheme_path: Path | None = None, *, units=None, values=None, records=None, targets=None,
            actuals=None, allow_outside: bool = False, cells_of: list[str] | None = None,
            reader: str | None = None):
    """The scheme evaluated over its units, checked: (Evaluation, warnings, the units named in
    `cells_of`, as found). CSV of many units is read by the columnar reader, with
    the cells of the units named kept as written (to explain them); anything else, or data the
    columnar reader cannot take as it is, by the full loader, which names every problem."""
    from .engine import Evaluation

    path = scheme_file(scheme_path)
    scheme, source = read_scheme(path)  # once: each read of a cached parse is an unpickling
    files = _data_files(scheme, path, units, values, records, targets, actuals, allow_outside)
    if reader == "columns" or (reader is None and _many(files)):
        from .columns import Unsupported

        try:
            read = load_columns(scheme, source, files, cells_of or ())
        except Unsupported:
            read = None
        if read is not None:
            try:
                evaluation = Evaluation(read.scheme, read.index, read.data, read.columns, read.records).check()
                return evaluation, read.warnings, read.units
            except DataError:
                pass  # refused: the full loader reads again to name every problem with its place
    loaded = load_parsed(scheme, source, path, units=units, values=values, records=records, targets=targets,
                         actuals=actuals, allow_outside=allow_outside)
    found = [loaded.data.find_unit(name, loaded.scheme.language) for name in cells_of or ()]
    return loaded.evaluation, loaded.warnings, found


def input_files(scheme_path: Path | None = None, *, units=None, values=None, records=None, targets=None,
                actuals=None, allow_outside: bool = False) -> list[Path]:
    """Every file a run on this scheme reads: the scheme and its data."""
    path = scheme_file(scheme_path)
    try:
        files = _data_files(read_scheme(path)[0], path, units, values, records, targets, actuals, allow_outside)
    except KpiError:
        return [path]  # the run itself says what is wrong
    return [path] + [p for kind in (files.units, files.values, files.wide, files.records) for p, *_ in kind]


MANY_UNITS = 1_000  # from here on, CSV is read by the columnar reader (pyarrow)


def _is_csv(path: Path) -> bool:
    return path.suffix.lower() == ".csv"


def _many(files: DataPaths) -> bool:
    """Whether the data is CSV (long, or wide of one row per unit) whose units file lists at least
    MANY_UNITS units."""
    if not all(_is_csv(path) for path, *_ in files.wide):
        return False
    lines = 0
    for unit_file, _ in files.units:
        try:
            with unit_file.open("rb") as f:
                lines += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
        except OSError:
            return False  # the full loader says what is wrong
    return lines > MANY_UNITS


def score_table(scheme_path: Path | None = None, **files):
    """Every unit's scores and amounts as a ScoreTable: (table, language, warnings)."""
    from .render.scores_csv import from_evaluation

    evaluation, warnings, _ = prepare(scheme_path, **files)
    return from_evaluation(evaluation), evaluation.engine.lang, warnings


@dataclass
class Columnar:
    """What the fast path reads: the scheme, its units, their values as columns, the records."""
    scheme: ast.Scheme
    index: SchemeIndex
    data: Dataset  # units; values only of the units asked for (`cells_of`)
    records: object  # cells.RecordRows
    columns: object  # cells.Columns
    warnings: list[Diagnostic]
    units: list  # the units asked for


def load_columns(scheme: ast.Scheme, source: str, files: DataPaths, cells_of=()) -> Columnar:
    """Read by the columnar reader: pyarrow reads the values while the units are read. The
    cells of the units named in `cells_of` also go into data.values, as the full loader makes
    them. Raises columns.Unsupported where the full loader must read (and say what is wrong)."""
    from concurrent.futures import ThreadPoolExecutor

    from .columns import Unsupported, read_dataset, read_value_tables, read_values

    index = SchemeIndex(scheme)
    if not all(_is_csv(wide) for wide, *_ in files.wide):
        raise Unsupported("workbooks (.xlsx)")
    with ThreadPoolExecutor(max_workers=1) as pool:
        tables = pool.submit(read_value_tables, files.values, files.wide)
        data, records = read_dataset(files.units, files.records, index.data_names(), scheme.language)
        try:
            warnings = check(scheme, data, source, index, values=False)
        except KpiError:
            raise Unsupported("the scheme or its units have errors") from None  # the exact path says which
        units = [data.find_unit(name, scheme.language) for name in cells_of]
        columns = read_values(tables.result(), data, index.data_names(), index.sub_names(), cells_of=units,
                              lang=scheme.language, measured=field_units(index))
    data.value_files = value_files(files.values, files.wide)
    _require_fields(index, columns, [u.group for u in data.units])
    return Columnar(scheme, index, data, records, columns, warnings, units)


def _require_fields(index: SchemeIndex, columns, groups: list[str]) -> None:
    """As the full loader's check does: every field a rule may read, in any branch, is there for
    every unit (or has a 缺省), and of the kind the rule reads; else Unsupported, so that the
    full loader reads and names each problem with its file and row."""
    import numpy as np

    from .cells import DAY, FLAG, MISSING, NUMBER
    from .checker import DATE as DATE_FIELD, FLAG as FLAG_FIELD, NUMBER as NUMBER_FIELD, award_fields, required_fields
    from .columns import Unsupported

    wanted = {NUMBER_FIELD: (NUMBER, DAY), FLAG_FIELD: (FLAG,), DATE_FIELD: (DAY,)}
    scored, size = required_fields(index), len(groups)
    # the units that wrote 不适用 for an item that may not apply
    dropped = {node: columns.not_applicable(node) for node, _ in columns.slots if index.may_not_apply(node)}
    for (node, name), kind in {**award_fields(index), **scored}.items():  # awards: the kind only
        slot = columns.slots.get((node, name))
        cells = columns.kind[slot] if slot is not None else np.zeros(size, np.int8)
        keep = np.ones(size, bool)
        if node in dropped and (node, name) not in award_fields(index):
            keep &= ~dropped[node]
        if node in index.nodes and index.scheme.group_totals:  # only the units totalled on its section
            top = index.nodes[node].path[0]
            keep &= np.array([top in index.counted(group) for group in groups], bool)
        cells = cells[keep]
        if (node, name) in scored and index.default(node, name) is None and np.any(cells == MISSING):
            raise Unsupported(f"{node}.{name} is missing for a unit")
        present = cells[cells != MISSING]
        if kind in wanted and np.any(~np.isin(present, wanted[kind])):
            raise Unsupported(f"{node}.{name} holds a value of the wrong kind")
