"""Memory and time of the revm backend's compaction on the benchmark scenario.

    python bench/compaction.py [--every N | --never] [--transactions 80000]

Runs ``bench/secondary_trading.yaml`` on revm with compaction every N transactions (or
never) and prints, every 10,000 transactions, the resident memory, the peak so far and
the wall time. docs/performance.md has a table of its output.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from sim.chain.revm import COMPACT_EVERY
from sim.engine import Run
from sim.scenario import load

SCENARIO = Path(__file__).resolve().parent / "secondary_trading.yaml"


def _resident_mb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=COMPACT_EVERY, help=f"default {COMPACT_EVERY:,}")
    parser.add_argument("--never", action="store_true", help="no compaction")
    parser.add_argument("--transactions", type=int, default=80_000)
    args = parser.parse_args()
    every = None if args.never else args.every
    with tempfile.TemporaryDirectory(prefix="tokensim-compaction-") as out:
        sim = Run(load(SCENARIO), backend="revm", backend_options={"compact_every": every})
        start = time.perf_counter()
        sim.setup(Path(out))
        mark = 10_000
        print(f"compaction every {every:,} transactions" if every else "no compaction")
        while sim.status == "running" and sim.chain.transactions < args.transactions:
            sim.advance_to(sim.env.now + 3600)
            if sim.chain.transactions >= mark:
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
                print(f"{sim.chain.transactions:>8,} tx  resident {_resident_mb():>5} MB  peak {peak:>5} MB  "
                      f"{time.perf_counter() - start:6.1f} s", flush=True)
                mark += 10_000
        sim.close()


if __name__ == "__main__":
    main()
