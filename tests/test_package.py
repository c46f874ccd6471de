"""The installed package carries its grammar and bundled schemes (a plain `pip install .`)."""
from __future__ import annotations

from kpidsl.parser import grammar_text
from kpidsl.pipeline import bundled_schemes, default_scheme


def test_grammar_ships_with_the_package():
    assert "start:" in grammar_text()


def test_bundled_scheme_and_its_data_ship_with_the_package():
    folder = bundled_schemes()
    assert default_scheme().exists()
    for name in ("units.csv", "targets.csv", "actuals-sample.csv", "records-sample.csv"):
        assert (folder / "rugao-2021" / name).exists(), name

