"""Diff renderers: the scheme's changes, and each unit's change attributed to its items."""
from __future__ import annotations

import json

from rich.console import Console

from ..numbers import plain
from .table import aligned

KINDS = {"added": "新增", "removed": "删除", "moved": "移动", "points": "分值", "rule": "规则种类",
         "changed": "修改", "weight": "权重"}


def _signed(x) -> str:
    return f"+{plain(x)}" if x > 0 else plain(x)


def table(changes, units, console: Console, money=None) -> None:
    rows = [[KINDS[c.kind], "/".join(c.path) or "总分", c.what, c.old, c.new] for c in changes] or \
        [["（无变化）", "", "", "", ""]]
    aligned(console, "方案变化", [("类别", False), ("板块 / 指标", False), ("项目", False), ("原", False), ("新", False)],
            [list(column) for column in zip(*rows)])
    if units is None:
        return
    rows = []
    for u in units:
        causes = sorted(u.by_part.items(), key=lambda kv: -abs(kv[1]))
        shown = "；".join(f"{k} {_signed(v)}" for k, v in causes[:4]) + ("；…" if len(causes) > 4 else "")
        rows.append([u.unit, plain(u.old.total) if u.old else "—", plain(u.new.total) if u.new else "—",
                     _signed(u.difference), f"{u.old.rank if u.old else '—'} → {u.new.rank if u.new else '—'}", shown])
    console.file.write("\n")
    aligned(console, "各单位得分变化（按变化大小；原因按指标分解，合计等于变化）",
            [("单位", False), ("原总分", True), ("新总分", True), ("变化", True), ("名次", False), ("主要原因", False)],
            [list(column) for column in zip(*rows)] if rows else [[] for _ in range(6)], names=0)
    if money:
        console.file.write("\n")
        aligned(console, "各单位奖励变化（元，按奖励分解）",
                [("单位", False), ("原合计", True), ("新合计", True), ("变化", True), ("按奖励", False)],
                [[m.unit for m in money], [plain(m.old) for m in money], [plain(m.new) for m in money],
                 [_signed(m.difference) for m in money],
                 ["；".join(f"{k} {_signed(v)}" for k, v in m.by_award.items()) for m in money]], names=0)


def to_json(changes, units, money=None) -> str:
    document = {"changes": [{"kind": c.kind, "path": list(c.path), "what": c.what, "old": c.old, "new": c.new}
                            for c in changes]}
    if units is not None:
        document["units"] = [{
            "unit": u.unit, "old": plain(u.old.total) if u.old else None, "new": plain(u.new.total) if u.new else None,
            "change": plain(u.difference), "rank_old": u.old.rank if u.old else None,
            "rank_new": u.new.rank if u.new else None, "by_item": {k: plain(v) for k, v in u.by_part.items()},
        } for u in units]
    if money is not None:
        document["money"] = [{"unit": m.unit, "old": plain(m.old), "new": plain(m.new), "change": plain(m.difference),
                              "by_award": {k: plain(v) for k, v in m.by_award.items()}} for m in money]
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
