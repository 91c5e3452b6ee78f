"""The ``tokensim`` command line."""

from __future__ import annotations

import importlib.metadata
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from sim.errors import CompilerError, TokensimError

app = typer.Typer(
    name="tokensim",
    help="Security-token and tokenized-collateral lifecycle simulator on a local EVM chain.",
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
