"""A bad grid path or value is refused before any run: exit 2, the file, the field, the
value and what was expected named, nothing written."""

from __future__ import annotations

import pytest
from sweep_helpers import SMALL
from typer.testing import CliRunner

from sim.cli import app

runner = CliRunner()
FILE = SMALL.name


@pytest.fixture(autouse=True)
def _beside_the_scenario(monkeypatch):
    """Run where the scenario is, so the messages name it as given: sweep_small.yaml."""
    monkeypatch.chdir(SMALL.parent)


def _sweep(tmp_path, *grid: str):
    out = tmp_path / "sweep"
    result = runner.invoke(app, ["sweep", SMALL.name, "--seeds", "2", *(a for g in grid for a in ("--grid", g)),
                                 "--out", str(out), "-q"])
    return result, out


@pytest.mark.parametrize(("grid", "message"), [
    ("margin.shockz.0.move_pct=-10",
     (f"{FILE}: --grid margin.shockz.0.move_pct: no field 'shockz' in margin (its fields: currency, assets, "
      "correlations, rules, oracle, market_maker, accounts, shocks)")),
    ("margin.shocks.3.move_pct=-10",
     f"{FILE}: --grid margin.shocks.3.move_pct: margin.shocks has 1 item (indexes 0 to 0), no item 3"),
    ("margin.shocks.move_pct=-10",
     (f"{FILE}: --grid margin.shocks.move_pct: margin.shocks is a list: name one of its items by its index "
      "(margin.shocks.0.move_pct)")),
    ("name.first=x", f"{FILE}: --grid name.first: name is a value ('sweep_small'), not a section: it has no field 'first'"),
    ("seed=1,2", f"{FILE}: --grid seed: the sweep gives each run its seed: use --seeds or --seed-list"),
])
def test_a_bad_grid_path_is_refused_with_exit_2_naming_the_file_and_field_and_nothing_is_written(tmp_path, grid, message):
    result, out = _sweep(tmp_path, grid)
    assert result.exit_code == 2
    assert f"bad sweep: {message}\n" in result.output
    assert not out.exists()


def test_a_grid_value_the_scenario_refuses_is_refused_with_its_line_field_value_and_expectation(tmp_path):
    result, out = _sweep(tmp_path, "margin.shocks.0.move_pct=-10,abc")
    assert result.exit_code == 2
    assert (f"bad sweep: --grid margin.shocks.0.move_pct='abc': {FILE}:33: margin.shocks.0.move_pct: "
            "Input should be a valid number (got 'abc')\n") in result.output
    assert not out.exists()


def test_a_grid_combination_the_scenario_refuses_is_refused_naming_both_values(tmp_path):
    result, out = _sweep(tmp_path, "duration_days=3,10", "margin.shocks.0.at_day=2,3.5")  # each fine alone
    assert result.exit_code == 2
    assert (f"bad sweep: --grid combination duration_days=3, margin.shocks.0.at_day=3.5: {FILE}:33: "
            "margin.shocks.0.at_day: a shock must happen before the end (day 3) (got 3.5)\n") in result.output
    assert not out.exists()


def test_a_grid_option_without_values_is_refused(tmp_path):
    result, out = _sweep(tmp_path, "margin.shocks.0.move_pct")
    assert result.exit_code == 2
    assert ("bad sweep: --grid 'margin.shocks.0.move_pct': expected FIELD=V1,V2,... (a dotted path into the "
            "scenario, then its values), as in margin.shocks.0.move_pct=-10,-30\n") in result.output
    assert not out.exists()
