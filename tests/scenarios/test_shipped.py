"""The shipped scenarios: each runs, shows its rule at work, and matches its golden summary.

Golden summaries live in ``golden/<scenario>.json`` (the summary of a run with the
scenario's own seed, without wall time and versions). After an intended change,
regenerate them with ``TOKENSIM_UPDATE_GOLDEN=1 pytest tests/scenarios`` and review the
diff like code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sim.calendar import DAY, add_months
from sim.engine import Simulation
from sim.scenario import load, shipped

GOLDEN = Path(__file__).parent / "golden"
SHIPPED = shipped()
VOLATILE = ("wall_seconds", "versions", "backend")


def _comparable(summary: dict) -> dict:
    return {k: v for k, v in summary.items() if k not in VOLATILE}


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    cache: dict[str, tuple] = {}

    def get(name: str):
        if name not in cache:
            out = tmp_path_factory.mktemp(name)
            simulation = Simulation(load(SHIPPED[name]), backend="revm")
            result = simulation.run(out_dir=out)
            records = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
            cache[name] = (result.summary, records, simulation)
        return cache[name]

    return get


def test_at_least_the_five_required_scenarios_ship():
    assert {
        "reg_d_506b_lifecycle", "reg_s_offshore", "reg_cf_crowdfunding", "custodian_omnibus_t1",
        "tokenized_bond_maturity",
    } <= set(SHIPPED)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_scenario_matches_its_golden_summary(runs, name):
    summary, _, _ = runs(name)
    assert summary["status"] == "done", summary.get("reason")
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("TOKENSIM_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(_comparable(summary), indent=2) + "\n")
    assert golden.exists(), f"no golden summary for {name}: run with TOKENSIM_UPDATE_GOLDEN=1"
    assert _comparable(summary) == json.loads(golden.read_text())


def _acts(records, act, outcome=None):
    return [r for r in records if r["act"] == act and (outcome is None or r["outcome"] == outcome)]


def test_reg_d_506b(runs):
    summary, records, _ = runs("reg_d_506b_lifecycle")
    metrics = summary["metrics"]
    scenario = load(SHIPPED["reg_d_506b_lifecycle"])
    assert metrics["refusals_by_reason"]["Non-accredited purchaser limit reached"] > 0
    purchasers = {r["investor"] for r in _acts(records, "mint", "ok") if r["investor"].startswith("sophisticated")}
    assert len(purchasers) == 35
    (flag,) = _acts(records, "section_12g_flag")
    assert flag["holders"] == 2_000
    release = add_months(scenario.start_timestamp + scenario.offering.closes_day * DAY, 12) - scenario.start_timestamp
    lockup_refusals = [r for r in records if r.get("error") == "LockupActive"]
    assert lockup_refusals and max(r["t"] for r in lockup_refusals) < release
    assert min(r["t"] for r in _acts(records, "trade")) >= release
    assert metrics["dividends_usd"] > 0


def test_reg_s_offshore(runs):
    summary, records, _ = runs("reg_s_offshore")
    scenario = load(SHIPPED["reg_s_offshore"])
    us = [r for r in records if r.get("error") == "RegSUSPersonRestricted"]
    assert us and summary["metrics"]["refusals_by_reason"]["Reg S distribution compliance period: US person"] == len(us)
    release = add_months(scenario.start_timestamp + scenario.offering.closes_day * DAY, 12) - scenario.start_timestamp
    us_buys = [r for r in _acts(records, "trade") if r["buyer"].startswith("us-buyers")]
    assert us_buys, "US persons should buy once the period ends"
    assert min(r["t"] for r in us_buys) >= release
    assert max(r["t"] for r in us) < release
    assert all(not r["investor"].startswith("us-buyers") for r in _acts(records, "mint", "ok"))


def test_reg_cf_crowdfunding(runs):
    summary, records, simulation = runs("reg_cf_crowdfunding")
    reasons = summary["metrics"]["refusals_by_reason"]
    assert reasons["Investor's 12-month investment limit exceeded"] > 0
    assert reasons["Offering's 12-month cap exceeded"] >= 1
    minted = sum(r["cash_cents"] for r in _acts(records, "mint", "ok"))
    assert minted <= 5_000_000 * 100
    module, registry = simulation.system.modules["investment-limit"], simulation.system.registry
    bought: dict[str, int] = {}
    for record in _acts(records, "mint", "ok"):
        bought[record["investor"]] = bought.get(record["investor"], 0) + record["cash_cents"]
    retail = [p for p in simulation.investors.participants if not p.identity.accredited]
    assert any(p.label in bought for p in retail)
    for p in retail:
        assert bought.get(p.label, 0) <= module.limitOf(p.wallet, registry), p.label


def test_custodian_omnibus_t1(runs):
    summary, records, _ = runs("custodian_omnibus_t1")
    metrics = summary["metrics"]
    assert metrics["fails"] > 0 and metrics["penalties_usd"] > 0 and metrics["buy_ins"] > 0
    assert metrics["reconciliation_breaks"] > 0
    assert metrics["holders"] < metrics["beneficial_owners"]
    breaks = _acts(records, "reconcile", "break")
    assert {r["actor"] for r in breaks} == {"custodian:bank"}
    last = {(r["actor"], r["token"]): r["outcome"] for r in _acts(records, "reconcile")}
    assert set(last.values()) == {"ok"}, "every break is resolved by the end"
    assert _acts(records, "resolve_break", "ok")
    assert any(r["netted"] for r in _acts(records, "settle_batch", "ok"))


def test_tokenized_bond_maturity(runs):
    summary, records, _ = runs("tokenized_bond_maturity")
    metrics = summary["metrics"]
    assert metrics["supply"] == 0
    minted = metrics["minted_shares"]
    assert metrics["coupons_usd"] == 4 * 2.5 * minted  # four semi-annual coupons of 2.5% of $100
    assert metrics["redeemed_usd"] == 100 * minted
    assert _acts(records, "burn_at_maturity", "ok")
