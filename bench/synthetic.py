"""Synthetic data for a bundled scheme at any number of units, from its sample data.

Unit k copies the sample unit k mod S (so groups keep the sample's proportions), and each of
its figures is redrawn around the sample's so that every rule fires both ways:
- a 任务 is scaled by 0.5–1.5; the matching 实际 lands below 70%, on exactly 70%, between,
  on exactly 100% or above it;
- other counts are drawn from 0 to twice the sample's, percentages around the sample's with two
  decimals (so half-way roundings such as 0.245 → 0.25 occur), yes/no flipped one time in six,
  dates anywhere in the year, assessed scores in half points;
- records are the sample unit's, kept or dropped;
- one unit in eight meets every task (so awards for 全面完成 are paid);
- 不适用 and an assessed score given with its band (档位) are kept as the sample has them.
With `boundaries`, 任务 are drawn from multiples of 400 and 1000, so that rates land exactly on
thresholds and scores on x.xx5 before rounding. With `wide`, each values file is written in the
wide layout, one row per unit (the 任务分解表 transposed), for the same figures: a header of
items, a 字段 row unless every figure is a 任务 (then the scheme reads it as 任务), the reason
of an assessed score (评分) in a 评分说明 column.

Usage: python bench/synthetic.py SCHEME.kpi N OUT_FOLDER [SEED] [--wide]
"""
from __future__ import annotations

import csv
import random
import re
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

