"""The two data readers — columnar (kpidsl.columns, pyarrow) and full (kpidsl.data) — give the
one engine the same figures: every score, rank and amount of every unit equal, written to the
same CSV bytes, and every explanation the same to the character; or both refuse alike.

Each test checks that the columnar reader really read the data (the full loader reads where it
cannot, which would make the comparison trivially true).
"""
import csv
import io
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import write_csv
from kpidsl.pipeline import _data_files, bundled_schemes, load_all, load_columns, prepare, read_scheme
from kpidsl.render.scores_csv import from_evaluation, write

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from synthetic import write_dataset  # noqa: E402

SCHEMES = sorted(p.name for p in bundled_schemes().glob("*.kpi"))
EVERY_RULE = (Path(__file__).parent / "every" / "every.kpi").read_text(encoding="utf-8")


def _files(scheme: Path):
    return _data_files(read_scheme(scheme)[0], scheme, None, None, None, None, None, False)


def _csv(evaluation) -> str:
    out = io.BytesIO()
    write(from_evaluation(evaluation), evaluation.engine.lang, out)
    return out.getvalue().decode("utf-8")


def both_paths(scheme: Path) -> tuple[str, str]:
    """The CSV from the columnar reader (which must have read the data) and from the full loader."""
    load_columns(*read_scheme(scheme), _files(scheme))  # raises Unsupported if it cannot read the data
    return tuple(_csv(prepare(scheme, reader=reader)[0]) for reader in ("columns", "full"))


@pytest.mark.parametrize("name", SCHEMES)
def test_bundled_data(name):
    fast, exact = both_paths(bundled_schemes() / name)
    assert fast == exact


@pytest.mark.parametrize("name", SCHEMES)
@settings(max_examples=max(4, settings().max_examples // 15),  # each example scores up to 60 units
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), units=st.integers(14, 60), boundaries=st.booleans())
def test_synthetic_data(tmp_path_factory, name, seed, units, boundaries):
    """At least as many units as the largest sample (14): every group has units."""
    folder = tmp_path_factory.mktemp("synthetic")
    scheme = write_dataset(bundled_schemes() / name, units, folder, seed, boundaries)
    fast, exact = both_paths(scheme)
    assert fast == exact


# ---- every rule kind, with figures drawn to land on thresholds and half-way roundings -------
def targets():
    return st.one_of(st.sampled_from([10, 20, 100, 400, 1000, 2000, 4000]), st.integers(1, 5000))


