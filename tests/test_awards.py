"""Money: each award kind pinned on small schemes, and the bundled awards add up."""
from __future__ import annotations

from decimal import Decimal

import pytest

from kpidsl.errors import DataError, KpiError
from kpidsl.numbers import plain
from conftest import UNITS, build, pay
from test_cli import kpi

SCORED = "板块 总 100分 { 指标 测 100分 { 按比例 } }\n"


def targets(actuals: list[str], target: str = "100") -> dict:
    values = {}
    for (u, _), a in zip(UNITS, actuals):
        values.update({(u, "测", "任务"): target, (u, "测", "实际"): a})
    return values


def amounts(awards, award: str) -> list[str]:
    return [plain(next(p.amount for p in awards.payments[u] if p.award == award)) for u, _ in UNITS]


BANDS = """奖励 奖 {
  排名 降序 按 总分
  名次 1: 500元  名次 2 至 3: 300元
  并列跨档 %s
}
"""


@pytest.mark.parametrize("policy,expected", [
    ("平均", ["500", "300", "150", "150", "0"]),   # 乙 2nd; 丙 and 丁 tied 3rd: (300 + 0) / 2
    ("就高", ["500", "300", "300", "300", "0"]),
    ("就低", ["500", "300", "0", "0", "0"]),
])
def test_rank_bands_and_a_tie_across_the_last_band(tmp_path, policy, expected):
    _, awards = pay(tmp_path, SCORED + BANDS % policy, targets(["100", "90", "80", "80", "10"]))
    assert amounts(awards, "奖") == expected
    line = next(p for p in awards.payments["丙镇"] if p.award == "奖").lines[0]
    assert "并列第 3 名（占第 3–4 名）" in line.arithmetic and policy in line.arithmetic


def test_only_eligible_units_are_ranked_and_the_rest_are_told_why(tmp_path):
    body = SCORED + "奖励 奖 { 仅限 测.完成率 >= 90% 排名 降序 按 总分 名次 1: 500元 名次 2: 300元 }\n"
    _, awards = pay(tmp_path, body, targets(["80", "95", "99", "100", "10"]))
    assert amounts(awards, "奖") == ["0", "0", "300", "500", "0"]
    assert awards.payments["甲镇"][0].lines[0].arithmetic == "不符合条件，不发放"


def test_per_head_rate_changes_past_the_target(tmp_path):
    body = SCORED + "奖励 补 { 每人 20元 按 测.实际 超出 测.任务 每人 30元 }\n"
    _, awards = pay(tmp_path, body, targets(["50", "100", "110", "0", "101"]))
    assert amounts(awards, "补") == ["1000", "2000", "2300", "0", "2030"]


def test_lump_sums_on_dates(tmp_path):
    body = SCORED + ("奖励 早 { 若 测.完成日期 <= 2021-09-30 则 若 测.任务 >= 100人 则 得 15000元 否则 得 10000元 "
                     "否则 得 0元 }\n")
    values = targets(["100"] * 5)
    for (u, _), d in zip(UNITS, ["2021-09-30", "2021年9月1日", "2021-10-01", "2021/03/31", "2021-12-31"]):
        values[(u, "测", "完成日期")] = d
    _, awards = pay(tmp_path, body, values)
    assert amounts(awards, "早") == ["15000", "15000", "0", "15000", "0"]
    values[("甲镇", "测", "完成日期")] = "未完成"
    with pytest.raises(DataError) as e:
        pay(tmp_path, body, values)
    assert "'未完成' 不是日期" in e.value.render()


def test_grades_take_the_first_that_holds(tmp_path):
    body = SCORED + """奖励 达标 {
      评等 { "A+" 若 独立大厅 且 标准化 得 12000元  A 若 窗口 且 标准化 得 10000元  B 得 0元 }
    }
    """
    values = targets(["100"] * 5)
    facts = [("是", "是", "是"), ("否", "是", "是"), ("是", "是", "否"), ("否", "否", "是"), ("否", "是", "是")]
    for (u, _), (hall, window, standard) in zip(UNITS, facts):
        values.update({(u, "达标", "独立大厅"): hall, (u, "达标", "窗口"): window, (u, "达标", "标准化"): standard})
    _, awards = pay(tmp_path, body, values)
    assert amounts(awards, "达标") == ["12000", "10000", "0", "0", "10000"]
    assert "评为 A+ 类" in awards.payments["甲镇"][0].lines[0].arithmetic


FACTOR = """板块 工作量 100分 {
  指标 登记 60分 { 份额 业务量 类别 标准化下沉 }
  指标 申领 30分 { 份额 业务量 }
  指标 典型案例 10分 { 份额 业务量 类别 引导性下沉 }
}
奖励 工作量补助 {
  因素分配 100000元 按 工作量.得分
  每 1次 有理投诉 扣 5%
  一票否决 弄虚作假
}
"""


