"""The stock phrases `kpi draft` recognises, and the rule each becomes.

One entry a phrase: its name, an example sentence (the tests draft each example and expect
the rule), a regular expression over the sentence, and the rule — a template filled with the
expression's named groups (`{p}`), or, where the rule needs more than a fill-in (a list of
tiers, a ranking that names another item), a builder in `kpidsl/draft/rules.py` named by
`build`. `reading` is the 口径 written beside the rule: the choice the phrase left open.

Sentences are matched after NFKC (full-width punctuation as ASCII: `,` `:` `;` `(` `)` `%`)
and with counts in words as digits (一次 -> 1次, 两家 -> 2家). To teach `kpi draft` a phrase,
add an entry here with its example; the order matters where two phrases overlap (the longer
first).
"""
from __future__ import annotations

from dataclasses import dataclass

N = r"\d+(?:\.\d+)?"  # a number
UNIT = r"人次|人|个|家次|家|次|项|户|名|例|起|月"  # what is counted


@dataclass(frozen=True)
class Phrase:
    name: str
    example: str
    pattern: str
    rule: str | None = None  # a template: "按比例 实际 / 任务 未达 {t} 不得分"
    build: str | None = None  # or a builder in rules.py
    kind: str = "rule"  # rule (the item's one scoring rule) | deduct | veto | cap | total | award | grant
    # | department (money for a department, beside a units' award) | note
    reading: str | None = None


