"""The simulation engine: SimPy, the chain, the seed and the recorder, bound together."""

from __future__ import annotations

from typing import Any

from sim.engine.margin import MarginSimulation
from sim.engine.run import ChainRun, RunResult
from sim.engine.simulation import Simulation
from sim.engine.system import System


def simulation_for(scenario: Any, **options: Any) -> Simulation | MarginSimulation:
    """The simulation that plays ``scenario``: ``MarginSimulation`` for ``kind: margin``,
    ``Simulation`` for a lifecycle scenario; ``options`` as theirs (seed, backend, ...)."""
    if getattr(scenario, "kind", "lifecycle") == "margin":
        return MarginSimulation(scenario, **options)
    return Simulation(scenario, **options)


__all__ = ["ChainRun", "MarginSimulation", "RunResult", "Simulation", "System", "simulation_for"]
