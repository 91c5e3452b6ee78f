"""The simulation engine: SimPy, the chain, the seed and the recorder, bound together."""

from sim.engine.simulation import RunResult, Simulation
from sim.engine.system import System

__all__ = ["RunResult", "Simulation", "System"]
