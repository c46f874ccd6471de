"""What-if: the same scheme with some of a unit's figures changed, and what that changes."""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from .checker import award_fields, field_powers, required_fields
from .data import Cell, Dataset, field_key, is_not_applicable, normalise, parse_value, read_figure
from .errors import DataError, diagnostic, did_you_mean
from .index import SchemeIndex
from .result import Results


@dataclass(frozen=True)
class Setting:
    unit: str
    item: str
    field: str
    raw: str


def parse_setting(text: str, data: Dataset, index: SchemeIndex, lang: str) -> Setting:
    """UNIT.ITEM.FIELD=VALUE, names as in `kpi explain` (spaces, aliases, prefixes); the field
    one the scheme reads for the item (a mistyped one would change nothing, and say so)."""
    item_names = index.data_names()
    target, sep, raw = text.partition("=")
    parts = target.rsplit(".", 2)
    if not sep or len(parts) != 3:
        raise DataError([diagnostic("E311", lang, unit=target or "?", item="--set",
                                    what="应写成 单位.指标.字段=值" if lang == "zh" else "write UNIT.ITEM.FIELD=VALUE")])
    unit_name, item_name, field = parts
    unit = data.find_unit(unit_name, lang)
    item = item_names.get(normalise(item_name))
    if item is None:
        raise DataError([diagnostic("E201", lang, name=item_name,
                                    hint=did_you_mean(item_name, set(item_names.values()), lang))])
    field = field_key(field.strip())
    read = sorted({f for n, f in (*required_fields(index, optional=True), *award_fields(index)) if n == item})
    if field not in read and not is_not_applicable(parse_value(raw.strip())):  # 不适用 may be written in any field
        raise DataError([diagnostic("E312", lang, place="--set", what=(
            f"方案不读取 {item} 的字段 {field}（读取：{'、'.join(read) or '无'}）" if lang == "zh" else
            f"the scheme reads no field {field} of {item} (it reads: {', '.join(read) or 'none'})")
            + did_you_mean(field, read, lang))])
    return Setting(unit.name, item, field, raw.strip())


def apply(data: Dataset, settings: list[Setting], index: SchemeIndex, lang: str = "zh") -> Dataset:
    """A copy of the data with the settings in place, each read as a data file's cell is (a bare
    figure of a field kept in 万元 is 万元; a figure too long refused); each changed cell says
    so. The caller checks the copy as data is checked (a rate typed without %, a count not whole)."""
    values = dict(data.values)
    powers = field_powers(index)
    for s in settings:
        value, problem = read_figure(s.raw, powers.get((s.item, s.field)), lang,
                                     dict(place="--set", unit=s.unit, item=s.item, field=s.field))
        if problem is not None:
            raise DataError([problem])
        before = values.get((s.unit, s.item, s.field))
        note = f"假设（原为 {before.raw}）" if before else "假设（原无此值）"
        values[(s.unit, s.item, s.field)] = Cell(value, s.raw, note, "--set")
    return replace(data, values=values)


@dataclass(frozen=True)
class Change:
    unit: str
    before: Decimal
    after: Decimal
    rank_before: int
    rank_after: int

    @property
    def difference(self) -> Decimal:
        return self.after - self.before


def compare(before: Results, after: Results) -> list[Change]:
    """Every unit whose total or rank moved, largest move first."""
    old = {u.unit: u for u in before.units}
    changes = [Change(u.unit, old[u.unit].total, u.total, old[u.unit].rank, u.rank) for u in after.units
               if u.total != old[u.unit].total or u.rank != old[u.unit].rank]
    return sorted(changes, key=lambda c: (-abs(c.difference), c.unit))
