"""The package's layers depend downwards only (checked on the import statements).

``sim.errors`` is the bottom of the graph and imports nothing of the package (as httpx's
exception module); the chain layer knows nothing of the contract handles, the scenario
format, the engine or the parts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import sim

ROOT = Path(sim.__file__).parent


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name == "sim" or name.startswith("sim.")}


def test_the_exception_module_imports_nothing_of_the_package():
    assert _imports(ROOT / "errors.py") == set()


def test_the_chain_layer_imports_only_the_errors_and_itself():
    for path in sorted((ROOT / "chain").glob("*.py")):
        outside = {m for m in _imports(path) if not m.startswith("sim.chain") and m != "sim.errors"}
        assert outside == set(), f"{path.name} imports {sorted(outside)}"
