"""The event log: one JSON record per act, refusals included, flushed as it goes.

Every act of every actor (a mint, an order, an affirmation, a settlement, a refusal, a
reconciliation) becomes one line of ``events.jsonl``::

    {"seq":12,"t":86400,"time":"2026-01-06T14:00:00Z","actor":"venue","act":"order",
     "outcome":"refused","code":15,"reason":"Recipient is not an accredited investor",
     "error":"InvestorNotAccredited","investor":"retail-0003","side":"buy","shares":40}

The log holds no wall-clock time, transaction hash or gas figure, so the same scenario
and seed give the same bytes on any machine and backend. Each line goes to the file in
one unbuffered write as it is recorded: a run that dies, even without a chance to flush
anything, keeps everything before the failure. Listeners (the metrics) see each record as
it is written; the recorder keeps nothing per event in memory.

Encoding: the bytes are those of ``json.JSONEncoder(separators=(",", ":"))`` (ASCII, with
``\\uXXXX`` escapes, Python's float repr). A record of plain values (strings, ints, bools,
``None``, bytes, and floats that Python and every allowed orjson spell alike) is encoded
by orjson, its checks included about twice as fast; anything else (nested lists and dicts,
floats under 1e-4, from 1e16 or not finite, numpy scalars, str and int subclasses,
integers past 64 bits) and any output that is not plain ASCII goes through the standard
encoder, so the bytes never depend on which encoder ran (tests/report/test_recorder.py
checks both paths against the standard encoder).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from sim.calendar import iso

Record = dict[str, Any]

_PLAIN = frozenset({str, int, bool, type(None), bytes})
"""Value types orjson writes exactly as the standard encoder does (bytes through ``_plain``).
Floats are checked one by one (``_same_float``)."""
_SAME_FLOATS = (1e-4, 1e16)
"""Magnitudes where every orjson release the package allows spells a float as Python does:
under 1e-4 orjson writes ``0.00001`` for Python's ``1e-05``, and from 1e16 orjson before
3.11.7 writes ``1e16`` for Python's ``1e+16``."""


class Recorder:
    """Writes records to ``path`` (or nowhere) and hands them to listeners."""

    def __init__(self, path: Path | None, *, start: int) -> None:
        self.start = start
        self.seq = 0
        self._listeners: list[Callable[[Record], None]] = []
        self._file: BinaryIO | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("wb", buffering=0)  # one write(2) a record, nothing held back
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
            line = self.line(record)
            written = self._file.write(line)
            while written < len(line):  # a short write (a full disk, a file size limit)
                line = line[written:]
                written = self._file.write(line)  # writes on, or raises the OSError
        for listener in self._listeners:
            listener(record)
        return record

    def line(self, record: Record) -> bytes:
        """The record's line in the log: the standard encoder's bytes and a newline."""
        plain = _PLAIN
        for value in record.values():
            kind = type(value)
            if kind not in plain and (kind is not float or not _same_float(value)):
                break
        else:
            try:
                line = orjson.dumps(record, default=_plain, option=orjson.OPT_APPEND_NEWLINE)
            except TypeError:  # an integer past 64 bits
                pass
            else:
                if line.isascii() and b"\x7f" not in line:
                    return line
        return (self._encode(record) + "\n").encode("ascii")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _same_float(value: float) -> bool:
    return value == 0 or _SAME_FLOATS[0] <= abs(value) < _SAME_FLOATS[1]  # NaN and infinities: no


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"not JSON-serialisable in an event record: {value!r}")
