"""``sweep()``: check a sweep, run what is not yet run, gather the table, draw the plots,
write sweep.html."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.sweep import plots as sweep_plots
from sim.sweep import sweep_dir, table
from sim.sweep.definition import Sweep, define
from sim.sweep.execute import cores, dask_client, execute
from sim.sweep.grid import SweepError
from sim.sweep.report import write_sweep_report

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class SweepProgress:
    """Where a sweep is: given to ``sweep(progress=...)`` once before the first run ends
    (``row`` None) and after each run with its row."""

    sweep: Sweep
    sweep_dir: Path
    total: int
    done: int  # runs with a row, those done earlier (resumed) included
    failed: int  # of those, failed
    resumed: int  # complete before this call: not run again
    where: str  # where the runs run ("2 local worker processes", "the Dask cluster at tcp://...")
    row: dict[str, Any] | None = None


def versions() -> dict[str, str]:
    """The versions of what a sweep's results depend on, for ``sweep.json``."""
    found = {}
    for package in ("tokensim", "pyrevm", "py-evm", "numpy", "dask", "distributed", "pandas", "pyarrow"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            pass
    return found


def sweep(
    scenario: Any,
    *,
    seeds: int | Sequence[int] | None = None,
    grid: Mapping[str, Sequence[Any]] | None = None,
    client: Any = None,
    workers: int | None = None,
    out_dir: str | Path | None = None,
    backend: str = "revm",
    force: bool = False,
    progress: Callable[[SweepProgress], None] | None = None,
    plots: bool = True,
) -> pd.DataFrame:
    """Run a scenario over seeds and a grid of parameters; return one row per run.

    Args:
        scenario: a scenario file, a shipped scenario's name, or a ``Scenario``.
        seeds: ``N`` seeds derived from the scenario's seed, or a list of seeds used as
            given, or None (the scenario's own seed); see ``sim.sweep.definition``.
        grid: dotted paths into the scenario and their values,
            ``{"margin.shocks.1.move_pct": [-25, -40, -55]}``; every combination runs.
        client: a ``distributed.Client``, a scheduler address (``tcp://HOST:PORT``), or None
            for a ``LocalCluster`` of process workers.
        workers: the local cluster's workers (default: one per core); not with ``client``.
        out_dir: the sweep directory (default ``runs/<scenario>-sweep``).
        backend: ``revm`` or ``eth-tester``.
        force: replace another sweep's files in ``out_dir`` (and rerun every run) instead
            of refusing.
        progress: called before the runs and after each one (``SweepProgress``).
        plots: draw the headline metrics' plots (``sim.sweep.plots``).

    Returns:
        The table (``sim.sweep.table``), also written to ``sweep.parquet`` and ``sweep.csv``;
        ``attrs["sweep_dir"]`` is the sweep directory.

    Raises:
        SweepError, ScenarioError: bad input, before anything is written.
        KeyboardInterrupt: the sweep was interrupted; the table of the runs complete so far
            was written first, and running the sweep again runs only the rest.
    """
    plan = define(scenario, seeds=seeds, grid=grid, backend=backend)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise SweepError(f"--workers {workers!r}: expected a number of worker processes, at least 1")
    if workers is not None and client is not None:
        raise SweepError("--workers sizes the local cluster; a cluster given by --scheduler has its own workers")
    out = Path(out_dir) if out_dir is not None else Path("runs") / f"{plan.name}-sweep"
    action = sweep_dir.check(out, plan, force=force)
    done_before = sweep_dir.completed(out / "runs", plan) if action == "resume" else {}
    pending = [run for run in plan.runs if run.id not in done_before]
    rows: dict[str, dict[str, Any]] = {}
    if not pending:
        state = sweep_dir.prepare(out, plan, versions(), force=force)
        rows = _rows(plan, state, done_before)
        _report(progress, plan, state, rows, len(done_before), "nothing left to run", None)
        return _finish(plan, out, rows, plots)
    state: sweep_dir.State | None = None
    try:
        with dask_client(client, None if client is not None else min(workers or cores(), len(pending))) as (dask, where):
            state = sweep_dir.prepare(out, plan, versions(), force=force)
            rows = _rows(plan, state, done_before)
            _report(progress, plan, state, rows, len(done_before), where, None)
            runs = execute(plan, pending, state.runs_dir, dask)
            try:
                for run, summary in runs:
                    rows[run.id] = table.row(plan, run, summary, _run_dir(state, run.id))
                    _report(progress, plan, state, rows, len(done_before), where, rows[run.id])
            finally:
                runs.close()  # on an interrupt: the runs not ended are cancelled
    except BaseException:  # Ctrl-C (KeyboardInterrupt), or the cluster lost: keep the rows of the runs complete
        if state is not None:  # the runs not ended were cancelled, a local cluster closed: what is on disk stays
            rows.update(_rows(plan, state, {run_id: summary for run_id, summary in
                                            sweep_dir.completed(state.runs_dir, plan).items() if run_id not in rows}))
            table.write(table.frame(plan, rows), out)
            _report(progress, plan, state, rows, len(done_before), "", None)  # the rows written
        raise
    return _finish(plan, out, rows, plots)


def _run_dir(state: sweep_dir.State, run_id: str) -> Path:
    return (state.runs_dir / run_id).resolve()


def _rows(plan: Sweep, state: sweep_dir.State, summaries: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    by_id = {run.id: run for run in plan.runs}
    return {run_id: table.row(plan, by_id[run_id], summary, _run_dir(state, run_id))
            for run_id, summary in summaries.items()}


def _report(progress: Callable[[SweepProgress], None] | None, plan: Sweep, state: sweep_dir.State,
            rows: dict[str, dict[str, Any]], resumed: int, where: str, row: dict[str, Any] | None) -> None:
    if progress is not None:
        failed = sum(1 for r in rows.values() if r["status"] != "done")
        progress(SweepProgress(plan, state.path, len(plan.runs), len(rows), failed, resumed, where, row))


def _finish(plan: Sweep, out: Path, rows: dict[str, dict[str, Any]], plots: bool) -> pd.DataFrame:
    frame = table.frame(plan, rows)
    table.write(frame, out)
    sweep_dir.remove_temporaries(out / "runs")  # a killed worker's unfinished run, run again since
    sweep_dir.write_whole(out / "percentiles.csv",
                          sweep_plots.percentiles(plan, frame).to_csv(index=False, lineterminator="\n"))
    if plots:
        sweep_plots.write_plots(plan, frame, out)
    write_sweep_report(plan, frame, out)
    frame.attrs["sweep_dir"] = str(out)
    return frame


__all__ = ["SweepProgress", "sweep", "versions"]
