"""Sentences to rules: each sentence of an item or section matched against the phrases of
`patterns.py`; what a phrase's template cannot say is built here."""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from . import patterns
from .outline import Node, best_item, name_of

_DIGITS = {"一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8",
           "九": "9", "十": "10"}
_COUNTED = re.compile(rf"[一二两三四五六七八九十](?=(?:{patterns.UNIT}|个百分点))")
_COMPILED = [(p, re.compile(p.pattern)) for p in patterns.PHRASES]
_SCORING = re.compile(patterns.SCORING)
# what a sentence may hold besides its rules and still be wholly recognised: the points its
# heading declares ("（5分，低于10%不得分）", "（总分20分，扣完为止）", "…工作，100分。"), 扣完为止
# (the default), a label ("加分办法：") and the name of a method a rule states ("采取争先进位法加分")
_DECLARED = re.compile(rf"\((?:总分)?{patterns.N}分(?:,(?:未完成|低于{patterns.N}%)不得分)?[,)]?|^[^,。]*,{patterns.N}分(?=。|$)|"
                       rf"各{patterns.N}分|完成[\u4e00-\u9fff]{{2,6}}?指标得{patterns.N}分|(?:直到)?扣完为止|"
                       r"^[\u4e00-\u9fff]{0,4}办法:|采取[\u4e00-\u9fff]{2,8}法(?:加分|计分|评分)")
_BASE_UNITS = ("人次", "人", "个", "家", "次", "项", "户", "名", "例", "起", "月")


@dataclass
class Context:
    """What a builder may need besides the sentence: the node, its scheme-wide neighbours."""
    node: Node
    items: list[Node]  # every item of the draft, named
    siblings: list[Node]
    groups: list[str]
    counted: bool  # the item has targets that are counts (每少 reads 任务 - 实际)


@dataclass
class Found:
    kind: str  # rule | deduct | veto | cap | total | note
    text: str
    reading: str | None = None
    phrase: str = ""
    sentence: str = ""  # the sentence it was recognised in


@dataclass
class Recognised:
    statements: list[Found] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # scoring sentences not (wholly) recognised
    recognised: int = 0  # scoring sentences that became rules, wholly
    partial: int = 0  # pending sentences of which a part became a rule


def normal(sentence: str) -> str:
    text = unicodedata.normalize("NFKC", sentence)
    text = re.sub(r"\s+", "", text)
    return _COUNTED.sub(lambda m: _DIGITS[m.group(0)], text)


def sentences(text: str) -> list[str]:
    """A passage as sentences: split after 。 and at line breaks, numbering kept."""
    parts = re.split(r"(?<=[。])|\n+", text)
    return [p.strip() for p in parts if p.strip() and p.strip() not in ("。",)]


def scoring(sentence: str) -> bool:
    return bool(_SCORING.search(normal(sentence)))


def recognise(texts: list[str], ctx: Context | None) -> Recognised:
    out = Recognised()
    for passage in texts:
        _passage(passage, ctx, out)
    return out


def _passage(passage: str, ctx: Context | None, out: Recognised) -> None:
    earlier = ""  # what a builder may look back on: "不少于2次。少1次扣0.5分"
    for sentence in sentences(passage):
        text = normal(sentence)
        taken: list[tuple[int, int]] = []
        found: list[Found] = []
        for phrase, regex in _COMPILED:
            for m in regex.finditer(text):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                made = _make(phrase, m, ctx, earlier + text[:m.start()])
                if made is None:
                    continue
                taken.append(m.span())
                found.extend(dataclasses.replace(f, sentence=sentence) for f in made)
        leftover = "".join(ch if not any(s <= i < e for s, e in taken) else " " for i, ch in enumerate(text))
        leftover = _DECLARED.sub("", leftover)
        if any(f.text.startswith("分档") for f in found):  # the tiers' 否则 0分
            leftover = re.sub(rf"低于{patterns.N}%的?不得分|超过{patterns.N}%的部分", "", leftover)
        out.statements.extend(found)
        heading = re.search(rf"\({patterns.N}分\)$", text) and not found  # "（三）加分项目：…（2分）"
        if _SCORING.search(leftover) and (len(text) > 12 or re.search(r"\d", text)) and not heading:
            out.pending.append(sentence)  # not recognised, or only in part: the rest is 待定
            out.partial += bool(found)
        elif found:
            out.recognised += 1
        earlier += text


