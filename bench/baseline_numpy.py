"""The 如皋 2021 scheme written by hand in numpy: binary floats, no DSL, no explanations.

The near-physical-limit baseline for kpidsl's fast path (bench/bench.py prints the ratio of the
two evaluation times). It reads the same columns kpidsl reads (as float64 arrays) and computes
the same totals, ranks and awards, rule by rule as schemes/rugao-2021.kpi states them; being
in floats it can differ from the exact result where a score lands on a half 分.
"""
from __future__ import annotations

import numpy as np

RATE_ITEMS = ("企业职工养老保险新增参保人数", "居保转企保人数", "居民养老保险缴费人数", "助保贷款初审指导人数",
              "新增留学回国人员数", "引进高校毕业生和专业技术人员数", "高校人才培养合作基地", "就业见习人数",
              "就业见习岗位数", "招才引智活动", "城镇新增就业", "城镇失业人员再就业人数",
              "城乡就业困难人员就业再就业人数", "开发公益性岗位数", "劳动力外引", "创业培训", "支持成功自主创业人数",
              "扶持农民自主创业人数", "引领大学生创业人数", "创业带动就业人数", "补贴性职业技能培训人数",
              "城乡劳动者就业培训人数", "新生代农民工职业技能培训人数", "职业技能鉴定取证人数", "新增高技能人才数",
              "新增技师高级技师人数")
PROJECT_CLASSES = (  # levels, points each, at most
    (("双创评选成功",), 3.0, None), (("双创入围省面试",), 2.0, None), (("双创通过南通初审",), 1.5, None),
    (("双创申报",), 1.0, None), (("省级", "南通市级"), 1.0, 2.0), (("如皋市级",), 0.5, 1.5),
    (("评选未成功",), 0.5, 1.0))


def r2(x):
    """Half up to 2 places, as floats allow."""
    return np.floor(x * 100 + 0.5) / 100


