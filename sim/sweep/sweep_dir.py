"""The sweep directory: checked and prepared before a sweep writes, and what it already holds.

A sweep writes, in its directory::

    sweep.json        the definition (sim.sweep.definition), written first
    runs/<id>/        each run's own outputs (events.jsonl, metrics.csv, summary.json, report.html, plots)
    sweep.parquet     the table: one row per run (sim.sweep.table)
    sweep.csv         the same table
    percentiles.csv   the headline metrics' percentiles at each grid point
    plots/*.png       their distributions (sim.sweep.plots)
    sweep.html        the sweep's report, linking each run's report.html (sim.sweep.report)

Rerunning a sweep into the same directory resumes it: a run is complete when its
``runs/<id>/summary.json`` says ``done`` or ``failed`` for the same seed and backend, and
``sweep.json`` holds the same definition; only the other runs run. A directory holding
another sweep (another definition, or a sweep's files without its ``sweep.json``) is
refused, unless ``force``: then the earlier sweep's files are removed first (those listed
above, nothing else). A run's outputs appear whole: a worker writes into a hidden
``runs/.<id>.tmp-*`` directory and renames it when the run has ended; those a killed
worker leaves behind are removed.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.report.run_dir import unusable, write_whole
from sim.sweep.definition import Sweep
from sim.sweep.grid import SweepError

SWEEP_FILES = ("sweep.json", "sweep.parquet", "sweep.csv", "percentiles.csv", "sweep.html")
"""The files a sweep writes at its top level."""

RUN_ID = re.compile(r"^g\d+-s\d+$")
TEMPORARY = re.compile(r"^\.g\d+-s\d+\.tmp-")
COMPLETE = ("done", "failed")
"""A run whose summary says one of these is complete (an ``interrupted`` one runs again)."""


@dataclass
class State:
    """What a prepared sweep directory holds: the summaries of the runs already complete."""

    path: Path
    completed: dict[str, dict[str, Any]] = field(default_factory=dict)
    replaced: bool = False  # an earlier sweep's files were removed (force)

    @property
    def runs_dir(self) -> Path:
        return self.path / "runs"


def check(path: Path, sweep: Sweep, *, force: bool = False) -> str:
    """What ``prepare`` would do with ``path``: ``new``, ``resume`` or ``replace``.

    Raises:
        SweepError: ``path`` cannot be used (not a directory, not writable, another sweep
            there without ``force``). Nothing is written or removed.
    """
    reason = unusable(path)
    if reason is not None:
        raise SweepError(f"{path}: {reason}")
    if not path.is_dir():
        return "new"
    record_path = path / "sweep.json"
    earlier_files = [name for name in (*SWEEP_FILES, "runs") if (path / name).exists()]
    if not record_path.exists():
        if earlier_files and not force:
            raise SweepError(f"{path}: holds a sweep's files ({', '.join(earlier_files)}) but no sweep.json; "
                             "pass --force to replace them, or choose another directory with --out")
        return "replace" if earlier_files else "new"
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        digest, definition = record["digest"], record["definition"]
    except (OSError, ValueError, KeyError, TypeError):
        if force:
            return "replace"
        raise SweepError(f"{record_path}: not a sweep's definition; pass --force to replace the sweep's files, "
                         "or choose another directory with --out") from None
    if digest == sweep.digest and not force:
        return "resume"
    if force:
        return "replace"
    changed = [key for key in ("scenario_sha256", "grid", "seeds", "backend")
               if definition.get(key) != sweep.definition()[key]] if isinstance(definition, dict) else []
    what = ", ".join("the scenario" if key == "scenario_sha256" else key for key in changed) or "its definition"
    raise SweepError(f"{path}: holds another sweep ({record.get('scenario', '?')}; changed: {what}); "
                     "pass --force to replace it, or choose another directory with --out")


def prepare(path: Path, sweep: Sweep, versions: dict[str, str], *, force: bool = False) -> State:
    """Check ``path`` (``check``), remove an earlier sweep's files if replacing, write
    ``sweep.json`` for a new sweep, and find the runs already complete."""
    action = check(path, sweep, force=force)
    state = State(path, replaced=action == "replace")
    try:
        if action == "replace":
            _remove_sweep_files(path)
        state.runs_dir.mkdir(parents=True, exist_ok=True)
        if action != "resume":
            write_whole(path / "sweep.json", json.dumps(sweep.record(versions), indent=2) + "\n")
        remove_temporaries(state.runs_dir)
    except OSError as exc:
        raise SweepError(f"{path}: cannot be prepared: {exc.strerror or exc}") from None
    if action == "resume":
        state.completed = completed(state.runs_dir, sweep)
    return state


def completed(runs_dir: Path, sweep: Sweep) -> dict[str, dict[str, Any]]:
    """The summaries of the runs whose directory says they are complete, by run id."""
    found = {}
    for run in sweep.runs:
        summary = read_summary(runs_dir / run.id)
        if (summary is not None and summary.get("status") in COMPLETE and summary.get("seed") == run.seed
                and summary.get("backend") == sweep.backend):
            found[run.id] = summary
    return found


def read_summary(run_dir: Path) -> dict[str, Any] | None:
    """A run directory's summary.json, or None if it has none (or not a whole one)."""
    try:
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, dict) else None


def remove_temporaries(runs_dir: Path) -> None:
    """Remove the hidden directories of runs that never ended (their worker was killed)."""
    if runs_dir.is_dir():
        for child in runs_dir.iterdir():
            if TEMPORARY.match(child.name) and child.is_dir():
                shutil.rmtree(child, ignore_errors=True)


def _remove_sweep_files(path: Path) -> None:
    for name in SWEEP_FILES:
        (path / name).unlink(missing_ok=True)
    plots = path / "plots"
    if plots.is_dir():
        for png in plots.glob("*.png"):
            png.unlink()
        if not any(plots.iterdir()):
            plots.rmdir()
    runs = path / "runs"
    if runs.is_dir():
        for child in runs.iterdir():
            if child.is_dir() and (RUN_ID.match(child.name) or TEMPORARY.match(child.name)):
                shutil.rmtree(child)


__all__ = ["COMPLETE", "SWEEP_FILES", "State", "check", "completed", "prepare", "read_summary", "remove_temporaries",
           "write_whole"]
