"""`kpi draft`: each stock phrase of kpidsl/draft/patterns.py becomes its rule; a .docx and the
extracted text both draft; bad input is refused in Chinese; and, on the seed notices, how much
of the bundled schemes the drafts reproduce (printed, and held as a floor)."""
from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from kpidsl import ast
from kpidsl.cli import main
from kpidsl.draft import patterns
from kpidsl.draft.outline import Node
from kpidsl.draft.rules import Context, recognise, sentences as split
from kpidsl.fmt import format_scheme
from kpidsl.pipeline import bundled_schemes, load_all, read_scheme

from test_scheme_coverage import SCORING_SENTENCES, SCORING_SENTENCES_2018, SEEDS

# The rule each phrase's example becomes (in an item of 5分 with targets that are counts).
EXPECTED = {
    "按比例，未达门槛不得分": "按比例 实际 / 任务 未达 70% 不得分",
    "按比例": "按比例 实际 / 任务",
    "配备至少几名人员，未完成不得分": "达标 专职调解人员数 >= 2人",
    "建立某机制，未完成不得分": "达标 有联动化解机制",
    "完成得满分，未完成不得分": "达标",
    "未开展不得分": "达标 已开展",
    "未完成某事的该项不得分": "达标 完成注册审查计划",
    "如此得分，否则不得分": "达标 劳动年龄段被征地农民全部纳入社会养老保险体系",
    "无某事得满分，有则按比例": "若 历史欠款 = 0 则 满分 否则 按比例 当年清欠 / 历史欠款",
    "每达到一个得分": "分档 达到的有数 { >= 1个: 1分  >= 2个: 2分  >= 3个: 3分  >= 4个: 4分  >= 5个: 5分  否则: 0分 }",
    "择优加分": "评定",
    "分档：达到x得y分": "分档 实际 { >= 10%: 1分  >= 20%: 2分  >= 30%: 3分  否则: 0分 }",
    "分档：区间，依次类推": "分档 实际 { 40% 至 50%: 1分  50% 至 60%: 2分  60% 至 70%: 3分  70% 至 80%: 4分  "
                          ">= 80%: 5分  否则: 0分 }",
    "等级：同一项目取最高级": "按项目就高 {\n国家级: 每项 4分\n省级: 每项 3分\n南通市级: 每项 2分\n本市级: 每项 1分\n}",
    "阶段：申报、初审…评选成功": "按项目就高 {\n双创评选成功: 每项 3分\n双创入围省面试: 每项 2分\n双创通过南通初审: 每项 1.5分\n"
                           "双创申报: 每项 1分\n}",
    "按类每项计分，各有上限": "按项目就高 {\n省级, 南通市级: 每项 1分 最多 2分\n如皋市级: 每项 0.5分 最多 1.5分\n}",
    "封顶": "封顶 4分",
    "排名第一得满分，其后依次递减": "排名 降序 按 排名依据 分组内 依次递减 主功能区 0.5分",
    "最多者加满分，其后依次递减": "排名 降序 按 放款户数 全体 仅限 放款户数 > 0 依次递减 0.05分",
    "各组不少于若干，少一个扣分": ("常量 劳务基地要求 = 主功能区 2家, 镇 1家", "每 1家 (劳务基地要求 - 劳务基地数) 扣 1分"),
    "每少若干扣分": "每少 10人 扣 1分 不足一档 不计",
    "每降低一个百分点扣分": "每 1% (100% - 体检率) 扣 0.1分 不足一档 按比例计",
    "出现一例扣分": "每 1例 未及时处置起数 扣 1分",
    "其中某部分不足若干扣分": "若 (大学生创业人数 / 实际) < 6% 扣 1分",
    "某情形扣分": "若 台账不全 扣 2分",
    "一票否决": "一票否决 重大事故",
    "某情形该项不得分": "一票否决 服务不及时到位或弄虚作假",
    "总分按比例合成": "社会保险工作|60|人力资源社会保障其他重点工作|40",
    "前几名分别给予奖励": "|绩效考核补助|名次 1: 50000元  名次 2 至 3: 40000元  名次 4 至 6: 30000元||",
    "同时对部门给予补助": "each|绩效考核补助|50000|同时对推进上述工作成绩突出的部门分别给予绩效考核补助50000元",
    "某日前完成任务给予补助": "提前完成补助|居民养老保险||若 {item}.完成日期 <= {year}-03-31 则 得 10000元 否则 得 0元",
    "双超额给予补助": "超额补助|职工基本养老保险|居民养老保险|若 ({item}.完成率 >= 105%) 且 ({other}.完成率 >= 105%) "
                "则 得 30000元 否则 得 0元",
    "每新增1人补助，超额部分另计": "人数补助|职工基本养老保险||每人 20元 按 {item}.实际 超出 {item}.任务 每人 30元",
    "按缴费档次每人补助": "缴费档次补助|居民养老保险||每人 4元 按 {item}.缴费900元人数\n  每人 6元 按 {item}.缴费1200元人数\n"
                   "  每人 6元 按 {item}.缴费1800元人数",
    "因素分析法": "份额",
}


