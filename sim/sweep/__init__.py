"""Sweeps: one scenario over many seeds and a grid of parameters, on Dask, as one table.

::

    from sim.sweep import sweep

    table = sweep("retail_leverage_caps", seeds=20, grid={"margin.shocks.1.move_pct": [-25, -40, -55]})
    table.groupby("margin.shocks.1.move_pct")["shortfall"].quantile(0.95)

``tokensim sweep`` is the same from the command line. The modules, in the order a sweep
uses them:

- ``grid``: grid fields (dotted paths into the scenario) and their values, validated;
- ``definition``: the sweep checked whole (scenario, grid points, seeds, runs and their
  ids ``g<point>-s<seed index>``), and how each run's seed is derived;
- ``sweep_dir``: the sweep directory, ``sweep.json``, resuming and ``force``;
- ``execute``: each run in a Dask worker process (a local cluster, or any cluster);
- ``table``: one row per run from its ``summary.json``; ``sweep.parquet``, ``sweep.csv``;
- ``plots``: the headline metrics' percentiles at each grid point, and their plots;
- ``report``: sweep.html, the distributions, the failed runs, a link to each run's report;
- ``runner``: ``sweep()``, which does all of it.

Write a script that calls ``sweep()`` with its work under ``if __name__ == "__main__":``:
the local cluster starts its workers as new Python processes, which import the script's
module again.
"""

from sim.sweep.definition import RunSpec, Sweep, child_seeds, define
from sim.sweep.grid import SweepError
from sim.sweep.plots import HEADLINE
from sim.sweep.runner import SweepProgress, sweep
from sim.sweep.table import read

__all__ = ["HEADLINE", "RunSpec", "Sweep", "SweepError", "SweepProgress", "child_seeds", "define", "read", "sweep"]
