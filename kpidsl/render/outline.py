"""Outline renderer (rich): a scheme's sections and items with points and rule kinds."""
from __future__ import annotations

from rich.console import Console
from rich.tree import Tree

from .. import ast
from ..ast import show_expr, terms_text
from ..numbers import plain

RULE_NAMES = {
    ast.Meet: "达标", ast.Proportional: "按比例", ast.Full: "满分", ast.Zero: "不得分",
    ast.Fixed: "定分", ast.Conditional: "条件", ast.Rank: "排名", ast.Tiers: "分档",
    ast.Levels: "等级", ast.Projects: "按项目就高", ast.Assessed: "评定", ast.Share: "份额",
    ast.Given: "给定分",
}


def describe(node) -> str:
    """What the outline says of a node besides its points: its rule, deductions, vetoes, cap
    (also the detail of the language server's document symbols)."""
    parts = []
    if isinstance(node, ast.Item):
        parts.append(RULE_NAMES[type(node.rule)] if node.rule else "满分起扣")
        if node.kind:
            parts.append(node.kind)
        if node.may_not_apply:
            parts.append("可不适用")
    if node.deductions:
        parts.append(f"扣分×{len(node.deductions)}")
    if node.vetoes:
        parts.append("一票否决")
    if node.cap:
        parts.append(f"封顶 {node.cap}")
    return "、".join(parts)


def render(scheme: ast.Scheme, console: Console) -> None:
    weights = {t.section: t.weight for t in scheme.total}
    tree = Tree(f"[bold]{scheme.title}[/]  （{scheme.path}）")

    def add(parent: Tree, node) -> None:
        label = f"{node.name}  {plain(node.points.value)}分"
        if isinstance(node, ast.Section):
            kind = "加分板块" if node.bonus else "板块"
            weight = weights.get(node.name)
            label = f"[bold]{kind} {label}[/]" + (f"  × {weight}" if weight else "")
            extra = describe(node)
            branch = parent.add(label + (f"  [dim]{extra}[/]" if extra else ""))
            for child in node.children:
                add(branch, child)
        else:
            parent.add(f"{label}  [dim]{describe(node)}  第{node.pos.line}行[/]")

    for section in scheme.sections:
        add(tree, section)
    console.print(tree)
    for total in scheme.totals():
        groups = f" 适用 {'、'.join(total.groups)}" if total.groups else ""
        console.print(f"总分{groups} = {terms_text(total.terms)}" + (f"  满分 {total.points}" if total.points else ""),
                      markup=False)
    ties = "，再按 ".join(f"{show_expr(t.key)} {'降序' if t.descending else '升序'}" for t in scheme.tie_breaks)
    console.print(f"名次：总分相同者按 {ties} 排定" if ties else "名次：总分相同者名次相同（1、2、2、4）", markup=False)