@st.composite
def target_and_actual(draw):
    target = draw(targets())
    actual = draw(st.one_of(
        st.just(target * 7 // 10),  # exactly 70% where the target is a multiple of 10
        st.just(target), st.just(target - 1), st.just(target + 1),
        st.integers(0, 2 * target)))  # with a target of 400, 2000 or 4000: scores on x.xx5
    return target, max(actual, 0)


percent = st.one_of(st.sampled_from(["100%", "95%", "90%", "97.55%", "99.95%", "89.99%"]),
                    st.integers(8000, 10000).map(lambda n: f"{Decimal(n) / 100}%"))
flag = st.sampled_from(["是", "否"])
count = st.integers(0, 4)


@st.composite
def unit_figures(draw, name: str):
    rows = []

    def add(item, field, value, note=""):
        rows.append([name, item, field, str(value), note])

    for item in ("比例项", "比例二", "达标项", "扣分项", "扣分二", "折一", "折二", "其他项"):
        target, actual = draw(target_and_actual())
        add(item, "任务", target)
        add(item, "实际", actual)
    add("标志项", "有机制", draw(flag))
    add("扣分三", "率", draw(percent))
    add("扣分三", "造假", draw(st.sampled_from(["否", "否", "是"])))
    add("评定项", "评分", draw(st.integers(0, 16)) / 4, "评定理由")
    debt = draw(st.sampled_from([0, 0, 3, 120, 400]))
    add("条件项", "欠款", debt)
    add("条件项", "清欠", draw(st.integers(0, debt + 5)))
    add("负分项", "事故数", draw(count))
    add("份额项", "业务量", draw(st.sampled_from([0, 1, 10, 333, 1000])))
    add("常量项", "个数", draw(count))
    add("计分", "重大事故", draw(st.sampled_from(["否", "否", "否", "是"])))
    add("计分", "集访", draw(st.integers(0, 2)))
    add("放款项", "放款", draw(st.sampled_from([0, 1, 5, 5, 20])))
    add("总分", "严重违纪", draw(st.sampled_from(["否", "否", "否", "是"])))
    add("定额奖", "完成日期", draw(st.sampled_from(["2021-09-29", "2021-09-30", "2021-10-01"])))
    add("分配奖", "投诉", draw(count))
    add("分配奖", "扣减", draw(st.sampled_from([0, 0, 50, 99999])))
    return rows


@st.composite
def datasets(draw):
    count_of_units = draw(st.integers(1, 12))
    names = [f"单位{i}" for i in range(count_of_units)]
    units = [[n, draw(st.sampled_from(["甲", "乙"]))] for n in names]
    values = [row for n in names for row in draw(unit_figures(n))]
    records = []
    for n in names:
        for project in range(draw(st.integers(0, 3))):
            for _ in range(draw(st.integers(1, 2))):
                records.append([n, "项目项", f"项目{project}", draw(st.sampled_from(["高", "中", "中二", "低"]))])
        for item in ("等级项", "等级二"):
            for project in range(draw(st.integers(0, 3))):
                records.append([n, item, f"成果{project}", draw(st.sampled_from(["市级", "省级", "国家级"]))])
    return units, values, records


def write_every_rule(folder: Path, data, text: str) -> Path:
    """The every-rule scheme (as `text`) with drawn units, values and records, in `folder`."""
    units, values, records = data
    write_csv(folder / "units.csv", ["单位", "分组"], units)
    write_csv(folder / "values.csv", ["单位", "指标", "字段", "值", "说明"], values)
    write_csv(folder / "records.csv", ["单位", "指标", "项目", "级别"], records)
    (folder / "every.kpi").write_text(text, encoding="utf-8")
    return folder / "every.kpi"


def copy_bundled(folder: Path) -> Path:
    """The bundled 如皋 2021 scheme and its data, copied into `folder`."""
    shutil.copy(bundled_schemes() / "rugao-2021.kpi", folder)
    shutil.copytree(bundled_schemes() / "rugao-2021", folder / "rugao-2021")
    return folder / "rugao-2021.kpi"


ROUNDINGS = st.tuples(st.integers(0, 3), st.sampled_from(["四舍五入", "截尾", "银行家舍入"]))


@settings(max_examples=settings().max_examples * 2, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=datasets(), item_rounding=ROUNDINGS, total_rounding=ROUNDINGS)
def test_every_rule_kind(tmp_path_factory, data, item_rounding, total_rounding):
    text = EVERY_RULE.replace("舍入 指标 2位 四舍五入", f"舍入 指标 {item_rounding[0]}位 {item_rounding[1]}") \
        .replace("舍入 总分 1位 四舍五入", f"舍入 总分 {total_rounding[0]}位 {total_rounding[1]}")
    fast, exact = both_paths(write_every_rule(tmp_path_factory.mktemp("every"), data, text))
    assert fast == exact


def test_an_error_in_the_data_is_reported_with_its_row(tmp_path):
    """A blank cell: the columnar reader steps aside, and the full loader names the file and row."""
    from kpidsl.errors import DataError

    scheme = write_dataset(bundled_schemes() / "rugao-2021.kpi", 20, tmp_path, 1)
    values = tmp_path / "rugao-2021" / "actuals-sample.csv"
    lines = values.read_text(encoding="utf-8").splitlines()
    lines[5] = ",".join(lines[5].split(",")[:3] + ["", ""])
    values.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as error:
        prepare(scheme, reader="columns")
    assert "E313" in str(error.value.render()) and "第 6 行" in error.value.render()


# ---- data as people write it: both paths read it alike, or both refuse it alike -------------
def _mangle(rng, folder: Path) -> None:
    """One of the ways a real values file differs from the bundled one."""
    path = folder / "rugao-2021" / rng.choice(["actuals-sample.csv", "targets.csv"])
    text = path.read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter="\t" if "\t" in text.split("\n")[0] else ","))
    header, body = table[0], table[1:]
    row = rng.choice([i for i, r in enumerate(body) if len(r) >= 4 and r[0].strip()])  # a row with a value
    how = rng.choice(["shuffle", "blank lines", "spaces", "full-width", "thousands", "alias", "english",
                      "bom and crlf", "tabs", "dash", "repeat", "unknown unit", "unknown item", "drop",
                      "word", "long number", "percent", "wan", "note with a line break", "line separator"])
    if how == "shuffle":
        rng.shuffle(body)
    elif how == "blank lines":
        body.insert(row, [])
        body.insert(rng.randrange(len(body)), ["", "", "", "", ""])
    elif how == "spaces":
        body[row] = [f"  {cell} " for cell in body[row]]
    elif how == "full-width":
        body[row][3] = body[row][3].translate(str.maketrans("0123456789.%", "０１２３４５６７８９．％"))
    elif how == "thousands" and body[row][3].isdigit():
        body[row][3] = f"{int(body[row][3]):,}"
    elif how == "alias":
        for r in body:
            if r:
                r[0] = {"经济技术开发区（城北街道）": "城北街道", "丁堰镇": "丁 堰 镇"}.get(r[0], r[0])
    elif how == "english":
        header = ["unit", "item", "field", "value", "note"]
    elif how == "dash":
        body[row][3] = "—"
    elif how == "repeat":
        body.append(list(body[row]))
    elif how == "unknown unit":
        body[row][0] = "不存在镇"
    elif how == "unknown item":
        body[row][1] = "不存在的指标"
    elif how == "drop":
        del body[row]
    elif how == "word":
        body[row][3] = "很多"
    elif how == "long number":
        body[row][3] = "1" * 25
    elif how == "percent" and body[row][3].isdigit():
        body[row][3] = f"{body[row][3]}%"
    elif how == "note with a line break" and len(body[row]) > 4:
        body[row][4] = "第一行\n第二行"
    elif how == "line separator" and len(body[row]) > 4:
        body[row][4] = "甲\u2028乙\x0c丙"
    elif how == "wan" and body[row][3].isdigit():
        body[row][3] = f"{int(body[row][3]) / 10000}万"
    with path.open("w", encoding="utf-8-sig" if how == "bom and crlf" else "utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t" if how == "tabs" else ",",
                            lineterminator="\r\n" if how == "bom and crlf" else "\n")
        writer.writerows([header, *body])


