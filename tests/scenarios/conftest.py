"""The shipped scenarios, each run once per test session (per worker under xdist)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sim.engine import Run
from sim.scenario import load, shipped

SHIPPED = shipped()


@dataclass
class ShippedRun:
    """A shipped scenario run with its own seed on revm: the summary, the event records,
    the ``Run`` (its world and chain, for state checks) and its run directory."""

    summary: dict[str, Any]
    records: list[dict[str, Any]]
    simulation: Run
    out: Path


@pytest.fixture(scope="session")
def shipped_run(tmp_path_factory):
    """``shipped_run(name)``: the run of shipped scenario ``name``, played on first use and
    kept for the session, so every test of a scenario's outputs (golden summary, report,
    browser) reads the same run directory."""
    cache: dict[str, ShippedRun] = {}

    def get(name: str) -> ShippedRun:
        if name not in cache:
            out = tmp_path_factory.mktemp(name)
            simulation = Run(load(SHIPPED[name]), backend="revm")
            result = simulation.run(out_dir=out)
            records = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
            cache[name] = ShippedRun(result.summary, records, simulation, out)
        return cache[name]

    return get


@pytest.fixture(scope="session")
def runs(shipped_run):
    """``runs(name)``: the shipped run's ``(summary, records, simulation)``."""

    def get(name: str):
        run = shipped_run(name)
        return run.summary, run.records, run.simulation

    return get
