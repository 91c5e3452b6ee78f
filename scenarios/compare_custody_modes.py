"""Omnibus or segregated custody: the same investors and trades, side by side.

A scenario as a script: it loads ``custodian_omnibus_t1.yaml``, puts every custody client
with the omnibus bank in one run and with the segregated trust company in the other, runs
both with the same seed, and compares what the chain sees:

    $ python scenarios/compare_custody_modes.py --seed 7

In omnibus the custodian is one holder of record for all its clients (the holder count a
12(g) test or a holder cap sees), and the token's rules reach the clients only through
the custodian's own checks; segregated wallets make every client a holder of record.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sim import Run, load
from sim.scenario import validate

HERE = Path(__file__).resolve().parent
ROWS = [
    "holders",
    "beneficial_owners",
    "trades",
    "settled",
    "fails",
    "buy_ins",
    "penalties_usd",
    "reconciliation_breaks",
]


def variant(custody: str):
    """The base scenario with every custody client at ``custody`` (and no custody faults)."""
    data = load(HERE / "custodian_omnibus_t1.yaml").model_dump()
    for population in data["investors"]:
        if population["custody"] != "self":
            population["custody"] = custody
    data["faults"] = [f for f in data["faults"] if f.get("custodian") is None]
    data["name"] = f"custody-{custody}"
    return validate(data, source=f"custodian_omnibus_t1 ({custody})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1561)
    parser.add_argument("--backend", default="revm")
    args = parser.parse_args()
    results = {
        label: Run(variant(custody), seed=args.seed, backend=args.backend).run()
        for label, custody in (("omnibus", "bank"), ("segregated", "trust"))
    }
    table = Table(title=f"Custody modes compared (seed {args.seed}, {args.backend})")
    table.add_column("metric")
    for label in results:
        table.add_column(label, justify="right")
    for row in ROWS:
        table.add_row(row, *(str(results[label].metrics[row]) for label in results))
    Console().print(table)


if __name__ == "__main__":
    main()