def _outcome(scheme: Path, reader: str) -> str:
    from kpidsl.errors import KpiError

    try:
        return _csv(prepare(scheme, reader=reader)[0])
    except KpiError as e:
        return e.render()


@settings(max_examples=max(10, settings().max_examples // 3),  # each example scores 14 units twice
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False), changes=st.integers(1, 3))
def test_mangled_data_reads_alike_by_both_readers(tmp_path_factory, rng, changes):
    scheme = copy_bundled(tmp_path_factory.mktemp("mangled"))
    for _ in range(changes):
        _mangle(rng, scheme.parent)
    assert _outcome(scheme, "columns") == _outcome(scheme, "full")


# ---- one unit explained, its figures read by the columnar reader ---------------------------
def _explanation(results, unit, awards) -> str:
    from rich.console import Console

    from kpidsl.render import explain, json as json_render, money

    console = Console(file=io.StringIO(), width=110, color_system=None)
    explain.render(unit, results.scheme, results.path, console)
    if awards is not None:
        money.explain(unit, awards, results.path, console)
    return console.file.getvalue() + json_render.render(results, [unit], awards)


def explanations_agree(scheme: Path, names=None) -> int:
    """Every unit's (or the named units') explanation, from the full loader's figures and from
    the columnar reader's (with the cells of the unit explained, as `kpi explain` reads them)."""
    from kpidsl.result import Results

    loaded = load_all(scheme)
    results = loaded.evaluate()
    awards = loaded.pay(results)
    load_columns(*read_scheme(scheme), _files(scheme))  # raises Unsupported if it cannot read the data
    checked = 0
    for unit in results.units:
        if names is None or unit.unit in names:
            evaluation, _, (found,) = prepare(scheme, reader="columns", cells_of=[unit.unit])
            i = evaluation.engine.data.units.index(found)
            one = evaluation.scoring.unit(i)
            alone = Results(results.scheme, results.path, (one,), results.total_rules)
            assert _explanation(alone, one, evaluation.awards([i])) == \
                _explanation(results, unit, awards.__class__({unit.unit: awards.payments[unit.unit]},
                                                             awards.totals, awards.departments)
                             if awards else None), unit.unit
            checked += 1
    return checked


