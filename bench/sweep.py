"""Sweep speed-up: the same sweep on 1 local worker and on 2, and the ratio of their wall times.

    python bench/sweep.py [--runs 8] [--days 4] [--workers 1,2] [--backend revm] [--json PATH]

The sweep is ``--runs`` seeds of the benchmark scenario (``bench/secondary_trading.yaml``:
1,200 investors onboarded, then continuous ATS trading settled T+1 by DvP) cut to
``--days`` simulated days by a one-value grid (``duration_days``); four days hold about the
1,000 settled trades ``bench/run.py`` measures (about 5,500 trades and 1,150 settled a run). For each worker count, a ``LocalCluster``
of that many process workers is started and warmed (every worker imports the simulator
before the clock starts, as a long sweep amortises it), then ``sim.sweep.sweep`` is timed
from the call to the written table and plots. The tables of all the sweeps must be equal
(wall times and paths aside), or the benchmark fails.

Target: 2 workers at least 1.8 times as fast as 1 on a machine with 2 free cores. The
machine's load average is printed before and after: another job on the cores shows there.
Exit status 1 if the target is missed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "secondary_trading.yaml"
TARGET = 1.8


def _warm() -> int:
    for module in ("sim.engine", "sim.parts", "sim.report.plots", "sim.sweep.execute"):
        importlib.import_module(module)
    return os.getpid()


def timed_sweep(workers: int, runs: int, days: float, backend: str, out: Path) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    from sim.sweep import sweep

    started = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           scheduler_port=0, dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    try:
        with Client(cluster, set_as_default=False) as client:
            pids = client.run(_warm)
            ready = time.perf_counter() - started
            begin = time.perf_counter()
            table = sweep(SCENARIO, seeds=runs, grid={"duration_days": [days]}, client=client, out_dir=out,
                          backend=backend)
            wall = time.perf_counter() - begin
    finally:
        cluster.close()
    return {"workers": workers, "worker_pids": sorted(pids.values()), "cluster_start_seconds": round(ready, 2),
            "wall_seconds": round(wall, 2), "runs": len(table), "done": int((table["status"] == "done").sum()),
            "run_seconds_sum": round(float(table["wall_seconds"].sum()), 2),
            "trades_per_run": int(table["trades"].iloc[0]), "settled_per_run": int(table["settled"].iloc[0]),
            "table": table}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--days", type=float, default=4.0)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--backend", default="revm")
    parser.add_argument("--json", type=Path, default=Path("runs/bench/sweep.json"))
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    from sim.sweep.table import VARIABLE

    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="tokensim-bench-sweep-"))
    results = []
    try:
        for count in counts:
            print(f"  sweeping {args.runs} runs of secondary_trading ({args.days:g} days) on {count} worker"
                  f"{'s' if count != 1 else ''} ...", flush=True)
            results.append(timed_sweep(count, args.runs, args.days, args.backend, work / f"w{count}"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()
    first = results[0]["table"].drop(columns=list(VARIABLE))
    same = all(r["table"].drop(columns=list(VARIABLE)).equals(first) for r in results[1:])
    print(f"\nSweep of {args.runs} runs: bench/secondary_trading.yaml cut to {args.days:g} days, seeds "
          f"SeedSequence(2024).spawn({args.runs}), {args.backend}; the first run: {results[0]['trades_per_run']:,} "
          f"trades, {results[0]['settled_per_run']:,} settled")
    print(f"{'workers':>7}  {'wall s':>7}  {'runs/min':>8}  {'sum of run wall s':>17}  {'cluster start s':>15}")
    for r in results:
        print(f"{r['workers']:>7}  {r['wall_seconds']:>7.2f}  {60 * r['runs'] / r['wall_seconds']:>8.2f}  "
              f"{r['run_seconds_sum']:>17.2f}  {r['cluster_start_seconds']:>15.2f}")
    ratio = results[0]["wall_seconds"] / results[-1]["wall_seconds"] if len(results) > 1 else 1.0
    met = ratio >= TARGET
    print(f"\nspeed-up {counts[-1]} workers vs {counts[0]}: {ratio:.2f}x (target >= {TARGET:g}x: "
          f"{'met' if met else 'missed'}); identical rows: {'yes' if same else 'NO'}")
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, after "
          f"{load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} ({os.cpu_count()} cores, "
          f"{platform.python_version()})")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "runs": args.runs, "days": args.days, "backend": args.backend, "ratio": round(ratio, 3), "target": TARGET,
        "identical_rows": same, "load_before": load_before, "load_after": load_after, "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sweeps": [{k: v for k, v in r.items() if k != "table"} for r in results],
    }, indent=2) + "\n")
    return 0 if met and same else 1


if __name__ == "__main__":
    sys.exit(main())
