"""Compile the Solidity sources into the committed artifacts.

The contracts under ``contracts/`` are compiled by the npm ``solc`` package at the
version pinned in ``contracts/package-lock.json`` (run ``npm ci`` in ``contracts/``
once). Python builds the standard-JSON input and writes one artifact per deployable
contract to ``sim/artifacts/<Name>.json``: ABI, creation and runtime bytecode, the
compiler version and settings, and a hash of every source that went in. Installing and
running tokensim needs only those JSON files, never Node.js.

    $ tokensim compile           # or: make contracts

``tests/contracts/test_artifacts.py`` recompiles into a temporary folder and fails when
the committed artifacts differ, so a source change cannot land without them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from sim.errors import CompilerError

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACTS_DIR = REPO_ROOT / "contracts"
ARTIFACTS_DIR = Path(__file__).resolve().parents[1] / "artifacts"

#: Compiler settings. ``cancun`` is the newest fork every backend runs (py-evm, revm,
#: Hardhat 2.x); the token uses EIP-1153 transient storage.
SETTINGS: dict = {
    "optimizer": {"enabled": True, "runs": 200},
    "evmVersion": "cancun",
    "outputSelection": {
        "*": {
            "": ["ast"],
            "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"],
        }
    },
}


def source_files(contracts_dir: Path = CONTRACTS_DIR) -> list[Path]:
    """Every ``.sol`` file of ours, sorted, excluding ``node_modules``."""
    return sorted(
        p for p in contracts_dir.rglob("*.sol") if "node_modules" not in p.relative_to(contracts_dir).parts
    )


def compile_contracts(
    contracts_dir: Path = CONTRACTS_DIR, out_dir: Path = ARTIFACTS_DIR
) -> list[Path]:
    """Compile every source and write the artifacts; return the files written.

    Raises:
        CompilerError: Node.js or the pinned solc package is missing, or solc reported
            an error (the message lists solc's own messages).
    """
    sources = {
        str(p.relative_to(contracts_dir)): {"content": p.read_text()} for p in source_files(contracts_dir)
    }
    output = _solc(sources, contracts_dir)
    return _write_artifacts(output, contracts_dir, out_dir)


def compile_files(files: list[Path], contracts_dir: Path = CONTRACTS_DIR) -> dict[str, dict]:
    """Compile Solidity files outside ``contracts/`` (a test's own contract) with the same
    pinned solc and settings; imports of ``@openzeppelin/...`` resolve as for ours.

    Returns each deployable contract's artifact dict by name (``Artifact.from_dict`` reads
    it); nothing is written.
    """
    sources = {p.name: {"content": Path(p).read_text()} for p in files}
    output = _solc(sources, contracts_dir)
    kinds = _contract_kinds(output)
    return {
        name: {"contractName": name, "abi": c["abi"], "bytecode": "0x" + c["evm"]["bytecode"]["object"],
               "deployedBytecode": "0x" + c["evm"]["deployedBytecode"]["object"]}
        for path in sources
        for name, c in output["contracts"].get(path, {}).items()
        if kinds[(path, name)] == ("contract", False)
    }


def _solc(sources: dict, contracts_dir: Path) -> dict:
    """Run the pinned solc on standard-JSON ``sources``; warnings fail as errors do."""
    node = shutil.which("node")
    if node is None:
        raise CompilerError("compiling needs Node.js: `node` is not on PATH")
    if not (contracts_dir / "node_modules" / "solc").is_dir():
        raise CompilerError(
            f"the pinned solc package is not installed: run `npm ci` in {contracts_dir}"
        )
    standard_input = {"language": "Solidity", "sources": sources, "settings": SETTINGS}
    proc = subprocess.run(
        [node, str(contracts_dir / "compile.mjs")],
        input=json.dumps(standard_input),
        capture_output=True,
        text=True,
        cwd=contracts_dir,
        check=False,
    )
    if proc.returncode != 0:
        raise CompilerError(f"solc failed to run: {proc.stderr.strip()}")
    output = json.loads(proc.stdout)
    # Warnings fail the build too: the sources compile clean or not at all.
    errors = [e for e in output.get("errors", []) if e.get("severity") in ("error", "warning")]
    if errors:
        raise CompilerError("\n".join(e.get("formattedMessage", e["message"]) for e in errors))
    return output


def _source_hash(output: dict) -> str:
    """Hash of every source solc read (ours and OpenZeppelin's), the settings and version."""
    digest = hashlib.sha256()
    digest.update(output["solcVersion"].encode())
    digest.update(json.dumps(SETTINGS, sort_keys=True).encode())
    for path in sorted(output["sources"]):
        digest.update(path.encode())
        digest.update(output["_contents"][path].encode())
    return "sha256:" + digest.hexdigest()


def _contract_kinds(output: dict) -> dict[tuple[str, str], tuple[str, bool]]:
    kinds = {}
    for path, source in output["sources"].items():
        for node in source["ast"]["nodes"]:
            if node.get("nodeType") == "ContractDefinition":
                kinds[(path, node["name"])] = (node["contractKind"], node.get("abstract", False))
    return kinds


def _write_artifacts(output: dict, contracts_dir: Path, out_dir: Path) -> list[Path]:
    contents = {}
    for path in output["sources"]:
        local = contracts_dir / path
        module = contracts_dir / "node_modules" / path
        contents[path] = (local if local.exists() else module).read_text()
    output["_contents"] = contents
    source_hash = _source_hash(output)
    kinds = _contract_kinds(output)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path, contracts in sorted(output["contracts"].items()):
        if path.startswith("@"):
            continue
        for name, compiled in sorted(contracts.items()):
            kind, abstract = kinds[(path, name)]
            if kind != "contract" or abstract:
                continue
            artifact = {
                "contractName": name,
                "sourceName": path,
                "abi": compiled["abi"],
                "bytecode": "0x" + compiled["evm"]["bytecode"]["object"],
                "deployedBytecode": "0x" + compiled["evm"]["deployedBytecode"]["object"],
                "compiler": {"name": "solc", "version": output["solcVersion"], "settings": SETTINGS},
                "sourceHash": source_hash,
            }
            target = out_dir / f"{name}.json"
            target.write_text(json.dumps(artifact, indent=1, sort_keys=True) + "\n")
            written.append(target)
    return written
