"""The taxonomy section: bad parameters are refused at load, naming the field and the value."""

from __future__ import annotations

import pytest
import yaml

from sim import rules
from sim.scenario import ScenarioError, load, loads, shipped


def _base(name: str = "safe_harbor_matures") -> dict:
    return yaml.safe_load(shipped()[name].read_text())


def _problems(data: dict) -> str:
    with pytest.raises(ScenarioError) as refused:
        loads(yaml.safe_dump(data), source="bad.yaml")
    return str(refused.value)


def test_a_shipped_taxonomy_scenario_plays_the_taxonomy_part_alone():
    assert load(shipped()["safe_harbor_matures"]).parts == ("taxonomy",)


def test_the_safe_harbor_runs_three_years_from_the_notice_with_six_monthly_updates_by_default():
    """Token Safe Harbor Proposal 2.0: 36 months from the notice; six-month periods; 30 days' grace."""
    data = _base()  # the shipped scenario states no clock: the proposal's is the default
    assert "window_months" not in data["taxonomy"]["safe_harbor"]
    harbor = loads(yaml.safe_dump(data)).taxonomy.safe_harbor
    assert harbor.window == (0, rules.SAFE_HARBOR_WINDOW_MONTHS) == (0, 36)
    assert harbor.disclosure_period == (0, 6) and harbor.disclosure_grace_days == 30


def test_a_window_of_zero_months_is_refused():
    data = _base()
    data["taxonomy"]["safe_harbor"]["window_months"] = 0
    assert "bad.yaml:" in (problems := _problems(data))
    assert "taxonomy.safe_harbor.window_months: Input should be greater than 0 (got 0)" in problems


def test_a_negative_window_is_refused():
    data = _base()
    data["taxonomy"]["safe_harbor"]["window_months"] = -30
    assert "taxonomy.safe_harbor.window_months: Input should be greater than 0 (got -30)" in _problems(data)


def test_a_window_in_months_and_in_days_is_refused():
    data = _base()
    data["taxonomy"]["safe_harbor"]["window_months"] = 36
    data["taxonomy"]["safe_harbor"]["window_days"] = 365
    assert "taxonomy.safe_harbor.window_days: give window_months or window_days, not both (got 365)" in _problems(data)


def test_a_team_share_test_above_twenty_percent_is_refused():
    """Token Safe Harbor Proposal 2.0: a team holding more than 20% cannot count as decentralised."""
    data = _base()
    data["taxonomy"]["safe_harbor"]["exit"]["max_developer_share_pct"] = 25
    assert "taxonomy.safe_harbor.exit.max_developer_share_pct: Input should be less than or equal to 20 (got 25)" in (
        _problems(data))


def test_a_sale_limit_longer_than_the_window_is_refused():
    data = _base()
    data["taxonomy"]["safe_harbor"]["caps"]["sale_limit_days"] = 1009
    assert ("taxonomy.safe_harbor.caps.sale_limit_days: Input should not exceed the window (36 months) (got 1009)"
            in _problems(data))


def test_a_maturity_share_threshold_above_100_percent_is_refused():
    data = _base()
    data["taxonomy"]["safe_harbor"]["exit"]["max_top10_share_pct"] = 101
    assert "taxonomy.safe_harbor.exit.max_top10_share_pct: Input should be less than or equal to 100 (got 101)" in _problems(data)


def test_an_hhi_threshold_above_10000_is_refused():
    data = _base()
    data["taxonomy"]["safe_harbor"]["exit"]["max_hhi"] = 10_001
    assert "taxonomy.safe_harbor.exit.max_hhi: Input should be less than or equal to 10000 (got 10001)" in _problems(data)


def test_a_negative_holder_threshold_is_refused():
    data = _base()
    data["taxonomy"]["safe_harbor"]["exit"]["min_independent_holders"] = -1
    assert "min_independent_holders: Input should be greater than or equal to 0 (got -1)" in _problems(data)


def test_a_reclassification_to_an_unknown_class_is_refused():
    data = _base()
    data["taxonomy"]["safe_harbor"]["exit"]["on_mature"] = "utility_token"
    problems = _problems(data)
    assert "taxonomy.safe_harbor.exit.on_mature: Input should be 'tokenized_security'" in problems
    assert "(got 'utility_token')" in problems


def test_a_scripted_reclassification_to_an_unknown_class_is_refused():
    data = _base("ats_fair_access")
    data["taxonomy"]["reclassifications"] = [{"day": 10, "to": "meme"}]
    assert "taxonomy.reclassifications.0.to: Input should be" in (problems := _problems(data)) and "(got 'meme')" in problems


def test_a_fair_access_threshold_of_zero_is_refused():
    data = _base("ats_fair_access")
    data["taxonomy"]["fair_access"] = {"share_pct": 0}
    assert "taxonomy.fair_access.share_pct: Input should be greater than 0 (got 0)" in _problems(data)


def test_fair_access_months_beyond_the_lookback_are_refused():
    data = _base("ats_fair_access")
    data["taxonomy"]["fair_access"] = {"months": 7, "lookback_months": 6}
    assert "taxonomy.fair_access.months: Input should not exceed lookback_months (6) (got 7)" in _problems(data)


def test_an_unknown_venue_registration_is_refused():
    data = _base("ats_fair_access")
    data["taxonomy"]["venues"][0]["registration"] = "dark_pool"
    assert "taxonomy.venues.0.registration: Input should be 'unregistered'" in (problems := _problems(data))
    assert "(got 'dark_pool')" in problems


def test_a_safe_harbor_needs_the_exempt_class():
    data = _base()
    data["taxonomy"]["token"]["asset_class"] = "digital_commodity"
    assert "a safe_harbor needs token.asset_class 'exempt_network_token'" in _problems(data)


def test_an_exemption_whitelist_without_a_safe_harbor_is_refused():
    data = _base("ats_fair_access")
    data["taxonomy"]["rules"]["tokenized_security"].append({"kind": "exemption_whitelist"})
    assert "an exemption_whitelist module needs a safe_harbor" in _problems(data)


def test_a_sale_round_naming_an_unknown_group_is_refused():
    data = _base()
    data["taxonomy"]["safe_harbor"]["rounds"][0]["groups"] = ["whales"]
    assert "taxonomy.safe_harbor.rounds.0.groups.0: no investor group 'whales'" in _problems(data)


def test_a_rules_table_keyed_by_an_unknown_class_is_refused():
    data = _base()
    data["taxonomy"]["rules"]["security"] = []
    assert "taxonomy.rules.security.[key]: Input should be 'tokenized_security'" in _problems(data)
