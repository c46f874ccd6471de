"""Name tables of a scheme: every section and item with its path and weight, lets, constants.

Built once from the AST; the checker and the engine both resolve names through it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import ast
from .ast import AMOUNT, GRADE, RATE, SCORE, TOTAL
from .data import normalise

# Bare names at the top level of a scheme (a veto or a deduction on the total) read the unit's
# own fields, filed under this name in the data (and the template): facts about the unit as a
# whole, not about an item. Data written before may file them under 总分.
SCHEME_NODE = "单位整体"
SCHEME_NODE_ALIASES = ("总分",)


@dataclass(frozen=True)
class Node:
    node: ast.Section | ast.Item
    path: tuple[str, ...]
    weight: Decimal  # how much one of its points counts in the total
    bonus: bool
    parents: tuple[str, ...]  # names of the enclosing sections, innermost last


class SchemeIndex:
    def __init__(self, scheme: ast.Scheme):
        self.scheme = scheme
        self.weights = {t.section: (t.weight.value if t.weight else Decimal(1)) for t in scheme.total}
        self.nodes: dict[str, Node] = {}
        self.duplicates: list[tuple[ast.Section | ast.Item, ast.Section | ast.Item]] = []
        for section in scheme.sections:
            weight = self.weights.get(section.name, Decimal(1) if not scheme.total else Decimal(0))
            self._add(section, (), weight, section.bonus)
        # 总分 适用 …: per group, the top sections that count and their weights
        self.group_weights = {group: {t.section: (t.weight.value if t.weight else Decimal(1)) for t in total.terms}
                              for total in scheme.group_totals for group in total.groups}
        self.consts = {c.name: c for c in scheme.consts}
        self.awards = {a.name: a for a in scheme.awards}
        self.lets = {l.name: l for l in scheme.lets}

    def _add(self, node, parents: tuple[str, ...], weight: Decimal, bonus: bool) -> None:
        if node.name in self.nodes:
            self.duplicates.append((self.nodes[node.name].node, node))
        else:
            self.nodes[node.name] = Node(node, parents + (node.name,), weight, bonus, parents)
        for child in getattr(node, "children", ()):
            self._add(child, parents + (node.name,), weight, bonus)

    def counted(self, group: str) -> dict[str, Decimal]:
        """The top sections a unit of this group is totalled on, each with its weight."""
        if group in self.group_weights:
            return self.group_weights[group]
        return {s.name: self.nodes[s.name].weight for s in self.scheme.sections}

    def may_not_apply(self, name: str) -> bool:
        """The item is declared 可不适用: a unit's 不适用 drops it."""
        info = self.nodes.get(name)
        return info is not None and isinstance(info.node, ast.Item) and info.node.may_not_apply

    def items(self):
        return (n for n in self.nodes.values() if isinstance(n.node, ast.Item))

    def data_names(self) -> dict[str, str]:
        """Normalised name, title or alias -> name, for matching the 指标 column of data files."""
        names = {normalise(name): SCHEME_NODE for name in (SCHEME_NODE, *SCHEME_NODE_ALIASES)}
        for award in self.scheme.awards:  # an award's own facts
            names[normalise(award.name)] = award.name
        for name, info in self.nodes.items():
            names[normalise(name)] = name
            for other in (info.node.title, *info.node.aliases):
                if other:
                    names.setdefault(normalise(other), name)
        return names

    def sub_names(self) -> dict[str, str]:
        """Normalised row label -> the item its bracketed second value belongs to (别名 其中)."""
        return {normalise(label): name for name, info in self.nodes.items()
                for label in info.node.sub_aliases}

    def _owners(self, node_name: str | None):
        """The node and its enclosing sections, innermost first."""
        if node_name in self.nodes:
            yield node_name
            yield from reversed(self.nodes[node_name].parents)

    def local_let(self, node_name: str | None, name: str) -> ast.Let | None:
        """A computed measure visible from a node: its own, its sections', then the scheme's."""
        for owner in self._owners(node_name):
            for let in self.nodes[owner].node.lets:
                if let.name == name:
                    return let
        return self.lets.get(name)

    def let_owner(self, node_name: str | None, let: ast.Let) -> str | None:
        """The node whose fields the bare names inside `let` refer to."""
        return next((o for o in self._owners(node_name) if let in self.nodes[o].node.lets), None)

    def default(self, node_name: str | None, field: str) -> ast.Default | None:
        """The 缺省 value declared for a field of a node: on it, its sections, or the scheme."""
        for owner in self._owners(node_name):
            for default in self.nodes[owner].node.defaults:
                if default.field == field:
                    return default
        return next((d for d in self.scheme.defaults if d.field == field), None)

    def tie_key(self, tie: ast.TieBreak) -> ast.Expr:
        """A tie-break's key: a section's or item's bare name stands for its score."""
        key = tie.key
        if isinstance(key, ast.Ref) and key.item is None and key.field in self.nodes:
            return ast.Ref(key.field, SCORE, key.pos)
        return key

    def resolve(self, node_name: str | None, ref: ast.Ref):
        """What a name means where it is used, in this order: 完成率, a measure (计算) visible
        from the node, a constant (常量), else a field of the node (or of the named one) in the
        data. Returns ("rate", node) | ("let", let, owner) | ("const", const) | ("field", node, field).
        """
        node = ref.item or node_name or SCHEME_NODE
        if ref.field == RATE:
            return ("rate", node)
        if ref.field == TOTAL and ref.item is None:
            return ("total",)
        if ref.field == SCORE and ref.item in self.nodes:
            return ("score", ref.item)
        if ref.field == AMOUNT and ref.item in self.awards:
            return ("amount", ref.item)
        if ref.field == GRADE and ref.item in self.awards:
            return ("grade", ref.item)
        if ref.item is None:
            let = self.local_let(node_name, ref.field)
            if let is not None:
                return ("let", let, self.let_owner(node_name, let))
            if ref.field in self.consts:
                return ("const", self.consts[ref.field])
        return ("field", node, ref.field)
