"""Timings of each stage on the bundled 如皋 2021 scheme, at the bundled size and scaled up.

Run: python bench/bench.py [N ...]   (default: 14 1000 10000)
Scaled data copies the 14 sample units (names prefixed) so every rule fires as in the sample.
Prints a table of seconds per stage and peak memory; nothing is asserted.
"""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from rich.console import Console

from kpidsl.data import load
from kpidsl.evaluator import evaluate
from kpidsl.index import SchemeIndex
from kpidsl.checker import check
from kpidsl.parser import _lark, grammar_text
from kpidsl.pipeline import default_scheme, read_scheme
from kpidsl.render import explain, json as json_render


def scaled_copy(folder: Path, n: int) -> Path:
    """The bundled scheme in `folder`, with its 14 units repeated to at least n."""
    source = default_scheme()
    shutil.copy(source, folder / source.name)
    (folder / "rugao-2021").mkdir()
    for name in ("units.csv", "targets.csv", "actuals-sample.csv", "records-sample.csv"):
        header, *body = csv.reader((source.parent / "rugao-2021" / name).open(encoding="utf-8"))
        with (folder / "rugao-2021" / name).open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for copy in range(-(-n // 14)):
                prefix = f"{copy}#" if copy else ""  # a prefix keeps the originals' names unique
                for unit, *rest in body:
                    if name == "units.csv" and copy:
                        rest = [rest[0], ""]  # aliases belong to the original only
                    writer.writerow([prefix + unit, *rest])
    return folder / source.name


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def stages(path: Path) -> dict:
    """Seconds per stage, from building the grammar to writing the JSON."""
    _lark.cache_clear()
    grammar_text.cache_clear()
    _, t_grammar = timed(_lark)
    (scheme, source), t_parse = timed(lambda: read_scheme(path))
    index = SchemeIndex(scheme)
    _, t_check = timed(lambda: check(scheme, None, source, index))
    folder = path.parent

    def load_data():
        return load([(folder / p, p) for p in scheme.data.units],
                    [(folder / p, p) for p in scheme.data.values],
                    [(folder / p, p) for p in scheme.data.records], index.data_names())

    data, t_load = timed(load_data)
    results, t_eval = timed(lambda: evaluate(scheme, data, index))
    console = Console(file=io.StringIO(), width=110, color_system=None)
    _, t_explain = timed(lambda: explain.render(results.units[0], results.scheme, results.path, console))
    _, t_json = timed(lambda: json_render.render(results))
    return {"units": len(results.units), "grammar": t_grammar, "parse": t_parse, "check": t_check,
            "load": t_load, "evaluate": t_eval, "explain 1": t_explain, "json": t_json}


def measure(n: int) -> dict:
    """Timings from one run, peak memory from another (tracing memory slows Python down)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = scaled_copy(Path(tmp), n) if n != 14 else default_scheme()
        figures = stages(path)
        tracemalloc.start()
        stages(path)
        figures["peak MiB"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return figures


def cold_start() -> float:
    """Median wall time of `kpi explain 丁堰镇` as a whole process."""
    kpi = Path(sys.executable).parent / "kpi"
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([str(kpi), "explain", "丁堰镇"], capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [14, 1000, 10000]
    rows = [measure(n) for n in sizes]
    columns = list(rows[0])
    print(" ".join(f"{c:>10}" for c in columns))
    for row in rows:
        print(" ".join(f"{row[c]:>10}" if c == "units" else f"{row[c]:>10.3f}" for c in columns))
    print(f"cold start, kpi explain 丁堰镇 (median of 5): {cold_start():.3f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
