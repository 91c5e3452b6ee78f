"""The ``tokensim`` command line."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.errors import CompilerError, ConfigError, TokensimError

EXIT_DONE, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

app = typer.Typer(
    name="tokensim",
    help=(
        "Security-token and tokenized-collateral lifecycle simulator on a local EVM chain.\n\n"
        "Exit codes: 0 done, 1 run failed, 2 bad input."
    ),
    no_args_is_help=True,
    add_completion=False,
)
demo_app = typer.Typer(help="Narrated demos of a token's life, for teaching and first runs.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")

console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # an error stays one line in a pipe: file:line: field: ...


def _version(value: bool) -> None:
    if value:
        console.print(f"tokensim {importlib.metadata.version('tokensim')}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Security-token and tokenized-collateral lifecycle simulator on a local EVM chain."""


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="A scenario file, or the name of a shipped scenario (see `tokensim list`).")],
    seed: Annotated[int | None, typer.Option(help="Seed of the run's random numbers (default: the scenario's).")] = None,
    backend: Annotated[
        str, typer.Option(help="Chain backend: revm (fast, the default), eth-tester (the reference) or rpc.")
    ] = "revm",
    rpc_url: Annotated[
        str, typer.Option(help="With --backend rpc: the node's HTTP URL (its clock must be before the start).")
    ] = "http://127.0.0.1:8545",
    out: Annotated[Path | None, typer.Option(help="Run directory (default: runs/<scenario>-seed<seed>).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Run a scenario; write events.jsonl, metrics.csv and summary.json to the run directory
    (and the plots of its margin or taxonomy part)."""
    from sim.chain import BACKENDS
    from sim.engine import Run
    from sim.scenario import load, resolve

    try:
        loaded = load(resolve(scenario))
    except ConfigError as exc:
        err_console.print(f"[red]bad scenario:[/red]\n{escape(str(exc))}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if backend not in BACKENDS:
        err_console.print(f"[red]unknown backend[/red] {backend!r}; expected one of: {', '.join(BACKENDS)}")
        raise typer.Exit(EXIT_BAD_INPUT)
    if seed is not None and not 0 <= seed < 2**63:
        err_console.print(f"[red]bad seed[/red] {seed}: expected 0 <= seed < 2**63")
        raise typer.Exit(EXIT_BAD_INPUT)
    chosen: Any = backend
    if backend == "rpc":
        from sim.chain.rpc import RpcBackend

        try:
            chosen = RpcBackend(url=rpc_url, genesis_timestamp=loaded.start_timestamp - 1)
        except TokensimError as exc:
            err_console.print(f"[red]rpc backend unavailable:[/red] {escape(str(exc))}")
            raise typer.Exit(EXIT_BAD_INPUT) from None
    simulation = Run(loaded, seed=seed, backend=chosen)
    out_dir = out or Path("runs") / f"{loaded.name}-seed{simulation.seed}"
    console.print(f"[bold]{loaded.name}[/bold] seed {simulation.seed} on {backend} -> {out_dir}")
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("day {task.completed:.0f}/{task.total:.0f}"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=True,
    ) as bar:
        task = bar.add_task("simulating", total=loaded.duration_days)
        try:
            result = simulation.run(out_dir=out_dir, progress=lambda done, _: bar.update(task, completed=done / 86_400))
        finally:
            simulation.close()
    _print_summary(result.summary, simulation.part_metrics())
    if result.status != "done":
        err_console.print(f"[red]run failed:[/red] {escape(result.summary.get('reason', ''))}")
        raise typer.Exit(EXIT_FAILED)


def _print_summary(summary: dict[str, Any], parts: list[tuple[type, dict[str, Any]]]) -> None:
    """The run's outcome line, then each part's own sections (``Part.sections``)."""
    from sim.engine.part import Lines

    console.print(f"[bold]{escape(summary['scenario'])}[/bold]: {summary['status']} after {summary['sim_days']:g} "
                  f"simulated days ({summary['wall_seconds']:.1f} s)", highlight=False)
    for part, metrics in parts:
        for section in part.sections(metrics):
            if isinstance(section, Lines):
                for line in section.lines:
                    console.print(escape(line), highlight=False, soft_wrap=True)
                continue
            table = Table(title=section.title)
            for i, column in enumerate(section.columns):
                table.add_column(column, justify="right" if i in section.right else "left")
            for row in section.rows:
                table.add_row(*(escape(cell) for cell in row))
            console.print(table)


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(help="Scenario files to check.")]) -> None:
    """Check scenario files; print every problem with file, line, field, value and expectation."""
    from sim.scenario import load

    bad = 0
    for path in files:
        try:
            scenario = load(path)
        except ConfigError as exc:
            bad += 1
            err_console.print(escape(str(exc)))
            continue
        console.print(f"{path}: ok ({scenario.name}, {scenario.duration_days:g} days)")
    if bad:
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command("list")
def list_scenarios() -> None:
    """List the shipped scenarios, one line each."""
    from sim.scenario import load, shipped

    for name, path in shipped().items():
        description = " ".join(load(path).description.split())
        first = description.split(". ")[0].rstrip(".")
        console.print(f"[bold]{name}[/bold]: {escape(first)}", highlight=False, soft_wrap=True)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from sim.scenario import Scenario

    print(json.dumps(Scenario.model_json_schema(), indent=2))


@app.command()
def compile() -> None:
    """Compile contracts/ with the pinned solc into sim/artifacts/ (needs Node.js and `npm ci`)."""
    from sim.chain.compiler import compile_contracts

    try:
        written = compile_contracts()
    except CompilerError as exc:
        err_console.print(f"[red]compile failed:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    for path in written:
        console.print(f"wrote {path}")


@demo_app.command("issuance")
def demo_issuance() -> None:
    """A Reg D 506(b) issuance: onboarding, subscriptions, refusals, the Rule 144 lock-up."""
    from sim.demos import issuance

    try:
        issuance.run(console=console)
    except TokensimError as exc:
        err_console.print(f"[red]demo failed:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None


def main() -> None:
    app()
