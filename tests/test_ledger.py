"""The ledger balances: for every unit of every bundled scheme, the explained losses account
for the total to the last digit."""
from __future__ import annotations

from decimal import Decimal


def test_every_bundled_scheme_was_evaluated(bundled_results):
    assert "rugao-2021.kpi" in bundled_results
    assert all(r.units for r in bundled_results.values())


def test_full_minus_losses_plus_bonus_plus_rounding_is_the_total(bundled_results):
    for name, results in bundled_results.items():
        for unit in results.units:
            entries = unit.ledger()
            assert unit.full + sum((e.points for e in entries), Decimal(0)) == unit.total, (name, unit.unit)


def test_item_lines_add_up_to_the_item_loss(bundled_results):
    for results in bundled_results.values():
        for unit in results.units:
            for item in unit.items():
                assert sum((l.lost for l in item.lines), Decimal(0)) == item.lost, (unit.unit, item.path)


def test_section_score_is_its_parts_less_its_own_lines(bundled_results):
    for results in bundled_results.values():
        for unit in results.units:
            for top in unit.sections:
                for section in top.sections():
                    parts = sum((c.score for c in section.children), Decimal(0))
                    own = sum((l.lost for l in section.lines), Decimal(0))
                    parts_max = sum((c.max for c in section.children), Decimal(0))
                    assert parts - (own - (section.max - parts_max)) == section.score, section.path


def test_scores_stay_within_their_points(bundled_results):
    for results in bundled_results.values():
        for unit in results.units:
            for item in unit.items():
                assert 0 <= item.score <= item.max, (unit.unit, item.path)
            assert 0 <= unit.total <= unit.full + sum(s.max * s.weight for s in unit.sections if s.bonus)


def test_rounding_line_appears_only_where_rounding_changed_the_sum(bundled_results):
    for results in bundled_results.values():
        for unit in results.units:
            rounding = [e for e in unit.ledger() if e.label == "舍入调整"]
            assert bool(rounding) == (unit.total != unit.total_exact)


def test_the_sample_data_exercises_every_rule_both_ways(bundled_results):
    """Every rule kind of the 2021 scheme awards points somewhere and costs points somewhere."""
    results = bundled_results["rugao-2021.kpi"]
    awarded, lost = set(), set()
    for unit in results.units:
        for top in unit.sections:
            for section in top.sections():
                for line in section.lines:
                    (lost if line.lost > 0 else awarded).add(line.kind)
        for item in unit.items():
            for line in item.lines:
                if line.lost > 0:
                    lost.add(line.kind)
                elif line.kind != "deduct":
                    awarded.add(line.kind)
    for kind in ("proportional", "meet", "rank", "tiers", "projects", "assessed", "deduct", "veto"):
        assert kind in lost, kind
    for kind in ("proportional", "meet", "rank", "tiers", "projects", "assessed", "floor"):
        assert kind in awarded, kind