@pytest.mark.parametrize("name", SCHEMES)
def test_one_unit_explained_alike_by_both_readers(name):
    assert explanations_agree(bundled_schemes() / name) >= 3


@pytest.mark.parametrize("name", SCHEMES)
@settings(max_examples=3, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), units=st.integers(14, 40), data=st.data())
def test_one_unit_explained_alike_on_synthetic_data(tmp_path_factory, name, seed, units, data):
    scheme = write_dataset(bundled_schemes() / name, units, tmp_path_factory.mktemp("among"), seed, True)
    names = [row.split(",")[0] for row in (scheme.parent / f"{scheme.stem}/units.csv")
             .read_text(encoding="utf-8").splitlines()[1:]]
    assert explanations_agree(scheme, set(data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4))))


@settings(max_examples=max(10, settings().max_examples // 4),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=datasets())
def test_one_unit_explained_alike_for_every_rule_kind(tmp_path_factory, data):
    scheme = write_every_rule(tmp_path_factory.mktemp("every-among"), data, EVERY_RULE)
    assert explanations_agree(scheme) == len(data[0])


def test_a_note_over_two_lines_is_explained_alike(tmp_path):
    """A 说明 typed with a line break (Alt+Enter in Excel) stays one cell for both readers."""
    scheme = copy_bundled(tmp_path)
    values = tmp_path / "rugao-2021" / "actuals-sample.csv"
    text = values.read_text(encoding="utf-8").replace(
        "丁堰镇,创新创优项目,评分,2.5,协助完成春季招聘突击任务，获南通市就业创新案例",
        '丁堰镇,创新创优项目,评分,2.5,"协助完成春季招聘突击任务\n获南通市就业创新案例"')
    assert "突击任务\n获南通" in text
    values.write_text(text, encoding="utf-8")
    assert explanations_agree(scheme, {"丁堰镇", "下原镇"}) == 2
    loaded = load_all(scheme)
    assert loaded.data.values[("丁堰镇", "创新创优项目", "评分")].note == "协助完成春季招聘突击任务\n获南通市就业创新案例"



def test_a_word_in_a_field_only_an_award_reads_is_refused_alike(tmp_path):
    """完成日期 is read by an award alone: a word there is named with its file and row by both
    readers (found by the mangled-data property)."""
    scheme = copy_bundled(tmp_path)
    path = scheme.parent / "rugao-2021" / "actuals-sample.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    k = next(k for k, line in enumerate(lines) if ",完成日期," in line)
    lines[k] = ",".join(lines[k].split(",")[:3] + ["很多"] + lines[k].split(",")[4:])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = _outcome(scheme, "columns")
    assert outcome == _outcome(scheme, "full") and "E306" in outcome and "很多" in outcome


def test_a_date_is_read_by_the_array_kernels_as_the_full_loader_reads_it():
    """A cell the kernels take as a date is the date written; one no calendar has (a day past
    its month's end, which Arrow rolls over; the year 0) is left to parse_value, a label."""
    from datetime import date, timedelta

    import pyarrow as pa

    from kpidsl.cells import DAY
    from kpidsl.columns import _parse
    from kpidsl.data import parse_value

    cells = ["2021-09-31", "2021-02-29", "2020-02-29", "0000-01-01", "0999-12-31", "2021-13-01", "2021-01-00",
             "1899-12-31", "2021-12-31"]
    kind, number, _, _, others = _parse(pa.chunked_array([pa.array(cells)]))
    left = dict(others)
    for row, cell in enumerate(cells):
        read = parse_value(left[row]) if row in left else date(1970, 1, 1) + timedelta(days=int(number[row]))
        assert read == parse_value(cell), cell
    assert [cells[row] for row in range(len(cells)) if kind[row] == DAY] == \
        ["2020-02-29", "0999-12-31", "1899-12-31", "2021-12-31"]
