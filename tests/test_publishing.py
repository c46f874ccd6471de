"""Publishing (#13): what a bureau publishes, sends each town and files for auditors, through the
installed `kpi` entry point: the top-level veto's 原文 in every explanation, several units in one
`kpi explain`, the public voice on a terminal, terminal lines that break where Chinese breaks,
the results workbook's printed pages."""
from __future__ import annotations

import base64
import json
import re
import zlib

from conftest import UNITS, build
from test_cli import kpi

VETO_SOURCE = "一旦发现有弄虚作假的，将实施“一票否决制”。"


def vetoed_scheme(folder):
    """甲镇's total struck to 0 by a top-level veto that carries its 原文."""
    return build(folder, f"""
        总分 = 甲 × 100%
        一票否决 弄虚作假
          原文 "{VETO_SOURCE}"
        板块 甲 10分 {{
          指标 乙 10分 {{ 按比例 }}
        }}
        """, {(u, "乙", f): v for u, _ in UNITS for f, v in (("任务", "10"), ("实际", "8"))}
        | {(u, "总分", "弄虚作假"): "是" if u == "甲镇" else "否" for u, _ in UNITS})


def packed_units(page: str) -> list:
    """The units' explanation data embedded in a report."""
    return [unit for blob in re.findall(r'class="explanations"[^>]*>([^<]*)<', page)
            for unit in json.loads(zlib.decompress(base64.b64decode(blob), 31))["units"]]


def test_a_veto_on_the_total_shows_its_source_in_every_explanation(tmp_path):
    """The one sentence that explains a total of 0: in the text, the JSON and the report, in
    both voices."""
    scheme = vetoed_scheme(tmp_path)
    text = kpi("explain", str(scheme), "甲镇")
    assert text.returncode == 0, text.stderr
    assert "总分 0" in text.stdout and VETO_SOURCE in text.stdout.replace("\n", "").replace(" ", "")
    document = json.loads(kpi("explain", str(scheme), "甲镇", "--format", "json").stdout)
    (veto,) = document["units"][0]["total_adjustments"]
    assert veto["source"] == VETO_SOURCE and veto["points"] == "8"
    assert json.loads(kpi("explain", str(scheme), "乙镇", "--format", "json").stdout)["units"][0]["total_adjustments"] == []
    for detail in ([], ["--detail"]):
        page = tmp_path / "r.html"
        done = kpi("report", str(scheme), "--out", str(page), *detail)
        assert done.returncode == 0, done.stderr
        units = {u[6]: u for u in packed_units(page.read_text(encoding="utf-8"))}
        (line, lost, source), = units["甲镇"][8]
        assert (lost, source) == ("8", VETO_SOURCE)
        assert units["乙镇"][8] == []
        assert ("一票否决" in line[0]) if not detail else len(line) == 5


def test_several_units_explained_in_one_run_are_each_as_explained_alone():
    """`kpi explain 丁堰镇 白蒲镇`: one explanation after the other, a rule between them, each the
    same as the unit's own run; JSON lists both; a unit named twice is explained once."""
    both = kpi("explain", "丁堰镇", "白蒲镇", "丁堰镇")
    assert both.returncode == 0, both.stderr
    alone = [kpi("explain", name).stdout for name in ("丁堰镇", "白蒲镇")]
    first, second = re.split(r"\n\n═{120}\n\n", both.stdout)
    assert [first + "\n", second] == alone
    document = json.loads(kpi("explain", "丁堰镇", "白蒲镇", "--format", "json").stdout)
    assert document["units"] == [json.loads(kpi("explain", name, "--format", "json").stdout)["units"][0]
                                 for name in ("丁堰镇", "白蒲镇")]


def test_a_name_written_with_spaces_is_one_unit_only_where_its_words_are_not(tmp_path):
    """丁 堰 镇 is 丁堰镇 (堰 and 镇 name no unit); where the words name units both together and
    each alone, neither is guessed; an unknown unit among several is named."""
    assert kpi("explain", "丁", "堰", "镇").stdout.count("账目") == 1
    missing = kpi("explain", "丁堰镇", "北京市")
    assert missing.returncode == 1 and "E308" in missing.stderr and "北京市" in missing.stderr
    scheme = build(tmp_path, "板块 总 10分 { 指标 测 10分 { 按比例 } }\n",
                   {(u, "测", f): v for u in ("甲", "乙", "甲乙") for f, v in (("任务", "10"), ("实际", "8"))},
                   units=[("甲", "镇"), ("乙", "镇"), ("甲乙", "镇")])
    both = kpi("explain", str(scheme), "甲", "乙")
    assert both.returncode == 1 and "E309" in both.stderr and "甲乙" in both.stderr, both.stderr
    assert kpi("explain", str(scheme), "甲乙").stdout.startswith("甲乙（镇）")
    renamed = scheme.rename(tmp_path / "方案.txt")  # a scheme need not end .kpi: it is an existing file
    assert kpi("explain", str(renamed), "乙").stdout.startswith("乙（镇）")


def test_public_explanation_says_what_the_published_report_says():
    """`kpi explain --public`: the report's sentences for every point lost, the 原文, no rule
    notation, no scheme lines, no scheme writer's notes (口径)."""
    done = kpi("explain", "丁堰镇", "--public")
    assert done.returncode == 0, done.stderr
    flat = re.sub(r"\s", "", done.stdout)
    assert "完成650人，任务737人，完成率88.20%，按比例得17.64分（满分20分）" in flat
    assert "①企业职工养老保险新增参保人数（20分）" in flat  # its 原文
    for notation in ("min(", ">=", "…", ".kpi", "规则", "计算", "口径"):
        assert notation not in done.stdout, notation
    from kpidsl.pipeline import prepare
    from kpidsl.render import html
    from kpidsl.result import ItemResult

    evaluation, _, (unit,) = prepare(None, cells_of=["丁堰镇"])
    result = evaluation.scoring.unit(evaluation.engine.data.units.index(unit))
    page = html.render(evaluation.results())
    published = next(u for u in packed_units(page) if u[6] == "丁堰镇")
    items = [(node, lines) for node, lines in zip(result.nodes(), published[2]) if isinstance(node, ItemResult)]
    lost = [line[0] for node, lines in items if node.lost and not node.bonus for line in lines]
    assert len(lost) > 20 and [s for s in lost if re.sub(r"\s", "", s) not in flat] == []
