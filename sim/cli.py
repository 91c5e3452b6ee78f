"""The ``tokensim`` command line."""

from __future__ import annotations

import importlib.metadata
import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.errors import CompilerError, ConfigError, TokensimError

EXIT_DONE, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
"""Exit codes; a run stopped by a signal exits 128 + the signal's number (130 SIGINT, 143 SIGTERM)."""

app = typer.Typer(
    name="tokensim",
    help=(
        "Security-token and tokenized-collateral lifecycle simulator on a local EVM chain.\n\n"
        "Exit codes: 0 done, 1 run failed, 2 bad input, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM)."
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
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace an earlier run's files in the run directory (events.jsonl, metrics.csv, summary.json, "
            "*.png) instead of refusing; nothing else in it is touched.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Run a scenario; write events.jsonl, metrics.csv and summary.json to the run directory
    (and the plots of its margin or taxonomy part).

    A run directory that holds an earlier run's files is refused unless --force is given.

    Ctrl-C (SIGINT) or SIGTERM stops the run cleanly, with exit code 130 (143 for SIGTERM).

    An interrupted run keeps its events so far, metrics.csv and a summary.json whose status is "interrupted".
    """
    started: list[Path] = []  # the run directory, once a run writes into it
    with _signals_raise():
        try:
            _run(scenario, seed, backend, rpc_url, out, force, quiet, started)
        except _Signalled as stopped:  # not passed on by a run: before it started, or after it
            where = f"; the run's files are in {started[0]}" if started else " before the run started; no run files written"
            err_console.print(f"[red]{stopped.name}[/red]{escape(where)}")
            raise typer.Exit(stopped.exit_code) from None


class _Signalled(KeyboardInterrupt):
    """SIGINT or SIGTERM received by ``tokensim run`` (the run, if one started, has stopped
    and written its outputs first: ``Run.run`` holds the signal until then)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(self.name)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


@contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGINT and SIGTERM raise ``_Signalled`` while the block runs (the handlers restored after)."""

    def raise_signalled(signum: int, _frame: Any) -> None:
        raise _Signalled(signum)

    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield
        return
    earlier = {signum: signal.signal(signum, raise_signalled) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in earlier.items():
            signal.signal(signum, handler)


def _run(scenario: str, seed: int | None, backend: str, rpc_url: str, out: Path | None, force: bool,
         quiet: bool, started: list[Path]) -> None:
    from sim.chain import BACKENDS
    from sim.engine import Run
    from sim.report.run_dir import RunDirError, prepare
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
    out_dir = out or Path("runs") / f"{loaded.name}-seed{loaded.seed if seed is None else seed}"
    try:
        replaced = prepare(out_dir, force=force)
    except RunDirError as exc:
        err_console.print(f"[red]bad run directory:[/red] {escape(str(exc))}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    simulation = Run(loaded, seed=seed, backend=chosen)
    started.append(out_dir)
    console.print(f"[bold]{loaded.name}[/bold] seed {simulation.seed} on {backend} -> {out_dir}")
    if replaced:
        console.print(f"replaced the earlier run's {', '.join(p.name for p in replaced)}", highlight=False)
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
        signalled: _Signalled | None = None
        try:
            result = simulation.run(out_dir=out_dir, progress=lambda done, _: bar.update(task, completed=done / 86_400))
        except _Signalled as stopped:  # passed on by the run once its outputs were written
            if simulation.result is None:
                raise
            signalled, result = stopped, simulation.result
        finally:
            simulation.close()
    _print_summary(result.summary, simulation.part_metrics())
    if signalled is not None:
        if result.status == "interrupted":
            err_console.print(f"[red]{escape(result.summary['reason'])}[/red] at day {result.summary['sim_days']:g}: "
                              f"the events so far, metrics.csv and summary.json are in {escape(str(out_dir))}")
        else:
            err_console.print(f"[red]{signalled.name}[/red] as the run finished; its outputs are complete")
        raise typer.Exit(signalled.exit_code)
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
