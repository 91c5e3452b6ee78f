"""Run metrics: counters fed by the event log, and a time series sampled as it runs.

``Metrics`` listens to the recorder and counts what the records say (trades, settled
instructions, fails, refusals by reason...). The engine adds state read from the chain
(price, supply, holders) when it samples a row of ``metrics.csv`` and at the end.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

from sim.report.recorder import Record

COLUMNS = [
    "t",
    "time",
    "price_usd",
    "supply",
    "holders",
    "trades",
    "volume_shares",
    "settled",
    "fails",
    "open_fails",
    "refusals",
    "reconciliation_breaks",
    "penalties_usd",
    "distributed_usd",
]


class Metrics:
    """Counters over the records of a run."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.refusals_by_reason: Counter[str] = Counter()
        self.sums: Counter[str] = Counter()
        self.rows: list[dict[str, Any]] = []

    def observe(self, record: Record) -> None:
        act, outcome = record["act"], record["outcome"]
        self.counts[f"{act}:{outcome}"] += 1
        if outcome == "refused":
            self.refusals_by_reason[record.get("reason", act)] += 1
        for key in ("shares", "cash_cents", "penalty_cents", "cost_cents"):
            if key in record and outcome == "ok":
                self.sums[f"{act}:{key}"] += record[key]

    def count(self, act: str, outcome: str = "ok") -> int:
        return self.counts[f"{act}:{outcome}"]

    def total(self, act: str, key: str) -> int:
        return self.sums[f"{act}:{key}"]

    @property
    def refusals(self) -> int:
        return sum(self.refusals_by_reason.values())

    def sample(self, row: dict[str, Any]) -> None:
        self.rows.append(row)

    def write_csv(self, path: Path) -> None:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            for row in self.rows:
                writer.writerow({c: row.get(c, "") for c in COLUMNS})

    def write_sampled_csv(self, path: Path) -> None:
        """The rows with the columns they have, in the order first seen (an empty cell for a
        missing value or ``None``): for engines whose columns depend on the scenario."""
        columns: list[str] = []
        for row in self.rows:
            columns.extend(k for k in row if k not in columns)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            for row in self.rows:
                writer.writerow({c: "" if row.get(c) is None else row.get(c) for c in columns})
