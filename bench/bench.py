"""Whole commands on the bundled 如皋 2021 scheme at N synthetic units, each run interleaved with
the same scheme hand-written in numpy (bench/baseline_numpy.py, reading the same files itself
with pyarrow): median seconds of several runs, the ratio to the baseline's median at the same N,
seconds per unit × item, and peak memory. Then the cold start of `kpi explain 丁堰镇` against a
bare `python -c pass`. Prints Markdown tables; asserts nothing (a benchmark, not a test).

Run: python bench/bench.py [--runs R] [--only WORDS] [--every N] [N ...]   (default: 5 runs; 1000 10000 100000)
Data: bench/synthetic.py (seed 7) from the bundled sample: groups in the sample's proportions,
targets scaled, actuals around them so that every rule fires both ways. The command marked
(wide) reads the same figures in the wide layout, one row per unit, and its baseline reads those
wide files itself.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
ITEMS = 50  # the items (指标) of the 2021 scheme
EVERY_SIZE = 10_000  # the report (every unit's explanation), gap and diff are measured up to here (--every)


def run(argv: list[str]) -> tuple[float, float]:
    """One whole process: seconds and peak MiB."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if status:
        raise SystemExit(f"failed: {' '.join(argv)}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def commands(scheme: Path | None, wide: Path | None, changed: Path | None, unit: str, out: Path,
             n: int, every: int = EVERY_SIZE) -> dict[str, list[str]]:
    kpi = str(BIN / "kpi")
    found = {
        "kpi score --format csv": [kpi, "score", str(scheme), "--format", "csv", "--out", str(out / "s.csv")],
        "kpi score --format csv (wide)": [kpi, "score", str(wide), "--format", "csv", "--out", str(out / "s.csv")],
        "kpi awards": [kpi, "awards", str(scheme)],
        "kpi explain U": [kpi, "explain", str(scheme), unit],
        "kpi score --format json": [kpi, "score", str(scheme), "--format", "json"],
        "kpi score (table)": [kpi, "score", str(scheme)],
    }
    if n <= every:
        found.update({
            "kpi report": [kpi, "report", str(scheme), "--out", str(out / "r.html")],
            "kpi gap U": [kpi, "gap", str(scheme), unit],
            "kpi diff OLD NEW --scores": [kpi, "diff", str(scheme), str(changed), "--scores"],
        })
    return found


def measure(n: int, runs: int, only: list[str], every: int = EVERY_SIZE) -> list[dict]:
    from kpidsl.pipeline import default_scheme

    def write(name: str, *layout: str) -> Path:
        made = subprocess.run([sys.executable, str(HERE / "synthetic.py"), str(default_scheme()), str(n),
                               str(folder / name), "7", *layout], capture_output=True, text=True, check=True)
        return Path(made.stdout.strip())

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        chosen = [name for name in commands(None, None, None, "", folder, n, every)
                  if not only or any(word in name for word in only)]
        # each layout written only if a command reads it: 100,000 units take a minute to write
        scheme = write("data") if any("(wide)" not in name for name in chosen) else None
        wide = write("wide", "--wide") if any("(wide)" in name for name in chosen) else None
        changed, unit = None, ""
        if scheme is not None:
            changed = scheme.with_name("changed.kpi")  # one threshold changed, for kpi diff
            changed.write_text(scheme.read_text(encoding="utf-8").replace("未达 70% 不得分", "未达 60% 不得分", 1),
                               encoding="utf-8")
            unit = (scheme.parent / scheme.stem / "units.csv").read_text(encoding="utf-8").splitlines()[2].split(",")[0]
        os.sync()
        rows = []
        for name, argv in commands(scheme, wide, changed, unit, folder, n, every).items():
            if name not in chosen:
                continue
            data = wide if "(wide)" in name else scheme
            baseline = [sys.executable, str(HERE / "baseline_numpy.py"), str(data.parent / data.stem),
                        str(folder / "b.csv"), *(["--wide"] if "(wide)" in name else [])]
            ours, base, peaks = [], [], []
            for _ in range(runs):  # interleaved: the machine's load falls on both alike
                seconds, peak = run(argv)
                ours.append(seconds)
                peaks.append(peak)
                base.append(run(baseline)[0])
            mine, theirs = statistics.median(ours), statistics.median(base)
            rows.append({"units": n, "command": name, "median s": mine, "baseline median s": theirs,
                         "ratio": mine / theirs, "µs per unit × item": mine / (n * ITEMS) * 1e6,
                         "peak MiB": round(max(peaks))})
            print(f"  {n:>7,} {name:<28} {mine:8.2f} s  ×{mine / theirs:5.1f}", file=sys.stderr)
        return rows


def cold_start(runs: int = 7) -> tuple[float, float]:
    """Medians of `kpi explain 丁堰镇` on the bundled data and of `python -c pass`, interleaved."""
    ours, bare = [], []
    for _ in range(runs):
        ours.append(run([str(BIN / "kpi"), "explain", "丁堰镇"])[0])
        bare.append(run([sys.executable, "-c", "pass"])[0])
    return statistics.median(ours), statistics.median(bare)


def table(title: str, rows: list[dict]) -> None:
    columns = list(dict.fromkeys(c for row in rows for c in row))
    print(f"\n{title}\n")
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join(" ---: " for _ in columns) + "|")
    for row in rows:
        cells = [row.get(c, "—") for c in columns]
        print("| " + " | ".join(f"{c:,}" if isinstance(c, int) else f"{c:.2f}" if isinstance(c, float) else str(c)
                                for c in cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", action="append", default=[], metavar="WORDS",
                        help="measure only the commands whose name holds these words (repeatable)")
    parser.add_argument("--every", type=int, default=EVERY_SIZE, metavar="N",
                        help=f"measure the report, gap and diff up to N units (default {EVERY_SIZE:,})")
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 100000])
    args = parser.parse_args()
    rows = [row for n in args.sizes for row in measure(n, args.runs, args.only, args.every)]
    table(f"Whole commands, median of {args.runs} runs interleaved with the numpy baseline", rows)
    ours, bare = cold_start()
    print(f"\ncold start: kpi explain 丁堰镇 {ours:.3f} s, python -c pass {bare:.3f} s (×{ours / bare:.1f})")


if __name__ == "__main__":
    main()
