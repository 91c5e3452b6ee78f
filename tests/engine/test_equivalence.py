"""eth-tester (the reference) and revm give the same event log and final state.

Every shipped scenario, with its own seed, on both backends: ``events.jsonl`` byte for
byte, the summary (but for wall time, versions and backend name), and the state digest
(balances, holds, frozen amounts, custody positions, settlement statuses). One shipped
scenario is also compared on a real Hardhat node in ``tests/chain/test_rpc_backend.py``.
"""

from __future__ import annotations

import pytest

from sim.engine import Simulation
from sim.scenario import load, shipped

@pytest.mark.parametrize("name", sorted(shipped()))
def test_shipped_scenario_events_are_identical_on_eth_tester_and_revm(tmp_path, name):
    scenario = load(shipped()[name])
    reference = Simulation(scenario, backend="eth-tester").run(out_dir=tmp_path / "eth-tester")
    fast = Simulation(scenario, backend="revm").run(out_dir=tmp_path / "revm")
    assert reference.status == fast.status == "done"
    assert (tmp_path / "eth-tester" / "events.jsonl").read_bytes() == (tmp_path / "revm" / "events.jsonl").read_bytes()
    strip = lambda summary: {k: v for k, v in summary.items() if k not in ("wall_seconds", "versions", "backend")}  # noqa: E731
    assert strip(reference.summary) == strip(fast.summary)
    assert reference.summary["state_digest"] == fast.summary["state_digest"] is not None
