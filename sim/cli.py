"""The ``tokensim`` command line."""

from __future__ import annotations

import importlib.metadata
import json
import math
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
        "Exit codes: 0 done, 1 run failed (a sweep: some runs failed), 2 bad input, 130 interrupted (Ctrl-C), "
        "143 terminated (SIGTERM)."
    ),
    no_args_is_help=True,
    add_completion=False,
)
demo_app = typer.Typer(help="Narrated demos of a token's life, for teaching and first runs.",
                       invoke_without_command=True)
app.add_typer(demo_app, name="demo")


@demo_app.callback()
def demo_list(ctx: typer.Context) -> None:
    """Narrated demos of a token's life, for teaching and first runs: `tokensim demo` lists them."""
    if ctx.invoked_subcommand is not None:
        return
    for command in ctx.command.commands.values():  # type: ignore[attr-defined]
        summary = (command.help or "").strip().splitlines()[0]
        console.print(f"[bold]tokensim demo {command.name}[/bold]: {escape(summary)}", highlight=False, soft_wrap=True)
    console.print("The demos that play a scenario wait for Enter between steps on a terminal; --no-pause for scripts.",
                  highlight=False, soft_wrap=True)

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
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(
        help="A scenario file, the name of a shipped scenario (see `tokensim list`), or a scenario script (.py).")],
    script_args: Annotated[list[str] | None, typer.Argument(
        help="A script's own arguments, after --: tokensim run script.py -- --seed 7.", show_default=False)] = None,
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
            "report.html, *.png) instead of refusing; nothing else in it is touched.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print only the outcome line and the run directory (no progress bar, no tables).")] = False,
) -> None:
    """Run a scenario; write events.jsonl, metrics.csv, summary.json and report.html to the run directory (and the plots of its margin or taxonomy part).

    report.html is a self-contained page (open it in a browser, offline); `tokensim report RUN_DIR` rebuilds it.

    A run directory that holds an earlier run's files is refused unless --force is given.

    Ctrl-C (SIGINT) or SIGTERM stops the run cleanly, with exit code 130 (143 for SIGTERM).

    An interrupted run keeps its events so far, metrics.csv and a summary.json whose status is "interrupted".

    A scenario script (a .py file, or the name of one in scenarios/) runs as `python script.py` would, with the arguments given after --; its exit code is the script's.
    """
    from sim.report.worker import ReportWorker

    # started first, so it gets matplotlib ready on the second core while this process
    # imports, loads and runs the scenario (a script is left to draw its own reports)
    with ReportWorker(None) if scenario.endswith(".py") else ReportWorker.start() as report:
        _run_command(ctx, report, scenario, script_args, seed, backend, rpc_url, out, force, quiet)


def _run_command(ctx: typer.Context, report: Any, scenario: str, script_args: list[str] | None, seed: int | None,
                 backend: str, rpc_url: str, out: Path | None, force: bool, quiet: bool) -> None:
    script = _script(scenario)
    if script is not None:
        report.close()
        _run_script(ctx, script, script_args or [])
        return
    if script_args:
        err_console.print(f"[red]unexpected arguments[/red] {escape(' '.join(script_args))}: only a scenario "
                          "script (.py) takes arguments of its own")
        raise typer.Exit(EXIT_BAD_INPUT)
    started: list[Path] = []  # the run directory, once a run writes into it
    with _signals_raise():
        try:
            _run(report, scenario, seed, backend, rpc_url, out, force, quiet, started)
        except _Signalled as stopped:  # not passed on by a run: before it started, or after it
            where = f"; the run's files are in {started[0]}" if started else " before the run started; no run files written"
            err_console.print(f"[red]{stopped.name}[/red]{escape(where)}")
            raise typer.Exit(stopped.exit_code) from None


def _script(scenario: str) -> Path | None:
    """The scenario script ``scenario`` names (a ``.py`` path, or a script shipped in
    scenarios/ named without its suffix), or None for a scenario file."""
    if scenario.endswith(".py"):
        return Path(scenario)
    from sim.scenario.load import SCENARIOS_DIR

    shipped_script = SCENARIOS_DIR / f"{scenario}.py"
    if "/" not in scenario and not Path(scenario).exists() and shipped_script.is_file():
        return shipped_script
    return None


SCENARIO_FILE_OPTIONS = ("seed", "backend", "rpc_url", "out", "force", "quiet")
"""Options of ``tokensim run`` that a scenario file takes and a script does not."""


