"""The safe-harbor demo tells a real run: the window from the notice, the exit report's
tests, and what the reclassification switched on (a security's rules) and off (venues)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from sim.demos import safe_harbor


@pytest.fixture(scope="module")
def told(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "run"
    buffer = io.StringIO()
    pauses = []
    demo = safe_harbor.run(out, console=Console(file=buffer, width=200), pause=lambda: pauses.append(1))
    return demo, " ".join(buffer.getvalue().split()), pauses


def test_the_demo_tells_its_five_steps_with_a_pause_between_each(told):
    demo, _, pauses = told
    assert [title for title, _ in demo.steps] == [
        "the clock", "sales under the exemption", "the exit report",
        "what the reclassification switches on and off", "the report"]
    assert len(pauses) == 4


def test_the_window_runs_three_calendar_years_from_the_notice(told):
    demo, text, _ = told
    notice = demo.steps[0][1]
    assert notice["t"] == 0 and "relief for 36 calendar months, to day 1096." in text  # 2027-01-04 to 2030-01-04


def test_each_exit_test_is_told_with_its_measure_and_threshold(told):
    demo, text, _ = told
    for name, test in demo.summary["metrics"]["exit"]["tests"].items():
        assert f"{name}: measured {test['measured']:,} against {test['limit']}" in text
    assert "Outcome: failed; the token is now a tokenized security." in text


def test_the_reclassification_switches_on_the_security_rules_and_off_the_venues(told):
    demo, text, _ = told
    switched = demo.steps[3][1]
    assert switched["routes"] == ["accredited_only", "lockup"]
    assert sorted(switched["delisted"]) == ["open-dex", "prairie-dcm"]
    assert "(InvestorNotAccredited, restriction code 15)" in text
