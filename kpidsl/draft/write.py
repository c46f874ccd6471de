"""The draft scheme's text and its data (units.csv, targets.csv) from a notice's outline."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..ast import quote
from .outline import Node, Outline, best_item, name_of, walk
from .rules import Context, Recognised, normal, recognise, scoring

UNITS_FILE, TARGETS_FILE = "units.csv", "targets.csv"


@dataclass
class Draft:
    text: str  # before `kpi fmt`
    units_csv: str | None
    targets_csv: str | None
    rules: int = 0  # scoring sentences that became rules
    partial: int = 0  # 待定 sentences of which a part became a rule
    pending: list[str] = field(default_factory=list)  # scoring sentences left 待定


def _label_name(label: str) -> str:
    """A long label, "退休人员及时纳入社区管理，社区管理率100%", named by its clause with a rate,
    else its first clause."""
    clauses = [c for c in re.split(r"[，,。；;]", label) if c.strip()]
    if len(clauses) > 1 and len(name_of(label)) > 12:
        rated = [c for c in clauses if "率" in c]
        return name_of(rated[0] if rated else clauses[0])
    return name_of(label)


def _name_all(roots: list[Node]) -> None:
    seen: dict[str, int] = {}
    for node in walk(roots):
        label = re.split(r"[（(]其中", node.label)[0] if node.sub_targets else node.label
        base = node.name or _label_name(label)
        seen[base] = seen.get(base, 0) + 1
        node.name = base if seen[base] == 1 else f"{base}{seen[base]}"


def _groups(outline: Outline, texts: list[str]) -> dict[str, str]:
    """unit -> group, where the document names groups of units ("对镇和主功能区分别进行排名"):
    a unit whose name (or its bracketed other name) is a 区 or 街道 takes the group that is no
    unit-name suffix; the others the group their name ends with."""
    words: list[str] = []
    for text in texts:
        for m in re.finditer(r"排名第一的([\u4e00-\u9fff]{1,6}?)得满分", normal(text)):
            if m.group(1) not in words:
                words.append(m.group(1))
    if len(words) < 2:
        return {}
    found = {}
    others = [w for w in words if not any(u.endswith(w) for u in outline.units)]
    for unit in outline.units:
        parts = [p for p in re.split(r"[（）]", unit) if p]
        suffix = [w for w in words if any(p.endswith(w) for p in parts)]
        district = any(p.endswith(("区", "街道")) for p in parts)
        if district and others:
            found[unit] = others[0]
        elif suffix:
            found[unit] = suffix[0]
    return found if len(found) == len(outline.units) else {}


def _counted(node: Node) -> bool:
    return bool(node.targets) and all(not v.endswith("%") for v in node.targets.values())


def build_draft(outline: Outline, title_default: str) -> Draft:
    _name_all(outline.roots)
    every_text = outline.top + [s for n in walk(outline.roots) for s in n.sentences]
    unit_groups = _groups(outline, every_text)
    groups = list(dict.fromkeys(unit_groups.values()))
    items = [n for n in walk(outline.roots) if not n.children]
    share = any(f.kind == "note" and f.text == "份额" for f in recognise(every_text, None).statements)
    lines: list[str] = []
    tops: list[str] = []
    draft = Draft("", None, None)
    total: tuple[str, str] | None = None  # (the 总分 line, its sentence)

    def comment_pending(pending: list[str], depth: int) -> list[str]:
        return [f"{'  ' * depth}# 待定：{one_line(s)}" for s in pending]

    def emit(node: Node, depth: int, parent: Node | None) -> None:
        nonlocal total
        pad = "  " * depth
        title = f" {quote(node.label)}" if squeezed(node.label) != node.name else ""
        points = f"{node.points or 0}分"
        siblings = parent.children if parent else outline.roots
        ctx = Context(node, items, siblings, groups, _counted(node))
        if node.children or node.sub_targets:
            found = recognise(node.sentences, None if not node.sub_targets else ctx)
            lifted = [f for f in found.statements if f.kind == "total"]
            if lifted:  # the final score's sentence, written where the document happens to put it
                total = (lifted[0].text, lifted[0].sentence)
            keyword = "加分板块" if node.bonus and node.children else "板块"
            if node.sub_targets:
                _sub_section(node, depth, found, ctx, lines)
                draft.rules += found.recognised
                draft.partial += found.partial
                draft.pending += found.pending
                return
            body: list[str] = []
            kept = [s for s in node.sentences if scoring(s) and (not lifted or s.strip() != total[1])]
            lines.extend(comment_pending([p for p in found.pending if not lifted or p != total[1]], depth))
            lines.append(f"{pad}{keyword} {node.name}{title} {points} {{")
            declared = Decimal(node.points or 0)
            parts = sum((Decimal(c.points or 0) for c in node.children), Decimal(0))
            if node.children and parts != declared:
                body.append(f'分值说明 "原文列{node.points or 0}分，各项合计{parts:f}分；请核对。"')
            body += [f"原文 {quote(one_line(s))}" for s in kept]
            body += [f"口径 {quote(r)}" for r in dict.fromkeys(f.reading for f in found.statements
                                                              if f.reading and f.kind in ("deduct", "veto"))]
            if share and parent is None:
                body.append('口径 "各项得分 = 权重 × 本单位业务量 / 全体单位业务量（因素分析法）；业务量填入数值文件字段 业务量。"')
            lines.extend(f"{pad}  {b}" for b in body)
            for child in node.children:
                emit(child, depth + 1, node)
            for f in found.statements:
                if f.kind in ("deduct", "veto"):
                    lines.append(f"{pad}  {f.text}")
            draft.rules += found.recognised
            draft.partial += found.partial
            draft.pending += [p for p in found.pending if not lifted or p != total[1]]
            lines.append(f"{pad}}}")
            return
        if parent is None:  # a top heading scored as a whole: a section of one item
            lines.append(f"{pad}{'加分板块' if node.bonus else '板块'} {node.name}{title} {points} {{")
            inner = Node(node.label, node.points, sentences=node.sentences, name=f"{node.name}得分")
            emit(inner, depth + 1, node)
            lines.append(f"{pad}}}")
            return
        found = recognise(node.sentences, ctx)
        draft.rules += found.recognised
        draft.partial += found.partial
        draft.pending += found.pending
        body = _item_body(node, found, share)
        # a comment stays inside an item only before a statement `kpi fmt` knows the line of
        if not any(b.startswith(("按", "达标", "每", "一票否决", "分档", "排名", "份额", "若", "评定", "得")) for b in body):
            lines.extend(comment_pending(found.pending, depth))
            pending_inside = []
        else:
            pending_inside = comment_pending(found.pending, depth + 1)
        lines.append(f"{pad}指标 {node.name}{title} {points} {{")
        lines.extend(pending_inside)
        lines.extend(f"{pad}  {b}" for b in body)
        lines.append(f"{pad}}}")

    for root in outline.roots:
        emit(root, 0, None)
        lines.append("")
    top = recognise(outline.top, None)
    awards: list[str] = []
    for passage in outline.top:
        position = 0  # a grant's 原文 is its sentence, with what leads up to it ("鼓励提前完成。")
        for f in recognise([passage], None).statements:
            if f.kind == "award":
                awards += _award(f, passage, outline.roots, awards)
            elif f.kind == "grant":
                at = passage.find(f.sentence, position)
                lead = passage[position:at].strip() if at >= 0 else ""
                source = lead + f.sentence if lead and not scoring(lead) else f.sentence
                position = at + len(f.sentence) if at >= 0 else position
                written = _grant(f, source, outline.roots, awards, outline.title)
                if written:
                    awards += written
                elif f.sentence not in top.pending:  # the item it pays for not found: 待定 after all
                    top.pending.append(f.sentence)
                    top.recognised -= 1
    for f in top.statements:
        if f.kind == "veto":
            tops.append(f.text)
        elif f.kind == "total" and total is None:
            total = (f.text, "")
    draft.rules += top.recognised
    draft.partial += top.partial
    draft.pending += top.pending

    head = [f"方案 {quote(outline.title or title_default)}"]
    if groups:  # an interpretation, but no item's: a comment says it
        district = next((g for u, g in unit_groups.items() if re.search(r"(区|街道)）?$", u)), groups[0])
        head.append(f"# 原文未列各单位所属分组：名称（或括号内的名称）为区、街道者归 {district}，其余按名称归组；请核对 {UNITS_FILE}。")
        head.append(f"单位分组 {', '.join(groups)}")
    if outline.units:
        head += ["", "数据 {", f'  单位 "{UNITS_FILE}"'] + ([f'  数值 "{TARGETS_FILE}"'] if _any_targets(outline) else []) + ["}"]
    bonus = [r.name for r in outline.roots if r.bonus]
    if total is not None:
        a, x, b, y = total[0].split("|")
        names = {r.name for r in outline.roots}
        a, b = _root_named(a, outline.roots), _root_named(b, outline.roots)
        if a in names and b in names:
            head += ["", f"总分 = {a} × {x}% + {b} × {y}%" + "".join(f" + {n}" for n in bonus)]
            if total[1]:
                head.append(f"  原文 {quote(total[1])}")
            others = [r.name for r in outline.roots if r.name not in (a, b) and not r.bonus]
            if others:
                head[-1 if not total[1] else -2] += "".join(f" + {n} × 0%" for n in others)
    head += tops
    tail = []
    if top.pending:
        # the whole paragraph, so that a sentence it leans on ("鼓励提前完成。对…补助") stays beside it
        passages = [t for t in outline.top if any(p in t for p in top.pending)]
        tail = ["", "# 以下计分句不在任何计分标题之下，未能识别为规则："] + comment_pending(passages, 0)
    draft.text = "\n".join(head + [""] + lines + awards + tail) + "\n"
    if outline.units:
        draft.units_csv = _csv([("单位", "分组", "别名")] + [
            (u, unit_groups.get(u, ""), ";".join(p for p in re.findall(r"（([^（）]+)）", u))) for u in outline.units])
        if _any_targets(outline):
            rows = [("单位", "指标", "字段", "值", "说明")]
            for node in walk(outline.roots):
                for unit, value in node.targets.items():
                    rows.append((unit, node.name, "任务", value, "附件"))
            draft.targets_csv = _csv(rows)
    return draft


def one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", "", text).strip()


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _root_named(name: str, roots: list[Node]) -> str:
    for root in roots:
        if root.name == name or name_of(root.label) == name or root.name.endswith(name) or name.endswith(root.name):
            return root.name
    return name


def _award(found, passage: str, roots: list[Node], written: list[str]) -> list[str]:
    key, what, places, condition, whole = found.text.split("|")
    sections = [n for n in walk(roots) if n.children]
    section = best_item(key, sections, 0.5) if key else None
    if key and section is None:
        return []
    name = name_of(f"{section.name if section else ''}{what}")
    taken = sum(1 for line in written if line.startswith(f"奖励 {name}"))
    lines = ["", f"奖励 {name}{taken + 1 if taken else ''} {{"]
    # "城乡居民养老保险转企业职工养老保险全面完成任务且得分前三名": that item's task done
    tasked = [n for n in walk(roots) if n.targets]
    done = best_item(condition, tasked) if condition and tasked else None
    if done is not None:
        lines.append(f"  仅限 {done.name}.完成率 >= 100%")
    lines += [f"  排名 降序 按 {section.name + '.得分' if section else '总分'}", f"  {places}",
              f"  原文 {quote(one_line(passage))}"]
    if whole and done is None:
        lines.append(f"  口径 {quote(f'原文的条件“{whole}”未写成 仅限，请补写。')}")
    return lines + ["}"]


def _grant(found, source: str, roots: list[Node], written: list[str], title: str | None) -> list[str]:
    """Money for a task done: an award with the items it names found among the items with targets."""
    suffix, first, second, body = found.text.split("|")
    tasked = [n for n in walk(roots) if n.targets]
    item = best_item(first, tasked, 0.5) if tasked else None
    other = best_item(second, tasked, 0.5) if second and tasked else None
    year = re.search(r"(\d{4})年", title or "")
    if item is None or (second and other is None) or ("{year}" in body and not year):
        return []
    body = body.replace("{item}", item.name).replace("{other}", other.name if other else "")
    body = body.replace("{year}", year.group(1) if year else "")
    name = name_of(item.name + suffix)
    taken = sum(1 for line in written if line.startswith(f"奖励 {name}"))
    lines = ["", f"奖励 {name}{taken + 1 if taken else ''} {{", f"  {body}", f"  原文 {quote(one_line(source))}"]
    if found.reading:
        lines.append(f"  口径 {quote(found.reading)}")
    return lines + ["}"]


def _any_targets(outline: Outline) -> bool:
    return any(n.targets or n.sub_targets for n in walk(outline.roots))


def _item_body(node: Node, found: Recognised, share: bool) -> list[str]:
    body: list[str] = []
    rules = [f for f in found.statements if f.kind == "rule"]
    readings = [f.reading for f in found.statements if f.reading]
    if share and node.kind is not None and not rules:
        body.append("份额 业务量")
    elif rules:
        body.append(rules[0].text)
        for extra in rules[1:]:
            readings.append(f"原文另有一条计分规则未用（一个指标只能有一条）：{extra.text}")
    reads_target = [b for b in body if b in ("达标", "按比例 实际 / 任务") or b.startswith(("按比例 实际 / 任务 ", "每少"))] + \
        [f.text for f in found.statements if f.kind == "deduct" and f.text.startswith("每少")]
    if reads_target and not node.targets:
        readings.append("本项规则读 任务，原文的任务分解表未列本项：请在 targets.csv 中补上各单位的任务，或改写规则。")
    if node.kind:
        body.append(f"类别 {node.kind}")
    body += [f.text for f in found.statements if f.kind in ("deduct", "veto", "cap")]
    body += [f"别名 {quote(a)}" for a in node.aliases if squeezed(a) not in (node.name, squeezed(node.label))]
    body += [f"原文 {quote(one_line(s))}" for s in node.sentences]
    if not node.sentences and node.targets and not node.points:
        body.insert(0, "达标")  # a task without points: its completion shown, worth nothing
        readings.append("原文只列任务、未写计分办法：列出完成情况，0分，不计入总分。")
    elif not (share and node.kind is not None) and \
            not any(f.kind in ("rule", "deduct", "veto") for f in found.statements):
        readings.append("原文的计分办法未能识别为规则（见 待定）：本项暂无规则，按满分计，请改写。"
                        if node.sentences else "原文未写计分办法：本项暂无规则，按满分计。")
    body += [f"口径 {quote(r)}" for r in dict.fromkeys(readings)]
    return body


def _sub_section(node: Node, depth: int, found: Recognised, ctx: Context, lines: list[str]) -> None:
    """A row with a second, bracketed target ("15000\\n(7500)"; 技能提升培训（其中鉴定取证）): a
    section of two items, the row's two figures, each scored as the row says."""
    pad = "  " * depth
    label = squeezed(node.label)
    base = re.split(r"[（(]其中", label)[0]
    sub = re.search(r"其中([^（）()]+)", label)
    counted = "人数" if re.search(r"[（(]人[）)]$", label) else ""
    main_name, sub_name = name_of(base + counted), name_of(base + (sub.group(1) if sub else "其中") + counted)
    text = normal(" ".join(node.sentences))
    each = re.search(r"各(\d+(?:\.\d+)?)分", text)
    named = re.findall(r"完成([\u4e00-\u9fff]{2,6}?)指标得(\d+(?:\.\d+)?)分", text)
    half = Decimal(node.points or 0) / 2
    if each:
        points = (each.group(1), each.group(1))
        reading = None
    elif len(named) == 2:
        points = (named[0][1], named[1][1])
        reading = None
    else:
        points = (f"{half:f}", f"{half:f}")
        reading = "原文未分列两项分值，按各半计。"
    rule = next((f.text for f in found.statements if f.kind == "rule"), None)
    parts = Decimal(points[0]) + Decimal(points[1])
    lines.append(f"{pad}板块 {node.name} {quote(node.label)} {node.points}分 {{")
    if parts != Decimal(node.points or 0):
        lines.append(f'{pad}  分值说明 折算 "原表列{node.points}分，评分标准两项合计{parts:f}分；按两项得分 × {node.points}/{parts:f} 计。"')
    lines.extend(f"{pad}  # 待定：{s}" for s in found.pending)
    lines.extend(f"{pad}  原文 {quote(s)}" for s in node.sentences)
    for name, p, alias, targets in ((main_name, points[0], f"别名 {quote(node.label)}", node.targets),
                                    (sub_name, points[1], f"别名 其中 {quote(node.label)}", node.sub_targets)):
        lines.append(f"{pad}  指标 {name} {p}分 {{")
        if rule:
            lines.append(f"{pad}    {rule}")
        lines.append(f"{pad}    {alias}")
        if reading:
            lines.append(f"{pad}    口径 {quote(reading)}")
        lines.append(f"{pad}  }}")
    lines.append(f"{pad}}}")
    # the targets are written under the two items' names
    node.children = [Node(main_name, points[0], targets=node.targets, name=main_name),
                     Node(sub_name, points[1], targets=node.sub_targets, name=sub_name)]
    node.targets = {}


def _csv(rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()
