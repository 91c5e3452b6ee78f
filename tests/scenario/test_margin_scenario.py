"""The margin section: bad parameters are refused at load, naming the field and the value."""

from __future__ import annotations

import pytest
import yaml

from sim.scenario import ScenarioError, load, loads, shipped


def _base() -> dict:
    return yaml.safe_load(shipped()["cross_margin_hedged_book"].read_text())


def _problems(data: dict) -> str:
    with pytest.raises(ScenarioError) as refused:
        loads(yaml.safe_dump(data), source="bad.yaml")
    return str(refused.value)


def test_a_shipped_margin_scenario_plays_the_margin_part_alone():
    assert load(shipped()["cross_margin_hedged_book"]).parts == ("margin",)


def test_a_haircut_above_100_percent_is_refused():
    data = _base()
    data["margin"]["assets"][1]["haircut_pct"] = 101
    assert "margin.assets.1.haircut_pct: Input should be less than or equal to 100 (got 101)" in _problems(data)


def test_a_negative_haircut_is_refused():
    data = _base()
    data["margin"]["assets"][1]["haircut_pct"] = -1
    assert "margin.assets.1.haircut_pct: Input should be greater than or equal to 0 (got -1)" in _problems(data)


def test_a_concentration_limit_above_100_percent_is_refused():
    data = _base()
    data["margin"]["rules"]["limits"] = {"per_fund_pct": 100.5}
    assert "margin.rules.limits.per_fund_pct: Input should be less than or equal to 100 (got 100.5)" in _problems(data)


def test_a_scan_range_of_zero_is_refused():
    data = _base()
    data["margin"]["assets"][0]["tradable"] = {"scan_up_pct": 0, "scan_down_pct": 8}
    assert "margin.assets.0.tradable.scan_up_pct: Input should be greater than 0 (got 0)" in _problems(data)


def test_a_tradable_asset_without_a_scan_range_is_refused():
    data = _base()
    data["margin"]["assets"][0]["tradable"] = {"retail_class": "crypto"}
    assert "give a scan_class or both scan_up_pct and scan_down_pct" in _problems(data)


def test_an_unknown_asset_class_is_refused():
    data = _base()
    data["margin"]["assets"][0]["asset_class"] = "bond"
    problems = _problems(data)
    assert "margin.assets.0.asset_class: Input should be 'tokenized_security'" in problems and "(got 'bond')" in problems


def test_an_unknown_scenario_kind_is_refused_with_its_line():
    problems = _problems({**_base(), "kind": "options"})
    assert "kind: expected one of 'lifecycle', 'margin', 'taxonomy' (got 'options')" in problems


def test_an_order_on_an_asset_without_a_perpetual_is_refused():
    data = _base()
    data["margin"]["accounts"][0]["orders"].append({"asset": "TBILL", "quantity": 1})
    assert "TBILL is not tradable" in _problems(data)


def test_pledging_an_asset_that_is_not_collateral_is_refused():
    data = _base()
    data["margin"]["accounts"][0]["collateral"] = {"SPX": 10}
    assert "SPX is not collateral" in _problems(data)