def factor_values(complaints=("0",) * 5, fraud=("否",) * 5):
    values = {}
    for i, (u, _) in enumerate(UNITS):
        values.update({(u, "登记", "业务量"): str(i + 1), (u, "申领", "业务量"): "1" if i < 2 else "0",
                       (u, "典型案例", "业务量"): "0", (u, "工作量补助", "有理投诉"): complaints[i],
                       (u, "工作量补助", "弄虚作假"): fraud[i]})
    return values


def test_factor_method_shares_points_by_volume_and_the_pool_by_score(tmp_path):
    units, awards = pay(tmp_path, FACTOR, factor_values())
    # 登记 1..5 of 15 of 60 points; 申领 shared by 甲 and 乙; nobody did a 典型案例
    assert [plain(units[u].total) for u, _ in UNITS] == ["19", "23", "12", "16", "20"]
    case = [i for i in units["甲镇"].items() if i.path[-1] == "典型案例"][0]
    assert case.score == 0 and "本项无人得分" in case.lines[0].arithmetic and case.kind == "引导性下沉"
    # the pool shared in proportion to the scores: 90 points in all
    assert amounts(awards, "工作量补助") == ["21111.11", "25555.56", "13333.33", "17777.78", "22222.22"]
    assert awards.totals[0].paid == Decimal("100000.00")


def test_complaints_take_five_percent_each_and_fraud_takes_all(tmp_path):
    values = factor_values(complaints=("1", "0", "3", "0", "25"), fraud=("否", "是", "否", "否", "否"))
    _, awards = pay(tmp_path, FACTOR, values)
    assert amounts(awards, "工作量补助") == ["20055.55", "0", "11333.33", "17777.78", "0"]  # 95% of 21111.11
    assert "veto" in {l.kind for l in awards.payments["乙镇"][0].lines}
    assert awards.totals[0].paid + awards.totals[0].kept_back == Decimal("100000.00")


def test_an_award_may_read_an_earlier_award(tmp_path):
    body = SCORED + BANDS % "平均" + "奖励 优胜 { 仅限 奖.金额 > 0 得 1000元 }\n"
    _, awards = pay(tmp_path, body, targets(["100", "90", "80", "70", "10"]))
    assert amounts(awards, "优胜") == ["1000", "1000", "1000", "0", "0"]


def test_department_awards_and_the_city_total(tmp_path):
    body = SCORED + BANDS % "平均" + '部门奖励 征缴 20000元\n部门奖励 财政 { 原文 "给予补助" }\n'
    _, awards = pay(tmp_path, body, targets(["100", "90", "80", "70", "10"]))
    assert awards.city_total == Decimal("1100") + Decimal("20000")
    assert [d.amount for d in awards.departments] == [Decimal("20000"), None]


def test_scores_cannot_be_read_while_scoring(tmp_path):
    body = "板块 总 10分 { 指标 测 5分 { 按比例 } 指标 再 5分 { 达标 测.得分 >= 5 } }\n"
    values = targets(["100"] * 5)
    values.update({(u, "再", "x"): "1" for u, _ in UNITS})
    with pytest.raises(KpiError) as e:
        pay(tmp_path, body, values)
    assert "只能在 奖励 中使用" in e.value.render()


def test_bundled_awards_add_up(bundled):
    _, results, awards = bundled["rugao-2021.kpi"]
    paid = sum(awards.unit_total(u.unit) for u in results.units)
    assert paid == sum(t.paid for t in awards.totals)
    assert awards.city_total == paid + sum(d.amount for d in awards.departments if d.amount is not None)
    first = awards.payments[results.units[0].unit]
    assert next(p for p in first if p.award == "绩效考核补助").amount in (Decimal(50000), Decimal(0))


def test_changzhou_factor_scores_grades_and_veto(bundled):
    loaded, results, awards = bundled["changzhou-platform.kpi"]
    sections = [u.sections[0].score for u in results.units]
    # every item's weight is shared out except item 15, which no unit did (0.4)
    assert abs(sum(sections) - Decimal("99.6")) < Decimal("0.001")
    grade = {u: next(p for p in awards.payments[u] if p.award == "基础达标考核") for u in awards.payments}
    assert grade["新北甲街道（示例）"].amount == 12000 and grade["新北乙街道（示例）"].amount == 10000
    assert grade["钟楼丙街道（示例）"].amount == 0  # not 标准化下沉: B
    fraud = "天宁丙街道（示例）"
    assert awards.unit_total(fraud) == 0 and next(u for u in results.units if u.unit == fraud).total == 0
    workload = next(t for t in awards.totals if t.award == "工作量绩效考核补贴")
    assert workload.paid + workload.kept_back == Decimal("1200000")
    winners = [u.unit for u in results.units
               if any(p.award == "综合绩效优胜单位" and "第" in p.lines[-1].arithmetic and "不符合" not in p.lines[0].arithmetic
                      for p in awards.payments[u.unit])]
    assert len(winners) >= 6 and "钟楼丙街道（示例）" not in winners


