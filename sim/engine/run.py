"""``Run``: one scenario played in one world, from deployment to the summary.

A run builds the world (``sim.engine.world``), one part per section of the scenario
(``sim.parts``), and lives through three steps:

- ``setup``: create the chain with its genesis one second before the scenario's start,
  deploy every part in set-up order, start every part's actors, start the sampler;
- ``advance_to``: simulate up to a moment (``run`` advances a day at a time and reports
  progress);
- ``finish``: take the last sample, close the event log, write ``metrics.csv``, the parts'
  plots and ``summary.json``, then ``report.html`` from those files (``sim.report.html``).

A step that raises ends the run as ``failed`` with the reason recorded; the events up to it
stay on disk and the summary says what it could. A run asked to stop (``interrupt()``, which
``run`` calls on SIGINT and SIGTERM, or a ``KeyboardInterrupt``) stops between two SimPy
steps and ends as ``interrupted``: a ``run interrupted`` record closes the event log,
``metrics.csv`` holds the rows sampled so far, ``summary.json`` the simulated days reached
and the metrics so far, written once. Then the interruption carries on as it would have
without the run: Ctrl-C raises ``KeyboardInterrupt``, SIGTERM ends the process (or calls the
handler the caller had installed). Same scenario, seed and backend: byte-identical
``events.jsonl``::

    result = Run(load("scenarios/reg_d_506b_lifecycle.yaml"), seed=7).run(out_dir=Path("runs/x"))
    result.metrics["trades"]

``summary.json`` holds the envelope (status, scenario, seed, backend, start, simulated
days, events, state digest, wall time, versions) around ``metrics``: each part's metrics,
merged; a name two parts both report is qualified by the part's name (``margin.orders``).
``kind`` names the parts when they are not the securities lifecycle alone (``margin``,
``taxonomy``, ``securities+margin``). The samples merge the same way into ``metrics.csv``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sim.calendar import DAY, iso
from sim.chain import Backend, Chain
from sim.engine.part import Part
from sim.engine.world import World
from sim.report.metrics import write_rows_csv
from sim.report.recorder import Recorder
from sim.report.run_dir import write_whole

Progress = Callable[[float, float], None]
"""Called with (simulated seconds done, simulated seconds in all)."""


class RunStatus(StrEnum):
    """Where a run is in its life (``summary.json``'s ``status``)."""

    READY = "ready"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
"""The signals ``Run.run`` answers by stopping the run cleanly (in the main thread)."""


def signal_name(signum: int) -> str:
    """``SIGINT`` for 2 (the number itself for a signal without a name)."""
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


@dataclass
class RunResult:
    """What a run produced: the summary dict and where the files are (if written).

    ``events()`` and ``metrics_frame()`` read the run's ``events.jsonl`` and ``metrics.csv``
    as pandas DataFrames; ``RunResult.from_dir(path)`` opens a run directory written
    earlier (a sweep's ``runs/<id>``, say).
    """

    summary: dict[str, Any]
    out_dir: Path | None

    @classmethod
    def from_dir(cls, out_dir: str | Path) -> RunResult:
        """The result of the run whose outputs are in ``out_dir`` (from its summary.json)."""
        path = Path(out_dir)
        try:
            summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FileNotFoundError(f"{path}: no summary.json: not the directory of a run that ended") from None
        return cls(summary, path)

    @property
    def status(self) -> str:
        return self.summary["status"]

    @property
    def metrics(self) -> dict[str, Any]:
        return self.summary["metrics"]

    def events(self) -> Any:
        """``events.jsonl`` as a pandas DataFrame: one row per record, in order, a column
        per field any record has (empty where a record has none); ``time`` as UTC
        timestamps. Integers too wide for 64 bits (token amounts in wei) stay Python ints."""
        import pandas as pd

        with self._file("events.jsonl").open(encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle if line.strip()]
        frame = pd.DataFrame.from_records(records)
        if "time" in frame.columns:
            frame["time"] = pd.to_datetime(frame["time"], utc=True)
        return frame

    def metrics_frame(self) -> Any:
        """``metrics.csv`` as a pandas DataFrame: one row per sample, ``t`` in seconds from
        the start and ``time`` as UTC timestamps, a column per sampled metric."""
        import pandas as pd

        frame = pd.read_csv(self._file("metrics.csv"))
        if "time" in frame.columns:
            frame["time"] = pd.to_datetime(frame["time"], utc=True)
        return frame

    def _file(self, name: str) -> Path:
        if self.out_dir is None:
            raise FileNotFoundError(f"this run wrote no files, so no {name}: run it with run(out_dir=...)")
        return self.out_dir / name


def part_classes() -> Mapping[str, type[Part]]:
    """The part class of each section name, in set-up order."""
    from sim.parts import PARTS

    return PARTS


class Run:
    """One run of a scenario.

    Args:
        scenario: the validated scenario.
        seed: overrides ``scenario.seed``.
        backend: chain backend name: ``revm`` (the default, fast), ``eth-tester`` (the
            reference; the equivalence tests hold them to the same event log) or ``rpc``
            (an external node; pass ``backend_options={"url": ...}``); or a ``Backend``
            already created with its genesis one second before the scenario's start.
        backend_options: keyword arguments for the backend, when given by name.
        report_writer: writes report.html into the run directory once the other files are
            written (default ``sim.report.html.write_report``; ``tokensim run`` passes a
            ``sim.report.worker.ReportWorker``'s, which draws it in a process made ready
            while the run played).
    """

    def __init__(
        self,
        scenario: Any,
        *,
        seed: int | None = None,
        backend: str | Backend = "revm",
        backend_options: dict[str, Any] | None = None,
        report_writer: Callable[[Path], object] | None = None,
    ) -> None:
        self.scenario = scenario
        self._report_writer = report_writer
        self.seed = scenario.seed if seed is None else seed
        self._backend = backend
        self._backend_options = backend_options or {}
        self.backend_name = backend if isinstance(backend, str) else backend.name
        self.start = scenario.start_timestamp
        self.end_seconds = scenario.duration_days * DAY
        self.world = World(seed=self.seed, start=self.start, end_seconds=self.end_seconds)
        self.world.sample_now = self.sample
        classes = part_classes()
        self.parts: list[Part] = [classes[name](self.world, scenario) for name in scenario.parts]
        self.rows: list[dict[str, Any]] = []
        self._part_summaries: dict[str, dict[str, Any]] = {}
        self.status = RunStatus.READY
        self.reason: str | None = None
        self.out_dir: Path | None = None
        self.stop_signal: int | None = None  # the signal the run was asked to stop on
        self.result: RunResult | None = None  # once finished
        self._received: list[int] = []  # signals the run's handlers took, delivered after the outputs
        self._keyboard_interrupt = False  # a KeyboardInterrupt in a step, raised again after it
        self.report_error: str | None = None  # why report.html could not be written, if it could not

    # ---------------------------------------------------------------- the world

    @property
    def env(self):
        return self.world.env

    @property
    def chain(self) -> Chain:
        return self.world.chain

    @property
    def recorder(self) -> Recorder:
        return self.world.recorder

    def rng(self, name: str):
        """The random stream of the component called ``name`` (``World.rng``)."""
        return self.world.rng(name)

    def now(self) -> int:
        return self.world.now()

    def part(self, name: str) -> Any:
        """The part called ``name`` (``securities``, ``margin``, ``taxonomy``)."""
        for part in self.parts:
            if part.name == name:
                return part
        raise KeyError(f"this run plays no {name!r} part (it plays {', '.join(p.name for p in self.parts)})")

    # --------------------------------------------------------------------- run

    def run(self, out_dir: Path | None = None, progress: Progress | None = None) -> RunResult:
        """Play the scenario to its end; write the outputs into ``out_dir`` if given.

        While it runs in the main thread, SIGINT and SIGTERM stop it cleanly (``interrupt``)
        and are held until the outputs are written; then the handlers found are restored
        and the signal is passed on to them: the default ones raise ``KeyboardInterrupt``
        (SIGINT) or end the process (SIGTERM), as if the run had not been there. A signal
        the process ignores stays ignored. A ``KeyboardInterrupt`` (from ``progress``, say)
        is raised again the same way, after the outputs; ``self.result`` holds them.
        A run stopped by ``interrupt()`` alone returns its ``interrupted`` result.
        """
        with self._signals_stop_the_run() as earlier:
            try:
                self.setup(out_dir)
                while self.env.now < self.end_seconds and self.status == RunStatus.RUNNING:
                    self.advance_to(min(self.end_seconds, self.env.now + DAY))
                    if progress is not None:
                        progress(self.env.now, self.end_seconds)
            except KeyboardInterrupt:
                self._keyboard_interrupt = True  # finish raises it again, once the outputs are written
                self.interrupt(signal.SIGINT)
            result = self.finish()
        for signum in dict.fromkeys(self._received):  # each signal once, in the order received
            handler = earlier[signum]
            if handler == signal.SIG_DFL:
                for stream in (sys.stdout, sys.stderr):
                    stream.flush()
                signal.raise_signal(signum)  # the default action: the process ends here
            elif callable(handler):
                handler(signum, None)
        return result

    def interrupt(self, signum: int = signal.SIGINT) -> None:
        """Ask the run to stop: it stops before its next SimPy step and ends ``interrupted``
        (``signum`` names why, in the reason: ``interrupted by SIGTERM``).

        Safe to call from a signal handler or another thread (it only sets flags). The step
        under way completes, so the log never holds half an act; ``finish`` then writes the
        outputs. A run that has simulated to its end, and is only writing them, is not
        affected.
        """
        if self.stop_signal is None:
            self.stop_signal = signum
        self.env.stop()

    @contextmanager
    def _signals_stop_the_run(self) -> Iterator[dict[int, Any]]:
        """While the block runs, SIGINT and SIGTERM call ``interrupt`` (in the main thread
        only: Python delivers signals there; a signal ignored stays ignored); the handlers
        found are restored after, and yielded (``run`` passes the signals on to them)."""
        earlier: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for signum in STOP_SIGNALS:
                handler = signal.getsignal(signum)
                if handler in (signal.SIG_IGN, None):  # ignored, or a handler Python cannot restore
                    continue
                earlier[signum] = handler
                signal.signal(signum, self._on_signal)
        try:
            yield earlier
        finally:
            for signum, handler in earlier.items():
                signal.signal(signum, handler)

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self._received.append(signum)
        self.interrupt(signum)

    def setup(self, out_dir: Path | None = None) -> None:
        """Create the chain, deploy every part and start its actors (time 0).

        Like ``advance_to``, a ``KeyboardInterrupt`` during it ends the run as interrupted
        and is raised again once recorded; ``finish`` then writes the outputs.
        """
        self._wall_start = time.perf_counter()
        self.out_dir = out_dir
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
        self.world.recorder = Recorder(out_dir / "events.jsonl" if out_dir else None, start=self.start)
        self.status, self.reason = RunStatus.RUNNING, None
        self._guarded(self._setup)
        self._raise_keyboard_interrupt()

    def _setup(self) -> None:
        self.world.chain = self._connect()
        for part in self.parts:
            part.deploy()
            part.deployed = True
        for part in self.parts:
            part.start()
        self.env.process(self.sample_every())

    def _connect(self) -> Chain:
        """The run's chain, its genesis one second before the scenario's start."""
        if isinstance(self._backend, str):
            return Chain(self._backend, genesis_timestamp=self.start - 1, **self._backend_options)
        return Chain(self._backend)

    def advance_to(self, seconds: float) -> None:
        """Run the processes up to ``seconds`` of simulated time (not beyond the end).

        A ``KeyboardInterrupt`` while they run ends the run as interrupted (its record
        written) and is raised again; call ``finish`` to write the outputs.
        """
        if self.status == RunStatus.RUNNING:
            self._guarded(lambda: self.env.run(until=min(seconds, self.end_seconds)))
        self._raise_keyboard_interrupt()

    def _raise_keyboard_interrupt(self) -> None:
        """Raise again a ``KeyboardInterrupt`` a step recorded as the run's interruption."""
        if self._keyboard_interrupt:
            self._keyboard_interrupt = False
            raise KeyboardInterrupt

    def finish(self) -> RunResult:
        """Take the last sample (of a run that reached its end), close the log, write the
        outputs and summary.json (last, in one piece: a reader never sees half of it).

        Then raises again a ``KeyboardInterrupt`` that interrupted the run (``self.result``
        holds the outputs)."""
        self._stop_if_asked()
        if self.status == RunStatus.RUNNING:
            self._guarded(self.sample)
        if self.status == RunStatus.RUNNING:
            self.status = RunStatus.DONE
        self.recorder.close()
        summary = self._summary(time.perf_counter() - self._wall_start)
        if self.out_dir is not None:
            write_rows_csv(self.out_dir / "metrics.csv", self.rows)
            for part in self.parts:
                if part.deployed:  # a part whose deployment failed has nothing to draw
                    part.write_outputs(self.out_dir)
            write_whole(self.out_dir / "summary.json", json.dumps(summary, indent=2) + "\n")
            self._write_report()
        self.result = RunResult(summary, self.out_dir)
        self._raise_keyboard_interrupt()
        return self.result

    def _write_report(self) -> None:
        """report.html, from the files just written (``sim.report.html``). A report that
        cannot be built leaves the run's outcome as it is: ``report_error`` says why."""
        writer = self._report_writer
        if writer is None:
            from sim.report.html import write_report

            writer = write_report
        try:
            writer(self.out_dir)
        except Exception as exc:  # the run's own files are complete; the report is built from them
            self.report_error = f"{type(exc).__name__}: {exc}"

    def close(self) -> None:
        """Release the chain backend (an external node's connection); the chain is unusable after."""
        if hasattr(self.world, "chain"):
            self.chain.close()

    def _guarded(self, step: Callable[[], object]) -> None:
        """Run a step; a failure ends the run as failed, with the reason recorded; a
        ``KeyboardInterrupt`` (or an ``interrupt`` during the step) ends it as interrupted."""
        try:
            step()
        except KeyboardInterrupt:
            self._keyboard_interrupt = True
            self.interrupt(signal.SIGINT)
        except Exception as exc:  # a run that fails keeps its events and says why
            self.status, self.reason = RunStatus.FAILED, f"{type(exc).__name__}: {exc}"
            self.world.failure = self.reason
            self.recorder.record(self.env.now, "simulation", "run", "failed", reason=self.reason)
        self._stop_if_asked()

    def _stop_if_asked(self) -> None:
        """End a running run that was asked to stop: status, reason and the log's last record.
        A run that has simulated to its end is not stopped: only its outputs are left to write."""
        if self.stop_signal is None or self.status != RunStatus.RUNNING or self.env.now >= self.end_seconds:
            return
        self.status, self.reason = RunStatus.INTERRUPTED, f"interrupted by {signal_name(self.stop_signal)}"
        self.world.failure = self.reason
        self.recorder.record(self.env.now, "simulation", "run", "interrupted", reason=self.reason)

    # ----------------------------------------------------------------- samples

    def sample_every(self) -> Iterator[Any]:
        """The sampler's process: a sample at time 0 (after the acts of that instant), then
        every ``metrics_every_hours``."""
        interval = self.scenario.sample_seconds
        yield self.env.timeout(0)  # after the acts of time 0
        self.sample()
        while True:
            yield self.env.timeout(interval)
            self.sample()

    def sample(self) -> dict[str, dict[str, Any]]:
        """Sample every part now: one merged row of ``metrics.csv``; return each part's fields."""
        self.world.sync()
        t = int(self.env.now)
        fields = {}
        for part in self.parts:
            fields[part.name] = part.sample()
            part.rows.append({"t": t, **fields[part.name]})
        self.rows.append({"t": t, "time": iso(self.now()), **_merge(fields)})
        return fields

    # ----------------------------------------------------------------- summary

    def part_metrics(self) -> list[tuple[type[Part], dict[str, Any]]]:
        """Each part played, with its own metrics (before they are merged into the summary)."""
        return [(type(part), self._part_summaries.get(part.name, {})) for part in self.parts]

    def state_digest(self) -> str:
        """A hash of the final on-chain state the parts describe, the same on every backend.

        One part's state is hashed as it is; several, as a mapping of part name to state.
        """
        states = {part.name: part.state() for part in self.parts}
        state = next(iter(states.values())) if len(states) == 1 else states
        return "sha256:" + hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()

    def _summary(self, wall_seconds: float) -> dict[str, Any]:
        self._part_summaries = {part.name: part.summary() for part in self.parts if part.deployed}
        metrics = _merge(self._part_summaries)
        digest = self.world.at_the_end(self.state_digest, None)
        versions = {"tokensim": importlib.metadata.version("tokensim")}
        if hasattr(self.world, "chain"):
            versions.update(self.chain.backend.info().versions)
        summary: dict[str, Any] = {"status": str(self.status), "scenario": self.scenario.name}
        names = [part.name for part in self.parts]
        if names != ["securities"]:
            summary["kind"] = "+".join(names)
        summary.update({
            "seed": self.seed,
            "backend": self.backend_name,
            "start": iso(self.start),
            "sim_days": round(self.env.now / DAY, 4),
            "events": self.recorder.seq,
            "state_digest": digest,
            "wall_seconds": round(wall_seconds, 3),
            "versions": versions,
            "metrics": metrics,
        })
        if self.reason is not None:
            summary["reason"] = self.reason
        return summary


def _merge(by_part: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Parts' fields in one mapping; a name more than one part uses is qualified by the part's."""
    uses = Counter(key for fields in by_part.values() for key in fields)
    merged: dict[str, Any] = {}
    for name, fields in by_part.items():
        for key, value in fields.items():
            merged[f"{name}.{key}" if uses[key] > 1 else key] = value
    return merged


__all__ = ["STOP_SIGNALS", "Progress", "Run", "RunResult", "RunStatus", "signal_name"]
