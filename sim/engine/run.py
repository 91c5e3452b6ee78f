"""What every kind of run shares: the clock, the seed's streams, the chain, the outputs.

``ChainRun`` is the base of ``Simulation`` (lifecycle scenarios) and ``MarginSimulation``
(margin scenarios). It owns the SimPy environment, the chain (created at the scenario's
start), the recorder and the metrics, and the life of a run: ``setup`` (deploy, start the
processes), ``advance_to`` (simulate), ``finish`` (close the log, write the summary). A
step that raises ends the run as ``failed`` with the reason recorded; the events up to it
stay on disk. Subclasses give ``_setup``, ``_sample``, ``_summary`` and ``_write_outputs``.
"""

from __future__ import annotations

import importlib.metadata
import json
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import simpy

from sim.calendar import DAY, iso
from sim.chain import Backend, Chain
from sim.report.metrics import Metrics
from sim.report.recorder import Recorder

Progress = Callable[[float, float], None]
"""Called with (simulated seconds done, simulated seconds in all)."""


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


class ChainRun:
    """One run of a scenario on a chain.

    Args:
        scenario: the validated scenario (``start_timestamp``, ``duration_days``, ``seed``).
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
        self.env = simpy.Environment()
        self.recorder: Recorder
        self.metrics = Metrics()
        self.chain: Chain

    # ---------------------------------------------------------------- services

    def rng(self, name: str) -> np.random.Generator:
        """The random stream of the component called ``name`` (same seed, same stream)."""
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(zlib.crc32(name.encode()),)))

    def now(self) -> int:
        """Absolute time (Unix seconds) of the simulation's present."""
        return self.start + int(self.env.now)

    def sync(self) -> None:
        """Move the chain's clock to the simulation's present."""
        self.chain.warp(self.now())

    def _connect(self) -> Chain:
        """The run's chain, its genesis one second before the scenario's start."""
        if isinstance(self._backend, str):
            return Chain(self._backend, genesis_timestamp=self.start - 1, **self._backend_options)
        return Chain(self._backend)

    # --------------------------------------------------------------------- run

    def run(self, out_dir: Path | None = None, progress: Progress | None = None) -> RunResult:
        """Play the scenario to its end; write the outputs into ``out_dir`` if given."""
        self.setup(out_dir)
        while self.env.now < self.end_seconds and self.status == "running":
            self.advance_to(min(self.end_seconds, self.env.now + DAY))
            if progress is not None:
                progress(self.env.now, self.end_seconds)
        return self.finish()

    def setup(self, out_dir: Path | None = None) -> None:
        """Deploy the contracts, start the processes (time 0)."""
        self._wall_start = time.perf_counter()
        self.out_dir = out_dir
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
        self.recorder = Recorder(out_dir / "events.jsonl" if out_dir else None, start=self.start)
        self.recorder.subscribe(self.metrics.observe)
        self.status, self.reason = "running", None
        self._guarded(self._setup)

    def advance_to(self, seconds: float) -> None:
        """Run the processes up to ``seconds`` of simulated time (not beyond the end)."""
        if self.status == "running":
            self._guarded(lambda: self.env.run(until=min(seconds, self.end_seconds)))

    def finish(self) -> RunResult:
        """Close the log, write the outputs and summary.json; return the result."""
        if self.status == "running":
            self._guarded(self._sample)
        if self.status == "running":
            self.status = "done"
        self.recorder.close()
        summary = self._summary(self.status, self.reason, time.perf_counter() - self._wall_start)
        if self.out_dir is not None:
            self._write_outputs(self.out_dir)
            (self.out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        return RunResult(summary, self.out_dir)

    def close(self) -> None:
        """Release the chain backend (an external node's connection); the chain is unusable after."""
        if hasattr(self, "chain"):
            self.chain.close()

    def _guarded(self, step: Callable[[], object]) -> None:
        """Run a step; a failure ends the run as failed, with the reason recorded."""
        try:
            step()
        except Exception as exc:  # a run that fails keeps its events and says why
            self.status, self.reason = "failed", f"{type(exc).__name__}: {exc}"
            self.recorder.record(self.env.now, "simulation", "run", "failed", reason=self.reason)

    def _envelope(
        self, status: str, reason: str | None, wall_seconds: float, metrics: dict[str, Any], digest: str | None,
        kind: str | None = None,
    ) -> dict[str, Any]:
        """summary.json: what every kind of run reports around its own ``metrics``."""
        versions = {"tokensim": importlib.metadata.version("tokensim")}
        if hasattr(self, "chain"):
            versions.update(self.chain.backend.info().versions)
        summary: dict[str, Any] = {"status": status, "scenario": self.scenario.name}
        if kind is not None:
            summary["kind"] = kind
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
        if reason is not None:
            summary["reason"] = reason
        return summary

    # ----------------------------------------------------------- for subclasses

    def _setup(self) -> None:
        raise NotImplementedError

    def _sample(self) -> None:
        raise NotImplementedError

    def _summary(self, status: str, reason: str | None, wall_seconds: float) -> dict[str, Any]:
        raise NotImplementedError

    def _write_outputs(self, out_dir: Path) -> None:
        raise NotImplementedError
