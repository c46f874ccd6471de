"""Figures for the bundled 如皋 2021 scheme at N units: each stage of the fast path (`kpi score
--format csv`) and of the exact path (`kpi explain`, JSON), the same scheme hand-written in
numpy beside it, and the cold start of `kpi explain 丁堰镇`. Prints Markdown tables; asserts
nothing (tests/test_vector.py holds the fast path to the exact one).

Run: python bench/bench.py [N ...]            (default: 14 1000 10000 100000)
Data: bench/synthetic.py (seed 7) from the bundled sample: groups in the sample's proportions,
targets scaled, actuals around them so that every rule fires both ways.
Each path runs in a child process of its own; peak memory is that process's peak resident set.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXACT_LIMIT = 10_000  # the exact path keeps every unit's explanation: ~0.6 MiB a unit
ITEMS = 50  # the items (指标) of the 2021 scheme


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def child_fast(path: Path, out: Path) -> dict:
    """The fast path's stages, then the numpy baseline on the same columns."""
    from kpidsl.checker import check
    from kpidsl.index import SchemeIndex
    from kpidsl.parser import _lark
    from kpidsl.pipeline import _data_files, load_columns, read_scheme
    from kpidsl.render.scores_csv import from_scores, write
    from kpidsl.vector import VectorScorer

    figures = {}
    _, figures["grammar"] = timed(_lark)

    def parse():
        scheme, source = read_scheme(path)
        index = SchemeIndex(scheme)
        check(scheme, None, source, index)
        return scheme, source, index

    (scheme, _, _), figures["parse + check"] = timed(parse)

    def load():
        return load_columns(path, _data_files(scheme, path, None, None, None, None, None, False))

    loaded, figures["data load"] = timed(load)
    scheme, index, data, records, columns = loaded.scheme, loaded.index, loaded.data, loaded.records, loaded.columns
    scores, figures["evaluate"] = timed(lambda: VectorScorer(scheme, index, data, columns, records).run())

    def write_csv():
        with out.open("wb") as f:
            write(from_scores(scheme, index, data, scores), scheme.language, f)

    _, figures["CSV out"] = timed(write_csv)
    figures.update(baseline(data, records, columns, scores))
    return figures


def child_explain(path: Path) -> dict:
    """`kpi explain 丁堰镇` as it runs at this size: among many units (from 1,000), or the exact
    path; seconds from reading the scheme to the rendered explanation."""
    from rich.console import Console

    from kpidsl import among
    from kpidsl.pipeline import load_all, many_units
    from kpidsl.render import explain, money

    console = Console(file=io.StringIO(), width=110, color_system=None)
    start = time.perf_counter()
    files = many_units(path)
    if files is not None:
        results, awards, _ = among.explain(files.scheme, "丁堰镇", files)
        unit = results.units[0]
    else:  # fewer than MANY_UNITS units: the exact path, every unit
        loaded = load_all(path)
        results = loaded.evaluate()
        awards = loaded.pay(results)
        unit = next(u for u in results.units if u.unit == "丁堰镇")
    explain.render(unit, results.scheme, results.path, console)
    money.explain(unit, awards, results.path, console)
    return {"explain 1 (s)": time.perf_counter() - start}


def baseline(data, records, columns, scores) -> dict:
    """The hand-written numpy scheme on the same figures: its time, and how far its totals are
    from the exact ones."""
    import numpy as np

    sys.path.insert(0, str(HERE))
    from baseline_numpy import PROJECT_CLASSES, score

    figures = {slot: columns.number[i] / 10.0 ** columns.exponent[i] for slot, i in columns.slots.items()}
    group = np.array([u.group == "镇" for u in data.units], dtype=np.int64)
    class_of = {label: c for c, (labels, _, _) in enumerate(PROJECT_CLASSES) for label in labels}
    projects: dict = {}
    project = [projects.setdefault((u, p), len(projects)) for u, p in zip(records.unit.tolist(), records.project)]
    coded = (records.unit, np.array(project, np.int64), np.array([class_of[v] for v in records.level], np.int64))
    with np.errstate(divide="ignore", invalid="ignore"):  # a target of 0: inf or nan, as floats do
        result, seconds = timed(lambda: score(figures, group, coded))
    exact = scores.total.n / scores.total.d
    return {"baseline": seconds, "baseline differs": int(np.count_nonzero(np.abs(result["total"] - exact) > 0.005))}


