"""Each demo is also a Jupyter notebook under docs/demos/: the committed notebooks are the
ones tools/demo_notebooks.py writes from the demos, and each runs top to bottom (nbclient,
a real kernel) without an error, telling its steps."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "docs" / "demos"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _generator():
    spec = importlib.util.spec_from_file_location("demo_notebooks", ROOT / "tools" / "demo_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_notebooks_are_those_the_demos_generate():
    generator = _generator()
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(generator.DEMOS)
    for name in generator.DEMOS:
        assert (NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8") == generator.text(name), (
            f"docs/demos/{name}.ipynb is stale: run python tools/demo_notebooks.py")


@pytest.mark.parametrize("name", ["issuance", "settlement", "collateral", "safe_harbor"])
def test_the_notebook_runs_top_to_bottom_and_tells_its_steps(name, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    notebook_path = tmp_path / f"{name}.ipynb"
    shutil.copy(NOTEBOOKS / f"{name}.ipynb", notebook_path)
    book = nbformat.read(notebook_path, as_version=4)
    NotebookClient(book, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = ANSI.sub("", " ".join(
        str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))
        for cell in book.cells if cell.cell_type == "code" for output in cell.get("outputs", [])
    ))
    assert "Traceback" not in outputs
    if name == "issuance":
        assert "NonAccreditedLimitReached" in outputs
    assert "Step 1" in outputs and "Step 5" in outputs
    assert (tmp_path / "runs" / f"demo-{name}" / "report.html").is_file()
