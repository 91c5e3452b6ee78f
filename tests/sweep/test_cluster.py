"""A sweep on a real Dask cluster gives the rows and the event logs of a local sweep, and
survives a worker killed under it."""

from __future__ import annotations

from pandas.testing import assert_frame_equal
from sweep_helpers import GRID, RUNS, SEEDS, SMALL, comparable, killing_a_worker_mid_run, run_ids

from sim.sweep import sweep


def test_a_sweep_on_a_dask_cluster_gives_the_rows_and_event_logs_of_a_local_sweep(tmp_path, dask_cluster, reference):
    table = sweep(SMALL, seeds=SEEDS, grid=GRID, client=dask_cluster.client, out_dir=tmp_path / "sweep")

    assert len(table) == RUNS and set(table["status"]) == {"done"}
    assert_frame_equal(comparable(table), comparable(reference.table))
    for run in table["run"]:
        ours = (tmp_path / "sweep" / "runs" / run / "events.jsonl").read_bytes()
        assert ours == (reference.out / "runs" / run / "events.jsonl").read_bytes(), run


def test_a_sweep_completes_with_the_same_rows_when_a_worker_is_killed_mid_run(tmp_path, dask_cluster, reference):
    runs_dir = tmp_path / "sweep" / "runs"
    with killing_a_worker_mid_run(runs_dir, lambda: dask_cluster.worker_pids) as killed:
        table = sweep(SMALL, seeds=SEEDS, grid=GRID, client=dask_cluster.client, out_dir=tmp_path / "sweep")
    assert killed and killed[0] not in dask_cluster.worker_pids  # a worker died while running a run

    assert set(table["status"]) == {"done"}
    assert_frame_equal(comparable(table), comparable(reference.table))
    assert run_ids(runs_dir) == set(reference.table["run"])
    assert not list(runs_dir.glob(".*"))  # the killed run's unfinished directory is gone