_PERCENT = re.compile(r"^(-?\d+(?:\.\d+)?)%$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_YES, _NO = ("是", "有"), ("否", "无")
_DATA_LINE = re.compile(r'"([^"]+\.csv)"')


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        header, *rows = csv.reader(f)
    return header, [r for r in rows if any(c.strip() for c in r)]


def _scheme_files(scheme: Path) -> dict[str, list[str]]:
    """The data files the scheme's 数据 block names, by kind (单位 / 数值 / 记录)."""
    files: dict[str, list[str]] = {}
    block = re.search(r"数据\s*\{(.*?)\}", scheme.read_text(encoding="utf-8"), re.S)
    for line in block.group(1).splitlines():
        words = line.split()
        if words:
            files.setdefault(words[0], []).extend(_DATA_LINE.findall(line))
    return files


def _figure(rng: random.Random, field: str, raw: str, target: int | None, diligent: bool) -> str:
    if field == "任务":
        return raw  # scaled by the caller, which knows the 实际 that goes with it
    if field == "实际" and target is not None:
        kind = rng.choice((3, 4)) if diligent else rng.randrange(6)
        if kind == 1 and target % 10 == 0:
            return str(target * 7 // 10)  # exactly 70%
        if kind == 3:
            return str(target)  # exactly 100%
        share = {0: rng.uniform(0.3, 0.7), 2: rng.uniform(0.7, 1.0), 4: rng.uniform(1.0, 1.3),
                 5: rng.uniform(0.9, 1.1)}.get(kind, rng.uniform(0.5, 1.2))
        return str(max(0, round(target * share)))
    if raw in _YES or raw in _NO:
        flipped = rng.randrange(6) == 0
        return (_NO if raw in _YES else _YES)[0] if flipped else raw
    if _DATE.match(raw):
        return (date(2021, 1, 1) + timedelta(days=rng.randrange(365))).isoformat()
    percent = _PERCENT.match(raw)
    if percent:
        value = float(percent.group(1))
        low, high = (max(0.0, value - 15), min(100.0, value + 5)) if value > 50 else (0.0, 60.0)
        return f"{rng.uniform(low, high):.2f}%"
    if field == "评分":
        return str(rng.randrange(0, 9) / 2).removesuffix(".0")
    if _NUMBER.match(raw):
        value = float(raw)
        if value == int(value):
            return str(rng.randrange(0, 2 * int(abs(value)) + 3))
        return f"{rng.uniform(0, 2 * value):.2f}"
    return raw


def write_dataset(scheme: Path, n: int, out: Path, seed: int = 0, boundaries: bool = False,
                  wide: bool = False) -> Path:
    """The scheme copied into `out` with n units of synthetic data; returns the scheme's path."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    copy = out / scheme.name
    shutil.copy(scheme, copy)
    files = _scheme_files(scheme)
    unit_file = files["单位"][0]
    unit_header, sample_units = _rows(scheme.parent / unit_file)
    # copies are prefixed: "长江镇" must still name one unit (a prefix match) for 适用 长江镇
    names = [u[0] if k < len(sample_units) else f"{k // len(sample_units)}#{u[0]}"
             for k, u in ((k, sample_units[k % len(sample_units)]) for k in range(n))]
    copies = {u[0]: [] for u in sample_units}  # sample unit -> the synthetic units copying it
    for k, name in enumerate(names):
        copies[sample_units[k % len(sample_units)][0]].append(name)

    def write(name: str, header: list[str], rows) -> None:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        with (out / name).open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)

    def unit_rows():
        for k, name in enumerate(names):
            template = sample_units[k % len(sample_units)]
            yield [name, template[1]] + ([template[2] if name == template[0] else ""]
                                         if len(template) > 2 else [])

    write(unit_file, unit_header, unit_rows())

    values = [_rows(scheme.parent / f) for f in files.get("数值", [])]
    by_unit: dict[str, list[tuple[int, list[str]]]] = {}
    for f, (_, rows) in enumerate(values):
        for row in rows:
            by_unit.setdefault(row[0], []).append((f, row))
    outputs: list[list[list[str]]] = [[] for _ in values]
    for template, names_of in copies.items():
        cells = by_unit.get(template, [])
        for name in names_of:
            targets = {}
            diligent = rng.randrange(8) == 0  # meets every task: the awards for 全面完成 fire
            for f, row in cells:
                if row[2] == "任务" and _NUMBER.match(row[3]):
                    base = float(row[3])
                    if boundaries and rng.randrange(2):
                        scaled = rng.choice((400, 1000, 4000))
                    else:
                        scaled = max(1, round(base * rng.uniform(0.5, 1.5)))
                        scaled = scaled - scaled % 10 if scaled > 20 and rng.randrange(2) else scaled
                    targets[row[1]] = scaled
            banded = {row[1] for _, row in cells if row[2] == "档位"}  # an assessed score kept in its band
            for f, row in cells:
                raw = str(targets[row[1]]) if row[2] == "任务" and row[1] in targets else \
                    row[3] if row[3] == "不适用" or (row[2] == "评分" and row[1] in banded) else \
                    _figure(rng, row[2], row[3], targets.get(row[1]), diligent)
                note = row[4] if len(row) > 4 else ""
                outputs[f].append([name, row[1], row[2], raw, note or ("理由" if row[2] == "评分" else "")])
    for f, (header, _) in zip(files.get("数值", []), values):
        rows = outputs[files["数值"].index(f)]
        if wide:
            write(f, *_wide(rows, names))
        else:
            write(f, header, rows)
    if wide:
        _read_wide(copy, {f: all(row[2] == "任务" for row in outputs[k]) for k, f in enumerate(files.get("数值", []))})

    for f in files.get("记录", []):
        header, rows = _rows(scheme.parent / f)
        kept = [[name, *row[1:]] for row in rows for name in copies.get(row[0], []) if rng.randrange(3)]
        write(f, header, kept)
    return copy


ASSESSED = "评分"  # the one field whose note (its reason) is read


def _wide(rows: list[list[str]], names: list[str]) -> tuple[list[str], list[list[str]]]:
    """Long rows (unit, item, field, value, note) as one row per unit: the header and the rows,
    a 字段 row first unless every figure is a 任务."""
    columns: dict[tuple[str, str], int] = {}
    for _, item, field, _, _ in rows:
        if (item, field) not in columns:
            columns[(item, field)] = len(columns)
            if field == ASSESSED:
                columns[(item, field + "说明")] = len(columns)
    cells = {name: [""] * len(columns) for name in names}
    for name, item, field, value, note in rows:
        cells[name][columns[(item, field)]] = value
        if field == ASSESSED:
            cells[name][columns[(item, field + "说明")]] = note
    fields = [] if all(field == "任务" for _, field in columns) else [["字段", *(field for _, field in columns)]]
    return ["单位", *(item for item, _ in columns)], fields + [[name, *cells[name]] for name in names]


def _read_wide(scheme: Path, targets_only: dict[str, bool]) -> None:
    """The scheme's 数值 files named as wide tables, on the same line (the scheme's lines keep
    their numbers): 任务 where every figure is one, else 实际 (each column's 字段 row says which)."""
    text = scheme.read_text(encoding="utf-8")
    line = re.search(r"^( *)数值 .*$", text, re.M)
    wide = line.group(1) + " ".join(f'{"任务" if only else "实际"} "{f}"' for f, only in targets_only.items())
    scheme.write_text(text[:line.start()] + wide + text[line.end():], encoding="utf-8")


if __name__ == "__main__":
    scheme_path, count, folder, *rest = [a for a in sys.argv[1:] if a != "--wide"]
    print(write_dataset(Path(scheme_path), int(count), Path(folder), int(rest[0]) if rest else 0,
                        wide="--wide" in sys.argv))