def _run_script(ctx: typer.Context, script: Path, args: list[str]) -> None:
    """Run a scenario script as ``python script.py ARGS`` would: as ``__main__``, its folder
    first on ``sys.path``, ``sys.argv`` its path and ARGS. Exit with its exit code."""
    import runpy
    import sys
    import traceback

    given = [name for name in SCENARIO_FILE_OPTIONS
             if getattr(ctx.get_parameter_source(name), "name", "DEFAULT") != "DEFAULT"]  # given, not defaulted
    if given:
        options = ", ".join("--" + name.replace("_", "-") for name in given)
        err_console.print(f"[red]{escape(options)}[/red] {'is an option' if len(given) == 1 else 'are options'} of "
                          f"scenario files; a script reads its own arguments: give them after --, as in "
                          f"tokensim run {escape(str(script))} -- --seed 7")
        raise typer.Exit(EXIT_BAD_INPUT)
    if not script.is_file():
        err_console.print(f"[red]bad scenario script:[/red] {escape(str(script))}: file not found")
        raise typer.Exit(EXIT_BAD_INPUT)
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [str(script), *args]
    sys.path.insert(0, str(script.resolve().parent))
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as stop:
        code = stop.code
        if code is not None and not isinstance(code, int):  # sys.exit("message"): printed, exit 1
            err_console.print(escape(str(code)))
            code = 1
        raise typer.Exit(code or 0) from None
    except KeyboardInterrupt:
        err_console.print("[red]interrupted[/red]")
        raise typer.Exit(130) from None
    except Exception:
        traceback.print_exc()
        raise typer.Exit(EXIT_FAILED) from None
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path


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


def _run(report: Any, scenario: str, seed: int | None, backend: str, rpc_url: str, out: Path | None,
         force: bool, quiet: bool, started: list[Path]) -> None:
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
    if loaded.security is not None and loaded.security.standard == "erc3643":
        from sim.contracts.trex import trex_root

        try:  # before anything is written: the token is loaded from tools/trex
            trex_root()
        except ConfigError as exc:
            err_console.print(f"[red]security.standard erc3643:[/red] {escape(str(exc))}")
            raise typer.Exit(EXIT_BAD_INPUT) from None
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
    simulation = Run(loaded, seed=seed, backend=chosen, report_writer=report.write)
    started.append(out_dir)
    if not quiet:
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
    _print_summary(result.summary, simulation.part_metrics(), out_dir, quiet=quiet)
    if simulation.report_error is not None:
        err_console.print(f"[red]report.html not written:[/red] {escape(simulation.report_error)}")
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


def _print_summary(summary: dict[str, Any], parts: list[tuple[type, dict[str, Any]]], out_dir: Path | None = None,
                   *, quiet: bool = False, out: Console | None = None) -> None:
    """The run's outcome line, then each part's own sections (``Part.sections``) and where
    the files are; with ``quiet``, the outcome line and the run directory alone.

    On a terminal the tables fit its width: a cell too long for it is cut with an ellipsis,
    never wrapped onto a second line. Off a terminal (a pipe, a file) they are plain text
    at their full width, one line per row."""
    out = out or console
    out.print(f"[bold]{escape(summary['scenario'])}[/bold]: {summary['status']} after {summary['sim_days']:g} "
              f"simulated days ({summary['wall_seconds']:.1f} s)", highlight=False, soft_wrap=True)
    if quiet:
        if out_dir is not None:
            out.print(escape(str(out_dir)), highlight=False, soft_wrap=True)
        return
    for part, metrics in parts:
        for section in part.sections(metrics):
            _print_section(out, section)
    if out_dir is not None:
        out.print(f"files: {escape(str(out_dir))}/ (report.html, summary.json, metrics.csv, events.jsonl)",
                  highlight=False, soft_wrap=True)


