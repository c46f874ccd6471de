"""Shared fixtures: the bundled schemes as installed, and small schemes built in tmp folders."""
from __future__ import annotations

import atexit
import csv
import os
import shutil
import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# The tests parse thousands of schemes: their parses are cached here, not in the user's cache.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="kpidsl-tests-")
atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], ignore_errors=True)

from kpidsl.pipeline import bundled_schemes, load_all  # noqa: E402

settings.register_profile("default", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.register_profile("thorough", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile("default")

UNITS = [("甲镇", "镇"), ("乙镇", "镇"), ("丙镇", "镇"), ("丁区", "区"), ("戊区", "区")]


def write_csv(path: Path, header: list[str], rows) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def build(folder: Path, body: str, values: dict, units=UNITS, records=(), header: str | None = None) -> Path:
    """A scheme file with its data in `folder`.

    `body` is the scheme after its data declaration; `values` maps (unit, item, field) to the
    cell text. Returns the scheme's path.
    """
    write_csv(folder / "units.csv", ["单位", "分组", "别名"], [(u, g, "") for u, g in units])
    write_csv(folder / "values.csv", ["单位", "指标", "字段", "值", "说明"],
              [(u, i, f, v, "理由" if f == "评分" else "") for (u, i, f), v in values.items()])
    write_csv(folder / "records.csv", ["单位", "指标", "项目", "级别"], records)
    groups = sorted({g for _, g in units})
    text = header or (f'方案 "测试"\n单位分组 {", ".join(groups)}\n'
                      '数据 { 单位 "units.csv" 数值 "values.csv" 记录 "records.csv" }\n')
    path = folder / "scheme.kpi"
    path.write_text(text + textwrap.dedent(body), encoding="utf-8")
    return path


def evaluate(folder: Path, body: str, values: dict, **kw):
    """Results of a small scheme: {unit: UnitResult}."""
    results = load_all(build(folder, body, values, **kw)).evaluate()
    return {u.unit: u for u in results.units}


def pay(folder: Path, body: str, values: dict, **kw):
    """(results by unit, awards) of a small scheme with awards."""
    loaded = load_all(build(folder, body, values, **kw))
    results = loaded.evaluate()
    return {u.unit: u for u in results.units}, loaded.pay(results)


def item_score(folder: Path, points: str, rule: str, values: dict, **kw):
    """The score of one item `指标 测 {points} {{ {rule} }}` for every unit."""
    body = f"板块 总 {points} {{\n  指标 测 {points} {{\n    {rule}\n  }}\n}}\n"
    units = evaluate(folder, body, values, **kw)
    return {name: next(u.items()) for name, u in units.items()}


@pytest.fixture(scope="session")
def schemes_dir() -> Path:
    return bundled_schemes()


@pytest.fixture(scope="session")
def bundled(schemes_dir):
    """Every bundled scheme on its bundled data: {file name: (loaded, results, awards or None)}."""
    found = {}
    for path in sorted(schemes_dir.glob("*.kpi")):
        loaded = load_all(path)
        results = loaded.evaluate()
        found[path.name] = (loaded, results, loaded.pay(results))
    return found


@pytest.fixture(scope="session")
def bundled_results(bundled):
    return {name: results for name, (_, results, _) in bundled.items()}


# ---- the corpus of damaged inputs (test_corpus.py): its counts, shown at the end of a run ----
CORPUS = pytest.StashKey[dict]()  # mutant name -> (how its runs ended, the worst first; each run's)


def pytest_configure(config):
    config.stash[CORPUS] = {}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    found = config.stash.get(CORPUS, {})
    if not found:
        return
    counts = {kind: sum(v == kind for v, _ in found.values())
              for kind in ("same", "refused", "silent", "unplaced", "crash", "refused what reads the same")}
    terminalreporter.write_sep("-", "corpus of damaged inputs (issue 12)")
    terminalreporter.write_line(
        f"corpus: {len(found)} mutants, {counts['same']} score as the original, {counts['refused']} refused "
        f"with their place, {counts['silent']} changed silently, {counts['unplaced']} refused without their "
        f"place, {counts['crash']} crashed, {counts['refused what reads the same']} refused though they read the same")
    for name, (kind, runs) in found.items():
        if kind not in ("same", "refused"):
            terminalreporter.write_line(f"  {kind}: {name} ({runs})")


@pytest.fixture
def rugao_copy(tmp_path) -> Path:
    """A copy of the bundled 2021 scheme and its data, to damage."""
    import shutil

    for name in ("rugao-2021.kpi", "rugao-2021"):
        source = bundled_schemes() / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    return tmp_path / "rugao-2021.kpi"
