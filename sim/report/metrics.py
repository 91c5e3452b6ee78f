"""Run metrics: counters fed by the event log, and the time series sampled as it runs.

Each part of a run has its own ``Metrics``: it sees each record the part's actors write and
counts what the records say (trades, settled instructions, fails, refusals by reason and
by contract error...). The parts add state read from the chain when the run samples a row
of ``metrics.csv`` and at the end.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

from sim.report.recorder import Record


class Metrics:
    """Counters over the records of a part."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.refusals_by_reason: Counter[str] = Counter()
        self.refusals_by_error: Counter[str] = Counter()
        self.sums: Counter[str] = Counter()
        self.errors_by_act: dict[str, Counter[str]] = {}

    def observe(self, record: Record) -> None:
        act, outcome = record["act"], record["outcome"]
        self.counts[f"{act}:{outcome}"] += 1
        if outcome == "refused":
            self.refusals_by_reason[record.get("reason", act)] += 1
            if "error" in record:
                self.refusals_by_error[record["error"]] += 1
                self.errors_by_act.setdefault(act, Counter())[record["error"]] += 1
        for key in ("shares", "cash_cents", "penalty_cents", "cost_cents"):
            if key in record and outcome == "ok":
                self.sums[f"{act}:{key}"] += record[key]

    def count(self, act: str, outcome: str = "ok") -> int:
        return self.counts[f"{act}:{outcome}"]

    def errors_of(self, act: str) -> dict[str, int]:
        """Refusals of ``act`` by contract error, sorted by name."""
        return dict(sorted(self.errors_by_act.get(act, {}).items()))

    def total(self, act: str, key: str) -> int:
        return self.sums[f"{act}:{key}"]

    @property
    def refusals(self) -> int:
        return sum(self.refusals_by_reason.values())


def write_rows_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """``metrics.csv``: the rows with the columns they have, in the order first seen (an
    empty cell for a missing value or ``None``)."""
    columns: list[str] = []
    seen: set[str] = set()
    for row in rows:
        for key in row:
            if key not in seen:
                seen.add(key)
                columns.append(key)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: "" if row.get(c) is None else row.get(c) for c in columns})


__all__ = ["Metrics", "write_rows_csv"]
