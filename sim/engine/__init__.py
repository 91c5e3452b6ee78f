"""The simulation engine: SimPy, the chain, the seed and the recorder, bound together."""

from __future__ import annotations

from typing import Any

from sim.engine.margin import MarginSimulation
from sim.engine.run import ChainRun, RunResult
from sim.engine.simulation import Simulation
from sim.engine.taxonomy import TaxonomySimulation
from sim.engine.system import System


def simulation_for(scenario: Any, **options: Any) -> Simulation | MarginSimulation | TaxonomySimulation:
    """The simulation that plays ``scenario``: ``MarginSimulation`` for ``kind: margin``,
    ``TaxonomySimulation`` for ``kind: taxonomy``, ``Simulation`` for a lifecycle scenario;
    ``options`` as theirs (seed, backend, ...)."""
    kind = getattr(scenario, "kind", "lifecycle")
    if kind == "margin":
        return MarginSimulation(scenario, **options)
    if kind == "taxonomy":
        return TaxonomySimulation(scenario, **options)
    return Simulation(scenario, **options)


__all__ = ["ChainRun", "MarginSimulation", "RunResult", "Simulation", "System", "TaxonomySimulation", "simulation_for"]
