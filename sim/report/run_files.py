"""A run directory's three files, read back and checked: what a report is built from.

A run leaves ``summary.json`` (the envelope and the metrics), ``metrics.csv`` (one row per
sample) and ``events.jsonl`` (one record per act). ``read_run`` reads all three into a
``RunFiles``, and nothing else: the report (``sim.report.html``) is a function of these
files alone, so it can be rebuilt any time from a run directory::

    files = read_run(Path("runs/reg_d_506b_lifecycle-seed506"))
    files.summary["metrics"]["fails"], len(files.events), files.rows[-1]["supply"]

A file that is missing or not what a run writes is refused with a ``RunFilesError`` naming
the file, the line or field, and the value found.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import ConfigError

SUMMARY_FIELDS = ("status", "scenario", "seed", "backend", "start", "sim_days", "events", "metrics")
"""What a summary.json must hold for a report to be built from it."""

EVENT_FIELDS = ("seq", "t", "actor", "act", "outcome")
"""What every record of events.jsonl holds."""


class RunFilesError(ConfigError):
    """A run directory's file that is missing or malformed: ``path`` and why (``reason``)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class EventLog:
    """events.jsonl, read on demand: every pass streams the file again and keeps nothing, so
    a report needs memory for what it draws, not for the log (a million-trade run's log
    holds some six million records). ``len`` is the number of records; iterating yields
    them in order as dicts; ``where`` yields only the records of some acts or outcomes,
    decoding no other line (its text cannot hold them: the log is written compact)."""

    def __init__(self, path: Path, count: int) -> None:
        self.path, self._count = path, count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with self.path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield json.loads(line)

    def where(self, *, acts: Iterable[str] | None = None, outcome: str | None = None) -> Iterator[dict[str, Any]]:
        """The records whose ``act`` is one of ``acts`` (any, when None) and whose
        ``outcome`` is ``outcome`` (any, when None), in order."""
        wanted = set(acts) if acts is not None else None
        needles = [f'"act":{json.dumps(a)}' for a in sorted(wanted)] if wanted is not None else []
        outcome_needle = f'"outcome":{json.dumps(outcome)}' if outcome is not None else None
        with self.path.open(encoding="utf-8") as lines:
            for line in lines:
                if outcome_needle is not None and outcome_needle not in line:
                    continue
                if needles and not any(n in line for n in needles):
                    continue
                if not line.strip():
                    continue
                record = json.loads(line)
                if (wanted is None or record["act"] in wanted) and (outcome is None or record["outcome"] == outcome):
                    yield record

    def not_ok(self) -> Iterator[dict[str, Any]]:
        """The records whose outcome is not ``ok`` (refused, break...), in order; an ok
        line is recognised by its text and not decoded."""
        ok = '"outcome":"ok"'
        with self.path.open(encoding="utf-8") as lines:
            for line in lines:
                if not line.strip() or (ok in line and line.count('"outcome":') == 1):
                    continue
                record = json.loads(line)
                if record["outcome"] != "ok":
                    yield record


@dataclass(frozen=True)
class RunFiles:
    """A run's outputs as read from its directory.

    Attributes:
        path: the run directory.
        summary: summary.json as a dict.
        rows: metrics.csv, one dict per sample: ``t`` an int, ``time`` the ISO text, every
            other cell a number (int when it is written as one), ``None`` when empty, or
            the text itself (a taxonomy's ``class``).
        events: events.jsonl (``EventLog``): one dict per record, in order, read from
            the file at each pass; ``events.where(acts=..., outcome=...)`` for a few kinds.
    """

    path: Path
    summary: dict[str, Any]
    rows: list[dict[str, Any]]
    events: EventLog

    @property
    def metrics(self) -> dict[str, Any]:
        return self.summary["metrics"]

    @property
    def parts(self) -> list[str]:
        """The parts the run played, in set-up order (``kind``; the securities lifecycle alone without it)."""
        return str(self.summary.get("kind", "securities")).split("+")

    def part_metrics(self, part: str) -> dict[str, Any]:
        """The metrics as ``part`` reported them: a name two parts report is qualified in
        the summary (``margin.orders``); here it has its own name again."""
        others = [p for p in self.parts if p != part]
        own: dict[str, Any] = {}
        for key, value in self.metrics.items():
            head, _, rest = key.partition(".")
            if rest and head == part:
                own[rest] = value
            elif not (rest and head in others):
                own.setdefault(key, value)
        return own

    def summary_key(self, part: str, name: str) -> str:
        """The name summary.json gives ``part``'s metric ``name``: qualified (``margin.orders``)
        when another part reports the same name."""
        qualified = f"{part}.{name}"
        return qualified if qualified in self.metrics else name

    def column(self, name: str, part: str | None = None) -> str | None:
        """The metrics.csv column of ``name``: itself, or qualified by ``part`` when two parts
        sample it; None if no row has it."""
        for candidate in (name, f"{part}.{name}") if part else (name,):
            if any(candidate in row for row in self.rows[:1]):
                return candidate
        return None


