"""A run that fails is a row of its own, with its reason; the sweep goes on."""

from __future__ import annotations

import logging
import os

import dask
from distributed import Client, LocalCluster
from pandas.testing import assert_frame_equal
from sweep_helpers import GRID, RUNS, SEEDS, SMALL, comparable, killing_a_worker_mid_run

from sim.sweep import sweep


def test_a_run_that_fails_is_a_failed_row_with_its_reason_and_the_other_runs_complete(tmp_path, reference):
    """Here the run fails for real: its worker process is killed under it, and the scheduler
    allows no second try (``allowed-failures: 0``), so Dask gives up the runs that worker had."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", scheduler_port=0,
                         dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL) as cluster, \
            Client(cluster, set_as_default=False) as client:
        workers = set(client.run(os.getpid).values())  # the worker processes (the nannies' children)
        with killing_a_worker_mid_run(tmp_path / "sweep" / "runs", lambda: workers) as killed:
            table = sweep(SMALL, seeds=SEEDS, grid=GRID, client=client, out_dir=tmp_path / "sweep")

    assert killed and len(table) == RUNS
    failed = table[table["status"] == "failed"]  # the run killed, and any other Dask had queued on that worker
    assert len(failed) >= 1 and all(reason.startswith("KilledWorker: ") for reason in failed["reason"])
    done = table[table["status"] == "done"].reset_index(drop=True)
    assert len(done) == RUNS - len(failed)
    same_runs = reference.table[reference.table["run"].isin(done["run"])].reset_index(drop=True)
    # the metrics' columns hold floats where a failed run has none: compare the values
    assert_frame_equal(comparable(done), comparable(same_runs), check_dtype=False)
