"""How does the default fund's shortfall grow as the second ether shock deepens?

A sweep as a script: ``retail_leverage_caps`` (retail traders on an ether perpetual,
closed out at 50% of their initial margin, negative balances charged to the default fund)
with its day-15 gap at -10%, -30% and -50%, each over 20 seeds::

    $ tokensim run retail_leverage_sweep          # or: python scenarios/retail_leverage_sweep.py
    $ tokensim run retail_leverage_sweep -- --seeds 50 --workers 2

It is the sweep ``tokensim sweep retail_leverage_caps --seeds 20 --grid
margin.shocks.1.move_pct=-10,-30,-50`` runs, into the same directory: after that command
this script runs nothing and reads the table (a resumed sweep), and the other way round.
Then it answers from the table in pandas: in how many runs did a loss reach the default
fund, and how large was it.
"""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from sim.sweep import sweep

SHOCK = "margin.shocks.1.move_pct"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=None, help="local worker processes (default: one per core)")
    parser.add_argument("--out", default=None, help="sweep directory (default: runs/retail_leverage_caps-sweep)")
    args = parser.parse_args()
    table = sweep("retail_leverage_caps", seeds=args.seeds, grid={SHOCK: [-10, -30, -50]}, workers=args.workers,
                  out_dir=args.out)
    done = table[table["status"] == "done"]
    by_shock = done.groupby(SHOCK, sort=False)
    shown = Table(title=f"Default fund shortfall by the day-15 ether shock ({args.seeds} seeds each)")
    for column in ("shock", "runs", "with a shortfall", "p50 USD", "p95 USD", "max USD", "liquidations p50"):
        shown.add_column(column, justify="right")
    for shock, runs in by_shock:
        shortfall = runs["shortfall"]
        shown.add_row(f"{shock}%", str(len(runs)), f"{int((shortfall > 0).sum())} ({(shortfall > 0).mean():.0%})",
                      f"{shortfall.quantile(0.5):,.2f}", f"{shortfall.quantile(0.95):,.2f}", f"{shortfall.max():,.2f}",
                      f"{runs['liquidations'].median():g}")
    Console().print(shown)
    print(f"rows: {table.attrs['sweep_dir']}/sweep.parquet; failed runs: {int((table['status'] != 'done').sum())}")


if __name__ == "__main__":
    main()
