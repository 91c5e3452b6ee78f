"""The event log: one JSON record per act, refusals included, flushed as it goes.

Every act of every actor (a mint, an order, an affirmation, a settlement, a refusal, a
reconciliation) becomes one line of ``events.jsonl``::

    {"seq":12,"t":86400,"time":"2026-01-06T14:00:00Z","actor":"venue","act":"order",
     "outcome":"refused","code":15,"reason":"Recipient is not an accredited investor",
     "error":"InvestorNotAccredited","investor":"retail-0003","side":"buy","shares":40}

The log holds no wall-clock time, transaction hash or gas figure, so the same scenario
and seed give the same bytes on any machine and backend. Each line is flushed when
written: a run that dies keeps everything before the failure. Listeners (the metrics)
see each record as it is written; the recorder keeps nothing per event in memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from sim.calendar import iso

Record = dict[str, Any]


class Recorder:
    """Writes records to ``path`` (or nowhere) and hands them to listeners."""

    def __init__(self, path: Path | None, *, start: int) -> None:
        self.start = start
        self.seq = 0
        self._listeners: list[Callable[[Record], None]] = []
        self._file: TextIO | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("w", encoding="utf-8", buffering=1)
        self._encode = json.JSONEncoder(separators=(",", ":"), default=_plain).encode

    def subscribe(self, listener: Callable[[Record], None]) -> None:
        self._listeners.append(listener)

    def record(self, t: float, actor: str, act: str, outcome: str = "ok", **fields: Any) -> Record:
        """Write one record; ``t`` is simulated seconds since the start."""
        self.seq += 1
        seconds = int(t)
        record: Record = {
            "seq": self.seq,
            "t": seconds,
            "time": iso(self.start + seconds),
            "actor": actor,
            "act": act,
            "outcome": outcome,
        }
        record.update(fields)
        if self._file is not None:
            self._file.write(self._encode(record) + "\n")
        for listener in self._listeners:
            listener(record)
        return record

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"not JSON-serialisable in an event record: {value!r}")
