"""The engine: one world (chain, clock, recorder, participants), its parts, and a run's life.

``Run(scenario)`` plays every part whose section the scenario has (``sim.parts``) in one
``World``; ``Part`` and ``Actor`` are what the parts are made of.

``Simulation``, ``MarginSimulation`` and ``TaxonomySimulation`` are the names of the three
engines this one replaced; they remain for one release as aliases of ``Run``, as does
``simulation_for(scenario, **options)``.
"""

from __future__ import annotations

from typing import Any

from sim.engine.actor import Actor, Outcome
from sim.engine.part import Part
from sim.engine.run import Progress, Run, RunResult, RunStatus
from sim.engine.world import Participant, World

Simulation = Run
"""Deprecated alias of ``Run`` (kept for one release)."""
MarginSimulation = Run
"""Deprecated alias of ``Run`` (kept for one release)."""
TaxonomySimulation = Run
"""Deprecated alias of ``Run`` (kept for one release)."""


def simulation_for(scenario: Any, **options: Any) -> Run:
    """Deprecated: ``Run(scenario, **options)`` plays every kind of scenario."""
    return Run(scenario, **options)


__all__ = [
    "Actor", "MarginSimulation", "Outcome", "Part", "Participant", "Progress", "Run", "RunResult", "RunStatus",
    "Simulation", "TaxonomySimulation", "World", "simulation_for",
]