def _context(points: str = "5", counted: bool = True) -> Context:
    item = Node("某指标", points, targets={"甲镇": "100"}, name="某指标")
    return Context(item, [item], [item], ["主功能区", "镇"], counted)


@pytest.mark.parametrize("phrase", patterns.PHRASES, ids=lambda p: p.name)
def test_each_phrase_makes_its_rule(phrase):
    found = recognise([phrase.example], _context())
    made = [f.text for f in found.statements if f.phrase == phrase.name]
    expected = EXPECTED[phrase.name]
    assert made == (list(expected) if isinstance(expected, tuple) else [expected])  # a tuple: several statements


def test_every_phrase_is_tested():
    assert set(EXPECTED) == {p.name for p in patterns.PHRASES}


def test_a_veto_in_the_negative():
    found = recognise(["当年度开展退休人员文体活动不少于2次。少1次扣0.5分；未开展活动或不参加市级活动的，该项不得分。"],
                      _context(counted=False))
    assert [f.text for f in found.statements] == ["每 1次 (2次 - 活动次数) 扣 0.5分",
                                                 "一票否决 (活动次数 = 0) 或 非 参加市级活动"]


def test_a_deduction_assessed_each_period_counts_the_periods():
    found = recognise(["平台数据维护每季度考核一次，维护不正常的扣0.5分，未维护的扣2分。台账不全的扣2分。"],
                      _context(counted=False))
    assert [f.text for f in found.statements] == ["每 1次 维护不正常季度数 扣 0.5分", "每 1次 未维护季度数 扣 2分",
                                                 "若 台账不全 扣 2分"]


def test_at_least_once_a_month_counts_the_months():
    found = recognise(["用工服务情况实行月上报，季公示制度，每月不少于一次，少一次扣0.5分，扣完为止。"], _context(counted=False))
    assert [f.text for f in found.statements] == ["每 1次 (12次 - 用工服务上报月数) 扣 0.5分"]
    found = recognise(["开展用工需求调查，每季度不少于1次，每少1家次扣1分。"], _context(counted=False))
    assert found.statements == [] and len(found.pending) == 1  # per quarter and per firm: left to the writer


