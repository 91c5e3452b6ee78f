"""Scenarios: the validated description of a run, from YAML files or Python."""

from sim.scenario.load import ScenarioError, load, loads, resolve, shipped, validate
from sim.scenario.models import Scenario

__all__ = ["Scenario", "ScenarioError", "load", "loads", "resolve", "shipped", "validate"]
