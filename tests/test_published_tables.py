"""What published tables (绩效自评表 of 财预〔2020〕10号, 考核通报) need, through the `kpi` entry
point: indicators that do not apply (可不适用), rounding at a declared level, band ends (含/不含),
and the bundled 自评表 scheme."""
from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, strategies as st

from kpidsl import ast
from kpidsl.pipeline import bundled_schemes
from conftest import build, evaluate
from test_cli import kpi

SELF = bundled_schemes() / "self-evaluation-2020.kpi"

NA_BODY = """
板块 数量 20分 {
  指标 甲 10分 { 按比例 }
  指标 乙 10分 { 按比例  可不适用 }
}
"""


def na_values(b_actual: str) -> dict:
    values = {}
    for unit, _ in (("甲镇", "镇"), ("乙镇", "镇"), ("丙镇", "镇"), ("丁区", "区"), ("戊区", "区")):
        values.update({(unit, "甲", "任务"): "10", (unit, "甲", "实际"): "9",
                       (unit, "乙", "任务"): "10", (unit, "乙", "实际"): "10"})
    values[("乙镇", "乙", "实际")] = b_actual
    return values


def explain_json(path, unit: str) -> dict:
    done = kpi("explain", str(path), unit, "--format", "json", cwd=path.parent)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["units"][0]


def reasons(unit: dict, item: str) -> list[dict]:
    return next(i["reasons"] for i in unit["items"] if i["path"][-1] == item)


