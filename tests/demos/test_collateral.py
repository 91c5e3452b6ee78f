"""The collateral demo tells a real run: the haircut the registry holds, the two methods'
requirements on the same book, the call and the liquidation that followed."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from typer.testing import CliRunner

from sim.cli import app
from sim.demos import collateral


@pytest.fixture(scope="module")
def told(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "run"
    buffer = io.StringIO()
    demo = collateral.run(out, console=Console(file=buffer, width=200), pause=lambda: None)
    return demo, " ".join(buffer.getvalue().split())


def test_the_haircut_told_is_the_collateral_registrys(told):
    demo, text = told
    pledge = demo.steps[0][1]
    margin = demo.run.part("margin")
    assert pledge["haircut_bps"] == margin.collateral.haircut(margin.tokens["TBILL"]) > 0
    assert f"haircut for TBILL: {pledge['haircut_bps'] / 100:g}%" in text


def test_the_same_book_needs_56000_siloed_and_nothing_cross_margined_at_the_opening_price(told):
    _, text = told
    assert "the siloed account needs $56,000.00, the cross-margined one $0.00" in text


def test_the_call_and_the_liquidation_are_the_runs_records_of_one_account(told):
    demo, text = told
    call, liquidation = demo.steps[2][1], demo.steps[3][1]
    assert (call["act"], liquidation["act"]) == ("margin_call", "liquidation")
    assert call["account"] == liquidation["account"] == "long-only" and liquidation["t"] > call["t"]
    assert f"equity ${call['equity_usd']:,.2f} against a maintenance requirement" in text
    assert (demo.out_dir / "report.html").is_file()


def test_tokensim_demo_collateral_runs_without_pauses_for_scripts(tmp_path):
    result = CliRunner().invoke(app, ["demo", "collateral", "--no-pause", "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert "Step 5: the report" in result.output and "Enter for the next step" not in result.output
