"""The issuance demo tells its acts step by step, waits between steps only when asked, and
leaves its acts as a run's files with their report (every figure the chain's)."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console
from typer.testing import CliRunner

from sim.cli import app
from sim.demos import issuance


@pytest.fixture(scope="module")
def told(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "run"
    buffer = io.StringIO()
    pauses = []
    result = issuance.run(console=Console(file=buffer, width=200), out_dir=out, pause=lambda: pauses.append(1))
    return result, " ".join(buffer.getvalue().split()), pauses


def test_the_demo_tells_its_steps_and_pauses_between_them(told):
    result, text, pauses = told
    assert result.steps == ["the token and its rules", "onboarding", "subscriptions", "the holding period", "the report"]
    assert len(pauses) == 4
    assert "Rule 506(b)(2)(i)" in text and "Rule 144(d)" in text


def test_each_refused_subscription_is_told_with_its_typed_error_and_code(told):
    _, text, _ = told
    for error in ("NonAccreditedLimitReached", "JurisdictionRestricted", "RecipientNotVerified"):
        assert error in text


def test_the_acts_are_a_runs_files_and_the_summary_is_the_chains(told):
    result, _, _ = told
    records = [json.loads(line) for line in (result.out_dir / "events.jsonl").read_text().splitlines()]
    assert [r["seq"] for r in records] == list(range(len(records)))
    refused = [r for r in records if r["outcome"] == "refused"]
    assert {r["error"] for r in refused} == {"NonAccreditedLimitReached", "JurisdictionRestricted",
                                             "RecipientNotVerified", "LockupActive"}
    summary = json.loads((result.out_dir / "summary.json").read_text())
    assert summary["metrics"]["subscriptions_minted"] == result.minted == 75
    assert summary["metrics"]["non_accredited_purchasers"] == 35
    assert summary["events"] == len(records)


def test_the_demo_leaves_its_report(told):
    result, text, _ = told
    page = (result.out_dir / "report.html").read_text()
    assert "demo_issuance" in page and "NonAccreditedLimitReached" in page
    assert str(result.out_dir / "report.html") in text


def test_tokensim_demo_issuance_runs_without_pauses_for_scripts(tmp_path):
    result = CliRunner().invoke(app, ["demo", "issuance", "--no-pause", "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert "Step 5: the report" in result.output and "Enter for the next step" not in result.output
    assert (tmp_path / "run" / "report.html").is_file()