# ---- 可不适用 --------------------------------------------------------------------------
def test_an_item_that_does_not_apply_is_dropped_and_its_section_rescaled(tmp_path):
    path = build(tmp_path, NA_BODY, na_values("不适用"))
    done = kpi("explain", str(path), "乙镇", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # 甲 9 of 10, 乙 dropped: 9 × 20/10 = 18
    assert "总分 18" in done.stdout
    assert "不适用的指标不计：其余 10分 按 20分 折算" in done.stdout and "9 × 20/10 = 18" in done.stdout
    assert "本项 10 分不计" in done.stdout
    other = kpi("explain", str(path), "甲镇", cwd=tmp_path)
    assert "总分 19" in other.stdout and "不适用" not in other.stdout


def test_not_applicable_without_the_declaration_is_refused_and_says_why(tmp_path):
    path = build(tmp_path, NA_BODY.replace("  可不适用", ""), na_values("不适用"))
    done = kpi("score", str(path), cwd=tmp_path)
    assert done.returncode == 1
    assert "E306" in done.stderr and "不适用" in done.stderr and "可不适用" in done.stderr


def test_reading_a_figure_that_does_not_apply_elsewhere_is_an_error_naming_it(tmp_path):
    body = NA_BODY + "板块 其他 10分 { 指标 丙 10分 { 达标 乙.实际 >= 5 } }\n"
    values = na_values("不适用")
    path = build(tmp_path, body, values)
    done = kpi("score", str(path), cwd=tmp_path)
    assert done.returncode == 1 and "E311" in done.stderr and "乙.实际 不适用" in done.stderr


def test_a_top_section_none_of_whose_parts_apply_is_refused(tmp_path):
    body = "板块 数量 10分 { 指标 乙 10分 { 按比例  可不适用 } }\n"
    path = build(tmp_path, body, na_values("不适用"))
    done = kpi("score", str(path), cwd=tmp_path)
    assert done.returncode == 1 and "各项均不适用" in done.stderr


def test_a_section_none_of_whose_parts_apply_drops_out_of_its_own(tmp_path):
    body = """
    板块 总 20分 {
      板块 子 10分 { 指标 乙 10分 { 按比例  可不适用 } }
      指标 甲 10分 { 按比例 }
    }
    """
    units = evaluate(tmp_path, body, na_values("不适用"))
    assert units["乙镇"].total == Decimal("18")  # 甲 9 of 10, the whole 子 dropped: × 20/10
    assert units["甲镇"].total == Decimal("19")


@given(scores=st.lists(st.integers(0, 10), min_size=2, max_size=5), dropped=st.data())
def test_rescaling_keeps_the_full_points(tmp_path_factory, scores, dropped):
    """Whatever applies at full marks gives the section its full points; and no more."""
    n = len(scores)
    gone = dropped.draw(st.sets(st.integers(0, n - 1), max_size=n - 1))
    items = "".join(f"  指标 项{k} 10分 {{ 按比例  可不适用 }}\n" for k in range(n))
    body = f"板块 总 {10 * n}分 {{\n{items}}}\n"
    values = {}
    for k, s in enumerate(scores):
        values[("甲镇", f"项{k}", "任务")] = "10"
        values[("甲镇", f"项{k}", "实际")] = "不适用" if k in gone else str(s)
    folder = tmp_path_factory.mktemp("na")
    total = evaluate(folder, body, values, units=[("甲镇", "镇")])["甲镇"].total
    kept = [s for k, s in enumerate(scores) if k not in gone]
    exact = Fraction(sum(kept)) * (10 * n) / (10 * len(kept))
    assert abs(Fraction(total) - exact) <= Fraction(1, 200)
    if all(s == 10 for s in kept):
        assert total == 10 * n


# ---- rounding at a declared level ------------------------------------------------------------
ROUNDING = """
总分 = 甲 × 50% + 乙 × 50%
板块 甲 10分 {
  指标 体检 10分 {
    每降低 1% (100% - 体检率) 扣 0.1分 不足一档 按比例计
  }
}
板块 乙 10分 { 指标 丙 10分 { 按比例 } }
"""


def rounding_scheme(tmp_path, declared: str):
    values = {}
    for unit in ("甲镇", "乙镇", "丙镇", "丁区", "戊区"):
        values.update({(unit, "体检", "体检率"): "99.95%", (unit, "丙", "任务"): "3", (unit, "丙", "实际"): "2"})
    header = ('方案 "测试"\n单位分组 区, 镇\n数据 { 单位 "units.csv" 数值 "values.csv" 记录 "records.csv" }\n'
              + declared + "\n")
    return build(tmp_path, ROUNDING, values, header=header)


def test_each_deduction_is_rounded_by_default_and_shows_it(tmp_path):
    path = rounding_scheme(tmp_path, "")
    deduction = next(l for l in reasons(explain_json(path, "甲镇"), "体检") if l["kind"] == "deduct")
    assert deduction["arithmetic"].endswith("0.05 档 × 0.1 = 0.005 ≈ 0.01") and deduction["points"] == "0.01"


def test_an_item_rounded_once_after_its_deductions(tmp_path):
    path = rounding_scheme(tmp_path, "舍入 指标 2位 四舍五入 扣分后")
    # 10 - 0.005 = 9.995 ≈ 10.00 (each step rounded: 9.99)
    lines = reasons(explain_json(path, "甲镇"), "体检")
    assert [l["kind"] for l in lines] == ["deduct", "rounding"]
    assert lines[0]["arithmetic"].endswith("0.05 档 × 0.1 = 0.005") and lines[0]["points"] == "0.005"
    assert lines[1]["text"] == "舍入（扣分后，2 位）" and lines[1]["arithmetic"] == "9.995 ≈ 10"
    assert lines[1]["points"] == "-0.005"
    done = kpi("explain", str(path), "甲镇", cwd=tmp_path)
    assert "总分 8.34" in done.stdout  # 10 × 50% + 6.67 × 50% (each step rounded: 8.33)


def test_sections_and_weighted_parts_rounded_where_declared_and_the_ledger_balances(tmp_path):
    path = rounding_scheme(tmp_path, "舍入 板块 1位 四舍五入\n舍入 加权 0位 四舍五入")
    out = explain_json(path, "甲镇")
    # 乙: 2/3 × 10 = 6.67 → section 6.7 → × 50% = 3.35 → 3; 甲: 9.99 → 10.0 → 5
    assert Decimal(out["total"]) == 8
    assert sum(Decimal(e["points"]) for e in out["ledger"]) + Decimal(out["full"]) == 8
    done = kpi("explain", str(path), "甲镇", cwd=tmp_path)
    assert "舍入（板块，1 位）" in done.stdout and "6.67 ≈ 6.7" in done.stdout
    assert "舍入（乙 × 50%，0 位）" in done.stdout and "6.7 × 50% = 3.35 ≈ 3" in done.stdout
    ledger = done.stdout[done.stdout.index("账目"):]
    assert "= 总分" in ledger and ledger.rstrip().endswith("8")


def test_rounding_levels_survive_fmt(tmp_path):
    path = rounding_scheme(tmp_path, "舍入 指标 2位 截尾 扣分后\n舍入 板块 1位 四舍五入\n舍入 加权 2位 银行家舍入")
    done = kpi("fmt", "--check", str(path), cwd=tmp_path)
    kpi("fmt", str(path), cwd=tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "舍入 指标 2位 截尾 扣分后" in text and "舍入 板块 1位 四舍五入" in text and "舍入 加权 2位 银行家舍入" in text
    assert kpi("fmt", "--check", str(path), cwd=tmp_path).returncode == 0, done.stdout


def test_after_deductions_belongs_to_items_only(tmp_path):
    path = rounding_scheme(tmp_path, "舍入 总分 2位 四舍五入 扣分后")
    done = kpi("check", str(path), cwd=tmp_path)
    assert done.returncode == 1 and "扣分后 只用于 舍入 指标" in done.stderr


# ---- band ends ---------------------------------------------------------------------------
ASSESSED = """
板块 总 10分 {
  指标 定性 10分 {
    评定 { BANDS }
  }
}
"""


def test_assessed_bands_overlapping_or_leaving_a_gap_are_said(tmp_path):
    body = ASSESSED.replace("BANDS", "达成: 80% 至 100%  部分达成: 60% 至 80%（含）  未达成: 0% 至 50%")
    values = {(u, "定性", f): v for u, _ in (("甲镇", 0),) for f, v in (("评分", "9"), ("档位", "达成"))}
    path = build(tmp_path, body, values, units=[("甲镇", "镇")])
    done = kpi("check", str(path), cwd=tmp_path)
    assert "W207" in done.stderr
    assert "达成、部分达成 都含 80%：档位重叠" in done.stderr
    assert "50%（不含）至 60%（不含）的分数不在任何档位" in done.stderr


def test_an_assessed_score_on_a_band_end_belongs_to_the_band_that_holds_it(tmp_path):
    body = ASSESSED.replace("BANDS", "达成: 80% 至 100%  部分达成: 60% 至 80%  未达成: 0% 至 60%")
    ok = build(tmp_path, body, {("甲镇", "定性", "评分"): "8", ("甲镇", "定性", "档位"): "达成"}, units=[("甲镇", "镇")])
    assert kpi("score", str(ok), cwd=tmp_path).returncode == 0
    bad = build(tmp_path, body, {("甲镇", "定性", "评分"): "8", ("甲镇", "定性", "档位"): "部分达成"},
                units=[("甲镇", "镇")])
    done = kpi("score", str(bad), cwd=tmp_path)
    assert done.returncode == 1 and "6（含）–8（不含）" in done.stderr


@given(cuts=st.lists(st.integers(1, 99), min_size=1, max_size=6, unique=True), probe=st.integers(0, 100))
def test_contiguous_ranges_partition_their_span(cuts, probe):
    """Ranges that meet end to end, none marked: every value from the lowest to the highest end
    is in exactly one band."""
    ends = [Decimal(0)] + sorted(Decimal(c) for c in cuts) + [Decimal(100)]
    ranges = [(a, None, b, None) for a, b in zip(ends, ends[1:])]
    marks = ast.range_ends(ranges)
    x = Decimal(probe)
    holding = [k for k, ((a, _, b, _), (low_in, high_in)) in enumerate(zip(ranges, marks))
               if (a < x or (a == x and low_in)) and (x < b or (x == b and high_in))]
    assert len(holding) == 1


# ---- the bundled 绩效自评表 ---------------------------------------------------------------
def test_the_self_evaluation_scheme_checks_and_its_examples_pass(tmp_path):
    assert kpi("check", str(SELF), cwd=tmp_path).returncode == 0
    done = kpi("test", str(SELF), cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert "0 failed" in done.stdout


def test_the_self_evaluation_scheme_explains_not_applicable_and_the_audit_cap(tmp_path):
    social = kpi("explain", str(SELF), "社保中心", cwd=tmp_path)
    assert social.returncode == 0, social.stderr
    assert "不适用的指标不计：其余 10分 按 20分 折算" in social.stdout
    assert "档位 部分达成（60%（含）–80%（不含），即 12（含）–16（不含）分）" in social.stdout
    audited = explain_json(SELF, "鉴定中心")
    assert Decimal(audited["total"]) == 60
    assert any("审计发现重大问题" in l["text"] for l in audited["total_adjustments"])


# ---- per-group totals (总分 适用 …) --------------------------------------------------------------
GROUP_TOTALS = """
总分 = 甲 + 乙 + 丙
总分 适用 街道 = 甲 + 乙 满分 70分
  原文 "街道不考核丙项，满分70分"
  口径 "区、街道分别排名"
板块 甲 40分 { 指标 甲一 40分 { 按比例 } }
板块 乙 30分 { 指标 乙一 30分 { 按比例 } }
板块 丙 30分 { 指标 丙一 30分 { 按比例 } }
"""
DISTRICTS = [("东区", "区"), ("西区", "区"), ("南街道", "街道"), ("北街道", "街道")]


def group_scheme(tmp_path, body=GROUP_TOTALS, **changes):
    values = {}
    for unit, group in DISTRICTS:
        for item in ("甲一", "乙一") + (("丙一",) if group == "区" else ()):  # streets have no 丙 figures
            values[(unit, item, "任务")] = "10"
            values[(unit, item, "实际")] = "8"
    values.update(changes)
    header = '方案 "区与街道"\n单位分组 区, 街道\n数据 { 单位 "units.csv" 数值 "values.csv" 记录 "records.csv" }\n'
    return build(tmp_path, body, values, units=DISTRICTS, header=header)


def test_each_group_is_totalled_on_its_own_formula_and_full_points(tmp_path):
    path = group_scheme(tmp_path)
    street = explain_json(path, "南街道")
    assert Decimal(street["full"]) == 70 and Decimal(street["total"]) == 56  # 80% of 70
    assert [s["path"] for s in street["sections"] if len(s["path"]) == 1] == [["甲"], ["乙"]]
    district = explain_json(path, "东区")
    assert Decimal(district["full"]) == 100 and Decimal(district["total"]) == 80
    done = kpi("explain", str(path), "南街道", cwd=tmp_path)
    assert "总分 适用 街道 = 甲 + 乙 满分 70分" in done.stdout and "街道不考核丙项" in done.stdout
    assert "丙" not in done.stdout.split("账目")[0]  # no section 丙 in a street's explanation
    table = kpi("score", str(path), "--format", "csv", cwd=tmp_path)
    rows = {line.split(",")[0].strip('"'): line.split(",") for line in table.stdout.splitlines()[1:]}
    assert rows["南街道"][-2:] == ["", ""] and rows["东区"][-2:] == ["24", "24"]  # 丙, 丙一: empty, not 0
    assert "—" in kpi("score", str(path), cwd=tmp_path).stdout


def test_group_totals_are_checked(tmp_path):
    wrong = GROUP_TOTALS.replace("满分 70分", "满分 60分").replace("适用 街道", "适用 街道, 乡镇")
    done = kpi("check", str(group_scheme(tmp_path, wrong)), cwd=tmp_path)
    assert done.returncode == 1
    assert "E206 未知分组 乡镇" in done.stderr and "总分（适用 街道、乡镇）按各板块计满分为 70分" in done.stderr
    twice = GROUP_TOTALS + "总分 适用 街道 = 甲 + 乙 + 丙\n"
    assert "分组 街道 已有总分公式" in kpi("check", str(group_scheme(tmp_path, twice)), cwd=tmp_path).stderr


def test_a_section_a_group_is_not_totalled_on_asks_no_data_of_it(tmp_path):
    # a street's 丙 figures are absent: no E305; a district's are asked for
    path = group_scheme(tmp_path, **{})
    assert kpi("score", str(path), cwd=tmp_path).returncode == 0
    values_file = tmp_path / "values.csv"
    lines = [l for l in values_file.read_text(encoding="utf-8").splitlines() if not l.startswith("东区,丙一,实际")]
    values_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = kpi("score", str(path), cwd=tmp_path)
    assert done.returncode == 1 and "E305" in done.stderr and "东区" in done.stderr and "街道" not in done.stderr


def test_group_totals_survive_fmt_and_diff_names_the_change(tmp_path):
    path = group_scheme(tmp_path)
    assert kpi("fmt", "--check", str(path), cwd=tmp_path).returncode in (0, 1)
    kpi("fmt", str(path), cwd=tmp_path)
    assert kpi("fmt", "--check", str(path), cwd=tmp_path).returncode == 0
    assert "总分 适用 街道 = 甲 + 乙 满分 70分" in path.read_text(encoding="utf-8")
    other = tmp_path / "other.kpi"
    other.write_text(path.read_text(encoding="utf-8").replace("甲 + 乙 满分 70分", "甲 × 50% + 乙 × 50%"),
                     encoding="utf-8")
    done = kpi("diff", str(path), str(other), cwd=tmp_path)
    assert "总分（适用 街道）" in done.stdout and "甲 × 50% + 乙 × 50%" in done.stdout


def test_a_report_of_groups_totalled_differently(tmp_path):
    path = group_scheme(tmp_path)
    out = tmp_path / "r.html"
    assert kpi("report", str(path), "--out", str(out), cwd=tmp_path).returncode == 0
    page = out.read_text(encoding="utf-8")
    assert page.count('<td class="n">—</td>') == 2  # the streets' 丙
    assert '<p class="formula">原文：街道不考核丙项，满分70分</p>' in page  # the public reads the 原文, not 适用 …
    book = tmp_path / "r.xlsx"
    assert kpi("report", str(path), "--out", str(book), cwd=tmp_path).returncode == 2  # HTML, not a workbook
    assert kpi("score", str(path), "--out", str(book), cwd=tmp_path).returncode == 0
    from openpyxl import load_workbook
    ranking = load_workbook(book)["排名"]
    rows = {r[1]: r for r in ranking.iter_rows(min_row=2, values_only=True)}
    assert rows["南街道"][6] == "—" and rows["东区"][6] == 24


def test_points_no_data_can_reach_are_said(tmp_path):
    body = """
    板块 总 20分 {
      指标 甲 5分 { 分档 实际 { >= 10%: 1分  >= 20%: 3分  否则: 0分 } }
      指标 乙 5分 { 评定 { 好: 60% 至 90%  差: 0% 至 60% } }
      指标 丙 5分 { 若 实际 > 1 则 得 2分 否则 得 1分 }
      指标 丁 5分 { 分档 实际 { >= 10%: 1分  >= 20%: 5分 } }
    }
    """
    done = kpi("check", str(build(tmp_path, body, {})), "--no-data", cwd=tmp_path)
    said = [line for line in done.stderr.splitlines() if "W208" in line]
    assert len(said) == 3, done.stderr
    assert any("甲：满分 5分，但其规则最多得 3分，2分无论数据如何都得不到" in l for l in said)
    assert any("乙：满分 5分，但其规则最多得 4.5分" in l for l in said) and any("丙：" in l for l in said)


# ---- the total's own rules and the unit's own fields -----------------------------------------
TOP = """
总分 = 甲 × 60% + 乙 × 40%
  原文 "两部分按6：4计算"
  口径 "乙含加分项"
若 资金管理不规范 扣 2分
  原文 "资金管理不规范的，酌情扣分"
一票否决 弄虚作假 总分不超过 60分
并列 按 乙 降序
板块 甲 10分 { 指标 丙 10分 { 按比例 } }
板块 乙 10分 { 指标 丁 10分 { 按比例 } }
"""


def top_values(home: str) -> dict:
    values = {}
    for k, (unit, _) in enumerate((("甲镇", "镇"), ("乙镇", "镇"), ("丙镇", "镇"))):
        values.update({(unit, "丙", "任务"): "10", (unit, "丙", "实际"): str(10 - k),
                       (unit, "丁", "任务"): "10", (unit, "丁", "实际"): str(8 + k),
                       (unit, home, "资金管理不规范"): "是" if unit == "甲镇" else "否",
                       (unit, home, "弄虚作假"): "否"})
    return values


def test_deductions_and_readings_of_the_total_read_the_units_own_fields(tmp_path):
    units = [("甲镇", "镇"), ("乙镇", "镇"), ("丙镇", "镇")]
    for home in ("单位整体", "总分"):  # 总分: as data written before files them
        folder = tmp_path / home
        folder.mkdir()
        path = build(folder, TOP, top_values(home), units=units)
        done = kpi("explain", str(path), "甲镇", cwd=folder)
        assert done.returncode == 0, done.stderr
        # 10 × 60% + 8 × 40% = 9.2, less 2: 7.2
        assert "总分 7.2" in done.stdout and "资金管理不规范的，酌情扣分" in done.stdout
        assert "口径  乙含加分项" in done.stdout and "计算  总分 = 甲 × 60% + 乙 × 40%" in done.stdout
        assert "− 若 资金管理不规范 扣 2分" in done.stdout
    # 乙镇 9 × 60% + 9 × 40% = 9 and 丙镇 8 × 60% + 10 × 40% = 8.8; 甲镇 7.2
    table = kpi("score", str(path), "--format", "csv", cwd=folder).stdout.splitlines()
    assert [row.split(",")[0] for row in table[1:]] == ['"乙镇"', '"丙镇"', '"甲镇"']
    template = folder / "t.xlsx"
    assert kpi("template", str(path), "--out", str(template), cwd=folder).returncode == 0
    from openpyxl import load_workbook
    rows = [r[:2] for r in load_workbook(template).active.iter_rows(min_row=4, values_only=True)]
    assert ("单位整体", "资金管理不规范") in rows and not any(r[0] == "总分" for r in rows)


def test_ties_of_the_total_broken_as_declared(tmp_path):
    units = [("甲镇", "镇"), ("乙镇", "镇")]
    values = {}
    for unit, a, b in (("甲镇", "10", "7"), ("乙镇", "8", "10")):  # 10×60%+7×40% = 8.8 = 8×60%+10×40%
        values.update({(unit, "丙", "任务"): "10", (unit, "丙", "实际"): a, (unit, "丁", "任务"): "10",
                       (unit, "丁", "实际"): b, (unit, "单位整体", "资金管理不规范"): "否",
                       (unit, "单位整体", "弄虚作假"): "否"})
    path = build(tmp_path, TOP, values, units=units)
    table = kpi("score", str(path), "--format", "csv", cwd=tmp_path).stdout.splitlines()
    assert table[1].startswith('"乙镇","镇",8.8,1') and table[2].startswith('"甲镇","镇",8.8,2')
    assert "名次：总分相同者按 乙 降序 排定" in kpi("check", str(path), cwd=tmp_path).stdout


def test_an_award_read_off_a_score_leaves_out_the_units_it_does_not_apply_to(tmp_path):
    """乙镇's 乙 does not apply: it is not ranked (on the 0 it never scored, it would come first
    in an ascending rank) nor judged by 乙.得分; it gets nothing from either award, and its money
    line says why."""
    body = NA_BODY + ("奖励 单项 { 排名 升序 按 乙.得分 名次 1: 100元 }\n"
                      "奖励 达标奖 { 仅限 乙.得分 < 9 得 50元 }\n"
                      "奖励 普惠 { 得 10元 }\n")
    values = na_values("不适用")
    values[("丙镇", "乙", "实际")] = "8"  # 乙 8 of 10: the lowest of the units it applies to
    path = build(tmp_path, body, values)
    dropped, lowest = explain_json(path, "乙镇"), explain_json(path, "丙镇")
    assert dropped["awards_total"] == "10" and lowest["awards_total"] == "160"
    said = json.dumps(dropped["awards"], ensure_ascii=False)
    assert said.count("乙 对本单位不适用，不参加本奖励") == 2 and "不符合条件" not in said
