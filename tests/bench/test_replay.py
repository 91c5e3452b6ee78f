"""The benchmark's replays are faithful: every loop reproduces each recorded outcome.

A ratio of the harness means something only if the baselines ran the very operations the
simulation sent, with the same results. A small run is recorded on revm and replayed by
each loop; a loop that sent different calldata, skipped the clock or lost a revert would
count mismatches.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sim import solidity
from sim.chain import make_backend
from sim.engine import Run
from sim.scenario import validate

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import replay  # noqa: E402

START = "2030-01-07T14:00:00Z"


def _small_trading_scenario():
    return validate(
        {
            "name": "bench-replay",
            "seed": 7,
            "start": START,
            "duration_days": 6,
            "security": {"name": "Replay Share", "symbol": "RPL", "compliance": [{"kind": "accredited_only"}]},
            "offering": {"closes_day": 1, "price": 10.0, "shares": 10_000},
            "investors": [{"name": "inv", "count": 8, "cash_usd": {"kind": "fixed", "value": 20_000},
                           "subscription_usd": {"kind": "fixed", "value": 5_000}, "orders_per_day": 4.0}],
            "trading": {"starts_day": 2, "order_size": {"kind": "fixed", "value": 20}},
            "clearing": {"settlement_days": 1, "netting": True, "business_days_only": False},
            "oracle": {"max_age_hours": 6},
            "faults": [{"kind": "stale_oracle", "at_day": 2.2, "hours": 24}],  # orders refused, price reads revert
        },
        source="<bench-replay-test>",
    )


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    scenario = _small_trading_scenario()
    path = tmp_path_factory.mktemp("replay") / "ops"
    backend = replay.RecordingBackend(make_backend("revm", genesis_timestamp=scenario.start_timestamp - 1), path)
    sim = Run(scenario, backend=backend)
    sim.setup(path.parent / "run")
    sim.advance_to(2.5 * 86_400)
    system = sim.part("securities").system
    with pytest.raises(solidity.OracleStalePrice):  # the order desk catches it; a direct read reverts
        system.oracle.priceOf(system.token)
    sim.advance_to(5 * 86_400)
    settled = sim.part("securities").metrics.count("settle") + sim.part("securities").metrics.count("settle_internal") // 2
    sim.close()
    ops = replay.read_ops(path)
    return ops, backend.accounts_created, settled


def test_the_recording_holds_deployments_transactions_calls_and_reverts(recording):
    ops, _, settled = recording
    kinds = dict(replay.iter_kinds(ops))
    assert kinds["deploy"] >= 5 and kinds["tx"] > 50 and kinds["call"] > 50
    assert settled > 0
    assert any(not op.ok for op in ops if op.kind == replay.CALL)  # reverts are part of the mix


def test_the_raw_pyrevm_loop_reproduces_every_outcome(recording):
    ops, _, _ = recording
    result = replay.raw_pyrevm(ops)
    assert (result.ops, result.mismatches) == (len(ops), 0)


@pytest.mark.parametrize("backend", ["revm", "eth-tester"])
def test_the_chain_replay_reproduces_every_outcome(recording, backend):
    ops, accounts, _ = recording
    result = replay.tokensim(ops, backend, accounts)
    assert (result.ops, result.mismatches) == (len(ops), 0)


def test_the_naive_web3_loop_reproduces_every_outcome(recording):
    ops, accounts, _ = recording
    result = replay.naive_web3(ops, accounts)
    assert (result.ops, result.mismatches) == (len(ops), 0)


def test_the_harness_names_an_unknown_backend_and_exits_2():
    import subprocess

    harness = Path(__file__).resolve().parents[2] / "bench" / "run.py"
    done = subprocess.run([sys.executable, str(harness), "--backends", "revm,geth"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "unknown backend(s) geth; expected some of: eth-tester, revm, rpc" in done.stderr
