"""The onboarding benchmark onboards every investor on both tokens and counts what it sent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INVESTORS = 4


def test_onboarding_verifies_every_investor_on_both_tokens_and_t_rex_sends_more(tmp_path):
    out = tmp_path / "onboarding.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "onboarding.py"), "--investors", str(INVESTORS), "--rounds", "1",
         "--json", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "T-REX / ours, per investor:" in done.stdout
    figures = json.loads(out.read_text())
    rows = figures["rows"]
    assert set(rows) == {"ours", "trex", "trex-proxy", "ours-batch", "trex-proxy-batch"}
    for name, row in rows.items():
        assert row["verified"] == INVESTORS, name
        assert row["gas"] > 0 and row["gas_by_phase"]["mint"] > 0 and row["gas_by_phase"]["register"] > 0, name
        assert row["gas"] == sum(row["gas_by_phase"].values()), name
    ours, trex = rows["ours"], rows["trex"]
    # ours: one registration and one mint; T-REX: the identity, its claim, the registration, the mint
    assert ours["txs_by_phase"] == {"deploy": 0, "claim": 0, "register": 1, "mint": 1}
    assert trex["txs_by_phase"] == {"deploy": 1, "claim": 1, "register": 1, "mint": 1}
    assert trex["txs"] > ours["txs"] and rows["trex-proxy"]["txs"] > ours["txs"]
    assert rows["trex-proxy-batch"]["txs"] > rows["ours-batch"]["txs"]
    assert ours["code_bytes"] == 0 and trex["code_bytes"] > rows["trex-proxy"]["code_bytes"] > 0
    assert trex["gas"] > ours["gas"]
    assert figures["ratios"]["trex"]["against"] == "ours" and figures["ratios"]["trex"]["txs"] == 2.0
