"""Running a sweep's runs on Dask: each run in a worker process of its own.

A run holds the GIL and an EVM for its whole life, so runs go to processes, never
threads: by default a ``distributed.LocalCluster`` of process workers, one thread each
(one worker per core, or ``workers``); or any Dask distributed cluster, given its scheduler
address or a ``Client``. A worker runs one run at a time even if it was started with
several threads (``run_one`` holds a lock), and writes the run's outputs into the sweep's
``runs/`` directory: with a cluster of several machines that directory must be on a file
system they all share, at the same path.

Dask reschedules the runs of a worker that dies (``distributed.scheduler.allowed-failures``,
3 by default, before a run that keeps killing its workers is given up: it becomes a
``failed`` row, reason ``KilledWorker``). A run is a pure function of its scenario, seed and
backend, so a run that ran again writes the same outputs.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.sweep.definition import RunSpec, Sweep
from sim.sweep.grid import SweepError

CONNECT_TIMEOUT = "10s"
"""How long to wait for a scheduler given by address."""

_ONE_RUN_AT_A_TIME = threading.Lock()


@dataclass(frozen=True)
class Task:
    """What a worker needs for one run (pickled to it)."""

    id: str
    scenario: Any  # sim.scenario.Scenario
    seed: int
    backend: str
    runs_dir: str


def run_one(task: Task) -> dict[str, Any]:
    """Play one run in this (worker) process into ``runs_dir/<id>``; return its summary as
    written to ``summary.json``.

    The run writes into a hidden directory beside, renamed when the run has ended, so
    ``runs/<id>`` is whole or absent. A failure outside the run's own steps (building its
    parts, say) still ends as a ``failed`` summary with the reason.
    """
    from sim.engine import Run

    with _ONE_RUN_AT_A_TIME:
        runs_dir = Path(task.runs_dir)
        temporary = runs_dir / f".{task.id}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            simulation = Run(task.scenario, seed=task.seed, backend=task.backend)
            try:
                simulation.run(out_dir=temporary)
            finally:
                simulation.close()
        except Exception as exc:  # the run could not even start, or not write its outputs: a failed run
            temporary.mkdir(parents=True, exist_ok=True)
            summary = failed_summary(task.scenario.name, task.seed, task.backend, f"{type(exc).__name__}: {exc}")
            (temporary / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        final = runs_dir / task.id
        _replace_dir(temporary, final)
        return json.loads((final / "summary.json").read_text(encoding="utf-8"))


def failed_summary(scenario: str, seed: int, backend: str, reason: str) -> dict[str, Any]:
    """The summary of a run that failed outside its own steps (it has no metrics)."""
    return {"status": "failed", "scenario": scenario, "seed": seed, "backend": backend, "metrics": {},
            "reason": reason}


def _replace_dir(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target``, replacing a ``target`` an earlier try of the run left."""
    if target.exists():
        trash = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(target, trash)
        shutil.rmtree(trash, ignore_errors=True)
    os.replace(source, target)


@contextmanager
def dask_client(client: Any = None, workers: int | None = None) -> Iterator[tuple[Any, str]]:
    """A Dask client for the sweep and a description of where it runs.

    ``client`` may be a ``distributed.Client`` (used as it is, left open), a scheduler's
    address (``tcp://HOST:PORT``: connected to, closed after) or None: a ``LocalCluster`` of
    ``workers`` process workers (default: one per core), closed after.

    Raises:
        SweepError: the scheduler cannot be reached (before anything is written).
    """
    from distributed import Client, LocalCluster

    if client is not None and not isinstance(client, str):
        yield client, f"the Dask cluster at {client.scheduler.address}"
        return
    if isinstance(client, str):
        try:
            connected = Client(client, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SweepError(f"--scheduler {client}: cannot reach the Dask scheduler: {exc}") from None
        try:
            yield connected, f"the Dask cluster at {client}"
        finally:
            connected.close()
        return
    count = workers or cores()
    with _children_ignore_ctrl_c():
        cluster = LocalCluster(n_workers=count, threads_per_worker=1, processes=True, host="127.0.0.1",
                               scheduler_port=0, dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    try:
        local = Client(cluster, set_as_default=False)
        try:
            yield local, f"{count} local worker process{'es' if count != 1 else ''}"
        finally:
            local.close()
    finally:
        cluster.close()


@contextmanager
def _children_ignore_ctrl_c() -> Iterator[None]:
    """Start the local workers with SIGINT ignored (they inherit it): Ctrl-C at a terminal
    reaches the whole process group, and it is the sweep's to stop them, after it has
    written the rows complete. (In the main thread only; a Ctrl-C while they start is lost.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    earlier = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, earlier)


def cores() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def execute(sweep: Sweep, runs: list[RunSpec], runs_dir: Path, client: Any) -> Iterator[tuple[RunSpec, dict[str, Any]]]:
    """Submit ``runs`` and yield each with its summary as it ends (in the order they end).

    A run Dask gives up on (its workers kept dying) yields a ``failed`` summary, reason
    ``KilledWorker: ...``, that is not on disk (a resumed sweep runs it again). Closing the
    iterator early (an interrupt) cancels the runs not yet ended.
    """
    from distributed import as_completed

    futures = {}
    where = str(runs_dir.resolve())
    tag = uuid.uuid4().hex[:16]  # this call's: a key cancelled by an earlier, interrupted call is not reused
    for run in runs:
        task = Task(run.id, sweep.point(run.grid).scenario, run.seed, sweep.backend, where)
        key = f"tokensim-run-{run.id}-{tag}"
        futures[client.submit(run_one, task, key=key, pure=False)] = run
    try:
        for future in as_completed(futures, loop=client.loop):
            run = futures[future]
            try:
                summary = future.result()
            except Exception as exc:  # Dask gave the run up (KilledWorker), or could not ship it
                summary = failed_summary(sweep.name, run.seed, sweep.backend, f"{type(exc).__name__}: {exc}")
            yield run, summary
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:
            client.cancel(pending)


__all__ = ["Task", "cores", "dask_client", "execute", "failed_summary", "run_one"]
