"""A run that fails mid-way keeps its events, writes a failed summary, and exits 1.

The failure is real: the chain backend below is the real eth-tester backend, which stops
accepting transactions after a set number, as a node that crashes would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.chain import chain as chain_module
from sim.chain.eth_tester import EthTesterBackend
from sim.chain.revm import RevmBackend
from sim.cli import app
from sim.engine import Run
from sim.errors import ChainError

from small_scenarios import events, scenario


class GoesAway:
    """A backend that goes away after ``limit`` transactions (mixed into a real one)."""

    limit = 120

    def transact(self, *args, **kwargs):
        self.sent = getattr(self, "sent", 0) + 1
        if self.sent > self.limit:
            raise ChainError(f"node went away after {self.limit} transactions")
        return super().transact(*args, **kwargs)


class CrashingBackend(GoesAway, EthTesterBackend):
    """eth-tester that goes away after ``limit`` transactions."""


@pytest.fixture
def crashing(monkeypatch):
    monkeypatch.setitem(chain_module.BACKENDS, "crashing", ("test_failure", "CrashingBackend"))
    return "crashing"


def test_a_failed_run_keeps_its_events_and_says_why(tmp_path, crashing):
    result = Run(scenario(), backend=crashing).run(out_dir=tmp_path)
    assert result.status == "failed"
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == "failed"
    assert summary["reason"] == "ChainError: node went away after 120 transactions"
    records = events(tmp_path)
    assert records[-1]["act"] == "run" and records[-1]["outcome"] == "failed"
    assert len(records) > 10  # everything before the failure is on disk
    assert summary["events"] == len(records)
    assert (tmp_path / "metrics.csv").exists()


def test_the_cli_exits_1_on_a_failed_run(tmp_path, crashing):
    path = tmp_path / "scenario.yaml"
    path.write_text(scenario().model_dump_json())
    result = CliRunner().invoke(app, ["run", str(path), "--backend", crashing, "--out", str(tmp_path / "run"), "-q"])
    assert result.exit_code == 1
    assert "run failed" in result.output


HARD_CRASH = """
import os, sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from sim.chain.revm import RevmBackend
from sim.engine import Run
from small_scenarios import scenario

class DyingBackend(RevmBackend):
    def transact(self, *args, **kwargs):
        self.sent = getattr(self, "sent", 0) + 1
        if self.sent > {limit}:
            os._exit(3)  # the process dies inside the chain call: no handler, no buffer flushed
        return super().transact(*args, **kwargs)

Run(scenario(), backend=DyingBackend(genesis_timestamp=scenario().start_timestamp - 1)).run(out_dir=Path({out!r}))
"""


class FailingRevm(GoesAway, RevmBackend):
    """revm that raises after ``limit`` transactions (the run records it and ends failed)."""


def test_a_process_that_dies_inside_an_act_leaves_every_record_before_that_act_on_disk(tmp_path):
    """The hard crash (``os._exit`` inside the 121st transaction: no handler runs, no buffer
    is flushed) leaves exactly the records the same run writes before it fails softly at
    that transaction: every record up to the failing act, none half-written."""
    start = scenario().start_timestamp - 1
    soft = Run(scenario(), backend=FailingRevm(genesis_timestamp=start)).run(out_dir=tmp_path / "soft")
    assert soft.status == "failed"
    died = subprocess.run(
        [sys.executable, "-c", HARD_CRASH.format(tests=str(Path(__file__).parent), limit=FailingRevm.limit,
                                                 out=str(tmp_path / "hard"))],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert died.returncode == 3, died.stderr
    soft_lines = (tmp_path / "soft" / "events.jsonl").read_bytes().splitlines(keepends=True)
    assert json.loads(soft_lines[-1])["outcome"] == "failed"
    assert (tmp_path / "hard" / "events.jsonl").read_bytes() == b"".join(soft_lines[:-1])
    assert len(soft_lines) > 10
