"""A run stopped by a signal keeps what it did and says so.

SIGINT (Ctrl-C) or SIGTERM mid-run: the events so far stay on disk, closed by a ``run
interrupted`` record; ``metrics.csv`` holds the rows sampled so far; ``summary.json`` says
``interrupted``, how far the simulation got and the metrics so far; ``tokensim run`` exits
128 + the signal's number, without a traceback. The first tests signal a real ``tokensim
run`` of a shipped scenario; the others drive a ``Run`` in this process.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.calendar import DAY
from sim.engine import Run, RunStatus
from sim.scenario import load, shipped

from small_scenarios import events, scenario

GOLDEN = Path(__file__).resolve().parents[1] / "scenarios" / "golden"


def _started(command: list[str], out: Path, lines: int = 20) -> subprocess.Popen[str]:
    """``command`` running, once its run directory's events.jsonl has ``lines`` lines."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    log = out / "events.jsonl"
    while time.monotonic() < deadline and process.poll() is None:
        if log.exists() and log.read_text().count("\n") >= lines:
            return process
        time.sleep(0.02)
    process.kill()
    pytest.fail(f"the run wrote fewer than {lines} events before it ended: {process.communicate()}")


def _signalled(name: str, signum: int, out: Path) -> tuple[subprocess.CompletedProcess[str], dict, list[dict]]:
    """``tokensim run`` of the shipped scenario ``name`` on revm, sent ``signum`` mid-run."""
    command = [sys.executable, "-m", "sim", "run", name, "--backend", "revm", "--out", str(out), "-q"]
    process = _started(command, out)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=120)
    done = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    return done, json.loads((out / "summary.json").read_text()), events(out)


def _rows(out: Path) -> list[dict[str, str]]:
    with (out / "metrics.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_sigint_stops_tokensim_run_with_exit_130_and_an_interrupted_summary(tmp_path):
    out = tmp_path / "run"
    done, summary, records = _signalled("ats_fair_access", signal.SIGINT, out)
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "interrupted by SIGINT" in done.stderr
    assert summary["status"] == "interrupted" and summary["reason"] == "interrupted by SIGINT"
    assert 0 < summary["sim_days"] < load(shipped()["ats_fair_access"]).duration_days
    golden = json.loads((GOLDEN / "ats_fair_access.json").read_text())
    assert set(summary["metrics"]) == set(golden["metrics"])  # every metric, as far as the run got
    assert summary["events"] == len(records)
    last = records[-1]
    assert (last["actor"], last["act"], last["outcome"], last["reason"]) == (
        "simulation", "run", "interrupted", "interrupted by SIGINT")
    assert last["t"] == round(summary["sim_days"] * DAY)
    rows = _rows(out)
    assert rows[0]["t"] == "0" and all(int(row["t"]) <= last["t"] for row in rows)


def test_sigterm_stops_tokensim_run_with_exit_143_and_the_metrics_rows_so_far(tmp_path):
    out = tmp_path / "run"
    done, summary, records = _signalled("reg_d_506b_lifecycle", signal.SIGTERM, out)
    assert done.returncode == 143, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert summary["status"] == "interrupted" and summary["reason"] == "interrupted by SIGTERM"
    assert 0 < summary["sim_days"] < load(shipped()["reg_d_506b_lifecycle"]).duration_days
    assert {"trades", "holders", "refusals_by_reason"} <= set(summary["metrics"])
    assert records[-1]["act"] == "run" and records[-1]["outcome"] == "interrupted"
    sampled = [int(row["t"]) for row in _rows(out)]
    assert sampled == [day * DAY for day in range(len(sampled))]  # a row a day, none missing ...
    assert 0 <= records[-1]["t"] - sampled[-1] <= DAY  # ... up to the moment it stopped


SCRIPT = """
import sys
from pathlib import Path
from sim import Run, load
Run(load(sys.argv[1]), backend="revm").run(out_dir=Path(sys.argv[2]))
print("not reached")
"""


def _script_signalled(signum: int, tmp_path: Path) -> tuple[subprocess.Popen[str], str, str, Path]:
    out = tmp_path / "run"
    script = tmp_path / "play.py"
    script.write_text(SCRIPT)
    process = _started([sys.executable, str(script), str(shipped()["ats_fair_access"]), str(out)], out)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=120)
    return process, stdout, stderr, out