def _make(phrase: patterns.Phrase, m: re.Match, ctx: Context | None, before: str) -> list[Found] | None:
    if phrase.build:
        made = BUILDERS[phrase.build](m, ctx, before)
        if made is None:
            return None
        return [Found(f.kind or phrase.kind, f.text, f.reading or phrase.reading and phrase.reading.format(
            **{k: v or "" for k, v in m.groupdict().items()}), phrase.name) for f in made]
    if ctx is None and phrase.kind == "rule":
        return None  # a scoring rule belongs to an item
    groups = {k: v or "" for k, v in m.groupdict().items()}
    return [Found(phrase.kind, phrase.rule.format(**groups),
                  phrase.reading.format(**groups) if phrase.reading else None, phrase.name)]


def field_name(clause: str, suffix: str = "") -> str:
    clause = re.sub(r"^[,;:、]+", "", clause)
    for cause in ("导致", "造成"):
        if f"并{cause}" in clause:  # "到上级部门集访并造成不良影响": the act is what is counted
            clause = re.sub(r"^(?:到|在|向)[^,]*?(?:部门|单位|机关)", "", clause.split(f"并{cause}")[0])
            break
        if cause in clause:  # "在如皋造成恶劣影响": the consequence
            clause = clause.rsplit(cause, 1)[1]
    if clause.startswith("因"):  # "因配合不力未追缴到位且无正当理由": named by the cause
        clause = re.split(r"(?<=.)[未且而]", clause[1:], maxsplit=1)[0]
    for word in patterns.LEADING + patterns.MODIFIERS:
        # "退休人员或家属投诉举报": the subject is more than the word
        if clause.startswith(word) and len(clause) > len(word) + 1 and clause[len(word)] not in "或和及与":
            clause = clause[len(word):]
            break
    name = name_of(clause.replace("、", "").replace("未能", "未") + suffix)
    return name


def _unit(u: str) -> str:
    return u if u in _BASE_UNITS else u[-1]


def _meet_named(m, ctx, before):
    if ctx is None:
        return None
    return [Found("rule", f"达标 {field_name(m.group('x'))}")]


def _meet_condition(m, ctx, before):
    if ctx is None:
        return None
    clause = re.sub(r"^\d+[.、]?", "", m.group("c"))  # ②, read as 2
    fact = field_name(clause)
    return [Found("rule", f"达标 {fact}", f"字段 {fact}：是或否（原文：{clause}）。")]


def _staffed(m, ctx, before):
    """"配备至少2名从事基层劳资矛盾调解的专职人员": a count of the staff, named by who they
    are and the last two characters of the work they do (专职调解人员数)."""
    if ctx is None:
        return None
    work = name_of(m.group("work") or "")[-2:] if m.group("work") else ""
    count = f"{m.group('who')}{work}人员数"
    return [Found("rule", f"达标 {count} >= {m.group('n')}人",
                  f"字段 {count}：配备的人数；名称取人员及所从事工作的末两字。")]


def _established(m, ctx, before):
    """"建立…重大劳资矛盾联动化解机制": a yes/no fact, 有 and the mechanism's last two words
    (four characters: 有联动化解机制); a mechanism for something is named for it after 的."""
    if ctx is None:
        return None
    what = name_of(re.split(r"的", m.group("what"))[-1])[-4:]
    fact = f"有{what}{m.group('kind')}"
    return [Found("rule", f"达标 {fact}", f"字段 {fact}：是或否；名称取所建{m.group('kind')}名称的末四字。")]


def _tiers_at_least(m, ctx, before):
    if ctx is None:
        return None
    bands = re.findall(rf"达到({patterns.N}%)的?得({patterns.N})分", m.group(0))
    if ctx.node.points and max(Decimal(p) for _, p in bands) > Decimal(ctx.node.points):
        return None  # tiers above the item's points: not this item's rule
    inside = "  ".join(f">= {x}: {p}分" for x, p in bands)
    return [Found("rule", f"分档 实际 {{ {inside}  否则: 0分 }}",
                  "低于最低一档得0分；实际为该率（百分数）。")]


