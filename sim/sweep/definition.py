"""A sweep's definition: the scenario, the grid's points, the seeds, the runs and their ids.

Everything is checked here, before a sweep writes anything: the scenario (as ``tokensim
run`` checks it), every grid value and combination (``sim.sweep.grid``), the seeds and the
backend. ``define`` returns the ``Sweep``; ``Sweep.definition()`` is what ``sweep.json``
records and what a resumed sweep must match.

Seeds. Every grid point runs with the same seeds (common random numbers: two points
differ by their grid values, not by luck). The seeds are, in this order of precedence:

- ``seeds=[s0, s1, ...]`` (``--seed-list``): used as given, run ``j`` gets seed ``sj``;
- ``seeds=N`` (``--seeds N``): the scenario's ``seed`` is the root, and run ``j`` gets
  ``int(numpy.random.SeedSequence(root).spawn(N)[j].generate_state(1, numpy.uint64)[0]) >> 1``
  (a 63-bit integer, as a scenario's seed is). ``spawn(N)[j]`` is the child with spawn key
  ``(j,)`` whatever ``N`` is, so asking for more seeds keeps the first ones;
- neither: one seed, the scenario's own.

The seed of a run is a plain integer recorded in its row, its ``summary.json`` and
``sweep.json``: ``tokensim run SCENARIO --seed S`` replays it alone, and it is the same on
any worker or machine. Run ids are ``g<point>-s<seed index>`` (``g0-s3``: the first grid
point's fourth seed).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.sweep.grid import Point, SweepError, points

MAX_SEEDS = 100_000
"""The most seeds a sweep may have."""

MAX_RUNS = 1_000_000
"""The most runs a sweep may have (grid points times seeds)."""

SWEEP_BACKENDS = ("revm", "eth-tester")
"""The backends a sweep runs on: each run has a chain of its own, in its worker's process."""

FORMAT = 1
"""Version of ``sweep.json``'s layout."""


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: its id, grid point, seed index and seed."""

    id: str
    grid: int
    seed_index: int
    seed: int


@dataclass(frozen=True)
class Sweep:
    """A checked sweep: the base scenario, the grid's points, the seeds and the runs."""

    scenario: Any  # sim.scenario.Scenario: the scenario as given
    source: str
    grid: dict[str, list[Any]]
    points: list[Point]
    seeds: list[int]
    seed_rule: str
    backend: str

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def runs(self) -> list[RunSpec]:
        """Every run, grid point by grid point, seed by seed."""
        return [RunSpec(f"g{p.index}-s{j}", p.index, j, seed) for p in self.points for j, seed in enumerate(self.seeds)]

    def point(self, index: int) -> Point:
        return self.points[index]

    def definition(self) -> dict[str, Any]:
        """What makes two sweeps the same: the scenario (what it says, its defaults aside: a
        tokensim that adds a field keeps the sweep), the grid, the seeds, the backend."""
        return {
            "scenario_sha256": _sha256(self.scenario.model_dump(mode="json", exclude_unset=True)),
            "grid": _jsonable(self.grid),
            "seeds": list(self.seeds),
            "backend": self.backend,
        }

    @property
    def digest(self) -> str:
        return "sha256:" + _sha256(self.definition())

    def record(self, versions: dict[str, str]) -> dict[str, Any]:
        """``sweep.json``: the definition and its digest, where the scenario came from, how
        the seeds were chosen, each grid point's values, each run, the versions."""
        return {
            "format": FORMAT,
            "scenario": self.name,
            "source": self.source,
            "definition": self.definition(),
            "digest": self.digest,
            "seed_rule": self.seed_rule,
            "points": [{"grid": p.index, "values": _jsonable(p.values)} for p in self.points],
            "runs": [{"id": r.id, "grid": r.grid, "seed_index": r.seed_index, "seed": r.seed} for r in self.runs],
            "versions": versions,
        }


def child_seeds(root: int, count: int) -> list[int]:
    """The seeds of ``count`` runs from the root seed (see the module's docstring)."""
    import numpy as np

    children = np.random.SeedSequence(root).spawn(count)
    return [int(child.generate_state(1, dtype=np.uint64)[0]) >> 1 for child in children]