def test_a_script_stopped_by_sigint_writes_the_outputs_then_raises_keyboard_interrupt(tmp_path):
    process, stdout, stderr, out = _script_signalled(signal.SIGINT, tmp_path)
    assert process.returncode == -signal.SIGINT  # Python's end on an uncaught KeyboardInterrupt
    assert stderr.rstrip().endswith("KeyboardInterrupt") and "not reached" not in stdout
    assert json.loads((out / "summary.json").read_text())["status"] == "interrupted"
    assert events(out)[-1]["reason"] == "interrupted by SIGINT"


def test_a_script_stopped_by_sigterm_writes_the_outputs_then_ends_by_sigterm(tmp_path):
    process, stdout, _, out = _script_signalled(signal.SIGTERM, tmp_path)
    assert process.returncode == -signal.SIGTERM
    assert "not reached" not in stdout
    assert json.loads((out / "summary.json").read_text())["status"] == "interrupted"
    assert (out / "metrics.csv").exists()


def test_a_handler_the_caller_installed_gets_the_signal_after_the_outputs(tmp_path):
    seen = []

    def handler(signum, _frame):
        seen.append((signum, json.loads((tmp_path / "summary.json").read_text())["status"]))

    def sigterm_on_day_2(done: float, _total: float) -> None:
        if done >= 2 * DAY and not run.stop_signal:
            os.kill(os.getpid(), signal.SIGTERM)

    earlier = signal.signal(signal.SIGTERM, handler)
    try:
        run = Run(scenario(), backend="revm")
        result = run.run(out_dir=tmp_path, progress=sigterm_on_day_2)
    finally:
        signal.signal(signal.SIGTERM, earlier)
    assert seen == [(signal.SIGTERM, "interrupted")]
    assert result.status == "interrupted" and result.summary["reason"] == "interrupted by SIGTERM"


def test_a_keyboard_interrupt_in_run_is_raised_again_after_the_outputs(tmp_path):
    """Ctrl-C in the progress callback (as in a notebook) stops the run before its next step."""

    def ctrl_c_on_day_3(done: float, _total: float) -> None:
        if done >= 3 * DAY:
            raise KeyboardInterrupt

    run = Run(scenario(), backend="revm")
    with pytest.raises(KeyboardInterrupt):
        run.run(out_dir=tmp_path, progress=ctrl_c_on_day_3)
    assert run.status == RunStatus.INTERRUPTED
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary == run.result.summary
    assert (summary["status"], summary["sim_days"], summary["reason"]) == ("interrupted", 3, "interrupted by SIGINT")
    assert summary["events"] == len(events(tmp_path))
    assert events(tmp_path)[-1]["t"] == 3 * DAY
    assert [int(row["t"]) for row in _rows(tmp_path)] == [0, DAY, 2 * DAY]  # day 3's sample comes after its acts


def test_interrupt_stops_the_run_between_two_steps_and_run_returns_its_result(tmp_path):
    run = Run(scenario(), backend="revm")
    result = run.run(out_dir=tmp_path, progress=lambda done, _: run.interrupt(signal.SIGTERM) if done >= 2 * DAY else None)
    assert (result.status, result.summary["sim_days"]) == ("interrupted", 2)
    assert events(tmp_path)[-1]["reason"] == "interrupted by SIGTERM"


def test_a_keyboard_interrupt_inside_a_process_stops_a_stepped_run_at_that_moment(tmp_path):
    """Stepped by hand, without the signal handlers of ``run``: a KeyboardInterrupt raised
    while a SimPy process runs ends the run there; ``advance_to`` raises it again and
    ``finish`` writes the run as interrupted."""
    run = Run(scenario(), backend="revm")
    run.setup(tmp_path)

    def ctrl_c():
        yield run.env.timeout(2 * DAY + 5)
        raise KeyboardInterrupt

    run.env.process(ctrl_c())
    with pytest.raises(KeyboardInterrupt):
        run.advance_to(run.end_seconds)
    result = run.finish()
    assert result.status == "interrupted"
    assert result.summary["sim_days"] == round((2 * DAY + 5) / DAY, 4)
    assert events(tmp_path)[-1]["t"] == 2 * DAY + 5


def test_a_stop_asked_once_the_simulation_reached_its_end_leaves_the_run_done(tmp_path):
    run = Run(scenario(), backend="revm")
    result = run.run(out_dir=tmp_path, progress=lambda done, total: run.interrupt() if done >= total else None)
    assert result.status == "done"
    assert events(tmp_path)[-1]["act"] != "run"


def test_run_restores_the_signal_handlers_it_found(tmp_path):
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    Run(scenario(duration_days=2), backend="revm").run(out_dir=tmp_path)
    assert {signum: signal.getsignal(signum) for signum in before} == before