def score(f, group: np.ndarray, records) -> dict:
    """f[(item, field)] -> float64 array; group: 0 主功能区, 1 镇; records: see _projects."""
    n = len(group)
    town = group == 1
    rate = {i: f[(i, "实际")] / f[(i, "任务")] for i in RATE_ITEMS}

    def prop(item, points, threshold=0.0):
        r = np.maximum(rate[item], 0)
        return r2(np.where(r < threshold, 0, points * np.minimum(r, 1)))

    def meet(item, points):
        return np.where(rate[item] >= 1, points, 0.0)

    def per(count, step_points):
        return r2(np.maximum(count, 0) * step_points)

    def rank(key, eligible, points, step_main, step_town, within_group=True):
        out = np.zeros(n)
        pools = (~town, town) if within_group else (np.ones(n, bool),)
        for pool, step in zip(pools, (step_main, step_town)):
            idx = np.flatnonzero(pool & eligible)
            keys = np.sort(-key[idx])
            place = np.searchsorted(keys, -key[idx], side="left")  # 1-2-2-4
            out[idx] = np.maximum(points - place * step, 0)
        return out

    def floor0(x):
        return np.maximum(x, 0)

    s = {}
    s["新增参保"] = prop("企业职工养老保险新增参保人数", 20, 0.7)
    s["居保转企保"] = prop("居保转企保人数", 30, 0.7)
    s["参保位次"] = rank(rate["企业职工养老保险新增参保人数"], rate["企业职工养老保险新增参保人数"] >= 1, 5, 0.5, 0.25)
    s["缴费人数"] = prop("居民养老保险缴费人数", 15)
    high = f[("居民养老保险缴费人数", "高档缴费人数")] / f[("居民养老保险缴费人数", "任务")]
    s["缴费标准位次"] = rank(high, rate["居民养老保险缴费人数"] >= 1, 10, 1, 0.5)
    s["缴费人数位次"] = rank(rate["居民养老保险缴费人数"], rate["居民养老保险缴费人数"] >= 1, 5, 0.5, 0.25)
    s["即征即保"] = 5 * f[("即征即保", "全部即征即保")]
    s["劳动年龄段"] = 5 * f[("劳动年龄段被征地农民参保", "全部纳入社会养老保险")]
    debt, paid = f[("历史欠款清欠", "历史欠款")], f[("历史欠款清欠", "当年清欠")]
    s["清欠"] = r2(np.where(debt == 0, 5, 5 * np.minimum(np.maximum(paid / np.where(debt == 0, 1, debt), 0), 1)))
    social = sum(s.values())

    o = {}
    o["留学"] = prop("新增留学回国人员数", 6)
    o["引进"] = prop("引进高校毕业生和专业技术人员数", 10)
    o["基地"] = meet("高校人才培养合作基地", 4)
    o["见习人数"] = prop("就业见习人数", 2)
    o["见习岗位"] = prop("就业见习岗位数", 2)
    short = {i: f[(i, "任务")] - f[(i, "实际")] for i in RATE_ITEMS}
    o["招才"] = floor0(1 - per(short["招才引智活动"], 1))
    talent = sum(o.values())
    e = {}
    for item, points in (("城镇新增就业", 3), ("城镇失业人员再就业人数", 2), ("城乡就业困难人员就业再就业人数", 2),
                         ("开发公益性岗位数", 2), ("创业培训", 2)):
        e[item] = meet(item, points)
    bases_required = np.where(town, 1, 2)
    e["用工"] = floor0(3 - per(12 - f[("服务企业用工", "用工服务上报月数")], 0.5)
                      - per(bases_required - f[("服务企业用工", "劳务基地数")], 1))
    e["外引"] = floor0(2 - r2(np.floor(np.maximum(short["劳动力外引"], 0) / 10) * 1))
    e["支持创业"] = floor0(3 - per(short["支持成功自主创业人数"], 0.1))
    e["扶持农民"] = floor0(3 - per(short["扶持农民自主创业人数"], 0.1))
    e["大学生"] = floor0(2 - per(short["引领大学生创业人数"], 0.2))
    e["带动就业"] = floor0(2 - r2(np.floor(np.maximum(short["创业带动就业人数"], 0) / 10) * 0.1))
    e["创新创优"] = f[("创新创优项目", "评分")]
    jobs = sum(e.values())
    t = {}
    for item, points in (("补贴性职业技能培训人数", 3), ("城乡劳动者就业培训人数", 1), ("新生代农民工职业技能培训人数", 2),
                         ("职业技能鉴定取证人数", 2), ("新增高技能人才数", 3), ("新增技师高级技师人数", 1)):
        t[item] = prop(item, points)
    t["双创"] = np.minimum(_projects(records, n), 3)
    skills = sum(t.values())
    rr = {}
    rr["社区"] = floor0(1 - per(f[("社区管理率", "未纳入管理例数")], 0.1))
    checkup = floor0(2 - r2(np.maximum(1 - f[("体检率", "体检率")], 0) * 100 * 0.1))
    rr["体检"] = np.where((checkup != 0) & (f[("体检率", "服务不及时或弄虚作假")] == 1), 0, checkup)
    fraud = floor0(3 - per(f[("无新增冒领", "漏核误核例数")], 0.5))
    rr["冒领"] = np.where((fraud != 0) & (f[("无新增冒领", "冒领未追缴到位")] == 1), 0, fraud)
    rr["追缴"] = floor0(1 - per(f[("历史冒领追缴", "配合不力例数")], 0.2))
    rr["死亡"] = floor0(2 - per(f[("死亡信息上报", "未及时上报申领例数")], 0.2) - per(f[("死亡信息上报", "投诉举报例数")], 0.5))
    times = f[("文体活动", "活动次数")]
    sport = floor0(1 - per(2 - times, 0.5))
    rr["文体"] = np.where((sport != 0) & ((times == 0) | (f[("文体活动", "参加市级活动")] == 0)), 0, sport)
    retired = sum(rr.values())
    retired = np.where((retired != 0) & (f[("退休人员社会化管理", "重大事故")] == 1), 0, retired)
    lab = {}
    lab["排查"] = floor0(4 - per(f[("工资支付排查率", "排查缺少次数")], 0.5) - per(f[("工资支付排查率", "检查数量不足次数")], 0.5)
                        - per(f[("工资支付排查率", "未及时处置起数")], 1) - per(f[("工资支付排查率", "未上传起数")], 0.5))
    lab["书面审查"] = 2 * f[("年度书面审查率", "完成注册审查计划")]
    lab["省平台"] = floor0(4 - per(f[("省平台数据维护率", "月数据上传不正常例数")], 0.5))
    lab["专职"] = np.where(f[("专职调解人员", "专职调解人员数")] >= 2, 1.0, 0.0)
    lab["联动"] = f[("联动化解机制", "有联动化解机制")]
    lab["三有"] = np.clip(np.floor(f[("案件处理三有", "达到的有数")]), 0, 3)
    lab["调撤"] = np.clip(np.floor(f[("调撤率", "实际")] * 10 + 1e-9), 0, 5)
    labour = floor0(sum(lab.values()) - 2 * f[("构建和谐劳动关系", "恶劣影响例数")]
                    - 2 * f[("构建和谐劳动关系", "集访例数")])
    other = talent + jobs + skills + retired + labour
    loans = f[("助保贷款放款", "放款户数")]
    bonus = prop("助保贷款初审指导人数", 1) + rank(loans, loans > 0, 1, 0.05, 0.05, within_group=False)
    total = r2(social * 0.6 + other * 0.4 + bonus)

    amounts = {}
    everything = np.logical_and.reduce([rate[i] >= 1 for i in RATE_ITEMS])
    amounts["绩效考核补助"] = _bands(total, everything, [50000, 40000, 40000, 30000, 30000, 30000])
    amounts["居保转企保"] = _bands(total, rate["居保转企保人数"] >= 1, [30000, 20000, 10000])
    for name, section in (("人才", talent), ("创业", jobs), ("技能", skills), ("退休", retired), ("劳动", labour)):
        amounts[name] = _bands(section, np.ones(n, bool), [30000, 20000, 10000])
    epoch_days_0930, epoch_days_0331 = 18900, 18717  # 2021-09-30, 2021-03-31 (dates are days since 1970)
    amounts["提前1"] = np.where(f[("企业职工养老保险新增参保人数", "完成日期")] <= epoch_days_0930,
                              np.where(f[("企业职工养老保险新增参保人数", "任务")] >= 1100, 15000, 10000), 0)
    amounts["提前2"] = np.where(f[("居民养老保险缴费人数", "完成日期")] <= epoch_days_0331, 10000, 0)
    amounts["双超额"] = np.where((rate["企业职工养老保险新增参保人数"] >= 1.05) & (rate["居民养老保险缴费人数"] >= 1.05), 30000, 0)
    for item, low, high in (("企业职工养老保险新增参保人数", 20, 30), ("居保转企保人数", 30, 40)):
        actual, target = np.maximum(f[(item, "实际")], 0), np.maximum(f[(item, "任务")], 0)
        amounts[item] = r2(np.minimum(actual, target) * low + np.maximum(actual - target, 0) * high)
    pay = sum(f[("居民养老保险缴费人数", f"缴费{level}元人数")] * rate_
              for level, rate_ in ((900, 4), (1200, 6), (1800, 6), (2400, 6), (3000, 8), (4000, 8), (5000, 8)))
    amounts["档次"] = r2(pay)
    overall = np.searchsorted(np.sort(-total), -total, side="left") + 1
    sections = {"社会保险工作": social, "人才开发服务": talent, "创业就业富民行动": jobs, "职业技能培训行动计划": skills,
                "退休人员社会化管理": retired, "构建和谐劳动关系": labour, "阳光扶贫助保贷款工作": bonus}
    return {"total": total, "rank": overall, "amounts": amounts, "sections": sections,
            "items": {**s, **o, **e, **t, **rr, **lab}}


