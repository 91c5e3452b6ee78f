"""eth-tester (the reference) and revm give the same event log, byte for byte.

The small engine scenario is compared in ``test_determinism``; here whole shipped
scenarios are, for the ones the reference backend runs in a CI-friendly time.
"""

from __future__ import annotations

import pytest

from sim.engine import Simulation
from sim.scenario import load, shipped

REFERENCE_SCENARIOS = ["reg_cf_crowdfunding", "custodian_omnibus_t1"]


@pytest.mark.parametrize("name", REFERENCE_SCENARIOS)
def test_shipped_scenario_events_are_identical_on_eth_tester_and_revm(tmp_path, name):
    scenario = load(shipped()[name])
    reference = Simulation(scenario, backend="eth-tester").run(out_dir=tmp_path / "eth-tester")
    fast = Simulation(scenario, backend="revm").run(out_dir=tmp_path / "revm")
    assert reference.status == fast.status == "done"
    assert (tmp_path / "eth-tester" / "events.jsonl").read_bytes() == (tmp_path / "revm" / "events.jsonl").read_bytes()
    strip = lambda summary: {k: v for k, v in summary.items() if k not in ("wall_seconds", "versions", "backend")}  # noqa: E731
    assert strip(reference.summary) == strip(fast.summary)
