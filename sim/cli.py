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
err_console = Console(stderr=True)


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
    (and, for a margin or taxonomy scenario, its plots)."""
    from sim.chain import BACKENDS
    from sim.engine import simulation_for
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
    simulation = simulation_for(loaded, seed=seed, backend=chosen)
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
    _print_summary(result.summary)
    if result.status != "done":
        err_console.print(f"[red]run failed:[/red] {escape(result.summary.get('reason', ''))}")
        raise typer.Exit(EXIT_FAILED)


def _usd(value: float | None) -> str:
    return "stale price" if value is None else f"${value:,.2f}"


def _print_summary(summary: dict[str, Any]) -> None:
    metrics = summary["metrics"]
    if summary.get("kind") == "taxonomy":
        _print_taxonomy(summary)
        _print_errors(metrics)
        return
    table = Table(title=f"{summary['scenario']}: {summary['status']} after {summary['sim_days']:g} simulated days "
                        f"({summary['wall_seconds']:.1f} s)")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in metrics.items():
        if key in ("refusals_by_reason", "refusals_by_error", "accounts", "shocks"):
            continue
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        elif isinstance(value, int):
            shown = f"{value:,}"
        elif isinstance(value, float):
            shown = f"{value:,.2f}"
        else:
            shown = str(value)
        table.add_row(key, shown)
    console.print(table)
    reasons = metrics.get("refusals_by_reason") or {}
    if reasons:
        refusals = Table(title="Refusals by reason")
        refusals.add_column("reason")
        refusals.add_column("count", justify="right")
        for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0])):
            refusals.add_row(reason, f"{count:,}")
        console.print(refusals)
    for shock in metrics.get("shocks") or []:
        console.print(
            f"shock day {shock['day']:g}: {shock['asset']} {shock['move_pct']:+g}%  collateral required siloed "
            f"{_usd(shock['collateral_required_siloed_before'])} -> {_usd(shock['collateral_required_siloed_after'])}, "
            f"cross-margined {_usd(shock['collateral_required_cross_before'])} -> "
            f"{_usd(shock['collateral_required_cross_after'])}"
        )
    accounts = metrics.get("accounts") or {}
    if accounts:
        book = Table(title="Accounts at the end (US dollars; initial: by the account's own method)")
        for column in ("account", "equity", "initial", "siloed", "cross-margined"):
            book.add_column(column, justify="left" if column == "account" else "right")
        for name, row in accounts.items():
            if row is None:
                book.add_row(name, "stale price", "", "", "")
            else:
                book.add_row(name, *(f"{row[k]:,.2f}" for k in ("equity", "initial", "siloed_initial", "portfolio_initial")))
        console.print(book)
    _print_errors(metrics)


def _print_errors(metrics: dict[str, Any]) -> None:
    errors = metrics.get("refusals_by_error") or {}
    if errors:
        refusals = Table(title="Refusals by contract error")
        refusals.add_column("error")
        refusals.add_column("count", justify="right")
        for error, count in sorted(errors.items(), key=lambda item: (-item[1], item[0])):
            refusals.add_row(error, f"{count:,}")
        console.print(refusals)


MEASURE_LABELS = {
    "top10_share_pct": "top-10 holders' share %",
    "hhi": "Herfindahl-Hirschman index",
    "developer_share_pct": "developer team share %",
    "independent_holders": "independent holders",
    "venues": "venues trading it",
}


def _print_taxonomy(summary: dict[str, Any]) -> None:
    """The outcome of a taxonomy run and why: the classes, the exit report's tests, trades by
    class, exemption refusals, fair-access flags, who is locked in."""
    m = summary["metrics"]
    console.print(f"[bold]{summary['scenario']}[/bold]: {summary['status']} after {summary['sim_days']:g} simulated "
                  f"days ({summary['wall_seconds']:.1f} s)", highlight=False)
    history = Table(title="Classification history")
    for column in ("day", "time", "class", "by"):
        history.add_column(column, justify="right" if column == "day" else "left")
    for row in m["classification_history"]:
        history.add_row(f"{row['day']:g}", row["time"], row["class"], row["by"].replace("_", " "))
    console.print(history)
    exit_report = m.get("exit")
    if exit_report:
        tests = Table(title=f"Exit report, day {exit_report['day']:g}: {exit_report['outcome']} -> {exit_report['class']}")
        for column in ("maturity measure", "measured", "threshold", "passed"):
            tests.add_column(column, justify="left" if column == "maturity measure" else "right")
        for name, test in exit_report["tests"].items():
            tests.add_row(MEASURE_LABELS[name], f"{test['measured']:,}", test["limit"], "yes" if test["passed"] else "NO")
        console.print(tests)
    trades = Table(title="Trades by the token's class at the time")
    for column in ("class", "settled", "refused"):
        trades.add_column(column, justify="left" if column == "class" else "right")
    for name, counts in m["trades_by_class"].items():
        trades.add_row(name, f"{counts.get('settled', 0):,}", f"{counts.get('refused', 0):,}")
    console.print(trades)
    lines = []
    if "raised_usd" in m:
        d = m["disclosures"]
        lines.append(f"raised {_usd(m['raised_usd'])}; disclosure updates {d['updates']}, missed {d['missed']}")
    refusals = m["exemption_refusals"]
    detail = ", ".join(f"{k} {v:,}" for k, v in refusals.items() if k != "total")
    lines.append(f"exemption refusals: {refusals['total']:,}" + (f" ({detail})" if detail else ""))
    refunds = m.get("refunds")
    if refunds and refunds["holders"]:
        lines.append(f"refunds: {refunds['holders']:,} holders, {refunds['tokens']:,} tokens burned, {_usd(refunds['usd'])} paid")
    for flag in m["fair_access_flags"]:
        verb = "fair-access duty from" if flag["duty"] else "fair-access duty lapsed in"
        lines.append(f"{flag['venue']}: {verb} {flag['month']} ({flag['months_at_threshold']} of the preceding months "
                     "at the threshold)")
    final = (m.get("maturity_measures") or {}).get("final")
    if final:
        lines.append("at the end: top-10 share {top10_share_pct:g}%, HHI {hhi:,}, developer share {developer_share_pct:g}%, "
                     "{independent_holders:,} independent holders, venues trading it: {venues}".format(**final))
    locked = m.get("locked_in")
    if locked and locked["holders"]:
        by_reason = ", ".join(f"{k} {v:,}" for k, v in locked["by_reason"].items())
        by_type = ", ".join(f"{t} {v['holders']:,} ({v['tokens']:,} tokens)" for t, v in locked["by_type"].items())
        lines.append(f"locked in: {locked['holders']:,} holders, {locked['tokens']:,} tokens; by type: {by_type}; "
                     f"why: {by_reason}")
    for line in lines:
        console.print(line, highlight=False, soft_wrap=True)


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
    """Print the JSON Schema of scenario files, lifecycle, margin or taxonomy (for editor completion)."""
    from pydantic import TypeAdapter

    from sim.scenario import MarginScenario, Scenario, TaxonomyScenario

    print(json.dumps(TypeAdapter(Scenario | MarginScenario | TaxonomyScenario).json_schema(), indent=2))


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