PHRASES: list[Phrase] = [
    Phrase("按比例，未达门槛不得分",
           "完成任务得20分，未完成按比例扣分，未达70%不得分",
           rf"完成[^。]{{0,20}}?得(?:满分|{N}分),?未完成的?,?按比例(?:扣分|得分),?未达(?P<t>{N}%)的?不得分",
           "按比例 实际 / 任务 未达 {t} 不得分"),
    Phrase("按比例",
           "完成任务数的，此项考核得满分；未完成的，按完成实绩比例得分",
           rf"完成[^。]{{0,30}}?(?:得|加)(?:满分|{N}分)[^。]{{0,6}}?未完成的?,?按(?:完成实绩|完成)?比例(?:扣分|得分)",
           "按比例 实际 / 任务"),
    Phrase("配备至少几名人员，未完成不得分",
           "配备至少2名从事基层劳资矛盾调解的专职人员（1分，未完成不得分）",
           r"配备(?:至少|不少于)(?P<n>\d+)名(?:从事(?P<work>[^,。;()]*?)的)?(?P<who>[\u4e00-\u9fff]{0,4}?)人员[^。]*?未完成的?不得分",
           build="staffed"),
    Phrase("建立某机制，未完成不得分",
           "建立与镇区司法所、工会等部门联动的重大劳资矛盾联动化解机制（1分，未完成不得分）",
           r"建立(?P<what>[^,。;()]*?)(?P<kind>机制|制度)[^。]*?未完成的?不得分",
           build="established"),
    Phrase("完成得满分，未完成不得分",
           "完成得满分，未完成的不得分",
           r"(?:完成(?:任务)?得满分,?)?未完成的?,?不得分",
           "达标"),
    Phrase("未开展不得分",
           "未开展不得分",
           r"^未(?P<x>开展|建立|举办)不得分",
           "达标 已{x}",
           reading="字段 已{x}：是或否。"),
    Phrase("未完成某事的该项不得分",
           "未完成注册、审查计划的，该项不得分",
           r"未(?P<x>完成[^,。;]{1,20}?)的,(?:该项|此项)?不得分",
           build="meet_named"),
    Phrase("如此得分，否则不得分",
           "劳动年龄段被征地农民全部纳入社会养老保险体系的，得5分，否则不得分",
           rf"(?P<c>[^,。;()]{{2,40}}?)的,得{N}分,否则不得分",
           build="meet_condition"),
    Phrase("无某事得满分，有则按比例",
           "无历史欠款的，得5分；有历史欠款的，当年全部清欠得5分，否则按清欠比例得分",
           rf"无(?P<x>[\u4e00-\u9fff]{{2,8}})的,?得{N}分;有(?P=x)的,?(?P<when>当年)?全部(?P<y>[\u4e00-\u9fff]{{1,4}})"
           rf"得{N}分,否则按(?P=y)比例得分",
           "若 {x} = 0 则 满分 否则 按比例 {when}{y} / {x}",
           reading="{x}、{when}{y}为数值文件的字段（同一计量单位）；比例 = {when}{y} / {x}。"),
    Phrase("每达到一个得分",
           "按照三有要求，达到一个有得1分",
           rf"(?:每)?达到1个(?P<x>[\u4e00-\u9fff]{{1,6}}?)得(?P<p>{N})分",
           build="tiers_count"),
    Phrase("择优加分",
           "能及时完成上级部门布置的突击性工作，择优加分",
           r"择优(?:加分|计分|评分)|酌情(?:加分|计分)",
           "评定",
           reading="由考核组评定本项得分（0至满分），评分与理由填入数值文件（字段 评分，说明 列写理由）。"),
    Phrase("分档：达到x得y分",
           "调撤率达到10%的得1分，达到20%的得2分，达到30%的得3分",
           rf"(?:达到{N}%的?得{N}分[,;]?){{2,}}",
           build="tiers_at_least"),
    Phrase("分档：区间，依次类推",
           "按照40%-50%的得1分，50%-60%的得2分，依次类推",
           rf"(?:{N}%-{N}%的?得{N}分[,;]?){{2,}}(?:依次类推)?",
           build="tiers_ranges"),
    Phrase("等级：同一项目取最高级",
           "本市级项目得1分，南通市级项目得2分，省级项目得3分，国家级项目得4分；同一项目取最高级得分",
           rf"(?:[\u4e00-\u9fff]{{1,4}}级(?:项目)?得{N}分[,;]?){{2,}}同[一1]项目取最高级",
           build="levels"),
    Phrase("阶段：申报、初审…评选成功",
           "申报省级“双创人才”项目的得1分，通过南通初审的得1.5分，入围省面试的得2分，评选成功得3分",
           rf"申报[^,。;“”\"]{{0,8}}[“\"](?P<proj>[^”\"]{{2,12}})[”\"]项目的?得{N}分"
           rf"(?:,[^,。;\d]{{2,12}}?的?得{N}分){{2,}}",
           build="stages",
           reading="一个项目所达阶段各记一行，按最高阶段计一次；阶段以项目简称（引号内名称的前两字）加阶段命名。"),
    Phrase("按类每项计分，各有上限",
           "其中省、南通市级1项1分，最多2分；如皋市级1项0.5分，最多1.5分",
           rf"(?:[^,;。]{{2,20}}?的?,?(?:1|每)项{N}分,?最多{N}分[,;]?){{2,}}",
           build="classes"),
    Phrase("封顶",
           "4分封顶",
           rf"(?P<n>{N})分封顶|最高计分为\s*(?P<m>{N})\s*分",
           build="cap", kind="cap"),
    Phrase("排名第一得满分，其后依次递减",
           "按参保完成率对镇和主功能区分别进行排名:排名第一的主功能区得满分，其后的主功能区依次递减0.5分",
           rf"按(?P<key>[^,。;]{{1,40}}?)(?:,)?对[^,。;]*?排名[^。]*?(?:依次递减{N}分[^。]*?)+(?=。|$)",
           build="rank_groups"),
    Phrase("最多者加满分，其后依次递减",
           "放款户数最多的镇区加1分，其后依次递减0.05分，当年未放款的镇区不得分",
           rf"(?P<key>[\u4e00-\u9fff]{{2,12}}?)最多的[^,]{{0,6}}?(?:加|得){N}分,其后依次递减(?P<s>{N})分"
           rf"(?:,[^,。]*?未(?P<none>[\u4e00-\u9fff]{{1,6}}?)的[^,。]{{0,4}}不得分)?",
           build="rank_most"),
    Phrase("各组不少于若干，少一个扣分",
           "积极培育建立外引劳务基地，并利用劳务基地引进劳动力。主功能区不少于两家，其余各镇不少于一家，少一家扣1分",
           rf"(?P<a>[\u4e00-\u9fff]{{1,6}}?)不少于(?P<x>\d+)(?P<u>{UNIT}),(?:其余|其他)各?(?P<b>[\u4e00-\u9fff]{{1,4}}?)"
           rf"不少于(?P<y>\d+)(?P=u),每?少1(?P=u)扣(?P<m>{N})分",
           build="least_by_group", kind="deduct"),
    Phrase("每少若干扣分",
           "每少10人扣1分，扣完为止",
           rf"(?P<ctx>[\u4e00-\u9fff]{{0,6}}?)(?<!不)(?:每少|缺少|每缺|少)(?P<n>\d+)(?P<u>{UNIT})扣(?P<m>{N})分?",
           build="per_short", kind="deduct"),
    Phrase("每降低一个百分点扣分",
           "退休人员体检率100%，无正当理由每降低1个百分点扣0.1分",
           rf"(?P<rate>[\u4e00-\u9fff]{{2,10}}率)(?:100%)?[^。]{{0,12}}?每降低1个百分点扣(?P<m>{N})分",
           build="per_point", kind="deduct",
           reading="不足1个百分点按比例扣（原文未写明；改为 不足一档 不计 则零头不扣）。"),
    Phrase("出现一例扣分",
           "未及时处置的，一起扣1分",
           rf"(?P<ctx>[^,。;()]{{2,40}}?)的?,?(?:出现|有)?(?P<n>1)(?P<u>例|起)[,]?扣(?P<m>{N})(?P<typo>份)?分?",
           build="per_case", kind="deduct"),
    Phrase("其中某部分不足若干扣分",
           "其中大学生创业人数不少于6%。不足6%的，扣1分",
           rf"不足(?P<p>{N}%)的?,扣(?P<m>{N})分",
           build="share_short", kind="deduct",
           reading="“不足{p}”指原文“其中…不少于{p}”的那部分占本项实际的比例。"),
    Phrase("某情形扣分",
           "台账不全的扣2分",
           rf"(?P<c>[^,。;()\d]{{2,20}}?)的,?扣(?P<m>{N})分",
           build="deduct_if", kind="deduct"),
    Phrase("一票否决",
           "若出现重大事故，因处置不力造成恶劣社会影响的，一票否决",
           rf"(?P<c>[^,。;()]{{2,30}}?)的?,(?:将)?(?:实施)?[\"“]?一票否决制?[\"”]?(?:,此项{N}分全扣)?",
           build="veto", kind="veto"),
    Phrase("某情形该项不得分",
           "服务不及时到位、弄虚作假不得分",
           r"(?P<c>[^,。;()]{2,30}?)的?,?(?:该项|此项)?不得分",
           build="veto_no_score", kind="veto"),
    Phrase("总分按比例合成",
           "社会保险工作、人力资源社会保障其他重点工作的考核结果按6：4计算各镇（区、街道）最终得分",
           r"(?P<a>[^,。;、]+)、(?P<b>[^,。;、]+)的考核结果按(?P<x>\d+):(?P<y>\d+)计算",
           build="total", kind="total"),
    Phrase("前几名分别给予奖励",
           "按得分高低选前六名，按第1名、第2和3名、第4至6名分别给予绩效考核补助50000元、40000元、30000元",
           r"前(?P<n>\d+)名[^。;]*?分别给予(?P<what>[\u4e00-\u9fff]+?)(?P<amounts>(?:\d+元、?)+)",
           build="award", kind="award"),
    Phrase("同时对部门给予补助",
           "同时对推进上述工作成绩突出的部门分别给予绩效考核补助50000元",
           r"同时对(?P<who>[^,。;]*?)部门(?P<each>分别)?给予(?P<what>[\u4e00-\u9fff]+?补助)(?:(?P<amount>\d+)元)?",
           build="department", kind="department"),
    Phrase("某日前完成任务给予补助",
           "对3月31日前完成居民养老保险任务的镇（区、街道）给予10000元经费补助",
           r"(?P<mo>\d{1,2})月(?P<d>\d{1,2})日前完成(?P<what>[^,。;]{2,20}?)任务的[^,。;:]*?给予"
           r"(?:(?P<amount>\d+)元经费补助|经费补助:[^,。;]*?(?P<n>\d+)人以上(?:\(含\d+人\))?的补助(?P<hi>\d+)元,"
           r"\d+人以下的补助(?P<lo>\d+)元)",
           build="grant_by_date", kind="grant"),
    Phrase("双超额给予补助",
           "对超额完成职工基本养老保险任务和居民养老保险任务均达到5%的镇（区、街道）补助30000元",
           rf"超额完成(?P<a>[^,。;]{{2,20}}?)任务和(?P<b>[^,。;]{{2,20}}?)任务均达到(?P<p>{N})%的[^,。;]*?补助(?P<amount>\d+)元",
           build="grant_both_over", kind="grant"),
    Phrase("每新增1人补助，超额部分另计",
           "职工基本养老保险每新增1人补助20元，超额完成目标任务的部分，按每人30元补助",
           r"(?P<what>[\u4e00-\u9fff]{2,30}?)每新增1人补助(?P<x>\d+)元,超额完成目标任务的部分,按每人(?P<y>\d+)元补助",
           build="grant_per_head", kind="grant"),
    Phrase("按缴费档次每人补助",
           "居民养老保险年缴费标准为900元的每人补助4元，缴费标准为1200元、1800元的每人补助6元",
           r"(?P<what>[\u4e00-\u9fff]{2,20}?)年?缴费标准为(?:\d+元、?)+的每人补助\d+元(?:,缴费标准为(?:\d+元、?)+的每人补助\d+元)+",
           build="grant_by_level", kind="grant",
           reading="各缴费档次的人数填入数值文件字段 缴费N元人数（N为年缴费标准）。"),
    Phrase("因素分析法",
           "按照“因素分析法”计算市本级各街道（镇）人社服务中心（所）得分情况",
           r"因素分析法",
           build="share", kind="note"),
]

# A clause often begins with who or when: what a field's name leaves out.
LEADING = ("若出现", "出现", "当年发生", "发生", "一旦发现有", "一旦发现", "因", "有", "若", "当年")
# Words before a rate that are no part of its name (当批次退休人员体检率 -> 体检率).
MODIFIERS = ("当年度", "年度", "当批次", "退休人员", "全年")
# A clause with one of these states no fact of its own, but a threshold or a condition of
# something else ("低于10%不得分", "否则不得分"), and is not a veto.
NOT_A_VETO = ("未完成", "未达", "低于", "否则", "完成", "排名", "镇区", "不足")
# Words that make a sentence a scoring sentence: one that no phrase recognised is 待定.
SCORING = r"\d+(?:\.\d+)?\s*分|扣|不得分|否决|得满分|加分|奖励|补助|\d+\s*元|排名|按比例"
