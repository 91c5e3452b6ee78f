"""What reaches the chain is bounded at load: prices in whole cents, a start the chain's clock
can hold, events before the end, amounts the contracts' integers can hold, finite numbers."""

from __future__ import annotations

import pytest
import yaml

from sim.engine import Run
from sim.scenario import ScenarioError, loads
from sim.scenario.base import MAX_TOKENS, START_RANGE

BASE = {
    "name": "bounds",
    "duration_days": 10,
    "security": {"name": "Acme", "symbol": "ACME"},
    "offering": {"closes_day": 2, "price": 10.0, "shares": 1000},
    "investors": [{"name": "inv", "count": 3, "subscription_usd": {"kind": "fixed", "value": 100}}],
}


def _with(path: str, value) -> dict:
    data = yaml.safe_load(yaml.safe_dump(BASE))
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return data


def _problems(data: dict) -> str:
    with pytest.raises(ScenarioError) as refused:
        loads(yaml.safe_dump(data, sort_keys=False), source="bad.yaml")
    return str(refused.value)


@pytest.mark.parametrize("path", ["offering.price", "oracle.initial_price", "dividends.per_share"])
def test_a_price_below_one_cent_is_refused(path):
    data = _with(path, 0.004)
    if path == "dividends.per_share":
        data["dividends"]["first_record_day"] = 5
    assert f"{path}: Input should be at least one cent, 0.01 (got 0.004)" in _problems(data)


def test_a_price_in_fractions_of_a_cent_is_refused():
    assert "offering.price: Input should be in whole cents (at most two decimals) (got 10.125)" in _problems(
        _with("offering.price", 10.125))


@pytest.mark.parametrize("price", [0.01, 10.07, 19.99, 1_000_000.5])
def test_a_price_in_whole_cents_is_accepted(price):
    assert loads(yaml.safe_dump(_with("offering.price", price))).offering.price == price


@pytest.mark.parametrize("start", ["1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "2200-01-01T00:00:01Z", "9999-12-31"])
def test_a_start_outside_the_chains_range_is_refused(start):
    assert "start: Input should be a date from 1970-01-02 to 2200-01-01" in _problems(_with("start", start))


def test_a_start_beyond_pythons_dates_once_in_utc_is_refused_without_a_crash():
    assert "start: a date-time beyond the range of dates" in _problems(_with("start", "9999-12-31T23:00:00-14:00"))


@pytest.mark.parametrize("start", [moment.isoformat() for moment in START_RANGE])
def test_a_run_plays_at_either_end_of_the_start_range(start):
    result = Run(loads(yaml.safe_dump(_with("start", start))), backend="revm").run()
    assert result.status == "done" and result.summary["start"] == start.replace("+00:00", "Z")


@pytest.mark.parametrize("at_day", [10, 10.5, 400])
def test_a_fault_at_or_after_the_end_is_refused(at_day):
    data = _with("faults", [{"kind": "pause", "at_day": 1, "hours": 1}, {"kind": "pause", "at_day": at_day, "hours": 1}])
    assert f"faults.1.at_day: a pause fault must happen before the end (day 10) (got {float(at_day)})" in _problems(data)


@pytest.mark.parametrize("path", ["offering.shares", "trading.market_maker.shares"])
def test_a_token_amount_above_the_bound_is_refused(path):
    data = _with(path, MAX_TOKENS + 1)
    assert f"{path}: Input should be less than or equal to {MAX_TOKENS}" in _problems(data)


def test_a_compliance_parameter_beyond_uint256_is_refused():
    data = _with("security.compliance", [{"kind": "holder_limit", "max_holders": 2**256}])
    assert "security.compliance.0.holder_limit.max_holders: Input should be less than 2**256" in _problems(data)


@pytest.mark.parametrize("path", ["oracle.update_hours", "oracle.max_age_hours", "trading.order_ttl_hours"])
def test_an_hours_field_beyond_a_hundred_years_is_refused(path):
    assert f"{path}: Input should be less than or equal to 876000 (got {10**20})" in _problems(_with(path, 10**20))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinities_are_refused(value):
    assert "oracle.volatility_pct: Input should be a finite number" in _problems(_with("oracle.volatility_pct", value))