def define(scenario: Any, *, seeds: int | Sequence[int] | None = None, grid: Mapping[str, Sequence[Any]] | None = None,
           backend: str = "revm") -> Sweep:
    """Check a sweep and return its definition.

    Args:
        scenario: a scenario file, the name of a shipped scenario, or a ``Scenario``.
        seeds: a number of seeds (derived from the scenario's seed), a list of seeds (used
            as given), or None (the scenario's own seed).
        grid: each grid field's values (``{"margin.shocks.1.move_pct": [-25, -40]}``).
        backend: ``revm`` (the default) or ``eth-tester``.

    Raises:
        SweepError: anything that would stop the sweep, before anything is written (the
            scenario's own errors are ``sim.scenario.ScenarioError``, also a ``ConfigError``).
    """
    from sim.scenario import Scenario, load, resolve
    from sim.scenario.reader import read

    if isinstance(scenario, Scenario):
        base, source, tree = scenario, f"<scenario {scenario.name}>", None
        data = scenario.model_dump(mode="json", exclude_unset=True)
    else:
        if str(scenario).endswith(".py"):
            raise SweepError(f"{scenario}: a sweep plays a scenario file (YAML); a script can call "
                             "sim.sweep.sweep() itself")
        path = _shown_path(resolve(str(scenario)))
        base = load(path)  # the file's own errors first, as `tokensim run` reports them
        source = str(path)
        data, tree = read(Path(path).read_text(encoding="utf-8-sig"))
    if backend not in SWEEP_BACKENDS:
        raise SweepError(f"unknown backend {backend!r} for a sweep; expected one of: {', '.join(SWEEP_BACKENDS)} "
                         "(each run has a chain of its own; rpc would share one node)")
    chosen, rule = _seeds(seeds, base.seed)
    grid = {field: list(values) if isinstance(values, Sequence) and not isinstance(values, str | bytes) else values
            for field, values in (grid or {}).items()}
    if grid:
        found = points(data, grid, source=source, tree=tree, scenario_model=Scenario)
    else:
        found = [Point(0, {}, base)]
    runs = len(found) * len(chosen)
    if runs > MAX_RUNS:
        raise SweepError(f"{runs:,} runs ({len(found):,} grid points x {len(chosen):,} seeds): at most {MAX_RUNS:,}")
    return Sweep(base, source, grid, found, chosen, rule, backend)


def _shown_path(path: Path) -> Path:
    """``path`` relative to the working directory when it is below it (a shipped scenario
    named by its name), as given otherwise."""
    try:
        return path.resolve().relative_to(Path.cwd()) if path.is_absolute() else path
    except ValueError:
        return path


def _seeds(seeds: int | Sequence[int] | None, root: int) -> tuple[list[int], str]:
    if seeds is None:
        return [root], f"the scenario's seed ({root})"
    if isinstance(seeds, bool):
        raise SweepError(f"seeds: expected a number of seeds or a list of seeds (got {seeds!r})")
    if isinstance(seeds, int):
        if not 1 <= seeds <= MAX_SEEDS:
            raise SweepError(f"--seeds {seeds}: expected 1 to {MAX_SEEDS:,} seeds")
        return child_seeds(root, seeds), (f"SeedSequence({root}).spawn({seeds})[j].generate_state(1, uint64)[0] >> 1 "
                                          f"for run j (root: the scenario's seed)")
    chosen = list(seeds)
    if not chosen:
        raise SweepError("--seed-list: no seeds given")
    if len(chosen) > MAX_SEEDS:
        raise SweepError(f"--seed-list: {len(chosen):,} seeds, at most {MAX_SEEDS:,}")
    for seed in chosen:
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise SweepError(f"--seed-list: bad seed {seed!r}: expected an integer, 0 <= seed < 2**63")
        if chosen.count(seed) > 1:
            raise SweepError(f"--seed-list: the seed {seed} is given twice (it would run the same runs twice)")
    return chosen, "as given (--seed-list)"


def parse_seed_list(text: str) -> list[int]:
    """``1,2,3`` (a ``--seed-list`` option) as integers."""
    seeds = []
    for part in text.split(","):
        try:
            seeds.append(int(part.strip()))
        except ValueError:
            raise SweepError(f"--seed-list {text!r}: {part.strip()!r} is not an integer "
                             "(expected integers separated by commas, as in 1,2,3)") from None
    return seeds


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _sha256(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


__all__ = ["MAX_RUNS", "MAX_SEEDS", "SWEEP_BACKENDS", "RunSpec", "Sweep", "child_seeds", "define", "parse_seed_list"]
