"""Compiled contract artifacts: ABI and bytecode, loaded from JSON.

The shipped artifacts live in ``sim/artifacts/`` (written by ``tokensim compile``). An
issuer's own compiled contract loads with ``Artifact.from_file`` (our JSON, or the
Hardhat / Foundry / solc standard-JSON contract shapes); registering it with
``sim.chain.reverts.registry.register(artifact)`` makes its custom errors and events
decode like ours.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sim.errors import ConfigError

ARTIFACTS_DIR = Path(__file__).resolve().parents[1] / "artifacts"


@dataclass(frozen=True)
class Artifact:
    """One contract's ABI and bytecode."""

    name: str
    abi: tuple[dict[str, Any], ...]
    bytecode: bytes
    deployed_bytecode: bytes = b""
    source_name: str = ""
    compiler: dict[str, Any] = field(default_factory=dict, compare=False)
    source_hash: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, origin: str = "<dict>") -> Artifact:
        """Build from our artifact JSON or a Hardhat / Foundry / solc contract JSON."""
        try:
            name = data.get("contractName") or data.get("name") or Path(origin).stem
            abi = data["abi"]
            bytecode = data.get("bytecode", "")
            deployed = data.get("deployedBytecode", "")
            if isinstance(bytecode, dict):  # Foundry: {"object": "0x..."}
                bytecode = bytecode.get("object", "")
            if isinstance(deployed, dict):
                deployed = deployed.get("object", "")
            if not bytecode and "evm" in data:  # solc standard-JSON output entry
                bytecode = data["evm"]["bytecode"]["object"]
                deployed = data["evm"].get("deployedBytecode", {}).get("object", "")
        except (KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"{origin}: not a contract artifact (missing {exc})") from exc
        return cls(
            name=name,
            abi=tuple(abi),
            bytecode=_hex_bytes(bytecode, origin, "bytecode"),
            deployed_bytecode=_hex_bytes(deployed, origin, "deployedBytecode"),
            source_name=data.get("sourceName", ""),
            compiler=data.get("compiler", {}),
            source_hash=data.get("sourceHash", ""),
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Artifact:
        path = Path(path)
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise ConfigError(f"{path}: artifact file not found") from None
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}: not valid JSON ({exc})") from exc
        return cls.from_dict(data, origin=str(path))


def _hex_bytes(value: str, origin: str, what: str) -> bytes:
    text = value[2:] if value.startswith("0x") else value
    try:
        return bytes.fromhex(text)
    except ValueError as exc:
        raise ConfigError(f"{origin}: {what} is not hex (unlinked libraries?)") from exc


@cache
def load(name: str) -> Artifact:
    """The shipped artifact named ``name`` (e.g. ``"SecurityToken"``)."""
    path = ARTIFACTS_DIR / f"{name}.json"
    if not path.exists():
        known = ", ".join(shipped_names())
        raise ConfigError(f"no shipped contract named {name!r}; known: {known}")
    return Artifact.from_file(path)


@cache
def shipped_names() -> tuple[str, ...]:
    """Names of every shipped artifact, sorted."""
    return tuple(sorted(p.stem for p in ARTIFACTS_DIR.glob("*.json")))


def shipped() -> list[Artifact]:
    return [load(name) for name in shipped_names()]
