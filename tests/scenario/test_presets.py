"""Rule presets in scenario files: a rule's numbers come from the rule, never restated.

A compliance entry names its preset with ``rule`` (``lockup: {rule: rule_144,
reporting_issuer: false}``) and loads to the same module spec as the Python preset
(``Lockup.rule_144(reporting_issuer=False)``); a plain number where a distribution goes is
a ``fixed`` distribution.
"""

from __future__ import annotations

import pytest

from sim.contracts import HolderLimit, InvestmentLimit, Lockup
from sim.scenario.base import Fixed
from sim.scenario.load import validate as load

BASE = {
    "name": "presets",
    "duration_days": 100,
    "offering": {"closes_day": 10, "price": 10.0, "shares": 1000},
    "investors": [{"name": "a", "count": 5}],
}


def _compliance(*entries):
    return load({**BASE, "security": {"name": "Acme", "symbol": "ACME", "compliance": list(entries)}}).security.compliance


def _numbers(spec):
    return spec.model_dump(exclude={"rule", "reporting_issuer", "category", "equity"})


@pytest.mark.parametrize(
    ("entry", "preset"),
    [
        ({"lockup": {"rule": "rule_144", "reporting_issuer": True}}, Lockup.rule_144(reporting_issuer=True)),
        ({"lockup": {"rule": "rule_144", "reporting_issuer": False}}, Lockup.rule_144(reporting_issuer=False)),
        ({"lockup": {"rule": "reg_s", "category": 2}}, Lockup.reg_s(category=2)),
        ({"lockup": {"rule": "reg_s", "category": 3, "equity": False}}, Lockup.reg_s(category=3, equity=False)),
        ({"lockup": {"rule": "reg_s", "category": 3, "equity": True, "reporting_issuer": True}},
         Lockup.reg_s(category=3, equity=True, reporting_issuer=True)),
        ({"lockup": {"rule": "reg_s", "category": 3, "equity": True, "reporting_issuer": False}},
         Lockup.reg_s(category=3, equity=True, reporting_issuer=False)),
        ({"holder_limit": {"rule": "506b"}}, HolderLimit.rule_506b()),
    ],
)
def test_a_preset_in_yaml_is_the_python_preset(entry, preset):
    (spec,) = _compliance(entry)
    assert _numbers(spec) == _numbers(preset)


def test_reg_s_periods_follow_rule_903():
    """903(b)(2)(ii): 40 days; 903(b)(3)(ii)(A): debt 40 days; 903(b)(3)(iii)(A): equity one
    year, six months for a reporting issuer."""
    assert (Lockup.reg_s(category=2).days, Lockup.reg_s(category=3, equity=False).days) == (40, 40)
    assert Lockup.reg_s(category=3, equity=True, reporting_issuer=False).months == 12
    assert Lockup.reg_s(category=3, equity=True, reporting_issuer=True).months == 6


def test_reg_cf_preset_takes_the_offering_price_when_deployed():
    (spec,) = _compliance({"investment_limit": {"rule": "reg_cf"}})
    assert _numbers(spec) | {"price_cents": 1_000} == _numbers(InvestmentLimit.reg_cf(price_cents=1_000))
    assert spec.price_cents is None  # the securities part prices it at offering.price


def test_reg_a_tier_2_preset_is_per_offering_and_may_be_listed():
    (spec,) = _compliance({"investment_limit": {"rule": "reg_a_tier2", "listed": True}})
    assert (spec.regime, spec.listed, spec.investor_window_months, spec.offering_cap_usd) == (
        "reg_a_tier2", True, 0, 75_000_000,
    )


def test_restating_a_number_the_rule_fixes_with_its_own_value_is_harmless():
    (spec,) = _compliance({"holder_limit": {"rule": "506b", "max_non_accredited_purchasers": 35}})
    assert spec.max_non_accredited_purchasers == 35


def test_a_plain_number_is_a_fixed_distribution():
    scenario = load({**BASE, "security": {"name": "Acme", "symbol": "ACME"},
                     "investors": [{"name": "a", "count": 5, "subscription_usd": 20000, "cash_usd": 2.5}]})
    population = scenario.investors[0]
    assert population.subscription_usd == Fixed(value=20000)
    assert population.cash_usd == Fixed(value=2.5)
