"""Parts: the domains of a world, each a set of contracts and the actors that use them.

A run plays the parts whose sections its scenario has: the securities lifecycle
(``sim.parts.securities``), collateral and margin (``sim.parts.margin``), the taxonomy
(``sim.parts.taxonomy``). A part is to a run what a resource type is to SimPy: the run
calls the same few methods on each, in set-up order, and knows nothing else of it.

What a subclass gives (all but ``deploy`` and ``start`` have defaults):

| method | when | what |
|---|---|---|
| ``deploy()`` | at time 0 | deploy the part's contracts, take role accounts, onboard participants |
| ``start()`` | at time 0, after every part deployed | start the actors' SimPy processes |
| ``sample()`` | every sampling interval and at the end | the part's columns of a ``metrics.csv`` row |
| ``summary()`` | at the end | the part's metrics for ``summary.json`` (read from the chain and the log) |
| ``state()`` | at the end | what the state digest hashes of the part (the same on every backend) |
| ``write_outputs(dir)`` | at the end | the part's plots |
| ``sections(metrics)`` | when printed | the part's summary as titled tables and lines, for the console |
| ``headline(files)`` | in report.html | the part's headline figures, from the run's files |
| ``report_sections(files)`` | in report.html | the part's sections: plots over time, tables (``sim.report.html``) |

Every record an actor of the part writes goes through ``record``, so the part's
``metrics`` count its own acts and refusals only.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from sim.report.metrics import Metrics

if TYPE_CHECKING:
    from sim.engine.world import World
    from sim.report.page import Section as ReportSection
    from sim.report.run_files import RunFiles
    from sim.scenario import Scenario


@dataclass
class Table:
    """A titled table of a printed summary (cells already formatted)."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    right: set[int] = field(default_factory=set)  # columns aligned right (numbers)


@dataclass
class Lines:
    """Plain lines of a printed summary."""

    lines: list[str]


Section = Table | Lines


class Part:
    """Base of the parts (see the module's docstring).

    Args:
        world: the run's world.
        scenario: the whole scenario (a part reads its own sections of it).
    """

    name: ClassVar[str] = "part"
    title: ClassVar[str] = "Part"

    def __init__(self, world: World, scenario: Scenario) -> None:
        self.world = world
        self.scenario = scenario
        self.metrics = Metrics()
        self.rows: list[dict[str, Any]] = []  # the part's own columns of each sample, with "t"
        self.deployed = False  # set by the run once ``deploy`` returned

    def record(self, actor: str, act: str, outcome: str = "ok", **fields: Any) -> dict[str, Any]:
        """Write one record of the part's ``actor`` and count it in the part's metrics."""
        record = self.world.recorder.record(self.world.env.now, actor, act, outcome, **fields)
        self.metrics.observe(record)
        return record

    # ---------------------------------------------------------- for subclasses

    def deploy(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        raise NotImplementedError

    def sample(self) -> dict[str, Any]:
        return {}

    def summary(self) -> dict[str, Any]:
        return {}

    def state(self) -> Any:
        return None

    def write_outputs(self, out_dir: Path) -> None:
        """Write the part's own files (plots) into the run directory."""

    @classmethod
    def sections(cls, metrics: dict[str, Any]) -> list[Section]:
        """The part's summary for the console, from its ``metrics`` (as in summary.json)."""
        return []

    report_module: ClassVar[str | None] = None
    """The module with the part's ``headline(files)`` and ``sections(files)`` for report.html
    (imported when a report is built; None: the part adds nothing to the page)."""

    @classmethod
    def headline(cls, files: RunFiles) -> list[tuple[str, str]]:
        """The part's headline metrics for report.html: (the figure's HTML, what it is)."""
        return [] if cls.report_module is None else importlib.import_module(cls.report_module).headline(files)

    @classmethod
    def report_sections(cls, files: RunFiles) -> list[ReportSection]:
        """The part's sections of report.html, from the run's files alone (``RunFiles``)."""
        return [] if cls.report_module is None else importlib.import_module(cls.report_module).sections(files)


__all__ = ["Lines", "Part", "Section", "Table"]
