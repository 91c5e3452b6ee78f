"""Write docs/demos/<demo>.ipynb, one Jupyter notebook per narrated demo.

Each notebook is the demo's own docstring as its introduction, then the demo played in a
code cell (its narration printed under it, no pauses), then the run's headline figures and
where its report is. The notebooks are generated from the demo modules, so they say what
the code does; ``tests/demos/test_notebooks.py`` checks the committed ones equal these and
executes each with nbclient::

    python tools/demo_notebooks.py     # rewrites docs/demos/*.ipynb
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
DEMOS = ("issuance", "settlement", "collateral", "safe_harbor")
OUT = ROOT / "docs" / "demos"


def notebook(name: str) -> nbformat.NotebookNode:
    """The notebook of demo ``name`` (a module of sim.demos)."""
    module = importlib.import_module(f"sim.demos.{name}")
    title, _, body = (module.__doc__ or name).strip().partition("\n")
    command = "From a terminal: `tokensim demo " + name.replace("_", "-") + "`."
    if name == "issuance":  # acts on a bare chain of its own, then writes its acts as a run's files
        return _book(name, [
            nbformat.v4.new_markdown_cell(f"# {title}\n\n{body.strip()}\n\nRun the cells in order; the demo writes "
                                          f"into `runs/demo-issuance/` beside this notebook. {command}"),
            nbformat.v4.new_code_cell("from pathlib import Path\n\nfrom sim.demos import issuance\n\n"
                                      "result = issuance.run(out_dir=Path(\"runs/demo-issuance\"))"),
            nbformat.v4.new_code_cell("dict(result.refusals), result.minted, result.non_accredited_purchasers"),
            nbformat.v4.new_code_cell("print(result.out_dir / \"report.html\")"),
        ])
    intro = f"# {title}\n\n{body.strip()}\n\nRun the cells in order; the run writes into `runs/demo-{name}/` beside " \
            f"this notebook. {command}"
    cells = [
        nbformat.v4.new_markdown_cell(intro),
        nbformat.v4.new_code_cell(f"from pathlib import Path\n\nfrom sim.demos import {name}\n\n"
                                  f"demo = {name}.run(Path(\"runs/demo-{name}\"))"),
        nbformat.v4.new_markdown_cell("The run's figures are in its `summary.json`; every one of them is also on "
                                      "its `report.html`, with the plots, and the events to filter."),
        nbformat.v4.new_code_cell("metrics = demo.summary[\"metrics\"]\n"
                                  "{name: value for name, value in metrics.items() if isinstance(value, (int, float))}"),
        nbformat.v4.new_code_cell("print(demo.out_dir / \"report.html\")"),
    ]
    return _book(name, cells)


def _book(name: str, cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    book = nbformat.v4.new_notebook(cells=cells)
    book.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                     "language_info": {"name": "python"}}
    for i, cell in enumerate(book.cells):  # stable ids: the same notebook, the same bytes
        cell.id = f"{name.replace('_', '-')}-{i}"
    return book


def text(name: str) -> str:
    return nbformat.writes(notebook(name)) + "\n"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in DEMOS:
        path = OUT / f"{name}.ipynb"
        path.write_text(text(name), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
