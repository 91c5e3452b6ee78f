"""Helpers of the sweep tests: the small sweep they all run, a real Dask cluster (a ``dask
scheduler`` and ``dask worker`` processes on 127.0.0.1), and what two sweeps compare."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SMALL = HERE / "sweep_small.yaml"
"""Three retail traders and one shock, four days: a run takes well under a second."""

GRID = {"margin.shocks.0.move_pct": [-10, -40]}
SEEDS = 4
RUNS = 8
START_TIMEOUT = 60  # seconds for a scheduler or worker to come up
STOP_TIMEOUT = 10  # seconds for one to stop once asked, before it is killed


def comparable(table):
    """The table without the columns that differ between two sweeps of one definition
    (wall times, run directories)."""
    from sim.sweep.table import VARIABLE

    return table.drop(columns=list(VARIABLE))


def run_ids(runs_dir: Path) -> set[str]:
    """The runs whose outputs are complete in ``runs_dir`` (a summary.json, renamed into place)."""
    return {p.parent.name for p in runs_dir.glob("g*-s*/summary.json")}


@dataclass
class DaskCluster:
    """A scheduler and its workers, each a process of its own; ``client`` is connected."""

    address: str
    client: object
    workers: list[subprocess.Popen] = field(default_factory=list)

    @property
    def worker_pids(self) -> set[int]:
        return {w.pid for w in self.workers if w.poll() is None}


def _dask() -> str:
    script = Path(sys.executable).with_name("dask")
    if not script.exists():
        pytest.fail(f"no dask command beside {sys.executable}: install tokensim's dependencies (dask[distributed])")
    return str(script)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)


@contextmanager
def running_dask_cluster(where: Path, workers: int = 2) -> Iterator[DaskCluster]:
    """A real Dask cluster on 127.0.0.1: ``dask scheduler`` on a free port (port 0, the
    address read from its scheduler file) and ``workers`` ``dask worker`` processes, one
    thread each, no nanny (so killing one kills that worker). Torn down whatever happens."""
    from distributed import Client

    where.mkdir(parents=True, exist_ok=True)
    scheduler_file = where / "scheduler.json"
    processes: list[subprocess.Popen] = []
    log = (where / "dask.log").open("w")
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "3"}
    client = None
    try:
        processes.append(subprocess.Popen(
            [_dask(), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--dashboard-address", "127.0.0.1:0",
             "--scheduler-file", str(scheduler_file)],
            stdout=log, stderr=subprocess.STDOUT, cwd=where, env=env))
        deadline = time.monotonic() + START_TIMEOUT
        address = None
        while address is None:
            if processes[0].poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the dask scheduler did not start: {(where / 'dask.log').read_text()[-2000:]}")
            try:
                address = json.loads(scheduler_file.read_text())["address"]
            except (OSError, ValueError, KeyError):
                time.sleep(0.05)
        for i in range(workers):
            processes.append(subprocess.Popen(
                [_dask(), "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                 "--host", "127.0.0.1", "--name", f"worker-{i}", "--death-timeout", str(START_TIMEOUT)],
                stdout=log, stderr=subprocess.STDOUT, cwd=where, env=env))
        client = Client(address, timeout=START_TIMEOUT, set_as_default=False)
        client.wait_for_workers(workers, timeout=START_TIMEOUT)
        yield DaskCluster(address, client, processes[1:])
    finally:
        if client is not None:
            client.close()
        for process in reversed(processes):  # workers first, then the scheduler
            _stop(process)
        log.close()


def kill_a_worker_mid_run(runs_dir: Path, pids, killed: list[int], stop) -> None:
    """Once a run has completed, SIGKILL the first worker seen running another: its run's
    hidden directory is named after the worker's pid (``runs/.g0-s1.tmp-<pid>-...``).
    ``pids()`` gives the pids that may be killed (the cluster's workers)."""
    while not stop.is_set():
        if run_ids(runs_dir):
            for running in runs_dir.glob(".g*-s*.tmp-*"):
                pid = int(running.name.split(".tmp-")[1].split("-")[0])
                if pid in pids():
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
        time.sleep(0.005)


@contextmanager
def killing_a_worker_mid_run(runs_dir: Path, pids) -> Iterator[list[int]]:
    """While the block runs, a thread kills one worker mid-run (``kill_a_worker_mid_run``);
    yields the list of the pids killed."""
    killed: list[int] = []
    stop = threading.Event()
    killer = threading.Thread(target=kill_a_worker_mid_run, args=(runs_dir, pids, killed, stop), daemon=True)
    killer.start()
    try:
        yield killed
    finally:
        stop.set()
        killer.join()
