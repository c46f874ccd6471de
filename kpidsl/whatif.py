"""What-if: the same scheme with some of a unit's figures changed, and what that changes."""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from .data import Cell, Dataset, normalise, parse_value
from .errors import DataError, diagnostic, did_you_mean
from .result import Results


@dataclass(frozen=True)
class Setting:
    unit: str
    item: str
    field: str
    raw: str


def parse_setting(text: str, data: Dataset, item_names: dict[str, str], lang: str) -> Setting:
    """UNIT.ITEM.FIELD=VALUE, names as in `kpi explain` (spaces, aliases, prefixes)."""
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
    return Setting(unit.name, item, field.strip(), raw.strip())


def apply(data: Dataset, settings: list[Setting], lang: str = "zh") -> Dataset:
    """A copy of the data with the settings in place; each changed cell says so."""
    values = dict(data.values)
    for s in settings:
        value = parse_value(s.raw)
        if value is None:
            raise DataError([diagnostic("E313", lang, place="--set", unit=s.unit, item=s.item, field=s.field)])
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
