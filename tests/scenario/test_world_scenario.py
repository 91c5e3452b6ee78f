"""One scenario format: the world's fields and a section per part; earlier formats still load.

A scenario plays the parts whose sections it has; a margin section may name the security
token and the lifecycle's investors. Files written for the earlier ``kind: margin`` and
``kind: taxonomy`` formats load into their section, and their errors name the fields as the
file spells them, on the file's own lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.scenario import ScenarioError, load, loads, shipped, validate

LEGACY = sorted((Path(__file__).parent / "legacy").glob("*.yaml"))

SECURITY = {"name": "Acme Fund", "symbol": "ACME", "compliance": [{"kind": "accredited_only"}]}
OFFERING = {"closes_day": 2, "price": 10.0, "shares": 10_000}
INVESTORS = [{"name": "inv", "count": 3, "subscription_usd": {"kind": "fixed", "value": 5_000}}]
ASSET = {"symbol": "ACME", "token": "security", "name": "Acme Fund", "asset_class": "tokenized_security",
         "tradable": {"scan_class": "equity"}}


def _problems(data: dict | str) -> str:
    with pytest.raises(ScenarioError) as refused:
        loads(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), source="bad.yaml")
    return str(refused.value)


def _combined(**margin) -> dict:
    return {
        "name": "combined", "duration_days": 10, "security": SECURITY, "offering": OFFERING, "investors": INVESTORS,
        "margin": {"assets": [ASSET], "accounts": [{"name": "long", "investor": "inv-0001"}], **margin},
    }


@pytest.mark.parametrize("path", LEGACY, ids=lambda p: p.stem)
def test_a_file_of_an_earlier_format_loads_as_the_shipped_scenario_written_in_this_one(path):
    assert load(path) == load(shipped()[path.stem])


def test_an_error_in_a_margin_file_of_the_earlier_format_names_the_field_as_the_file_spells_it():
    data = yaml.safe_load((Path(__file__).parent / "legacy" / "cross_margin_hedged_book.yaml").read_text())
    data["assets"][1]["haircut_pct"] = 101
    data["margin"]["limits"] = {"per_fund_pct": 100.5}
    problems = _problems(data)
    assert "assets.1.haircut_pct: Input should be less than or equal to 100 (got 101)" in problems
    assert "margin.limits.per_fund_pct: Input should be less than or equal to 100 (got 100.5)" in problems
    assert "margin.assets" not in problems and "rules" not in problems


def test_an_error_in_a_file_of_the_earlier_format_points_at_its_own_line():
    text = (Path(__file__).parent / "legacy" / "safe_harbor_matures.yaml").read_text()
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if row.strip().startswith("per_investor_usd:"))
    text = text.replace("per_investor_usd: 25000", "per_investor_usd: 0")
    assert f"bad.yaml:{line}: safe_harbor.caps.per_investor_usd: Input should be greater than 0 (got 0)" in _problems(text)


def test_the_earlier_taxonomy_formats_sampling_in_days_is_read_in_hours():
    scenario = load(Path(__file__).parent / "legacy" / "innovation_exemption_caps.yaml")
    assert scenario.metrics_every_hours == 15 * 24 and scenario.sample_seconds == 15 * 86_400


def test_an_earlier_format_file_without_a_start_keeps_that_formats_default_start():
    data = yaml.safe_load((Path(__file__).parent / "legacy" / "cross_margin_hedged_book.yaml").read_text())
    del data["start"]
    assert validate(data).start.isoformat() == "2026-03-02T14:00:00+00:00"


def test_which_parts_run_follows_from_the_sections_present():
    assert load(shipped()["reg_d_506b_lifecycle"]).parts == ("securities",)
    assert load(shipped()["retail_leverage_caps"]).parts == ("margin",)
    assert load(shipped()["ats_fair_access"]).parts == ("taxonomy",)
    assert validate(_combined()).parts == ("securities", "margin")


def test_the_sampling_interval_is_the_shortest_of_the_parts_present():
    assert validate(_combined()).sample_seconds == 12 * 3600
    assert validate({**_combined(), "metrics_every_hours": 6}).sample_seconds == 6 * 3600


def test_a_scenario_without_a_part_is_refused():
    assert "a scenario needs at least one part" in _problems({"name": "empty", "duration_days": 5})


def test_an_offering_without_a_security_is_refused_as_a_missing_security():
    assert "security: Field required" in _problems({"name": "x", "duration_days": 5, "offering": OFFERING})


def test_a_lifecycle_section_beside_a_margin_section_alone_is_refused():
    data = _combined()
    del data["security"], data["offering"], data["investors"]
    data["margin"]["assets"] = [{**ASSET, "token": "plain", "price": 10.0}]
    data["margin"]["accounts"] = [{"name": "long"}]
    data["custodians"] = [{"name": "bank", "mode": "omnibus"}]
    assert "custodians: custodians belongs to the securities lifecycle" in _problems(data)


def test_a_securities_fault_without_the_securities_lifecycle_is_refused_at_its_kind():
    data = yaml.safe_load(shipped()["cross_margin_hedged_book"].read_text())
    data["faults"] = [{"kind": "pause", "at_day": 1, "hours": 2}]
    assert "faults.0.kind: a pause fault needs the securities lifecycle" in _problems(data)


def test_the_security_token_as_a_margin_asset_needs_a_security_section():
    data = _combined()
    del data["security"], data["offering"], data["investors"]
    data["margin"]["accounts"] = [{"name": "long"}]
    assert "margin.assets.0.token: token: security names the scenario's security token" in _problems(data)


def test_the_security_token_as_a_margin_asset_has_the_security_tokens_symbol():
    data = _combined()
    data["margin"]["assets"] = [{**ASSET, "symbol": "ACM"}]
    assert "margin.assets.0.symbol: the security token's symbol is 'ACME' (got 'ACM')" in _problems(data)


def test_the_security_token_takes_its_price_from_the_oracle_not_the_margin_section():
    data = _combined()
    data["margin"]["assets"] = [{**ASSET, "price": 10.0}]
    assert "the security token's price comes from the scenario's oracle" in _problems(data)


def test_a_margin_account_of_an_investor_the_scenario_does_not_have_is_refused():
    data = _combined()
    data["margin"]["accounts"] = [{"name": "long", "investor": "inv-0004"}]
    problems = _problems(data)
    assert "margin.accounts.0.investor: no investor 'inv-0004' (the scenario's investors: inv-0001..inv-0003)" in problems


def test_a_cross_field_error_points_at_the_line_of_the_offending_value():
    text = yaml.safe_dump({"name": "late", "duration_days": 5, "security": SECURITY,
                           "offering": {**OFFERING, "closes_day": 9}, "investors": INVESTORS}, sort_keys=False)
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if row.strip().startswith("closes_day:"))
    assert f"bad.yaml:{line}: offering.closes_day: offering closes on day 9, not before the end (day 5)" in _problems(text)


@pytest.mark.parametrize("name", sorted(shipped()))
def test_a_scenario_written_back_as_data_validates_to_the_same_scenario(name):
    scenario = load(shipped()[name])
    assert validate(scenario.model_dump(mode="json")) == scenario