def _tiers_count(m, ctx, before):
    """"达到一个有得1分" in an item of 3分: 1, 2, 3 of them."""
    if ctx is None or ctx.node.points is None:
        return None
    each, points = Decimal(m.group("p")), Decimal(ctx.node.points)
    if each <= 0 or points % each:
        return None
    count = f"达到的{m.group('x')}数"
    steps = int(points / each)
    bands = "  ".join(f">= {k}个: {each * k:f}分" for k in range(1, steps + 1))
    return [Found("rule", f"分档 {count} {{ {bands}  否则: 0分 }}", f"{count}：达到的个数（0至{steps}）。")]


def _tiers_ranges(m, ctx, before):
    if ctx is None or ctx.node.points is None:
        return None
    bands = [(Decimal(a), Decimal(b), Decimal(p)) for a, b, p in
             re.findall(rf"({patterns.N})%-({patterns.N})%的?得({patterns.N})分", m.group(0))]
    points = Decimal(ctx.node.points)
    reading = "每档含下限、不含上限；低于最低一档得0分。"
    if "依次类推" in m.group(0) and len(bands) >= 2:  # continue the steps up to the item's points
        width, step = bands[-1][1] - bands[-1][0], bands[-1][2] - bands[-2][2]
        while step > 0 and bands[-1][2] + step <= points and bands[-1][1] < 100:
            a, _, p = bands[-1]
            bands.append((a + width, a + 2 * width, p + step))
        reading = "“依次类推”按同样的档宽和分差推到本项满分，满分一档不设上限；" + reading
    parts = [f"{a}% 至 {b}%: {p}分" for a, b, p in bands[:-1]]
    last = bands[-1]
    parts.append(f">= {last[0]}%: {last[2]}分" if last[2] == points else f"{last[0]}% 至 {last[1]}%: {last[2]}分")
    return [Found("rule", f"分档 实际 {{ {'  '.join(parts)}  否则: 0分 }}", reading)]


def _levels(m, ctx, before):
    if ctx is None:
        return None
    levels = re.findall(rf"([\u4e00-\u9fff]{{1,4}}级)(?:项目)?得({patterns.N})分", m.group(0))
    levels.sort(key=lambda lp: -Decimal(lp[1]))
    inside = "\n".join(f"{level}: 每项 {p}分" for level, p in levels)
    return [Found("rule", f"按项目就高 {{\n{inside}\n}}",
                  "记录文件每行一个项目及其级别；同一项目按最高级别计一次，各项目得分相加。")]


def _stages(m, ctx, before):
    """"申报省级“双创人才”项目的得1分，通过南通初审的得1.5分…评选成功得3分": the stages a
    project reaches, each a class of 按项目就高, the highest first."""
    if ctx is None:
        return None
    short = name_of(m.group("proj"))[:2]
    rows = [("申报", Decimal(re.search(rf"项目的?得({patterns.N})分", m.group(0)).group(1)))]
    rows += [(name_of(stage), Decimal(p)) for stage, p in
             re.findall(rf",([^,。;\d]{{2,12}}?)的?得({patterns.N})分", m.group(0))]
    rows.sort(key=lambda r: -r[1])
    return [Found("rule", "按项目就高 {\n" + "\n".join(f"{short}{stage}: 每项 {p:f}分" for stage, p in rows) + "\n}")]


def _classes(m, ctx, before):
    """"省、南通市级1项1分，最多2分；如皋市级1项0.5分，最多1.5分": per project, by class, each
    class with its limit; a project counted once, at its best class."""
    if ctx is None:
        return None
    rows = []
    for level, each, most in re.findall(rf"([^,;。]{{2,20}}?)的?,?(?:1|每)项({patterns.N})分,?最多({patterns.N})分",
                                        m.group(0)):
        names = [n for n in re.sub(r"^(?:其中|[\u4e00-\u9fff]{1,3}后)", "", level).split("、") if n]
        if names[-1].endswith("级"):  # "省、南通市级": 省级, 南通市级
            names = [n if n.endswith("级") else n + "级" for n in names]
        rows.append(f"{', '.join(name_of(n) for n in names)}: 每项 {each}分 最多 {most}分")
    return [Found("rule", "按项目就高 {\n" + "\n".join(rows) + "\n}",
                  "记录文件每行一个项目及其类别；同一项目列在几类时按得分最高的一类计一次，各类不超过其上限。")]


