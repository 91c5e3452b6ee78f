"""``Run``: one scenario played in one world, from deployment to the summary.

A run builds the world (``sim.engine.world``), one part per section of the scenario
(``sim.parts``), and lives through three steps:

- ``setup``: create the chain with its genesis one second before the scenario's start,
  deploy every part in set-up order, start every part's actors, start the sampler;
- ``advance_to``: simulate up to a moment (``run`` advances a day at a time and reports
  progress);
- ``finish``: take the last sample, close the event log, write ``metrics.csv``, the parts'
  plots and ``summary.json``.

A step that raises ends the run as ``failed`` with the reason recorded; the events up to it
stay on disk and the summary says what it could. Same scenario, seed and backend:
byte-identical ``events.jsonl``::

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
import time
from collections import Counter
from collections.abc import Callable, Iterator
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

Progress = Callable[[float, float], None]
"""Called with (simulated seconds done, simulated seconds in all)."""


class RunStatus(StrEnum):
    """Where a run is in its life (``summary.json``'s ``status``)."""

    READY = "ready"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class RunResult:
    """What a run produced: the summary dict and where the files are (if written)."""

    summary: dict[str, Any]
    out_dir: Path | None

    @property
    def status(self) -> str:
        return self.summary["status"]

    @property
    def metrics(self) -> dict[str, Any]:
        return self.summary["metrics"]


def part_classes() -> dict[str, type[Part]]:
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
    """

    def __init__(
        self,
        scenario: Any,
        *,
        seed: int | None = None,
        backend: str | Backend = "revm",
        backend_options: dict[str, Any] | None = None,
    ) -> None:
        self.scenario = scenario
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
        """Play the scenario to its end; write the outputs into ``out_dir`` if given."""
        self.setup(out_dir)
        while self.env.now < self.end_seconds and self.status == RunStatus.RUNNING:
            self.advance_to(min(self.end_seconds, self.env.now + DAY))
            if progress is not None:
                progress(self.env.now, self.end_seconds)
        return self.finish()

    def setup(self, out_dir: Path | None = None) -> None:
        """Create the chain, deploy every part and start its actors (time 0)."""
        self._wall_start = time.perf_counter()
        self.out_dir = out_dir
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
        self.world.recorder = Recorder(out_dir / "events.jsonl" if out_dir else None, start=self.start)
        self.status, self.reason = RunStatus.RUNNING, None
        self._guarded(self._setup)

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
        """Run the processes up to ``seconds`` of simulated time (not beyond the end)."""
        if self.status == RunStatus.RUNNING:
            self._guarded(lambda: self.env.run(until=min(seconds, self.end_seconds)))

    def finish(self) -> RunResult:
        """Take the last sample, close the log, write the outputs and summary.json."""
        if self.status == RunStatus.RUNNING:
            self._guarded(self.sample)
        if self.status == RunStatus.RUNNING:
            self.status = RunStatus.DONE
        self.recorder.close()
        summary = self._summary(time.perf_counter() - self._wall_start)
        if self.out_dir is not None:
            write_rows_csv(self.out_dir / "metrics.csv", self.rows)
            for part in self.parts:
                part.write_outputs(self.out_dir)
            (self.out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        return RunResult(summary, self.out_dir)

    def close(self) -> None:
        """Release the chain backend (an external node's connection); the chain is unusable after."""
        if hasattr(self.world, "chain"):
            self.chain.close()

    def _guarded(self, step: Callable[[], object]) -> None:
        """Run a step; a failure ends the run as failed, with the reason recorded."""
        try:
            step()
        except Exception as exc:  # a run that fails keeps its events and says why
            self.status, self.reason = RunStatus.FAILED, f"{type(exc).__name__}: {exc}"
            self.world.failure = self.reason
            self.recorder.record(self.env.now, "simulation", "run", "failed", reason=self.reason)

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


__all__ = ["Progress", "Run", "RunResult", "RunStatus"]
