"""Scenario scripts under scenarios/ run and print what they promise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_compare_custody_modes_shows_omnibus_hides_holders():
    out = subprocess.run(
        [sys.executable, str(SCENARIOS / "compare_custody_modes.py"), "--seed", "5"],
        capture_output=True, text=True, timeout=600, env={"COLUMNS": "120", "PATH": ""},
    )
    assert out.returncode == 0, out.stderr
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:4]]
            for line in out.stdout.splitlines() if line.count("│") >= 4}
    omnibus, segregated = (int(x) for x in rows["holders"])
    assert omnibus < segregated
    assert rows["beneficial_owners"][0] == rows["beneficial_owners"][1]
