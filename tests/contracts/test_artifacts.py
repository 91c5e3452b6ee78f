"""The committed artifacts are exactly what the pinned compiler makes of the sources."""

from __future__ import annotations

import json
import shutil

import pytest

from sim.chain.artifacts import ARTIFACTS_DIR, load, shipped_names
from sim.chain.compiler import compile_contracts


@pytest.mark.skipif(shutil.which("node") is None, reason="compiling needs Node.js (running does not)")
def test_committed_artifacts_match_a_fresh_compile(tmp_path):
    written = compile_contracts(out_dir=tmp_path)
    fresh = {p.name for p in written}
    committed = {p.name for p in ARTIFACTS_DIR.glob("*.json")}
    assert fresh == committed, "artifacts missing or extra: run `make contracts`"
    stale = [name for name in sorted(fresh) if (tmp_path / name).read_text() != (ARTIFACTS_DIR / name).read_text()]
    assert stale == [], f"stale artifacts {stale}: run `make contracts` and commit sim/artifacts/"


def test_artifacts_record_compiler_and_source_hash():
    for name in shipped_names():
        artifact = load(name)
        assert artifact.compiler["version"].startswith("0.8.28+commit")
        assert artifact.compiler["settings"]["evmVersion"] == "cancun"
        assert artifact.source_hash.startswith("sha256:")
        assert artifact.bytecode and artifact.deployed_bytecode


def test_compiler_version_is_pinned_in_the_lockfile():
    from sim.chain.compiler import CONTRACTS_DIR

    lock = json.loads((CONTRACTS_DIR / "package-lock.json").read_text())
    packages = lock["packages"]
    assert packages["node_modules/solc"]["version"] == "0.8.28"
    assert packages["node_modules/@openzeppelin/contracts"]["version"].startswith("5.")


def test_deployed_contracts_fit_the_eip_170_size_limit():
    for name in shipped_names():
        assert len(load(name).deployed_bytecode) <= 24_576, name
