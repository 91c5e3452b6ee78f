"""Scenarios: the validated description of a run, from YAML files or Python."""

from sim.scenario.load import ScenarioError, load, loads, resolve, shipped, validate
from sim.scenario.scenario import PARTS, Scenario

__all__ = ["PARTS", "Scenario", "ScenarioError", "load", "loads", "resolve", "shipped", "validate"]