def child_exact(path: Path) -> dict:
    """The exact path: every unit scored with its explanation, one explanation, the JSON."""
    from rich.console import Console

    from kpidsl.parser import _lark
    from kpidsl.pipeline import load_all
    from kpidsl.render import explain, json as json_render

    figures = {}
    _, figures["grammar"] = timed(_lark)
    loaded, figures["parse + check + data load"] = timed(lambda: load_all(path))
    results, figures["evaluate"] = timed(loaded.evaluate)
    awards, figures["awards"] = timed(lambda: loaded.pay(results))
    unit = next(u for u in results.units if u.unit == "丁堰镇")
    console = Console(file=io.StringIO(), width=110, color_system=None)
    _, figures["explain 1"] = timed(lambda: explain.render(unit, results.scheme, results.path, console))
    _, figures["JSON (all)"] = timed(lambda: json_render.render(results, awards=awards))
    return figures


def in_child(*args: str) -> tuple[dict, float]:
    """Run this script as a child; its printed figures and its peak memory (MiB)."""
    process = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status:
        raise SystemExit(f"child {args} failed")
    return json.loads(output), usage.ru_maxrss / 1024


def end_to_end(path: Path, out: Path) -> tuple[float, float]:
    """`kpi score --format csv --out` as a whole process: seconds and peak MiB."""
    kpi = Path(sys.executable).parent / "kpi"
    start = time.perf_counter()
    process = subprocess.Popen([str(kpi), "score", str(path), "--format", "csv", "--out", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if status:
        raise SystemExit("kpi score failed")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def cold_start() -> float:
    """Median wall time of `kpi explain 丁堰镇` on the bundled data, as a whole process."""
    kpi = Path(sys.executable).parent / "kpi"
    times = []
    for _ in range(7):
        start = time.perf_counter()
        subprocess.run([str(kpi), "explain", "丁堰镇"], capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def table(title: str, rows: list[dict]) -> None:
    columns = list(dict.fromkeys(c for row in rows for c in row))
    print(f"\n{title}\n")
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join(" ---: " for _ in columns) + "|")
    for row in rows:
        cells = [row.get(c, "—") for c in columns]
        print("| " + " | ".join(f"{c:,}" if isinstance(c, int) else f"{c:.3f}" if isinstance(c, float) else str(c)
                                for c in cells) + " |")


def main(sizes: list[int]) -> None:
    from kpidsl.pipeline import default_scheme

    fast_rows, exact_rows, whole_rows = [], [], []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            # written by a child, so that this process stays small: a child starts with the
            # peak memory of its parent, and the figures are the children's peaks
            made = subprocess.run([sys.executable, str(HERE / "synthetic.py"), str(default_scheme()), str(n),
                                   str(folder / "data"), "7"], capture_output=True, text=True, check=True)
            path = Path(made.stdout.strip())
            os.sync()  # the data on disk before the clock starts, not being written meanwhile
            fast, fast_peak = in_child("--fast", str(path), str(folder / "fast.csv"))
            seconds, peak = end_to_end(path, folder / "scores.csv")
            one, one_peak = in_child("--explain", str(path))
            ratio = fast["evaluate"] / fast["baseline"]
            fast_rows.append({"units": n, **{k: v for k, v in fast.items() if not k.startswith("baseline")},
                              "evaluate µs per unit × item": fast["evaluate"] / (n * ITEMS) * 1e6,
                              "peak MiB": round(fast_peak)})
            whole_rows.append({"units": n, "kpi score --format csv (s)": seconds, "peak MiB": round(peak),
                               "numpy baseline evaluate (s)": fast["baseline"], "kpidsl / baseline": ratio,
                               "baseline totals off by ≥ 0.005": fast["baseline differs"],
                               **one, "explain 1 peak MiB": round(one_peak)})
            if n <= EXACT_LIMIT:
                exact, exact_peak = in_child("--exact", str(path))
                exact_rows.append({"units": n, **exact, "peak MiB": round(exact_peak)})
            else:
                exact_rows.append({"units": n, "grammar": f"not run: ~{n * 0.6 / 1024:.0f} GiB"})
    table("Fast path (seconds per stage; peak memory of the process)", fast_rows)
    table("Whole commands (kpi score --format csv; kpi explain 丁堰镇 as it runs at this size), "
          "and the numpy baseline", whole_rows)
    table("Exact path: every unit explained (seconds per stage)", exact_rows)
    print(f"\ncold start, kpi explain 丁堰镇 (median of 7): {cold_start():.3f} s")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fast"]:
        print(json.dumps(child_fast(Path(sys.argv[2]), Path(sys.argv[3]))))
    elif sys.argv[1:2] == ["--explain"]:
        print(json.dumps(child_explain(Path(sys.argv[2]))))
    elif sys.argv[1:2] == ["--exact"]:
        print(json.dumps(child_exact(Path(sys.argv[2]))))
    else:
        main([int(a) for a in sys.argv[1:]] or [14, 1000, 10000, 100000])