def read_run(path: str | Path) -> RunFiles:
    """Read and check ``path``'s summary.json, metrics.csv and events.jsonl.

    Raises:
        RunFilesError: ``path`` is not a directory, or one of the files is missing or not
            what a run writes (the message names the file, the line or field and the value).
    """
    path = Path(path)
    if not path.is_dir():
        raise RunFilesError(path, "is not a directory" if path.exists() else "no such directory")
    return RunFiles(path, _summary(path / "summary.json"), _rows(path / "metrics.csv"), _events(path / "events.jsonl"))


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn a file that is missing or cannot be read into a ``RunFilesError`` naming it."""
    try:
        yield
    except FileNotFoundError:
        raise RunFilesError(path, "not found: not the directory of a run that ended") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RunFilesError(path, f"cannot be read: {exc}") from None


def _text(path: Path) -> str:
    with _reading(path):
        return path.read_text(encoding="utf-8")


def _summary(path: Path) -> dict[str, Any]:
    try:
        summary = json.loads(_text(path))
    except json.JSONDecodeError as exc:
        raise RunFilesError(path, f"line {exc.lineno}: not JSON ({exc.msg})") from None
    if not isinstance(summary, dict):
        raise RunFilesError(path, f"expected a JSON object, found {type(summary).__name__}")
    missing = [name for name in SUMMARY_FIELDS if name not in summary]
    if missing:
        raise RunFilesError(path, f"field {missing[0]!r} missing (a run's summary has {', '.join(SUMMARY_FIELDS)})")
    if not isinstance(summary["metrics"], dict):
        raise RunFilesError(path, f"field 'metrics': expected an object, found {summary['metrics']!r:.60}")
    return summary


def _events(path: Path) -> EventLog:
    """Check every line of the log once (JSON, an object, the fields every record has) and
    count the records; keep none of them."""
    count = 0
    with _reading(path), path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            _check_event(path, number, line.rstrip("\n"))
            count += bool(line.strip())
    return EventLog(path, count)


def _check_event(path: Path, number: int, line: str) -> None:
    if not line.strip():
        return
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RunFilesError(path, f"line {number}: not JSON ({exc.msg}): {line[:60]!r}") from None
    if not isinstance(record, dict):
        raise RunFilesError(path, f"line {number}: expected a JSON object, found {line[:60]!r}")
    missing = [name for name in EVENT_FIELDS if name not in record]
    if missing:
        raise RunFilesError(path, f"line {number}: field {missing[0]!r} missing (every record has "
                                  f"{', '.join(EVENT_FIELDS)})")


def _rows(path: Path) -> list[dict[str, Any]]:
    lines = _text(path).splitlines()
    if not any(line.strip() for line in lines):  # a run that failed before its first sample
        return []
    reader = csv.DictReader(lines)
    if reader.fieldnames is None or "t" not in reader.fieldnames:
        raise RunFilesError(path, f"line 1: no 't' column (found {', '.join(reader.fieldnames or [])!r:.80})")
    rows = []
    for number, raw in enumerate(reader, start=2):
        row: dict[str, Any] = {}
        for name, cell in raw.items():
            if name is None or cell is None:
                raise RunFilesError(path, f"line {number}: {len(raw)} cells for {len(reader.fieldnames)} columns")
            row[name] = cell if name == "time" else _cell(cell)
        if not isinstance(row["t"], int):
            raise RunFilesError(path, f"line {number}: column 't': expected whole seconds, found {raw['t']!r}")
        rows.append(row)
    return rows


def _cell(cell: str) -> Any:
    """A metrics.csv cell as written: None (empty), an int, a float, or the text."""
    if cell == "":
        return None
    if cell in ("True", "False"):
        return cell == "True"
    try:
        return int(cell)
    except ValueError:
        pass
    try:
        return float(cell)
    except ValueError:
        return cell


__all__ = ["RunFiles", "RunFilesError", "read_run"]
