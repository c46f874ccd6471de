"""`kpi draft NOTICE`: a checked draft scheme from a 考核办法 as published.

notice.py reads the .docx or its extracted text into paragraphs and tables; outline.py finds
the headings, their points and the annex tables; patterns.py is the table of stock phrases
and rules.py turns sentences into rules with it; write.py writes the scheme and its data.
The draft is laid out by `kpi fmt` and checked as `kpi check` checks a scheme."""
from __future__ import annotations

from pathlib import Path

DRAFT_FILE = "draft.kpi"


def run(args, out, err) -> int:
    from ..errors import KpiError, diagnostic
    from ..fmt import format_scheme
    from ..output import refusal, replacing
    from ..parsed import parse
    from .notice import read
    from .outline import build
    from .rules import scoring
    from .write import TARGETS_FILE, UNITS_FILE, build_draft

    notice = Path(args.notice)
    folder = Path(args.out) if args.out else Path(notice.stem + "-草案")
    if folder.exists() and not folder.is_dir():
        raise refusal(str(folder), "不是文件夹", "it is not a folder", "zh")
    if folder.is_dir() and any(folder.iterdir()) and not args.force:
        raise refusal(str(folder), "文件夹不是空的；确要覆盖其中的草案，请加 --force",
                      "the folder is not empty; add --force to replace the draft in it", "zh")
    if not folder.parent.is_dir():
        raise refusal(str(folder), f"文件夹 {folder.parent} 不存在", f"the folder {folder.parent} does not exist", "zh")
    outline = build(read(notice))
    if not outline.roots and not any(scoring(t) for t in outline.top):
        raise KpiError([diagnostic("E301", "zh", path=str(notice), reason=(
            "未找到计分标题（如“（一）社会保险工作，100分”“①…（20分）”）、任务分解表或计分句，似乎不是考核办法"))])
    draft = build_draft(outline, notice.stem)
    scheme_path = folder / DRAFT_FILE
    try:
        text = format_scheme(parse(draft.text, str(scheme_path)), draft.text)
    except KpiError as e:  # a draft the parser refuses is a fault of kpi draft: show what it wrote
        err.print("起草的方案无法解析（kpi draft 的缺陷，请报告）：", markup=False, soft_wrap=True)
        err.print(e.render(), markup=False, soft_wrap=True)
        err.print(draft.text, markup=False, soft_wrap=True)
        return 1
    folder.mkdir(exist_ok=True)
    written = {DRAFT_FILE: text, UNITS_FILE: draft.units_csv, TARGETS_FILE: draft.targets_csv}
    for name, content in written.items():
        if content is not None:
            with replacing(folder / name, str(folder / name), mode="w") as f:
                f.write(content)
        else:  # a file of an earlier draft (--force) that this one does not name
            (folder / name).unlink(missing_ok=True)
    return _report(scheme_path, draft, out, err)


def _report(scheme_path: Path, draft, out, err) -> int:
    """How much became rules, and `kpi check` on the draft with its units and targets (the
    actuals are yet to come: their absence is not checked, as for `kpi template`)."""
    from ..errors import KpiError
    from ..pipeline import load_all
    from ..render.outline import render as outline

    total = draft.rules + len(draft.pending)
    out.print(f"已写出 {scheme_path}", markup=False, soft_wrap=True)
    partly = f"，其中 {draft.partial} 句部分识别" if draft.partial else ""
    out.print(f"计分句 {total} 句：{draft.rules} 句识别为规则，{len(draft.pending)} 句待定{partly}"
              f"（方案中以 # 待定： 标出，原文保留）。", markup=False, soft_wrap=True)
    try:
        loaded = load_all(scheme_path, check_data=False)
    except KpiError as e:
        err.print("kpi check：草案未通过检查：", markup=False, soft_wrap=True)
        err.print(e.render(), markup=False, soft_wrap=True)
        return 1
    for warning in loaded.warnings:
        err.print(warning.render(), markup=False, soft_wrap=True)
    outline(loaded.scheme, out)
    checked = f"kpi check：通过（{len(loaded.warnings)} 条警告）"
    if loaded.data is not None and loaded.data.units:
        out.print(f"{checked}；{len(loaded.data.units)} 个单位，任务已读入，实际完成数待填报："
                  f"kpi template {scheme_path} --out 完成情况.xlsx 写出填报表，交回后 "
                  f"kpi check {scheme_path} --actuals 完成情况.xlsx（在此之前 kpi check 会列出缺少的实际数，"
                  f"可加 --no-data 只查方案）。", markup=False, soft_wrap=True)
    else:
        out.print(f"{checked}。原文未列单位：请写单位文件（单位,分组,别名）并在方案的 数据 中列出。", markup=False, soft_wrap=True)
    return 0
