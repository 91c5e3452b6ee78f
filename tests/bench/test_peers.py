"""The peer benchmark runs its loops on the same workload and skips a peer it cannot import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_peers_runs_tokensim_and_raw_pyrevm_and_skips_a_missing_peer(tmp_path):
    out = tmp_path / "peers.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "peers.py"), "--transfers", "40", "--rounds", "1",
         "--loops", "raw_pyrevm,tokensim,simular", "--peers-python", str(tmp_path / "no-python"),
         "--json", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "skipping simular-evm Contract API: no interpreter at" in done.stdout
    assert "balances ok" in done.stdout and "WRONG" not in done.stdout
    assert "tokensim Chain('revm') typed" in done.stdout and "1.00x" in done.stdout
    rows = {r["loop"]: r for r in json.loads(out.read_text())["rows"]}
    assert set(rows) == {"raw_pyrevm", "tokensim"} and rows["raw_pyrevm"]["tx_ratio"] == 1.0