def test_awards_command_json(tmp_path):
    import json

    from test_cli import kpi

    done = kpi("awards", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["city_total"] and len(document["units"]) == 14
    first = document["units"][0]
    assert {a["rule"] for a in first["awards"]} >= {"绩效考核补助", "职工养老保险参保人数补助"}
    assert all(isinstance(a["amount"], str) for a in first["awards"])
    assert Decimal(first["awards_total"]) == sum(Decimal(a["amount"]) for a in first["awards"])
    paid = {a["award"]: Decimal(a["paid"]) for a in document["awards"]}
    assert all(sum(Decimal(a["amount"]) for u in document["units"] for a in u["awards"] if a["rule"] == name) == total
               for name, total in paid.items())


def test_changzhou_hardware_subsidy_is_reduced_in_proportion_and_within_30_percent(bundled):
    _, results, awards = bundled["changzhou-hardware.kpi"]
    got = {u: awards.unit_total(u) for u in awards.payments}
    assert got == {"新北区": Decimal("200000"), "天宁区": Decimal("150000.00"), "钟楼区": Decimal("200000")}
    assert sum(got.values()) <= Decimal("0.30") * Decimal("2000000")


def test_a_tie_shares_its_places_money_exactly_to_the_fen(tmp_path):
    """Three units tied for 1st, where only 1st pays 100元: 100 / 3 each would pay 100.01 in
    all; each gets 33.33 and the cent left over goes to the first by name (丙镇), explained."""
    body = SCORED + "奖励 奖 { 排名 降序 按 总分 名次 1: 100元 并列跨档 平均 }\n"
    _, awards = pay(tmp_path, body, targets(["100", "100", "100", "80", "10"]))
    assert amounts(awards, "奖") == ["33.33", "33.33", "33.34", "0", "0"]
    assert sum(next(p.amount for p in awards.payments[u] if p.award == "奖") for u, _ in UNITS) == 100
    assert awards.totals[0].paid == 100
    line = next(p for p in awards.payments["丙镇"] if p.award == "奖").lines[0]
    assert line.arithmetic.endswith("3 个单位共 100元按分分配：取至分 33.33，尾差按最大余数法 +0.01 = 33.34元")
    assert line.amount == Decimal("33.34")


def test_nine_units_tied_across_a_band_are_paid_the_band_exactly(tmp_path):
    """Nine units tied for 1st, where places 1–3 pay 10000元 and 4–9 pay 5000元: the nine places
    pay 60000元, and the nine are paid 60000元 in all — 6666.66 each and the 6 cents left one each
    to the first six by name (not 9 × 6666.67 = 60000.03) — through `kpi awards` and explained."""
    import json

    from conftest import build
    from test_cli import kpi

    units = [(f"{name}镇", "镇") for name in "甲乙丙丁戊己庚辛壬癸"]
    values = {(u, "测", f): v for u, _ in units for f, v in (("任务", "100"), ("实际", "50" if u == "癸镇" else "90"))}
    scheme = build(tmp_path, SCORED + "奖励 奖 { 排名 降序 按 总分 名次 1 至 3: 10000元  名次 4 至 9: 5000元 }\n",
                   values, units=units)
    done = kpi("awards", str(scheme), "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    paid = {u["unit"]: Decimal(u["awards_total"]) for u in document["units"]}
    tied = [paid[u] for u, _ in sorted(units[:9])]
    assert sum(tied) == Decimal("60000") and paid["癸镇"] == 0
    assert tied == [Decimal("6666.67")] * 6 + [Decimal("6666.66")] * 3
    assert document["awards"] == [{"award": "奖", "paid": "60000", "kept_back": "0"}]
    explained = json.loads(kpi("explain", str(scheme), "丁镇", "--format", "json", cwd=tmp_path).stdout)  # first by name
    (reason,) = explained["units"][0]["awards"][0]["reasons"]
    assert "9 个单位共 60000元按分分配" in reason["arithmetic"] and "最大余数法" in reason["arithmetic"]


def test_amounts_to_19_places_share_a_tie_without_overflow(tmp_path):
    """舍入 金额 19位: a cent of 10^-19 元 is past 64 bits; a tie at a place paying nothing is
    still shared exactly, not an OverflowError."""
    body = "舍入 金额 19位\n" + SCORED + "奖励 单项 { 排名 降序 按 测.实际 全体 名次 1: 100元 }\n"
    path = build(tmp_path, body, targets(["100", "90", "80", "80", "70"]))
    done = kpi("awards", str(path), "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
