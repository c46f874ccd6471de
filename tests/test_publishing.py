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