def _cap(m, ctx, before):
    if ctx is None:
        return None
    return [Found("cap", f"封顶 {m.group('n') or m.group('m')}分")]


def _item_for(phrase: str, ctx: Context) -> Node | None:
    candidates = [n for n in ctx.siblings if n is not ctx.node and n.targets] or \
        [n for n in ctx.items if n is not ctx.node and n.targets]
    return best_item(phrase, candidates, 0.4) if candidates else None


def _rank_groups(m, ctx, before):
    if ctx is None:
        return None
    whole = m.group(0)
    steps = re.findall(rf"排名第一的([\u4e00-\u9fff]+?)得满分,其后的?\1?依次递减({patterns.N})分", whole)
    if not steps:
        steps = [("", s) for s in re.findall(rf"依次递减({patterns.N})分", whole)]
    reading = []
    eligible = re.search(r"完成(?:全年)?(?P<what>[^,。;]{2,30}?)任务的", before)
    item = _item_for(eligible.group("what"), ctx) if eligible else None
    key = m.group("key")
    if key.endswith("完成率") and (item is not None or _item_for(key, ctx) is not None):
        ref = item or _item_for(key, ctx)
        key_text = f"{ref.name}.完成率"
    else:
        key_text = "排名依据"
        reading.append(f"排名依据：{key}（原文），填入数值文件字段 排名依据。")
    only = f" 仅限 {item.name}.完成率 >= 100%" if item is not None else ""
    if item is not None:
        reading.append(f"未完成 {item.name} 任务的单位不参与排名，得0分；完成率相同者名次相同。")
    by_group = [g for g, _ in steps if g in ctx.groups]
    pool = "分组内" if "分别" in whole and by_group else "全体"
    stepped = ", ".join(f"{g} {s}分" if g in ctx.groups else f"{s}分" for g, s in steps)
    return [Found("rule", f"排名 降序 按 {key_text} {pool}{only} 依次递减 {stepped}", " ".join(reading) or None)]


def _rank_most(m, ctx, before):
    if ctx is None:
        return None
    key = name_of(re.sub(r"^[年月日前止]+", "", m.group("key")))
    # "按当年银行放款户数…助保贷款放款户数最多的": the shorter name the sentence also uses
    key = next((key[i:] for i in range(1, len(key) - 1) if key[i:] in before.rsplit("。", 1)[-1]), key)
    only = f" 仅限 {key} > 0" if m.group("none") else ""
    return [Found("rule", f"排名 降序 按 {key} 全体{only} 依次递减 {m.group('s')}分",
                  f"全体单位统一排名，依据为字段 {key}；相同者名次相同。")]


def _short_name(before: str) -> str | None:
    """What a passage has units set up or held (建立外引劳务基地, 举办人力资源市场), by the longest
    end of its name the passage uses again (…并利用劳务基地: 劳务基地), else its whole name."""
    found = re.search(r"(?:建立|设立|举办|组建)(?P<x>[\u4e00-\u9fff]{2,12})(?=[,。;并])", before)
    if found is None:
        return None
    whole, rest = found.group("x"), before[found.end():]
    return next((whole[i:] for i in range(1, len(whole) - 1) if whole[i:] in rest), whole)


def _least_by_group(m, ctx, before):
    """"主功能区不少于两家，其余各镇不少于一家，少一家扣1分": a constant per group, the shortfall
    against it deducted."""
    if ctx is None or {m.group("a"), m.group("b")} != set(ctx.groups):
        return None  # a constant names every group
    what = _short_name(before)
    if what is None:
        return None
    unit = _unit(m.group("u"))
    count, least = f"{what}数", f"{what}要求"
    return [Found("constant", f"常量 {least} = {m.group('a')} {m.group('x')}{unit}, {m.group('b')} {m.group('y')}{unit}"),
            Found("deduct", f"每 1{unit} ({least} - {count}) 扣 {m.group('m')}分",
                  f"{count}：实有的{what}数（以原文后文所用的简称命名）；{least}为各组的最低数（常量）。")]