def test_a_least_number_per_group_is_a_constant_at_the_top(tmp_path, capsys):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for text in ["一、考核内容", "（一）就业，10分",
                 "1.新增参保（5分）：按完成率对镇和主功能区分别进行排名：排名第一的主功能区得满分，其后的主功能区依次递减0.5分；"
                 "排名第一的镇得满分，其后的镇依次递减0.25分。",
                 "2.劳务基地（5分）：积极建立外引劳务基地，并利用劳务基地引进劳动力。主功能区不少于两家，其余各镇不少于一家，少一家扣1分。",
                 "附件1", "目标任务分解表"]:
        document.add_paragraph(text)
    table = document.add_table(rows=2, cols=5)
    for row, cells in zip(table.rows, [["项目", "合计", "甲镇", "乙镇", "丙区"], ["新增参保（人）", "60", "30", "20", "10"]]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    document.save(str(tmp_path / "n.docx"))
    assert main(["draft", str(tmp_path / "n.docx"), "--out", str(tmp_path / "out")]) == 0, capsys.readouterr().err
    text = (tmp_path / "out" / "draft.kpi").read_text(encoding="utf-8")
    assert "# 主功能区不少于两家，其余各镇不少于一家，少一家扣1分。\n常量 劳务基地要求 = 主功能区 2家, 镇 1家\n" in text
    assert "每 1家 (劳务基地要求 - 劳务基地数) 扣 1分" in text and "待定" not in text


def test_a_share_stated_after_its_deduction_is_found():
    sentence = "每少1人扣0.2分，扣完为止;不足6%的，扣1分。其中大学生创业人数不少于6%。"
    item = Node("新增创业人数", "6", sentences=[sentence], targets={"甲镇": "100"}, name="新增创业人数")
    found = recognise([sentence], Context(item, [item], [item], [], True))
    assert [f.text for f in found.statements] == ["每少 1人 扣 0.2分", "若 (大学生创业人数 / 实际) < 6% 扣 1分"]
    assert found.pending == []


def test_a_bonus_scored_in_parts_is_a_section_of_items(tmp_path, capsys):
    notice = tmp_path / "n.txt"
    notice.write_text("一、考核内容\n（一）就业，5分\n1.新增就业（5分）：未完成不得分。\n（二）加分项目：助保贷款工作（2分）\n"
                      "加分办法：完成助保贷款初审指导人数的加1分,未完成的按比例得分；协助银行放款按当年银行放款户数采取争先进位法加分，"
                      "截止2021年12月20日助保贷款放款户数最多的镇区加1分，其后依次递减0.05分，当年未放款的镇区不得分。\n",
                      encoding="utf-8")
    assert main(["draft", str(notice), "--out", str(tmp_path / "out")]) == 0, capsys.readouterr().err
    text = (tmp_path / "out" / "draft.kpi").read_text(encoding="utf-8")
    assert re.search(r"加分板块 助保贷款工作 2分 \{\n(  原文 .*\n)+  指标 助保贷款初审指导人数 1分 \{\n    按比例 实际 / 任务\n", text)
    assert "  指标 助保贷款放款户数 1分 {\n    排名 降序 按 放款户数 全体 仅限 放款户数 > 0 依次递减 0.05分\n" in text
    assert "待定" not in text


def test_tiers_above_the_items_points_are_pending_and_a_rule_not_used_is_one_line(tmp_path, capsys):
    found = recognise(["达到10%的得1分，达到20%的得2分"], _context(points="1"))
    assert found.statements == [] and found.pending == ["达到10%的得1分，达到20%的得2分"]
    notice = tmp_path / "n.txt"
    notice.write_text("一、考核内容\n（一）人才工作，3分\n1.人才项目（3分）：达到10%的得1分，达到20%的得2分。"
                      "申报“双创人才”项目的得1分，通过初审的得1.5分，评选成功得3分。\n", encoding="utf-8")
    assert main(["draft", str(notice), "--out", str(tmp_path / "out")]) == 0, capsys.readouterr().err
    text = (tmp_path / "out" / "draft.kpi").read_text(encoding="utf-8")
    assert "原文另有一条计分规则未用（一个指标只能有一条）：按项目就高 { 双创评选成功: 每项 3分 双创通过初审: 每项 1.5分" in text


def test_stages_and_classes_of_one_item_make_one_table(tmp_path, capsys):
    notice = tmp_path / "n.txt"
    notice.write_text("一、考核内容\n（一）人才工作，3分\n1.人才项目（3分）：申报省级“双创人才”项目的得1分，通过南通初审的得1.5分，"
                      "评选成功得3分。其中省、南通市级1项1分，最多2分；如皋市级1项0.5分，最多1.5分。\n", encoding="utf-8")
    assert main(["draft", str(notice), "--out", str(tmp_path / "out")]) == 0, capsys.readouterr().err
    text = (tmp_path / "out" / "draft.kpi").read_text(encoding="utf-8")
    assert "按项目就高 {\n      双创评选成功: 每项 3分\n      双创通过南通初审: 每项 1.5分\n      双创申报: 每项 1分\n" \
           "      省级, 南通市级: 每项 1分 最多 2分\n      如皋市级: 每项 0.5分 最多 1.5分\n    }" in text
    assert text.count("口径") == 1 and "前两字" in text and "各类不超过其上限" in text  # both readings, one line


def test_what_a_deduction_counts_is_named_by_a_stated_convention():
    found = recognise(["因处置劳资纠纷不当，到南通市级以上部门集访并造成不良影响的，有一例扣2分（总分20分，扣完为止）。",
                       "因处置劳资纠纷不及时，在如皋造成恶劣影响的，有一例扣2分。",
                       "做到处理有反馈、过程有记录（2分，按照三有要求，每缺一起扣0.2分，扣完为止）"], _context(counted=False))
    assert [f.text for f in found.statements] == ["每 1例 集访例数 扣 2分", "每 1例 恶劣影响例数 扣 2分",
                                                 "每 1起 缺三有起数 扣 0.2分"]
    assert found.pending == []  # the bracket declares the section's points


def test_an_unknown_scoring_sentence_is_pending_and_prose_is_not():
    found = recognise(["按季度开展用工调查。考核组视工作情况酌情扣1至3分。"], _context())
    assert found.statements == []
    assert found.pending == ["考核组视工作情况酌情扣1至3分。"]


def test_a_partly_recognised_sentence_keeps_the_rest_pending():
    found = recognise(["排查每少一次扣0.5分，每月上报一次，少报的按季度通报并扣0.5分。"], _context(counted=False))
    assert [f.text for f in found.statements][:1] == ["每 1次 排查缺少次数 扣 0.5分"]
    assert len(found.pending) == 1


# ---------------------------------------------------------------------------------------------
def _docx(path: Path) -> Path:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("某市2022年就业工作考核办法", level=1)
    document.add_paragraph("一、考核内容")
    document.add_paragraph("（一）就业创业工作，10分")
    document.add_paragraph("1.城镇新增就业（6分）：完成任务得6分，未完成按比例扣分，未达60%不得分。")
    document.add_paragraph("2.创业培训（4分）：每少10人扣1分，扣完为止。另开展创业大赛成效显著的，视情况给予奖励。")
    document.add_paragraph("附件1")
    document.add_paragraph("2022年就业工作目标任务分解表")
    table = document.add_table(rows=3, cols=5)
    for row, cells in zip(table.rows, [["项目", "合计", "甲镇", "乙镇", "丙镇"],
                                        ["城镇新增就业（人）", "600", "300", "200", "100"],
                                        ["创业培训（人）", "60", "30", "20", "10"]]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    document.add_paragraph("附件2")
    document.add_paragraph("其他工作考核表")
    scored = document.add_table(rows=3, cols=4)
    for row, cells in zip(scored.rows, [["项目", "考核内容", "分值", "评分标准"],
                                         ["安全生产（5分）", "培训覆盖率", "3", "未完成不得分。"],
                                         ["", "台账管理", "2", "台账不全的扣2分。"]]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    scored.cell(1, 0).merge(scored.cell(2, 0))  # as Word keeps a section's cell: merged down
    document.save(str(path))
    return path


def test_a_docx_drafts_and_checks(tmp_path, capsys):
    notice = _docx(tmp_path / "办法.docx")
    out = tmp_path / "草案"
    assert main(["draft", str(notice), "--out", str(out)]) == 0, capsys.readouterr()
    text = (out / "draft.kpi").read_text(encoding="utf-8")
    assert "按比例 实际 / 任务 未达 60% 不得分" in text
    assert "每少 10人 扣 1分 不足一档 不计" in text
    assert "# 待定：另开展创业大赛成效显著的，视情况给予奖励。" in text
    assert '别名 "城镇新增就业（人）"' in text
    rows = list(csv.DictReader(io.StringIO((out / "targets.csv").read_text(encoding="utf-8"))))
    assert {(r["单位"], r["指标"], r["值"]) for r in rows} == {
        ("甲镇", "城镇新增就业", "300"), ("乙镇", "城镇新增就业", "200"), ("丙镇", "城镇新增就业", "100"),
        ("甲镇", "创业培训", "30"), ("乙镇", "创业培训", "20"), ("丙镇", "创业培训", "10")}
    assert re.search(r"板块 安全生产 5分 \{\s+指标 培训覆盖率 3分 \{\s+达标", text)
    assert "若 台账不全 扣 2分" in text
    report = capsys.readouterr().out
    assert "4 句识别为规则，1 句待定" in report and "kpi check：通过" in report
    assert format_scheme(*read_scheme(out / "draft.kpi")) == text  # laid out by kpi fmt


def test_an_award_for_all_tasks_done_reads_every_task_of_the_tables(tmp_path, capsys):
    docx = pytest.importorskip("docx")
    notice = _docx(tmp_path / "办法.docx")
    document = docx.Document(str(notice))
    annex = next(p for p in document.paragraphs if p.text == "附件1")
    annex.insert_paragraph_before("二、奖励办法")
    annex.insert_paragraph_before("全面完成就业工作任务的镇，按得分高低选前两名，按第1名、第2名分别给予绩效考核补助20000元、10000元。"
                                 "同时对人社、财政等部门给予征缴工作绩效考核补助。")
    annex.insert_paragraph_before("2.按实际就业人数给予经费补助。城镇新增就业每新增1人补助20元，超额完成目标任务的部分，按每人30元补助。")
    document.save(str(notice))
    assert main(["draft", str(notice), "--out", str(tmp_path / "out")]) == 0, capsys.readouterr().err
    text = (tmp_path / "out" / "draft.kpi").read_text(encoding="utf-8")
    assert re.search(r"计算 全面完成任务 = \(城镇新增就业.完成率 >= 100%\)\s+且 \(创业培训.完成率 >= 100%\)\n", text)
    assert re.search(r"奖励 绩效考核补助 \{\n  仅限 全面完成任务\n  排名 降序 按 总分\n  名次 1: 20000元  名次 2: 10000元", text)
    assert '部门奖励 征缴工作绩效考核补助 {\n  原文 "同时对人社、财政等部门给予征缴工作绩效考核补助"\n  口径 "原文未定金额' in text
    assert [line.strip() for line in text.splitlines() if "# 待定" in line] == ["# 待定：另开展创业大赛成效显著的，视情况给予奖励。"]
    # a sentence announcing the grants, without a figure, is their 原文's lead, not 待定
    assert '原文 "2.按实际就业人数给予经费补助。城镇新增就业每新增1人补助20元' in text


@pytest.mark.parametrize("name,content,message", [
    ("无此文件.txt", None, "无法读取文件"),
    ("空.txt", b"  \n\n", "通知是空的"),
    ("旧.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Word 文档"),
    ("图.txt", b"\x89PNG\r\n\x1a\n\0\0\0", "不是文本或 .docx"),
    ("坏.docx", b"PK\x03\x04 not a zip", "不是可读的 .docx"),
    ("通知.txt", "关于做好春季招聘工作的通知\n各单位要高度重视。\n".encode(), "似乎不是考核办法"),
])
def test_bad_notices_are_refused_in_chinese(tmp_path, capsys, name, content, message):
    if content is not None:
        (tmp_path / name).write_bytes(content)
    assert main(["draft", str(tmp_path / name), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_folder_with_files_is_not_overwritten_without_force(tmp_path, capsys):
    notice = tmp_path / "n.txt"
    notice.write_text("一、考核内容\n（一）就业，5分\n1.新增就业（5分）：未完成不得分。\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "draft.kpi").write_text("我改过的草案", encoding="utf-8")
    assert main(["draft", str(notice), "--out", str(out)]) == 1
    assert "请加 --force" in capsys.readouterr().err
    assert (out / "draft.kpi").read_text(encoding="utf-8") == "我改过的草案"
    assert main(["draft", str(notice), "--out", str(out), "--force"]) == 0
    assert "达标" in (out / "draft.kpi").read_text(encoding="utf-8")


PIECES = ["一、考核内容", "（一）就业，10分", "（1）培训（5分）", "①新增就业（2分）：", "1.", "附件1", "附件2", "\t项目",
          "\t甲镇", "\t乙镇", "\t丙镇", "\t100", "\t(50)", "\t5", "\t序号", "\t指标权重（%）", "\t事项名称",
          "完成得满分，未完成不得分。", "每少10人扣1分，扣完为止。", "排名第一的镇得满分，其后的镇依次递减0.5分",
          "一票否决", "达到10%的得1分，达到20%的得2分", "4分封顶", "", "\t", "（", "）", "分", "。", "\t合计",
          "\t分值", "\t评分标准", "\t人才开发服务（25分）", "\t类别", "\t就业（40分）", "\t标准化下沉", "\t5.6",
          "\t其中：居保转企保", "\t15000\n(7500)", "培训和鉴定取证各3分", "1.考核（1分，未完成不得分）",
          "前3名分别给予奖励30000元、20000元、10000元", "对3月31日前完成就业任务的给予10000元经费补助", "因素分析法",
          "主功能区不少于两家，其余各镇不少于一家，少一家扣1分", "同时对人社等部门分别给予补助5000元",
          "（二）加分项目：贷款（2分）", "加分办法：完成初审人数的加1分,未完成的按比例得分；放款户数最多的镇区加1分，其后依次递减0.05分",
          "配备至少2名专职人员（1分，未完成不得分）", "建立联动化解机制（1分，未完成不得分）", "全面完成就业工作任务的镇，",
          "申报“双创人才”项目的得1分，通过初审的得1.5分，评选成功得3分", "每季度考核一次，维护不正常的扣0.5分",
          "缴费标准为900元的每人补助4元，缴费标准为1200元的每人补助6元", "不足6%的，扣1分。其中大学生创业人数不少于6%"]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30), st.booleans())
def test_any_text_drafts_or_is_refused_never_a_traceback(tmp_path_factory, pieces, lines):
    folder = tmp_path_factory.mktemp("fuzz")
    notice = folder / "n.txt"
    notice.write_text(("\n" if lines else "").join(pieces), encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["draft", str(notice), "--out", str(folder / "out")])
    # refused only as no scheme at all; a draft that is written always parses and checks
    assert code == 0 or ("似乎不是考核办法" in err.getvalue() or "是空的" in err.getvalue()), err.getvalue()


# ---------------------------------------------------------------------------------------------
# The seeds, measured against the bundled schemes written by hand.
RULE_WORDS = ("按比例", "达标", "每少", "每降低", "每 ", "若 ", "排名", "仅限", "依次递减", "分档", "等级",
              "按项目就高", "评定", "得 ", "份额", "一票否决", "封顶", "可为负分", "扣完为止", "否则")
# seed: (bundled scheme, its scoring sentences, floor of rule statements, floor of lines, most 待定),
# the floors the figures reached, so that a regression fails
SEED_FILES = {
    "000_3e7897c2aae47fa4.txt": ("rugao-2021.kpi", SCORING_SENTENCES, 0.88, 0.66, 2),
    "001_42908fad74cd561e.txt": ("rugao-2018.kpi", SCORING_SENTENCES_2018, 0.77, 0.50, 1),
    "002_7a59fa3328f8879e.txt": ("changzhou-platform.kpi", [], 0.88, 0.85, 5),
}
GOALS = {"000_3e7897c2aae47fa4.txt": 0.80}  # the goals; 0.70 for the others
MEASURED: list[str] = []


def scheme_lines(path: Path) -> list[str]:
    """The scheme's lines after `kpi fmt`: no comments, 原文, blank lines, closing braces or
    worked examples (示例, tests of the scheme rather than the policy's rules)."""
    kept, example = [], False
    for line in format_scheme(*read_scheme(path)).splitlines():
        s = line.strip()
        example = example or s.startswith("示例 ")
        if example:
            example = not line.startswith("}")
            continue
        if s and not s.startswith(("#", "原文 ")) and s not in ("{", "}"):
            kept.append(s)
    return kept


def reproduced(bundled: list[str], draft: list[str]) -> int:
    left = Counter(draft)
    hits = 0
    for line in bundled:
        if left[line]:
            left[line] -= 1
            hits += 1
    return hits


def items(nodes):
    for node in nodes:
        if isinstance(node, ast.Section):
            yield from items(node.children)
        else:
            yield node


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def targets(folder: Path, scheme: ast.Scheme) -> dict[tuple[str, frozenset, bool], dict[str, Decimal]]:
    """(labels, bracketed?) of each item -> unit -> target."""
    by_name = {}
    for item in items(scheme.sections):
        labels = frozenset(squeeze(x) for x in (item.name, item.title or "", *item.aliases, *item.sub_aliases) if x)
        by_name[item.name] = (labels, bool(item.sub_aliases))
    found: dict = {}
    path = folder / "targets.csv"
    for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))) if path.exists() else []:
        if row["字段"] == "任务" and row["指标"] in by_name:
            found.setdefault(by_name[row["指标"]], {})[squeeze(row["单位"])] = Decimal(row["值"].rstrip("%"))
    return found


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed notices (../shared/seeds) are not here")
@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_seed_drafts_check_and_reproduce_the_bundled_scheme(seed, tmp_path, capsys):
    bundled_name, sentences, floor, floor_lines, most_pending = SEED_FILES[seed]
    out = tmp_path / "draft"
    assert main(["draft", str(SEEDS / seed), "--out", str(out)]) == 0, capsys.readouterr().err
    report = capsys.readouterr().out
    pending = int(re.search(r"(\d+) 句待定", report).group(1))
    assert main(["check", str(out / "draft.kpi"), "--no-data"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    loaded = load_all(out / "draft.kpi", check_data=False)  # its units and targets read; actuals yet to come

    bundled = scheme_lines(bundled_schemes() / bundled_name)
    drafted = scheme_lines(out / "draft.kpi")
    rules = [line for line in bundled if line.startswith(RULE_WORDS) or re.match(r"^\S+: 每项", line)]
    share, share_lines = reproduced(rules, drafted) / len(rules), reproduced(bundled, drafted) / len(bundled)

    # every scoring sentence is in the draft, as a rule's 原文 or as 待定
    text = squeeze((out / "draft.kpi").read_text(encoding="utf-8"))
    missing = [s for s in sentences if any(squeeze(part) not in text for part in split(s))]

    # targets: every unit and item of the bundled targets, equal
    mine = targets(out, loaded.scheme)
    theirs = targets(bundled_schemes() / bundled_name.removesuffix(".kpi"),
                     load_all(bundled_schemes() / bundled_name, with_data=False).scheme)
    unequal = []
    for (labels, sub), values in theirs.items():
        match = [v for (l, s), v in mine.items() if l & labels and s == sub]
        if match != [values]:
            unequal.append(sorted(labels)[0])
    MEASURED.append(f"{seed} ({bundled_name}): rule statements {reproduced(rules, drafted)}/{len(rules)} = "
                    f"{share:.0%}, all lines {reproduced(bundled, drafted)}/{len(bundled)} = {share_lines:.0%}, "
                    f"待定 {pending}, targets {len(theirs) - len(unequal)}/{len(theirs)} items equal")
    with capsys.disabled():
        print("\n" + MEASURED[-1])
    assert not missing
    assert not unequal
    assert share >= GOALS.get(seed, 0.70)  # the goal, met for each seed
    assert share >= floor and share_lines >= floor_lines and pending <= most_pending


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed notices (../shared/seeds) are not here")
def test_the_notice_as_a_docx_drafts_as_its_text(tmp_path, capsys):
    """The 2021 notice rebuilt as a .docx (a short row's last cell merged across, as Word keeps
    it) drafts the same scheme and targets as the extracted text."""
    docx = pytest.importorskip("docx")
    from kpidsl.draft.notice import Table, read

    document = docx.Document()
    for block in read(SEEDS / "000_3e7897c2aae47fa4.txt"):
        if not isinstance(block, Table):
            document.add_paragraph(block)
            continue
        width = max(len(row) for row in block.rows)
        table = document.add_table(rows=len(block.rows), cols=width)
        for row, cells in zip(table.rows, block.rows):
            for cell, text in zip(row.cells, cells):
                cell.text = text
            if len(cells) < width:
                row.cells[len(cells) - 1].merge(row.cells[width - 1])
    document.save(str(tmp_path / "notice.docx"))
    for name in ("notice.docx", "text"):
        source = tmp_path / name if name.endswith("docx") else SEEDS / "000_3e7897c2aae47fa4.txt"
        assert main(["draft", str(source), "--out", str(tmp_path / f"out-{name}")]) == 0, capsys.readouterr().err
    for file in ("draft.kpi", "targets.csv", "units.csv"):
        assert (tmp_path / "out-notice.docx" / file).read_text(encoding="utf-8") == \
            (tmp_path / "out-text" / file).read_text(encoding="utf-8")
