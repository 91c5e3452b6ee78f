"""Ctrl-C keeps a sweep's completed rows; rerunning it runs only the rest; the sweep
directory holds one sweep."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal
from sweep_helpers import GRID, RUNS, SEEDS, SMALL, START_TIMEOUT, comparable, run_ids
from typer.testing import CliRunner

from sim.cli import app
from sim.sweep import read, sweep

COMMAND = ["sweep", str(SMALL), "--seeds", str(SEEDS), "--grid", "margin.shocks.0.move_pct=-10,-40", "-q"]


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory) -> Path:
    """A sweep directory whose `tokensim sweep` got SIGINT once two runs were complete
    (one local worker, so the runs end one by one); returns it with the exit code stored."""
    out = tmp_path_factory.mktemp("interrupted") / "sweep"
    tokensim = Path(sys.executable).with_name("tokensim")
    process = subprocess.Popen([str(tokensim), *COMMAND, "--workers", "1", "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 2 * START_TIMEOUT
        while len(run_ids(out / "runs")) < 2:
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=START_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    (out.parent / "exit.json").write_text(json.dumps({"code": process.returncode, "stderr": stderr}))
    return out


def test_ctrl_c_exits_130_and_writes_the_rows_of_the_runs_complete(interrupted):
    exit = json.loads((interrupted.parent / "exit.json").read_text())
    assert exit["code"] == 130, exit["stderr"]
    complete = run_ids(interrupted / "runs")
    assert 2 <= len(complete) < RUNS
    assert set(read(interrupted)["run"]) == complete
    assert "SIGINT" in exit["stderr"] and "run the same command again to run the rest" in exit["stderr"]


def test_rerunning_an_interrupted_sweep_runs_only_the_rest_and_gives_the_uninterrupted_table(
        interrupted, tmp_path, reference):
    out = tmp_path / "sweep"
    shutil.copytree(interrupted, out)
    earlier = {run: (out / "runs" / run / "summary.json").stat().st_mtime_ns for run in run_ids(out / "runs")}
    seen = []

    table = sweep(SMALL, seeds=SEEDS, grid=GRID, workers=2, out_dir=out, progress=seen.append)

    assert seen[0].resumed == len(earlier) and seen[0].done == len(earlier)
    assert [p.row["run"] for p in seen[1:]] and {p.row["run"] for p in seen[1:]} == set(table["run"]) - set(earlier)
    assert {run: (out / "runs" / run / "summary.json").stat().st_mtime_ns for run in earlier} == earlier
    assert_frame_equal(comparable(table), comparable(reference.table))
    assert_frame_equal(comparable(read(out)), comparable(reference.table))


def test_a_changed_sweep_in_the_same_directory_is_refused_with_exit_2_unless_force(interrupted):
    before = (interrupted / "sweep.json").read_bytes()
    result = CliRunner().invoke(app, [*COMMAND[:3], "5", *COMMAND[4:], "--out", str(interrupted)])
    assert result.exit_code == 2
    assert f"bad sweep: {interrupted}: holds another sweep (sweep_small; changed: seeds); pass --force to " \
           "replace it, or choose another directory with --out" in result.output
    assert (interrupted / "sweep.json").read_bytes() == before