def _per_short(m, ctx, before):
    if ctx is None:
        return None
    n, unit, points = m.group("n"), _unit(m.group("u")), m.group("m")
    monthly = re.search(r"(?P<what>[\u4e00-\u9fff]{2,8}?)(?:情况|工作)?实行(?P<p>月|季)(?P<verb>[\u4e00-\u9fff]{2})[^。]*?"
                        r"每(?P=p)度?不少于1次,$", before.rsplit("。", 1)[-1])
    if monthly and n == "1" and unit == "次" and not m.group("ctx"):
        # "用工服务情况实行月上报…每月不少于一次，少一次扣0.5分": the months without one
        period = "月" if monthly.group("p") == "月" else "季度"
        count = f"{monthly.group('what')}{monthly.group('verb')}{period}数"
        return [Found("deduct", f"每 1次 ({12 if period == '月' else 4}次 - {count}) 扣 {points}分",
                      f"{count}：全年有{monthly.group('verb')}的{period}数（每{period}不少于1次，少一{period.replace('月', '个月')}扣{points}分）。")]
    if re.search(r"每(?:月|季度?|年)[^,。;]{0,4}不少于$", before + m.group("ctx")) or \
            re.search(r"每(?:月|季度?|年)不少于\d+次,$", before):
        return None  # "每月不少于一次，少一次…": counted per period, left to the writer
    if re.search(r"(?:其余|其他)?各?[\u4e00-\u9fff]{0,4}不少于\d+[\u4e00-\u9fff],(?:其余|其他)", before):
        return None  # a least number per kind of unit ("主功能区不少于两家，其余各镇不少于一家")
    least = re.search(rf"(?P<what>[\u4e00-\u9fff]{{2}})不少于(?P<k>\d+)(?P<u>{patterns.UNIT})[,。]?$", before)
    if ctx.counted and not least:
        partial = " 不足一档 不计" if n != "1" else ""
        reading = (f"不足{n}{unit}的零头不扣分（原文未写明；改为 不足一档 按比例计 则按比例扣）。"
                   if n != "1" else None)
        return [Found("deduct", f"每少 {n}{unit} 扣 {points}分{partial}", reading)]
    if least:
        count = f"{least.group('what')}次数" if least.group("u") == "次" else f"{least.group('what')}{unit}数"
        return [Found("deduct", f"每 {n}{unit} ({least.group('k')}{_unit(least.group('u'))} - {count}) 扣 {points}分",
                      f"{count}：全年实际的{least.group('what')}{_unit(least.group('u'))}数。")]
    required = re.search(r"按照?([\u4e00-\u9fff]{1,6})要求,$", before)
    if required and not m.group("ctx"):  # "按照三有要求，每缺一起扣0.2分": 缺三有起数
        missing = f"缺{name_of(required.group(1))}{unit}数"
    else:
        missing = field_name(m.group("ctx"), f"缺少{unit}数")
    return [Found("deduct", f"每 {n}{unit} {missing} 扣 {points}分", f"{missing}：比要求少的{unit}数。")]


def _share_short(m, ctx, before):
    """"不足6%的，扣1分" where the item says "其中大学生创业人数不少于6%" (before or after): that
    part's share of the item's actual."""
    if ctx is None:
        return None
    passage = normal(" ".join(ctx.node.sentences)) if ctx.node.sentences else before
    part = re.search(rf"其中(?P<x>[\u4e00-\u9fff]{{2,12}}?)不少于{re.escape(m.group('p'))}", before + passage)
    if part is None:
        return None
    return [Found("deduct", f"若 ({name_of(part.group('x'))} / 实际) < {m.group('p')} 扣 {m.group('m')}分")]


