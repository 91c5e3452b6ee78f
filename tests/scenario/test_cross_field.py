"""A problem that involves two fields names the one to change, at its own path and line.

Each row: a change to a valid scenario, the field path the error must name, and the message.
The checks are the models' own (a nested model's validator raises ``Model.refuse(field)``,
a section's ``Invalid(path)``); the path is the one a user would edit.
"""

from __future__ import annotations

import pytest
import yaml

from sim.scenario import ScenarioError, loads

LIFECYCLE = {
    "name": "cross",
    "duration_days": 30,
    "security": {"name": "Acme", "symbol": "ACME"},
    "offering": {"closes_day": 2, "price": 10.0, "shares": 1000},
    "investors": [{"name": "inv", "count": 3}],
    "custodians": [{"name": "bank", "mode": "omnibus"}],
    "margin": {
        "assets": [
            {"symbol": "BTC", "name": "Bitcoin", "asset_class": "digital_commodity", "price": 60000.0, "collateral": True,
             "tradable": {"scan_up_pct": 30, "scan_down_pct": 30, "perpetual": {}}},
            {"symbol": "MMF", "name": "Fund", "asset_class": "money_market_fund", "price": 1.0, "collateral": True},
        ],
        "accounts": [{"name": "trader", "cash_usd": 100000, "orders": [{"at_day": 1, "asset": "BTC", "quantity": 1}]}],
    },
}

TAXONOMY = {
    "name": "cross",
    "duration_days": 100,
    "taxonomy": {
        "token": {"name": "Net", "symbol": "NET", "asset_class": "exempt_network_token"},
        "safe_harbor": {"rounds": [{"day": 1, "price_usd": 0.5, "buyers": 10, "tokens": {"kind": "fixed", "value": 100}}]},
        "investors": [{"name": "crowd", "count": 20}],
        "venues": [{"name": "ats", "registration": "ats"}],
    },
}


def _changed(base: dict, change) -> str:
    data = yaml.safe_load(yaml.safe_dump(base))
    change(data)
    text = yaml.safe_dump(data, sort_keys=False)
    with pytest.raises(ScenarioError) as refused:
        loads(text, source="bad.yaml")
    return str(refused.value)


def _set(path: str, value):
    def change(data):
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[last] = value
    return change


def _asset(field, value):
    return _set(f"margin.assets.0.{field}", value)


CASES = {
    "offering closes before it opens": (LIFECYCLE, _set("offering.opens_day", 5),
                                        "offering.closes_day: Input should be after opens_day (5) (got 2)"),
    "trading stops before it starts": (LIFECYCLE, _set("trading", {"starts_day": 9, "stops_day": 4}),
                                       "trading.stops_day: Input should be after starts_day (9) (got 4)"),
    "a uniform's high below its low": (LIFECYCLE, _set("investors.0.cash_usd", {"kind": "uniform", "low": 9, "high": 3}),
                                       "investors.0.cash_usd.uniform.high: Input should be at least low (9) (got 3)"),
    "a duplicate population": (LIFECYCLE, lambda d: d["investors"].append({"name": "inv", "count": 1}),
                               "investors.1.name: population names must be unique: investors.0 is 'inv' too (got 'inv')"),
    "a duplicate custodian": (LIFECYCLE, lambda d: d["custodians"].append({"name": "bank", "mode": "segregated"}),
                              "custodians.1.name: custodian names must be unique"),
    "a price given to the security token": (
        LIFECYCLE, lambda d: d["margin"]["assets"].append(
            {"symbol": "ACME", "token": "security", "name": "Acme", "asset_class": "equity", "price": 10.0}),
        "margin.assets.2.price: the security token's price comes from the scenario's oracle: give no price (got 10.0)"),
    "a plain asset without a price": (LIFECYCLE, lambda d: d["margin"]["assets"][1].pop("price"),
                                      "margin.assets.1.price: Field required: a plain asset's price at the start"),
    "holdings of an asset that is not a fund": (LIFECYCLE, _asset("holdings", ["MMF"]),
                                                "margin.assets.0.holdings: holdings are for a money_market_fund"),
    "a scan range with one side": (LIFECYCLE, _asset("tradable", {"scan_up_pct": 10}),
                                   "margin.assets.0.tradable.scan_down_pct: Field required: give scan_up_pct and "
                                   "scan_down_pct together"),
    "a scan range with no side": (LIFECYCLE, _asset("tradable", {"retail_class": "crypto"}),
                                  "margin.assets.0.tradable.scan_class: Field required: give a scan_class or both"),
    "an order with neither quantity nor leverage": (
        LIFECYCLE, lambda d: d["margin"]["accounts"][0]["orders"][0].pop("quantity"),
        "margin.accounts.0.orders.0.quantity: Field required: give exactly one of quantity and leverage"),
    "a short spot order": (LIFECYCLE, _set("margin.accounts.0.orders.0.short", True),
                           "margin.accounts.0.orders.0.short: only a perpetual can be short"),
    "an order of zero": (LIFECYCLE, _set("margin.accounts.0.orders.0.quantity", 0),
                         "margin.accounts.0.orders.0.quantity: Input should not be 0"),
    "a duplicate account": (LIFECYCLE, lambda d: d["margin"]["accounts"].append({"name": "trader"}),
                            "margin.accounts.1.name: account names must be unique: accounts.0 is 'trader' too"),
    "a correlation key of one asset": (LIFECYCLE, _set("margin.correlations", {"BTC": 0.5}),
                                       "margin.correlations.BTC: a correlation's key names two assets as 'A/B' (got 'BTC')"),
    "fair access months beyond the lookback": (
        TAXONOMY, _set("taxonomy.fair_access", {"months": 5, "lookback_months": 4}),
        "taxonomy.fair_access.months: Input should not exceed lookback_months (4) (got 5)"),
    "a duplicate venue": (TAXONOMY, lambda d: d["taxonomy"]["venues"].append({"name": "ats", "registration": "ats"}),
                          "taxonomy.venues.1.name: names must be unique: venues.0 is 'ats' too (got 'ats')"),
    "a whitelist module without a safe harbor": (
        TAXONOMY, lambda d: (d["taxonomy"].pop("safe_harbor"), d["taxonomy"].update(
            token={"name": "Net", "symbol": "NET", "asset_class": "digital_commodity"},
            rules={"digital_commodity": [{"kind": "accredited_only"}, {"kind": "exemption_whitelist"}]})),
        "taxonomy.rules.digital_commodity.1.kind: an exemption_whitelist module needs a safe_harbor"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_cross_field_problem_names_the_field_to_change(case):
    base, change, expected = CASES[case]
    assert expected in _changed(base, change)


def test_the_line_is_the_offending_fields():
    text = (
        "name: cross\nduration_days: 30\nsecurity: {name: Acme, symbol: ACME}\n"
        "offering:\n  opens_day: 5\n  price: 10.0\n  shares: 1000\n  closes_day: 2\n"
        "investors: [{name: inv, count: 3}]\n"
    )
    with pytest.raises(ScenarioError) as refused:
        loads(text, source="bad.yaml")
    assert str(refused.value) == "bad.yaml:8: offering.closes_day: Input should be after opens_day (5) (got 2)"