def _bands(key, eligible, places) -> np.ndarray:
    """Rank bands by key among the eligible; a tie across a band edge gets the average."""
    out = np.zeros(len(key))
    idx = np.flatnonzero(eligible)
    ordered = np.sort(-key[idx])
    better = np.searchsorted(ordered, -key[idx], side="left")
    tied = np.searchsorted(ordered, -key[idx], side="right") - better
    cum = np.concatenate(([0.0], np.cumsum(np.array(places, float)), np.zeros(1)))
    cum[len(places) + 1:] = cum[len(places)]
    last = np.minimum(better + tied, len(places))
    first = np.minimum(better, len(places))
    out[idx] = r2((cum[last] - cum[first]) / tied)
    return out


def _projects(records, n: int) -> np.ndarray:
    """按项目就高: each project at its best class, classes summed within their limits.
    records: (unit, project code, class) int arrays; a project code is unique per unit."""
    unit, project, cls = records
    points = np.array([p for _, p, _ in PROJECT_CLASSES])[cls]
    order = np.lexsort((cls, -points, project))
    first = order[np.concatenate(([True], project[order][1:] != project[order][:-1]))] if len(order) else order
    counts = np.zeros((n, len(PROJECT_CLASSES)))
    np.add.at(counts, (unit[first], cls[first]), 1)
    earned = np.zeros(n)
    for c, (_, each, up_to) in enumerate(PROJECT_CLASSES):
        raw = counts[:, c] * each
        earned += np.minimum(raw, up_to) if up_to else raw
    return earned