def _per_point(m, ctx, before):
    if ctx is None:
        return None
    rate = m.group("rate")
    for word in patterns.MODIFIERS:
        if rate.startswith(word) and len(rate) > len(word) + 1:
            rate = rate[len(word):]
    rate = name_of(rate)
    return [Found("deduct", f"每 1% (100% - {rate}) 扣 {m.group('m')}分 不足一档 按比例计")]


def _per_case(m, ctx, before):
    unit = m.group("u")
    name = field_name(m.group("ctx"), "起数" if unit == "起" else "例数")
    unit = "例"  # 一起 or 一例: one incident each
    typo = f"原文“扣{m.group('m')}份”按“扣{m.group('m')}分”理解。" if m.group("typo") else None
    return [Found("deduct", f"每 1{unit} {name} 扣 {m.group('m')}分", typo)]


def _veto(m, ctx, before):
    named = re.search(r"(?:若出现|出现|若发生|发生)([^,。;()]{2,10}?)(?:,|的)", before[-40:] + m.group(0))
    return [Found("veto", f"一票否决 {field_name(named.group(1) if named else m.group('c'))}")]


def _deduct_if(m, ctx, before):
    """"台账不全的扣2分": once. Where its sentence says the item is assessed each period
    ("数据维护每季度考核一次，维护不正常的扣0.5分"), it is taken off for each period found so."""
    clause = m.group("c")
    if any(w in clause for w in ("每", "少", "不足", "低于")):
        return None
    period = re.search(r"每(季度|月)考核1次", before.rsplit("。", 1)[-1])
    if period:
        count = field_name(clause, f"{period.group(1)}数")
        return [Found("deduct", f"每 1次 {count} 扣 {m.group('m')}分",
                      f"按{period.group(1)}计：{count}为全年{clause}的{period.group(1)}数，每个扣{m.group('m')}分。")]
    return [Found("deduct", f"若 {field_name(clause)} 扣 {m.group('m')}分")]


def _veto_no_score(m, ctx, before):
    """"服务不及时到位、弄虚作假不得分": a veto on that fact. A part in the negative reads as the
    fact negated ("不参加市级活动" -> 非 参加市级活动), and "未开展活动" as a count of 0 where the
    passage counts them ("不少于2次")."""
    clause = m.group("c")
    if ctx is None or any(w in clause for w in patterns.NOT_A_VETO) or re.search(r"\d", clause):
        return None
    counted = re.search(r"([\u4e00-\u9fff]{2})不少于\d+次", before)
    parts = []
    for part in re.split(r"或|、", clause):
        if part.startswith("不") and len(part) > 2:
            parts.append(f"非 {field_name(part[1:])}")
        elif part.startswith("未开展") and counted:
            parts.append(f"({counted.group(1)}次数 = 0)")
        else:
            parts.append(field_name(part))
    if len(parts) > 1 and any(p.startswith(("非", "(")) for p in parts):
        return [Found("veto", "一票否决 " + " 或 ".join(parts))]
    return [Found("veto", f"一票否决 {field_name(clause.replace('、', '或'))}")]


def _total(m, ctx, before):
    x, y = int(m.group("x")), int(m.group("y"))
    a, b = name_of(m.group("a")), name_of(m.group("b"))
    return [Found("total", f"{a}|{Decimal(100 * x) / (x + y):f}|{b}|{Decimal(100 * y) / (x + y):f}")]


def _award(m, ctx, before):
    """Prizes for the first places: "第1名、第2和3名、第4至6名分别给予…50000元、40000元、30000元",
    or one amount a place. Ranked by the total, or, where the sentence opens with a list of
    lines of work ("人才开发服务、创业就业富民行动…成绩显著的"), one award each, by its score."""
    amounts = re.findall(r"(\d+)元", m.group("amounts"))
    sentence = before + m.group(0)
    bands = re.findall(r"第(\d+)(?:(?:和|至|-)(\d+))?名", sentence)
    if len(bands) != len(amounts):
        bands = [(str(i), "") for i in range(1, len(amounts) + 1)]
    if int(bands[-1][1] or bands[-1][0]) != int(m.group("n")):
        return None
    places = "  ".join(f"名次 {a}{f' 至 {b}' if b else ''}: {x}元" for (a, b), x in zip(bands, amounts))
    lines = re.match(r"^\d*\.?([\u4e00-\u9fff]+(?:、[\u4e00-\u9fff]+)+)成绩", sentence)
    keys = lines.group(1).split("、") if lines else [""]
    condition = re.search(r"(?:^|[,;])(?:\d+\.)?(?P<c>(?P<what>[^,。;]{0,40}?)全面完成[^,。;]*?任务)", sentence)
    what, whole = (condition.group("what"), condition.group("c")) if condition else ("", "")
    return [Found("award", f"{key}|{m.group('what')}|{places}|{what}|{whole}") for key in keys]


