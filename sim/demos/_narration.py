"""What the narrated demos share: playing a shipped scenario into a run directory, reading
its event log back, and telling it step by step with a pause between steps."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

DAY = 86_400


@dataclass
class Narration:
    """A demo's run and what it told: ``steps`` are (title, the record or figures told)."""

    scenario: str
    out_dir: Path
    run: Any  # the finished sim.engine.Run: its world and chain, for what the log does not hold
    records: list[dict[str, Any]]
    console: Console
    pause: Callable[[], None] | None = None
    steps: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, Any]:
        return self.run.result.summary

    def step(self, title: str, rule: str, told: list[str], record: dict[str, Any]) -> None:
        """Tell one step: its title, the rule in plain words, what the chain did; waits for
        ``pause`` first, from the second step on."""
        tell(self.console, self.pause, len(self.steps), title, rule, told)
        self.steps.append((title, record))

    def first(self, act: str, outcome: str = "ok", **fields: Any) -> dict[str, Any]:
        """The first record of ``act`` with ``outcome`` and ``fields``."""
        for record in self.records:
            if record["act"] == act and record["outcome"] == outcome and all(
                    record.get(k) == v for k, v in fields.items()):
                return record
        raise LookupError(f"the run of {self.scenario} has no {act} record ({outcome}, {fields}): the scenario changed")

    def report_step(self) -> None:
        self.step("the report", "every act of the run, refusals included, is a record of events.jsonl; "
                  "report.html draws them on one page.",
                  [f"Open {self.out_dir / 'report.html'} in a browser to see the whole run."], {"act": "report"})


def tell(console: Console, pause: Callable[[], None] | None, told_before: int, title: str, rule: str,
         told: list[str]) -> None:
    """Tell step ``told_before + 1``: its title, the rule in plain words, what the chain did;
    waits for ``pause`` first when a step was told before."""
    if told_before and pause is not None:
        pause()
    console.rule(Text(f"Step {told_before + 1}: {title}", style="bold"))
    console.print(f"[italic]The rule.[/italic] {rule}", highlight=False)
    for line in told:
        console.print(line, highlight=False)


def play(scenario: str, out_dir: Path, console: Console | None, pause: Callable[[], None] | None) -> Narration:
    """Play the shipped ``scenario`` on revm into ``out_dir`` (an earlier demo's files there
    replaced) and return its narration, ready for its steps."""
    from sim.engine import Run
    from sim.report.run_dir import prepare
    from sim.scenario import load, shipped

    console = console or Console()
    prepare(out_dir, force=True)
    loaded = load(shipped()[scenario])
    console.print(f"playing {scenario} on revm ({loaded.duration_days:g} simulated days) ...", highlight=False)
    run = Run(loaded, backend="revm")
    run.run(out_dir=out_dir)
    records = [json.loads(line) for line in (out_dir / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    return Narration(scenario, out_dir, run, records, console, pause)


def usd(cents: float) -> str:
    return f"${cents / 100:,.2f}"


def day(record: dict[str, Any]) -> str:
    return f"Day {record['t'] / DAY:.2f}"


__all__ = ["DAY", "Narration", "day", "play", "tell", "usd"]