def read(folder, values_files, wide: bool = False):
    """The synthetic data (bench/synthetic.py's layout, long or `wide`) read by pyarrow into
    float64 columns by (item, field): the baseline reads its own input, not through kpidsl."""
    import pyarrow.csv as pacsv

    units = pacsv.read_csv(folder / "units.csv").to_pydict()
    names = units[next(iter(units))]
    groups = units[list(units)[1]]
    position = {name: i for i, name in enumerate(names)}
    f: dict = {}
    for name in values_files:
        (_read_wide if wide else _read_long)(folder / name, names, f)
    records = pacsv.read_csv(next(folder.glob("records*.csv"))).to_pydict()
    cols = list(records)
    class_of = {label: c for c, (labels, _, _) in enumerate(PROJECT_CLASSES) for label in labels}
    projects: dict = {}
    unit = np.array([position[u] for u in records[cols[0]]], np.int64)
    project = np.array([projects.setdefault((u, p), len(projects)) for u, p in zip(unit.tolist(), records[cols[2]])],
                       np.int64)
    level = np.array([class_of[v] for v in records[cols[3]]], np.int64)
    return f, np.array([g == "镇" for g in groups], np.int64), (unit, project, level)


def _floats(value) -> np.ndarray:
    """Cells as written (是/否, 85%, 2021-09-30, numbers) as float64; dates as days since 1970."""
    import pyarrow as pa
    import pyarrow.compute as pc

    numbers = np.zeros(len(value))
    flag = pc.is_in(value, value_set=pa.array(["是"])).to_numpy(zero_copy_only=False)
    percent = pc.ends_with(value, "%").to_numpy(zero_copy_only=False)
    day = pc.match_substring_regex(value, r"^\d{4}-\d{2}-\d{2}$").to_numpy(zero_copy_only=False)
    plain = ~(flag | percent | day | pc.is_in(value, value_set=pa.array(["否"])).to_numpy(zero_copy_only=False))
    numbers[flag] = 1.0
    numbers[plain] = pc.cast(value.filter(pa.array(plain)), pa.float64()).to_numpy()
    numbers[percent] = pc.cast(pc.utf8_slice_codeunits(value.filter(pa.array(percent)), 0, -1),
                               pa.float64()).to_numpy() / 100
    numbers[day] = pc.cast(pc.cast(pc.strptime(value.filter(pa.array(day)), "%Y-%m-%d", "s"), pa.date32()),
                           pa.int32()).to_numpy()
    return numbers


def _read_long(path, names, f: dict) -> None:
    """One row per value (unit, item, field, value): pivoted by (item, field)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types={c: pa.string() for c in pacsv.read_csv(path).column_names}))
    unit, item, field, value = (table.column(i) for i in range(4))
    codes = pc.index_in(unit, value_set=pa.array(names)).to_numpy(zero_copy_only=False)
    numbers = _floats(value)
    pairs = pc.binary_join_element_wise(item, field, "\x00").dictionary_encode().combine_chunks()
    keys = [tuple(k.split("\x00")) for k in pairs.dictionary.to_pylist()]
    pair = pairs.indices.to_numpy()
    for k, key in enumerate(keys):
        rows = np.flatnonzero(pair == k)
        f.setdefault(key, np.zeros(len(names)))[codes[rows]] = numbers[rows]


def _read_wide(path, names, f: dict) -> None:
    """One row per unit: a header of items, a 字段 row (else every column is a 任务), a unit and
    its figures a row. Columns pyarrow reads as numbers are taken as they are."""
    import csv

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    with path.open(encoding="utf-8", newline="") as header:
        rows = csv.reader(header)
        items, second = next(rows), next(rows)
    fields = second if second[0] == "字段" else ["任务"] * len(items)
    columns = [f"c{i}" for i in range(len(items))]
    table = pacsv.read_csv(path, read_options=pacsv.ReadOptions(column_names=columns,
                                                                skip_rows=2 if second[0] == "字段" else 1),
                           convert_options=pacsv.ConvertOptions(column_types={"c0": pa.string()}))
    codes = pc.index_in(table.column(0), value_set=pa.array(names)).to_numpy(zero_copy_only=False)
    for c in range(1, len(items)):
        if fields[c].endswith("说明"):
            continue
        column = table.column(c)
        if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
            numbers = column.to_numpy().astype(float)
        elif pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
            numbers = pc.cast(pc.cast(column, pa.date32()), pa.int32()).to_numpy().astype(float)
        else:
            numbers = _floats(column)
        f.setdefault((items[c], fields[c]), np.zeros(len(names)))[codes] = numbers


if __name__ == "__main__":  # the whole process, as bench/bench.py times it: read, score, write
    import sys
    from pathlib import Path

    folder, out = Path(sys.argv[1]), sys.argv[2]  # then --wide: the values files one row per unit
    f, group, records = read(folder, [p.name for p in sorted(folder.glob("*.csv"))
                                      if p.name != "units.csv" and not p.name.startswith("records")],
                             wide="--wide" in sys.argv[3:])
    with np.errstate(divide="ignore", invalid="ignore"):
        result = score(f, group, records)
    np.savetxt(out, np.column_stack([result["total"], result["rank"]]), fmt="%.2f", delimiter=",")
