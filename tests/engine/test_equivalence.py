"""eth-tester (the reference) and revm give the same event log and final state.

Every shipped scenario, with its own seed, on both backends: ``events.jsonl`` byte for
byte, the summary (but for wall time, versions and backend name), and the state digest
(balances, holds, frozen amounts, custody positions, settlement statuses). One shipped
scenario is also compared on a real Hardhat node in ``tests/chain/test_rpc_backend.py``.
"""

from __future__ import annotations

import pytest
import yaml

from sim.engine import Run
from sim.scenario import load, shipped, validate
from small_scenarios import scenario

SLOW_ON_ETH_TESTER = {"retail_leverage_caps", "safe_harbor_matures", "safe_harbor_fails", "ats_fair_access",
                      "tokenized_fund_collateral", "reg_d_506b_lifecycle", "reg_s_category1_erc3643"}
"""Minutes on eth-tester (two dozen accounts valued every two hours; thousands of venue
trades over three years); held to the same event log run after run on revm below instead.
``innovation_exemption_caps`` (70 s on eth-tester) carries the taxonomy contracts through
the equivalence test; ``locked_pledge_shortfall`` carries tokenized collateral (a pledge in
place, a foreclosure the token refuses) through it. ``reg_d_506b_lifecycle`` (six and a half
minutes on eth-tester: 2,100 accredited investors registered, minted and paid dividends)
is compared on eth-tester with 100 of them below: the same rules, offering, lock-up, trading
and dividends, the 2,000-holder 12(g) flag aside (its module is tested on eth-tester in
tests/contracts). ``reg_s_category1_erc3643`` (two minutes: 65 ONCHAINID identities
deployed and claimed on T-REX) is compared with 12 investors over 90 days below."""


@pytest.mark.parametrize("name", sorted(set(shipped()) - SLOW_ON_ETH_TESTER))
def test_shipped_scenario_events_are_identical_on_eth_tester_and_revm(tmp_path, name):
    scenario = load(shipped()[name])
    reference = Run(scenario, backend="eth-tester").run(out_dir=tmp_path / "eth-tester")
    fast = Run(scenario, backend="revm").run(out_dir=tmp_path / "revm")
    assert reference.status == fast.status == "done"
    assert (tmp_path / "eth-tester" / "events.jsonl").read_bytes() == (tmp_path / "revm" / "events.jsonl").read_bytes()
    strip = lambda summary: {k: v for k, v in summary.items() if k not in ("wall_seconds", "versions", "backend")}  # noqa: E731
    assert strip(reference.summary) == strip(fast.summary)
    assert reference.summary["state_digest"] == fast.summary["state_digest"] is not None


def test_a_506b_lifecycle_with_100_accredited_investors_is_identical_on_eth_tester_and_revm(tmp_path):
    data = yaml.safe_load(shipped()["reg_d_506b_lifecycle"].read_text(encoding="utf-8"))
    data["investors"][0]["count"] = 100
    scenario = validate(data, source="reg_d_506b_lifecycle, 100 accredited investors")
    reference = Run(scenario, backend="eth-tester").run(out_dir=tmp_path / "eth-tester")
    fast = Run(scenario, backend="revm").run(out_dir=tmp_path / "revm")
    assert reference.status == fast.status == "done"
    assert reference.metrics["refusals_by_reason"]["Non-accredited purchaser limit reached"] > 0  # the 506(b) cap
    assert (tmp_path / "eth-tester" / "events.jsonl").read_bytes() == (tmp_path / "revm" / "events.jsonl").read_bytes()
    assert reference.summary["state_digest"] == fast.summary["state_digest"] is not None


def test_a_t_rex_lifecycle_with_12_investors_is_identical_on_eth_tester_and_revm(tmp_path):
    data = yaml.safe_load(shipped()["reg_s_category1_erc3643"].read_text(encoding="utf-8"))
    data["investors"][0]["count"], data["investors"][1]["count"], data["duration_days"] = 8, 4, 90
    data["offering"]["shares"] = data["security"]["compliance"][2]["supply_limit"] = 40_000
    data["investors"][0]["orders_per_day"] = data["investors"][1]["orders_per_day"] = 0.1
    scenario = validate(data, source="reg_s_category1_erc3643, 12 investors, 90 days")
    reference = Run(scenario, backend="eth-tester").run(out_dir=tmp_path / "eth-tester")
    fast = Run(scenario, backend="revm").run(out_dir=tmp_path / "revm")
    assert reference.status == fast.status == "done"
    assert reference.metrics["settled"] > 0 and reference.metrics["refusals_by_reason"]["Transfers are paused"] > 0
    assert (tmp_path / "eth-tester" / "events.jsonl").read_bytes() == (tmp_path / "revm" / "events.jsonl").read_bytes()
    assert reference.summary["state_digest"] == fast.summary["state_digest"] is not None


def test_revm_compacted_every_10_transactions_gives_the_reference_events_and_state(tmp_path):
    spec = scenario(duration_days=8)
    plain = Run(spec, backend="eth-tester")
    plain_result = plain.run(out_dir=tmp_path / "plain")
    compacted = Run(spec, backend="revm", backend_options={"compact_every": 10})
    compacted_result = compacted.run(out_dir=tmp_path / "compacted")
    assert compacted.chain.backend.compactions > 10
    assert compacted_result.status == plain_result.status == "done"
    assert plain_result.metrics["trades"] > 0
    assert (tmp_path / "compacted" / "events.jsonl").read_bytes() == (tmp_path / "plain" / "events.jsonl").read_bytes()
    assert compacted.state_digest() == plain.state_digest()


@pytest.mark.parametrize("name", sorted(SLOW_ON_ETH_TESTER))
def test_a_scenario_too_slow_for_eth_tester_repeats_byte_for_byte_on_revm(tmp_path, name):
    scenario = load(shipped()[name])
    first = Run(scenario, backend="revm").run(out_dir=tmp_path / "first")
    second = Run(scenario, backend="revm").run(out_dir=tmp_path / "second")
    assert first.status == second.status == "done"
    assert (tmp_path / "first" / "events.jsonl").read_bytes() == (tmp_path / "second" / "events.jsonl").read_bytes()
    assert first.summary["state_digest"] == second.summary["state_digest"] is not None
