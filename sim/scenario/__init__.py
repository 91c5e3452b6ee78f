"""Scenarios: the validated description of a run, from YAML files or Python."""

from sim.scenario.load import AnyScenario, ScenarioError, load, loads, resolve, shipped, validate
from sim.scenario.margin import MarginScenario
from sim.scenario.models import Scenario
from sim.scenario.taxonomy import TaxonomyScenario

__all__ = ["AnyScenario", "MarginScenario", "Scenario", "ScenarioError", "TaxonomyScenario", "load", "loads", "resolve", "shipped", "validate"]
