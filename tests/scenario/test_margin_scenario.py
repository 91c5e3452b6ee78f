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


# --------------------------------------------- published rules, chosen by name


def test_a_haircut_schedule_that_is_not_published_is_refused():
    data = _base()
    data["margin"]["rules"]["haircut_schedule"] = "basel_iii"
    assert "margin.rules.haircut_schedule: Input should be 'cftc_23_156', 'us_capital_217_132' or 'basel_ii'" in (
        _problems(data)
    )


def test_a_scan_method_that_is_not_published_is_refused():
    data = _base()
    data["margin"]["rules"]["scan_method"] = "tims"
    assert "margin.rules.scan_method: Input should be 'span' or 'finra'" in _problems(data)


def test_the_old_name_of_the_cross_margin_floor_is_still_read():
    data = _base()
    data["margin"]["rules"].pop("haircut_schedule", None)
    data["margin"]["rules"]["cross_floor_pct"] = 20
    assert loads(yaml.safe_dump(data)).margin.rules.min_cross_margin_pct == 20


def test_the_cross_margin_floor_defaults_to_none():
    assert load(shipped()["cross_margin_hedged_book"]).margin.rules.min_cross_margin_pct == 0


def test_a_risk_weight_the_capital_rule_does_not_use_is_refused():
    data = _base()
    data["margin"]["assets"][1]["risk_weight_pct"] = 35
    assert "margin.assets.1.risk_weight_pct: Input should be 0, 20, 50, 100 or 150" in _problems(data)


def test_a_funds_holding_shares_must_add_up_to_100_percent():
    data = yaml.safe_load(shipped()["tokenized_mmf_collateral"].read_text())
    data["margin"]["assets"][2]["holdings"] = {"TBILL3M": 70, "TNOTE2Y": 29.99}
    assert ("margin.assets.2.holdings: the holdings' shares of the fund must add up to 100 percent (got 99.99)"
            in _problems(data))


def test_a_funds_holding_shares_become_basis_points_that_add_up_exactly():
    data = yaml.safe_load(shipped()["tokenized_mmf_collateral"].read_text())
    data["margin"]["assets"][2]["holdings"] = {"TBILL3M": 33.33, "TNOTE2Y": 66.67}
    fund = loads(yaml.safe_dump(data)).margin.assets[2]
    assert fund.holding_weights_bps == (3_333, 6_667) and fund.holding_symbols == ["TBILL3M", "TNOTE2Y"]


def test_under_us_retail_forex_an_esma_class_is_refused():
    data = _base()
    data["margin"]["rules"]["retail_regime"] = "us_retail_forex"
    assert ("margin.assets.0.tradable.retail_class: under the us_retail_forex retail regime a class is one of: "
            "major_fx, minor_fx (got 'major_index')") in _problems(data)


def test_us_retail_forex_caps_major_currencies_at_50_to_1_and_others_at_20_to_1():
    from sim.scenario.margin import Tradable

    major, minor = Tradable(scan_class="equity", retail_class="major_fx"), Tradable(scan_class="equity", retail_class="minor_fx")
    assert (major.retail_leverage("us_retail_forex"), minor.retail_leverage("us_retail_forex")) == (50, 20)
    assert (major.retail_leverage("esma"), minor.retail_leverage("esma")) == (30, 20)
