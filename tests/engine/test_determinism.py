"""Same scenario, same seed, same backend: byte-identical event log."""

from __future__ import annotations

import pytest

from sim.engine import Run

from small_scenarios import scenario


@pytest.mark.parametrize("backend", ["eth-tester", "revm"])
def test_two_runs_with_one_seed_write_identical_event_logs(tmp_path, backend):
    first = Run(scenario(), seed=7, backend=backend).run(out_dir=tmp_path / "a")
    second = Run(scenario(), seed=7, backend=backend).run(out_dir=tmp_path / "b")
    assert first.status == second.status == "done"
    assert first.metrics["trades"] > 0
    assert (tmp_path / "a" / "events.jsonl").read_bytes() == (tmp_path / "b" / "events.jsonl").read_bytes()
    assert (tmp_path / "a" / "metrics.csv").read_bytes() == (tmp_path / "b" / "metrics.csv").read_bytes()


def test_another_seed_writes_another_log(tmp_path):
    Run(scenario(), seed=7, backend="revm").run(out_dir=tmp_path / "a")
    Run(scenario(), seed=8, backend="revm").run(out_dir=tmp_path / "b")
    assert (tmp_path / "a" / "events.jsonl").read_bytes() != (tmp_path / "b" / "events.jsonl").read_bytes()


def test_eth_tester_and_revm_write_the_same_log(tmp_path):
    Run(scenario(), seed=3, backend="eth-tester").run(out_dir=tmp_path / "eth")
    Run(scenario(), seed=3, backend="revm").run(out_dir=tmp_path / "revm")
    assert (tmp_path / "eth" / "events.jsonl").read_bytes() == (tmp_path / "revm" / "events.jsonl").read_bytes()


def test_the_seed_comes_from_the_scenario_unless_overridden():
    assert Run(scenario()).seed == 42
    assert Run(scenario(), seed=9).seed == 9


def test_actor_streams_do_not_depend_on_each_other():
    simulation = Run(scenario(), seed=1)
    assert simulation.rng("venue").random() == Run(scenario(), seed=1).rng("venue").random()
    assert simulation.rng("venue").random() != simulation.rng("issuer").random()
