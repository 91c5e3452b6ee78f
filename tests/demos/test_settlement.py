"""The settlement demo tells a real run step by step: every figure it says is a record of
the run's event log, it waits between steps only when asked, and it leaves the run's report."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console
from typer.testing import CliRunner

from sim.cli import app
from sim.demos import settlement


@pytest.fixture(scope="module")
def told(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "run"
    buffer = io.StringIO()
    pauses = []
    demo = settlement.run(out, console=Console(file=buffer, width=200), pause=lambda: pauses.append(1))
    return demo, " ".join(buffer.getvalue().split()), pauses


def test_the_demo_tells_its_steps_and_pauses_between_them(told):
    demo, text, pauses = told
    assert [title for title, _ in demo.steps] == [
        "delivery versus payment", "a netted cycle", "a fail and its penalty", "a buy-in", "the whole run",
        "the report"]
    assert len(pauses) == 5
    for number in range(1, 7):
        assert f"Step {number}:" in text


def test_every_record_the_demo_tells_is_in_the_runs_event_log(told):
    demo, _, _ = told
    log = [json.loads(line) for line in (demo.out_dir / "events.jsonl").read_text().splitlines()]
    for _, record in demo.steps[:4]:
        assert record in log


def test_the_fail_and_buy_in_figures_are_the_records(told):
    demo, text, _ = told
    fail, buy_in = demo.steps[2][1], demo.steps[3][1]
    assert f"instruction {fail['instruction']}" in text and f"penalty ${fail['penalty_cents'] / 100:,.2f}" in text
    assert f"charged ${buy_in['cost_cents'] / 100:,.2f}" in text
    assert "Reg SHO Rule 204(a)(1)" in text and "Commission Delegated Regulation (EU) 2017/389" in text


def test_the_demo_leaves_the_runs_report(told):
    demo, text, _ = told
    assert (demo.out_dir / "report.html").is_file()
    assert str(demo.out_dir / "report.html") in text


def test_tokensim_demo_settlement_runs_without_pauses_for_scripts(tmp_path):
    result = CliRunner().invoke(app, ["demo", "settlement", "--no-pause", "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert "Step 6: the report" in result.output and "Enter for the next step" not in result.output