def _department(m, ctx, before):
    """"同时对…部门（分别）给予…补助20000元": money for the departments beside the units' award
    of the same passage; whose they are (该项工作, 上述工作) write.py reads from that award."""
    scope = "each" if m.group("each") and "上述" in m.group("who") else "item" if "该项" in m.group("who") else ""
    return [Found("department", f"{scope}|{m.group('what')}|{m.group('amount') or ''}|{m.group(0)}")]


# Money for a task done, written with {item} (and {other}) for the items the sentence names,
# and {year} for the scheme's year: write.py puts them in, or leaves the sentence 待定.
def _grant_by_date(m, ctx, before):
    done = f"{{item}}.完成日期 <= {{year}}-{int(m.group('mo')):02d}-{int(m.group('d')):02d}"
    if m.group("amount"):
        return [Found("grant", f"提前完成补助|{m.group('what')}||若 {done} 则 得 {m.group('amount')}元 否则 得 0元")]
    tiers = f"若 {{item}}.任务 >= {m.group('n')}人 则 得 {m.group('hi')}元 否则 得 {m.group('lo')}元"
    return [Found("grant", f"提前完成补助|{m.group('what')}||若 {done} 则 {tiers} 否则 得 0元",
                  f"“{m.group('n')}人以上”按下达的任务数计（原文未写明；按完成数计则把 .任务 改为 .实际）。")]


def _grant_both_over(m, ctx, before):
    rate = f"{100 + Decimal(m.group('p')):f}%"
    return [Found("grant", f"超额补助|{m.group('a')}|{m.group('b')}|若 ({{item}}.完成率 >= {rate}) 且 "
                           f"({{other}}.完成率 >= {rate}) 则 得 {m.group('amount')}元 否则 得 0元")]


def _grant_per_head(m, ctx, before):
    what = re.sub(r"^.*[,;:。]", "", m.group("what"))
    return [Found("grant", f"人数补助|{what}||每人 {m.group('x')}元 按 {{item}}.实际 超出 {{item}}.任务 "
                           f"每人 {m.group('y')}元")]


def _grant_by_level(m, ctx, before):
    """"年缴费标准为900元的每人补助4元，缴费标准为1200元、1800元的每人补助6元": so much a head
    at each level of contribution, the heads counted per level."""
    rows = [f"每人 {each}元 按 {{item}}.缴费{level}元人数"
            for levels, each in re.findall(r"缴费标准为((?:\d+元、?)+)的每人补助(\d+)元", m.group(0))
            for level in re.findall(r"(\d+)元", levels)]
    return [Found("grant", f"缴费档次补助|{m.group('what')}||" + "\n  ".join(rows))]


def _share(m, ctx, before):
    return [Found("note", "份额")]


BUILDERS = {
    "meet_named": _meet_named, "meet_condition": _meet_condition, "tiers_at_least": _tiers_at_least,
    "tiers_ranges": _tiers_ranges, "tiers_count": _tiers_count, "levels": _levels, "classes": _classes, "stages": _stages, "staffed": _staffed, "established": _established, "cap": _cap, "rank_groups": _rank_groups,
    "rank_most": _rank_most, "per_short": _per_short, "least_by_group": _least_by_group, "per_point": _per_point, "share_short": _share_short, "per_case": _per_case,
    "veto": _veto, "deduct_if": _deduct_if, "award": _award, "department": _department, "grant_by_date": _grant_by_date,
    "grant_both_over": _grant_both_over, "grant_per_head": _grant_per_head, "grant_by_level": _grant_by_level, "veto_no_score": _veto_no_score, "total": _total, "share": _share,
}