def _print_section(out: Console, section: Any) -> None:
    """One part's section: lines as they are; a table fitted to a terminal, or plain off one."""
    from rich import box

    from sim.engine.part import Lines

    if isinstance(section, Lines):
        for line in section.lines:
            out.print(escape(line), highlight=False, soft_wrap=True)
        return
    if not out.is_terminal:
        for line in _plain_table(section):
            out.print(escape(line), highlight=False, soft_wrap=True)
        return
    table = Table(title=section.title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    natural = [max(len(c) for c in [column, *(row[i] for row in section.rows)]) for i, column in
               enumerate(section.columns)]
    numbers = {i: max((len(row[i]) for row in section.rows), default=1) for i in section.right}
    gaps = 2 * len(section.columns)  # a space either side of each column
    texts = [i for i in range(len(section.columns)) if i not in section.right]
    if sum(natural[i] for i in numbers) + 8 * len(texts) + gaps <= out.width:  # room for whole headers too
        numbers = {i: natural[i] for i in numbers}
    room = out.width - sum(numbers.values()) - gaps  # numbers are never cut; text shares the rest
    for i, column in enumerate(section.columns):
        if i in numbers:
            table.add_column(column, justify="right", no_wrap=True, overflow="ellipsis", width=numbers[i])
        else:
            width = max(4, min(natural[i], room // max(1, len(texts))))
            table.add_column(column, no_wrap=True, overflow="ellipsis", width=width)
    for row in section.rows:
        table.add_row(*(escape(cell) for cell in row))
    out.print(table)


def _plain_table(section: Any) -> list[str]:
    """A table as plain lines: its title, the header and one line per row, columns two
    spaces apart, numbers aligned right."""
    cells = [section.columns, *section.rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(section.columns))]

    def line(row: list[str]) -> str:
        return "  ".join(cell.rjust(w) if i in section.right else cell.ljust(w)
                         for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    return ["", section.title, line(section.columns), *(line(row) for row in section.rows)]


@app.command()
def sweep(
    scenario: Annotated[str, typer.Argument(help="A scenario file, or the name of a shipped scenario.")],
    seeds: Annotated[int | None, typer.Option(
        "--seeds", help="Run N seeds derived from the scenario's seed by numpy's SeedSequence(seed).spawn(N), the "
        "same for every grid point (docs/sweeps.md says exactly how).", show_default=False)] = None,
    seed_list: Annotated[str | None, typer.Option(
        "--seed-list", help="Run these seeds, as given: 1,2,3. Without --seeds or --seed-list: the scenario's seed.",
        show_default=False)] = None,
    grid: Annotated[list[str] | None, typer.Option(
        "--grid", help="FIELD=V1,V2,...: a dotted path into the scenario (margin.shocks.0.move_pct, "
        "investors.0.count) and its values; repeat for more fields, every combination runs.",
        show_default=False)] = None,
    workers: Annotated[int | None, typer.Option(
        help="Local worker processes, one run each at a time (default: one per core).", show_default=False)] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Run on an existing Dask distributed cluster: its scheduler's address, tcp://HOST:PORT (the workers "
        "need tokensim installed and the sweep directory at the same path).", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(help="Sweep directory (default: runs/<scenario>-sweep).",
                                             show_default=False)] = None,
    backend: Annotated[str, typer.Option(help="Chain backend of every run: revm (fast) or eth-tester.")] = "revm",
    force: Annotated[bool, typer.Option(
        "--force", help="Replace another sweep's files in the sweep directory and run every run again, instead of "
        "refusing (a changed sweep) or resuming (the same sweep).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Run a scenario over seeds and a grid of parameters on Dask: one row per run in sweep.parquet and sweep.csv.

    Each run is played in a Dask worker process (a local cluster, or --scheduler) and writes its own outputs in runs/<id> (g0-s3: grid point 0, seed index 3); the sweep directory also gets sweep.json (the definition), percentiles.csv and plots/ (the headline metrics at each grid point), and sweep.html (a page with the distributions, the failed runs and a link to each run's report.html).

    Rerunning the same sweep into the same directory runs only the runs not yet complete; a changed sweep there is refused unless --force.

    Exit codes: 0 every run done, 1 the sweep ended and some runs failed (their rows say why), 2 bad input (nothing written), 130 interrupted by Ctrl-C (143 SIGTERM): the rows of the runs complete so far are written first.
    """
    with _signals_raise():
        try:
            _sweep(scenario, seeds, seed_list, grid or [], workers, scheduler, out, backend, force, quiet)
        except _Signalled as stopped:
            err_console.print(f"[red]{stopped.name}[/red] before the sweep started; nothing written")
            raise typer.Exit(stopped.exit_code) from None


class _SweepConsole:
    """What ``tokensim sweep`` shows while it runs: the plan, then a progress bar over the
    runs with the failures counted (on a terminal, unless --quiet)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Progress | None = None
        self.task: Any = None
        self.last: Any = None  # the last SweepProgress

    def __call__(self, progress: Any) -> None:
        if self.last is None:
            self._start(progress)
        self.last = progress
        if self.bar is not None:
            self.bar.update(self.task, completed=progress.done, failed=progress.failed)

    def _start(self, progress: Any) -> None:
        plan = progress.sweep
        points, seeds = len(plan.points), len(plan.seeds)
        console.print(f"[bold]{escape(plan.name)}[/bold]: {progress.total} run{'s' if progress.total != 1 else ''} "
                      f"({points} grid point{'s' if points != 1 else ''} x {seeds} seed{'s' if seeds != 1 else ''}) "
                      f"on {plan.backend}, {escape(progress.where)} -> {escape(str(progress.sweep_dir))}",
                      highlight=False, soft_wrap=True)
        if progress.resumed:
            console.print(f"{progress.resumed} run{'s' if progress.resumed != 1 else ''} complete from before, "
                          f"{progress.total - progress.resumed} to run", highlight=False)
        if self.quiet or not console.is_terminal or progress.done == progress.total:
            return
        self.bar = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:.0f}/{task.total:.0f} runs"),
            TextColumn("[red]{task.fields[failed]} failed[/red]"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task("sweeping", total=progress.total, completed=progress.done,
                                      failed=progress.failed)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _sweep(scenario: str, seeds: int | None, seed_list: str | None, grid_options: list[str], workers: int | None,
           scheduler: str | None, out: Path | None, backend: str, force: bool, quiet: bool) -> None:
    import time

    from sim.scenario import ScenarioError
    from sim.sweep import SweepError
    from sim.sweep import sweep as run_sweep
    from sim.sweep.definition import parse_seed_list
    from sim.sweep.grid import parse_options

    shown = _SweepConsole(quiet)
    started = time.perf_counter()
    try:
        if seeds is not None and seed_list is not None:
            raise SweepError("give --seeds N or --seed-list S1,S2,..., not both")
        chosen: int | list[int] | None = parse_seed_list(seed_list) if seed_list is not None else seeds
        table = run_sweep(scenario, seeds=chosen, grid=parse_options(grid_options), client=scheduler,
                          workers=workers, out_dir=out, backend=backend, force=force, progress=shown)
    except ScenarioError as exc:
        shown.stop()
        err_console.print(f"[red]bad scenario:[/red]\n{escape(str(exc))}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except SweepError as exc:
        shown.stop()
        err_console.print(f"[red]bad sweep:[/red] {escape(str(exc))}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except _Signalled as stopped:
        shown.stop()
        last = shown.last
        if last is None:
            raise
        err_console.print(f"[red]{stopped.name}[/red]: {last.done} of {last.total} runs complete, their rows in "
                          f"{escape(str(last.sweep_dir / 'sweep.parquet'))} and sweep.csv; run the same command "
                          "again to run the rest")
        raise typer.Exit(stopped.exit_code) from None
    shown.stop()
    _print_sweep(shown.last, table, time.perf_counter() - started)
    failed = int((table["status"] != "done").sum())
    if failed:
        err_console.print(f"[red]{failed} of {len(table)} runs failed[/red]: their reasons are in the table's "
                          "reason column")
        raise typer.Exit(EXIT_FAILED)


def _print_sweep(progress: Any, table: Any, seconds: float) -> None:
    """The sweep's outcome line, the headline metrics' percentiles at each grid point, the files."""
    from sim.sweep.plots import percentiles

    plan, where = progress.sweep, progress.sweep_dir
    done = int((table["status"] == "done").sum())
    ran = len(table) - progress.resumed
    console.print(f"[bold]{escape(plan.name)}[/bold]: {len(table)} runs, {done} done, {len(table) - done} failed "
                  f"({ran} run now, {progress.resumed} earlier) in {seconds:.1f} s", highlight=False)
    if plan.grid:
        for point in plan.points:
            values = ", ".join(f"{field}={value}" for field, value in point.values.items())
            console.print(f"  g{point.index}: {escape(values)}", highlight=False, soft_wrap=True)
    spread = percentiles(plan, table)
    if len(spread):
        seeds = len(plan.seeds)
        shown = Table(title=f"Headline metrics over {seeds} seed{'s' if seeds != 1 else ''} per grid point "
                            "(done runs)")
        for column in ("grid", "metric", "runs", "p5", "p50", "p95", "mean"):
            shown.add_column(column, justify="left" if column in ("grid", "metric") else "right")
        for record in spread.to_dict("records"):
            cells = [f"g{record['grid']}", record["metric"], str(record["runs"])]
            cells += [_number(record[c]) for c in ("p5", "p50", "p95", "mean")]
            shown.add_row(*(escape(c) for c in cells))
        console.print(shown)
    console.print(f"report: {escape(str(where / 'sweep.html'))}; table: sweep.parquet, sweep.csv; percentiles.csv; "
                  "plots/; runs/<id>/",
                  highlight=False, soft_wrap=True)


def _number(value: float) -> str:
    if math.isnan(value):  # no done run
        return "-"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(help="A run directory (with its summary.json, metrics.csv, events.jsonl).",
                                            show_default=False)],
) -> None:
    """Rebuild a run's report.html from its summary.json, metrics.csv and events.jsonl alone.

    The page is self-contained (it opens offline, plots inline) and the same run gives the same bytes.
    A directory without a run's files is refused with exit code 2, and nothing is written.
    """
    from sim.report.html import write_report
    from sim.report.run_files import RunFilesError

    try:
        path = write_report(run_dir)
    except RunFilesError as exc:
        err_console.print(f"[red]not a run's files:[/red] {escape(str(exc))}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    console.print(f"wrote {escape(str(path))}", highlight=False, soft_wrap=True)


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


DEMO_OUT = Annotated[Path | None, typer.Option(
    "--out", help="Where the demo's run writes its files, replaced each time (default: runs/demo-<name>).",
    show_default=False)]
NO_PAUSE = Annotated[bool, typer.Option("--no-pause", help="Do not wait for Enter between steps (scripts, CI).")]


def _narrate(name: str, out: Path | None, no_pause: bool) -> None:
    """Play demo ``name`` (a module of sim.demos with ``run(out_dir, console, pause)``),
    waiting for Enter between steps on a terminal unless --no-pause."""
    import importlib
    import sys

    from sim.report.run_dir import RunDirError

    demo = importlib.import_module(f"sim.demos.{name}")
    waits = not no_pause and sys.stdin.isatty() and console.is_terminal
    pause = (lambda: console.input("[dim]Enter for the next step[/dim] ")) if waits else None
    try:
        demo.run(out or Path("runs") / f"demo-{name.replace('_', '-')}", console=console, pause=pause)
    except RunDirError as exc:
        err_console.print(f"[red]bad run directory:[/red] {escape(str(exc))}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except (TokensimError, LookupError) as exc:
        err_console.print(f"[red]demo failed:[/red] {escape(str(exc))}")
        raise typer.Exit(EXIT_FAILED) from None


@demo_app.command("issuance")
def demo_issuance(out: DEMO_OUT = None, no_pause: NO_PAUSE = False) -> None:
    """A Reg D 506(b) issuance: onboarding, subscriptions, refusals, the Rule 144 lock-up."""
    import sys

    from sim.demos import issuance
    from sim.report.run_dir import RunDirError

    waits = not no_pause and sys.stdin.isatty() and console.is_terminal
    pause = (lambda: console.input("[dim]Enter for the next step[/dim] ")) if waits else None
    try:
        issuance.run(console=console, out_dir=out or Path("runs") / "demo-issuance", pause=pause)
    except RunDirError as exc:
        err_console.print(f"[red]bad run directory:[/red] {escape(str(exc))}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except TokensimError as exc:
        err_console.print(f"[red]demo failed:[/red] {escape(str(exc))}")
        raise typer.Exit(EXIT_FAILED) from None


@demo_app.command("settlement")
def demo_settlement(out: DEMO_OUT = None, no_pause: NO_PAUSE = False) -> None:
    """Settlement: delivery versus payment, a netted cycle, a fail and its penalty, a buy-in; then the report."""
    _narrate("settlement", out, no_pause)


@demo_app.command("collateral")
def demo_collateral(out: DEMO_OUT = None, no_pause: NO_PAUSE = False) -> None:
    """Collateral: a haircut, siloed against cross margin, a margin call, a liquidation; then the report."""
    _narrate("collateral", out, no_pause)


@demo_app.command("safe-harbor")
def demo_safe_harbor(out: DEMO_OUT = None, no_pause: NO_PAUSE = False) -> None:
    """Safe harbor: the clock, the exit report, the reclassification and what it switches on and off."""
    _narrate("safe_harbor", out, no_pause)


def main() -> None:
    app()
